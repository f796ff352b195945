"""Sparse benchmarks side by side with scipy.sparse (and torch when importable), in one process:
SpMV and CSR . dense (k = 64) at two sizes and densities, sampling_dot (SDDMM), transpose with a
format change, dense <-> sparse conversion, the compiled gradient of
sum(structured_dot(x, W)), and the per-call cost of validating a sparse input (against our SpMV).

Run: python bench/bench_sparse.py [--quick]
Prints what it ran, our time, scipy's (torch's when available) and the ratio hypatia / scipy
(below 1 means faster), and the thread count. The machine may be shared: compare ratios from
one run, not absolute times across runs. Other op families may add rows to ROWS below.
"""
import os
import sys
import timeit

import numpy as np
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T

try:  # optional third column
    import torch
except Exception:  # noqa: BLE001
    torch = None

QUICK = "--quick" in sys.argv


def best(fn, number=1, repeat=3):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def random_csr(n_rows, n_cols, per_row, dtype=np.float64, seed=0):
    """n_rows x n_cols csr with `per_row` random entries per row (built directly: fast at 1M rows)."""
    rng = np.random.default_rng(seed)
    nnz = n_rows * per_row
    indptr = np.arange(0, nnz + 1, per_row, dtype=np.int32 if nnz < 2**31 else np.int64)
    indices = rng.integers(0, n_cols, size=nnz, dtype=np.int32)
    data = rng.standard_normal(nnz).astype(dtype)
    m = sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_cols))
    m.sum_duplicates()
    return m


def torch_time(fn):
    if torch is None:
        return None
    return best(fn)


def spmv(n, per_row):
    A = random_csr(n, n, per_row)
    v = np.random.default_rng(1).standard_normal(n)
    x, y = S.csr_matrix("x"), T.dvector("v")
    f = hypatia.function([x, y], S.structured_dot(x, y))
    np.testing.assert_allclose(f(A, v), A @ v, rtol=1e-9, atol=1e-9)
    tt = None
    if torch is not None:
        At = torch.sparse_csr_tensor(torch.from_numpy(A.indptr.astype(np.int64)), torch.from_numpy(A.indices.astype(np.int64)),
                                     torch.from_numpy(A.data), size=A.shape)
        vt = torch.from_numpy(v)
        tt = torch_time(lambda: At @ vt)
    return best(lambda: f(A, v), 5), best(lambda: A @ v, 5), tt


def spmm(n, per_row, k=64):
    A = random_csr(n, n, per_row)
    B = np.random.default_rng(2).standard_normal((n, k))
    x, y = S.csr_matrix("x"), T.dmatrix("B")
    f = hypatia.function([x, y], S.structured_dot(x, y))
    np.testing.assert_allclose(f(A, B), A @ B, rtol=1e-9, atol=1e-9)
    tt = None
    if torch is not None:
        At = torch.sparse_csr_tensor(torch.from_numpy(A.indptr.astype(np.int64)), torch.from_numpy(A.indices.astype(np.int64)),
                                     torch.from_numpy(A.data), size=A.shape)
        Bt = torch.from_numpy(B)
        tt = torch_time(lambda: At @ Bt)
    return best(lambda: f(A, B)), best(lambda: A @ B), tt


def sampling(n, per_row, k=64):
    P = random_csr(n, n, per_row)
    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((n, k)), rng.standard_normal((n, k))
    x, y, p = T.dmatrix("x"), T.dmatrix("y"), S.csr_matrix("p")
    f = hypatia.function([x, y, p], S.sampling_dot(x, y, p))
    rows = np.repeat(np.arange(n), np.diff(P.indptr))

    def ref():
        return sp.csr_matrix((P.data * np.einsum("ij,ij->i", X[rows], Y[P.indices]), P.indices, P.indptr), shape=P.shape)

    np.testing.assert_allclose(f(X, Y, P).data, ref().data, rtol=1e-9)
    return best(lambda: f(X, Y, P)), best(ref), None


def transpose_convert(n, per_row):
    A = random_csr(n, n, per_row)
    x = S.csr_matrix("x")
    f = hypatia.function([x], S.as_format(S.transpose(x), "csr"))
    np.testing.assert_allclose(f(A).data, A.T.tocsr().data)
    return best(lambda: f(A)), best(lambda: A.T.tocsr()), None


def to_sparse(n, density):
    D = np.random.default_rng(4).standard_normal((n, n))
    D[np.random.default_rng(5).random((n, n)) > density] = 0
    d = T.dmatrix("d")
    f = hypatia.function([d], S.csr_from_dense(d))
    assert f(D).nnz == np.count_nonzero(D)
    return best(lambda: f(D)), best(lambda: sp.csr_matrix(D)), None


def to_dense(n, density):
    A = random_csr(n, n, max(1, int(n * density)))
    x = S.csr_matrix("x")
    f = hypatia.function([x], S.dense_from_sparse(x))
    np.testing.assert_allclose(f(A), A.toarray())
    return best(lambda: f(A)), best(lambda: A.toarray()), None


def grad_structured_dot(n, per_row, k=64):
    A = random_csr(n, n, per_row)
    Wv = np.random.default_rng(6).standard_normal((n, k))
    x, W = S.csr_matrix("x"), T.dmatrix("W")
    cost = T.sum(S.structured_dot(x, W))
    gx, gW = hypatia.grad(cost, [x, W])
    f = hypatia.function([x, W], [gx, gW])
    rows = np.repeat(np.arange(n), np.diff(A.indptr))

    def ref():
        G = np.ones((n, k))
        gw = A.T @ G
        data = np.einsum("ij,ij->i", G[rows], Wv[A.indices])
        return sp.csr_matrix((data, A.indices, A.indptr), shape=A.shape), gw

    rx, rw = f(A, Wv)
    ex, ew = ref()
    np.testing.assert_allclose(rw, ew, rtol=1e-9)
    np.testing.assert_allclose(rx.data, ex.data, rtol=1e-9)
    return best(lambda: f(A, Wv)), best(ref), None


def add_ss(n, per_row):
    A, B = random_csr(n, n, per_row, seed=7), random_csr(n, n, per_row, seed=8)
    x, y = S.csr_matrix("x"), S.csr_matrix("y")
    f = hypatia.function([x, y], x + y)
    got, want = f(A, B), (A + B).tocsr()
    got.sort_indices()
    want.sort_indices()
    np.testing.assert_allclose(got.data, want.data)
    return best(lambda: f(A, B)), best(lambda: A + B), None


def mul_ss(n, per_row):
    A = random_csr(n, n, per_row, seed=9)
    B = A.copy()
    B.data = np.random.default_rng(10).standard_normal(B.nnz)  # same pattern: every product stored
    x, y = S.csr_matrix("x"), S.csr_matrix("y")
    f = hypatia.function([x, y], x * y)
    np.testing.assert_allclose(f(A, B).data, A.multiply(B).tocsr().data)
    return best(lambda: f(A, B)), best(lambda: A.multiply(B)), None


def sp_sum(n, per_row, axis):
    A = random_csr(n, n, per_row, seed=11)
    x = S.csr_matrix("x")
    f = hypatia.function([x], S.sp_sum(x, axis=axis))
    np.testing.assert_allclose(f(A), np.asarray(A.sum(axis=axis)).ravel() if axis is not None else A.sum(), rtol=1e-9)
    return best(lambda: f(A)), best(lambda: A.sum(axis=axis)), None


def input_validation(n, per_row):
    """Per-call cost of a sparse input: the scipy -> C++ hand-over plus SparseType.filter's O(nnz)
    validation (docs/semantics.md, "Sparse values at the boundary": every input is validated, strict or not), timed through a
    function that does nothing else (csm_shape), against a whole SpMV call on the same matrix. The
    second column is that SpMV (ours, not scipy's); the ratio is validation's share of a SpMV."""
    A = random_csr(n, n, per_row, seed=12)
    v = np.random.default_rng(13).standard_normal(n)
    x, y = S.csr_matrix("x"), T.dvector("v")
    take = hypatia.function([x], S.csm_shape(x))
    mv = hypatia.function([x, y], S.structured_dot(x, y))
    assert tuple(take(A)) == A.shape
    return best(lambda: take(A), 5), best(lambda: mv(A, v), 5), None


BIG, MID = (200_000, 20_000) if QUICK else (1_000_000, 100_000)
ROWS = [
    ("SpMV %dx%d, 10 nnz/row" % (BIG, BIG), lambda: spmv(BIG, 10)),
    ("SpMV %dx%d, 100 nnz/row" % (MID, MID), lambda: spmv(MID, 100)),
    ("CSR.dense k=64, %dx%d, 10 nnz/row" % (MID, MID), lambda: spmm(MID, 10)),
    ("CSR.dense k=64, %dx%d, 100 nnz/row" % (MID, MID), lambda: spmm(MID, 100)),
    ("sampling_dot k=64, %dx%d, 10 nnz/row" % (MID, MID), lambda: sampling(MID, 10)),
    ("transpose+tocsr %dx%d, 10 nnz/row" % (BIG, BIG), lambda: transpose_convert(BIG, 10)),
    ("dense->csr 4000x4000, 1%", lambda: to_sparse(4000, 0.01)),
    ("csr->dense 4000x4000, 1%", lambda: to_dense(4000, 0.01)),
    ("sparse + sparse %dx%d, 10 nnz/row" % (BIG, BIG), lambda: add_ss(BIG, 10)),
    ("sparse * sparse (elementwise) %dx%d, 10 nnz/row" % (BIG, BIG), lambda: mul_ss(BIG, 10)),
    ("sp_sum axis=0 %dx%d, 10 nnz/row" % (BIG, BIG), lambda: sp_sum(BIG, 10, 0)),
    ("sp_sum axis=None %dx%d, 10 nnz/row" % (BIG, BIG), lambda: sp_sum(BIG, 10, None)),
    ("grad sum(structured_dot(x,W)) k=64 %dx%d, 10/row" % (MID, MID), lambda: grad_structured_dot(MID, 10)),
    ("input validation %dx%d, 10/row (2nd col: our SpMV)" % (BIG, BIG), lambda: input_validation(BIG, 10)),
]


def main():
    print("threads: OMP_NUM_THREADS=%s, cores=%d; torch: %s" % (
        os.environ.get("OMP_NUM_THREADS", "default"), os.cpu_count(), "yes" if torch is not None else "not importable"))
    print("%-52s %11s %11s %11s %7s" % ("benchmark (float64)", "hypatia", "scipy", "torch", "ratio"))
    for name, fn in ROWS:
        ours, theirs, tt = fn()
        print("%-52s %8.2f ms %8.2f ms %11s %7.2f" % (name, ours * 1e3, theirs * 1e3,
                                                     "-" if tt is None else "%8.2f ms" % (tt * 1e3), ours / theirs))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
