"""Sparse arithmetic through the harness against scipy.sparse / numpy: add/sub (AddSS, AddSD,
AddSSData, StructuredAddSV), mul (MulSS, MulSD, MulSV), comparisons, col/row scaling, the
structured ("monoid") functions and sp_sum; operators on sparse variables; errors; the
reference's worked example."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T
from harness import check_op

FORMATS = ["csr", "csc"]
R = np.random.RandomState(1234)


def mat(fmt, shape, dtype="float64", kind="sorted", p=0.5):
    """A random matrix of one variant: sorted, unsorted, explicit zero, empty rows/cols, all zero, int64 indices."""
    if kind == "all zero":
        return (sp.csr_matrix if fmt == "csr" else sp.csc_matrix)(shape, dtype=dtype)
    gap = (-3, 3) if np.dtype(dtype).kind in "iu" and np.dtype(dtype).kind != "u" else None
    kw = dict(out_dtype=dtype, rng=R, gap=gap)
    if kind == "unsorted":
        _, [m] = S.sparse_random_inputs(fmt, shape, p=0.8, unsorted_indices=True, **kw)
    elif kind == "explicit zero":
        _, [m] = S.sparse_random_inputs(fmt, shape, p=p, explicit_zero=True, **kw)
    elif kind == "empty rows/cols":
        _, [m] = S.sparse_random_inputs(fmt, shape, p=0.15, **kw)
    else:
        _, [m] = S.sparse_random_inputs(fmt, shape, p=p, **kw)
    if kind == "int64 indices":
        m.indices = m.indices.astype(np.int64)
        m.indptr = m.indptr.astype(np.int64)
    return m


KINDS = ["sorted", "unsorted", "explicit zero", "empty rows/cols", "all zero", "int64 indices"]
SHAPE = (3, 5)
CASES = [(f, d, k) for f in FORMATS for d in ["float32", "float64"] for k in KINDS]
IDS = ["%s-%s-%s" % c for c in CASES]


def tol(dtype):
    return dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else {}


def dense(shape, dtype="float64"):
    return R.uniform(-1, 1, size=shape).astype(dtype)


def as_fmt(x, fmt):
    return sp.csr_matrix(x).asformat(fmt) if not sp.issparse(x) else x.asformat(fmt)


# ---- add / sub ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,dtype,kind", CASES, ids=IDS)
def test_add_sub_s_s(fmt, dtype, kind):
    a, b = mat(fmt, SHAPE, dtype, kind), mat(fmt, SHAPE, dtype)
    out = check_op(S.add, [a, b], lambda x, y: (x + y).asformat(fmt), **tol(dtype))
    assert out.has_canonical_format
    check_op(lambda x, y: x + y, [a, b], lambda x, y: (x + y).asformat(fmt), **tol(dtype))
    check_op(S.add_s_s, [a, b], lambda x, y: (x + y).asformat(fmt), **tol(dtype))
    check_op(S.sub, [a, b], lambda x, y: (x - y).asformat(fmt), **tol(dtype))
    check_op(lambda x, y: x - y, [a, b], lambda x, y: (x - y).asformat(fmt), **tol(dtype))


@pytest.mark.parametrize("fmt", FORMATS)
def test_add_s_s_mixed_formats_and_dtypes(fmt):
    a = mat(fmt, SHAPE, "float32")
    other = "csc" if fmt == "csr" else "csr"
    b = mat(other, SHAPE, "float64", "unsorted")
    check_op(S.add, [a, b], lambda x, y: (x + y).asformat(fmt))
    ai = mat(fmt, SHAPE, "int32")
    check_op(S.add, [ai, b], lambda x, y: (x + y).asformat(fmt), grad=False)
    # the sum of x and -x drops every entry, as scipy
    x = S.csr_matrix("x") if fmt == "csr" else S.csc_matrix("x")
    f = hypatia.function([x], x - x)
    assert f(mat(fmt, SHAPE)).nnz == 0


@pytest.mark.parametrize("dtype", ["int8", "int64", "uint16", "complex64", "complex128", "bool"])
def test_add_s_s_other_dtypes(dtype):
    a, b = mat("csr", SHAPE, dtype), mat("csr", SHAPE, dtype, "unsorted")
    check_op(S.add, [a, b], lambda x, y: (x + y).asformat("csr"), grad=False)
    check_op(S.mul, [a, b], lambda x, y: x.multiply(y).asformat("csr"), grad=False)
    if dtype != "bool":
        check_op(S.sub, [a, b], lambda x, y: (x - y).asformat("csr"), grad=False)


@pytest.mark.parametrize("fmt,dtype,kind", CASES, ids=IDS)
def test_add_s_d(fmt, dtype, kind):
    # the gradient of the sparse operand of AddSD is structured (Theano's sp_ones_like(x) * gz)
    a, d = mat(fmt, SHAPE, dtype, kind), dense(SHAPE, dtype)
    check_op(S.add, [a, d], lambda x, y: x.toarray() + y, structured=True, **tol(dtype))
    check_op(S.add, [d, a], lambda y, x: x.toarray() + y, structured=True, **tol(dtype))
    check_op(S.add_s_d, [a, d], lambda x, y: x.toarray() + y, structured=True, **tol(dtype))
    check_op(lambda x, y: x + y, [a, d], lambda x, y: x.toarray() + y, structured=True, **tol(dtype))
    check_op(lambda y, x: y + x, [d, a], lambda y, x: x.toarray() + y, structured=True, **tol(dtype))
    check_op(S.sub, [a, d], lambda x, y: x.toarray() - y, structured=True, **tol(dtype))
    check_op(S.sub, [d, a], lambda y, x: y - x.toarray(), structured=True, **tol(dtype))
    check_op(lambda y, x: y - x, [d, a], lambda y, x: y - x.toarray(), structured=True, **tol(dtype))
    check_op(S.add_s_d, [a, d], lambda x, y: x.toarray() + y, structured=True, **tol(dtype))


def test_add_s_d_structured_grad_is_structured():
    a = mat("csr", SHAPE)
    x, y = S.csr_matrix("x"), T.matrix("y")
    g = hypatia.grad(S.add(x, y).sum(), x)
    assert g.type.kind == "sparse"
    gv = hypatia.function([x, y], g)(a, dense(SHAPE))
    assert gv.nnz == a.nnz  # only the stored entries


@pytest.mark.parametrize("fmt,dtype,kind", CASES, ids=IDS)
def test_add_s_s_data(fmt, dtype, kind):
    a = mat(fmt, SHAPE, dtype, kind)
    b = a.copy()
    b.data = R.uniform(-1, 1, size=b.data.shape).astype(dtype)
    check_op(S.add_s_s_data, [a, b], lambda x, y: as_fmt(x.toarray() + y.toarray(), fmt), structured=True,
             **tol(dtype))


@pytest.mark.parametrize("fmt,dtype,kind", CASES, ids=IDS)
def test_structured_add_s_v(fmt, dtype, kind):
    a, v = mat(fmt, SHAPE, dtype, kind), dense(SHAPE[1], dtype)

    def ref(x, y):
        c = x.tocoo()
        return sp.coo_matrix((c.data + y[c.col], (c.row, c.col)), shape=x.shape).asformat(fmt)

    check_op(S.structured_add_s_v, [a, v], ref, structured=True, **tol(dtype))


# ---- mul ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,dtype,kind", CASES, ids=IDS)
def test_mul_s_s(fmt, dtype, kind):
    a, b = mat(fmt, SHAPE, dtype, kind), mat(fmt, SHAPE, dtype, "unsorted")
    out = check_op(S.mul, [a, b], lambda x, y: x.multiply(y).asformat(fmt), **tol(dtype))
    assert out.nnz <= min(a.nnz, b.nnz)  # intersection pattern
    check_op(lambda x, y: x * y, [a, b], lambda x, y: x.multiply(y).asformat(fmt), **tol(dtype))
    check_op(S.mul_s_s, [a, b], lambda x, y: x.multiply(y).asformat(fmt), **tol(dtype))


@pytest.mark.parametrize("fmt,dtype,kind", CASES, ids=IDS)
def test_mul_s_d(fmt, dtype, kind):
    a = mat(fmt, SHAPE, dtype, kind)
    for d in [dense(SHAPE, dtype), dense((), dtype), dense(SHAPE[1], dtype)]:
        ref = lambda x, y: as_fmt(x.toarray() * y, fmt)
        check_op(S.mul, [a, d], ref, **tol(dtype))
        check_op(S.mul, [d, a], lambda y, x: as_fmt(x.toarray() * y, fmt), **tol(dtype))
        check_op(lambda x, y: x * y, [a, d], ref, **tol(dtype))
        check_op(S.mul_s_d, [a, d], ref, **tol(dtype))


@pytest.mark.parametrize("fmt", FORMATS)
def test_mul_s_d_broadcast_row_col(fmt):
    a = mat(fmt, SHAPE, "float64", "unsorted")
    for bc, shape in [((True, False), (1, SHAPE[1])), ((False, True), (SHAPE[0], 1))]:
        x = S.matrix(fmt, "x")
        y = T.tensor("float64", bc, "y")
        yv = dense(shape)
        f = hypatia.function([x, y], S.mul(x, y))
        np.testing.assert_allclose(f(a, yv).toarray(), a.toarray() * yv)
        # d sum(mul(x, y)) / dy sums x over the broadcast axis
        gy = hypatia.function([x, y], hypatia.grad(S.sp_sum(S.mul(x, y)), y))(a, yv)
        np.testing.assert_allclose(gy, a.toarray().sum(axis=0 if bc[0] else 1, keepdims=True))
    # a length-1 axis of a non-broadcastable matrix type does not stretch
    x, y = S.matrix(fmt, "x"), T.matrix("y")
    with pytest.raises(ValueError, match=r"^\[MulSD\]"):
        hypatia.function([x, y], S.mul(x, y))(a, dense((1, SHAPE[1])))


@pytest.mark.parametrize("fmt,dtype,kind", CASES, ids=IDS)
def test_mul_s_v(fmt, dtype, kind):
    a, v = mat(fmt, SHAPE, dtype, kind), dense(SHAPE[1], dtype)
    check_op(S.mul_s_v, [a, v], lambda x, y: as_fmt(x.toarray() * y, fmt), **tol(dtype))


@pytest.mark.parametrize("fmt,dtype,kind", CASES, ids=IDS)
def test_col_row_scale(fmt, dtype, kind):
    a = mat(fmt, SHAPE, dtype, kind)
    c, r = dense(SHAPE[1], dtype), dense(SHAPE[0], dtype)
    check_op(S.col_scale, [a, c], lambda x, s: as_fmt(x.toarray() * s[None, :], fmt), structured=True,
             **tol(dtype))
    check_op(S.row_scale, [a, r], lambda x, s: as_fmt(x.toarray() * s[:, None], fmt), structured=True,
             **tol(dtype))


# ---- comparisons ----------------------------------------------------------------------------

OPS = {"eq": np.equal, "neq": np.not_equal, "lt": np.less, "gt": np.greater, "le": np.less_equal,
       "ge": np.greater_equal}
SCIPY = {"eq": lambda a, b: a == b, "neq": lambda a, b: a != b, "lt": lambda a, b: a < b,
         "gt": lambda a, b: a > b, "le": lambda a, b: a <= b, "ge": lambda a, b: a >= b}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", sorted(OPS))
def test_compare_s_s(fmt, kind, name):
    a = mat(fmt, SHAPE, "float64", kind)
    b = a.copy()
    b.data = np.where(R.rand(b.nnz) < 0.5, b.data, R.uniform(-1, 1, b.nnz))
    b = b + mat(fmt, SHAPE, "float64")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)
        out = check_op(getattr(S, name), [a, b], lambda x, y: SCIPY[name](x, y).asformat(fmt))
    assert out.dtype == np.bool_


def test_compare_s_s_nan_matches_scipy():
    a = sp.csr_matrix(np.array([[0, 1.0, np.nan], [2, 0, 0]]))
    b = sp.csc_matrix(np.array([[0, 2.0, 0], [2, 0, -1]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)
        for name in OPS:
            got = hypatia.function([], getattr(S, name)(S.constant(a), S.constant(b)))()
            assert got.format == "csr"
            np.testing.assert_array_equal(got.toarray(), SCIPY[name](a, b).toarray(), err_msg=name)


def test_compare_s_s_warns_like_scipy():
    x, y = S.csr_matrix("x"), S.csr_matrix("y")
    for name, sym in [("eq", "=="), ("le", "<="), ("ge", ">=")]:
        with pytest.warns(sp.SparseEfficiencyWarning, match="using %s is inefficient" % sym):
            getattr(S, name)(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        S.lt(x, y), S.gt(x, y), S.neq(x, y)


def test_compare_warning_is_hypatias_subclass_of_scipys():
    # hypatia.sparse.math.SparseEfficiencyWarning is what is issued; scipy's filters still apply.
    from hypatia.sparse.math import SparseEfficiencyWarning
    assert SparseEfficiencyWarning is not sp.SparseEfficiencyWarning
    assert issubclass(SparseEfficiencyWarning, sp.SparseEfficiencyWarning)
    x, y = S.csr_matrix("x"), S.csr_matrix("y")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        S.eq(x, y)
        x < 1
    assert [w.category for w in caught] == [SparseEfficiencyWarning, SparseEfficiencyWarning]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)
        S.eq(x, y)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["sorted", "unsorted", "explicit zero", "all zero"])
@pytest.mark.parametrize("name", sorted(OPS))
def test_compare_s_d(fmt, kind, name):
    a, d = mat(fmt, SHAPE, "float64", kind), dense(SHAPE)
    d[0, :2] = 0
    out = check_op(getattr(S, name), [a, d], lambda x, y: OPS[name](x.toarray(), y))
    assert out.dtype == np.bool_ and isinstance(out, np.ndarray)
    check_op(getattr(S, name), [d, a], lambda y, x: OPS[name](y, x.toarray()))
    check_op(getattr(S, name), [a, np.float64(0.25)], lambda x, y: OPS[name](x.toarray(), y), grad=False)


def test_compare_operators():
    a, d = mat("csr", SHAPE, kind="unsorted"), dense(SHAPE)
    check_op(lambda x, y: x < y, [a, d], lambda x, y: x.toarray() < y)
    check_op(lambda x, y: x >= y, [a, d], lambda x, y: x.toarray() >= y)
    check_op(lambda y, x: y > x, [d, a], lambda y, x: y > x.toarray())  # reflected: x < y
    b = mat("csr", SHAPE)
    check_op(lambda x, y: x > y, [a, b], lambda x, y: x > y)
    x = S.csr_matrix("x")
    with pytest.warns(sp.SparseEfficiencyWarning, match="with 1 using < is inefficient"):
        x < 1
    with pytest.warns(sp.SparseEfficiencyWarning, match="with 0 using >= is inefficient"):
        r = x >= 0
    np.testing.assert_array_equal(hypatia.function([x], r)(a), a.toarray() >= 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x > 0, x < 0


@pytest.mark.parametrize("dtype", ["int32", "complex128", "bool", "uint8"])
def test_compare_other_dtypes(dtype):
    a, b = mat("csr", SHAPE, dtype), mat("csr", SHAPE, dtype, "unsorted")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)
        for name in OPS:
            check_op(getattr(S, name), [a, b], lambda x, y: SCIPY[name](x, y).asformat("csr"), grad=False)
            check_op(getattr(S, name), [a, b.toarray()], lambda x, y: OPS[name](x.toarray(), y), grad=False)


# ---- structured elementwise -----------------------------------------------------------------

def _structured_ref(f):
    def ref(x, *args):
        out = x.copy()
        out.data = np.asarray(f(x.data, *args))
        return out
    return ref


MONOIDS = {
    "structured_sigmoid": (lambda d: 1 / (1 + np.exp(-d)), (-1, 1)),
    "structured_exp": (np.exp, (-1, 1)),
    "structured_log": (np.log, (0.5, 2)),
    "sin": (np.sin, (-1, 1)), "arcsin": (np.arcsin, (-0.9, 0.9)), "tan": (np.tan, (-1, 1)),
    "arctan": (np.arctan, (-1, 1)), "sinh": (np.sinh, (-1, 1)), "arcsinh": (np.arcsinh, (-1, 1)),
    "tanh": (np.tanh, (-1, 1)), "arctanh": (np.arctanh, (-0.9, 0.9)), "rad2deg": (np.rad2deg, (-1, 1)),
    "deg2rad": (np.deg2rad, (-1, 1)), "rint": (np.rint, (-3, 3)), "ceil": (np.ceil, (-3, 3)),
    "floor": (np.floor, (-3, 3)), "trunc": (np.trunc, (-3, 3)), "sgn": (np.sign, (-1, 1)),
    "log1p": (np.log1p, (-0.5, 1)), "expm1": (np.expm1, (-1, 1)), "sqr": (np.square, (-1, 1)),
    "sqrt": (np.sqrt, (0.5, 2)),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(MONOIDS))
def test_monoids(fmt, dtype, name):
    f, gap = MONOIDS[name]
    _, [a] = S.sparse_random_inputs(fmt, SHAPE, out_dtype=dtype, gap=gap, p=0.6, rng=R)
    piecewise = name in ("rint", "ceil", "floor", "trunc", "sgn")
    if not piecewise:
        a.data[:] = np.where(np.abs(a.data) < 1e-3, 0.3, a.data)
    out = check_op(getattr(S, name), [a], lambda x: _structured_ref(f)(x).astype(dtype), structured=True,
                   grad=not piecewise, **tol(dtype))
    assert out.nnz == a.nnz  # the pattern is kept


@pytest.mark.parametrize("fmt", FORMATS)
def test_monoids_unsorted_and_explicit_zero(fmt):
    a = mat(fmt, SHAPE, "float64", "unsorted")
    check_op(S.structured_exp, [a], _structured_ref(np.exp), structured=True)
    a = mat(fmt, SHAPE, "float64", "explicit zero")
    out = check_op(S.structured_exp, [a], _structured_ref(np.exp), structured=True)
    assert out.nnz == a.nnz and np.any(out.data == 1.0)  # exp of a stored 0 is stored 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_monoids_with_scalar(fmt):
    _, [a] = S.sparse_random_inputs(fmt, SHAPE, gap=(0.5, 2), rng=R)
    check_op(lambda x: S.structured_pow(x, 3), [a], _structured_ref(lambda d: d ** 3), structured=True)
    check_op(lambda x: S.structured_minimum(x, 1.0), [a], _structured_ref(lambda d: np.minimum(d, 1.0)),
             structured=True)
    check_op(lambda x: S.structured_maximum(x, 1.0), [a], _structured_ref(lambda d: np.maximum(d, 1.0)),
             structured=True)
    check_op(lambda x: S.structured_add(x, 2), [a], _structured_ref(lambda d: d + 2), structured=True)
    check_op(lambda x, p: S.structured_pow(x, p), [a, np.float64(2.0)], _structured_ref(lambda d, p: d ** p),
             structured=True)


def test_structured_add_worked_example():
    """The manual's example: structured_add(x, 2) on a float32 csc matrix."""
    x = S.csc_matrix(name="x", dtype="float32")
    y = S.structured_add(x, 2)
    f = hypatia.function([x], y)
    a = sp.csc_matrix(np.asarray([[0, 0, -1], [0, -2, 1], [3, 0, 0]], dtype="float32"))
    out = f(a)
    assert out.format == "csc" and out.dtype == np.float32
    np.testing.assert_array_equal(out.toarray(), [[0.0, 0.0, 1.0], [0.0, 0.0, 3.0], [5.0, 0.0, 0.0]])


def test_abs_operator():
    a = mat("csr", SHAPE, "float64", "unsorted")
    a.data -= 0.5
    check_op(lambda x: abs(x), [a], lambda x: abs(x), structured=True)


# ---- sp_sum ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,dtype,kind", CASES, ids=IDS)
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_sp_sum(fmt, dtype, kind, axis):
    a = mat(fmt, SHAPE, dtype, kind)
    ref = lambda x: np.asarray(x.sum(axis)).ravel() if axis is not None else np.asarray(x.sum())
    check_op(lambda x: S.sp_sum(x, axis), [a], ref, **tol(dtype))
    check_op(lambda x: S.sp_sum(x, axis, sparse_grad=True), [a], ref, structured=True, **tol(dtype))
    check_op(lambda x: x.sum(axis), [a], ref, **tol(dtype))


@pytest.mark.parametrize("dtype", ["int8", "uint32", "int64", "complex64", "bool"])
def test_sp_sum_dtypes(dtype):
    a = mat("csc", SHAPE, dtype, "unsorted")
    for axis in (None, 0, 1):
        ref = lambda x: np.asarray(x.sum(axis)).ravel() if axis is not None else np.asarray(x.sum())
        check_op(lambda x: S.sp_sum(x, axis), [a], ref, grad=False)


def test_sp_sum_grads():
    a = mat("csr", SHAPE)
    x = S.csr_matrix("x")
    for sparse_grad, nnz in [(False, SHAPE[0] * SHAPE[1]), (True, a.nnz)]:
        g = hypatia.grad(S.sp_sum(x, 0, sparse_grad).sum(), x)
        assert g.type.kind == "sparse" and g.type.format == "csr"
        assert hypatia.function([x], g)(a).nnz == nnz
    assert str(S.SpSum(axis=1, sparse_grad=False)) == "SpSum{axis=1, sparse_grad=False}"


def test_mean_operator():
    a = mat("csr", SHAPE)
    check_op(lambda x: x.mean(), [a], lambda x: np.asarray(x.mean()))
    check_op(lambda x: x.mean(0), [a], lambda x: np.asarray(x.mean(0)).ravel())


# ---- gradients through a sparse variable used twice ----------------------------------------

def test_grad_accumulates_sparse_terms():
    a = mat("csr", SHAPE)
    check_op(lambda x: S.mul(x, x), [a], lambda x: x.multiply(x).asformat("csr"))
    check_op(lambda x: S.add(S.mul(x, 2.0), x), [a], lambda x: (x * 2.0 + x).asformat("csr"))


# ---- op objects, names and errors ------------------------------------------------------------

def test_op_names():
    x, y, d, v = S.csr_matrix("x"), S.csr_matrix("y"), T.matrix("d"), T.vector("v")
    assert S.add(x, y).owner.op.name == "AddSS"
    assert S.add(x, d).owner.op.name == "AddSD"
    assert S.mul(x, y).owner.op.name == "MulSS"
    assert S.mul(x, d).owner.op.name == "MulSD"
    assert S.mul_s_v(x, v).owner.op.name == "MulSV"
    assert S.lt(x, y).owner.op.name == "LessThanSS"
    assert S.lt(x, d).owner.op.name == "LessThanSD"
    assert S.lt(d, x).owner.op.name == "GreaterThanSD"
    assert S.col_scale(x, v).owner.op.name == "ColScaleCSC"
    assert S.AddSS()(x, y).type.format == "csr"
    assert S.add(x, d).type.kind != "sparse"
    assert S.mul(x, d).type.kind == "sparse"
    assert S.lt(x, y).type.dtype == "bool" and S.lt(x, y).type.kind == "sparse"
    assert S.lt(x, d).type.dtype == "bool" and S.lt(x, d).type.kind != "sparse"


def test_errors():
    x, y, d, v = S.csr_matrix("x"), S.csc_matrix("y"), T.matrix("d"), T.vector("v")
    with pytest.raises(TypeError, match=r"^\[AddSS\]"):
        S.add_s_s(x, d)
    with pytest.raises(TypeError, match=r"^\[AddSD\]"):
        S.add_s_d(d, x)
    with pytest.raises(TypeError, match=r"^\[AddSSData\]"):
        S.add_s_s_data(x, y)
    with pytest.raises(TypeError, match=r"^\[AddSSData\]"):
        S.add_s_s_data(x, S.csr_matrix("z", dtype="float32"))
    with pytest.raises(TypeError, match=r"^\[MulSV\]"):
        S.mul_s_v(x, d)
    with pytest.raises(TypeError, match=r"^\[StructuredAddSV\]"):
        S.structured_add_s_v(x, d)
    with pytest.raises(TypeError, match=r"^\[add\]"):
        S.add(d, d)
    with pytest.raises(TypeError, match=r"^\[MulSD\]"):
        S.mul_s_d(x, T.tensor3("t"))
    with pytest.raises(TypeError, match=r"^\[structured_pow\]"):
        S.structured_pow(x, v)
    with pytest.raises(TypeError, match=r"^\[SpSum\]"):
        S.sp_sum(d)
    with pytest.raises(ValueError, match=r"^\[SpSum\]"):
        S.sp_sum(x, 2)
    with pytest.raises(TypeError, match=r"^\[sub\]"):
        S.sub(S.csr_matrix("b", dtype="bool"), S.csr_matrix("c", dtype="bool"))
    a, b = mat("csr", (3, 5)), mat("csr", (5, 3))
    for build, name in [(S.add, "AddSS"), (S.mul, "MulSS"), (S.lt, "LessThanSS")]:
        z, w = S.csr_matrix("z"), S.csr_matrix("w")
        with pytest.raises(ValueError, match=r"^\[%s\]" % name):
            hypatia.function([z, w], build(z, w))(a, b)
    z, dd = S.csr_matrix("z"), T.matrix("dd")
    with pytest.raises(ValueError, match=r"^\[AddSD\]"):
        hypatia.function([z, dd], S.add(z, dd))(a, dense((5, 3)))
    with pytest.raises(ValueError, match=r"^\[MulSD\]"):
        hypatia.function([z, dd], S.mul(z, dd))(a, dense((5, 3)))
    vv = T.vector("vv")
    with pytest.raises(ValueError, match=r"^\[MulSV\]"):
        hypatia.function([z, vv], S.mul_s_v(z, vv))(a, dense(3))
    with pytest.raises(ValueError, match=r"^\[ColScaleCSC\]"):
        hypatia.function([z, vv], S.col_scale(z, vv))(a, dense(3))
    with pytest.raises(ValueError, match=r"^\[RowScaleCSC\]"):
        hypatia.function([z, vv], S.row_scale(z, vv))(a, dense(5))
    q = S.csr_matrix("q")
    with pytest.raises(ValueError, match=r"^\[AddSSData\]"):
        hypatia.function([z, q], S.add_s_s_data(z, q))(a, sp.csr_matrix((3, 5)))
    with pytest.raises(TypeError, match=r"^\[truediv\]"):
        S.csr_matrix("p") / S.csr_matrix("q")
    with pytest.raises(NotImplementedError, match=r"structured_pow"):
        S.csr_matrix("p") ** 2
