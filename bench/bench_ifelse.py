"""The manual's "Conditions" example: switch (both branches computed) vs ifelse (lazy).

switch(lt(a, b), mean(x), mean(y)) computes both means; ifelse computes only the one taken,
so it should take about half the time. Prints both times and their ratio (not a test).

Run: PYTHONPATH=python python bench/bench_ifelse.py
"""
import time

import numpy as np

import hypatia
import hypatia.tensor as T
from hypatia.ifelse import ifelse

a, b = T.scalars("a", "b")
x, y = T.matrices("x", "y")

z_switch = T.switch(T.lt(a, b), T.mean(x), T.mean(y))
z_lazy = ifelse(T.lt(a, b), T.mean(x), T.mean(y))

f_switch = hypatia.function([a, b, x, y], z_switch)
f_lazyifelse = hypatia.function([a, b, x, y], z_lazy)

val1 = 0.0
val2 = 1.0
big_mat1 = np.ones((10000, 1000))
big_mat2 = np.ones((10000, 1000))

n_times = 10


def timed(f):
    f(val1, val2, big_mat1, big_mat2)  # warm up (buffers, threads)
    best = float("inf")
    for _ in range(3):
        tic = time.perf_counter()
        for _ in range(n_times):
            f(val1, val2, big_mat1, big_mat2)
        best = min(best, time.perf_counter() - tic)
    return best


t_switch = timed(f_switch)
t_lazy = timed(f_lazyifelse)
print("time spent evaluating both values %f sec" % t_switch)
print("time spent evaluating one value %f sec" % t_lazy)
print("switch / ifelse: %.2fx" % (t_switch / t_lazy))
