"""Dense tensor benchmarks side by side with numpy: the MLP's dense product (dot 128x784 by
784x256, float64 and float32), an MLP training step and elementwise chains.

Run: python bench/bench_tensor.py
Prints our time, numpy's and the ratio (hypatia / numpy; below 1 means faster). Threads: the
OpenBLAS/OpenMP defaults of this machine (printed, with the BLAS core in use). On a busy machine,
OPENBLAS_NUM_THREADS=1 gives steadier dense-product ratios.
"""
import os
import timeit

import numpy as np

import hypatia
import hypatia.tensor as T


def best(fn, number, repeat=5):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def mlp_step(batch=128, n_in=784, n_hid=256, n_out=10):
    rng = np.random.RandomState(0)
    X = rng.randn(batch, n_in)
    y = rng.randint(0, n_out, size=batch)
    Y = np.eye(n_out)[y]
    W1v = rng.randn(n_in, n_hid) * 0.01
    W2v = rng.randn(n_hid, n_out) * 0.01
    b1v, b2v = np.zeros(n_hid), np.zeros(n_out)

    x = T.dmatrix("x")
    t = T.dmatrix("t")
    W1, b1 = hypatia.shared(W1v.copy(), "W1"), hypatia.shared(b1v.copy(), "b1")
    W2, b2 = hypatia.shared(W2v.copy(), "W2"), hypatia.shared(b2v.copy(), "b2")
    h = T.tanh(T.dot(x, W1) + b1)
    logits = T.dot(h, W2) + b2
    z = logits - logits.max(axis=1, keepdims=True) if hasattr(logits, "max") else logits
    logp = z - T.log(T.exp(z).sum(axis=1, keepdims=True))
    cost = -(t * logp).sum() / batch
    params = [W1, b1, W2, b2]
    grads = hypatia.grad(cost, params)
    train = hypatia.function([x, t], cost, updates=[(p, p - 0.1 * g) for p, g in zip(params, grads)])

    P = [W1v.copy(), b1v.copy(), W2v.copy(), b2v.copy()]

    def numpy_step():
        W1n, b1n, W2n, b2n = P
        a1 = X @ W1n + b1n
        hn = np.tanh(a1)
        lg = hn @ W2n + b2n
        zz = lg - lg.max(axis=1, keepdims=True)
        e = np.exp(zz)
        sm = e / e.sum(axis=1, keepdims=True)
        c = -(Y * (zz - np.log(e.sum(axis=1, keepdims=True)))).sum() / batch
        d_lg = (sm - Y) / batch
        gW2 = hn.T @ d_lg
        gb2 = d_lg.sum(axis=0)
        d_h = (d_lg @ W2n.T) * (1 - hn * hn)
        gW1 = X.T @ d_h
        gb1 = d_h.sum(axis=0)
        P[0] = W1n - 0.1 * gW1
        P[1] = b1n - 0.1 * gb1
        P[2] = W2n - 0.1 * gW2
        P[3] = b2n - 0.1 * gb2
        return c

    c_ours = train(X, Y)
    c_ref = numpy_step()
    assert np.allclose(c_ours, c_ref), (c_ours, c_ref)
    return best(lambda: train(X, Y), 20), best(numpy_step, 20)


def elemwise_chain(n=1_000_000):
    rng = np.random.RandomState(1)
    a, b = rng.rand(n), rng.rand(n)
    x, y = T.dvectors("x", "y")
    out = ((x * y + 1.0) * x - y) / (x + 2.0) + T.exp(-x) * y
    f = hypatia.function([x, y], out)
    ref = lambda: ((a * b + 1.0) * a - b) / (a + 2.0) + np.exp(-a) * b  # noqa: E731
    assert np.allclose(f(a, b), ref())
    return best(lambda: f(a, b), 10), best(ref, 10)


def dense_dot(dtype, m=128, k=784, n=256):
    """T.dot of an m x k by a k x n matrix (the MLP's first layer) against numpy's matmul."""
    rng = np.random.RandomState(3)
    a, b = rng.randn(m, k).astype(dtype), rng.randn(k, n).astype(dtype)
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    f = hypatia.function([x, y], T.dot(x, y))
    assert np.allclose(f(a, b), a @ b, rtol=1e-4 if dtype == "float32" else 1e-10, atol=1e-3)
    return best(lambda: f(a, b), 50, repeat=7), best(lambda: a @ b, 50, repeat=7)


def small_elemwise(n=100):
    rng = np.random.RandomState(2)
    a, b = rng.rand(n), rng.rand(n)
    x, y = T.dvectors("x", "y")
    f = hypatia.function([x, y], x * y + x)
    return best(lambda: f(a, b), 20000), best(lambda: a * b + a, 20000)


def main():
    print("threads: OMP_NUM_THREADS=%s, cores=%d" % (os.environ.get("OMP_NUM_THREADS", "default"), os.cpu_count()))
    blas = hypatia.config.blas
    print("BLAS: %s, core %s, %d threads" % (blas["build"], blas["core"], blas["num_threads"]))
    print("%-44s %12s %12s %8s" % ("benchmark", "hypatia", "numpy", "ratio"))
    for name, (ours, theirs) in [
        ("dot 128x784 by 784x256, float64", dense_dot("float64")),
        ("dot 128x784 by 784x256, float32", dense_dot("float32")),
        ("MLP 784-256-10 step, batch 128 (fwd+bwd+upd)", mlp_step()),
        ("elementwise chain, 10 ops, 1e6 float64", elemwise_chain()),
        ("x*y+x on 100 float64 (per call)", small_elemwise()),
    ]:
        print("%-44s %10.3f ms %10.3f ms %8.2f" % (name, ours * 1e3, theirs * 1e3, ours / theirs))


if __name__ == "__main__":
    main()
