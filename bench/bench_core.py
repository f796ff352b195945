"""Core overheads side by side with numpy: per-call time of a one-add function and compile time.

Run: python bench/bench_core.py      (C++ numbers come from _core.bench_*; see bench_core.cpp too)
"""
import time
import timeit

import numpy as np

import hypatia
import hypatia.tensor as T
from hypatia import _core


def per_call(fn, number=200000, repeat=5):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def main():
    x, y = T.dscalars("x", "y")
    f = hypatia.function([x, y], x + y)
    a, b = np.float64(2.0), np.float64(3.0)
    a0, b0 = np.array(2.0), np.array(3.0)
    rows = []
    t_py = per_call(lambda: f(a0, b0))
    t_np = per_call(lambda: np.add(a0, b0))
    t_cpp = _core.bench_call_scalar_add(1000000)
    rows.append(("scalar add, per call from Python (0-d arrays)", t_py, t_np))
    rows.append(("scalar add, per call from Python (Python floats)", per_call(lambda: f(2.0, 3.0)), per_call(lambda: np.add(2.0, 3.0))))
    rows.append(("scalar add, per call from C++", t_cpp, t_np))
    print("%-52s %12s %12s %8s" % ("benchmark", "hypatia", "numpy", "ratio"))
    for name, ours, theirs in rows:
        print("%-52s %10.3f us %10.3f us %8.2f" % (name, ours * 1e6, theirs * 1e6, ours / theirs))

    for n in (1000, 10000):
        xv = T.dvector("x")
        t0 = time.perf_counter()
        yv = xv
        for i in range(n):
            yv = yv * 1.0001 if i % 2 else yv + 0.5
        t_build = time.perf_counter() - t0
        t0 = time.perf_counter()
        g = hypatia.function([xv], yv)
        t_compile = time.perf_counter() - t0
        v = np.arange(4.0)
        t0 = time.perf_counter()
        out = g(v)
        t_run = time.perf_counter() - t0
        ref = v.copy()
        t0 = time.perf_counter()
        for i in range(n):
            ref = ref * 1.0001 if i % 2 else ref + 0.5
        t_numpy = time.perf_counter() - t0
        assert np.allclose(out, ref)
        print("%-52s %10.2f ms (build %.2f ms; one call %.2f ms vs numpy loop %.2f ms)"
              % ("compile a %d-node chain" % n, t_compile * 1e3, t_build * 1e3, t_run * 1e3, t_numpy * 1e3))
    print("goals: call < 1 us (C++), < 3 us (Python); 1000-node compile < 20 ms. Theano: ~7 us per call.")


if __name__ == "__main__":
    main()
