"""Data-parallel step time at 1 and 2 ranks (one thread each) and the share of communication.

The model is bench_sparse_mlp.py's sparse MLP (CSR batch x 2000 -> 500 tanh -> 10 softmax,
SGD on 4 shared weights, about 1 M parameters = 8 MB of gradients per step), trained through
hypatia.distributed.function on a global batch of 256 rows split over the ranks (strong
scaling: each rank computes 256/N rows). For each rank count the driver launches

    mpirun -np N python bench/bench_distributed.py --worker

with OMP_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1, and prints the median (and best) step time, the
speed-up over one rank, and the fraction of the step the communication thread spent in
collectives and the fraction the step was blocked waiting for them (the part the backward
pass did not hide), next to the step time of the plain (non-distributed) function.

Run: python bench/bench_distributed.py [--steps 60] [--ranks 1 2] [--batch 256]
(a larger --batch gives each rank more computation per byte of gradient)
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np


def worker(steps, batch):
    import scipy.sparse as sp
    import hypatia
    import hypatia.distributed as dist
    import hypatia.sparse as S
    import hypatia.tensor as T
    r, p = dist.init(timeout=120)
    rng = np.random.default_rng(0)
    n_in, n_hid, n_out = 2000, 500, 10
    X = sp.random(batch, n_in, density=0.01, format="csr", random_state=1)
    Y = rng.integers(0, n_out, batch)
    x, y = S.csr_matrix("x"), T.lvector("y")
    W1 = hypatia.shared(rng.standard_normal((n_in, n_hid)) * 0.01, name="W1")
    b1 = hypatia.shared(np.zeros(n_hid), name="b1")
    W2 = hypatia.shared(rng.standard_normal((n_hid, n_out)) * 0.01, name="W2")
    b2 = hypatia.shared(np.zeros(n_out), name="b2")
    params = [W1, b1, W2, b2]
    h = T.tanh(S.structured_dot(x, W1) + b1)
    cost = T.nnet.categorical_crossentropy(T.nnet.softmax(T.dot(h, W2) + b2), y).mean()
    grads = hypatia.grad(cost, params)
    updates = [(q, q - 0.1 * g) for q, g in zip(params, grads)]
    step = dist.function([x, y], cost, params, updates=updates)
    xs, ys = dist.shard(X, Y)

    def timed(f, n):
        times = []
        for _ in range(n):
            dist.barrier()
            t0 = time.perf_counter()
            f(xs, ys)
            times.append(time.perf_counter() - t0)
        return times

    timed(step, 5)  # warm-up
    dist.reset_comm_seconds()
    t = timed(step, steps)
    comm, waited = dist.comm_seconds(), dist.wait_seconds()
    plain = None
    if p == 1:
        plain_step = hypatia.function([x, y], cost, updates=updates)
        timed(plain_step, 5)
        plain = float(np.median(timed(plain_step, steps)))
    if r == 0:
        print(json.dumps({"ranks": p, "step_s": float(np.median(t)), "best_s": float(np.min(t)), "comm_fraction": comm / sum(t),
                          "exposed_fraction": waited / sum(t),
                          "plain_step_s": plain}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--batch", type=int, default=256, help="global batch (rows per step over all ranks)")
    a = ap.parse_args()
    if a.worker:
        worker(a.steps, a.batch)
        return
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        sys.exit("mpirun not found: apt-get install openmpi-bin libopenmpi-dev")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_btl="self,vader",
               OMPI_MCA_btl_vader_single_copy_mechanism="none")
    rows = []
    for n in a.ranks:
        cmd = [mpirun, "-np", str(n), "--oversubscribe", "--bind-to", "none"]
        for k in ("PYTHONPATH", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            if k in env:
                cmd += ["-x", k]
        out = subprocess.run(cmd + [sys.executable, os.path.abspath(__file__), "--worker", "--steps", str(a.steps),
                                    "--batch", str(a.batch)],
                             env=env, capture_output=True, text=True, check=True).stdout
        rows.append(json.loads([ln for ln in out.splitlines() if ln.startswith("{")][-1]))
    base = rows[0]["step_s"]
    print("sparse MLP (CSR %dx2000 -> 500 tanh -> 10 softmax, global batch %d), one thread per rank"
          % (a.batch, a.batch))
    print("%6s %12s %10s %9s %15s %16s" % ("ranks", "step (ms)", "best (ms)", "speed-up", "communicating",
                                           "blocked waiting"))
    for row in rows:
        print("%6d %12.2f %10.2f %8.2fx %14.0f%% %15.0f%%" % (
            row["ranks"], row["step_s"] * 1e3, row["best_s"] * 1e3, base / row["step_s"],
            100 * row["comm_fraction"], 100 * row["exposed_fraction"]))
    if rows[0].get("plain_step_s"):
        print("plain hypatia.function (no distributed), 1 thread: %.2f ms" % (rows[0]["plain_step_s"] * 1e3))


if __name__ == "__main__":
    main()
