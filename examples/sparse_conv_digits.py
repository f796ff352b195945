"""A small sparse-convolution network on 8x8 digit images (hypatia.sparse.sandbox).

Layer 1: ``sp.convolve`` (4 kernels of 3x3, 'valid': 8x8 -> 6x6) + bias + tanh, then
``sp.max_pool`` over 2x2 windows (-> 4 maps of 3x3). Layer 2: a dense softmax layer over the
36 pooled features, 10 classes. Trained by plain gradient descent on the digits images that
ship with scikit-learn (``sklearn.datasets.load_digits``); without scikit-learn it falls back
to generated 8x8 images (noisy class templates) and says so.

Run: python examples/sparse_conv_digits.py [steps] [batch]
Prints the training loss as it goes down.
"""
import sys

import numpy as np

import hypatia
import hypatia.tensor as T
from hypatia.sparse.sandbox import sp


def load_data(n=500, seed=0):
    """(images n x 64 in [0, 1], labels n, source string)."""
    try:
        from sklearn.datasets import load_digits
        d = load_digits()
        x, y = d.data[:n] / 16.0, d.target[:n].astype(np.int64)
        return x, y, "sklearn.datasets.load_digits"
    except ImportError:
        rng = np.random.RandomState(seed)
        templates = rng.rand(10, 64) > 0.6
        y = rng.randint(0, 10, size=n)
        x = np.clip(templates[y] + 0.3 * rng.randn(n, 64), 0, 1)
        return x, y.astype(np.int64), "generated 8x8 images (scikit-learn is not installed)"


def build(seed=1234, nkern=4, kshp=(3, 3), imgshp=(8, 8), pool=(2, 2), lr=0.5):
    rng = np.random.RandomState(seed)
    x = T.dmatrix("x")
    y = T.lvector("y")
    ksize = int(np.prod(kshp))
    k = hypatia.shared(rng.randn(nkern, ksize) / np.sqrt(ksize), name="k")
    b1 = hypatia.shared(np.zeros(nkern), name="b1")
    conv, (nk, oh, ow) = sp.convolve(k, kshp, nkern, x, imgshp, bias=b1, mode="valid")
    h1 = T.tanh(conv)
    pooled, (ph, pw) = sp.max_pool(h1, (nkern, oh, ow), pool)
    nfeat = nkern * int(ph) * int(pw)
    W = hypatia.shared(np.zeros((nfeat, 10)), name="W")
    b2 = hypatia.shared(np.zeros(10), name="b2")
    p = T.nnet.softmax(T.dot(pooled, W) + b2)
    loss = T.nnet.categorical_crossentropy(p, y).mean()
    params = [k, b1, W, b2]
    grads = T.grad(loss, params)
    train = hypatia.function([x, y], loss, updates=[(v, v - lr * g) for v, g in zip(params, grads)])
    predict = hypatia.function([x], T.argmax(p, axis=1))
    return train, predict


def run(steps=30, batch=100, verbose=True):
    """Train for ``steps`` minibatch steps; returns the per-step losses."""
    x, y, source = load_data()
    if verbose:
        print("data: %d images from %s" % (len(x), source))
    train, predict = build()
    losses = []
    n = len(x)
    for step in range(steps):
        i = (step * batch) % n
        xb, yb = x[i:i + batch], y[i:i + batch]
        losses.append(float(train(xb, yb)))
        if verbose and (step % 5 == 0 or step == steps - 1):
            print("step %3d  loss %.4f" % (step, losses[-1]))
    if verbose:
        acc = float(np.mean(predict(x) == y))
        print("training accuracy after %d steps: %.3f" % (steps, acc))
    return losses


if __name__ == "__main__":
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    run(steps, batch)
