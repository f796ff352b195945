"""Dense reductions and row-wise ops side by side with numpy: max/min/sum/prod over each axis,
argmax, sort and argsort, softmax, relu, sqrt, clip, comparisons, all/any, nonzero, exp, log, pow
and a transposed operand, on 2000 x 2000 float64.

Run: OMP_NUM_THREADS=1 python bench/bench_dense_ops.py [--threads N]
Prints our time (compiled function called from Python, boundary included), numpy's, and the
ratio (hypatia / numpy; below 1 means faster). Each row is checked equal to numpy first.
"""
import argparse
import timeit

import numpy as np

import hypatia
import hypatia.tensor as T


def best(fn, number=3, repeat=5):
    fn()
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def rows(a, b):
    x, y = T.matrix("x"), T.matrix("y")
    one = [x]
    stable_argsort = lambda v, axis: np.argsort(v, axis=axis, kind="stable")  # noqa: E731
    return [
        ("max axis=0", one, T.max(x, axis=0), lambda: np.max(a, axis=0)),
        ("max axis=1", one, T.max(x, axis=1), lambda: np.max(a, axis=1)),
        ("min (all)", one, T.min(x), lambda: np.min(a)),
        ("sum axis=0", one, T.sum(x, axis=0), lambda: np.sum(a, axis=0)),
        ("prod axis=0", one, T.prod(x, axis=0), lambda: np.prod(a, axis=0)),
        ("argmax axis=1", one, T.argmax(x, axis=1), lambda: np.argmax(a, axis=1)),
        ("argsort axis=1 (stable)", one, T.argsort(x, axis=1), lambda: stable_argsort(a, 1)),
        ("sort axis=1", one, T.sort(x, axis=1), lambda: np.sort(a, axis=1)),
        ("softmax", one, T.nnet.softmax(x),
         lambda: (lambda e: e / e.sum(1, keepdims=True))(np.exp(a - a.max(1, keepdims=True)))),
        ("x - max(x, 1, keepdims)", one, x - x.max(axis=1, keepdims=True), lambda: a - a.max(axis=1, keepdims=True)),
        ("relu(x - 0.5)", one, T.nnet.relu(x - 0.5), lambda: np.maximum(a - 0.5, 0)),
        ("sqrt", one, T.sqrt(x), lambda: np.sqrt(a)),
        ("clip(x, 0.2, 0.8)", one, T.clip(x, 0.2, 0.8), lambda: np.clip(a, 0.2, 0.8)),
        ("sum(x > 0.5)", one, T.sum(x > 0.5), lambda: np.sum(a > 0.5)),
        ("maximum(x, y)", [x, y], T.maximum(x, y), lambda: np.maximum(a, b)),
        ("x > 0.5", one, x > 0.5, lambda: a > 0.5),
        ("x >= y", [x, y], x >= y, lambda: a >= b),
        ("all(x > 0.01, axis=1)", one, T.all(x > 0.01, axis=1), lambda: np.all(a > 0.01, axis=1)),
        ("nonzero(x > 0.5)", one, T.nonzero(x > 0.5)[1], lambda: np.nonzero(a > 0.5)[1]),
        ("exp", one, T.exp(x), lambda: np.exp(a)),
        ("log", one, T.log(x), lambda: np.log(a)),
        ("x ** 3.5", one, x ** 3.5, lambda: a ** 3.5),
        ("x.T * 2 (transposed)", one, x.T * 2, lambda: a.T * 2),
    ]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=None, help="hypatia's OpenMP threads (default: the config's)")
    args = p.parse_args()
    if args.threads:
        hypatia.config.openmp = args.threads > 1
    rng = np.random.RandomState(0)
    a, b = rng.rand(2000, 2000), rng.rand(2000, 2000)
    print("%-26s %10s %10s %7s" % ("row (2000 x 2000 float64)", "hypatia ms", "numpy ms", "ratio"))
    for name, ins, out, ref in rows(a, b):
        f = hypatia.function(ins, out)
        vals = [a, b][: len(ins)]
        got, want = f(*vals), ref()
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
        th, tn = best(lambda: f(*vals)), best(ref)
        print("%-26s %10.2f %10.2f %7.2f" % (name, th * 1e3, tn * 1e3, th / tn))


if __name__ == "__main__":
    main()
