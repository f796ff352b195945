"""A recurrent net on sparse input, trained with scan: Hypatia beside PyTensor in one run.

32 one-hot word sequences of 100 steps over a 10,000-word vocabulary; the input projection is
a sparse structured_dot with a 10,000x256 matrix, the recurrence a 256x256 tanh, and a softmax
over 10 classes reads the last step. One training step is the loss, its full gradient (back-
propagation through time) and an SGD update of the 5 shared parameters.

Prints the first compile time and the best step time of each library, their ratios, and the
same at 1 and 2 threads (each thread count in its own process, since OpenMP and OpenBLAS fix
their thread count at start). PyTensor is optional (`pip install pytensor`, or the `bench`
extra): without it only Hypatia's numbers are printed.

Run: PYTHONPATH=python python bench/bench_scan_rnn.py [--steps N] [--threads T]
"""
import os
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp

V, H, C, B, STEPS = 10_000, 256, 10, 32, 100


def data(seed=0):
    rng = np.random.RandomState(seed)
    words = rng.randint(0, V, size=(STEPS, B))
    # Row t * B + b is word t of sequence b: one nonzero per row.
    X = sp.csr_matrix((np.ones(STEPS * B), (np.arange(STEPS * B), words.ravel())), shape=(STEPS * B, V))
    y = rng.randint(0, C, size=B).astype(np.int64)
    params = [rng.randn(V, H) * 0.01, rng.randn(H, H) * 0.05, np.zeros(H), rng.randn(H, C) * 0.1, np.zeros(C)]
    return X, y, params


def build(lib, params):
    """The training step, written once against Theano's API (hypatia or pytensor)."""
    if lib == "hypatia":
        import hypatia as th
        import hypatia.sparse as S
        import hypatia.tensor as T
        scan = th.scan
    else:
        import pytensor as th
        import pytensor.sparse as S
        import pytensor.tensor as T
        scan = th.scan
    shared = [th.shared(p.copy(), name=n) for p, n in zip(params, ["W_in", "W_hh", "b", "W_out", "b_out"])]
    W_in, W_hh, b, W_out, b_out = shared
    x = S.csr_matrix("x")
    y = T.lvector("y")
    proj = S.structured_dot(x, W_in).reshape((STEPS, B, H))
    h0 = T.zeros((B, H))
    hs, _ = scan(lambda p, h, W_hh, b: T.tanh(p + T.dot(h, W_hh) + b), sequences=proj, outputs_info=h0,
                 non_sequences=[W_hh, b])
    p_y = T.special.softmax(T.dot(hs[-1], W_out) + b_out, axis=-1) if lib == "pytensor" else \
        T.nnet.softmax(T.dot(hs[-1], W_out) + b_out)
    loss = -T.mean(T.log(p_y)[T.arange(B), y])
    grads = th.grad(loss, shared)
    t0 = time.perf_counter()
    f = th.function([x, y], loss, updates=[(p, p - 0.1 * g) for p, g in zip(shared, grads)])
    return f, time.perf_counter() - t0


def time_steps(f, X, y, steps):
    for _ in range(3):
        f(X, y)
    best = float("inf")
    for _ in range(max(1, steps // 5)):
        t0 = time.perf_counter()
        for _ in range(5):
            f(X, y)
        best = min(best, (time.perf_counter() - t0) / 5)
    return best


def run_one(steps):
    X, y, params = data()
    rows = []
    libs = ["hypatia"]
    try:
        import pytensor  # noqa: F401
        libs.append("pytensor")
    except ImportError:
        pass
    losses = {}
    for lib in libs:
        f, compile_s = build(lib, params)
        losses[lib] = float(f(X, y))
        rows.append((lib, compile_s, time_steps(f, X, y, steps)))
    if len(losses) == 2 and abs(losses["hypatia"] - losses["pytensor"]) > 1e-6 * max(1.0, abs(losses["pytensor"])):
        print(f"WARNING: first losses differ: {losses}")
    return rows


def main():
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 20
    if "--threads" in sys.argv:
        for lib, c, s in run_one(steps):
            print(f"{lib} {c:.6f} {s:.6f}")
        return
    print(f"RNN on sparse input: {B} sequences x {STEPS} steps, vocab {V} -> {H} tanh -> {C} softmax, SGD")
    results = {}
    for threads in (1, 2):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        out = subprocess.run([sys.executable, __file__, "--threads", str(threads), "--steps", str(steps)], env=env,
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] in ("hypatia", "pytensor"):
                results[(parts[0], threads)] = (float(parts[1]), float(parts[2]))
            else:
                print(line)
    print(f"{'threads':>7} {'library':>9} {'compile ms':>11} {'step ms':>9}")
    for threads in (1, 2):
        for lib in ("hypatia", "pytensor"):
            if (lib, threads) in results:
                c, s = results[(lib, threads)]
                print(f"{threads:>7} {lib:>9} {c * 1e3:>11.1f} {s * 1e3:>9.2f}")
        if ("pytensor", threads) in results:
            hc, hs = results[("hypatia", threads)]
            pc, ps = results[("pytensor", threads)]
            print(f"{threads:>7} {'ratio':>9} {pc / hc:>10.1f}x {ps / hs:>8.2f}x  (PyTensor / Hypatia)")
    if not any(lib == "pytensor" for lib, _ in results):
        print("PyTensor is not installed (pip install pytensor): no comparison.")


if __name__ == "__main__":
    main()
