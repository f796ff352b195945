"""Scan's rewrites: each fires on a graph built with hypatia.scan (not when excluded) and keeps the values of mode None."""
import numpy as np
import pytest

import hypatia as hp
import hypatia.tensor as T

rng = np.random.default_rng(42)


def scan_nodes(f):
    return [n for n in f.maker.fgraph.toposort() if str(n.op).startswith(("for{", "while{"))]


def inner_text(f):
    text = hp.printing.debugprint(f, file="str")
    return text[text.index("Inner graphs:"):]


def same_values(ins, outs, args, mode="FAST_RUN"):
    got = hp.function(ins, outs, mode=mode, on_unused_input="ignore")(*args)
    want = hp.function(ins, outs, mode="None", on_unused_input="ignore")(*args)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    return got


def test_remove_unused_outputs_and_inputs():
    xs, ys, h0 = T.matrix("xs"), T.matrix("ys"), T.vector("h0")
    w, unused = T.vector("w"), T.vector("unused")
    (h, z1, z2), _ = hp.scan(lambda x, y, h, w, u: [h + x, x * 2.0, T.exp(x) * w],
                             sequences=[xs, ys], outputs_info=[h0, None, None], non_sequences=[w, unused])
    ins = [xs, ys, h0, w, unused]
    base = "FAST_RUN-local_scan_push_out_seq"  # which would compute exp(x) * w outside the loop
    f = hp.function(ins, z2, mode=base, on_unused_input="ignore")
    g = hp.function(ins, z2, mode=base + "-local_scan_remove_unused", on_unused_input="ignore")
    (nf,), (ng,) = scan_nodes(f), scan_nodes(g)
    assert len(nf.outputs) == 1 and len(ng.outputs) == 3
    assert len(nf.inputs) == 3  # n_steps, xs, w: ys, h0 and unused are gone
    args = [rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=3), rng.normal(size=3)]
    same_values(ins, [z2], args)


def test_constant_non_sequence_is_inlined():
    xs = T.vector("xs")
    c = T.constant(3.0)
    z, _ = hp.map(lambda x, c: x * c, sequences=xs, non_sequences=c)
    base = "FAST_RUN-local_scan_push_out_seq"
    f = hp.function([xs], z, mode=base)
    (n,) = scan_nodes(f)
    assert len(n.inputs) == 2  # n_steps and xs
    g = hp.function([xs], z, mode=base + "-local_scan_remove_unused")
    assert len(scan_nodes(g)[0].inputs) == 3
    np.testing.assert_allclose(f(np.arange(4.0)), 3 * np.arange(4.0))


def rnn(go_backwards=False):
    xs, h0, W = T.matrix("xs"), T.vector("h0"), T.matrix("W")
    h, _ = hp.scan(lambda x, h, W: T.tanh(T.dot(W, h) + x * T.exp(W).sum()),
                   sequences=xs, outputs_info=h0, non_sequences=W, go_backwards=go_backwards)
    args = [rng.normal(size=(6, 3)), rng.normal(size=3), 0.3 * rng.normal(size=(3, 3))]
    return [xs, h0, W], h, args


def numpy_rnn(xs, h0, W, go_backwards=False):
    h, out = h0, []
    for x in (xs[::-1] if go_backwards else xs):
        h = np.tanh(W @ h + x * np.exp(W).sum())
        out.append(h)
    return np.array(out)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_gradient_values_agree_with_and_without_rewrites(go_backwards):
    ins, h, args = rnn(go_backwards)
    cost = h[-1].sum() + (h ** 2).sum()
    grads = hp.grad(cost, ins)
    fast = same_values(ins, grads, args, "FAST_RUN")
    plain = same_values(ins, grads, args, "FAST_RUN-scan")
    for a, b in zip(fast, plain):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    # and the forward values are the loop's
    np.testing.assert_allclose(hp.function(ins, h)(*args), numpy_rnn(*args, go_backwards=go_backwards))
    # the gradient itself, against central differences of the numpy loop
    W = args[2]
    eps, num = 1e-6, np.zeros_like(W)
    for i in np.ndindex(W.shape):
        Wp, Wm = W.copy(), W.copy()
        Wp[i] += eps
        Wm[i] -= eps
        cp, cm = (numpy_rnn(args[0], args[1], m, go_backwards) for m in (Wp, Wm))
        num[i] = ((cp[-1].sum() + (cp ** 2).sum()) - (cm[-1].sum() + (cm ** 2).sum())) / (2 * eps)
    np.testing.assert_allclose(fast[2], num, rtol=1e-5, atol=1e-7)


def test_gradient_with_respect_to_one_input_drops_the_others():
    ins, h, args = rnn()
    gW = hp.grad(h[-1].sum(), ins[2])
    f = hp.function(ins, gW)
    g = hp.function(ins, gW, mode="FAST_RUN-local_scan_remove_unused")
    back_f = [n for n in scan_nodes(f) if "grad_of" in str(n.op)]
    back_g = [n for n in scan_nodes(g) if "grad_of" in str(n.op)]
    assert len(back_f) == 1 and len(back_g) == 1
    assert len(back_f[0].outputs) < len(back_g[0].outputs)
    np.testing.assert_allclose(f(*args), g(*args), rtol=1e-10)


def test_push_out_non_seq():
    xs, W = T.matrix("xs"), T.matrix("W")
    z, _ = hp.map(lambda x, W: T.dot(T.exp(W), x), sequences=xs, non_sequences=W)
    f = hp.function([xs, W], z, mode="FAST_RUN-fusion")
    g = hp.function([xs, W], z, mode="FAST_RUN-fusion-local_scan_push_out_non_seq")
    assert "exp" not in inner_text(f)
    assert "exp" in inner_text(g)
    same_values([xs, W], [z], [rng.normal(size=(5, 3)), rng.normal(size=(3, 3))])


@pytest.mark.parametrize("go_backwards", [False, True])
def test_push_out_seq(go_backwards):
    # exp(x) * y + w reads only sequence slices and a non-sequence: computed over the rows the
    # loop walks (the sequences have different lengths: the loop runs over the shorter).
    xs, ys, h0, w = T.vector("xs"), T.vector("ys"), T.scalar("h0"), T.scalar("w")
    h, _ = hp.scan(lambda x, y, h, w: h * 0.5 + T.exp(x) * y + w, sequences=[xs, ys], outputs_info=h0,
                   non_sequences=w, go_backwards=go_backwards)
    ins = [xs, ys, h0, w]
    f = hp.function(ins, h, mode="FAST_RUN-fusion")
    g = hp.function(ins, h, mode="FAST_RUN-fusion-local_scan_push_out_seq")
    assert "exp" not in inner_text(f)
    assert "exp" in inner_text(g)
    same_values(ins, [h], [rng.normal(size=5), rng.normal(size=7), np.float64(0.3), np.float64(2.0)])


def test_merge_independent_loops():
    xs, h0 = T.matrix("xs"), T.vector("h0")
    a, _ = hp.scan(lambda x, h: h + x, sequences=xs, outputs_info=h0, name="a")
    b, _ = hp.map(lambda x: x * x, sequences=xs, name="b")
    f = hp.function([xs, h0], [a, b])
    g = hp.function([xs, h0], [a, b], mode="FAST_RUN-local_scan_merge")
    assert [str(n.op) for n in scan_nodes(f)] == ["for{cpu,a&b}"]
    assert len(scan_nodes(g)) == 2
    same_values([xs, h0], [a, b], [rng.normal(size=(5, 3)), rng.normal(size=3)])


def test_merge_leaves_while_loops_and_dependent_loops_apart():
    xs, h0 = T.matrix("xs"), T.vector("h0")
    a, _ = hp.scan(lambda x, h: h + x, sequences=xs, outputs_info=h0)
    b, _ = hp.map(lambda x: x * x, sequences=a)
    c, _ = hp.scan(lambda x: (x * 2, hp.scan_module.until(x.sum() > 100)), sequences=xs)
    f = hp.function([xs, h0], [b, c])
    assert len(scan_nodes(f)) == 3
    same_values([xs, h0], [b, c], [rng.normal(size=(5, 3)), rng.normal(size=3)])


def test_merge_inouts_computes_equal_outputs_once():
    xs, h0 = T.matrix("xs"), T.vector("h0")

    def step(x, h):
        return [h + T.exp(x), x ** 2]

    (a1, a2), _ = hp.scan(step, sequences=xs, outputs_info=[h0, None])
    (b1, b2), _ = hp.scan(step, sequences=xs, outputs_info=[h0, None])
    outs = [a1, b1, a2, b2]
    f = hp.function([xs, h0], outs)
    g = hp.function([xs, h0], outs, mode="FAST_RUN-local_scan_merge_inouts")
    (nf,), (ng,) = scan_nodes(f), scan_nodes(g)
    assert len(nf.outputs) == 2 and len(ng.outputs) == 4
    same_values([xs, h0], outs, [rng.normal(size=(5, 3)), rng.normal(size=3)])


def test_save_mem_power_a_k():
    # The manual's A**k: only result[-1] is used, so no trace of k steps is kept.
    A, k = T.vector("A"), T.iscalar("k")
    result, _ = hp.scan(lambda prior, A: prior * A, outputs_info=T.ones_like(A), non_sequences=A, n_steps=k)
    last = result[-1]
    f = hp.function([A, k], last)
    g = hp.function([A, k], last, mode="FAST_RUN-local_scan_save_mem")
    (nf,), (ng,) = scan_nodes(f), scan_nodes(g)
    assert [o.ndim for o in nf.outputs] == [1]  # the final vector, no (k, n) trace
    assert [o.ndim for o in ng.outputs] == [2]
    assert f.maker.fgraph.outputs[0].owner.op == nf.op
    np.testing.assert_allclose(f(np.arange(10.0), 2), np.arange(10.0) ** 2)
    # 0 steps: the carried value is the initial state (the trace's x[-1] would raise)
    np.testing.assert_allclose(f(np.arange(3.0), 0), np.ones(3))
    with pytest.raises(IndexError):
        hp.function([A, k], last, mode="None")(np.arange(3.0), 0)
    same_values([A, k], [last], [rng.normal(size=4), 5])


def test_save_mem_with_until_and_backwards():
    xs, h0 = T.vector("xs"), T.scalar("h0")
    h, _ = hp.scan(lambda x, h: (h + x, hp.scan_module.until(h + x > 2.0)), sequences=xs, outputs_info=h0,
                   go_backwards=True)
    f = hp.function([xs, h0], h[-1])
    (n,) = scan_nodes(f)
    assert [o.ndim for o in n.outputs] == [0]
    same_values([xs, h0], [h[-1]], [np.arange(6.0), np.float64(0.5)])


def test_save_mem_leaves_a_trace_read_otherwise():
    xs, h0 = T.vector("xs"), T.scalar("h0")
    h, _ = hp.scan(lambda x, h: h + x, sequences=xs, outputs_info=h0)
    f = hp.function([xs, h0], [h[-1], h.sum()])
    (n,) = scan_nodes(f)
    assert [o.ndim for o in n.outputs] == [1]
    same_values([xs, h0], [h[-1], h.sum()], [rng.normal(size=5), np.float64(0.5)])


def test_rewrites_inside_a_nested_scan():
    # The inner loop's invariant exp(W) and unused output are handled in the inner graph too.
    xs, W = T.tensor3("xs"), T.matrix("W")

    def outer_step(x, W):
        (z, _unused), _ = hp.scan(lambda r, W: [T.dot(T.exp(W), r), r * 2], sequences=x, non_sequences=W)
        return z.sum(axis=0)

    y, _ = hp.map(outer_step, sequences=xs, non_sequences=W)
    same_values([xs, W], [y], [rng.normal(size=(2, 4, 3)), rng.normal(size=(3, 3))])
    gW = hp.grad(y.sum(), W)
    same_values([xs, W], [gW], [rng.normal(size=(2, 4, 3)), rng.normal(size=(3, 3))])
