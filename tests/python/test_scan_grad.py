"""Gradients through scan: BPTT (verify_grad), taps, truncation, go_backwards, sparse non-sequences, R_op, jacobian/hessian."""
import numpy as np
import pytest
import scipy.sparse as sp

import hypatia as theano
import hypatia.tensor as T
from hypatia import sparse
from hypatia.gradient import verify_grad

RNG = np.random.RandomState(42)


def rnn(x0, W, U, Y, go_backwards=False, truncate_gradient=-1):
    res, _ = theano.scan(lambda y, h, W, U: T.tanh(T.dot(h, W) + T.dot(y, U)), sequences=Y, outputs_info=x0,
                         non_sequences=[W, U], go_backwards=go_backwards, truncate_gradient=truncate_gradient)
    return res


@pytest.mark.parametrize("go_backwards", [False, True])
def test_verify_grad_tanh_recurrence(go_backwards):
    def fun(x0, W, U, Y):
        return (rnn(x0, W, U, Y, go_backwards) ** 2).sum()
    verify_grad(fun, [RNG.randn(3), RNG.randn(3, 3) * .5, RNG.randn(2, 3) * .5, RNG.randn(5, 2)], rng=RNG)


def test_verify_grad_float32():
    def fun(x0, W, Y):
        res, _ = theano.scan(lambda y, h, W: T.tanh(T.dot(h, W) + y), sequences=Y, outputs_info=x0, non_sequences=W)
        return res.sum()
    verify_grad(fun, [RNG.randn(3).astype("float32"), (RNG.randn(3, 3) * .5).astype("float32"),
                      RNG.randn(4, 3).astype("float32")], rng=RNG)


def test_verify_grad_taps_and_nit_sot():
    def fun(x0, W, Y):
        (xs, ys), _ = theano.scan(lambda a, b, c, xm2, xm1, W: [T.tanh(T.dot(xm2, W) + xm1 * a + b * c), (xm1 * b).sum()],
                                  sequences=dict(input=Y, taps=[-1, 0, 1]),
                                  outputs_info=[dict(initial=x0, taps=[-2, -1]), None], non_sequences=W)
        return (xs ** 2).sum() + ys.sum()
    verify_grad(fun, [RNG.randn(2, 3), RNG.randn(3, 3) * .5, RNG.randn(7, 3)], rng=RNG)


def test_verify_grad_until_and_last_value():
    def fun(W, x0):
        def step(h, W):
            nh = T.tanh(T.dot(h, W))
            return nh, theano.scan_module.until(T.sqr(nh).sum() > 100.0)
        res, _ = theano.scan(step, outputs_info=x0, non_sequences=W, n_steps=6)
        return res[-1].sum()
    verify_grad(fun, [RNG.randn(3, 3), RNG.randn(3)], rng=RNG)


def test_verify_grad_sparse_non_sequence():
    # A recurrent net with a sparse input projection: the sparse matrix is a non-sequence
    # and gets a structured gradient.
    xv = sp.random(6, 4, density=0.5, format="csr", random_state=RNG)

    def fun(X, W, h0):
        hs, _ = theano.scan(lambda y, h, X, W: T.tanh(sparse.structured_dot(X, W) * y + T.dot(h, W[:3])),
                            sequences=T.arange(1, 4) * 0.5, outputs_info=h0, non_sequences=[X, W])
        return (hs ** 2).sum()
    verify_grad(fun, [xv, RNG.randn(4, 3) * .5, RNG.randn(6, 3)], rng=RNG, structured=True)
    # The sparse gradient keeps X's structure.
    X, W, h0 = sparse.csr_matrix("X"), T.matrix("W"), T.matrix("h0")
    g = theano.grad(fun(X, W, h0), X)
    gv = theano.function([X, W, h0], g)(xv, RNG.randn(4, 3), RNG.randn(6, 3))
    assert sp.issparse(gv) and set(zip(*gv.nonzero())) <= set(zip(*xv.nonzero()))


def test_truncate_gradient_matches_manual_truncation():
    x0, W, U, Y = T.vector("x0"), T.matrix("W"), T.matrix("U"), T.matrix("Y")
    w, u, y, h = RNG.randn(3, 3) * .5, RNG.randn(2, 3) * .5, RNG.randn(6, 2), RNG.randn(3)
    res = rnn(x0, W, U, Y, truncate_gradient=2)
    gW, gY, gx = theano.grad(res[-1].sum(), [W, Y, x0])
    f = theano.function([x0, W, U, Y], [gW, gY, gx])
    a, b, c = f(h, w, u, y)
    # Reference: the last two steps differentiated with the state before them held constant.
    full = rnn(x0, W, U, Y)
    f_states = theano.function([x0, W, U, Y], full)
    states = f_states(h, w, u, y)
    h_start, Y2 = T.vector("h_start"), T.matrix("Y2")
    last2 = rnn(h_start, W, U, Y2)[-1].sum()
    ref = theano.function([h_start, W, U, Y2], theano.grad(last2, [W, Y2]))(states[3], w, u, y[4:])
    np.testing.assert_allclose(a, ref[0], rtol=1e-10)
    np.testing.assert_allclose(b[4:], ref[1], rtol=1e-10)
    assert np.all(b[:4] == 0) and np.all(c == 0)


def test_rop_matches_finite_differences():
    x0, W, U, Y = T.vector("x0"), T.matrix("W"), T.matrix("U"), T.matrix("Y")
    res = rnn(x0, W, U, Y)
    V, vx = T.matrix("V"), T.vector("vx")
    f = theano.function([x0, W, U, Y, V, vx], theano.Rop(res, [W, x0], [V, vx]))
    fr = theano.function([x0, W, U, Y], res)
    w, u, y, h = RNG.randn(3, 3) * .5, RNG.randn(2, 3) * .5, RNG.randn(5, 2), RNG.randn(3)
    v, v2 = RNG.randn(3, 3), RNG.randn(3)
    eps = 1e-6
    num = (fr(h + eps * v2, w + eps * v, u, y) - fr(h - eps * v2, w - eps * v, u, y)) / (2 * eps)
    np.testing.assert_allclose(f(h, w, u, y, v, v2), num, atol=1e-8)


def test_jacobian_and_hessian_through_scan_values():
    x = T.vector("x")
    res, _ = theano.scan(lambda h, x: T.tanh(h * x), outputs_info=x, non_sequences=x, n_steps=3)
    y = res[-1]
    J = theano.gradient.jacobian(y, x)
    H = theano.gradient.hessian(y.sum(), x)
    f = theano.function([x], [J, H])
    xv = RNG.randn(4) * .5
    fy = theano.function([x], y)
    fg = theano.function([x], theano.grad(y.sum(), x))
    eps = 1e-6
    Jn = np.array([(fy(xv + eps * e) - fy(xv - eps * e)) / (2 * eps) for e in np.eye(4)]).T
    Hn = np.array([(fg(xv + eps * e) - fg(xv - eps * e)) / (2 * eps) for e in np.eye(4)])
    Jv, Hv = f(xv)
    np.testing.assert_allclose(Jv, Jn, atol=1e-7)
    np.testing.assert_allclose(Hv, Hn, atol=1e-6)


def test_optimized_and_unoptimized_gradients_agree():
    x0, W, U, Y = T.vector("x0"), T.matrix("W"), T.matrix("U"), T.matrix("Y")
    cost = (rnn(x0, W, U, Y) ** 2).sum()
    gs = theano.grad(cost, [x0, W, U, Y])
    args = [RNG.randn(3), RNG.randn(3, 3) * .5, RNG.randn(2, 3) * .5, RNG.randn(5, 2)]
    fast = theano.function([x0, W, U, Y], gs)(*args)
    slow = theano.function([x0, W, U, Y], gs, mode="None")(*args)
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_grad_through_shared_updates_is_a_clear_error():
    trng = T.shared_randomstreams.RandomStreams(0)
    W = T.matrix("W")
    x0 = T.vector("x0")
    res, _ = theano.scan(lambda h, W: T.tanh(T.dot(h, W)) * trng.binomial(size=h.shape), outputs_info=x0,
                         non_sequences=W, n_steps=3)
    with pytest.raises(Exception, match=r"scan.*shared variables"):
        theano.grad(res.sum(), W)


@pytest.mark.parametrize("n_steps_len,padding", [(12, True), (10, True), (12, False), (10, False)])
def test_scan_checkpoints_values_gradients_and_saving(n_steps_len, padding):
    # The manual's A**k-like recurrence over a sequence, checkpointed every 4 steps: the
    # outputs keep one row per chunk, and the gradients equal plain scan's.
    W, X, h0 = T.matrix("W"), T.matrix("X"), T.vector("h0")
    step = lambda x, h, W: T.tanh(T.dot(h, W) + x)  # noqa: E731
    full, _ = theano.scan(step, sequences=X, outputs_info=h0, non_sequences=W)
    ck, _ = theano.scan_checkpoints(step, sequences=[X], outputs_info=[h0], non_sequences=[W], save_every_N=4,
                                    padding=padding)
    w, x, h = RNG.randn(3, 3) * .5, RNG.randn(n_steps_len, 3), RNG.randn(3)
    f = theano.function([W, X, h0], [full, ck] + theano.grad(full[-1].sum(), [W, X, h0]) +
                        theano.grad(ck[-1].sum(), [W, X, h0]))
    if not padding and n_steps_len % 4:
        with pytest.raises(ValueError):
            f(w, x, h)
        return
    full_v, ck_v, *grads = f(w, x, h)
    n_chunks = -(-n_steps_len // 4)
    assert ck_v.shape == (n_chunks, 3)  # one stored state per chunk of 4 steps
    np.testing.assert_allclose(ck_v[-1], full_v[-1], rtol=1e-12)
    np.testing.assert_allclose(ck_v[:-1], full_v[3:4 * (n_chunks - 1):4], rtol=1e-12)
    for a, b in zip(grads[:3], grads[3:]):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
