"""Sparse elementwise/structure kernels vs scipy in one run (issue 13, item 2, "spelem" rows):
A+B and A*B (elementwise) on 1M x 1M with 10 entries per row and half of B's pattern shared with
A, row sums of 1M x 1M (10/row), dense -> CSR of 10k x 10k at 1 %, and the boundary cost of a
sparse input (validation) beside the row sum. Each row prints hypatia's best time at 1 and 2
threads (config.openmp / OMP_NUM_THREADS) and scipy's (single-threaded) with the ratios.

Run: PYTHONPATH=$PWD/python python bench/bench_spelem_kernels.py [--quick] [--rows add,mul,...]
"""
import sys
import time
import timeit

import numpy as np
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S

QUICK = "--quick" in sys.argv
N = 200_000 if QUICK else 1_000_000
DN = 4000 if QUICK else 10_000
ONLY = None
for a in sys.argv:
    if a.startswith("--rows="):
        ONLY = set(a.split("=", 1)[1].split(","))


def best(fn, repeat=5):
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def best_cpu(fn, repeat=5):
    """Best process CPU time of one call: on a shared, overloaded machine the wall time of a
    single-threaded call includes the time the process was not scheduled; this does not."""
    out = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        out.append(time.process_time() - t)
    return min(out)


def half_overlap(n, per_row, dtype=np.float64):
    """A: per_row random columns per row; B: half of A's positions plus per_row/2 new random ones."""
    rng = np.random.default_rng(0)
    A = sp.csr_matrix((rng.standard_normal(n * per_row).astype(dtype), rng.integers(0, n, n * per_row, dtype=np.int32),
                       np.arange(0, n * per_row + 1, per_row, dtype=np.int32)), shape=(n, n))
    A.sum_duplicates()
    h = per_row // 2
    rows = np.repeat(np.arange(n), np.diff(A.indptr))
    pos = np.arange(A.nnz) - A.indptr[rows]
    sel = pos < h
    br = np.concatenate([rows[sel], np.repeat(np.arange(n), h)])
    bc = np.concatenate([A.indices[sel], rng.integers(0, n, n * h, dtype=np.int32)])
    B = sp.csr_matrix((rng.standard_normal(br.size).astype(dtype), (br, bc)), shape=(n, n))
    B.sum_duplicates()
    return A, B


def with_threads(f, args):
    out = {}
    for nt in (1, 2):
        hypatia.config.openmp = nt > 1
        out[nt] = best(lambda: f(*args))
    hypatia.config.openmp = False
    out["cpu"] = best_cpu(lambda: f(*args))
    hypatia.config.openmp = True
    return out


def report(name, h, ref_fn, refname="scipy"):
    ref, ref_cpu = best(ref_fn), best_cpu(ref_fn)
    print("%-38s hyp 1T %7.1f ms 2T %7.1f ms cpu1T %7.1f | %s %7.1f ms cpu %7.1f | 1T/%s %.2f 2T/%s %.2f cpu %.2f" %
          (name, h[1] * 1e3, h[2] * 1e3, h["cpu"] * 1e3, refname, ref * 1e3, ref_cpu * 1e3, refname, h[1] / ref, refname,
           h[2] / ref, h["cpu"] / ref_cpu), flush=True)


def row(key):
    return ONLY is None or key in ONLY


if row("add") or row("mul"):
    A, B = half_overlap(N, 10)
    x, y = S.csr_matrix("x"), S.csr_matrix("y")
    if row("add"):
        f = hypatia.function([x, y], x + y)
        got, want = f(A, B), (A + B).tocsr()
        assert got.has_sorted_indices and (got != want).nnz == 0
        report("A+B %dk^2 10/row half overlap" % (N // 1000), with_threads(f, (A, B)), lambda: A + B)
    if row("mul"):
        g = hypatia.function([x, y], x * y)
        got, want = g(A, B), A.multiply(B).tocsr()
        assert (got != want).nnz == 0
        report("A*B %dk^2 10/row half overlap" % (N // 1000), with_threads(g, (A, B)), lambda: A.multiply(B))
    del A, B

if row("rowsum"):
    rng = np.random.default_rng(1)
    R = sp.csr_matrix((rng.standard_normal(N * 10), rng.integers(0, N, N * 10, dtype=np.int32),
                       np.arange(0, N * 10 + 1, 10, dtype=np.int32)), shape=(N, N))
    x = S.csr_matrix("x")
    f = hypatia.function([x], S.sp_sum(x, axis=1))
    np.testing.assert_allclose(f(R), np.asarray(R.sum(axis=1)).ravel(), rtol=1e-9, atol=1e-9)
    report("row sums %dk^2 10/row" % (N // 1000), with_threads(f, (R,)), lambda: R.sum(axis=1))
    shp = hypatia.function([x], S.csm_shape(x))
    report("  boundary (csm_shape: convert+validate)", with_threads(shp, (R,)), lambda: R.sum(axis=1))
    del R

if row("dense"):
    rng = np.random.default_rng(4)
    D = rng.standard_normal((DN, DN))
    D[rng.random((DN, DN)) > 0.01] = 0
    import hypatia.tensor as T
    d = T.dmatrix("d")
    f = hypatia.function([d], S.csr_from_dense(d))
    assert f(D).nnz == np.count_nonzero(D)
    report("dense->CSR %dk^2 1%%" % (DN // 1000), with_threads(f, (D,)), lambda: sp.csr_matrix(D))
