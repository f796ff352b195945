"""Dense MLP 784-256-10 training step (tanh hidden layer, softmax cross-entropy, SGD on W1, b1,
W2, b2), Hypatia vs a hand-written numpy forward+backward+update, in one run.

Batch 128 (bench_tensor.py's size) by default; --batch 20 gives the tutorials' minibatch.
Both start from the same values; costs and updated parameters are checked equal after the
first steps; then each step is timed (best of several repeats). Prints the ratio
numpy / Hypatia (above 1: Hypatia faster; the issue's goal is >= 1.5).

Both sides use OpenBLAS for the three 128x784x256 products, which are most of the step. On a
busy 2-core machine numpy's bundled multi-threaded OpenBLAS spins and is slow; run also with
OPENBLAS_NUM_THREADS=1 (both libraries single-threaded BLAS) for the like-for-like figure.

Run: PYTHONPATH=python python bench/bench_dense_mlp.py [--batch N] [--steps N] [--profile]
"""
import sys
import time

import numpy as np

import hypatia
import hypatia.tensor as T


def arg(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def timed(fn, steps, repeat=7):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(steps):
            fn()
        best = min(best, (time.perf_counter() - t0) / steps)
    return best


def main():
    batch, steps, profile = arg("--batch", 128), arg("--steps", 20), "--profile" in sys.argv
    n_in, n_hid, n_out, lr = 784, 256, 10, 0.1
    rng = np.random.RandomState(0)
    X = rng.randn(batch, n_in)
    Y = np.eye(n_out)[rng.randint(0, n_out, size=batch)]
    init = [rng.randn(n_in, n_hid) * 0.01, np.zeros(n_hid), rng.randn(n_hid, n_out) * 0.01, np.zeros(n_out)]

    x, t = T.dmatrix("x"), T.dmatrix("t")
    params = [hypatia.shared(v.copy(), name) for v, name in zip(init, ["W1", "b1", "W2", "b2"])]
    W1, b1, W2, b2 = params
    h = T.tanh(T.dot(x, W1) + b1)
    logits = T.dot(h, W2) + b2
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - T.log(T.exp(z).sum(axis=1, keepdims=True))
    cost = -(t * logp).sum() / batch
    grads = hypatia.grad(cost, params)
    kw = {"profile": True} if profile else {}
    train = hypatia.function([x, t], cost, updates=[(p, p - lr * g) for p, g in zip(params, grads)], **kw)

    P = [v.copy() for v in init]

    def numpy_step():
        W1n, b1n, W2n, b2n = P
        hn = np.tanh(X @ W1n + b1n)
        lg = hn @ W2n + b2n
        zz = lg - lg.max(axis=1, keepdims=True)
        e = np.exp(zz)
        se = e.sum(axis=1, keepdims=True)
        c = -(Y * (zz - np.log(se))).sum() / batch
        d_lg = (e / se - Y) / batch
        d_h = (d_lg @ W2n.T) * (1 - hn * hn)
        P[0] = W1n - lr * (X.T @ d_h)
        P[1] = b1n - lr * d_h.sum(axis=0)
        P[2] = W2n - lr * (hn.T @ d_lg)
        P[3] = b2n - lr * d_lg.sum(axis=0)
        return c

    for _ in range(3):
        c_h, c_n = train(X, Y), numpy_step()
        assert np.allclose(c_h, c_n, rtol=1e-10), (c_h, c_n)
    for p, v in zip(params, P):
        assert np.allclose(p.get_value(), v, rtol=1e-9, atol=1e-12)
    print("values: Hypatia and numpy agree (cost %.10g)" % float(c_h))
    t_h = timed(lambda: train(X, Y), steps)
    t_n = timed(numpy_step, steps)
    print(f"dense MLP 784-256-10 step, batch {batch}, float64: Hypatia {t_h * 1e3:.3f} ms, "
          f"numpy {t_n * 1e3:.3f} ms, ratio numpy/Hypatia {t_n / t_h:.2f}x (goal >= 1.5)")
    if profile:
        print(train.profile_summary() if hasattr(train, "profile_summary") else train.profile)


if __name__ == "__main__":
    main()
