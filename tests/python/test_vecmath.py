"""Vectorised exp/log/tanh/sigmoid/softplus (scalar/vector_math): every kernel family against
numpy's long double results in ulps, through plain, strided, fused and in-place Elemwise."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia import _core

ISAS = ["avx512", "avx2", "scalar"]
LD = np.longdouble


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


FUNCS = {  # name: (hypatia op, long double reference, input range)
    "exp": (T.exp, np.exp, (-750, 720)),
    "log": (T.log, np.log, (0, 1e4)),
    "tanh": (T.tanh, np.tanh, (-25, 25)),
    "sigmoid": (T.nnet.sigmoid, _sigmoid, (-760, 760)),
    "softplus": (T.nnet.softplus, _softplus, (-760, 760)),
}
EDGES = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-30, -1e-30, 1e-8, 1.0, -1.0, 18.0, -18.0,
         19.1, -19.1, 22.0, -37.5, 88.72, 88.73, -87.34, -103.9, -104.0, 709.78, 709.79, 710.0, -708.4, -745.13,
         -745.2, -746.0, 1e300, -1e300, 1.7976931348623157e308, np.inf, -np.inf, np.nan]


@pytest.fixture
def isa(request):
    got = _core.set_vector_math_isa(request.param)
    yield got
    _core.set_vector_math_isa("avx512")


def _inputs(name, dtype):
    lo, hi = FUNCS[name][2]
    rng = np.random.default_rng(3)
    with np.errstate(over="ignore"):
        xs = np.concatenate([rng.uniform(lo, hi, 4001), np.exp2(rng.uniform(-40, 40, 2000)) * rng.choice([-1, 1], 2000),
                             EDGES]).astype(dtype)
    return xs


def _check(name, got, xs):
    # the C++ bounds (vector_math.h: 1, 2.5 or 3 ulps of the exact value) plus the reference's
    # own rounding to the dtype
    maxulp = {"exp": 2, "log": 2, "softplus": 4}.get(name, 3)
    backend = _core.vector_math_backend()
    if backend != "scalar" and "+sleef" not in backend:  # built without SLEEF: libmvec's exp/log
        maxulp = {"exp": 5, "log": 5, "sigmoid": 6}.get(name, maxulp)
    with np.errstate(all="ignore"):
        want = FUNCS[name][1](xs.astype(LD)).astype(xs.dtype)
    assert got.dtype == xs.dtype
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"{name}: NaN positions")
    special = np.isinf(want) | np.isnan(want)
    np.testing.assert_array_equal(got[special & ~np.isnan(want)], want[special & ~np.isnan(want)])
    np.testing.assert_array_max_ulp(got[~special], want[~special], maxulp=maxulp)


@pytest.mark.parametrize("isa", ISAS, indirect=True)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(FUNCS))
def test_plain_strided_fused_and_inplace_within_ulp_bounds(name, dtype, isa):
    op = FUNCS[name][0]
    xs = _inputs(name, dtype)
    x, y = T.vector("x", dtype=dtype), T.vector("y", dtype=dtype)
    m = T.matrix("m", dtype=dtype)
    plain = hypatia.function([x], op(x))
    _check(name, plain(xs), xs)
    # a transposed (strided) input goes through the copy-then-in-place path
    mat = np.resize(xs, (61, 101))
    strided = hypatia.function([m], op(m.T))
    _check(name, strided(mat).T.ravel(), mat.ravel())
    # x * ones is x exactly: fused (mul, f) and, without fusion, f in place on the product
    ones = np.ones_like(xs)
    fused = hypatia.function([x, y], op(x * y))
    _check(name, fused(xs, ones), xs)
    inplace = hypatia.function([x, y], op(x * y), mode="FAST_RUN-fusion")
    names = [str(n).split("(")[0] for n in inplace.maker.fgraph.toposort()]
    assert any(n.startswith("Elemwise{" + name + ",inplace}") for n in names), names
    _check(name, inplace(xs, ones), xs)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_sigmoid_softplus_overflow_free_like_numpy(dtype):
    v = np.array([-1e4, -800, -50, -1e-20, 0, 1e-20, 50, 800, 1e4, np.inf, -np.inf], dtype=dtype)
    x = T.vector("x", dtype=dtype)
    f = hypatia.function([x], [T.nnet.sigmoid(x), T.nnet.softplus(x)])
    with np.errstate(all="raise"):  # our kernels raise no warning either: results are finite or exact
        s, p = f(v)
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(s, (1 / (1 + np.exp(-v.astype(LD)))).astype(dtype), rtol=4e-7 if dtype == "float32" else 1e-15)
    np.testing.assert_allclose(p, np.logaddexp(0, v), rtol=4e-7 if dtype == "float32" else 1e-15)


def test_threads_give_the_same_numbers():
    xs = np.random.default_rng(5).uniform(-30, 30, 300_001)  # above openmp_elemwise_minsize
    x = T.dvector("x")
    f = hypatia.function([x], [T.tanh(x), T.nnet.softplus(x), T.exp(x)])
    old = hypatia.config.openmp
    try:
        hypatia.config.openmp = False
        one = f(xs)
        hypatia.config.openmp = True
        many = f(xs)
    finally:
        hypatia.config.openmp = old
    for a, b in zip(one, many):
        np.testing.assert_array_equal(a, b)


def test_backend_names_and_bad_isa():
    assert _core.vector_math_backend().split("+")[0] in ISAS
    with pytest.raises(ValueError, match=r"\[set_vector_math_isa\]"):
        _core.set_vector_math_isa("sse9")


POW_SPECIAL = [np.nan, -np.nan, 0.0, -0.0, np.inf, -np.inf, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0, 2.5, -2.5,
               1e-310, -1e-310, 1e308, -1e308, 0.3, 7.0, -7.0, 1e-5, 1075.0, -1075.0]


@pytest.mark.parametrize("isa", ISAS, indirect=True)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_pow_special_pairs_match_numpy_and_the_rest_within_one_ulp(isa, dtype):
    # x ** y through vector_math::pow (SLEEF's pow on AVX2/AVX-512, libm's in the scalar family)
    # for whole arrays, a scalar exponent and a scalar base, plain and fused: every pair of
    # special values gives numpy's answer (C99 Annex F: NaN, signed zeros and infinities,
    # negative bases with integer and non-integer exponents, overflow and underflow), and
    # random pairs are within 1 ulp of the long double power.
    grid = np.array(POW_SPECIAL)
    a, b = np.repeat(grid, len(grid)).astype(dtype), np.tile(grid, len(grid)).astype(dtype)
    rng = np.random.default_rng(9)
    ra = rng.uniform(0, 30, 5000).astype(dtype)
    rb = rng.uniform(-20, 20, 5000).astype(dtype)
    x, y = T.vector(dtype=dtype), T.vector(dtype=dtype)
    s = T.scalar(dtype=dtype)
    f, fs, fb, ff = (hypatia.function([x, y], x ** y), hypatia.function([x, s], x ** s),
                     hypatia.function([s, y], s ** y), hypatia.function([x, y], (x ** y) * 2))
    with np.errstate(all="ignore"):
        want = np.power(a, b)
        got = f(a, b)
    same = (got == want) & (np.signbit(got) == np.signbit(want)) | (np.isnan(got) & np.isnan(want))
    finite_regular = np.isfinite(want) & (want != 0) & ~np.isin(a, [0.0, 1.0, -1.0]) & np.isfinite(a) & np.isfinite(b)
    assert same[~finite_regular].all(), list(zip(a[~same & ~finite_regular], b[~same & ~finite_regular]))
    ref = np.power(ra.astype(LD), rb.astype(LD))
    assert any("Composite" in str(n.op) for n in ff.maker.fgraph.toposort())  # the fused step
    for g in [f(ra, rb), ff(ra, rb) / 2]:
        np.testing.assert_array_max_ulp(g, ref.astype(dtype), maxulp=2)  # 1 ulp of the exact value, plus the reference's rounding
    np.testing.assert_array_max_ulp(fs(ra, np.asarray(3.5, dtype)), np.power(ra.astype(LD), LD(3.5)).astype(dtype), maxulp=2)
    np.testing.assert_array_max_ulp(fb(np.asarray(1.7, dtype), rb), np.power(LD(np.asarray(1.7, dtype)), rb.astype(LD)).astype(dtype), maxulp=2)
