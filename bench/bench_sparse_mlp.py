"""Sparse MLP training step: CSR 256x2000 input -> 500 tanh -> 10 softmax, SGD on 4 shared weights.

Prints the best time per step and, with --profile, the per-node profile of the step (issue 9:
before the generic in-place phase, `UsmmCscDense{no_inplace}` copied all of W1 on every step).

With --pytensor (run it with /work/bench-venv/bin/python), PyTensor's step on the same data runs
in child processes alternating with Hypatia's rounds, with its C backend (mode CVM: the numba
default of PyTensor 3 takes over 100 ms here) and prints the ratio.

Run: PYTHONPATH=python python bench/bench_sparse_mlp.py [--profile] [--steps N] [--mode MODE] [--pytensor]
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


def build_pytensor(seed=0, mode="CVM"):
    """The same step in PyTensor (same data and initial weights as build())."""
    import pytensor
    import pytensor.sparse as ps
    import pytensor.tensor as pt

    rng = np.random.RandomState(seed)
    n, d, h, k = 256, 2000, 500, 10
    X = sp.random(n, d, density=0.01, format="csr", random_state=rng, dtype=np.float64)
    Y = rng.randint(0, k, size=n).astype(np.int64)
    x = ps.csr_matrix("x")
    y = pt.lvector("y")
    W1 = pytensor.shared(rng.randn(d, h) * 0.01, name="W1")
    b1 = pytensor.shared(np.zeros(h), name="b1")
    W2 = pytensor.shared(rng.randn(h, k) * 0.01, name="W2")
    b2 = pytensor.shared(np.zeros(k), name="b2")
    hid = pt.tanh(ps.structured_dot(x, W1) + b1)
    p_y = pt.special.softmax(pt.dot(hid, W2) + b2, axis=-1)
    loss = -pt.mean(pt.log(p_y)[pt.arange(y.shape[0]), y])
    params = [W1, b1, W2, b2]
    grads = pytensor.grad(loss, params)
    step = pytensor.function([x, y], loss, updates=[(p, p - 0.1 * g) for p, g in zip(params, grads)], mode=mode)
    return step, X, Y, params


def best_time(step, X, Y, steps, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(max(1, steps // repeats)):
            step(X, Y)
        best = min(best, (time.perf_counter() - t0) / max(1, steps // repeats))
    return best


def main():
    profile = "--profile" in sys.argv
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 200
    # --mode FAST_RUN-inplace runs the step without the in-place phase (main before issue 9).
    mode = sys.argv[sys.argv.index("--mode") + 1] if "--mode" in sys.argv else "FAST_RUN"
    step, X, Y, _ = build(profile, mode=mode)
    for _ in range(5):
        step(X, Y)
    if "--pytensor-only" in sys.argv:
        pstep, PX, PY, _ = build_pytensor()
        for _ in range(5):
            pstep(PX, PY)
        print(best_time(pstep, PX, PY, steps))
        return
    if "--pytensor" in sys.argv:
        # PyTensor runs in a child process per round, alternating with Hypatia's rounds here, so
        # both see the same machine load but neither's thread pools (OpenMP, OpenBLAS) spin
        # beside the other's.
        import subprocess

        hb = pb = float("inf")
        for _ in range(5):
            hb = min(hb, best_time(step, X, Y, steps // 5, repeats=2))
            out = subprocess.run([sys.executable, __file__, "--pytensor-only", "--steps", str(steps // 5)],
                                 capture_output=True, text=True, check=True)
            pb = min(pb, float(out.stdout.strip().splitlines()[-1]))
        print(f"sparse MLP step: hypatia ({mode}) {hb * 1e3:.3f} ms, pytensor (CVM) {pb * 1e3:.3f} ms, "
              f"ratio pytensor/hypatia {pb / hb:.2f}x")
    else:
        best = best_time(step, X, Y, steps)
        print(f"sparse MLP step (256x2000 csr -> 500 tanh -> 10 softmax, {mode}): {best * 1e3:.3f} ms")
    if profile:
        print(step.profile_summary() if hasattr(step, "profile_summary") else step.profile)


if __name__ == "__main__":
    main()
