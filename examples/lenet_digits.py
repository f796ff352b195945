"""LeNet on scikit-learn's 8x8 digits: conv 5x5 -> max-pool -> conv 5x5 -> max-pool -> dense -> softmax.

The network of the Theano tutorial "Convolutional Neural Networks (LeNet)", sized for 8x8
images: both convolutions use 'half' padding so the maps keep their size until pooled
(8x8 -> pool 4x4 -> 4x4 -> pool 2x2), then a tanh layer of 500 units and a softmax over the 10
digits. Trained by minibatch SGD (batch 64) on 1,500 images; the other 297 are the test set.

Run: python examples/lenet_digits.py [epochs]
Prints the loss per epoch and the test accuracy (about 97 % after 10 epochs).
"""
import sys
import time

import numpy as np

import hypatia
import hypatia.tensor as T
from hypatia.tensor.nnet import conv2d
from hypatia.tensor.signal.pool import pool_2d


def load_digits(n_train=1500):
    """(train images, train labels, test images, test labels); images are (n, 1, 8, 8) in [0, 1]."""
    from sklearn.datasets import load_digits as _load
    d = _load()
    x = (d.images / 16.0).astype(hypatia.config.floatX)[:, None, :, :]
    y = d.target.astype(np.int64)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def init_params(seed=1234, nkern=(20, 50), hidden=500, dtype="float64"):
    """The weights, drawn as in the tutorial (uniform in +-sqrt(6 / (fan_in + fan_out)))."""
    rng = np.random.RandomState(seed)

    def uniform(shape, fan_in, fan_out):
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, size=shape).astype(dtype)

    k1, k2 = nkern
    return {
        "W1": uniform((k1, 1, 5, 5), 25, k1 * 25 / 4), "b1": np.zeros(k1, dtype),
        "W2": uniform((k2, k1, 5, 5), k1 * 25, k2 * 25 / 4), "b2": np.zeros(k2, dtype),
        "W3": uniform((k2 * 4, hidden), k2 * 4, hidden), "b3": np.zeros(hidden, dtype),
        "W4": np.zeros((hidden, 10), dtype), "b4": np.zeros(10, dtype),
    }


def build(params, lr=0.2):
    """(train step, predict): train(x, y) -> mean loss, one SGD step; predict(x) -> labels."""
    p = {k: hypatia.shared(v, name=k) for k, v in params.items()}
    x = T.tensor4("x")
    y = T.lvector("y")
    h1 = pool_2d(T.tanh(conv2d(x, p["W1"], border_mode="half") + p["b1"].dimshuffle("x", 0, "x", "x")),
                 ws=(2, 2), ignore_border=True)
    h2 = pool_2d(T.tanh(conv2d(h1, p["W2"], border_mode="half") + p["b2"].dimshuffle("x", 0, "x", "x")),
                 ws=(2, 2), ignore_border=True)
    h3 = T.tanh(T.dot(h2.flatten(2), p["W3"]) + p["b3"])
    prob = T.nnet.softmax(T.dot(h3, p["W4"]) + p["b4"])
    loss = T.nnet.categorical_crossentropy(prob, y).mean()
    names = sorted(p)
    grads = hypatia.grad(loss, [p[k] for k in names])
    updates = [(p[k], p[k] - lr * g) for k, g in zip(names, grads)]
    train = hypatia.function([x, y], loss, updates=updates, name="lenet_train")
    predict = hypatia.function([x], T.argmax(prob, axis=1), name="lenet_predict")
    return train, predict


def main(epochs=10, batch=64):
    xtr, ytr, xte, yte = load_digits()
    t0 = time.perf_counter()
    train, predict = build(init_params(dtype=hypatia.config.floatX))
    print("compiled in %.1f ms" % (1e3 * (time.perf_counter() - t0)))
    rng = np.random.RandomState(0)
    for epoch in range(epochs):
        order = rng.permutation(len(xtr))
        losses = [float(train(xtr[order[i:i + batch]], ytr[order[i:i + batch]]))
                  for i in range(0, len(order) - batch + 1, batch)]
        print("epoch %d: loss %.4f" % (epoch + 1, np.mean(losses)))
    accuracy = float(np.mean(predict(xte) == yte))
    print("test accuracy: %.1f %%" % (100 * accuracy))
    return accuracy


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
