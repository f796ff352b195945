"""LeNet training step on scikit-learn's digits (examples/lenet_digits.py): Hypatia beside PyTensor.

Both build the same network from the same initial weights (float64, batch 64): conv 5x5 'half'
(1->20) -> tanh -> 2x2 max-pool -> conv 5x5 'half' (20->50) -> tanh -> pool -> 500 tanh ->
softmax, mean cross-entropy, SGD on 8 shared parameters. PyTensor 3 has neither conv2d nor
pooling ops, so its network is written the way a PyTensor user would: each convolution as
im2col (25 shifted slices of the padded input, stacked) and one tensordot on the flipped
filters, each pool as reshape + max. The losses of the third step are checked equal first.

Run: PYTHONPATH=python /work/bench-venv/bin/python bench/bench_lenet.py [repeats]
Prints compile times, the step time of each (best of `repeats` rounds of 20 steps) and ratios.
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
import lenet_digits  # noqa: E402

BATCH = 64


def pytensor_lenet(params, lr=0.2):
    import pytensor
    import pytensor.tensor as pt
    p = {k: pytensor.shared(v.copy(), name=k) for k, v in params.items()}
    x = pt.tensor4("x", dtype="float64")
    y = pt.lvector("y")

    def conv_half(inp, W, cin, cout, size):
        b = inp.shape[0]
        padded = pt.set_subtensor(pt.zeros((b, cin, size + 4, size + 4))[:, :, 2:-2, 2:-2], inp)
        cols = pt.stack([padded[:, :, i:i + size, j:j + size] for i in range(5) for j in range(5)], axis=2)
        flipped = W[:, :, ::-1, ::-1].reshape((cout, cin, 25))
        return pt.tensordot(cols, flipped, axes=[[1, 2], [1, 2]]).dimshuffle(0, 3, 1, 2)

    def pool2(h, c, size):
        return h.reshape((h.shape[0], c, size // 2, 2, size // 2, 2)).max(axis=(3, 5))

    h1 = pool2(pt.tanh(conv_half(x, p["W1"], 1, 20, 8) + p["b1"].dimshuffle("x", 0, "x", "x")), 20, 8)
    h2 = pool2(pt.tanh(conv_half(h1, p["W2"], 20, 50, 4) + p["b2"].dimshuffle("x", 0, "x", "x")), 50, 4)
    h3 = pt.tanh(pt.dot(h2.flatten(2), p["W3"]) + p["b3"])
    logits = pt.dot(h3, p["W4"]) + p["b4"]
    prob = pt.special.softmax(logits, axis=1)
    loss = -pt.log(prob[pt.arange(y.shape[0]), y]).mean()
    names = sorted(p)
    grads = pytensor.grad(loss, [p[k] for k in names])
    return pytensor.function([x, y], loss, updates=[(p[k], p[k] - lr * g) for k, g in zip(names, grads)])


def best_step(train, xs, ys, repeats, steps=20):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in range(steps):
            train(xs[i % len(xs)], ys[i % len(ys)])
        best = min(best, (time.perf_counter() - t0) / steps)
    return best


def main(repeats=5):
    xtr, ytr, _, _ = lenet_digits.load_digits()
    params = lenet_digits.init_params(dtype="float64")
    xs = [xtr[i:i + BATCH] for i in range(0, 1280, BATCH)]
    ys = [ytr[i:i + BATCH] for i in range(0, 1280, BATCH)]

    t0 = time.perf_counter()
    hy_train, _ = lenet_digits.build({k: v.copy() for k, v in params.items()})
    hy_compile = time.perf_counter() - t0
    try:
        t0 = time.perf_counter()
        pt_train = pytensor_lenet(params)
        pt_compile = time.perf_counter() - t0
    except ImportError:
        pt_train = None
    # The first loss is log(10) whatever the convolutions do (W4 starts at zero): compare the third.
    losses = [[float(hy_train(xs[i], ys[i])) for i in range(3)][-1]]
    if pt_train is not None:
        losses.append([float(pt_train(xs[i], ys[i])) for i in range(3)][-1])
        assert abs(losses[0] - losses[1]) < 1e-9, losses
    print("third-step loss: %s (equal)" % ", ".join("%.10f" % v for v in losses))
    hy = best_step(hy_train, xs, ys, repeats)
    print("compile: Hypatia %.1f ms" % (1e3 * hy_compile)
          + ("" if pt_train is None else ", PyTensor %.1f ms (%.0fx)" % (1e3 * pt_compile, pt_compile / hy_compile)))
    if pt_train is None:
        print("step (batch %d): Hypatia %.2f ms; PyTensor not installed" % (BATCH, 1e3 * hy))
        return
    pt_step = best_step(pt_train, xs, ys, repeats)
    print("step (batch %d): Hypatia %.2f ms, PyTensor %.2f ms: Hypatia %.2fx faster"
          % (BATCH, 1e3 * hy, 1e3 * pt_step, pt_step / hy))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
