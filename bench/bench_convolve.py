"""hypatia.sparse.sandbox.sp.convolve (sparse patch matrix . images, then . kernels) side by
side with scipy.signal.correlate2d / convolve2d looped over images and kernels, in one process.

Run: python bench/bench_convolve.py [--quick]
Prints each case, hypatia's time (compiled function, forward only), scipy's correlate2d and
convolve2d times, and the ratios hypatia / scipy (below 1 means faster). The machine may be
shared: compare ratios from one run, not absolute times across runs.
"""
import os
import sys
import timeit

import numpy as np
from scipy.signal import convolve2d, correlate2d

import hypatia
import hypatia.tensor as T
from hypatia.sparse.sandbox import sp

QUICK = "--quick" in sys.argv


def best(fn, repeat=3):
    fn()
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def case(batch, h, w, kshp, nkern, mode, step=(1, 1)):
    rng = np.random.RandomState(0)
    K = rng.randn(nkern, kshp[0] * kshp[1])
    I = rng.randn(batch, h * w)
    k, im = T.dmatrix("k"), T.dmatrix("im")
    out, _ = sp.convolve(k, kshp, nkern, im, (h, w), step=step, mode=mode)
    f = hypatia.function([k, im], out)
    dx, dy = step
    imgs = I.reshape(batch, h, w)
    kers = K.reshape(nkern, *kshp)
    kers_flipped = kers[:, ::-1, ::-1]

    def ref_corr():
        return [correlate2d(imgs[b], kers[n], mode)[::dy, ::dx] for b in range(batch) for n in range(nkern)]

    def ref_conv():
        return [convolve2d(imgs[b], kers_flipped[n], mode)[::dy, ::dx] for b in range(batch) for n in range(nkern)]

    got = f(K, I).reshape(batch * nkern, -1)
    want = np.stack([r.ravel() for r in ref_corr()])
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    th, tc, tv = best(lambda: f(K, I)), best(ref_corr), best(ref_conv)
    print("%-44s %9.2f ms %9.2f ms %9.2f ms %8.2f %8.2f" % (
        "b=%d %dx%d k=%dx%d n=%d %s step=%s" % (batch, h, w, kshp[0], kshp[1], nkern, mode, step),
        th * 1e3, tc * 1e3, tv * 1e3, th / tc, th / tv))


def main():
    print("%-44s %12s %12s %12s %8s %8s" % ("case", "hypatia", "correlate2d", "convolve2d", "h/corr", "h/conv"))
    cases = [(32, 8, 8, (3, 3), 4, "valid"), (32, 28, 28, (5, 5), 8, "valid"),
             (32, 28, 28, (5, 5), 8, "full"), (16, 32, 48, (3, 5), 4, "valid", (2, 2))]
    if QUICK:
        cases = cases[:2]
    for c in cases:
        case(*c)
    print("OMP_NUM_THREADS=%s, cpu_count=%s" % (os.environ.get("OMP_NUM_THREADS", "unset"), os.cpu_count()))


if __name__ == "__main__":
    main()
