"""The flat elementwise loops built for AVX2 and for baseline x86-64 (set_vector_math_isa picks):
the same bits as each other and as numpy, for comparisons, extremes, arithmetic, clip/switch and
unary ops over every real dtype, with NaNs, signed zeros and infinities; whole and single-valued
operands, contiguous (the flat loops) and strided (the walker)."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia import _core

SPECIAL = [np.nan, -np.nan, 0.0, -0.0, np.inf, -np.inf, 1.0, -1.0, 0.5, 5e-324]


def _values(dtype, n=1003, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        a = np.round(rng.standard_normal(n) * 3, 1).astype(dtype)
        a[: len(SPECIAL)] = np.array(SPECIAL, dtype=dtype)
        a[len(SPECIAL): 2 * len(SPECIAL)] = np.array(SPECIAL[::-1], dtype=dtype)
        return a
    if dtype == "bool":
        return rng.random(n) > 0.5
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -50), min(info.max, 50), n).astype(dtype)


def _same_bits(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


BINARY = {
    "gt": (lambda x, y: x > y, np.greater), "ge": (lambda x, y: x >= y, np.greater_equal),
    "lt": (lambda x, y: x < y, np.less), "le": (lambda x, y: x <= y, np.less_equal),
    "eq": (T.eq, np.equal), "neq": (T.neq, np.not_equal),
    "maximum": (T.maximum, np.maximum), "minimum": (T.minimum, np.minimum),
    "add": (lambda x, y: x + y, np.add), "mul": (lambda x, y: x * y, np.multiply),
}


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "int8", "uint16"])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_loops_agree_across_builds_and_with_numpy(dtype, name):
    op, ref = BINARY[name]
    a, b = _values(dtype, seed=1), _values(dtype, seed=2)[::-1].copy()
    x, y = T.vector(dtype=dtype), T.vector(dtype=dtype)
    s = T.scalar(dtype=dtype)
    fns = {"whole": hypatia.function([x, y], op(x, y)), "scalar_right": hypatia.function([x, s], op(x, s)),
           "scalar_left": hypatia.function([s, y], op(s, y))}
    args = {"whole": (a, b), "scalar_right": (a, b[3]), "scalar_left": (a[5], b)}
    try:
        for isa in ["scalar", "avx512"]:
            _core.set_vector_math_isa(isa)
            for k, f in fns.items():
                with np.errstate(all="ignore"):
                    want = np.asarray(ref(*args[k]))
                _same_bits(np.asarray(f(*args[k])), want)
    finally:
        _core.set_vector_math_isa("avx512")


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32"])
def test_clip_switch_and_unary_loops_agree_across_builds(dtype):
    a, b = _values(dtype, seed=3), _values(dtype, seed=4)
    x, y = T.vector(dtype=dtype), T.vector(dtype=dtype)
    c = x > y
    outs = [T.clip(x, -1, 2), T.switch(c, x, y), T.switch(c, x, 0), abs(x), -x]
    refs = [np.clip(a, -1, 2), np.where(a > b, a, b), np.where(a > b, a, 0).astype(dtype), np.abs(a), -a]
    if dtype != "int32":
        outs += [T.sqrt(x), T.floor(x), T.sgn(x)]
        with np.errstate(all="ignore"):
            refs += [np.sqrt(a), np.floor(a), np.sign(a)]
    try:
        got = {}
        for isa in ["scalar", "avx512"]:
            _core.set_vector_math_isa(isa)
            got[isa] = [np.asarray(f(a, b)) for f in [hypatia.function([x, y], o, on_unused_input="ignore") for o in outs]]
        for g_s, g_v, want in zip(got["scalar"], got["avx512"], refs):
            _same_bits(g_s, g_v)
            np.testing.assert_array_equal(g_v, want)
    finally:
        _core.set_vector_math_isa("avx512")


def test_strided_operands_take_the_walker_and_agree():
    a = _values("float64", 2000, seed=5).reshape(40, 50)
    b = _values("float64", 2000, seed=6).reshape(40, 50)
    x, y = T.dmatrix(), T.dmatrix()
    f = hypatia.function([x, y], [x >= y, T.maximum(x, y)])
    for isa in ["scalar", "avx512"]:
        _core.set_vector_math_isa(isa)
        try:
            ge, mx = f(a, b[:, ::-1])
            _same_bits(np.asarray(ge), np.greater_equal(a, b[:, ::-1]))
            _same_bits(np.asarray(mx), np.maximum(a, b[:, ::-1]))
        finally:
            _core.set_vector_math_isa("avx512")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fused_programs_agree_across_builds(dtype):
    # A fused loop's steps (FusedElemwise) run in the same two builds: maximum, minimum, abs,
    # arithmetic and pow over NaNs, signed zeros and infinities, a row broadcast included.
    a, b = _values(dtype, 1000, seed=7).reshape(20, 50), _values(dtype, 1000, seed=8).reshape(20, 50)
    x, y = T.matrix(dtype=dtype), T.matrix(dtype=dtype)
    r = T.vector(dtype=dtype)
    out = T.minimum(T.maximum(x * 2 - y, abs(y)), x / 3) + abs(x) ** 2 - T.maximum(x, r)
    f = hypatia.function([x, y, r], out)
    assert any("Composite" in str(n.op) for n in f.maker.fgraph.toposort())
    with np.errstate(all="ignore"):
        want = np.minimum(np.maximum(a * 2 - b, np.abs(b)), a / 3) + np.abs(a) ** 2 - np.maximum(a, b[0])
    try:
        got = {}
        for isa in ["scalar", "avx512"]:
            _core.set_vector_math_isa(isa)
            got[isa] = np.asarray(f(a, b, b[0]))
        _same_bits(got["scalar"], got["avx512"])
        np.testing.assert_allclose(got["avx512"], want, rtol=1e-6 if dtype == "float32" else 1e-15)
    finally:
        _core.set_vector_math_isa("avx512")
