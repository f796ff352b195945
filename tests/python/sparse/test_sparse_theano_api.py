"""Theano semantics that ported programs rely on (issue 8, section 1): hypatia.dot is
structured_dot on sparse operands; structured_dot(dense, sparse); constants and keyword inputs
for op instances; conj, may_share_memory, values_eq[_approx], hash_from_sparse, the dtype
groups, hypatia.sparse_grad, bool in all_dtypes, StructuredDotGradCSR/CSC's inputs,
multinomial's numpy rules; complex -> real cast with ComplexWarning."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T
from harness import check_op, sparse_variants

try:
    from numpy.exceptions import ComplexWarning
except ImportError:  # numpy < 1.25
    ComplexWarning = np.ComplexWarning

FORMATS = ["csr", "csc"]
FLOATS = ["float32", "float64"]
R = np.random.RandomState(17)


def variants(fmt, shape, dtype):
    return sparse_variants(fmt, shape, dtype, R)


CASES = [(f, d, label, m) for f in FORMATS for d in FLOATS for label, m in variants(f, (3, 5), d)]
IDS = ["%s-%s-%s" % (f, d, label) for f, d, label, _ in CASES]


def tol(dtype):
    return dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else {}


def sparse_m(fmt, shape=(4, 6), dtype="float64", p=0.3, **kw):
    _, [m] = S.sparse_random_inputs(fmt, shape, out_dtype=dtype, p=p, rng=R, **kw)
    return m


# ---------------------------------------------------------------- 1. hypatia.dot is structured_dot

@pytest.mark.parametrize("fmt", FORMATS)
def test_top_level_dot_of_two_sparse_is_sparse(fmt):
    x, y = S.matrix(fmt, "x"), S.csr_matrix("y")
    out = hypatia.dot(x, y)
    assert out.type.kind == "sparse" and out.type.format == fmt
    assert S.dot(x, y).type.kind == "tensor"  # sparse.dot stays the regular Dot: dense result
    a, b = sparse_m(fmt, (4, 6)), sparse_m("csr", (6, 3))
    got = hypatia.function([x, y], out)(a, b)
    assert sp.issparse(got) and got.format == fmt
    np.testing.assert_allclose(got.toarray(), (a @ b).toarray())


@pytest.mark.parametrize("fmt", FORMATS)
def test_top_level_dot_gradient_is_structured(fmt):
    a = sparse_m(fmt, (4, 6), p=0.3, explicit_zero=True)
    W = R.randn(6, 3)
    x, w = S.matrix(fmt, "x"), T.dmatrix("w")
    g_top = hypatia.function([x, w], hypatia.grad(T.sum(hypatia.dot(x, w)), x))(a, W).toarray()
    g_reg = hypatia.function([x, w], hypatia.grad(T.sum(S.dot(x, w)), x))(a, W).toarray()
    g_str = hypatia.function([x, w], hypatia.grad(T.sum(S.structured_dot(x, w)), x))(a, W).toarray()
    pattern = a.copy()
    pattern.data[:] = 1
    on = pattern.toarray() != 0
    np.testing.assert_allclose(g_top, g_str)
    assert np.all(g_top[~on] == 0)
    np.testing.assert_allclose(g_top[on], g_reg[on])
    assert np.any(g_reg[~on] != 0)  # the regular gradient of sparse.dot differs here
    assert not np.allclose(g_top, g_reg)
    # dense . sparse: the sparse operand's gradient is structured too (r.__rdot__(l)).
    V = R.randn(3, 4)
    v = T.dmatrix("v")
    g2 = hypatia.function([v, x], hypatia.grad(T.sum(hypatia.dot(v, x)), x))(V, a).toarray()
    assert np.all(g2[~on] == 0) and np.any(g2[on] != 0)


def test_top_level_dot_dense_and_constants():
    a, b = T.dmatrix("a"), T.dmatrix("b")
    A, B = R.randn(2, 3), R.randn(3, 4)
    assert hypatia.dot(a, b).type.kind == "tensor"
    np.testing.assert_allclose(hypatia.function([a, b], hypatia.dot(a, b))(A, B), A @ B)
    m = sparse_m("csr", (3, 4))
    np.testing.assert_allclose(hypatia.function([a], hypatia.dot(a, m))(A), A @ m.toarray())  # scipy operand
    with pytest.raises(TypeError):
        T.dot(S.csr_matrix("x"), b)  # tensor.dot stays dense-only
    x = S.csr_matrix("x")
    assert x.__dot__(b).owner is not None and b.__rdot__(x).type == x.__dot__(b).type
    assert "structured_dot" in hypatia.dot.__doc__ and "regular" in S.dot.__doc__.lower()


# ---------------------------------------------------------------- 2. structured_dot(dense, sparse)

@pytest.mark.parametrize("fmt,dtype,label,m", CASES, ids=IDS)
def test_structured_dot_dense_sparse(fmt, dtype, label, m):
    X = R.randn(4, 3).astype(dtype)
    check_op(S.structured_dot, [X, m], lambda a, b: np.asarray(a @ b), structured=True, **tol(dtype))
    v = R.randn(3).astype(dtype)
    check_op(S.structured_dot, [v, m], lambda a, b: np.asarray(b.T @ a), structured=True, **tol(dtype))


def test_structured_dot_two_dense_raises():
    with pytest.raises(TypeError, match=r"^\[StructuredDot\]"):
        S.structured_dot(T.dmatrix(), T.dmatrix())


# ---------------------------------------------------------------- 4. constants and keyword inputs

@pytest.mark.parametrize("fmt", FORMATS)
def test_op_instances_accept_constants(fmt):
    m = sparse_m(fmt, (3, 4), p=0.5)
    m2 = sparse_m(fmt, (3, 4), p=0.5)
    D = R.randn(4, 2)
    E = R.randn(3, 4)
    x = S.matrix(fmt, "x", "float64")
    ev = lambda v: hypatia.function([], v)()  # noqa: E731

    def dense(v):
        return v.toarray() if sp.issparse(v) else np.asarray(v)

    checks = [
        (S.StructuredDot()(m, D), m @ D),
        (S.Dot()(E.T.copy(), m), E.T @ m.toarray()),
        (S.TrueDot()(m, D), m @ D),
        (S.AddSS()(m, m2), m + m2),
        (S.AddSD()(m, E), m.toarray() + E),
        (S.MulSS()(m, m2), m.multiply(m2)),
        (S.MulSD()(m, E), m.multiply(E)),
        (S.Transpose()(m), m.T),
        (S.Neg()(m), -m),
        (S.DenseFromSparse()(m), m.toarray()),
        (S.SamplingDot()(E, E, sparse_m(fmt, (3, 3), p=0.5)), None),
        (S.Usmm()(2.0, m, D, R.randn(3, 2)), None),
        (S.CSM("csr")([1.0, 2.0], [0, 2], [0, 1, 2], [2, 3]), np.array([[1.0, 0, 0], [0, 0, 2.0]])),
        (S.add(m, E), m.toarray() + E),
        (S.mul(m, 2.0), (m * 2.0)),
        (S.sub(m, m2), m - m2),
        (S.structured_dot(m, D), m @ D),
        (S.dot(E.T.copy(), m), E.T @ m.toarray()),
        (S.true_dot(m, D), m @ D),
    ]
    for v, want in checks:
        got = ev(v)
        if want is not None:
            np.testing.assert_allclose(dense(got), dense(want))
    # a scipy matrix next to a variable, through an op instance
    f = hypatia.function([x], S.StructuredDot()(x, D))
    np.testing.assert_allclose(f(m), m @ D)
    with pytest.raises(TypeError, match=r"^\[StructuredDot\]"):
        S.StructuredDot()(m.tocoo(), D)


def test_op_instances_accept_theano_keyword_inputs():
    m = sp.csr_matrix(np.arange(12, dtype="float64").reshape(3, 4))
    x = S.csr_matrix("x", "float64")
    f = lambda out: hypatia.function([x], out)(m)  # noqa: E731
    np.testing.assert_allclose(f(S.GetItemList()(x, index=[0, 2])).toarray(), m[[0, 2]].toarray())
    np.testing.assert_allclose(f(S.GetItemList()(x=x, index=np.array([1]))).toarray(), m[[1]].toarray())
    np.testing.assert_allclose(f(S.GetItem2Lists()(x, ind1=[0, 2], ind2=[1, 3])), [1.0, 11.0])
    assert float(f(S.GetItemScalar()(x, index=(1, 2)))) == 6.0
    assert float(f(S.GetItemScalar()(x, (2, 3)))) == 11.0  # Theano's positional (x, index)
    g = S.GetItemListGrad()(x, index=[0], gz=sp.csr_matrix(np.ones((1, 4))))
    np.testing.assert_allclose(f(g).toarray()[0], np.ones(4))
    D = np.ones((4, 2))
    np.testing.assert_allclose(f(S.StructuredDot()(a=x, b=D)), m @ D)
    np.testing.assert_allclose(f(S.Usmm()(alpha=2.0, x=x, y=D, z=np.zeros((3, 2)))), 2 * (m @ D))
    c = S.CSM("csr")(data=[1.0], indices=[1], indptr=[0, 1], shape=[1, 2])
    np.testing.assert_allclose(hypatia.function([], c)().toarray(), [[0, 1.0]])
    np.testing.assert_allclose(f(S.SpSum(axis=0)(x=x)), np.asarray(m.sum(axis=0)).ravel())
    for bad, msg in [(lambda: S.GetItemList()(x, idx=[0]), "unexpected keyword input 'idx'"),
                     (lambda: S.GetItemList()(x, [0], index=[0]), "twice"),
                     (lambda: S.GetItem2Lists()(x, ind1=[0]), "missing the input 'ind2'"),
                     (lambda: S.GetItemScalar()(x, index=1), "tuple of 2"),
                     (lambda: S.HStack()(x, mat=x), "by position only")]:
        with pytest.raises(TypeError, match=msg):
            bad()


# ---------------------------------------------------------------- 7. missing names

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_conj(fmt, dtype):
    m = sparse_m(fmt, (3, 5), dtype=dtype, p=0.6, unsorted_indices=True)
    got = check_op(S.conj, [m], lambda a: a.conj(), grad=(dtype == "float64"), structured=True)
    assert got.nnz == m.nnz
    if dtype == "complex128":
        assert np.any(got.toarray().imag != m.toarray().imag)


def test_may_share_memory():
    a = sp.csr_matrix(np.eye(3))
    b = a.copy()
    assert S.SparseType.may_share_memory(a, a.data) and S.SparseType.may_share_memory(a.indptr, a)
    assert S.SparseType.may_share_memory(a, a) and not S.SparseType.may_share_memory(a, b)
    assert not S.SparseType.may_share_memory(a.data, a.data.copy())
    assert S.csr_dmatrix.may_share_memory(a, a.indices)
    x = np.zeros(4)
    assert T.TensorType.may_share_memory(x, x[1:]) and not T.TensorType.may_share_memory(x, x.copy())
    assert T.dvector.may_share_memory(x, x) and not T.dvector.may_share_memory(x, a)


def test_values_eq_tensor():
    t = T.dvector
    nan = np.nan
    assert t.values_eq(np.array([1.0, nan]), np.array([1.0, nan]))
    assert not t.values_eq(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]))
    assert not t.values_eq(np.array([1.0, 2.0]), np.array([1.0, 2.0], dtype="float32"))
    assert T.TensorType.values_eq(np.array([1.0, 2.0]), np.array([1.0, 2.0], dtype="float32"), force_same_dtype=False)
    assert not t.values_eq(np.array([1.0]), np.array([1.0, 1.0]))
    assert t.values_eq_approx(np.array([1.0, nan, np.inf]), np.array([1.0 + 1e-9, nan, np.inf]))
    assert not t.values_eq_approx(np.array([1.0, nan]), np.array([1.0, 2.0]))
    assert t.values_eq_approx(np.array([1.0, nan]), np.array([1.0, 2.0]), allow_remove_nan=True)
    assert t.values_eq_approx(np.array([1.0, np.inf]), np.array([1.0, 2.0]), allow_remove_inf=True)
    assert not t.values_eq_approx(np.array([1.0, np.inf]), np.array([1.0, -np.inf]))
    assert not t.values_eq_approx(np.array([0.0]), np.array([5e-6]))
    assert T.fvector.values_eq_approx(np.array([0.0], "float32"), np.array([5e-6], "float32"))  # Theano's 1e-5
    assert T.TensorType.values_eq_approx(np.array([0.0]), np.array([5e-6]), atol=1e-5)
    assert not T.lvector.values_eq_approx(np.array([1, 2]), np.array([1, 3]))
    assert not t.values_eq_approx(np.array([1.0]), [1.0])


def test_values_eq_sparse():
    t = S.csr_dmatrix
    a = sp.csr_matrix(np.array([[0, 1.5, 0], [2, 0, -1]]))
    b = sp.csr_matrix((np.array([1.0, 0.5, 0.0, -1, 2]), np.array([1, 1, 2, 2, 0]), np.array([0, 3, 5])), shape=(2, 3))
    assert t.values_eq(a, b) and t.values_eq(a, a.tocsc())
    c = a.copy()
    c.data[0] += 1e-7
    assert not t.values_eq(a, c) and t.values_eq_approx(a, c)
    assert not t.values_eq_approx(a, c, eps=1e-8)
    c.data[0] += 1e-3
    assert not t.values_eq_approx(a, c)
    assert not t.values_eq(a, a.toarray()) and not t.values_eq(a, sp.csr_matrix((3, 2)))


def test_hash_from_sparse():
    from hypatia.sparse.utils import hash_from_sparse
    a = sparse_m("csr", (4, 5), p=0.5)
    h = hash_from_sparse(a)
    assert isinstance(h, str) and h == hash_from_sparse(a.copy())
    assert h != hash_from_sparse(a.tocsc()) and h != hash_from_sparse(a.astype("float32"))
    b = a.copy()
    b.data[0] += 1
    assert h != hash_from_sparse(b)
    assert hash_from_sparse(sp.csr_matrix((1, 0))) != hash_from_sparse(sp.csr_matrix((2, 0)))
    import hashlib
    m = lambda x: "m" + hashlib.sha256(x if isinstance(x, bytes) else x.encode()).hexdigest()  # noqa: E731
    want = m(m(a.data.tobytes()) + m(a.indices.tobytes()) + m(a.indptr.tobytes()) + m(str(a.shape))
             + m(str(a.dtype)) + m("csr"))
    assert h == want  # Theano's recipe
    with pytest.raises(TypeError, match=r"^\[hash_from_sparse\]"):
        hash_from_sparse(a.tocoo())


def test_dtype_groups_and_names():
    assert T.int_dtypes == ["int8", "int16", "int32", "int64"]
    assert T.uint_dtypes == ["uint8", "uint16", "uint32", "uint64"]
    assert T.float_dtypes == ["float16", "float32", "float64"]
    assert T.complex_dtypes == ["complex64", "complex128"]
    assert T.integer_dtypes == T.int_dtypes + T.uint_dtypes
    assert T.discrete_dtypes == ["bool"] + T.integer_dtypes
    assert T.continuous_dtypes == T.float_dtypes + T.complex_dtypes
    assert T.all_dtypes == T.discrete_dtypes + T.continuous_dtypes
    assert "bool" in S.all_dtypes and S.csr_matrix(dtype="bool").dtype == "bool"
    assert hypatia.sparse_grad is S.sparse_grad
    W = T.dmatrix("W")
    g = hypatia.grad(T.sum(hypatia.sparse_grad(W[[0, 2]])), W)
    assert g.type.kind == "sparse"


@pytest.mark.parametrize("fmt", FORMATS)
def test_structured_dot_grad_ops_take_indices_and_indptr(fmt):
    a = sparse_m(fmt, (4, 5), p=0.5, unsorted_indices=True)
    B, G = R.randn(5, 3), R.randn(4, 3)
    op = S.StructuredDotGradCSR() if fmt == "csr" else S.StructuredDotGradCSC()
    out = op(a.indices, a.indptr, B, G)
    assert out.type.kind == "tensor" and out.ndim == 1
    data = hypatia.function([], out)()
    full = G @ B.T
    outer = np.repeat(np.arange(len(a.indptr) - 1), np.diff(a.indptr))  # storage order
    rows, cols = (outer, a.indices) if fmt == "csr" else (a.indices, outer)
    np.testing.assert_allclose(data, full[rows, cols])
    kw = op(a_indices=a.indices, a_indptr=a.indptr, b=B, g_ab=G)
    np.testing.assert_allclose(hypatia.function([], kw)(), data)
    with pytest.raises(TypeError, match=r"^\[StructuredDotGrad" + fmt.upper() + r"\]"):
        op(S.as_sparse_variable(a), B, G)


def test_multinomial_float_n_and_float32_rows():
    pd = np.zeros((4, 3), dtype="float32")
    pd[0] = [0.1, 0.2, 0.7]
    pd[1, [0, 2]] = [0.6, 0.6]
    pd[2, 1] = 1.0
    pd[3] = [0.3, 0.3, 0.4]
    for row in pd:
        np.random.multinomial(5, row[row != 0])  # numpy accepts each row
    p = sp.csr_matrix(pd)
    pv = S.csr_matrix("p", "float32")
    # rows 1 and 3 sum to more than 1 + 1e-8 in float64; numpy sums all but the last entry
    h = hypatia.function([pv], S.multinomial(3, pv, seed=1))
    np.testing.assert_array_equal(h(p).toarray().sum(axis=1), [3, 3, 3, 3])
    f = hypatia.function([pv], S.multinomial(5.0, pv, seed=2))
    np.testing.assert_array_equal(f(p).toarray().sum(axis=1), [5, 5, 5, 5])
    n = T.dvector("n")
    g = hypatia.function([n, pv], S.multinomial(n, pv, seed=2))
    np.testing.assert_array_equal(g([1.0, 2.5, 3.0, 0.0], p).toarray().sum(axis=1), [1, 2, 3, 0])
    bad = pd.copy()
    bad[0, 0] = 1.5
    with pytest.raises(ValueError, match=r"^\[Multinomial\]"):
        f(sp.csr_matrix(bad))


# ---------------------------------------------------------------- 8. complex -> real cast

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("to", ["float64", "float32", "int64"])
def test_cast_complex_to_real_drops_imaginary_part_with_complex_warning(fmt, to):
    m = sp.csr_matrix(np.array([[1.5 + 2j, 0, 0], [0, -3 - 1j, 4j]])).asformat(fmt)
    x = S.matrix(fmt, "x", "complex128")
    with pytest.warns(ComplexWarning, match="discards the imaginary part"):
        y = S.cast(x, to)
    with pytest.warns(ComplexWarning):
        y2 = S.Cast(to)(x)
    with pytest.warns(ComplexWarning):
        x.astype(to)
    assert y.dtype == to and y2.dtype == to and y.type.format == fmt
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexWarning)
        want = m.astype(to)
    got = hypatia.function([x], y)(m)
    assert got.dtype == np.dtype(to) and got.nnz == want.nnz
    np.testing.assert_array_equal(got.toarray(), want.toarray())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        S.cast(x, "complex64")
        S.cast(x, "bool")  # numpy's complex -> bool is a non-zero test, without a warning
        S.cast(S.matrix(fmt, dtype="float64"), "float32")
