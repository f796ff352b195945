"""Elementwise transcendentals per element and per thread: exp, log, tanh, sigmoid, softplus
over 10**6 float64 and float32 values, Hypatia beside numpy in the same run (issue 13 item 3).

Run: PYTHONPATH=$PWD/python python bench/bench_vecmath.py [--threads N] [--isa avx512|avx2|scalar]
Prints ns per element (best of several calls) for the plain Elemwise (f(x)), the fused program
f(2 x) (FusedElemwise), numpy's equivalent (np.exp, np.log, np.tanh, 1/(1+exp(-x)),
np.logaddexp(0, x)) allocating its output like f(x) does, numpy with out= (no allocation), and
the ratio f(x) / numpy-allocating. --isa scalar runs the scalar libm loops (the path before
vectorisation for log, sigmoid, softplus). Default: one thread (config.openmp off), the best
ISA of this CPU. Works against older builds too (no backend line then).
"""
import argparse
import timeit

import numpy as np

import hypatia
import hypatia.tensor as T
from hypatia import _core

N = 10**6


def best(fn, number=3, repeat=15):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def np_sigmoid(x, out=None):
    out = np.empty_like(x) if out is None else out
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


FUNCS = [
    ("exp", T.exp, lambda x, o=None: np.exp(x, out=o), (-20, 20)),
    ("log", T.log, lambda x, o=None: np.log(x, out=o), (1e-3, 1e3)),
    ("tanh", T.tanh, lambda x, o=None: np.tanh(x, out=o), (-5, 5)),
    ("sigmoid", T.nnet.sigmoid, np_sigmoid, (-20, 20)),
    ("softplus", T.nnet.softplus, lambda x, o=None: np.logaddexp(0, x, out=o), (-20, 20)),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--isa", default=None)
    args = ap.parse_args()
    hypatia.config.openmp = args.threads > 1
    if args.isa:
        _core.set_vector_math_isa(args.isa)
    backend = getattr(_core, "vector_math_backend", lambda: "(older build)")()
    print(f"vector_math backend: {backend}; threads: {args.threads}; n = {N}; ns per element")
    print(f"{'fn':9s} {'dtype':8s} {'f(x)':>7s} {'f(2x)':>7s} {'numpy':>7s} {'np out=':>7s} {'ratio':>6s}")
    rng = np.random.default_rng(0)
    for name, op, ref, (lo, hi) in FUNCS:
        for dt in ("float64", "float32"):
            xv = rng.uniform(lo, hi, N).astype(dt)
            x = T.vector("x", dtype=dt)
            f = hypatia.function([x], op(x))
            g = hypatia.function([x], op(x * np.asarray(2, dtype=dt)))
            out = np.empty_like(xv)
            f(xv), g(xv)
            tf = best(lambda: f(xv)) * 1e9 / N
            tg = best(lambda: g(xv)) * 1e9 / N
            tn = best(lambda: ref(xv)) * 1e9 / N
            to = best(lambda: ref(xv, out)) * 1e9 / N
            print(f"{name:9s} {dt:8s} {tf:7.2f} {tg:7.2f} {tn:7.2f} {to:7.2f} {tf / tn:6.2f}")


if __name__ == "__main__":
    main()
