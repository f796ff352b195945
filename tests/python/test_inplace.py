"""The generic in-place phase seen from Python: variants chosen only when safe, values equal to
the graph without it, and shared weights updated in their own buffers (sparse MLP, threads)."""
import threading

import numpy as np
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T


def op_names(f):
    return [str(n).split("(")[0] for n in f.maker.fgraph.toposort()]


def test_elemwise_inplace_only_on_intermediates():
    x, y = T.dvector("x"), T.dvector("y")
    f = hypatia.function([x, y], T.exp(x) + y, mode="FAST_RUN-fusion")
    assert "Elemwise{add,inplace}" in op_names(f), op_names(f)
    xv, yv = np.linspace(-1, 1, 6), np.linspace(0, 2, 6)
    xc, yc = xv.copy(), yv.copy()
    for _ in range(3):
        np.testing.assert_allclose(f(xv, yv), np.exp(xc) + yc)
    np.testing.assert_array_equal(xv, xc)  # the caller's arrays are never written
    np.testing.assert_array_equal(yv, yc)
    g = hypatia.function([x, y], x + y)
    assert not any(",inplace}" in n for n in op_names(g)), op_names(g)
    e = T.exp(x)
    h = hypatia.function([x, y], [e, e + y], mode="FAST_RUN-fusion")  # e is an output: kept
    assert not any(",inplace}" in n for n in op_names(h)), op_names(h)
    r0, r1 = h(xv, yv)
    np.testing.assert_allclose(r0, np.exp(xv))
    np.testing.assert_allclose(r1, np.exp(xv) + yv)


def sparse_mlp(mode, n=32, d=200, hid=20, k=5, seed=0):
    rng = np.random.RandomState(seed)
    X = sp.random(n, d, density=0.05, format="csr", random_state=rng, dtype=np.float64)
    Y = rng.randint(0, k, size=n).astype(np.int64)
    x, y = S.csr_matrix("x"), T.lvector("y")
    params = [hypatia.shared(rng.randn(d, hid) * 0.1, name="W1"), hypatia.shared(np.zeros(hid), name="b1"),
              hypatia.shared(rng.randn(hid, k) * 0.1, name="W2"), hypatia.shared(np.zeros(k), name="b2")]
    W1, b1, W2, b2 = params
    p_y = T.nnet.softmax(T.dot(T.tanh(S.structured_dot(x, W1) + b1), W2) + b2)
    loss = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    grads = hypatia.grad(loss, params)
    step = hypatia.function([x, y], loss, updates=[(p, p - 0.1 * g) for p, g in zip(params, grads)], mode=mode)
    return step, X, Y, params


def test_sparse_mlp_updates_w1_in_place_with_the_same_values():
    step, X, Y, params = sparse_mlp("FAST_RUN")
    ref, _, _, ref_params = sparse_mlp("FAST_RUN-inplace")
    names = op_names(step)
    assert "UsmmCscDense{inplace}" in names, names  # W1 := W1 - lr * x.T g, in W1's buffer
    assert "UsmmCscDense{no_inplace}" in op_names(ref)
    w1_before = params[0].get_value(borrow=True).__array_interface__["data"][0]
    for _ in range(5):
        np.testing.assert_allclose(step(X, Y), ref(X, Y), rtol=1e-12)
    for p, q in zip(params, ref_params):
        np.testing.assert_allclose(p.get_value(), q.get_value(), rtol=1e-12, atol=1e-15)
    assert params[0].get_value(borrow=True).__array_interface__["data"][0] == w1_before


def test_borrowed_value_is_not_overwritten_under_the_caller():
    W = hypatia.shared(np.arange(6.0), name="W")
    g = T.dvector("g")
    f = hypatia.function([g], [], updates=[(W, W - g)])
    assert any(",inplace}" in n for n in op_names(f)), op_names(f)
    held = W.get_value(borrow=True)  # a handle on the current buffer
    f(np.ones(6))
    np.testing.assert_array_equal(held, np.arange(6.0))
    np.testing.assert_array_equal(W.get_value(), np.arange(6.0) - 1)


def test_in_place_updates_from_two_threads():
    step, X, Y, params = sparse_mlp("FAST_RUN", seed=1)
    g = T.dvector("g")
    W = hypatia.shared(np.zeros(50000), name="W")
    inc = hypatia.function([g], [], updates=[(W, W + g)])
    read = hypatia.function([], W * 1.0)
    ones = np.ones(50000)
    torn = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            v = read()
            if not (v == v[0]).all():
                torn.append(v)

    def work():
        for _ in range(100):
            inc(ones)
            step(X, Y)

    r = threading.Thread(target=reader)
    r.start()
    ts = [threading.Thread(target=work) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    stop.set()
    r.join()
    assert not torn
    np.testing.assert_array_equal(W.get_value(), np.full(50000, 200.0))
    assert all(np.isfinite(p.get_value()).all() for p in params)


def test_a_failing_call_leaves_shared_values_updated_in_place_untouched():
    # W := W - 1 is computed in W's buffer; V's update needs a + b, which fails for mismatched
    # shapes. The in-place update runs after every node that does not need it, so the failure
    # comes first and W keeps its value (Function applies updates only after a full call).
    a, b = T.dvector("a"), T.dvector("b")
    W = hypatia.shared(np.arange(4.0), name="W")
    V = hypatia.shared(np.zeros(3), name="V")
    f = hypatia.function([a, b], [], updates=[(W, W - 1.0), (V, V + (a + b))], mode="FAST_RUN-fusion")
    assert any(n.startswith("Elemwise{sub,inplace}") or n.startswith("Elemwise{add,inplace}") for n in op_names(f)), op_names(f)
    try:
        f(np.ones(3), np.ones(2))
    except ValueError:
        pass
    else:
        raise AssertionError("mismatched shapes must raise")
    np.testing.assert_array_equal(W.get_value(), np.arange(4.0))
    np.testing.assert_array_equal(V.get_value(), np.zeros(3))
    f(np.ones(3), np.ones(3))
    np.testing.assert_array_equal(W.get_value(), np.arange(4.0) - 1)
    np.testing.assert_array_equal(V.get_value(), np.full(3, 2.0))


def test_sparse_mlp_in_place_w1_keeps_earlier_copies_and_passes_debug_mode():
    from hypatia.compile.debugmode import DebugMode

    step, X, Y, params = sparse_mlp("FAST_RUN", seed=2)
    W1 = params[0]
    before = W1.get_value(borrow=False)  # a copy taken before the call
    kept = before.copy()
    step(X, Y)
    np.testing.assert_array_equal(before, kept)  # the caller's copy is not the buffer updated
    assert not np.array_equal(W1.get_value(), kept)
    # DebugMode checks every node (the in-place UsmmCscDense included) against its reference.
    dbg, DX, DY, dparams = sparse_mlp(DebugMode(stability_patience=1, check_isfinite=False), seed=2)
    ref, _, _, rparams = sparse_mlp("FAST_RUN-inplace", seed=2)
    assert "UsmmCscDense{inplace}" in op_names(dbg), op_names(dbg)
    for _ in range(2):
        np.testing.assert_allclose(dbg(DX, DY), ref(DX, DY), rtol=1e-12)
    for p, q in zip(dparams, rparams):
        np.testing.assert_allclose(p.get_value(), q.get_value(), rtol=1e-12, atol=1e-15)
