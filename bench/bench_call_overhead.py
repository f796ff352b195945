"""Call overhead from Python (issue 13, item 5): a one-add function, a 10x10 structured_dot (csr . dense) and
scipy's own @ on the same operands, timed in the same run (best of several repeats).

Run: PYTHONPATH=python python bench/bench_call_overhead.py [--number N] [--rounds R]
"""
import sys
import timeit

import numpy as np
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T


def best_us(fn, number, repeat=7):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main():
    number = int(sys.argv[sys.argv.index("--number") + 1]) if "--number" in sys.argv else 5000
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 6
    a, b = T.dscalar("a"), T.dscalar("b")
    add = hypatia.function([a, b], a + b)
    va, vb = np.float64(1.5), np.float64(2.5)
    x, y = T.dvector("x"), T.dvector("y")
    addv = hypatia.function([x, y], x + y)
    xv, yv = np.ones(4), np.ones(4)
    xs, yd = S.csr_matrix("xs"), T.dmatrix("yd")
    sdot = hypatia.function([xs, yd], S.structured_dot(xs, yd))
    rng = np.random.RandomState(0)
    A = sp.random(10, 10, density=0.3, format="csr", random_state=rng)
    B = rng.randn(10, 10)
    rows = [
        ("one-add function, 0-d float64 (numpy scalars)", lambda: add(va, vb)),
        ("one-add function, Python floats", lambda: add(1.5, 2.5)),
        ("one-add function, 4-vectors", lambda: addv(xv, yv)),
        ("structured_dot 10x10 csr . dense", lambda: sdot(A, B)),
        ("scipy A @ B (same operands)", lambda: A @ B),
        ("numpy a + b, 4-vectors (reference)", lambda: xv + yv),
    ]
    # Interleaved rounds (best of each row over all rounds): a loaded machine slows every row alike.
    best = {name: float("inf") for name, _ in rows}
    for _ in range(rounds):
        for name, fn in rows:
            fn()
            best[name] = min(best[name], best_us(fn, number, repeat=3))
    for name, _ in rows:
        print(f"{name:50s} {best[name]:8.3f} us")


if __name__ == "__main__":
    main()
