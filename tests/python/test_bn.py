"""Batch normalisation (hypatia.tensor.nnet.bn) against the numpy formulas of the manual."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia.tensor.nnet import bn
from harness import check_op

RNG = np.random.RandomState(3)


def np_train(x, g, b, axes, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    invstd = 1.0 / np.sqrt(var + eps)
    return (x - mean) * g * invstd + b, mean, invstd, var


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_train_per_activation_values_and_grad(dtype):
    x = RNG.randn(5, 3).astype(dtype)
    g = (RNG.rand(1, 3) + 0.5).astype(dtype)
    b = RNG.randn(1, 3).astype(dtype)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else {}
    for k in range(3):
        check_op(lambda x, g, b: bn.batch_normalization_train(x, g, b, "per-activation")[k], [x, g, b],
                 lambda x, g, b: np_train(x, g, b, (0,), 1e-4)[k].astype(dtype), grad=(dtype == "float64"), **tol)


def test_train_spatial_4d_with_running_averages():
    x = RNG.randn(3, 2, 4, 5)
    g = RNG.rand(2) + 0.5
    b = RNG.randn(2)
    rm, rv = RNG.randn(2), RNG.rand(2) + 0.1
    xs, gs, bs, rms, rvs = T.tensor4(), T.vector(), T.vector(), T.vector(), T.vector()
    outs = bn.batch_normalization_train(xs, gs, bs, "spatial", 1e-3, 0.3, rms, rvs)
    assert len(outs) == 5 and outs[1].ndim == 1
    f = hypatia.function([xs, gs, bs, rms, rvs], list(outs))
    out, mean, invstd, nrm, nrv = f(x, g, b, rm, rv)
    want, wmean, winv, wvar = np_train(x, g.reshape(1, 2, 1, 1), b.reshape(1, 2, 1, 1), (0, 2, 3), 1e-3)
    m = 3 * 4 * 5
    np.testing.assert_allclose(out, want, rtol=1e-10)
    np.testing.assert_allclose(mean, wmean.ravel())
    np.testing.assert_allclose(invstd, winv.ravel())
    np.testing.assert_allclose(nrm, rm * 0.7 + wmean.ravel() * 0.3)
    np.testing.assert_allclose(nrv, rv * 0.7 + m / (m - 1.0) * wvar.ravel() * 0.3)


def test_train_grad_through_every_output():
    x = RNG.randn(4, 2, 3)
    g, b = RNG.rand(1, 2, 1) + 0.5, RNG.randn(1, 2, 1)
    rm, rv = RNG.randn(1, 2, 1), RNG.rand(1, 2, 1)
    w = [RNG.randn(*s) for s in [(4, 2, 3), (1, 2, 1), (1, 2, 1), (1, 2, 1), (1, 2, 1)]]

    def cost(x, g, b, rm, rv):
        outs = bn.batch_normalization_train(x, g, b, (0, 2), 1e-4, 0.2, rm, rv)
        return sum((o * c).sum() for o, c in zip(outs, w))
    hypatia.gradient.verify_grad(cost, [x, g, b, rm, rv], rng=np.random.RandomState(1))


def test_test_mode_values_and_grad():
    x = RNG.randn(2, 3, 2, 2)
    g, b, m, v = RNG.rand(3) + 0.5, RNG.randn(3), RNG.randn(3), RNG.rand(3) + 0.2
    r = lambda a: a.reshape(1, 3, 1, 1)
    check_op(lambda x, g, b, m, v: bn.batch_normalization_test(x, g, b, m, v, "spatial", 1e-3), [x, g, b, m, v],
             lambda x, g, b, m, v: (x - r(m)) * r(g) / np.sqrt(r(v) + 1e-3) + r(b))


def test_elementwise_formula():
    x, g, b, m, s = RNG.randn(3, 4), RNG.randn(4), RNG.randn(4), RNG.randn(4), RNG.rand(4) + 0.5
    check_op(lambda *a: bn.batch_normalization(*a), [x, g, b, m, s],
             lambda x, g, b, m, s: (x - m) * (g / s) + b)


def test_errors():
    x = T.matrix()
    with pytest.raises(ValueError, match="epsilon"):
        bn.batch_normalization_train(x, T.vector(), T.vector(), epsilon=1e-7)
    with pytest.raises(ValueError, match="together"):
        bn.batch_normalization_train(x, T.vector(), T.vector(), running_mean=T.vector())
    with pytest.raises(ValueError, match="per-activation"):
        bn.batch_normalization_train(x, T.vector(), T.vector(), axes="channel")
    g = T.matrix()
    f = hypatia.function([x, g], bn.batch_normalization_train(x, g, g)[0])
    with pytest.raises(ValueError, match="scale has shape"):
        f(np.ones((3, 4)), np.ones((1, 3)))


def test_train_axes_tuple_with_kept_axes_apart():
    # axes=(1,) on a 3-D input keeps axes 0 and 2, which are not adjacent (the transposing path).
    x = RNG.randn(3, 4, 2)
    g, b = RNG.rand(3, 1, 2) + 0.5, RNG.randn(3, 1, 2)
    for k in range(3):
        check_op(lambda x, g, b: bn.batch_normalization_train(x, g, b, (1,))[k], [x, g, b],
                 lambda x, g, b: np_train(x, g, b, (1,), 1e-4)[k])
    check_op(lambda x, g, b: bn.batch_normalization_test(x, g, b, b * 0.1, g, (1,)), [x, g, b],
             lambda x, g, b: (x - b * 0.1) * g / np.sqrt(g + 1e-4) + b)
