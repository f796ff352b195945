"""Contractive autoencoder step of the classic Theano tutorials, Hypatia vs PyTensor in one run.

Batch 20, 784 visible, 500 hidden, sigmoid encoder/decoder with tied weights, cross-entropy
reconstruction cost plus the contraction penalty built as a 20x784x500 broadcast product:
    J = (h*(1-h)).dimshuffle(0,'x',1) * W.dimshuffle('x',0,1);  penalty = sum(J**2) / batch
SGD on W, b, b_prime (float64). Both libraries start from the same values; the costs and the
updated parameters are checked equal after the first steps, then each step is timed (best of
several repeats). Prints both times and the ratio PyTensor / Hypatia (above 1: Hypatia faster).

Also times Hypatia without local_careduce_fusion (mode FAST_RUN-careduce_fusion).

Run: PYTHONPATH=python /work/bench-venv/bin/python bench/bench_cae.py [--profile] [--steps N]
"""
import sys
import time

import numpy as np


def build(lib, th, tt, vals, profile=False, mode=None):
    W0, b0, bp0 = vals
    x = tt.dmatrix("x")
    W = lib.shared(W0.copy(), name="W")
    b = lib.shared(b0.copy(), name="b")
    bp = lib.shared(bp0.copy(), name="b_prime")
    batch, lam, lr = 20, 0.1, 0.1
    sigmoid = tt.sigmoid if hasattr(tt, "sigmoid") else tt.nnet.sigmoid
    h = sigmoid(tt.dot(x, W) + b)
    z = sigmoid(tt.dot(h, W.T) + bp)
    L_rec = -tt.sum(x * tt.log(z) + (1 - x) * tt.log(1 - z), axis=1)
    J = (h * (1 - h)).dimshuffle(0, "x", 1) * W.dimshuffle("x", 0, 1)
    L_jac = tt.sum(J ** 2) / batch
    cost = tt.mean(L_rec) + lam * tt.mean(L_jac)
    params = [W, b, bp]
    grads = th.grad(cost, params)
    kw = {"profile": True} if profile else {}
    if mode:
        kw["mode"] = mode
    f = th.function([x], cost, updates=[(p, p - lr * g) for p, g in zip(params, grads)], **kw)
    return f, params


def timed(f, X, steps, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(steps):
            f(X)
        best = min(best, (time.perf_counter() - t0) / steps)
    return best


def main():
    profile = "--profile" in sys.argv
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 10
    rng = np.random.RandomState(0)
    X = rng.rand(20, 784)
    W0 = rng.uniform(-4 * np.sqrt(6.0 / 1284), 4 * np.sqrt(6.0 / 1284), size=(784, 500))
    vals = (W0, np.zeros(500), np.zeros(784))

    import hypatia
    import hypatia.tensor as HT
    f_h, p_h = build(hypatia, hypatia, HT, vals, profile)
    # The same step without local_careduce_fusion (the 3-D product materialised), for scale.
    f_u, _ = build(hypatia, hypatia, HT, vals, mode="FAST_RUN-careduce_fusion")
    results = {}
    try:
        import pytensor
        import pytensor.tensor as PT
        f_p, p_p = build(pytensor, pytensor, PT, vals)
    except ImportError:
        f_p = None
    # Same values: three steps each, costs and parameters compared.
    for _ in range(3):
        c_h = f_h(X)
        if f_p is not None:
            c_p = f_p(X)
            assert np.allclose(c_h, c_p, rtol=1e-10), (c_h, c_p)
    if f_p is not None:
        for a, b in zip(p_h, p_p):
            assert np.allclose(a.get_value(), b.get_value(), rtol=1e-9, atol=1e-12)
        print("values: Hypatia and PyTensor agree (cost %.10g)" % float(c_h))
    results["hypatia"] = timed(f_h, X, steps)
    results["unfused"] = timed(f_u, X, max(1, steps // 2), repeat=3)
    if f_p is not None:
        results["pytensor"] = timed(f_p, X, steps)
    print(f"CAE step (batch 20, 784-500, float64), Hypatia:  {results['hypatia'] * 1e3:8.2f} ms")
    print(f"  same, FAST_RUN-careduce_fusion (no fused sums):  {results['unfused'] * 1e3:8.2f} ms")
    if f_p is not None:
        print(f"CAE step (batch 20, 784-500, float64), PyTensor: {results['pytensor'] * 1e3:8.2f} ms")
        print(f"ratio PyTensor / Hypatia: {results['pytensor'] / results['hypatia']:.2f}x (goal >= 2)")
    if profile:
        print(f_h.profile_summary() if hasattr(f_h, "profile_summary") else f_h.profile)


if __name__ == "__main__":
    main()
