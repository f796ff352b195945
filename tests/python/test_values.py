"""Runtime values crossing the Python boundary: numpy arrays and scipy.sparse matrices."""
import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.tensor as T
from hypatia import In, _core, function, shared

ALL_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float16", "float32", "float64", "complex64", "complex128"]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_every_dtype_round_trips_through_a_function(dtype):
    x = T.tensor(dtype, (False, False), "x")
    f = function([x], x)
    a = (np.arange(6).reshape(2, 3) % 2).astype(dtype)
    out = f(a)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, a)


def test_views_and_strided_inputs_are_read_without_copies():
    x = T.dmatrix("x")
    f = function([x], x * 2.0)
    base = np.arange(24.0).reshape(4, 6)
    for view in (base.T, base[::2, 1::2], base[::-1]):
        np.testing.assert_array_equal(f(view), view * 2.0)


def test_shared_borrow_shares_numpy_memory_both_ways():
    a = np.arange(5.0)
    s = shared(a, borrow=True)
    got = s.get_value(borrow=True)
    assert np.shares_memory(got, a)
    b = np.ones(5)
    s.set_value(b, borrow=True)
    assert np.shares_memory(s.get_value(borrow=True), b)
    s.set_value(b)
    assert not np.shares_memory(s.get_value(borrow=True), b)


def _csr():
    return sp.csr_matrix(np.array([[1.0, 0, 2, 0], [0, 0, 0, 0], [0, 3, 0, 4]]))


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_values_pass_through_functions(fmt):
    m = _csr().asformat(fmt)
    x = _core.SparseType(fmt, "float64")("x")
    f = function([x], x)
    out = f(m)
    assert sp.issparse(out) and out.format == fmt
    np.testing.assert_array_equal(out.toarray(), m.toarray())
    assert not np.shares_memory(out.data, m.data)


def test_sparse_shared_variable_get_set():
    m = _csr()
    s = shared(m, name="s")
    assert str(s.type) == "Sparse[float64, csr]"
    got = s.get_value()
    assert sp.issparse(got) and got.format == "csr"
    np.testing.assert_array_equal(got.toarray(), m.toarray())
    s.set_value(m * 2)
    np.testing.assert_array_equal(s.get_value().toarray(), m.toarray() * 2)
    s.set_value(m.tocsc() * 3)  # the other format converts (docs/semantics.md, "Sparse values at the boundary")
    assert s.get_value().format == "csr"
    np.testing.assert_array_equal(s.get_value().toarray(), m.toarray() * 3)
    with pytest.raises(TypeError):
        s.set_value(m.astype(np.complex128))  # no downcast into a shared variable
    np.testing.assert_array_equal(s.get_value().toarray(), m.toarray() * 3)


def test_int64_indices_and_unsorted_indices_are_accepted():
    m = sp.csr_matrix((np.array([2.0, 1.0]), np.array([3, 0], dtype=np.int64),
                       np.array([0, 2, 2], dtype=np.int64)), shape=(2, 4))
    assert not m.has_sorted_indices
    x = _core.SparseType("csr", "float64")("x")
    out = function([x], x)(m)
    np.testing.assert_array_equal(out.toarray(), m.toarray())


def test_malformed_sparse_input_raises_value_error_naming_the_problem():
    x = _core.SparseType("csr", "float64")("x")
    f = function([x], x)
    m = _csr()
    m.indices[0] = 99
    with pytest.raises(ValueError, match="out of range"):
        f(m)
    m = _csr()
    m.indptr[1] = 4
    m.indptr[2] = 1
    with pytest.raises(ValueError, match="non-decreasing"):
        f(m)
    with pytest.raises(TypeError, match=r"\"x\".* at index 0.*expected a sparse matrix or a 2-d array"):
        f(np.ones(3))
    strict = function([In(x, strict=True)], x)
    with pytest.raises(TypeError, match="strict input takes only a csr matrix"):
        strict(_csr().tocsc())


def test_types_filter_and_compare_values():
    t = T.TensorType("float32", (False,))
    assert t == T.fvector
    np.testing.assert_array_equal(t.filter([1, 2]), np.array([1, 2], dtype=np.float32))
    with pytest.raises(TypeError, match="loss of precision"):
        t.filter(np.ones(2))
    assert t.filter(np.ones(2), allow_downcast=True).dtype == np.float32
    with pytest.raises(TypeError, match="wrong number of dimensions"):
        t.filter(np.ones((2, 2), dtype=np.float32))
    row = T.TensorType("float64", (True, False))
    with pytest.raises(ValueError, match="broadcastable"):
        row.filter(np.ones((2, 3)))
    assert t.values_eq_approx(np.array([1.0, 2.0], dtype=np.float32), np.array([1.0, 2.0000001], dtype=np.float32))
    assert not t.values_eq_approx(np.array([1.0, 2.0], dtype=np.float32), np.array([1.0, 2.5], dtype=np.float32))
