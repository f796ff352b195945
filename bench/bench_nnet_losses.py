"""Softmax-regression loss + gradient (the hand-written -log(softmax(x W + b))[arange(n), y],
rewritten to the fused crossentropy ops) and batch-norm training forward+backward: Hypatia
beside numpy and PyTensor (when importable), one run, ratios printed.

Run: PYTHONPATH=python python bench/bench_nnet_losses.py   (PyTensor: /work/bench-venv/bin/python)
"""
import time

import numpy as np

import hypatia
import hypatia.tensor as T
from hypatia.tensor.nnet import bn, softmax

n, d, k = 256, 128, 10
rng = np.random.RandomState(0)
Xv = rng.randn(n, d)
Yv = rng.randint(0, k, n).astype("int32")
Wv, bv = rng.randn(d, k) * 0.1, np.zeros(k)
A = rng.randn(64, 32, 16, 16)
G, B = np.ones(32), np.zeros(32)


def best(fn, reps=20):
    fn()
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        fn()
        t.append(time.perf_counter() - s)
    return min(t)


def hypatia_fns():
    x, y, W, b = T.matrix(), T.ivector(), T.matrix(), T.vector()
    cost = -T.log(softmax(T.dot(x, W) + b))[T.arange(y.shape[0]), y].mean()
    loss = hypatia.function([x, y, W, b], [cost] + hypatia.grad(cost, [W, b]))
    a, g, be = T.tensor4(), T.vector(), T.vector()
    out = bn.batch_normalization_train(a, g, be, "spatial")[0]
    c2 = (out * out).sum()
    norm = hypatia.function([a, g, be], [c2] + hypatia.grad(c2, [a, g, be]))
    return (lambda: loss(Xv, Yv, Wv, bv)), (lambda: norm(A, G, B))


def numpy_fns():
    def loss():
        z = Xv @ Wv + bv
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        sm = e / e.sum(axis=1, keepdims=True)
        c = -(z[np.arange(n), Yv] - np.log(e.sum(axis=1))).mean()
        dz = sm.copy()
        dz[np.arange(n), Yv] -= 1
        dz /= n
        return c, Xv.T @ dz, dz.sum(axis=0)

    def norm():
        ax = (0, 2, 3)
        mu = A.mean(axis=ax, keepdims=True)
        inv = 1 / np.sqrt(A.var(axis=ax, keepdims=True) + 1e-4)
        xh = (A - mu) * inv
        out = xh * G.reshape(1, -1, 1, 1) + B.reshape(1, -1, 1, 1)
        dy = 2 * out
        gg = (dy * xh).sum(axis=ax)
        gb = dy.sum(axis=ax)
        dxh = dy * G.reshape(1, -1, 1, 1)
        dx = inv * (dxh - dxh.mean(axis=ax, keepdims=True) - xh * (dxh * xh).mean(axis=ax, keepdims=True))
        return (out * out).sum(), dx, gg, gb
    return loss, norm


def pytensor_fns():
    try:
        import pytensor
        import pytensor.tensor as pt
        from pytensor.tensor.special import softmax as pt_softmax
        from pytensor.tensor.nnet import batchnorm as pbn  # noqa: F401 - absent in 3.x
    except Exception:
        pbn = None
    try:
        import pytensor
        import pytensor.tensor as pt
        from pytensor.tensor.special import softmax as pt_softmax
    except Exception:
        return None, None
    x, y, W, b = pt.dmatrix(), pt.ivector(), pt.dmatrix(), pt.dvector()
    cost = -pt.log(pt_softmax(pt.dot(x, W) + b, axis=-1))[pt.arange(y.shape[0]), y].mean()
    loss = pytensor.function([x, y, W, b], [cost] + pytensor.grad(cost, [W, b]))
    return (lambda: loss(Xv, Yv, Wv, bv)), None


h_loss, h_norm = hypatia_fns()
n_loss, n_norm = numpy_fns()
p_loss, _ = pytensor_fns()
np.testing.assert_allclose(h_loss()[0], n_loss()[0], rtol=1e-10)
np.testing.assert_allclose(h_norm()[1], n_norm()[1], rtol=1e-6, atol=1e-8)
th, tn = best(h_loss), best(n_loss)
print(f"softmax loss+grad ({n}x{d} -> {k}): hypatia {th * 1e6:8.1f} us  numpy {tn * 1e6:8.1f} us  "
      f"numpy/hypatia {tn / th:5.2f}", end="")
if p_loss:
    tp = best(p_loss)
    print(f"  pytensor {tp * 1e6:8.1f} us  pytensor/hypatia {tp / th:5.2f}")
else:
    print("  (pytensor not importable)")
th, tn = best(h_norm, 5), best(n_norm, 5)
print(f"batch norm train fwd+bwd (spatial, {A.shape}): hypatia {th * 1e3:7.2f} ms  numpy {tn * 1e3:7.2f} ms  "
      f"numpy/hypatia {tn / th:5.2f}")
