"""hypatia.distributed: data-parallel training over MPI (Horovod's and DDP's model).

Every rank runs the same program on its own shard of the data; the gradients are averaged
over the ranks inside the compiled function before the updates, so the replicas of the
model stay equal. The same program runs as one process (``python prog.py``: one rank, MPI
is not started) and under a launcher (``mpirun -np 4 python prog.py``).

    import hypatia, hypatia.distributed as dist
    dist.init()
    X, y = dist.shard(X_all, y_all)                  # this rank's rows (CSR row partition)
    gW, gb = hypatia.grad(cost, [W, b])
    train = dist.function([x, t], cost, [W, b],
                          updates=[(W, W - lr * gW), (b, b - lr * gb)])

The collectives run in C++ (the ``hypatia::distributed`` library, MPI's C API) on one
communication thread; mpi4py, when imported too, shares the same MPI library and
MPI_COMM_WORLD. See docs/distributed.md.
"""
import atexit
import sys

import numpy as np

from . import _core

_d = _core.distributed
__all__ = ["available", "init", "finalize", "rank", "size", "barrier", "all_reduce", "allgather",
           "broadcast", "shard", "sync_parameters", "reduce_gradients", "function", "comm_seconds",
           "wait_seconds", "reset_comm_seconds", "set_timeout", "abort"]


def available():
    """Whether this build of hypatia has MPI support (hypatia.distributed works); raises nothing."""
    return bool(_d.have_mpi)


def _need():
    if not _d.have_mpi:
        raise RuntimeError(
            "[distributed] this hypatia was built without MPI, so hypatia.distributed is not "
            "available: install MPI (Debian: apt-get install libopenmpi-dev openmpi-bin) and "
            "rebuild hypatia (pip install .)")
    return _d


def _ready():
    d = _need()
    if not d.initialized():
        init()
    return d


_prev_excepthook = None


def _abort_excepthook(tp, value, tb):
    """Prints the exception, then ends every rank of the job: the others would otherwise wait
    for this rank's next collective until their timeout."""
    (_prev_excepthook or sys.__excepthook__)(tp, value, tb)
    try:
        where = f"rank {_d.rank()} of {_d.size()}"
    except Exception:  # noqa: BLE001 - already failing; say what we can
        where = "a rank"
    sys.stderr.write(f"[distributed] {where} raised {tp.__name__}: {value}; aborting every rank (MPI_Abort)\n")
    sys.stderr.flush()
    sys.stdout.flush()
    _d.abort(1)


def init(timeout=None, abort_on_exception=True):
    """Starts the communicator (idempotent) and returns (rank, size).

    Under mpirun/srun this joins MPI_COMM_WORLD (or uses the MPI that mpi4py started);
    started alone, the process is rank 0 of 1 and MPI is not started. ``timeout`` (seconds,
    default 120 or HYPATIA_DISTRIBUTED_TIMEOUT) bounds how long a collective waits for the
    other ranks: past it the collective raises instead of hanging. With
    ``abort_on_exception`` an uncaught exception on one rank ends the whole job
    (sys.excepthook calls MPI_Abort), so the other ranks do not wait for it.
    """
    global _prev_excepthook
    d = _need()
    d.init(float(timeout) if timeout else 0.0)
    if d.uses_mpi() and abort_on_exception and sys.excepthook is not _abort_excepthook:
        _prev_excepthook = sys.excepthook
        sys.excepthook = _abort_excepthook
    atexit.register(finalize)
    return d.rank(), d.size()


def finalize():
    """Stops the communication thread and finalizes MPI (idempotent; runs at exit); raises nothing
    (a build without MPI has nothing to stop)."""
    if _d.have_mpi:
        _d.finalize()


def abort(code=1):
    """Ends every rank of the job (MPI_Abort); the process exits with ``code`` locally. Raises
    RuntimeError "[distributed] ..." when hypatia was built without MPI."""
    _need().abort(code)


def rank():
    """This process's rank (0 .. size()-1); initialises the communicator if needed. Raises
    RuntimeError "[distributed] ..." when hypatia was built without MPI."""
    return _ready().rank()


def size():
    """The number of ranks; initialises the communicator if needed. Raises RuntimeError "[distributed] ..." when hypatia was built without MPI."""
    return _ready().size()


def barrier():
    """Waits until every rank reaches the barrier. Raises RuntimeError when the other ranks do not
    arrive within the timeout (set_timeout), and RuntimeError "[distributed] ..." when hypatia was built without MPI."""
    _ready().barrier()


def set_timeout(seconds):
    """Sets ``seconds``, how long later collectives wait for the other ranks before they raise
    RuntimeError. Raises TypeError or ValueError for a value that is not a number, and RuntimeError "[distributed] ..." when hypatia was built without MPI."""
    _need().set_timeout(float(seconds))


def comm_seconds():
    """Seconds the communication thread spent in collectives since reset_comm_seconds(). Raises
    RuntimeError "[distributed] ..." when hypatia was built without MPI."""
    return _need().comm_seconds()


def wait_seconds():
    """Seconds the caller was blocked waiting for collectives since reset_comm_seconds(): the
    communication that the backward pass did not hide. Raises RuntimeError "[distributed] ..." when hypatia was built without MPI."""
    return _need().wait_seconds()


def reset_comm_seconds():
    """Resets comm_seconds() and wait_seconds() to 0. Raises RuntimeError "[distributed] ..." when hypatia was built without MPI."""
    _need().reset_comm_seconds()


_reduce_fns = {}


def all_reduce(x, op="sum", dense_threshold=0.5):
    """The sum or mean (``op``) of x over the ranks.

    A symbolic variable gives a variable (an AllReduce node: dense tensors, and CSR/CSC
    matrices reduced by an allgather of the stored entries and a merge, or by a dense
    allreduce when all ranks' entries together cover ``dense_threshold`` of the matrix or
    more); its gradient is the same reduction of the output gradient. A numpy array or scipy
    sparse matrix is reduced at once and returned.

    Raises ValueError "[AllReduce] ..." for an ``op`` other than 'sum' or 'mean' or when the
    ranks' values differ in shape or dtype, RuntimeError when another rank does not take part
    within the timeout, and RuntimeError "[distributed] ..." when hypatia was built without MPI.
    """
    d = _need()
    if isinstance(x, _core.Variable):
        return d.all_reduce(x, op, float(dense_threshold))
    from . import function as _function
    from . import sparse as _sparse
    from . import tensor as _tensor
    import scipy.sparse as sp
    _ready()
    if sp.issparse(x):
        fmt = "csc" if x.format == "csc" else "csr"
        x = x.asformat(fmt)
        key = ("sparse", fmt, str(x.dtype), op, float(dense_threshold))
        if key not in _reduce_fns:
            v = _sparse.SparseType(fmt, str(x.dtype))()
            _reduce_fns[key] = _function([v], d.all_reduce(v, op, float(dense_threshold)))
    else:
        x = np.asarray(x)
        key = ("dense", x.ndim, str(x.dtype), op)
        if key not in _reduce_fns:
            v = _tensor.TensorType(str(x.dtype), (False,) * x.ndim)()
            _reduce_fns[key] = _function([v], d.all_reduce(v, op))
    return _reduce_fns[key](x)


def allgather(a):
    """Every rank's array ``a`` (flattened to 1-d; lengths may differ), concatenated in rank
    order. Raises ValueError when the ranks' dtypes differ, RuntimeError past the timeout, and
    RuntimeError "[distributed] ..." when hypatia was built without MPI."""
    return _ready().allgather(np.ascontiguousarray(a))


def broadcast(a, root=0):
    """``root``'s array ``a`` (same shape and dtype on every rank), as a new array. Raises
    ValueError when the ranks' sizes or dtypes differ, RuntimeError past the timeout, and
    RuntimeError "[distributed] ..." when hypatia was built without MPI."""
    return _ready().broadcast(np.ascontiguousarray(a), int(root))


def shard(*data, rank=None, size=None):
    """This rank's rows of each dataset: the contiguous row partition (block sizes differ by at
    most one, rank 0 first), so the ranks' shards concatenated in rank order give the data back.
    A scipy sparse matrix is partitioned as CSR rows (converted to CSR first); numpy arrays and
    sequences by their first axis. One dataset gives one shard, several a tuple. ``rank`` and
    ``size`` default to this process's (given both, no communicator is needed). Raises
    RuntimeError "[distributed] ..." when hypatia was built without MPI when ``rank`` or ``size`` must be looked up."""
    if rank is None or size is None:
        d = _ready()
        rank = d.rank() if rank is None else rank
        size = d.size() if size is None else size
    import scipy.sparse as sp
    out = []
    for x in data:
        if sp.issparse(x):
            x = x.tocsr()
        n = x.shape[0] if hasattr(x, "shape") else len(x)
        b, e = _d.row_range(int(n), int(rank), int(size)) if _d.have_mpi else _row_range(n, rank, size)
        out.append(x[b:e])
    return out[0] if len(out) == 1 else tuple(out)


def _row_range(n, r, p):
    base, extra = divmod(n, p)
    b = r * base + min(r, extra)
    return b, b + base + (1 if r < extra else 0)


def sync_parameters(params):
    """Checks that every rank has the same parameters ``params`` (shared variables: count, dtype,
    shape), then copies rank 0's values into every rank's shared variables. Raises ValueError
    "[distributed.sync_parameters] ..." on every rank when they differ, RuntimeError past the
    timeout, and RuntimeError "[distributed] ..." when hypatia was built without MPI."""
    _ready().sync_parameters(list(params), "distributed.sync_parameters")


def reduce_gradients(grads, params=None, op="mean", bucket_bytes=4 << 20, dense_threshold=0.5):
    """The gradients ``grads`` (symbolic variables) reduced over the ranks with ``op`` ('mean' or
    'sum'): dense ones in buckets of about ``bucket_bytes`` whose reductions start as soon as the
    bucket's gradients exist (AllReduceStart) and are waited by one AllReduceWait before their
    first use; sparse gradients through AllReduce (``dense_threshold``: see all_reduce).
    ``params`` (the shared variables the gradients belong to) size the buckets. Raises
    ValueError for an unknown ``op``, and RuntimeError "[distributed] ..." when hypatia was built without MPI."""
    d = _need()
    grads = list(grads)
    nbytes = d.parameter_nbytes(list(params)) if params is not None else [0] * len(grads)
    return d.reduce_gradients(grads, nbytes, op, int(bucket_bytes), float(dense_threshold))


def _structural_ids(roots, table, memo):
    """Hash-consing ids of variables: two variables get the same id when they compute the same
    thing from the same leaves (equal ops on equal inputs; equal constants). Iterative."""
    stack = [v for v in roots if v is not None]
    while stack:
        v = stack[-1]
        if v in memo:
            stack.pop()
            continue
        node = v.owner
        if node is None:
            if v.is_constant:
                data = v.data
                try:
                    arr = np.asarray(data)
                    key = ("c", str(v.type), arr.dtype.str, arr.shape, arr.tobytes())
                except Exception:  # noqa: BLE001 - a constant numpy cannot view: identity
                    key = ("v", v)
            else:
                key = ("v", v)
            memo[v] = table.setdefault(key, len(table))
            stack.pop()
            continue
        pending = [i for i in node.inputs if i not in memo]
        if pending:
            stack.extend(pending)
            continue
        key = ("a", node.op, node.outputs.index(v), tuple(memo[i] for i in node.inputs))
        memo[v] = table.setdefault(key, len(table))
        stack.pop()


def _find_user_grads(cost, params, exprs):
    """The variables of the update expressions that are the gradients of cost w.r.t. params
    (recomputed with hypatia.grad and matched by structure); None where a gradient is unused."""
    from .gradient import grad
    mine = grad(cost, list(params), disconnected_inputs="ignore")
    table, memo = {}, {}
    _structural_ids(mine, table, memo)
    want = {memo[g]: k for k, g in enumerate(mine)}
    found = [None] * len(mine)
    seen = {}
    _structural_ids(exprs, table, seen)
    for v, vid in seen.items():
        k = want.get(vid)
        if k is not None and found[k] is None:
            found[k] = v
    return found


def function(inputs, cost, params, updates=None, outputs=None, grads=None, bucket_bytes=4 << 20,
             dense_threshold=0.5, sync=True, **kwargs):
    """A compiled training step whose gradients are averaged over the ranks before the updates.

    ``updates`` is what the single-process program passes to hypatia.function, written with
    ``hypatia.grad(cost, params)`` (a list of (shared, expression) pairs or a dict): each
    gradient of cost w.r.t. a parameter found in it (or the variables given as ``grads``) is
    replaced by its mean over the ranks. It may also be a callable ``updates(params, grads)``
    returning the pairs (an optimizer), called with the averaged gradients. Dense gradients
    are reduced in buckets of about ``bucket_bytes`` that start while the backward pass goes on;
    sparse ones by AllReduce (``dense_threshold``: see all_reduce). With ``sync`` (default),
    the parameters are first checked to have one shape on every rank (ValueError
    "[distributed.function] ..." otherwise) and rank 0's values are copied to every rank.
    ``inputs`` are the step's explicit inputs, as for hypatia.function. ``outputs`` defaults to
    ``cost`` (this rank's cost); other keyword arguments go to hypatia.function. Updates are
    applied only after every reduction completed: a failed reduction (a rank died or raised)
    leaves the shared values as they were. Raises ValueError "[distributed.function] ..." when
    an update's gradient cannot be found or shapes differ across ranks, RuntimeError when a
    reduction does not complete within the timeout, and RuntimeError "[distributed] ..." when hypatia was built without MPI.
    """
    from . import clone as _clone
    from . import function as _function
    from .gradient import grad
    d = _ready()
    params = list(params)
    if sync:  # the shape check first (ValueError on every rank), then rank 0's values
        d.sync_parameters(params, "distributed.function")
    nbytes = d.parameter_nbytes(params)
    if outputs is None:
        outputs = cost
    if updates is None or callable(updates):
        g = list(grads) if grads is not None else grad(cost, params)
        reduced = d.reduce_gradients(g, nbytes, "mean", int(bucket_bytes), float(dense_threshold))
        pairs = list(updates(params, reduced)) if updates is not None else []
    else:
        pairs = list(updates.items()) if isinstance(updates, dict) else [tuple(u) for u in updates]
        exprs = [e for _, e in pairs]
        user = list(grads) if grads is not None else _find_user_grads(cost, params, exprs)
        if len(user) != len(params):
            raise ValueError(f"[distributed.function] expected one gradient per parameter ({len(params)}), "
                             f"got {len(user)}")
        used = [(k, g) for k, g in enumerate(user) if g is not None]
        if not used:
            raise ValueError("[distributed.function] no gradient of cost w.r.t. the parameters appears in "
                             "updates: build them with hypatia.grad(cost, params), pass grads=[...], or pass "
                             "updates as a callable updates(params, grads)")
        targets = {s for s, _ in pairs}
        for q, g in zip(params, user):
            if g is None and q in targets:
                # Its update would use this rank's own gradient: the replicas would drift apart.
                raise ValueError(f"[distributed.function] the update of {q.name or 'a parameter'} does not use "
                                 f"hypatia.grad(cost, params)'s gradient of it (a gradient of another cost?): "
                                 f"pass grads=[...] or updates as a callable updates(params, grads)")
        reduced = d.reduce_gradients([g for _, g in used], [nbytes[k] for k, _ in used], "mean",
                                     int(bucket_bytes), float(dense_threshold))
        new_exprs = _clone(exprs, replace={g: r for (_, g), r in zip(used, reduced)})
        pairs = [(s, e) for (s, _), e in zip(pairs, new_exprs)]
    return _function(inputs, outputs, updates=pairs, **kwargs)
