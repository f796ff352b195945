"""conv2d forward + backward (batch 32, 3 -> 64 channels, 32x32 images, 3x3 filters, 'half'
padding, float32): Hypatia beside scipy.signal (looped over images and channels) and PyTensor
(its pytensor.tensor.signal.convolve2d on the padded input, broadcast over images x filters x channels and summed
over channels, as PyTensor 3 has no conv2d), with times, GFLOP/s and ratios in one run.

One step computes y = conv2d(x, w) and the gradients of sum(y * g) with respect to x and w
(three convolutions of 2 * 32 * 64 * 32 * 32 * 3 * 9 flops each).

Run: PYTHONPATH=$PWD/python /work/bench-venv/bin/python bench/bench_conv.py [--quick]
The machine may be shared: compare the ratios of one run, not absolute times across runs.
"""
import sys
import timeit

import numpy as np
from scipy import signal

import hypatia
import hypatia.tensor as T
from hypatia.tensor import nnet

QUICK = "--quick" in sys.argv
B, C, M, H, W, K = 32, 3, 64, 32, 32, 3
FLOPS = 3 * 2.0 * B * M * H * W * C * K * K
rng = np.random.RandomState(0)
X = rng.randn(B, C, H, W).astype("float32")
Wt = rng.randn(M, C, K, K).astype("float32")
G = rng.randn(B, M, H, W).astype("float32")


def best(fn, repeat=3 if QUICK else 7):
    fn()
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def hypatia_step():
    x, w, g = T.tensor4("x", dtype="float32"), T.tensor4("w", dtype="float32"), T.tensor4("g", dtype="float32")
    y = nnet.conv2d(x, w, border_mode="half")
    gx, gw = hypatia.grad(T.sum(y * g), [x, w])
    f = hypatia.function([x, w, g], [y, gx, gw])
    return lambda: f(X, Wt, G)


def scipy_step():
    pad = K // 2

    def run():
        y = np.zeros((B, M, H, W), np.float32)
        for b in range(B):
            for m in range(M):
                for c in range(C):
                    y[b, m] += signal.convolve(X[b, c], Wt[m, c], "same")
        gx = np.zeros_like(X)
        for b in range(B):
            for c in range(C):
                for m in range(M):
                    gx[b, c] += signal.correlate(G[b, m], Wt[m, c], "same")
        gw = np.zeros_like(Wt)
        Xp = np.pad(X, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
        for m in range(M):
            for c in range(C):
                for b in range(B):
                    gw[m, c] += signal.correlate(Xp[b, c], G[b, m], "valid")[::-1, ::-1]
        return y, gx, gw
    return run


def pytensor_step():
    try:
        import pytensor
        import pytensor.tensor as pt
        from pytensor.tensor.signal import convolve2d
    except ImportError:
        return None
    x, w, g = pt.tensor4("x", dtype="float32"), pt.tensor4("w", dtype="float32"), pt.tensor4("g", dtype="float32")
    p = K // 2  # 'same' through an explicitly padded 'valid' (PyTensor 3.0.7's mode="same" gradient fails to broadcast)
    xp = pt.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * p, x.shape[3] + 2 * p), dtype="float32")
    xp = pt.set_subtensor(xp[:, :, p:-p, p:-p], x)
    y = convolve2d(xp[:, None, :, :, :], w[None, :, :, :, :], mode="valid").sum(axis=2)
    gx, gw = pytensor.grad(pt.sum(y * g), [x, w])
    f = pytensor.function([x, w, g], [y, gx, gw])
    return lambda: f(X, Wt, G)


def main():
    h = hypatia_step()
    ref = scipy_step()
    hy, hgx, hgw = h()
    ry, rgx, rgw = ref()
    for a, b in ((hy, ry), (hgx, rgx), (hgw, rgw)):
        np.testing.assert_allclose(a, b, rtol=2e-3, atol=2e-3)
    rows = [("hypatia", best(h)), ("scipy.signal loop", best(ref, repeat=1 if QUICK else 2))]
    p = pytensor_step()
    if p is not None:
        py, pgx, pgw = p()
        np.testing.assert_allclose(py, ry, rtol=2e-3, atol=2e-3)
        rows.append(("pytensor 3 convolve2d", best(p, repeat=1 if QUICK else 3)))
    print("conv2d forward+backward: batch %d, %d -> %d channels, %dx%d, %dx%d filters, 'half', float32, "
          "%.0f MFLOP per step" % (B, C, M, H, W, K, K, FLOPS / 1e6))
    th = rows[0][1]
    for name, t in rows:
        print("  %-22s %9.2f ms  %7.2f GFLOP/s  %8.1fx hypatia's time" % (name, t * 1e3, FLOPS / t / 1e9, t / th))


if __name__ == "__main__":
    main()
