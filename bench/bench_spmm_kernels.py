"""Sparse product kernels (issue 13 rows): SpMV random and banded, CSR.dense k=64, SDDMM k=64.

Times one hypatia build against scipy in the same process; with --compare PATH it runs each row
under both this tree's python/ and PATH (another checkout's python/, e.g. the pre-change build),
alternating processes, at OMP_NUM_THREADS=1 and 2, and prints best-of times and ratios.
Usage: python bench/bench_spmm_kernels.py [--compare /work/main/python] [--rounds 3]
"""
import json
import os
import subprocess
import sys
import timeit

import numpy as np
import scipy.sparse as sp


def best(fn, repeat=7):
    fn()
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def random_csr(n, per_row, dtype, band=None, seed=0):
    rng = np.random.default_rng(seed)
    nnz = n * per_row
    indptr = np.arange(0, nnz + 1, per_row, dtype=np.int32)
    if band is None:
        indices = rng.integers(0, n, size=nnz, dtype=np.int64)
    else:
        rows = np.repeat(np.arange(n), per_row)
        indices = np.clip(rows + rng.integers(-band, band + 1, size=nnz), 0, n - 1)
    data = rng.standard_normal(nnz).astype(dtype)
    m = sp.csr_matrix((data, indices.astype(np.int32), indptr), shape=(n, n))
    m.sum_duplicates()
    return m


ROWS = [
    ("SpMV 1M^2 10/row f64", "spmv", 10**6, 10, None, "float64"),
    ("SpMV 1M^2 banded +-512 10/row f64", "spmv", 10**6, 10, 512, "float64"),
    ("CSR.dense 100k^2 10/row k=64 f64", "spmm", 10**5, 10, None, "float64"),
    ("CSR.dense 100k^2 100/row k=64 f64", "spmm", 10**5, 100, None, "float64"),
    ("CSR.dense 100k^2 10/row k=64 f32", "spmm", 10**5, 10, None, "float32"),
    ("SDDMM 100k^2 10/row k=64 f64", "sddmm", 10**5, 10, None, "float64"),
]


def child():
    import hypatia
    import hypatia.sparse as S
    import hypatia.tensor as T
    out = {}
    for name, kind, n, per_row, band, dt in ROWS:
        A = random_csr(n, per_row, dt, band)
        rng = np.random.default_rng(1)
        if kind == "spmv":
            v = rng.standard_normal(n).astype(dt)
            x, y = S.csr_matrix("x", dtype=dt), T.vector("v", dtype=dt)
            f = hypatia.function([x, y], S.structured_dot(x, y))
            np.testing.assert_allclose(f(A, v), A @ v, rtol=1e-4, atol=1e-4)
            out[name] = (best(lambda: f(A, v)), best(lambda: A @ v))
        elif kind == "spmm":
            B = rng.standard_normal((n, 64)).astype(dt)
            x, y = S.csr_matrix("x", dtype=dt), T.matrix("B", dtype=dt)
            f = hypatia.function([x, y], S.structured_dot(x, y))
            np.testing.assert_allclose(f(A, B), A @ B, rtol=1e-4, atol=1e-4)
            out[name] = (best(lambda: f(A, B), 5), best(lambda: A @ B, 3))
        else:
            X, Y = rng.standard_normal((n, 64)).astype(dt), rng.standard_normal((n, 64)).astype(dt)
            x, y, p = T.matrix("x", dtype=dt), T.matrix("y", dtype=dt), S.csr_matrix("p", dtype=dt)
            f = hypatia.function([x, y, p], S.sampling_dot(x, y, p))
            rows = np.repeat(np.arange(n), np.diff(A.indptr))
            ref = lambda: A.data * np.einsum("ij,ij->i", X[rows], Y[A.indices])
            np.testing.assert_allclose(f(X, Y, A).data, ref(), rtol=1e-6, atol=1e-6)
            out[name] = (best(lambda: f(X, Y, A), 5), best(ref, 3))
    print(json.dumps(out))


def run(pypath, threads):
    env = dict(os.environ, PYTHONPATH=pypath, OMP_NUM_THREADS=str(threads))
    r = subprocess.run([sys.executable, __file__, "--child"], env=env, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    args = sys.argv[1:]
    if "--child" in args:
        return child()
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python")
    other = args[args.index("--compare") + 1] if "--compare" in args else None
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 2
    for threads in (1, 2):
        res = {}
        for _ in range(rounds):
            for label, path in (("before", other), ("after", here)):
                if path is None:
                    continue
                for k, (h, s) in run(path, threads).items():
                    cur = res.setdefault(k, {})
                    cur[label] = min(cur.get(label, 1e9), h)
                    cur["scipy"] = min(cur.get("scipy", 1e9), s)
        print("threads=%d %-36s %9s %9s %9s %7s %7s" % (threads, "row", "before", "after", "scipy", "aft/bef", "aft/sp"))
        for k, c in res.items():
            b = c.get("before")
            print("          %-36s %9s %9.2f %9.2f %7s %7.2f" % (
                k, "%.2f" % (b * 1e3) if b else "-", c["after"] * 1e3, c["scipy"] * 1e3,
                "%.2f" % (c["after"] / b) if b else "-", c["after"] / c["scipy"]))


if __name__ == "__main__":
    main()
