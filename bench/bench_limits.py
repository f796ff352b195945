"""The Python side of bench_limits (issue 13): each row of the C++ table called from Python with
scipy/numpy objects in and out, against scipy, with the cost of the boundary shown beside the
kernel.

Run: PYTHONPATH=$PWD/python python bench/bench_limits.py [--quick] [--threads N] [--cxx-json FILE]

Columns (best of repeats, ms; ratio < 1 means Hypatia is faster):
  hypatia  a plain call f(*args) from Python: conversion and validation of the arguments, the
           kernel, wrapping the result as numpy/scipy objects;
  scipy    the same work in scipy (1 thread; its idiom where scipy has no op, e.g. SDDMM);
  nodes    the time spent in the graph's nodes during the same kind of call, from a profiled
           copy of the function (ProfileStats.thunk_time / calls): the kernel as Hypatia runs it;
  bound.   the rest of a profiled call, (fct_call_time - thunk_time) / calls: the boundary
           (argument conversion and validation, the VM's bookkeeping, result wrapping);
  noop     a plain call of a function of the same inputs that returns only their shapes: the
           argument conversion and validation alone, with (almost) nothing to wrap;
  C++      with --cxx-json FILE (bench_limits --benchmark_out=FILE --benchmark_out_format=json),
           Hypatia's best time for the row at the same thread count called from C++.
`hypatia`, `scipy` and `noop` are timed in turn, round after round, best of each; the profiled
numbers come from separate calls (profiling adds a few µs per node), from the batch of calls
that took least time. `bound.%` is the boundary's share of the nodes' time (issue 13 asks
for validation at most 10 % of the kernel).
"""
import json
import os
import sys
import time
import timeit

ARGS = sys.argv[1:]
QUICK = "--quick" in ARGS
if "--threads" in ARGS:
    os.environ["OMP_NUM_THREADS"] = ARGS[ARGS.index("--threads") + 1]
CXX = None
if "--cxx-json" in ARGS:
    with open(ARGS[ARGS.index("--cxx-json") + 1]) as fh:
        CXX = {b["name"].split("/iterations:")[0]: b["real_time"] for b in json.load(fh)["benchmarks"]
               if b.get("run_type") != "aggregate"}

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

import hypatia  # noqa: E402
import hypatia.sparse as S  # noqa: E402
import hypatia.tensor as T  # noqa: E402


def batch(fn):
    """How many calls make one timing of fn last about 20 ms (at least one)."""
    fn()
    t0 = time.perf_counter()
    fn()
    return max(1, min(10000, int(0.02 / max(time.perf_counter() - t0, 1e-7))))


def interleaved(fns, rounds=5):
    """Best seconds per call of each fn, timed in turn, round after round (a change of load on the
    shared machine then hits them alike)."""
    numbers = [batch(fn) for fn in fns]
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, (fn, n) in enumerate(zip(fns, numbers)):
            best[i] = min(best[i], timeit.timeit(fn, number=n) / n)
    return best


def profiled(fp, args, rounds=5):
    """(call, nodes) seconds per call of the profiled fp, from the batch with the shortest calls."""
    n = batch(lambda: fp(*args))
    prof = fp.profile
    best = (float("inf"), 0.0)
    for _ in range(rounds):
        c0, n0 = prof.fct_call_time, prof.thunk_time
        for _ in range(n):
            fp(*args)
        call, nodes = (prof.fct_call_time - c0) / n, (prof.thunk_time - n0) / n
        best = min(best, (call, nodes))
    return best


def random_csr(n, per_row, seed, band=0):
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n), per_row)
    if band:
        cols = np.clip(rows + rng.integers(-band, band + 1, size=rows.size), 0, n - 1)
    else:
        cols = rng.integers(0, n, size=rows.size)
    m = sp.csr_matrix((rng.standard_normal(rows.size), (rows, cols)), shape=(n, n))
    m.sum_duplicates()
    return m


def half_overlap(a, seed):
    """Every other entry of each row of `a` (sorted columns: a random half) plus as many new ones."""
    rng = np.random.default_rng(seed)
    coo = a.tocoo()
    keep = np.arange(coo.nnz) % 2 == 0
    rows = np.concatenate([coo.row[keep], coo.row[keep]])
    cols = np.concatenate([coo.col[keep], rng.integers(0, a.shape[1], size=int(keep.sum()))])
    m = sp.csr_matrix((rng.standard_normal(rows.size), (rows, cols)), shape=a.shape)
    m.sum_duplicates()
    return m


def shapes_of(ins):
    return [S.csm_shape(v) if S.is_sparse_variable(v) else T.shape(v) for v in ins]


BIG, MID, DN = (100_000, 10_000, 3_000) if QUICK else (1_000_000, 100_000, 10_000)
B, M, D = ("100k", "10k", "3k") if QUICK else ("1M", "100k", "10k")


def rows():
    """(name, C++ row name, inputs, output builder, args, scipy reference)."""
    rng = np.random.default_rng(0)
    out = []
    A = random_csr(BIG, 10, 1)
    v = rng.standard_normal(BIG)
    x, y = S.csr_matrix("x"), T.dvector("v")
    out.append(("SpMV %s^2 10/row random" % B, [x, y], S.structured_dot(x, y), (A, v), lambda: A @ v))
    Ab = random_csr(BIG, 10, 3, band=512)
    out.append(("SpMV %s^2 banded +-512" % B, [x, y], S.structured_dot(x, y), (Ab, v), lambda: Ab @ v))
    Bd = rng.standard_normal((MID, 64))
    for per in (10, 100):
        As = random_csr(MID, per, 5 + per)
        xm, ym = S.csr_matrix("x"), T.dmatrix("B")
        out.append(("CSR.dense %s^2 %d/row k=64" % (M, per), [xm, ym], S.structured_dot(xm, ym), (As, Bd),
                    lambda As=As: As @ Bd))
    P = random_csr(MID, 10, 7)
    X, Y = rng.standard_normal((MID, 64)), rng.standard_normal((MID, 64))
    prow = np.repeat(np.arange(MID), np.diff(P.indptr))
    xs, ys, ps = T.dmatrix("x"), T.dmatrix("y"), S.csr_matrix("p")
    out.append(("SDDMM %s^2 10/row k=64" % M, [xs, ys, ps], S.sampling_dot(xs, ys, ps), (X, Y, P),
                lambda: sp.csr_matrix((P.data * np.einsum("ij,ij->i", X[prow], Y[P.indices]), P.indices, P.indptr),
                                      shape=P.shape)))
    A1 = random_csr(BIG, 10, 10)
    A2 = half_overlap(A1, 11)
    a, b = S.csr_matrix("a"), S.csr_matrix("b")
    out.append(("A+B %s^2 10/row half overlap" % B, [a, b], a + b, (A1, A2), lambda: A1 + A2))
    out.append(("A*B (elementwise) %s^2 10/row half overlap" % B, [a, b], a * b, (A1, A2), lambda: A1.multiply(A2)))
    G1, G2 = random_csr(MID, 10, 14), random_csr(MID, 10, 15)
    out.append(("A.B (sparse) %s^2 10/row" % M, [a, b], S.structured_dot(a, b), (G1, G2), lambda: G1 @ G2))
    out.append(("row sums %s^2 10/row" % B, [x], S.sp_sum(x, axis=1), (A,), lambda: A.sum(axis=1)))
    Dd = np.random.default_rng(13).standard_normal((DN, DN))
    Dd[np.random.default_rng(14).random((DN, DN)) >= 0.01] = 0
    d = T.dmatrix("d")
    out.append(("dense->CSR %s^2 1%%" % D, [d], S.csr_from_dense(d), (Dd,), lambda: sp.csr_matrix(Dd)))
    return out


def check(got, want):
    if sp.issparse(got):
        d = (sp.csr_matrix(got) - sp.csr_matrix(want)).tocsr()
        scale = 1 + abs(sp.csr_matrix(want)).max()
        assert d.nnz == 0 or abs(d).max() <= 1e-9 * scale, "wrong result"
    else:
        np.testing.assert_allclose(np.asarray(got).ravel(), np.asarray(want).ravel(), rtol=1e-9, atol=1e-9)


def main():
    threads = os.environ.get("OMP_NUM_THREADS", str(os.cpu_count()))
    print("Hypatia threads: %s (OMP_NUM_THREADS, else the core count), scipy: 1; ms, best of repeats" % threads)
    print("%-42s %9s %9s %6s %9s %9s %7s %9s %9s" % ("row (float64)", "hypatia", "scipy", "ratio", "nodes", "bound.",
                                                    "bound.%", "noop", "C++"))
    for name, ins, outv, args, ref in rows():
        f = hypatia.function(ins, outv)
        fp = hypatia.function(ins, outv, profile=True)
        noop = hypatia.function(ins, shapes_of(ins))
        check(f(*args), ref())
        t_h, t_s, t_noop = interleaved([lambda: f(*args), ref, lambda: noop(*args)])
        call, nodes = profiled(fp, args)
        boundary = call - nodes
        cxx = "-"
        if CXX is not None:
            key = "%s/threads:%s" % (name, threads)
            if key in CXX:
                cxx = "%9.3f" % CXX[key]
        print("%-42s %9.3f %9.3f %6.2f %9.3f %9.3f %6.1f%% %9.3f %9s" % (
            name, t_h * 1e3, t_s * 1e3, t_h / t_s, nodes * 1e3, boundary * 1e3, 100 * boundary / nodes,
            t_noop * 1e3, cxx))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
