"""signal.pool (pool_2d, pool_3d, max_pool_2d_same_size, the grad ops) against a numpy transcription
of Theano's Pool.perform: every mode x ignore_border x stride x pad on non-square images, 3-D
pooling, leading axes, verify_grad, gradients of gradients, R_op, errors and the deprecated names."""
import itertools
import warnings

import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia.gradient import verify_grad
from hypatia.tensor.signal import pool

from harness import check_op

MODES = ["max", "sum", "average_inc_pad", "average_exc_pad"]


def ref_pool(x, ws, ignore_border, stride=None, pad=None, mode="max"):
    """Theano 1.0's Pool.perform: zero-pad, then reduce each window; max, sum and
    average_exc_pad clip the window to the image, average_inc_pad keeps the padding."""
    nd = len(ws)
    stride = tuple(stride) if stride else tuple(ws)
    pad = tuple(pad) if pad else (0,) * nd
    img = x.shape[-nd:]
    padded = tuple(img[i] + 2 * pad[i] for i in range(nd))

    def out_len(v, w, s):
        if ignore_border:
            return max((v - w) // s + 1, 0)
        if s >= w:
            return (v - 1) // s + 1
        return max(0, (v - 1 - w + s) // s) + 1

    outs = tuple(out_len(padded[i], ws[i], stride[i]) for i in range(nd))
    y = np.zeros(x.shape[:-nd] + padded, x.dtype)
    y[(Ellipsis,) + tuple(slice(pad[i], pad[i] + img[i]) for i in range(nd))] = x
    ranges = []
    for i in range(nd):
        r = []
        for o in range(outs[i]):
            s, e = o * stride[i], min(o * stride[i] + ws[i], padded[i])
            if mode != "average_inc_pad":
                s, e = max(s, pad[i]), min(e, padded[i] - pad[i])
            r.append((s, e))
        ranges.append(r)
    z = np.zeros(x.shape[:-nd] + outs, x.dtype)
    axes = tuple(range(-nd, 0))
    for o in np.ndindex(*outs):
        reg = y[(Ellipsis,) + tuple(slice(*ranges[i][o[i]]) for i in range(nd))]
        if mode == "max":
            z[(Ellipsis,) + o] = reg.max(axis=axes)
        elif mode == "sum":
            z[(Ellipsis,) + o] = reg.sum(axis=axes)
        else:
            z[(Ellipsis,) + o] = reg.mean(axis=axes)
    return z


def distinct(shape, dtype="float64", seed=0):
    """Values with no ties (max pooling is then differentiable), spread over [-1, 1]."""
    rng = np.random.RandomState(seed)
    n = int(np.prod(shape))
    return ((rng.permutation(n) - n / 2.0) / n * 2).reshape(shape).astype(dtype)


CASES_2D = [((2, 3), True, None, None), ((2, 3), False, None, None), ((3, 2), True, (1, 2), None),
            ((3, 2), False, (1, 1), None), ((2, 3), True, (2, 1), (1, 2)), ((3, 3), True, (2, 2), (2, 1))]


@pytest.mark.parametrize("mode", MODES)
def test_pool_2d_every_case_matches_numpy(mode):
    x = distinct((2, 3, 5, 7))
    for ws, ib, stride, pad in CASES_2D:
        check_op(lambda v: pool.pool_2d(v, ws, ignore_border=ib, stride=stride, pad=pad or (0, 0), mode=mode), [x],
                 lambda a: ref_pool(a, ws, ib, stride, pad, mode), grad=False)


@pytest.mark.parametrize("mode", MODES)
def test_pool_2d_verify_grad_and_float32(mode):
    x = distinct((2, 2, 5, 6))
    check_op(lambda v: pool.pool_2d(v, (2, 3), ignore_border=True, stride=(2, 2), pad=(1, 1), mode=mode), [x],
             lambda a: ref_pool(a, (2, 3), True, (2, 2), (1, 1), mode))
    check_op(lambda v: pool.pool_2d(v, (3, 2), ignore_border=False, stride=(1, 2), mode=mode), [x],
             lambda a: ref_pool(a, (3, 2), False, (1, 2), None, mode))
    x32 = x.astype("float32")
    check_op(lambda v: pool.pool_2d(v, (2, 2), ignore_border=False, mode=mode), [x32],
             lambda a: ref_pool(a, (2, 2), False, None, None, mode), grad=False, rtol=1e-5)


@pytest.mark.parametrize("mode", MODES)
def test_pool_3d_matches_numpy_with_grad(mode):
    x = distinct((2, 4, 5, 3))  # one leading axis
    for ws, ib, stride, pad in [((2, 3, 2), True, None, None), ((2, 2, 2), False, (1, 2, 1), None),
                                ((3, 2, 2), True, (2, 1, 2), (1, 1, 0))]:
        check_op(lambda v: pool.pool_3d(v, ws, ignore_border=ib, stride=stride, pad=pad or (0, 0, 0), mode=mode), [x],
                 lambda a: ref_pool(a, ws, ib, stride, pad, mode), grad=(pad is not None))


def test_leading_axes_any_number():
    for shape in [(5, 7), (2, 1, 3, 5, 4)]:
        x = distinct(shape)
        check_op(lambda v: pool.pool_2d(v, (2, 2), ignore_border=True, mode="average_exc_pad", pad=(1, 0)), [x],
                 lambda a: ref_pool(a, (2, 2), True, None, (1, 0), "average_exc_pad"), grad=False)
    x = distinct((2, 1, 3, 5, 4))
    y = pool.pool_3d(T.tensor("float64", (False, True, False, False, False)), (2, 2, 2), ignore_border=True)
    assert y.type.broadcastable == (False, True, False, False, False)


def test_max_pool_2d_same_size():
    x = distinct((2, 3, 4, 6))

    def ref(a):
        z = ref_pool(a, (2, 3), True)
        up = np.repeat(np.repeat(z, 2, axis=-2), 3, axis=-1)
        return np.where(a == up, a, 0)

    check_op(lambda v: pool.max_pool_2d_same_size(v, (2, 3)), [x], ref)


@pytest.mark.parametrize("mode", MODES)
def test_grad_of_grad(mode):
    """verify_grad of x -> d(sum(pool(x)**2))/dx: the gradient ops' own gradients
    (DownsampleFactorMaxGradGrad for max, Pool for the averages)."""
    x = distinct((1, 2, 5, 4), seed=3)

    def g(v):
        return hypatia.grad((pool.pool_2d(v, (2, 2), ignore_border=True, stride=(1, 2), pad=(1, 1), mode=mode) ** 2).sum(), v)

    verify_grad(g, [x], rng=np.random.RandomState(1))
    # and the grad ops alone in their output gradient
    z = ref_pool(x, (2, 3), False, (2, 1), None, mode)
    if mode == "max":
        verify_grad(lambda gz: pool.MaxPoolGrad(False)(T.constant(x), T.constant(z), gz, (2, 3), (2, 1)),
                    [distinct(z.shape, seed=4)], rng=np.random.RandomState(2))
        verify_grad(lambda gg: pool.DownsampleFactorMaxGradGrad(False)(T.constant(x), T.constant(z), gg, (2, 3), (2, 1)),
                    [distinct(x.shape, seed=5)], rng=np.random.RandomState(2))
    else:
        verify_grad(lambda gz: pool.AveragePoolGrad(False, mode)(T.constant(x), gz, (2, 3), (2, 1)),
                    [distinct(z.shape, seed=4)], rng=np.random.RandomState(2))


@pytest.mark.parametrize("mode", MODES)
def test_rop_matches_directional_derivative(mode):
    x = distinct((2, 2, 5, 6), seed=6)
    v = np.random.RandomState(0).randn(*x.shape)
    xv, vv = T.tensor4("x"), T.tensor4("v")
    kw = dict(ignore_border=True, stride=(2, 1), pad=(1, 1), mode=mode)
    y = pool.pool_2d(xv, (3, 2), **kw)
    r = hypatia.function([xv, vv], hypatia.Rop(y, xv, vv), on_unused_input="ignore")(x, v)
    eps = 1e-6
    num = (ref_pool(x + eps * v, (3, 2), True, (2, 1), (1, 1), mode) -
           ref_pool(x - eps * v, (3, 2), True, (2, 1), (1, 1), mode)) / (2 * eps)
    np.testing.assert_allclose(r, num, rtol=1e-5, atol=1e-7)


def test_ties_route_gradient_to_every_maximum():
    x = np.ones((1, 1, 2, 2))
    xv = T.tensor4("x")
    g = hypatia.function([xv], hypatia.grad(pool.pool_2d(xv, (2, 2), ignore_border=True).sum(), xv))(x)
    np.testing.assert_array_equal(g, np.ones_like(x))  # Theano's MaxPoolGrad: x == maxout


def test_bad_parameters_raise():
    x = T.tensor4("x")
    bad = [dict(ws=(0, 2)), dict(ws=(2, 2), stride=(0, 1)), dict(ws=(2, 2), pad=(2, 0)),
           dict(ws=(2, 2), pad=(-1, 0)), dict(ws=(2, 2, 2)), dict(ws=(2, 2), mode="median")]
    for kw in bad:
        with pytest.raises(ValueError, match=r"^\[Pool\]"):
            pool.pool_2d(x, ignore_border=True, **kw)
    with pytest.raises(ValueError, match=r"\[Pool\] padding works only with ignore_border=True"):
        pool.pool_2d(x, (2, 2), ignore_border=False, pad=(1, 1))
    with pytest.raises(ValueError, match="window size"):
        pool.pool_2d(x, ignore_border=True)
    with pytest.raises(TypeError, match="at least 3"):
        pool.pool_3d(T.matrix("m"), (2, 2, 2), ignore_border=True)
    with pytest.raises(TypeError, match=r"^\[Pool\]"):
        pool.pool_2d(T.imatrix("i"), (2, 2), ignore_border=True)
    with pytest.raises(ValueError, match="both 'ws' and 'ds'"):
        pool.pool_2d(x, (2, 2), ignore_border=True, ds=(2, 2))


def test_deprecated_names_and_defaults():
    x = distinct((1, 2, 6, 5))
    xv = T.tensor4("x")
    with pytest.warns(UserWarning):
        y = pool.pool_2d(xv, ds=(2, 2), st=(1, 1), padding=(1, 1), ignore_border=True, mode="sum")
    np.testing.assert_allclose(hypatia.function([xv], y)(x), ref_pool(x, (2, 2), True, (1, 1), (1, 1), "sum"))
    with pytest.warns(UserWarning, match="ignore_border"):
        y = pool.pool_2d(xv, (2, 2))  # None: warns, means False
    np.testing.assert_allclose(hypatia.function([xv], y)(x), ref_pool(x, (2, 2), False))
    y = pool.pool_2d(xv, np.array([2, 2]), ignore_border=True, stride=T.constant(np.array([1, 2])),
                     mode="max_deterministic")
    np.testing.assert_allclose(hypatia.function([xv], y)(x), ref_pool(x, (2, 2), True, (1, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from hypatia.tensor.signal import downsample
    assert downsample.max_pool_2d is pool.pool_2d and downsample.DownsampleFactorMax is pool.Pool


def test_pool_op_prints_and_merges():
    xv = T.tensor4("x")
    a = pool.pool_2d(xv, (2, 2), ignore_border=True)
    b = pool.Pool(ignore_border=True)(xv, (2, 2), (2, 2), (0, 0))
    assert "Pool{ignore_border=True, mode='max'" in str(a.owner.op)
    assert a.owner.op == b.owner.op
