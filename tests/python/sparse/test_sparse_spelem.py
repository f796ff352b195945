"""The issue-13 fast paths of the sparse elementwise/structure kernels through compiled functions,
against scipy at sizes that take the parallel paths: A+B, A-B and A*B (the two-pass merge, its
canonicality check fused into the counting pass), row/column sums, dense -> CSR/CSC in one pass,
and the vectorised input validation; 1 and 2 threads give the same results."""
import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T

FORMATS = ["csr", "csc"]
DTYPES = ["float32", "float64"]


@pytest.fixture
def both_thread_counts():
    was = hypatia.config.openmp
    yield
    hypatia.config.openmp = was


def skewed(fmt, n, m, dtype, seed, unsorted=False, dups=False, zeros=False):
    """n x m, ~40 entries per slice with a few 30x heavier slices and some empty ones; values in
    quarters so that sums can cancel exactly."""
    rng = np.random.default_rng(seed)
    outer, inner = (n, m) if fmt == "csr" else (m, n)
    lens = np.full(outer, 40)
    lens[::97] = 1200
    lens[::13] = 0
    ptr = np.concatenate([[0], np.cumsum(lens)]).astype(np.int32)
    idx = rng.integers(0, inner, ptr[-1]).astype(np.int32)
    data = (rng.integers(-4, 5, ptr[-1]) / 4.0).astype(dtype)
    if zeros:
        data[::50] = 0
    cls = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
    a = cls((data, idx, ptr), shape=(n, m))
    if not dups:
        a.sum_duplicates()
    if unsorted:
        for o in range(outer):
            s = slice(a.indptr[o], a.indptr[o + 1])
            a.indices[s] = a.indices[s][::-1].copy()
            a.data[s] = a.data[s][::-1].copy()
        a.has_sorted_indices = False
    return a


def dense(m):
    return m.toarray().astype(np.float64)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", ["canonical", "unsorted", "duplicates", "explicit zeros"])
def test_add_sub_mul_large(fmt, dtype, variant, both_thread_counts):
    kw = dict(unsorted=variant == "unsorted", dups=variant == "duplicates", zeros=variant == "explicit zeros")
    A = skewed(fmt, 900, 700, dtype, 1, **kw)
    B = skewed(fmt, 900, 700, dtype, 2, **kw)
    mk = S.csr_matrix if fmt == "csr" else S.csc_matrix
    x, y = mk("x", dtype=dtype), mk("y", dtype=dtype)
    fns = {"add": hypatia.function([x, y], x + y), "sub": hypatia.function([x, y], x - y),
           "mul": hypatia.function([x, y], x * y)}
    ref = {"add": dense(A) + dense(B), "sub": dense(A) - dense(B), "mul": dense(A) * dense(B)}
    for name, f in fns.items():
        outs = []
        for omp in (True, False):
            hypatia.config.openmp = omp
            r = f(A, B)
            assert r.format == fmt and r.dtype == np.dtype(dtype)
            assert r.has_canonical_format  # sorted, no duplicates (scipy's binop promises it)
            assert np.all(r.data != 0)  # results equal to zero are dropped
            np.testing.assert_allclose(dense(r), ref[name], rtol=1e-6)
            outs.append(r)
        assert (outs[0] != outs[1]).nnz == 0
    # Exact cancellation leaves no stored entry.
    assert fns["sub"](A, A).nnz == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_add_empty(fmt):
    mk = S.csr_matrix if fmt == "csr" else S.csc_matrix
    x, y = mk("x"), mk("y")
    f = hypatia.function([x, y], x + y)
    cls = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
    for shape in [(0, 0), (0, 4), (3, 0), (5, 6)]:
        r = f(cls(shape), cls(shape))
        assert r.shape == shape and r.nnz == 0


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sums_large(fmt, dtype, both_thread_counts):
    A = skewed(fmt, 1500, 800, dtype, 3, dups=True, zeros=True)
    mk = S.csr_matrix if fmt == "csr" else S.csc_matrix
    x = mk("x", dtype=dtype)
    for axis in (0, 1, None):
        f = hypatia.function([x], S.sp_sum(x, axis=axis))
        want = np.asarray(dense(A).sum(axis=axis)).ravel()
        for omp in (True, False):
            hypatia.config.openmp = omp
            np.testing.assert_allclose(np.ravel(f(A)), want, rtol=1e-5)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_dense_to_sparse_one_pass(fmt, dtype, both_thread_counts):
    rng = np.random.default_rng(5)
    D = rng.standard_normal((700, 523)).astype(dtype)
    D[rng.random(D.shape) > 0.02] = 0
    D[3, :] = 0  # an empty row
    D[10, 20] = -0.0
    D[11, 21] = np.nan
    d = T.matrix("d", dtype=dtype)
    f = hypatia.function([d], S.csr_from_dense(d) if fmt == "csr" else S.csc_from_dense(d))
    for src in (D, np.asfortranarray(D), D.T.copy().T):
        for omp in (True, False):
            hypatia.config.openmp = omp
            r = f(src)
            want = sp.csr_matrix(D) if fmt == "csr" else sp.csc_matrix(D)
            assert r.format == fmt and r.has_canonical_format
            np.testing.assert_array_equal(r.indptr, want.indptr)
            np.testing.assert_array_equal(r.indices, want.indices)
            np.testing.assert_array_equal(r.data, want.data)


@pytest.mark.parametrize("idt", [np.int32, np.int64])
def test_validation_still_rejects_bad_inputs(idt):
    A = skewed("csr", 3000, 100, "float64", 6)
    A.indices = A.indices.astype(idt)
    A.indptr = A.indptr.astype(idt)
    x = S.csr_matrix("x")
    # Column sums scatter by the indices and the elementwise product merges them, so the
    # boundary leaves their check to the kernels (each raises naming itself); a dense copy reads
    # them unchecked, so there the boundary checks in full.
    f = hypatia.function([x], S.sp_sum(x, axis=0))
    g = hypatia.function([x], S.sp_sum(x * x, axis=1))
    h = hypatia.function([x], S.dense_from_sparse(x))
    f(A)
    g(A)
    h(A)
    for pos, bad in [(A.nnz - 1, 100), (A.nnz // 2, -1)]:
        B = A.copy()
        B.indices[pos] = bad
        with pytest.raises(ValueError, match="index %d at position %d is out of range" % (bad, pos)):
            f(B)
        with pytest.raises(ValueError, match=r"^\[MulSS\] index %d at position %d is out of range" % (bad, pos)):
            g(B)
        with pytest.raises(ValueError, match="bad input argument.*index %d at position %d is out of range" % (bad, pos)):
            h(B)
    C = A.copy()
    C.indptr[1500] = 0
    with pytest.raises(ValueError, match=r"indptr is not non-decreasing: indptr\[1500\] = 0"):
        f(C)
