"""Theano's fused softmax losses (hypatia.tensor.nnet / .nnet.nnet) against numpy, and the
stabilisation of a hand-written -log(softmax(x))[arange(n), y] and of its gradient."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia.tensor import nnet
from hypatia.tensor.nnet import nnet as nnet_nnet
from harness import check_op

RNG = np.random.RandomState(5)


def np_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def np_nll(z, y):
    m = z.max(axis=1)
    return -(z[np.arange(len(y)), y] - m - np.log(np.exp(z - m[:, None]).sum(axis=1)))


X = RNG.randn(4, 3)
B = RNG.randn(3)
Y = np.array([2, 0, 1, 2], dtype="int32")


def test_paths():
    for name in nnet_nnet.__all__:
        assert getattr(nnet, name) is getattr(nnet_nnet, name), name
    assert nnet.bn.batch_normalization_train is not None


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_softmax_with_bias(dtype):
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else {}
    check_op(nnet.softmax_with_bias, [X.astype(dtype), B.astype(dtype)],
             lambda x, b: np_softmax(x + b).astype(dtype), grad=(dtype == "float64"), **tol)


def test_crossentropy_softmax_argmax_1hot_with_bias():
    for k, ref in enumerate([lambda x, b, y: np_nll(x + b, y), lambda x, b, y: np_softmax(x + b),
                             lambda x, b, y: np.argmax(x + b, axis=1)]):
        check_op(lambda x, b, y: nnet.crossentropy_softmax_argmax_1hot_with_bias(x, b, y)[k], [X, B, Y], ref,
                 check_dtype=(k != 2))


def test_crossentropy_softmax_1hot_and_max_argmax():
    check_op(lambda x, y: nnet.crossentropy_softmax_1hot(x, y)[0], [X, Y], lambda x, y: np_nll(x, y))
    check_op(lambda x, b, y: nnet.crossentropy_softmax_1hot_with_bias(x, b, y)[1], [X, B, Y],
             lambda x, b, y: np_softmax(x + b))
    x, y = T.matrix(), T.ivector()
    outs = nnet.crossentropy_softmax_max_and_argmax_1hot(x, y)
    got = hypatia.function([x, y], list(outs))(X, Y)
    sm = np_softmax(X)
    np.testing.assert_allclose(got[0], np_nll(X, Y))
    np.testing.assert_allclose(got[2], sm.max(axis=1))
    np.testing.assert_array_equal(got[3], sm.argmax(axis=1))
    b = T.vector()
    got = hypatia.function([x, b, y], list(nnet.crossentropy_softmax_max_and_argmax_1hot_with_bias(x, b, y)))(X, B, Y)
    np.testing.assert_allclose(got[2], np_softmax(X + B).max(axis=1))


def test_dx_and_softmax_grad_and_categorical():
    sm = np_softmax(X)
    dy = RNG.randn(4)
    onehot = np.eye(3)[Y]
    check_op(lambda d, s, y: nnet.crossentropy_softmax_1hot_with_bias_dx(d, s, y), [dy, sm, Y],
             lambda d, s, y: d[:, None] * (s - onehot))
    g = RNG.randn(4, 3)
    check_op(nnet.softmax_grad, [g, sm], lambda g, s: (g - (g * s).sum(axis=1, keepdims=True)) * s)
    check_op(lambda p, y: nnet.crossentropy_categorical_1hot(p, y), [sm, Y], lambda p, y: -np.log(p[np.arange(4), y]))
    check_op(lambda g, p, y: nnet.crossentropy_categorical_1hot_grad(g, p, y), [dy, sm, Y],
             lambda g, p, y: -onehot * (g / p[np.arange(4), y])[:, None], grad=False)


def test_prepend():
    check_op(nnet.prepend_0_to_each_row, [X], lambda x: np.hstack([np.zeros((4, 1)), x]))
    check_op(nnet.prepend_1_to_each_row, [X], lambda x: np.hstack([np.ones((4, 1)), x]))
    check_op(nnet.Prepend_scalar_constant_to_each_row(2.5), [X], lambda x: np.hstack([np.full((4, 1), 2.5), x]))
    check_op(nnet.Prepend_scalar_to_each_row(), [np.array(1.5), X], lambda v, x: np.hstack([np.full((4, 1), v), x]))


def test_label_out_of_range():
    x, y = T.matrix(), T.ivector()
    f = hypatia.function([x, y], nnet.crossentropy_softmax_1hot(x, y)[0])
    with pytest.raises(ValueError, match="out of range"):
        f(X, np.array([0, 1, 3, 0], dtype="int32"))


def np_h_softmax(x, n_outputs, W1, b1, W2, b2):
    cls = np_softmax(x @ W1 + b1)
    out = np.stack([np_softmax(x @ W2[c] + b2[c]) for c in range(W1.shape[1])], axis=1)
    return (cls[:, :, None] * out).reshape(x.shape[0], -1)[:, :n_outputs]


def test_h_softmax():
    batch, dim, n_classes, per_class, n_outputs = 3, 4, 3, 2, 5
    W1, b1 = RNG.randn(dim, n_classes), RNG.randn(n_classes)
    W2, b2 = RNG.randn(n_classes, dim, per_class), RNG.randn(n_classes, per_class)
    xv = RNG.randn(batch, dim)
    tv = np.array([4, 0, 3], dtype="int64")
    want = np_h_softmax(xv, n_outputs, W1, b1, W2, b2)
    check_op(lambda x, W1, b1, W2, b2: nnet.h_softmax(x, batch, n_outputs, n_classes, per_class, W1, b1, W2, b2),
             [xv, W1, b1, W2, b2], lambda x, W1, b1, W2, b2: want)
    check_op(lambda x, W1, b1, W2, b2, t: nnet.h_softmax(x, batch, n_outputs, n_classes, per_class, W1, b1, W2, b2, t),
             [xv, W1, b1, W2, b2, tv], lambda *a: want[np.arange(batch), tv][:, None])


LOSSES = {
    "log_then_index": lambda x, b, y: -T.log(nnet.softmax(x))[T.arange(y.shape[0]), y],
    "mean_xshape": lambda x, b, y: -T.log(nnet.softmax(x))[T.arange(x.shape[0]), y].mean(),
    "bias": lambda x, b, y: -T.log(nnet.softmax(x + b))[T.arange(y.shape[0]), y].mean(),
    "index_then_log": lambda x, b, y: -T.log(nnet.softmax(x)[T.arange(x.shape[0]), y]).mean(),
    "index_then_log_bias": lambda x, b, y: -T.log(nnet.softmax(x + b)[T.arange(y.shape[0]), y]).sum(),
}


@pytest.mark.parametrize("form", sorted(LOSSES))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_handwritten_loss_is_stabilised(form, dtype):
    x, b, y = T.matrix(dtype=dtype), T.vector(dtype=dtype), T.ivector()
    c = LOSSES[form](x, b, y)
    cost = c if c.ndim == 0 else c.sum()
    gx, gb = hypatia.grad(cost, [x, b], disconnected_inputs="ignore")
    f = hypatia.function([x, b, y], [c, gx, gb], on_unused_input="ignore")
    ops = {type(n.op).__name__ if not hasattr(n.op, "name") else n.op.name for n in f.maker.fgraph.toposort()}
    ops |= {str(n.op) for n in f.maker.fgraph.toposort()}
    assert "CrossentropySoftmaxArgmax1HotWithBias" in ops, ops
    assert "CrossentropySoftmax1HotWithBiasDx" in ops, ops
    assert "Softmax" not in ops and "SoftmaxGrad" not in ops, ops  # one softmax, from the fused node
    xv = np.array([[1000., 0., -1000.], [0., 1., 2.], [-5., 700., 3.]], dtype=dtype)
    bv = np.array([0.5, -0.25, 1.0], dtype=dtype) if "bias" in form else np.zeros(3, dtype)
    yv = np.array([2, 0, 0], dtype="int32")
    got_c, got_gx, got_gb = f(xv, bv, yv)
    z = xv.astype("float64") + bv
    nll = np_nll(z, yv)
    grad_rows = np_softmax(z) - np.eye(3)[yv]
    if form == "log_then_index":
        want_c, scale = nll, 1.0
    elif form == "index_then_log_bias":
        want_c, scale = nll.sum(), 1.0
    else:
        want_c, scale = nll.mean(), 1.0 / 3
    rtol = 1e-5 if dtype == "float32" else 1e-10
    assert np.all(np.isfinite(got_c)) and np.all(np.isfinite(got_gx))
    np.testing.assert_allclose(got_c, want_c, rtol=rtol)
    np.testing.assert_allclose(got_gx, grad_rows * scale, rtol=rtol, atol=1e-6)
    if "bias" in form:
        np.testing.assert_allclose(got_gb, (grad_rows * scale).sum(axis=0), rtol=rtol, atol=1e-6)


def test_stabilised_loss_grad_small_logits():
    # The rewritten graph and the unoptimised one agree (and verify_grad passes) for ordinary logits.
    yv = Y
    hypatia.gradient.verify_grad(lambda x, b: -T.log(nnet.softmax(x + b))[T.arange(4), T.constant(yv)].mean(),
                                 [X, B], rng=np.random.RandomState(2))


@pytest.mark.parametrize("which", ["softmax_grad", "softmax_with_bias", "hessian_vector"])
def test_rop_matches_finite_differences(which):
    x, b, v, u = T.matrix(), T.vector(), T.matrix(), T.vector()
    w = RNG.randn(4, 3)
    if which == "softmax_grad":
        out = nnet.softmax_grad(T.constant(w), nnet.softmax(x))
    elif which == "softmax_with_bias":
        out = nnet.softmax_with_bias(x, b)
    else:  # R_op through Softmax's gradient (SoftmaxGrad): a Hessian-vector product
        out = hypatia.grad((nnet.softmax(x + b) * T.constant(w)).sum(), x)
    wrt, ev = ([x, b], [v, u])
    r = hypatia.gradient.Rop(out, wrt, ev)
    f = hypatia.function([x, b, v, u], r, on_unused_input="ignore")
    g = hypatia.function([x, b], out, on_unused_input="ignore")
    vv, uv, eps = RNG.randn(4, 3), RNG.randn(3), 1e-6
    fd = (g(X + eps * vv, B + eps * uv) - g(X - eps * vv, B - eps * uv)) / (2 * eps)
    np.testing.assert_allclose(f(X, B, vv, uv), fd, rtol=1e-5, atol=1e-7)


def test_merge_skipped_when_labels_depend_on_softmax():
    # y = argmax(softmax(x)): the fused node's labels depend on the softmax, which must stay.
    x = T.matrix()
    sm = nnet.softmax(x)
    c = -T.log(sm)[T.arange(x.shape[0]), T.argmax(sm, axis=1)].sum()
    f = hypatia.function([x], [c, hypatia.grad(c, x)])
    got_c, got_g = f(X)
    want = np_nll(X, X.argmax(axis=1))
    np.testing.assert_allclose(got_c, want.sum())
    np.testing.assert_allclose(got_g, np_softmax(X) - np.eye(3)[X.argmax(axis=1)], atol=1e-12)
