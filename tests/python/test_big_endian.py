"""Big-endian (byte-swapped) arrays, which numpy and scipy accept, convert to native order at the
boundary (a copy) instead of being refused: dense and sparse inputs, shared values and set_value,
big-endian index arrays."""
import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T

BE = ">" if np.little_endian else "<"  # the non-native byte order


def swapped(a, dtype=None):
    """`a` (cast to dtype) with its bytes in the non-native order, same values."""
    a = np.asarray(a, dtype=dtype)
    out = a.astype(a.dtype.newbyteorder(BE))
    assert not out.dtype.isnative or out.dtype.itemsize == 1
    return out


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int16", "int32", "int64", "uint32",
                                   "complex64", "complex128"])
def test_dense_inputs(dtype):
    x = T.vector("x", dtype=dtype)
    f = hypatia.function([x], x * 2)
    v = np.arange(1, 5).astype(dtype)
    got = f(swapped(v))
    np.testing.assert_array_equal(got, v * 2)
    assert got.dtype.isnative


def test_the_documented_example_and_a_strided_matrix():
    x = T.dvector("x")
    np.testing.assert_array_equal(hypatia.function([x], x + 1)(np.arange(4, dtype=">f8")), np.arange(4) + 1)
    m = T.dmatrix("m")
    a = swapped(np.arange(12.0).reshape(3, 4))
    f = hypatia.function([m], m.sum(axis=0))
    np.testing.assert_array_equal(f(a.T), np.arange(12.0).reshape(3, 4).T.sum(axis=0))  # non-contiguous
    np.testing.assert_array_equal(f(a[::-1, ::2]), np.arange(12.0).reshape(3, 4)[::-1, ::2].sum(axis=0))


def test_complex_parts_are_swapped_separately():
    z = T.zvector("z")
    v = np.array([1 + 2j, -3.5 + 0.25j])
    np.testing.assert_array_equal(hypatia.function([z], z)(swapped(v)), v)


def test_shared_and_set_value():
    s = hypatia.shared(swapped(np.arange(4.0)), name="s")
    np.testing.assert_array_equal(s.get_value(), np.arange(4.0))
    assert s.get_value().dtype.isnative
    s.set_value(swapped([5.0, 6.0, 7.0, 8.0]))
    f = hypatia.function([], s * 2)
    np.testing.assert_array_equal(f(), [10.0, 12.0, 14.0, 16.0])


def _swapped_sparse(fmt, data_only=False):
    m = getattr(sp, fmt + "_matrix")(np.array([[1.0, 0, 2], [0, 0, 3], [4, 5, 0]]))
    m.data = swapped(m.data)
    if not data_only:  # scipy keeps index arrays assigned after construction as they are
        m.indices = swapped(m.indices)
        m.indptr = swapped(m.indptr)
    return m


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("data_only", [True, False], ids=["data", "data+indices"])
def test_sparse_inputs(fmt, data_only):
    m = _swapped_sparse(fmt, data_only)
    assert not m.data.dtype.isnative
    x = S.matrix(fmt, "x")
    v = np.array([1.0, 10.0, 100.0])
    xv = T.dvector("v")
    f = hypatia.function([x, xv], S.structured_dot(x, xv))
    np.testing.assert_array_equal(f(m, v), m.toarray() @ v)
    np.testing.assert_array_equal(hypatia.function([x], S.dense_from_sparse(x))(m), m.toarray())


def test_sparse_shared_and_set_value_with_big_endian_arrays():
    s = hypatia.shared(_swapped_sparse("csr"), name="s")
    np.testing.assert_array_equal(s.get_value().toarray(), _swapped_sparse("csr").toarray())
    s.set_value(_swapped_sparse("csc"))  # converts to csr, too
    assert s.get_value().format == "csr"
    f = hypatia.function([], S.sp_sum(s, axis=0))
    np.testing.assert_array_equal(f(), np.asarray(_swapped_sparse("csr").toarray().sum(axis=0)))


def test_big_endian_index_arrays_are_still_validated():
    m = _swapped_sparse("csr")
    m.indices = swapped(np.array([0, 2, 7, 0, 1], dtype="int32"))  # 7 is out of range
    x = S.csr_matrix("x")
    # The column sums scatter by the indices, so they check them (the total never reads them).
    with pytest.raises(ValueError, match="out of range"):
        hypatia.function([x], S.sp_sum(x, axis=0))(m)
