"""sparse.linalg.spsolve on a 2-D Poisson matrix (5-point Laplacian, Dirichlet) against
scipy.sparse.linalg.spsolve, side by side in one run (issue 12, section 4).

Times (best of --repeat): Hypatia's spsolve with assume_a='gen' (UMFPACK LU) and 'pos'
(CHOLMOD Cholesky), scipy's spsolve (SuperLU, or UMFPACK when scikit-umfpack is installed),
and the gradient: one compiled call giving x, d/db and d/dA (structured) of sum(w * x), which
reuses the forward factorisation, against scipy's splu once + a forward and a transposed solve.

Run: PYTHONPATH=python python bench/bench_spsolve.py [--grid 1000] [--repeat 2]
"""
import argparse
import os
import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T
from hypatia.sparse.linalg import spsolve


def poisson_2d(m):
    """The m^2 x m^2 5-point Laplacian (4 on the diagonal, -1 to the four neighbours), csc."""
    t = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(m, m))
    eye = sp.identity(m)
    return (sp.kron(eye, t) + sp.kron(t, eye)).tocsc()


def best(fn, repeat):
    ts = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return min(ts), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", type=int, default=1000, help="grid side m (m^2 unknowns)")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    m, r = args.grid, args.repeat
    a = poisson_2d(m)
    n = a.shape[0]
    rng = np.random.RandomState(0)
    b = rng.uniform(-1, 1, n)
    w = rng.uniform(-1, 1, n)
    print("2-D Poisson %dx%d grid: n=%d unknowns, nnz=%d, float64, %d CPUs" % (m, m, n, a.nnz, os.cpu_count()))

    A, B = S.csc_matrix("A", "float64"), T.vector("b", "float64")
    f_gen = hypatia.function([A, B], spsolve(A, B))
    f_pos = hypatia.function([A, B], spsolve(A, B, assume_a="pos"))
    x = spsolve(A, B)
    gA, gB = hypatia.grad(T.sum(x * w), [A, B])
    f_grad = hypatia.function([A, B], [x, gA, gB])

    t_scipy, x_ref = best(lambda: spla.spsolve(a, b), r)
    t_gen, x_gen = best(lambda: f_gen(a, b), r)
    t_pos, x_pos = best(lambda: f_pos(a, b), r)
    for name, xv in (("gen", x_gen), ("pos", x_pos)):
        res = np.abs(a @ xv - b).max()
        assert res < 1e-8 * max(1.0, np.abs(b).max()) * 1e3, (name, res)
        np.testing.assert_allclose(xv, x_ref, rtol=1e-6, atol=1e-8)

    def scipy_grad():
        lu = spla.splu(a)
        xs = lu.solve(b)
        u = lu.solve(w, trans="T")
        ga = -u[a.indices] * np.repeat(xs, np.diff(a.indptr))  # csc: entry (i=indices, j=column)
        return xs, ga, u

    t_sgrad, (_, ga_ref, gb_ref) = best(scipy_grad, r)
    t_grad, (_, ga, gb) = best(lambda: f_grad(a, b), r)
    np.testing.assert_allclose(gb, gb_ref, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(ga.data, ga_ref, rtol=1e-6, atol=1e-10)

    print("spsolve          scipy %8.3f s   hypatia gen (UMFPACK) %8.3f s   ratio scipy/hypatia %5.2fx"
          % (t_scipy, t_gen, t_scipy / t_gen))
    print("spsolve pos      scipy %8.3f s   hypatia pos (CHOLMOD) %8.3f s   ratio scipy/hypatia %5.2fx"
          % (t_scipy, t_pos, t_scipy / t_pos))
    print("x + grads (A, b) scipy splu+2 solves %8.3f s   hypatia gen %8.3f s   ratio %5.2fx   (grad/forward %.2fx)"
          % (t_sgrad, t_grad, t_sgrad / t_grad, t_grad / t_gen))


if __name__ == "__main__":
    main()
