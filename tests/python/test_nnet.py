"""hypatia.tensor.nnet through the harness: every op against numpy/scipy.special on 3x5
inputs in float32 and float64 (values, dtype, infer_shape, verify_grad), extreme logits,
the crossentropies, and the log(softmax) / log(1 + exp) stabilizations."""
import numpy as np
import pytest
import scipy.special as sps

import hypatia
import hypatia.tensor as T
from hypatia import function
from hypatia.tensor import nnet

from harness import check_op

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _data(dtype, lo=-4.0, hi=4.0, shape=(3, 5), seed=0, kinks=()):
    x = np.random.RandomState(seed).uniform(lo, hi, size=shape)
    for k in kinks:
        x = np.where(np.abs(x - k) < 0.05, x + 0.1, x)
    return x.astype(dtype)


def _tol(dtype):
    return dict(rtol=2e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-7, atol=1e-10)


def _ufs(x):
    u = np.abs(x) / 2.0
    z = np.where(u < 1.7, 1.5 * u / (1 + u),
                 np.where(u < 3, 0.935409070603099 + 0.0458812946797165 * (u - 1.7), 0.99505475368673))
    return 0.5 * (np.sign(x) * z + 1)


ACTIVATIONS = [
    ("softsign", nnet.softsign, lambda x: x / (1 + np.abs(x)), (0,)),
    ("relu", nnet.relu, lambda x: np.maximum(x, 0), (0,)),
    ("leaky_relu", lambda x: nnet.relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x), (0,)),
    ("elu", nnet.elu, lambda x: np.where(x > 0, x, np.expm1(x)), (0,)),
    ("elu_alpha", lambda x: nnet.elu(x, 0.3), lambda x: np.where(x > 0, x, 0.3 * np.expm1(x)), (0,)),
    ("selu", nnet.selu, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)), (0,)),
    ("hard_sigmoid", nnet.hard_sigmoid, lambda x: np.clip(0.2 * x + 0.5, 0, 1), (-2.5, 2.5)),
    ("ultra_fast_sigmoid", nnet.ultra_fast_sigmoid, _ufs, (-6, -3.4, 3.4, 6)),
    ("sigmoid", nnet.sigmoid, sps.expit, ()),
    ("softplus", nnet.softplus, lambda x: np.logaddexp(0, x), ()),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,op,ref,kinks", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activations(dtype, name, op, ref, kinks):
    x = _data(dtype, -7, 7, kinks=kinks)
    check_op(op, [x], lambda v: ref(v.astype("float64")).astype(dtype), **_tol(dtype))


def test_ultra_fast_sigmoid_close_to_sigmoid():
    x = np.linspace(-10, 10, 1001)
    v = T.dvector("v")
    out = function([v], nnet.ultra_fast_sigmoid(v))(x)
    assert np.max(np.abs(out - sps.expit(x))) < 0.03
    assert out[500] == 0.5


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", [(3, 5), (5,), (2, 3, 4)])
def test_softmax_and_log_softmax(dtype, shape):
    x = _data(dtype, -3, 3, shape=shape, seed=1)
    check_op(nnet.softmax, [x], lambda v: sps.softmax(v.astype("float64"), axis=-1).astype(dtype), **_tol(dtype))
    check_op(nnet.log_softmax, [x], lambda v: sps.log_softmax(v.astype("float64"), axis=-1).astype(dtype),
             **_tol(dtype))
    assert nnet.logsoftmax is nnet.log_softmax


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
def test_softmax_large_strided_and_special_rows_match_scipy(dtype):
    # Rows split over threads, a transposed (non-contiguous) input, float32 computed in float32,
    # float16 through float32; rows of -inf only, with a NaN, and with +inf give NaN as numpy.
    r = np.random.RandomState(7)
    a = (r.randn(900, 700) * 4).astype(dtype)
    a[3, :] = -np.inf
    a[5, 9] = np.nan
    a[8, 2] = np.inf
    x = T.matrix("x", dtype=dtype)
    f = function([x], [nnet.softmax(x), nnet.log_softmax(x), nnet.softmax(x.T)])
    sm, lsm, smt = f(a)
    with np.errstate(all="ignore"):
        ref = sps.softmax(a.astype("float64"), axis=-1)
        lref = sps.log_softmax(a.astype("float64"), axis=-1)
        reft = sps.softmax(a.T.astype("float64"), axis=-1)
    rtol = {"float64": 1e-12, "float32": 2e-5, "float16": 2e-2}[dtype]
    assert sm.dtype == np.dtype(dtype) and lsm.dtype == np.dtype(dtype)
    bad = [3, 5, 8]
    assert np.isnan(sm[bad]).all() and np.isnan(lsm[bad]).all()
    good = np.setdiff1d(np.arange(900), bad)
    np.testing.assert_allclose(sm[good], ref[good], rtol=rtol, atol=1e-6 if dtype != "float16" else 1e-3)
    np.testing.assert_allclose(lsm[good], lref[good], rtol=rtol, atol=1e-5 if dtype != "float16" else 5e-2)
    np.testing.assert_allclose(np.nan_to_num(smt), np.nan_to_num(reft), rtol=rtol, atol=1e-6 if dtype != "float16" else 1e-3)


def test_softmax_rop():
    x, v = T.dmatrix("x"), T.dmatrix("v")
    xv, vv = _data("float64", seed=2), _data("float64", seed=3)
    for op in (nnet.softmax, nnet.log_softmax):
        y = op(x)
        r = function([x, v], hypatia.gradient.Rop(y, x, v))(xv, vv)
        f = function([x], y)
        h = 1e-6
        np.testing.assert_allclose(r, (f(xv + h * vv) - f(xv - h * vv)) / (2 * h), rtol=1e-5, atol=1e-7)


def test_extreme_logits_stay_finite():
    x, y, t = T.dmatrix("x"), T.lvector("y"), T.dmatrix("t")
    xv = np.array([[1000., -1000., 0., 5., -1000.], [1000., 3., 1., 0., 0.], [0., 0., 999., 1000., -1000.]])
    yv = np.array([1, 0, 3])
    tv = np.eye(5)[yv]
    for mode in ("FAST_RUN", "None"):
        ce_i = nnet.categorical_crossentropy(nnet.softmax(x), y)
        ce_t = nnet.categorical_crossentropy(nnet.softmax(x), t)
        f = function([x, y, t], [nnet.softmax(x), nnet.log_softmax(x), ce_i, ce_t,
                                 T.grad(ce_i.sum(), x), T.grad(ce_t.sum(), x)], mode=mode)
        outs = f(xv, yv, tv)
        for o in outs:
            assert np.all(np.isfinite(o)), mode
        np.testing.assert_allclose(outs[2], -sps.log_softmax(xv, axis=1)[np.arange(3), yv], rtol=1e-12)
        np.testing.assert_allclose(outs[2], outs[3], rtol=1e-12)
        np.testing.assert_allclose(outs[4], sps.softmax(xv, axis=1) - tv, atol=1e-12)
        np.testing.assert_allclose(outs[4], outs[5], atol=1e-12)
    # user-written forms, rewritten under FAST_RUN
    z = T.dvector("z")
    zv = np.array([-1000., -30., 0., 30., 1000.])
    np.testing.assert_allclose(function([z], T.log(1 + T.exp(z)))(zv), np.logaddexp(0, zv), rtol=1e-12)
    ls = function([x], T.log(nnet.softmax(x)))(xv)
    np.testing.assert_allclose(ls, sps.log_softmax(xv, axis=1), rtol=1e-12)
    # sigmoid crossentropies
    tz = np.array([1., 0., 1., 1., 0.])
    tzv = T.dvector("tz")
    for c in (nnet.sigmoid_binary_crossentropy(z, tzv), nnet.binary_crossentropy(nnet.sigmoid(z), tzv)):
        v, g = function([z, tzv], [c, T.grad(c.sum(), z)], mode="None")(zv, tz)
        assert np.all(np.isfinite(v)) and np.all(np.isfinite(g))
        np.testing.assert_allclose(v, np.logaddexp(0, zv) - zv * tz, rtol=1e-12)
        np.testing.assert_allclose(g, sps.expit(zv) - tz, atol=1e-12)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_crossentropies(dtype):
    tol = _tol(dtype)
    p = sps.softmax(_data("float64", -2, 2, seed=4), axis=1).astype(dtype)
    y = np.array([4, 0, 2], dtype="int64")
    onehot = np.eye(5, dtype=dtype)[y]

    def ref(p, y):
        return (-np.log(p.astype("float64")[np.arange(len(y)), y])).astype(dtype)

    got_i = check_op(nnet.categorical_crossentropy, [p, y], ref, **tol)
    got_t = check_op(nnet.categorical_crossentropy, [p, onehot], lambda p, t: ref(p, y), grad_inputs=[0], **tol)
    np.testing.assert_allclose(got_i, got_t, rtol=1e-6)
    x = _data(dtype, -3, 3, seed=5)
    check_op(lambda x, y: nnet.categorical_crossentropy(nnet.softmax(x), y), [x, y],
             lambda x, y: ref(sps.softmax(x.astype("float64"), axis=1), y), **tol)
    # binary crossentropy on probabilities and on logits
    o = _data(dtype, 0.05, 0.95, seed=6)
    t = _data(dtype, 0, 1, seed=7)

    def bce(o, t):
        o, t = o.astype("float64"), t.astype("float64")
        return (-(t * np.log(o) + (1 - t) * np.log1p(-o))).astype(dtype)

    check_op(nnet.binary_crossentropy, [o, t], bce, **tol)
    lg = _data(dtype, -4, 4, seed=8)
    check_op(nnet.sigmoid_binary_crossentropy, [lg, t], lambda l, t: bce(sps.expit(l.astype("float64")), t),
             rtol=1e-4 if dtype == "float32" else 1e-7, atol=1e-6)


def test_errors():
    with pytest.raises(TypeError, match="categorical_crossentropy"):
        nnet.categorical_crossentropy(T.dmatrix(), T.ltensor3())
    with pytest.raises(TypeError, match="Softmax"):
        nnet.softmax(T.imatrix())
    p, y = T.dmatrix("p"), T.lvector("y")
    f = function([p, y], nnet.categorical_crossentropy(p, y))
    with pytest.raises(ValueError, match="out of range"):
        f(np.full((2, 3), 1 / 3.0), np.array([0, 3]))
    assert str(nnet.relu(p).owner.op) == "Relu{alpha=0}"
    assert nnet.relu(T.imatrix()).dtype == "float64"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_activations_on_large_strided_inputs_keep_their_dtype_and_values(dtype):
    # NnetActivation's per-kind loops: a transposed input split over threads, the output in the
    # input's dtype, NaN kept by relu and hard_sigmoid, and the gradients against the formulas.
    r = np.random.RandomState(11)
    a = (r.randn(700, 600) * 3).astype(dtype)
    a[4, 5] = np.nan
    x = T.matrix("x", dtype=dtype)
    xt = x.T
    outs = [nnet.relu(xt), nnet.relu(xt, 0.1), nnet.softsign(xt), nnet.hard_sigmoid(xt), nnet.elu(xt)]
    grads = [hypatia.grad(T.sum(o * 1.5), x) for o in outs[:3]]
    got = function([x], outs + grads)(a)
    v = a.T.astype("float64")
    with np.errstate(invalid="ignore"):
        want = [np.where(v > 0, v, np.where(np.isnan(v), v, 0.0)), np.where(v > 0, v, 0.1 * v), v / (1 + np.abs(v)),
                np.where(np.isnan(v), v, np.clip(0.2 * v + 0.5, 0, 1)), np.where(v > 0, v, np.expm1(v))]
        dv = a.astype("float64")
        want += [1.5 * np.where(dv > 0, 1.0, 0.0), 1.5 * np.where(dv > 0, 1.0, 0.1), 1.5 / (1 + np.abs(dv)) ** 2]
    tol = dict(rtol=1e-6, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=0)
    for g, w in zip(got, want):
        assert g.dtype == np.dtype(dtype)
        np.testing.assert_allclose(g, w.astype(dtype), equal_nan=True, **tol)
