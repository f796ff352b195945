"""Sparse foundation through the harness: conversions, CSM/csm_properties, cast, transpose, neg,
remove0/ensure_sorted_indices/clean, diagonals; variables, constants, shared values, operators,
errors; the reference's worked examples."""
import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T
from harness import check_op, sparse_variants

FORMATS = ["csr", "csc"]
SHAPES = [(3, 5), (5, 3)]
R = np.random.RandomState(42)


def variants(fmt, shape, dtype):
    return sparse_variants(fmt, shape, dtype, R)


CASES = [(f, s, d, label, m) for f in FORMATS for s in SHAPES for d in ["float32", "float64"]
         for label, m in variants(f, s, d)]
IDS = ["%s-%dx%d-%s-%s" % (f, s[0], s[1], d, label) for f, s, d, label, _ in CASES]


def other(fmt):
    return "csc" if fmt == "csr" else "csr"


def as_fmt(m, fmt):
    return m.asformat(fmt)


@pytest.mark.parametrize("fmt,shape,dtype,label,m", CASES, ids=IDS)
def test_dense_from_sparse(fmt, shape, dtype, label, m):
    check_op(lambda x: S.dense_from_sparse(x), [m], lambda a: a.toarray(), structured=True)
    check_op(lambda x: S.DenseFromSparse(structured=False)(x), [m], lambda a: a.toarray())
    check_op(lambda x: x.toarray(), [m], lambda a: a.toarray(), structured=True)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sparse_from_dense(fmt, shape, dtype):
    a = (R.uniform(-1, 1, size=shape) * (R.uniform(size=shape) < 0.5)).astype(dtype)
    build = S.csr_from_dense if fmt == "csr" else S.csc_from_dense
    got = check_op(build, [a], lambda v: sp.csr_matrix(v).asformat(fmt))
    assert got.has_sorted_indices and got.dtype == np.dtype(dtype)
    check_op(lambda x: S.SparseFromDense(fmt)(x), [a], lambda v: sp.csr_matrix(v).asformat(fmt))


@pytest.mark.parametrize("fmt,shape,dtype,label,m", CASES, ids=IDS)
def test_structure_preserving_ops(fmt, shape, dtype, label, m):
    check_op(S.transpose, [m], lambda a: a.T.asformat(other(fmt)))
    check_op(lambda x: x.T, [m], lambda a: a.T.asformat(other(fmt)))
    check_op(S.neg, [m], lambda a: -a)
    check_op(lambda x: -x, [m], lambda a: -a)
    check_op(S.remove0, [m], lambda a: a)
    check_op(S.ensure_sorted_indices, [m], lambda a: a)
    check_op(S.clean, [m], lambda a: a)
    check_op(lambda x: S.as_format(x, other(fmt)), [m], lambda a: a.asformat(other(fmt)))
    to = "float64" if dtype == "float32" else "float32"
    check_op(lambda x: S.cast(x, to), [m], lambda a: a.astype(to), rtol=1e-6)
    check_op(lambda x: x.astype(to), [m], lambda a: a.astype(to), rtol=1e-6)
    check_op(S.sp_ones_like, [m], lambda a: type(a)((np.ones_like(a.data), a.indices, a.indptr), a.shape))
    check_op(S.sp_zeros_like, [m], lambda a: type(a)(a.shape, dtype=a.dtype))


@pytest.mark.parametrize("fmt,shape,dtype,label,m", CASES, ids=IDS)
def test_csm_properties_and_csm(fmt, shape, dtype, label, m):
    x = S.matrix(fmt, "x", dtype)
    data, indices, indptr, shp = S.csm_properties(x)
    f = hypatia.function([x], [data, indices, indptr, shp])
    d, i, p, s = f(m)
    nnz = m.indptr[-1]
    np.testing.assert_array_equal(d, m.data[:nnz])
    np.testing.assert_array_equal(i, m.indices[:nnz])
    np.testing.assert_array_equal(p, m.indptr)
    np.testing.assert_array_equal(s, m.shape)
    assert (i.dtype, p.dtype, s.dtype) == (np.int32, np.int32, np.int64)
    check_op(S.csm_data, [m], lambda a: a.data[:a.indptr[-1]], structured=True)
    build = S.CSR if fmt == "csr" else S.CSC
    check_op(lambda v: build(*S.csm_properties(v)), [m], lambda a: a, structured=True)
    check_op(lambda v: S.CSM(fmt)(*S.csm_properties(v)), [m], lambda a: a, structured=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_csm_from_arrays_regular_grad_wrt_data(fmt):
    indices = np.array([2, 0, 4, 1, 1], dtype=np.int32)  # unsorted first slice, duplicate in the last
    indptr = np.array([0, 2, 3, 5], dtype=np.int32)
    shape = np.array([3, 5] if fmt == "csr" else [5, 3], dtype=np.int64)
    data = np.array([1.5, -2, 3, 0.5, 0.25])
    cls = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
    ref = lambda d: cls((d, indices, indptr), shape=tuple(shape))
    check_op(lambda d: S.CSM(fmt)(d, indices, indptr, shape), [data], ref)
    S.verify_grad_sparse(lambda d: S.CSM(fmt)(d, indices, indptr, shape), [data])


def test_reference_layout_examples():
    data = np.asarray([7, 8, 9])
    indices = np.asarray([0, 1, 2])
    indptr = np.asarray([0, 2, 3, 3])
    shape = np.asarray([3, 3])
    csc = S.CSC(data, indices, indptr, shape).eval()
    csr = S.CSR(data, indices, indptr, shape).eval()
    assert csc.format == "csc" and csr.format == "csr"
    np.testing.assert_array_equal(csc.toarray(), [[7, 0, 0], [8, 0, 0], [0, 9, 0]])
    np.testing.assert_array_equal(csr.toarray(), [[7, 8, 0], [0, 0, 9], [0, 0, 0]])
    for m in (csc, csr):
        np.testing.assert_array_equal(m.indices[m.indptr[0]:m.indptr[1]], [0, 1])
        np.testing.assert_array_equal(m.data[m.indptr[1]:m.indptr[2]], [9])
        assert m.indices[m.indptr[2]:m.indptr[3]].size == 0


def test_tutorial_csm_properties_to_csr_is_the_transpose():
    x = S.csc_matrix(name="x", dtype="int64")
    data, indices, indptr, shape = S.csm_properties(x)
    y = S.CSR(data, indices, indptr, shape)
    f = hypatia.function([x], y)
    a = sp.csc_matrix(np.asarray([[0, 1, 1], [0, 0, 0], [1, 0, 0]]))
    out = f(a)
    assert out.format == "csr"
    np.testing.assert_array_equal(out.toarray(), [[0, 0, 1], [1, 0, 0], [1, 0, 0]])


def test_tutorial_to_and_fro():
    x = S.csc_matrix(name="x", dtype="float32")
    y = S.dense_from_sparse(x)
    z = S.csc_from_dense(y)
    a = sp.csc_matrix(np.asarray([[0, 0, -1], [0, -2, 1], [3, 0, 0]], dtype="float32"))
    out = hypatia.function([x], z)(a)
    assert out.format == "csc" and out.dtype == np.float32
    np.testing.assert_array_equal(out.toarray(), a.toarray())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_square_diagonal_and_diag(dtype):
    v = np.array([1.5, 0, -2, 3], dtype=dtype)
    got = check_op(S.square_diagonal, [v], lambda a: sp.csc_matrix(np.diag(a)))
    assert got.nnz == 4  # every diagonal entry stored, zeros included (as Theano)
    for fmt in FORMATS:
        _, [m] = S.sparse_random_inputs(fmt, (4, 4), out_dtype=dtype, p=0.8, unsorted_indices=True, rng=R)
        check_op(S.diag, [m], lambda a: a.diagonal())
    x = S.csr_matrix("x")
    with pytest.raises(ValueError, match=r"^\[Diag\]"):
        hypatia.function([x], S.diag(x))(sp.csr_matrix((3, 5)))


ALL = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
       "float32", "float64", "complex64", "complex128"]


@pytest.mark.parametrize("dtype", ALL)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_dtype_round_trips(dtype, fmt):
    _, [m] = S.sparse_random_inputs(fmt, (4, 6), out_dtype=dtype, p=0.6, unsorted_indices=True, rng=R)
    check_op(lambda x: x.toarray(), [m], lambda a: a.toarray(), grad=False)
    check_op(lambda x: S.csr_from_dense(x.toarray()), [m], lambda a: a.tocsr(), grad=False)
    check_op(S.transpose, [m], lambda a: a.T, grad=False)
    check_op(S.clean, [m], lambda a: a, grad=False)
    check_op(lambda x: S.as_format(x, other(fmt)), [m], lambda a: a.asformat(other(fmt)), grad=False)
    if dtype != "bool":
        check_op(S.neg, [m], lambda a: -a, grad=False)


@pytest.mark.parametrize("name,dtype", [("bcast", "int8"), ("wcast", "int16"), ("icast", "int32"), ("lcast", "int64"),
                                        ("fcast", "float32"), ("dcast", "float64"), ("ccast", "complex64"),
                                        ("zcast", "complex128")])
def test_cast_shortcuts(name, dtype):
    _, [m] = S.sparse_random_inputs("csr", (3, 5), out_dtype="float64", gap=(1, 9), rng=R)
    got = check_op(getattr(S, name), [m], lambda a: a.astype(dtype), grad=False)
    assert got.dtype == np.dtype(dtype)


def test_cast_grad_is_regular():
    _, [m] = S.sparse_random_inputs("csc", (3, 5), out_dtype="float32", rng=R)
    S.verify_grad_sparse(lambda x: S.cast(x, "float64"), [m], structured=False)
    # complex -> real keeps the real parts with numpy's ComplexWarning (test_sparse_theano_api.py)


def test_regular_grads_through_verify_grad_sparse():
    for fmt in FORMATS:
        _, [m] = S.sparse_random_inputs(fmt, (3, 5), out_dtype="float64", rng=R)
        for op in (S.transpose, S.neg, S.remove0, S.ensure_sorted_indices, S.clean,
                   S.DenseFromSparse(structured=False)):
            S.verify_grad_sparse(op, [m], structured=False)
        S.verify_grad_sparse(S.dense_from_sparse, [m], structured=True)
    # the structured grad of dense_from_sparse is NOT the regular gradient
    _, [m] = S.sparse_random_inputs("csr", (3, 5), out_dtype="float64", p=0.4, rng=R)
    with pytest.raises(ValueError, match="GradientError"):
        S.verify_grad_sparse(S.dense_from_sparse, [m], structured=False)


# ---- types, variables, constants, shared ---------------------------------------------------

def test_types_and_constructors():
    x = S.csr_matrix("x")
    assert x.type.format == "csr" and x.format == "csr" and x.dtype == hypatia.config.floatX
    assert x.ndim == 2 and x.name == "x"
    assert S.csc_matrix(dtype="int32").type == S.SparseType("csc", "int32")
    assert S.csc_dmatrix == S.SparseType("csc", "float64")
    assert S.csr_fmatrix("y").dtype == "float32"
    assert str(S.csr_dmatrix) == "Sparse[float64, csr]"
    assert S.all_dtypes == {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                            "float32", "float64", "complex64", "complex128", "bool"}
    assert S.sparse_formats == ["csc", "csr"]
    assert S.is_sparse_variable(x) and not S.is_sparse_variable(T.matrix())
    assert S.is_dense_variable(T.matrix()) and not S.is_dense_variable(x)
    with pytest.raises(TypeError, match=r"^\[SparseType\]"):
        S.csr_matrix(dtype="float16")
    with pytest.raises(TypeError):
        S.SparseType("coo", "float64")


def test_constants_and_as_sparse_variable():
    m = sp.csr_matrix(np.array([[0, 1.5], [2, 0]]))
    c = S.as_sparse_variable(m, name="c")
    assert S.is_sparse_variable(c) and c.type == S.SparseType("csr", "float64")
    m.data[:] = 7  # constants own their data
    np.testing.assert_array_equal(S.dense_from_sparse(c).eval(), [[0, 1.5], [2, 0]])
    x = S.csc_matrix("x")
    assert S.as_sparse_variable(x) is x or S.as_sparse_variable(x) == x
    assert S.as_sparse_or_tensor_variable(np.ones(3)).type.kind == "tensor"
    assert S.as_sparse_or_tensor_variable(m).type.kind == "sparse"
    with pytest.raises(TypeError, match="tocsr"):
        S.as_sparse_variable(sp.coo_matrix(m))
    with pytest.raises(TypeError):
        S.as_sparse_variable(T.matrix())


@pytest.mark.parametrize("fmt", FORMATS)
def test_shared_sparse_get_set_value(fmt):
    m = sp.random(4, 6, density=0.5, format=fmt, random_state=1)
    s = hypatia.shared(m, name="s")
    assert s.type == S.SparseType(fmt, "float64")
    got = s.get_value()
    assert got.format == fmt and (got != m).nnz == 0
    assert not np.shares_memory(got.data, m.data)
    got.data[:] = 0  # a copy: the shared value is unchanged
    assert (s.get_value() != m).nnz == 0
    s.set_value(2 * m)
    f = hypatia.function([], S.dense_from_sparse(s))
    np.testing.assert_allclose(f(), 2 * m.toarray())
    b = s.get_value(borrow=True)
    assert b.format == fmt
    # The other format and dense arrays convert (docs/semantics.md, "Sparse values at the boundary"); a wrong rank does not.
    s.set_value(m.asformat(other(fmt)))
    assert s.get_value().format == fmt and (s.get_value() != m).nnz == 0
    s.set_value(3 * m.toarray())
    assert s.get_value().format == fmt and np.allclose(s.get_value().toarray(), 3 * m.toarray())
    with pytest.raises(TypeError):
        s.set_value(np.ones(3))


def test_failed_call_leaves_shared_unchanged():
    m = sp.csr_matrix(np.array([[1.0, 0, 2], [0, 3, 0]]))
    s = hypatia.shared(m, name="s")
    data = T.vector("data")
    idx = T.ivector("idx") if hasattr(T, "ivector") else T.vector("idx", dtype="int32")
    ptr = T.vector("ptr", dtype="int32")
    new = S.CSR(data, idx, ptr, np.array([2, 3]))
    f = hypatia.function([data, idx, ptr], S.dense_from_sparse(new), updates=[(s, new)])
    f(np.array([5.0]), np.array([1], dtype="int32"), np.array([0, 1, 1], dtype="int32"))
    np.testing.assert_array_equal(s.get_value().toarray(), [[0, 5, 0], [0, 0, 0]])
    before = s.get_value().toarray()
    for bad in [(np.array([5.0]), np.array([9], dtype="int32"), np.array([0, 1, 1], dtype="int32")),
                (np.array([5.0]), np.array([1], dtype="int32"), np.array([0, 1], dtype="int32")),
                (np.array([5.0, 6]), np.array([1], dtype="int32"), np.array([0, 1, 1], dtype="int32")),
                (np.array([5.0]), np.array([1], dtype="int32"), np.array([0, 2, 1], dtype="int32"))]:
        with pytest.raises(ValueError, match=r"^\[CSM\]"):
            f(*bad)
        np.testing.assert_array_equal(s.get_value().toarray(), before)


# ---- shapes and variable methods ------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_shape_size_and_methods(fmt):
    x = S.matrix(fmt, "x")
    m = sp.random(3, 5, density=0.4, format=fmt, random_state=3)
    m.data[0] = 0  # explicit zeros count in size, as Theano's csm_data(x).size
    f = hypatia.function([x], [x.shape, T.shape_i(x, 0), T.shape_i(x, 1), x.size, x.T.shape])
    shp, r, c, size, tshape = f(m)
    assert tuple(shp) == (3, 5) and (r, c) == (3, 5) and size == m.nnz and tuple(tshape) == (5, 3)
    assert x.T.format == other(fmt)
    assert x.transpose().format == other(fmt)
    assert (-x).type == x.type
    np.testing.assert_allclose((+x).toarray().eval({x: m}), m.toarray())


def test_operators_without_sparse_ops_raise_naming_the_sparse_function():
    x, y, d = S.csr_matrix("x"), S.csr_matrix("y"), T.matrix("d")
    # (+ - * / < <= > >= abs sum mean: test_sparse_arith.py; @, .dot, hypatia.dot: test_sparse_dot.py;
    #  x[...]: test_sparse_select.py)
    cases = [(lambda: x ** 2, "structured_pow")]
    for make, name in cases:
        with pytest.raises(NotImplementedError) as e:
            make()
        assert name in str(e.value), (name, str(e.value))
    with pytest.raises(TypeError, match="2-d"):
        x.reshape((15,))
    with pytest.raises(TypeError, match="2-d"):
        x.dimshuffle(1, 0)
    # dense ops given a sparse input point to the sparse module
    with pytest.raises(TypeError, match="sparse"):
        T.exp(x)
    with pytest.raises(TypeError, match="sparse"):
        T.dot(x, d)
    # dense operators are unchanged
    assert (d + d).type.kind == "tensor" and hypatia.dot(d, d).type.kind == "tensor"
    assert (d.T).type.kind == "tensor" and d.sum().ndim == 0


def test_operators_are_bound_once_in_cpp_and_dispatch_there():
    # every operator/method of Variable is a native function (no Python-level patching); the C++
    # builders pick the sparse op from the operand types
    import types
    for name in ["__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
                 "__pow__", "__lt__", "__le__", "__gt__", "__ge__", "__matmul__", "__rmatmul__", "dot", "__dot__",
                 "__rdot__", "__neg__", "__abs__", "transpose", "astype", "sum", "mean", "reshape", "dimshuffle",
                 "__getitem__", "toarray"]:
        assert not isinstance(hypatia.Variable.__dict__[name], types.FunctionType), name
    x, d = S.csr_matrix("x"), T.matrix("d")
    assert str((x + 1).owner.op) == "AddSD" and str((1 + x).owner.op) == "AddSD"
    assert str((x * x).owner.op) == "MulSS" and (d - x).type.kind == "tensor"
    assert str(hypatia.dot(x, d).owner.op) == "StructuredDot"


def test_bad_types_raise_type_errors_naming_the_op():
    x, d, v = S.csr_matrix("x"), T.matrix("d"), T.vector("v")
    for make, op in [(lambda: S.dense_from_sparse(d), "DenseFromSparse"), (lambda: S.csr_from_dense(x), "SparseFromDense"),
                     (lambda: S.csr_from_dense(T.tensor3()), "SparseFromDense"),  # a vector is 1 x n
                     (lambda: S.transpose(d), "Transpose"),
                     (lambda: S.neg(S.csr_matrix(dtype="bool")), "Neg"), (lambda: S.CSR(d, v, v, v), "CSM"),
                     (lambda: S.CSR(v, v, v, v), "CSM"), (lambda: S.square_diagonal(d), "SquareDiagonal"),
                     (lambda: S.diag(d), "Diag"), (lambda: S.csm_properties(d), "CSMProperties")]:
        with pytest.raises(TypeError, match=r"^\[%s\]" % op):
            make()


def test_sparse_random_inputs_contract():
    vs, ds = S.sparse_random_inputs("csc", (6, 4), n=3, out_dtype="int32", gap=(2, 5), rng=R)
    assert len(vs) == len(ds) == 3
    for v, d in zip(vs, ds):
        assert v.type == S.SparseType("csc", "int32") and d.format == "csc" and d.dtype == np.int32
        assert d.data.size == 0 or (d.data.min() >= 2 and d.data.max() <= 5)
    _, [d] = S.sparse_random_inputs("csr", (5, 5), gap=(3,), rng=R)
    assert d.dtype == np.dtype(hypatia.config.floatX) and (d.data < 3).all()
    _, [d] = S.sparse_random_inputs("csr", (5, 8), explicit_zero=True, unsorted_indices=True, rng=R)
    assert (d.data == 0).any() and not d.has_sorted_indices


# ---- building blocks for later ops: sample_dense, CSMGrad, as_format ------------------------

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sample_dense_is_the_structured_gradient_kernel(fmt, dtype):
    _, [m] = S.sparse_random_inputs(fmt, (3, 5), out_dtype=dtype, p=0.6, unsorted_indices=True, explicit_zero=True, rng=R)
    d = R.uniform(-1, 1, size=(3, 5)).astype(dtype)

    def ref(pattern, dense):
        coo = pattern.tocoo()
        vals = dense[coo.row, coo.col]
        return type(pattern)((vals, (coo.row, coo.col)), shape=pattern.shape, dtype=dense.dtype)

    got = check_op(S.sample_dense, [m, d], ref, grad_inputs=[1])
    nnz = m.indptr[-1]
    np.testing.assert_array_equal(got.indices, m.indices[:nnz])  # the pattern's structure, unsorted kept


@pytest.mark.parametrize("fmt", FORMATS)
def test_csm_grad_reads_the_gradient_at_the_stored_positions(fmt):
    x = sp.csr_matrix(np.array([[1.0, 0, 2], [0, 3, 0]])).asformat(fmt)
    g = sp.csr_matrix(np.array([[10.0, 20, 30], [40, 50, 60]])).asformat(fmt)
    args = [x.data, x.indices, x.indptr, np.array(x.shape), g.data, g.indices, g.indptr, np.array(g.shape)]
    out = S.CSMGrad(fmt)(*args).eval()
    dense_g = g.toarray()
    coo_rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr)) if fmt == "csr" else x.indices
    coo_cols = x.indices if fmt == "csr" else np.repeat(np.arange(x.shape[1]), np.diff(x.indptr))
    np.testing.assert_array_equal(out, dense_g[coo_rows, coo_cols])


def test_op_objects_print_and_compare_like_theano():
    assert str(S.CSM("csr")) == "CSM{csr}" and S.CSM("csr") == S.CSM("csr") and S.CSM("csr") != S.CSM("csc")
    assert str(S.SparseFromDense("csc")) == "SparseFromDense{csc}"
    assert S.DenseFromSparse() != S.DenseFromSparse(structured=False)
    assert str(S.Cast("float32")) == "Cast{float32}"
    assert str(S.Remove0()) == "Remove0{inplace=False}"
    x = S.csr_matrix("x")
    assert hypatia.printing.debugprint(S.transpose(x), file="str").startswith("Transpose")
