"""scan: every scan example of the manual, taps, until, updates, random streams, map/reduce/fold, errors."""
import numpy as np
import pytest

import hypatia as theano
import hypatia.tensor as T
from hypatia.scan_module import until

floatX = theano.config.floatX


def test_manual_tanh_elementwise():
    X = T.matrix("X")
    W = T.matrix("W")
    b_sym = T.vector("b_sym")
    results, updates = theano.scan(lambda v: T.tanh(T.dot(v, W) + b_sym), sequences=X)
    f = theano.function(inputs=[X, W, b_sym], outputs=results)
    x = np.eye(2, dtype=floatX)
    w = np.ones((2, 2), dtype=floatX)
    b = np.ones((2), dtype=floatX)
    b[1] = 2
    np.testing.assert_allclose(f(x, w, b), np.tanh(x.dot(w) + b), rtol=1e-6)
    assert len(updates) == 0


def test_manual_sequence_with_reversed_p():
    X = T.vector("X")
    W = T.matrix("W")
    U = T.matrix("U")
    Y = T.matrix("Y")
    V = T.matrix("V")
    P = T.matrix("P")
    results, _ = theano.scan(lambda y, p, x_tm1: T.tanh(T.dot(x_tm1, W) + T.dot(y, U) + T.dot(p, V)),
                             sequences=[Y, P[::-1]], outputs_info=[X])
    f = theano.function(inputs=[X, W, Y, U, P, V], outputs=results)
    x = np.zeros((2), dtype=floatX)
    x[1] = 1
    w = np.ones((2, 2), dtype=floatX)
    y = np.ones((5, 2), dtype=floatX)
    y[0, :] = -3
    u = np.ones((2, 2), dtype=floatX)
    p = np.ones((5, 2), dtype=floatX)
    p[0, :] = 3
    v = np.ones((2, 2), dtype=floatX)
    x_res = np.zeros((5, 2), dtype=floatX)
    x_res[0] = np.tanh(x.dot(w) + y[0].dot(u) + p[4].dot(v))
    for i in range(1, 5):
        x_res[i] = np.tanh(x_res[i - 1].dot(w) + y[i].dot(u) + p[4 - i].dot(v))
    np.testing.assert_allclose(f(x, w, y, u, p, v), x_res, rtol=1e-6)


@pytest.mark.parametrize("transpose", [False, True])
def test_manual_norms_of_lines_and_columns(transpose):
    X = T.matrix("X")
    results, _ = theano.scan(lambda x_i: T.sqrt((x_i ** 2).sum()), sequences=[X.T if transpose else X])
    f = theano.function(inputs=[X], outputs=results)
    x = np.diag(np.arange(1, 6, dtype=floatX), 1)
    np.testing.assert_allclose(f(x), np.sqrt((x ** 2).sum(0 if transpose else 1)))


def test_manual_trace():
    X = T.matrix("X")
    results, _ = theano.scan(lambda i, j, t_f: T.cast(X[i, j] + t_f, "float32"),
                             sequences=[T.arange(X.shape[0]), T.arange(X.shape[1])],
                             outputs_info=np.asarray(0., dtype="float32"))
    f = theano.function(inputs=[X], outputs=results[-1])
    x = np.eye(5, dtype=floatX)
    x[0] = np.arange(5, dtype=floatX)
    assert f(x) == pytest.approx(np.diagonal(x).sum())
    # Non-square: the shorter arange sets the number of steps.
    x = np.arange(12, dtype=floatX).reshape(3, 4)
    assert f(x) == pytest.approx(np.trace(x))


def test_manual_two_taps():
    X = T.matrix("X")
    W = T.matrix("W")
    b_sym = T.vector("b_sym")
    U = T.matrix("U")
    V = T.matrix("V")
    n_sym = T.iscalar("n_sym")
    results, _ = theano.scan(lambda x_tm2, x_tm1: T.dot(x_tm2, U) + T.dot(x_tm1, V) + T.tanh(T.dot(x_tm1, W) + b_sym),
                             n_steps=n_sym, outputs_info=[dict(initial=X, taps=[-2, -1])])
    f = theano.function(inputs=[X, U, V, W, b_sym, n_sym], outputs=results)
    x = np.zeros((2, 2), dtype=floatX)
    x[1, 1] = 1
    w = 0.5 * np.ones((2, 2), dtype=floatX)
    u = 0.5 * (np.ones((2, 2), dtype=floatX) - np.eye(2, dtype=floatX))
    v = 0.5 * np.ones((2, 2), dtype=floatX)
    b = np.ones((2), dtype=floatX)
    x_res = np.zeros((10, 2))
    x_res[0] = x[0].dot(u) + x[1].dot(v) + np.tanh(x[1].dot(w) + b)
    x_res[1] = x[1].dot(u) + x_res[0].dot(v) + np.tanh(x_res[0].dot(w) + b)
    for i in range(2, 10):
        x_res[i] = x_res[i - 2].dot(u) + x_res[i - 1].dot(v) + np.tanh(x_res[i - 1].dot(w) + b)
    np.testing.assert_allclose(f(x, u, v, w, b, 10), x_res, rtol=1e-6)
    assert f(x, u, v, w, b, 0).shape == (0, 2)


def test_manual_jacobian():
    v = T.vector()
    A = T.matrix()
    y = T.tanh(T.dot(v, A))
    results, _ = theano.scan(lambda i: T.grad(y[i], v), sequences=[T.arange(y.shape[0])])
    f = theano.function([A, v], results, allow_input_downcast=True)
    x = np.eye(5, dtype=floatX)[0]
    w = np.eye(5, 3, dtype=floatX)
    w[2] = np.ones((3), dtype=floatX)
    np.testing.assert_allclose(f(w, x), ((1 - np.tanh(x.dot(w)) ** 2) * w).T, rtol=1e-6)


def test_manual_accumulate_loop_count():
    k = theano.shared(0)
    n_sym = T.iscalar("n_sym")
    results, updates = theano.scan(lambda: {k: (k + 1)}, n_steps=n_sym)
    accumulator = theano.function([n_sym], [], updates=updates, allow_input_downcast=True)
    assert k.get_value() == 0
    accumulator(5)
    assert k.get_value() == 5
    accumulator(3)
    assert k.get_value() == 8


def test_manual_binomial_noise_redrawn_each_step():
    X = T.matrix("X")
    W = T.matrix("W")
    b_sym = T.vector("b_sym")
    trng = T.shared_randomstreams.RandomStreams(1234)
    d = trng.binomial(size=W[1].shape)
    results, updates = theano.scan(lambda v: T.tanh(T.dot(v, W) + b_sym) * d, sequences=X)
    f = theano.function(inputs=[X, W, b_sym], outputs=results, updates=updates, allow_input_downcast=True)
    x = np.eye(10, 2, dtype=floatX)
    w = np.ones((2, 2), dtype=floatX)
    b = np.ones((2), dtype=floatX)
    out = f(x, w, b)
    clean = np.tanh(x.dot(w) + b)
    mask = out / clean
    assert set(np.unique(mask)) <= {0.0, 1.0}
    assert len({tuple(r) for r in mask}) > 1  # drawn anew at each step
    assert len(updates) == 1  # the stream's state, advanced through the loop
    assert not np.array_equal(f(x, w, b), out)  # and the next call continues from it


def test_manual_power_and_polynomial():
    k = T.iscalar("k")
    A = T.vector("A")
    result, updates = theano.scan(fn=lambda prior, B: prior * B, outputs_info=T.ones_like(A),
                                  non_sequences=A, n_steps=k)
    power = theano.function(inputs=[A, k], outputs=result[-1], updates=updates)
    np.testing.assert_allclose(power(range(10), 2), np.arange(10.) ** 2)
    np.testing.assert_allclose(power(range(10), 5), np.arange(10.) ** 5)
    coefficients = T.vector("coefficients")
    x = T.scalar("x")
    components, _ = theano.scan(fn=lambda coeff, power, free_var: coeff * (free_var ** power), outputs_info=None,
                                sequences=[coefficients, T.arange(10000)], non_sequences=x)
    f = theano.function(inputs=[coefficients, x], outputs=components.sum())
    assert f(np.asarray([1, 0, 2], dtype=np.float32), 3) == pytest.approx(19.0)


def test_manual_power_series_of_a_matrix():
    # sum_k A^k / k! as a scan carrying the term and the partial sum (two sit_sot outputs).
    A = T.matrix("A")
    n = T.iscalar("n")

    def step(i, term, total, A):
        term = T.dot(term, A) / T.cast(i, A.dtype)
        return term, total + term

    I = T.eye(A.shape[0], dtype=A.dtype)
    (terms, totals), _ = theano.scan(step, sequences=T.arange(1, n + 1), outputs_info=[I, I], non_sequences=A)
    f = theano.function([A, n], totals[-1])
    a = np.array([[0.0, 1.0], [-1.0, 0.0]]) * 0.5
    expected = np.array([[np.cos(0.5), np.sin(0.5)], [-np.sin(0.5), np.cos(0.5)]])  # expm(a)
    np.testing.assert_allclose(f(a, 20), expected, rtol=1e-12)


def test_manual_until():
    def power_of_2(previous_power, max_value):
        return previous_power * 2, until(previous_power * 2 > max_value)

    max_value = T.scalar()
    values, _ = theano.scan(power_of_2, outputs_info=T.constant(1.), non_sequences=max_value, n_steps=1024)
    f = theano.function([max_value], values)
    np.testing.assert_array_equal(f(45), [2., 4., 8., 16., 32., 64.])
    values, _ = theano.scan(power_of_2, outputs_info=T.constant(1.), non_sequences=max_value, n_steps=20)
    g = theano.function([max_value], values)
    np.testing.assert_array_equal(g(1e30), 2.0 ** np.arange(1, 21))  # n_steps caps it


def test_manual_shared_updates_b_and_c():
    a = theano.shared(1)
    values, updates = theano.scan(lambda: {a: a + 1}, n_steps=10)
    b = a + 1
    c = updates[a] + 1
    f = theano.function([], [b, c], updates=updates)
    assert [int(v) for v in f()] == [2, 12] and a.get_value() == 11
    assert [int(v) for v in f()] == [12, 22] and a.get_value() == 21
    g = theano.function([], [b, c])
    assert [int(v) for v in g()] == [22, 32] and a.get_value() == 21


def _gibbs(strict, pass_shared):
    rng = np.random.RandomState(0)
    W = theano.shared(rng.rand(6, 4), name="W")
    bvis = theano.shared(np.zeros(6), name="bvis")
    bhid = theano.shared(np.zeros(4), name="bhid")
    trng = T.shared_randomstreams.RandomStreams(1234)

    def one_step(vsample, *params):
        W_, bvis_, bhid_ = params if params else (W, bvis, bhid)
        hmean = T.nnet.sigmoid(theano.dot(vsample, W_) + bhid_)
        hsample = trng.binomial(size=hmean.shape, n=1, p=hmean)
        vmean = T.nnet.sigmoid(theano.dot(hsample, W_.T) + bvis_)
        return trng.binomial(size=vsample.shape, n=1, p=vmean, dtype=floatX)

    sample = T.vector()
    values, updates = theano.scan(one_step, outputs_info=sample, n_steps=10,
                                  non_sequences=[W, bvis, bhid] if pass_shared else None, strict=strict)
    return theano.function([sample], values[-1], updates=updates), updates


@pytest.mark.parametrize("pass_shared", [False, True])
def test_manual_gibbs_sampling(pass_shared):
    gibbs10, updates = _gibbs(strict=pass_shared, pass_shared=pass_shared)
    assert len(updates) == 2  # the two streams' states
    v0 = np.ones(6)
    a, b = gibbs10(v0), gibbs10(v0)
    assert set(np.unique(np.concatenate([a, b]))) <= {0.0, 1.0}
    assert a.shape == (6,)
    # Same seed, same draws: a fresh graph reproduces the first call.
    gibbs10b, _ = _gibbs(strict=pass_shared, pass_shared=pass_shared)
    np.testing.assert_array_equal(gibbs10b(v0), a)


def test_strict_reports_missing_shared():
    with pytest.raises(theano._core.MissingInputError, match=r"\[scan .*strict"):
        _gibbs(strict=True, pass_shared=False)


def test_rnn_with_taps_of_the_manual():
    rng = np.random.RandomState(1)

    def one_step(u_tm4, u_t, x_tm3, x_tm1, y_tm1, W, W_in_1, W_in_2, W_feedback, W_out):
        x_t = T.tanh(theano.dot(x_tm1, W) + theano.dot(u_t, W_in_1) + theano.dot(u_tm4, W_in_2) +
                     theano.dot(y_tm1, W_feedback))
        y_t = theano.dot(x_tm3, W_out)
        return [x_t, y_t]

    Ws = [T.matrix() for _ in range(5)]
    u = T.matrix()
    x0 = T.matrix()
    y0 = T.vector()
    ([x_vals, y_vals], _) = theano.scan(fn=one_step, sequences=dict(input=u, taps=[-4, 0]),
                                        outputs_info=[dict(initial=x0, taps=[-3, -1]), y0],
                                        non_sequences=Ws, strict=True)
    f = theano.function([u, x0, y0] + Ws, [x_vals, y_vals])
    nx, nu, ny = 3, 2, 2
    W, W1, W2, Wf, Wo = (rng.randn(nx, nx), rng.randn(nu, nx), rng.randn(nu, nx), rng.randn(ny, nx), rng.randn(nx, ny))
    uv = rng.randn(9, nu)
    xv0 = rng.randn(3, nx)
    yv0 = rng.randn(ny)
    xs, ys = f(uv, xv0, yv0, W, W1, W2, Wf, Wo)
    X = list(xv0)
    Y = [yv0]
    for t in range(5):  # uvals[0] is u[-4]: steps start at uvals[4]
        X.append(np.tanh(X[-1] @ W + uv[t + 4] @ W1 + uv[t] @ W2 + Y[-1] @ Wf))
        Y.append(X[-4] @ Wo)
    np.testing.assert_allclose(xs, np.array(X[3:]), rtol=1e-10)
    np.testing.assert_allclose(ys, np.array(Y[1:]), rtol=1e-10)


def test_sequence_taps_order_and_positive_taps():
    s = T.vector("s")
    out, _ = theano.scan(lambda a, b, c: a * 100 + b * 10 + c, sequences=dict(input=s, taps=[-3, 2, -1]))
    f = theano.function([s], out)
    v = np.arange(10.0)
    exp = [v[t] * 100 + v[t + 5] * 10 + v[t + 2] for t in range(5)]  # offsets: tap + 3
    np.testing.assert_allclose(f(v), exp)


def test_go_backwards_and_map_reduce_fold():
    x = T.vector("x")
    back, _ = theano.scan(lambda v, acc: acc * 10 + v, sequences=x, outputs_info=T.constant(0.0, dtype="float64"),
                          go_backwards=True)
    f = theano.function([x], back)
    np.testing.assert_allclose(f([1., 2., 3.]), [3., 32., 321.])
    sq, _ = theano.map(lambda v: v ** 2, x)
    tot, _ = theano.reduce(lambda v, acc: acc + v, x, T.constant(0.0, dtype="float64"))
    left, _ = theano.foldl(lambda v, acc: acc * 10 + v, x, T.constant(0.0, dtype="float64"))
    right, _ = theano.foldr(lambda v, acc: acc * 10 + v, x, T.constant(0.0, dtype="float64"))
    g = theano.function([x], [sq, tot, left, right])
    r = g([1., 2., 3.])
    np.testing.assert_allclose(r[0], [1., 4., 9.])
    assert float(r[1]) == 6.0 and float(r[2]) == 123.0 and float(r[3]) == 321.0


def test_multiple_outputs_with_none_and_return_list():
    x = T.vector("x")
    (squares, running), _ = theano.scan(lambda v, acc: [v ** 2, acc + v], sequences=x,
                                        outputs_info=[None, T.constant(0.0, dtype="float64")])
    f = theano.function([x], [squares, running])
    a, b = f([1., 2., 3.])
    np.testing.assert_allclose(a, [1., 4., 9.])
    np.testing.assert_allclose(b, [1., 3., 6.])
    one, _ = theano.scan(lambda v: v * 2, sequences=x, return_list=True)
    assert isinstance(one, list) and len(one) == 1


def test_sparse_non_sequence_and_sparse_sequence():
    import scipy.sparse as sp
    from hypatia import sparse
    X = sparse.csr_matrix("X")
    W = T.matrix("W")
    h0 = T.matrix("h0")
    # A recurrent net whose input projection is a sparse structured_dot: each step reads rows
    # of a sparse non-sequence.
    idx = T.arange(3)
    hs, _ = theano.scan(lambda i, h, X, W: T.tanh(sparse.structured_dot(X[i * 2:(i + 1) * 2], W) + h),
                        sequences=idx, outputs_info=h0, non_sequences=[X, W])
    f = theano.function([X, W, h0], hs)
    rng = np.random.RandomState(0)
    xv = sp.random(6, 5, density=0.4, format="csr", random_state=rng)
    wv = rng.randn(5, 4)
    hv = np.zeros((2, 4))
    exp, h = [], hv
    for i in range(3):
        h = np.tanh(xv[i * 2:(i + 1) * 2] @ wv + h)
        exp.append(h)
    np.testing.assert_allclose(f(xv, wv, hv), np.array(exp), rtol=1e-12)
    # A sparse sequence: one 1-row sparse matrix per step.
    rows, _ = theano.scan(lambda r, W: sparse.structured_dot(r, W)[0], sequences=X, non_sequences=W)
    g = theano.function([X, W], rows)
    np.testing.assert_allclose(g(xv, wv), xv @ wv, rtol=1e-12)


def test_float32_and_float64():
    for dt in ("float32", "float64"):
        x = T.vector("x", dtype=dt)
        out, _ = theano.scan(lambda v, acc: acc + v, sequences=x, outputs_info=T.zeros((), dtype=dt))
        f = theano.function([x], out)
        r = f(np.arange(4, dtype=dt))
        assert r.dtype == dt
        np.testing.assert_allclose(r, np.cumsum(np.arange(4)))


def test_debugprint_shows_inner_graph():
    x = T.vector("x")
    out, _ = theano.scan(lambda v: T.exp(v), sequences=x, name="expo")
    text = theano.printing.debugprint(out, file="str")
    assert "for{cpu,expo}" in text and "Inner graphs" in text and "exp" in text


def test_calls_from_threads_are_reentrant():
    import threading
    x = T.vector("x")
    out, _ = theano.scan(lambda v, acc: acc + v, sequences=x, outputs_info=T.constant(0.0, dtype="float64"))
    f = theano.function([x], out[-1])
    errors = []

    def work(seed):
        rng = np.random.RandomState(seed)
        for _ in range(50):
            v = rng.randn(int(rng.randint(1, 30)))
            if abs(float(f(v)) - v.sum()) > 1e-9:
                errors.append(seed)

    ts = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors


# ---- errors ----

def test_error_sequence_too_short_for_n_steps():
    x = T.vector("x")
    out, _ = theano.scan(lambda v: v * 2, sequences=x, n_steps=5, name="dbl")
    f = theano.function([x], out)
    with pytest.raises(ValueError, match=r"\[scan dbl\] sequence 0 has 3 entries"):
        f(np.ones(3))


def test_error_tap_before_start():
    x0 = T.matrix("x0")
    out, _ = theano.scan(lambda a, b: a + b, outputs_info=dict(initial=x0, taps=[-3, -1]), n_steps=4)
    f = theano.function([x0], out)
    with pytest.raises(ValueError, match=r"must provide 3 rows"):
        f(np.ones((2, 2)))


def test_error_wrong_number_of_outputs():
    x = T.vector("x")
    with pytest.raises(ValueError, match=r"\[scan scan_fn\] fn returned 2 outputs, but outputs_info has 1"):
        theano.scan(lambda v, a: [v, a], sequences=x, outputs_info=[T.constant(0.0)])


def test_error_dtype_and_ndim_mismatch():
    x = T.vector("x")
    with pytest.raises(TypeError, match=r"has dtype float32, while fn returns dtype float64"):
        theano.scan(lambda v, a: a + v, sequences=x, outputs_info=T.zeros((), dtype="float32"))
    with pytest.raises(TypeError, match=r"has 0 dimension\(s\), while fn returns 1"):
        theano.scan(lambda v, a: a + x, sequences=x, outputs_info=T.zeros((), dtype="float64"))


def test_error_shape_mismatch_at_run_time():
    x0 = T.vector("x0")
    out, _ = theano.scan(lambda a: T.concatenate([a, a]), outputs_info=x0, n_steps=2, name="grow")
    f = theano.function([x0], out)
    with pytest.raises(ValueError, match=r"\[scan grow\] output 0 has shape \(4,\) at step 0"):
        f(np.ones(2))


def test_error_no_steps_information():
    with pytest.raises(ValueError, match=r"give n_steps or at least one sequence"):
        theano.scan(lambda a: a * 2, outputs_info=T.constant(1.0))
