"""Sparse MLP training step: CSR 256x2000 input -> 500 tanh -> 10 softmax, SGD on 4 shared weights.

Prints the best time per step and, with --profile, the per-node profile of the step (issue 9:
before the generic in-place phase, `UsmmCscDense{no_inplace}` copied all of W1 on every step).

Run: PYTHONPATH=python python bench/bench_sparse_mlp.py [--profile] [--steps N] [--mode MODE]
"""
import sys
import time

import numpy as np
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T


def build(profile=False, seed=0, mode="FAST_RUN"):
    rng = np.random.RandomState(seed)
    n, d, h, k = 256, 2000, 500, 10
    X = sp.random(n, d, density=0.01, format="csr", random_state=rng, dtype=np.float64)
    Y = rng.randint(0, k, size=n).astype(np.int64)
    x = S.csr_matrix("x")
    y = T.lvector("y")
    W1 = hypatia.shared(rng.randn(d, h) * 0.01, name="W1")
    b1 = hypatia.shared(np.zeros(h), name="b1")
    W2 = hypatia.shared(rng.randn(h, k) * 0.01, name="W2")
    b2 = hypatia.shared(np.zeros(k), name="b2")
    hid = T.tanh(S.structured_dot(x, W1) + b1)
    p_y = T.nnet.softmax(T.dot(hid, W2) + b2)
    loss = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    params = [W1, b1, W2, b2]
    grads = hypatia.grad(loss, params)
    lr = 0.1
    step = hypatia.function([x, y], loss, updates=[(p, p - lr * g) for p, g in zip(params, grads)],
                            profile=profile, mode=mode)
    return step, X, Y, params


def main():
    profile = "--profile" in sys.argv
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 200
    # --mode FAST_RUN-inplace runs the step without the in-place phase (main before issue 9).
    mode = sys.argv[sys.argv.index("--mode") + 1] if "--mode" in sys.argv else "FAST_RUN"
    step, X, Y, _ = build(profile, mode=mode)
    for _ in range(5):
        step(X, Y)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(steps // 5):
            step(X, Y)
        best = min(best, (time.perf_counter() - t0) / (steps // 5))
    print(f"sparse MLP step (256x2000 csr -> 500 tanh -> 10 softmax, {mode}): {best * 1e3:.3f} ms")
    if profile:
        print(step.profile_summary() if hasattr(step, "profile_summary") else step.profile)


if __name__ == "__main__":
    main()
