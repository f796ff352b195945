"""The tensor math family through the harness: values vs numpy/scipy.special, infer_shape,
FAST_RUN vs unoptimised, verify_grad; dtype promotion, broadcasting, operators and errors."""
import numpy as np
import pytest
import scipy.special as sps

import hypatia
import hypatia.printing
import hypatia.tensor as T
from harness import check_op

rng = np.random.RandomState(42)


def u(lo, hi, shape=(3, 4), dtype="float64"):
    return rng.uniform(lo, hi, size=shape).astype(dtype)


# name, hypatia fn, reference, domain
UNARY = [
    ("exp2", T.exp2, np.exp2, (-2, 2)),
    ("log2", T.log2, np.log2, (0.5, 3)),
    ("log10", T.log10, np.log10, (0.5, 3)),
    ("inv", T.inv, lambda x: 1.0 / x, (0.5, 3)),
    ("sin", T.sin, np.sin, (-2, 2)),
    ("cos", T.cos, np.cos, (-2, 2)),
    ("tan", T.tan, np.tan, (-1, 1)),
    ("arcsin", T.arcsin, np.arcsin, (-0.9, 0.9)),
    ("arccos", T.arccos, np.arccos, (-0.9, 0.9)),
    ("arctan", T.arctan, np.arctan, (-2, 2)),
    ("sinh", T.sinh, np.sinh, (-2, 2)),
    ("cosh", T.cosh, np.cosh, (-2, 2)),
    ("arcsinh", T.arcsinh, np.arcsinh, (-2, 2)),
    ("arccosh", T.arccosh, np.arccosh, (1.2, 3)),
    ("arctanh", T.arctanh, np.arctanh, (-0.9, 0.9)),
    ("deg2rad", T.deg2rad, np.deg2rad, (-200, 200)),
    ("rad2deg", T.rad2deg, np.rad2deg, (-3, 3)),
    ("erf", T.erf, sps.erf, (-2, 2)),
    ("erfc", T.erfc, sps.erfc, (-2, 2)),
    ("erfinv", T.erfinv, sps.erfinv, (-0.9, 0.9)),
    ("erfcinv", T.erfcinv, sps.erfcinv, (0.1, 1.9)),
    ("gamma", T.gamma, sps.gamma, (0.5, 4)),
    ("gammaln", T.gammaln, sps.gammaln, (0.5, 4)),
    ("psi", T.psi, sps.psi, (0.5, 4)),
    ("tri_gamma", T.tri_gamma, lambda x: sps.polygamma(1, x), (0.5, 4)),
]


@pytest.mark.parametrize("name,fn,ref,dom", UNARY, ids=[r[0] for r in UNARY])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_unary_float(name, fn, ref, dom, dtype):
    x = u(*dom, dtype=dtype)
    tol = dict(rtol=1e-6, atol=1e-8) if dtype == "float64" else dict(rtol=2e-5, atol=1e-6)
    grad = dtype == "float64" and name != "tri_gamma"
    check_op(fn, [x], lambda a: ref(a).astype(dtype), grad=grad, **tol)


@pytest.mark.parametrize("name,fn,ref,dom", UNARY[:15], ids=[r[0] for r in UNARY[:15]])
def test_unary_int_inputs_become_float(name, fn, ref, dom):
    x = np.array([[1, 2, 1], [2, 1, 2]], dtype="int32")
    if name in ("arcsin", "arccos", "arctanh"):
        x = np.zeros((2, 3), dtype="int32")
    check_op(fn, [x], lambda a: ref(a).astype("float64"), grad=False)


@pytest.mark.parametrize("fn,ref", [(T.sin, np.sin), (T.exp2, np.exp2), (T.log10, np.log10), (T.inv, np.reciprocal),
                                    (T.arcsinh, np.arcsinh), (T.conj, np.conj)])
@pytest.mark.parametrize("dtype", ["complex128", "complex64"])
def test_unary_complex(fn, ref, dtype):
    z = (u(0.5, 2) + 1j * u(-1, 1)).astype(dtype)
    check_op(fn, [z], ref, grad=False, rtol=1e-5 if dtype == "complex64" else 1e-6)


def test_trigamma_grad_not_implemented():
    x = T.dvector("x")
    with pytest.raises(Exception):
        hypatia.grad(T.tri_gamma(x).sum(), x)


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "uint8"])
def test_rounding_keeps_dtype(dtype):
    x = np.array([[-2.5, -1.5, -0.5, 0.5], [1.5, 2.5, 2.4, -2.6], [3.7, -3.2, 0.0, 7.5]])
    if dtype in ("int32", "uint8"):
        x = np.abs(x) * 3
    x = x.astype(dtype)
    # the values sit on rounding steps, where finite differences jump: zero grads are tested below
    chk = lambda *a, **k: check_op(*a, grad=False, **k)  # noqa: E731
    half_away = lambda a: (np.sign(a) * np.floor(np.abs(a) + 0.5)).astype(a.dtype)
    chk(T.round, [x], half_away)
    chk(lambda a: T.round(a, "half_to_even"), [x], np.round)
    chk(lambda a: a.round(), [x], half_away)
    chk(T.ceil, [x], np.ceil)
    chk(T.floor, [x], np.floor)
    chk(T.trunc, [x], np.trunc)
    chk(T.sgn, [x], np.sign)
    chk(T.iround, [x], lambda a: half_away(a).astype("int64"))
    if dtype.startswith("float"):
        chk(T.rint, [x], np.rint)
    else:
        chk(T.rint, [x], lambda a: np.rint(a).astype("float32" if a.dtype.itemsize <= 2 else "float64"))


def test_round_bad_mode():
    with pytest.raises(ValueError, match=r"^\[round\]"):
        T.round(T.dvector(), "banker")


def test_rounding_gradients_are_zero():
    x = T.dvector("x")
    for f in (T.floor, T.ceil, T.round, T.sgn, T.trunc, T.rint):
        g = hypatia.function([x], hypatia.grad(f(x).sum(), x))(np.array([0.3, 1.7, -2.2]))
        np.testing.assert_array_equal(g, 0)


def test_maximum_minimum():
    a, b = u(-1, 1), u(-1, 1)
    check_op(T.maximum, [a, b], np.maximum)
    check_op(T.minimum, [a, b], np.minimum)
    a32, b32 = a.astype("float32"), b.astype("float32")
    check_op(T.maximum, [a32, b32], np.maximum, rtol=1e-5, grad=False)
    ia, ib = (a * 10).astype("int16"), (b * 10).astype("uint8")
    check_op(T.maximum, [ia, ib], np.maximum)  # int16 vs uint8 -> int16
    za, zb = a + 1j * b, b + 1j * a
    check_op(T.minimum, [za, zb], np.minimum, grad=False)
    # row + matrix and scalar + matrix broadcasting
    r = T.drow("r")
    m = T.dmatrix("m")
    f = hypatia.function([r, m], [T.maximum(r, m), T.minimum(m, 0.25)])
    rv = u(-1, 1, (1, 4))
    got = f(rv, a)
    np.testing.assert_allclose(got[0], np.maximum(rv, a))
    np.testing.assert_allclose(got[1], np.minimum(a, 0.25))
    nan = np.array([np.nan, 1.0])
    np.testing.assert_array_equal(hypatia.function([], T.maximum(nan, nan[::-1]))(), np.maximum(nan, nan[::-1]))


def test_arctan2():
    y, x = u(-2, 2), u(-2, 2)
    check_op(T.arctan2, [y, x], np.arctan2)
    check_op(T.arctan2, [y.astype("float32"), x.astype("float32")], np.arctan2, rtol=1e-5, grad=False)


INT_PAIRS = [("int8", "uint8"), ("int32", "int64"), ("int64", "int64"), ("uint16", "int8")]


@pytest.mark.parametrize("da,db", INT_PAIRS)
def test_int_div_mod_integers(da, db):
    a = rng.randint(-50, 50, size=(3, 4))
    b = rng.randint(1, 9, size=(3, 4)) * rng.choice([-1, 1], size=(3, 4))
    if da.startswith("u"):
        a = np.abs(a)
    if db.startswith("u"):
        b = np.abs(b)
    a, b = a.astype(da), b.astype(db)
    check_op(T.int_div, [a, b], np.floor_divide)
    check_op(T.mod, [a, b], np.remainder)
    check_op(lambda x, y: x // y, [a, b], lambda x, y: x // y)
    check_op(lambda x, y: x % y, [a, b], lambda x, y: x % y)


def test_int_div_mod_floats():
    a = u(-5, 5)
    b = u(0.5, 2) * rng.choice([-1, 1], size=(3, 4))
    check_op(T.int_div, [a, b], np.floor_divide, grad=False)
    check_op(T.mod, [a, b], np.remainder)  # grad (1, -floor(a/b))
    a32, b32 = a.astype("float32"), b.astype("float32")
    check_op(T.mod, [a32, b32], np.remainder, rtol=1e-5, atol=1e-5, grad=False)
    # float32 vs int64 -> float64
    bi = np.array([[2, -3, 4, 5]] * 3, dtype="int64")
    check_op(T.int_div, [a32, bi], np.floor_divide, grad=False)
    special = np.array([7.5, -7.5, 1.0, 0.0, -0.0]), np.array([-2.0, 2.0, 0.0, -1.0, 3.0])
    f = hypatia.function([], [T.int_div(*special), T.mod(*special)])
    with np.errstate(all="ignore"):
        want = np.floor_divide(*special), np.remainder(*special)
    for g, w in zip(f(), want):
        np.testing.assert_array_equal(g, w)
        np.testing.assert_array_equal(np.signbit(g), np.signbit(w))


def test_operators_reflected():
    x = T.imatrix("x")
    a = rng.randint(-20, 20, size=(3, 4)).astype("int32")
    f = hypatia.function([x], [x // 3, 7 // (x * 0 + 2), x % 5, 17 % (x * 0 + 5), x & 6, 6 & x, x | 1, 1 | x,
                               x ^ 3, 3 ^ x, ~x])
    got = f(a)
    want = [a // 3, 7 // (a * 0 + 2), a % 5, 17 % (a * 0 + 5), a & 6, 6 & a, a | 1, 1 | a, a ^ 3, 3 ^ a, ~a]
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
        assert g.dtype == w.dtype
    y = T.dmatrix("y")
    assert (x == y) is False and (x != y) is True and (x == x) is True
    assert isinstance(abs(y), type(y))


@pytest.mark.parametrize("dtype", ["int8", "int64", "uint16", "bool"])
def test_bitwise(dtype):
    a = rng.randint(0 if dtype in ("uint16", "bool") else -60, 60, size=(3, 4)).astype(dtype)
    b = rng.randint(0 if dtype in ("uint16", "bool") else -60, 60, size=(3, 4)).astype(dtype)
    check_op(T.and_, [a, b], np.bitwise_and)
    check_op(T.or_, [a, b], np.bitwise_or)
    check_op(T.xor, [a, b], np.bitwise_xor)
    check_op(T.invert, [a], np.invert)
    check_op(T.bitwise_and, [a, b], np.bitwise_and)
    check_op(T.bitwise_or, [a, b], np.bitwise_or)
    check_op(T.bitwise_xor, [a, b], np.bitwise_xor)
    check_op(T.bitwise_not, [a], np.bitwise_not)


def test_bitwise_promotion_and_errors():
    a, b = T.bvector(), T.Hvector() if hasattr(T, "Hvector") else T.tensor("uint8", (False,))
    assert T.and_(a, b).dtype == np.result_type(np.int8, np.dtype(b.dtype)).name
    p, q = T.tensor("bool", (False,)), T.tensor("bool", (False,))
    assert (p & q).dtype == "bool" and (~p).dtype == "bool" and (p ^ q).dtype == "bool"
    for bad in (lambda: T.dvector() & T.ivector(), lambda: ~T.fmatrix(), lambda: T.or_(T.zvector(), T.zvector())):
        with pytest.raises(TypeError, match=r"^\["):
            bad()


def test_predicates():
    x = np.array([[1.0, np.nan, np.inf, -np.inf], [0.0, -1.0, np.nan, 2.0], [np.inf, 3.0, 4.0, 5.0]])
    for dt in ("float64", "float32"):
        check_op(T.isnan, [x.astype(dt)], np.isnan)
        check_op(T.isinf, [x.astype(dt)], np.isinf)
    check_op(T.isnan, [np.arange(12).reshape(3, 4)], np.isnan)
    with np.errstate(invalid="ignore"):
        z = x + 1j * x[::-1]
    check_op(T.isnan, [z], np.isnan)
    check_op(T.isinf, [z], np.isinf)


def test_isclose():
    a = np.array([[1.0, 1.0, np.inf, np.inf], [np.nan, 1e-9, -np.inf, 3.0], [1.0, 2.0, 100.0, 1e10]])
    b = np.array([[1 + 1e-6, 1.1, np.inf, -np.inf], [np.nan, 0.0, -np.inf, 3.00003], [1.00001, 2.0, 100.001, 1.00001e10]])
    for kw in ({}, {"equal_nan": True}, {"rtol": 1e-3}, {"atol": 0.2, "rtol": 0}):
        check_op(lambda x, y: T.isclose(x, y, **kw), [a, b], lambda x, y: np.isclose(x, y, **kw))
    ia, ib = np.array([[1, 2, 3, 200]], dtype="uint8"), np.array([[1, 3, 3, 100]], dtype="uint8")
    check_op(T.isclose, [ia, ib], np.isclose)
    check_op(lambda x, y: T.isclose(x, y, atol=1e-3), [a.astype("float32"), b.astype("float32")],
             lambda x, y: np.isclose(x, y, atol=1e-3))
    assert not hasattr(T, "allclose") or T.allclose is not None  # allclose belongs to the reductions family


def test_switch_where():
    c, a, b = u(-1, 1), u(-1, 1), u(-1, 1)
    check_op(lambda c_, a_, b_: T.switch(T.gt(c_, 0), a_, b_), [c, a, b], lambda c_, a_, b_: np.where(c_ > 0, a_, b_),
             grad_inputs=[1, 2])
    check_op(lambda c_, a_, b_: T.where(c_, a_, b_), [(c > 0), a.astype("float32"), b.astype("int64")],
             lambda c_, a_, b_: np.where(c_, a_, b_), grad_inputs=[1])
    # broadcasting over all three: column condition, row, scalar
    cc, rr, ss = T.tensor("bool", (False, True)), T.irow(), T.fscalar()
    out = T.switch(cc, rr, ss)
    cv = np.array([[True], [False], [True]])
    rv = np.array([[1, 2, 3, 4]], dtype="int32")
    got = hypatia.function([cc, rr, ss], out)(cv, rv, np.float32(-1))
    want = np.where(cv, rv, np.float32(-1))
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.float64  # int32 with float32 -> float64
    # gradient reaches ift/iff only, by branch
    x, y, cond = T.dmatrix("x"), T.dmatrix("y"), T.dmatrix("cond")
    gx, gy = hypatia.grad(T.switch(T.gt(cond, 0), x, y).sum(), [x, y])
    gcond = hypatia.grad(T.switch(T.gt(cond, 0), x, y).sum(), cond, disconnected_inputs="ignore")
    gv = hypatia.function([cond, x, y], [gx, gy], on_unused_input="ignore")(c, a, b)
    np.testing.assert_array_equal(gv[0], (c > 0) * 1.0)
    np.testing.assert_array_equal(gv[1], (c <= 0) * 1.0)
    np.testing.assert_array_equal(hypatia.function([cond, x, y], gcond, on_unused_input="ignore")(c, a, b), 0)


def test_clip():
    x = u(-2, 2)
    check_op(lambda a: T.clip(a, -0.7, 0.9), [x], lambda a: np.clip(a, -0.7, 0.9))
    check_op(lambda a: a.clip(-0.7, 0.9), [x], lambda a: np.clip(a, -0.7, 0.9))
    lo, hi = u(-1, -0.2, (1, 4)), u(0.2, 1, (3, 1))
    check_op(T.clip, [x, np.broadcast_to(lo, (3, 4)).copy(), np.broadcast_to(hi, (3, 4)).copy()], np.clip)
    xi = rng.randint(-10, 10, size=(3, 4)).astype("int32")
    check_op(lambda a: T.clip(a, -3, 4), [xi], lambda a: np.clip(a, -3, 4))
    check_op(lambda a: T.clip(a, -0.7, 0.9), [x.astype("float32")], lambda a: np.clip(a, np.float32(-0.7), np.float32(0.9)),
             grad=False, check_dtype=False)
    xs = T.dvector("x")
    g = hypatia.function([xs], hypatia.grad(T.clip(xs, -1, 1).sum(), xs))(np.array([-2.0, -0.5, 0.5, 2.0]))
    np.testing.assert_array_equal(g, [0, 1, 1, 0])


def test_complex_parts():
    z = (u(-2, 2) + 1j * u(-2, 2))
    for dt, real_dt in (("complex128", "float64"), ("complex64", "float32")):
        zz = z.astype(dt)
        check_op(T.real, [zz], np.real, grad=False)
        check_op(T.imag, [zz], np.imag, grad=False)
        check_op(T.angle, [zz], np.angle, grad=False, rtol=1e-5)
        check_op(T.conj, [zz], np.conj, grad=False)
        assert T.real(T.tensor(dt, (False,))).dtype == real_dt
    x = u(-2, 2)
    check_op(T.real, [x], np.real)
    check_op(T.imag, [x], np.imag)
    check_op(T.angle, [x], np.angle)
    check_op(T.angle, [np.array([[-3, 0, 2]], dtype="int32")], np.angle)
    v = T.zmatrix("v")
    f = hypatia.function([v], [v.real, v.imag, v.conj(), v.conjugate()])
    for g, w in zip(f(z), [z.real, z.imag, z.conj(), z.conj()]):
        np.testing.assert_array_equal(g, w)
    # gradients through real/imag/abs-like real-valued functions of a complex input
    cost = (T.sqr(T.real(v)) + 3 * T.imag(v)).sum()
    gz = hypatia.function([v], hypatia.grad(cost, v))(z)
    np.testing.assert_allclose(gz, 2 * z.real + 3j)


def test_cast_complex_to_real_raises():
    z = T.zmatrix()
    with pytest.raises(TypeError, match=r"^\[.*real\(\)"):
        T.cast(z, "float64")
    with pytest.raises(TypeError, match=r"^\["):
        z.astype("int32")
    assert T.cast(z, "complex64").dtype == "complex64"
    with pytest.raises(TypeError, match=r"^\["):
        T.erf(z)
    with pytest.raises(TypeError, match=r"^\["):
        T.int_div(z, z)


def test_complex_builders():
    re, im = u(-1, 1), u(-1, 1)
    check_op(T.complex, [re, im], lambda a, b: a + 1j * b, grad=False)
    check_op(T.complex, [re.astype("float32"), im.astype("float32")], lambda a, b: (a + 1j * b).astype("complex64"),
             grad=False, rtol=1e-6)
    r, th = u(0.5, 2), u(-3, 3)
    check_op(T.complex_from_polar, [r, th], lambda a, b: a * np.exp(1j * b), grad=False)


def test_existing_arithmetic_dtypes():
    i8, u8 = np.array([[1, -2, 3, 4]], dtype="int8"), np.array([[5, 6, 7, 8]], dtype="uint8")
    b1, b2 = np.array([[True, False, True, True]]), np.array([[True, True, False, True]])
    f32, i64 = np.array([[1.5, 2.5, -1, 3]], dtype="float32"), np.array([[1, 2, 3, 4]], dtype="int64")
    z = np.array([[1 + 2j, 3 - 1j, -2j, 1]])
    check_op(T.add, [i8, u8], np.add)
    check_op(T.mul, [b1, b2], np.multiply)
    check_op(T.add, [b1, b2], np.add)
    check_op(T.add, [f32, i64], np.add)
    check_op(T.sub, [f32, i64], np.subtract)
    check_op(T.true_div, [i64, i8], np.true_divide)
    check_op(T.pow, [i64, i8 * 0 + 2], np.power)
    check_op(T.mul, [z, f32], np.multiply, grad=False)
    check_op(T.true_div, [z, z[:, ::-1]], np.true_divide, grad=False)
    check_op(T.pow, [z, i8 * 0 + 2], np.power, grad=False)


def test_divmod_ceil_intdiv():
    a = rng.randint(-30, 30, size=(3, 4)).astype("int32")
    b = (rng.randint(1, 6, size=(3, 4)) * rng.choice([-1, 1], size=(3, 4))).astype("int32")
    x, y = T.imatrix(), T.imatrix()
    q, r = T.divmod(x, y)
    f = hypatia.function([x, y], [q, r, T.ceil_intdiv(x, y)])
    got = f(a, b)
    np.testing.assert_array_equal(got[0], a // b)
    np.testing.assert_array_equal(got[1], a % b)
    np.testing.assert_array_equal(got[2], a // b + (a % b != 0))


def test_pprint_and_names():
    a, b = T.ivector("a"), T.ivector("b")
    assert hypatia.printing.pprint(a & b) == "(a & b)"
    assert hypatia.printing.pprint(a // b) == "(a // b)"
    assert hypatia.printing.pprint(T.maximum(a, b)) == "maximum(a, b)"
    assert str(T.switch(a, a, b).owner.op) == "Elemwise{switch,no_inplace}"


def test_rop_of_elementwise():
    x, v = T.dvector("x"), T.dvector("v")
    for f, d in ((T.sin, np.cos), (T.arctan, lambda a: 1 / (1 + a * a)), (T.erf, lambda a: 2 / np.sqrt(np.pi) * np.exp(-a * a))):
        r = T.Rop(f(x), x, v)
        xv, vv = u(-1, 1, (5,)), u(-1, 1, (5,))
        np.testing.assert_allclose(hypatia.function([x, v], r)(xv, vv), d(xv) * vv, rtol=1e-10)


@pytest.mark.parametrize("shape", [(40, 70), (0, 3)])
def test_switch_and_clip_with_every_mix_of_whole_and_single_inputs(shape):
    # ternary_loop's flat loops: each of the three inputs a whole array or a single value (a
    # 0-d constant or a length-1 broadcast), against numpy; an empty output reads no input.
    r = np.random.RandomState(5)
    whole = [r.uniform(-1, 1, size=shape) for _ in range(3)]
    cond = whole[0] > 0
    x = [T.matrix("a"), T.matrix("b"), T.matrix("c")]
    for mask in range(8):
        single = [bool(mask & (4 >> i)) for i in range(3)]
        args = [T.constant(0.25 * (i + 1)) if single[i] else x[i] for i in range(3)]
        vals = [0.25 * (i + 1) if single[i] else whole[i] for i in range(3)]
        ins = [x[i] for i in range(3) if not single[i]]
        feed = [whole[i] for i in range(3) if not single[i]]
        out_shape = shape if ins else ()
        clip = hypatia.function(ins, T.clip(args[0], args[1], args[2]), on_unused_input="ignore")(*feed)
        np.testing.assert_array_equal(clip, np.broadcast_to(np.clip(vals[0], vals[1], vals[2]), out_shape))
        c = (args[0] > 0) if not single[0] else T.constant(True)
        cv = cond if not single[0] else True
        sw = hypatia.function(ins, T.switch(c, args[1], args[2]), on_unused_input="ignore")(*feed)
        np.testing.assert_array_equal(sw, np.broadcast_to(np.where(cv, vals[1], vals[2]), out_shape))
