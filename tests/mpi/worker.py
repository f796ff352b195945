"""Programs that tests/mpi/test_mpi_distributed.py runs under mpirun (and alone): one per case,
chosen by the first argument. Each prints "OK <case> rank r" when its checks pass."""
import os
import sys
import time

import numpy as np
import scipy.sparse as sp

import hypatia
import hypatia.distributed as dist
import hypatia.sparse as S
import hypatia.tensor as T

STEPS = 4
LR = 0.5


def dense_model():
    """A tanh MLP with softmax output (3 parameters in 2+ buckets) and its data."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((48, 6))
    Y = rng.integers(0, 3, 48)
    x, y = T.dmatrix("x"), T.lvector("y")
    W1 = hypatia.shared(rng.standard_normal((6, 5)) * 0.5, name="W1")
    b1 = hypatia.shared(np.zeros(5), name="b1")
    W2 = hypatia.shared(rng.standard_normal((5, 3)) * 0.5, name="W2")
    h = T.tanh(T.dot(x, W1) + b1)
    cost = T.nnet.categorical_crossentropy(T.nnet.softmax(T.dot(h, W2)), y).mean()
    return [x, y], cost, [W1, b1, W2], (X, Y)


def sparse_model():
    """Softmax regression on CSR bags of words plus an embedding looked up with sparse_grad (its
    gradient is a sparse matrix, reduced by AllReduce) and its data."""
    rng = np.random.default_rng(11)
    X = sp.random(48, 30, density=0.15, format="csr", random_state=3, dtype=np.float64)
    Y = rng.integers(0, 4, 48)
    A = rng.integers(0, 10, 48).astype(np.int32)
    x, y, a = S.csr_matrix("x"), T.lvector("y"), T.ivector("a")
    W = hypatia.shared(rng.standard_normal((30, 4)) * 0.1, name="W")
    E = hypatia.shared(rng.standard_normal((10, 4)) * 0.1, name="E")
    b = hypatia.shared(np.zeros(4), name="b")
    logits = S.structured_dot(x, W) + hypatia.sparse_grad(E[a]) + b
    cost = T.nnet.categorical_crossentropy(T.nnet.softmax(logits), y).mean()
    return [x, y, a], cost, [W, E, b], (X, Y, A)


def train(build, dense_threshold):
    """k steps of 2-rank training (each rank its row shard of every batch) against k steps of one
    process on the whole batches, run on rank 0 from the same start."""
    r, p = dist.init(timeout=60)
    inputs, cost, params, data = build()
    start = [q.get_value().copy() for q in params]
    grads = hypatia.grad(cost, params)
    step = dist.function(inputs, cost, params, updates=[(q, q - LR * g) for q, g in zip(params, grads)],
                         bucket_bytes=64, dense_threshold=dense_threshold)
    # Overlap: the first bucket's reduction starts before the backward pass is over (some
    # computation runs between it and the wait).
    names = [str(nd.op) for nd in step.maker.fgraph.toposort()]
    first = min(i for i, s in enumerate(names) if s.startswith("AllReduceStart"))
    wait = names.index(next(s for s in names if s.startswith("AllReduceWait")))
    assert any(not s.startswith("AllReduce") for s in names[first + 1:wait]), names
    if build is sparse_model:
        assert "AllReduce{mean}" in names, names  # E's sparse gradient
    n = data[0].shape[0] // STEPS
    for k in range(STEPS):
        batch = [d[k * n:(k + 1) * n] for d in data]
        step(*dist.shard(*batch))
    got = [q.get_value() for q in params]
    # Every rank holds the same parameters ...
    for g in got:
        parts = dist.allgather(np.asarray(g, dtype=np.float64).ravel())
        assert all(np.array_equal(parts[0], q) for q in parts), "ranks diverged"
    # ... equal to one process trained on the concatenated batches.
    for q, s in zip(params, start):
        q.set_value(s)
    inputs2, cost2, params2, _ = inputs, cost, params, data
    ref_step = hypatia.function(inputs2, cost2, updates=[(q, q - LR * g) for q, g in zip(params2, grads)])
    for k in range(STEPS):
        ref_step(*[d[k * n:(k + 1) * n] for d in data])
    for q, g in zip(params, got):
        np.testing.assert_allclose(g, q.get_value(), rtol=1e-10, atol=1e-12, err_msg=q.name)
    assert any(np.abs(g - s).max() > 1e-3 for g, s in zip(got, start)), "training did not move the parameters"
    print(f"OK train rank {r} of {p}", flush=True)


def sparse_allreduce():
    """AllReduce of CSR/CSC values, both paths (gather-merge and dense fallback), sum and mean,
    against the dense sum of every rank's matrix (each rank rebuilds all ranks' matrices)."""
    r, p = dist.init(timeout=60)
    def mat(k, fmt):
        return sp.random(9, 7, density=0.3, format=fmt, random_state=100 + k, dtype=np.float64)
    for fmt in ("csr", "csc"):
        for op in ("sum", "mean"):
            ref = sum(mat(k, fmt).toarray() for k in range(p)) / (p if op == "mean" else 1)
            for threshold in (0.0, 2.0):  # 0: always the dense allreduce; 2: always gather-merge
                out = dist.all_reduce(mat(r, fmt), op, dense_threshold=threshold)
                assert out.format == fmt, (out.format, fmt)
                np.testing.assert_allclose(out.toarray(), ref, rtol=1e-12, atol=1e-14)
    # Dense values, and a variable inside a compiled function.
    np.testing.assert_allclose(dist.all_reduce(np.full(3, r + 1.0), "mean"), np.full(3, (p + 1) / 2))
    x = T.dvector("x")
    f = hypatia.function([x], dist.all_reduce(x * 2, "sum"))
    np.testing.assert_allclose(f(np.full(2, r + 1.0)), np.full(2, p * (p + 1.0)))
    print(f"OK sparse_allreduce rank {r} of {p}", flush=True)


def failing_rank(mode):
    """Rank 1 raises (or dies) at step 2; the job must end, not hang."""
    r, p = dist.init(timeout=float(os.environ.get("WORKER_TIMEOUT", "60")))
    inputs, cost, params, data = dense_model()
    grads = hypatia.grad(cost, params)
    step = dist.function(inputs, cost, params, updates=[(q, q - LR * g) for q, g in zip(params, grads)])
    for k in range(STEPS):
        if k == 2 and r == 1:
            if mode == "raise":
                raise RuntimeError("worker rank 1 fails on purpose")
            if mode == "die":
                os._exit(17)
            if mode == "stall":
                time.sleep(600)
        before = [q.get_value().copy() for q in params]
        try:
            step(*dist.shard(*[d[k * 12:(k + 1) * 12] for d in data]))
        except RuntimeError as e:
            # The surviving rank: the reduction timed out; the updates were not applied.
            for q, b in zip(params, before):
                assert np.array_equal(q.get_value(), b), f"{q.name} changed by a failed step"
            print(f"SURVIVOR rank {r}: step {k} failed cleanly: {e}", flush=True)
            print("OK survivor: shared values unchanged", flush=True)
            sys.stdout.flush()
            dist.abort(3)
    print(f"OK {mode} rank {r} finished (unexpected)", flush=True)


def mismatch():
    """Rank 1 builds a parameter of another shape: both ranks fail at start-up."""
    r, p = dist.init(timeout=60)
    x = T.dvector("x")
    W = hypatia.shared(np.zeros(5 if r == 0 else 6), name="W")
    cost = (x * W).sum() if r == 0 else (x[:1] * W[:1]).sum()
    gW = hypatia.grad(cost, W)
    dist.function([x], cost, [W], updates=[(W, W - 0.1 * gW)])
    print(f"OK mismatch rank {r} not detected", flush=True)


if __name__ == "__main__":
    case = sys.argv[1]
    if case == "train_dense":
        train(dense_model, 0.5)
    elif case == "train_sparse_gather":
        train(sparse_model, 2.0)
    elif case == "train_sparse_dense":
        train(sparse_model, 0.0)
    elif case == "sparse_allreduce":
        sparse_allreduce()
    elif case in ("raise", "die", "stall"):
        failing_rank(case)
    elif case == "mismatch":
        mismatch()
    else:
        sys.exit(f"unknown case {case}")
