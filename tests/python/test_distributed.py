"""hypatia.distributed in one process (one local rank, MPI not started): the AllReduce op's
contract, the bucketed gradient reduction and its schedule, the data-parallel helper and
sharding. The multi-rank behaviour is tested under mpirun by tests/mpi/."""
import pickle

import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.distributed as dist
import hypatia.sparse as S
import hypatia.tensor as T

pytestmark = pytest.mark.skipif(not dist.available(), reason="hypatia built without MPI")


@pytest.fixture(autouse=True)
def local_rank(monkeypatch):
    monkeypatch.delenv("HYPATIA_DISTRIBUTED", raising=False)
    dist.init()
    yield


def test_one_local_rank():
    assert (dist.rank(), dist.size()) == (0, 1)
    dist.barrier()
    assert [a.tolist() for a in dist.allgather(np.arange(3.0))] == [[0.0, 1.0, 2.0]]
    np.testing.assert_array_equal(dist.broadcast(np.eye(2)), np.eye(2))


def test_all_reduce_op_contract():
    x = T.dmatrix("x")
    y = dist.all_reduce(x, "mean")
    op = y.owner.op
    assert str(op) == "AllReduce{mean}"
    assert op == dist.all_reduce(x, "mean").owner.op and hash(op) == hash(dist.all_reduce(x, "mean").owner.op)
    assert op != dist.all_reduce(x, "sum").owner.op
    assert op != dist.all_reduce(x, "mean", dense_threshold=0.1).owner.op
    assert pickle.loads(pickle.dumps(op)) == op
    assert y.type == x.type
    f = hypatia.function([x], [y, y.shape])
    out, shape = f(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(out, np.arange(6.0).reshape(2, 3))
    assert tuple(shape) == (2, 3)
    # Gradient and R-op: the same reduction (identity at one rank).
    g = hypatia.grad((dist.all_reduce(x, "sum") * x).sum(), x)
    np.testing.assert_allclose(hypatia.function([x], g)(np.ones((2, 2))), 2 * np.ones((2, 2)))
    v = T.dmatrix("v")
    jv = hypatia.Rop(dist.all_reduce(x, "sum"), x, v)
    f = hypatia.function([x, v], jv, on_unused_input="ignore")
    np.testing.assert_allclose(f(np.ones((1, 2)), np.full((1, 2), 3.0)), [[3.0, 3.0]])


def test_all_reduce_rejects_what_it_cannot_reduce():
    with pytest.raises(TypeError, match=r"^\[AllReduce\] op='mean' needs a float"):
        dist.all_reduce(T.ivector(), "mean")
    with pytest.raises(TypeError, match=r"^\[AllReduce\] cannot reduce bool"):
        dist.all_reduce(T.bvector().astype("bool"))
    with pytest.raises(ValueError, match=r"^\[AllReduce\] op must be 'sum' or 'mean'"):
        dist.all_reduce(T.dvector(), "max")


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("threshold", [0.0, 2.0])
def test_sparse_all_reduce_is_canonical(fmt, threshold):
    m = sp.random(6, 5, density=0.4, format=fmt, random_state=1)
    m.data[0] = 0.0  # an explicit zero is dropped, as scipy's sum drops it
    out = dist.all_reduce(m, "sum", dense_threshold=threshold)
    assert out.format == fmt and out.has_sorted_indices
    np.testing.assert_array_equal(out.toarray(), m.toarray())
    assert out.nnz == np.count_nonzero(m.toarray())
    x = S.csr_matrix("x") if fmt == "csr" else S.csc_matrix("x")
    y = dist.all_reduce(x, "mean", dense_threshold=threshold)
    assert y.type == x.type


def test_reduce_gradients_buckets_and_overlap():
    x, y = T.dmatrix("x"), T.dvector("y")
    W1 = hypatia.shared(np.ones((4, 3)), name="W1")
    W2 = hypatia.shared(np.ones(3), name="W2")
    cost = ((T.dot(T.tanh(T.dot(x, W1)), W2) - y) ** 2).mean()
    g = hypatia.grad(cost, [W1, W2])
    r = dist.reduce_gradients(g, [W1, W2], bucket_bytes=1)  # one bucket per gradient
    assert str(r[0].owner.op) == "AllReduceWait{buckets=2}"
    f = hypatia.function([x, y], r + g)
    names = [str(n.op) for n in f.maker.fgraph.toposort()]
    starts = [i for i, s in enumerate(names) if s.startswith("AllReduceStart")]
    wait = names.index("AllReduceWait{buckets=2}")
    # W2's gradient (the last layer, computed first) starts before W1's is computed.
    assert len(starts) == 2 and any(not s.startswith("AllReduce") for s in names[starts[0] + 1:starts[1]]), names
    assert starts[1] < wait
    out = f(np.ones((2, 4)), np.zeros(2))
    np.testing.assert_allclose(out[0], out[2])
    np.testing.assert_allclose(out[1], out[3])
    start_op = r[0].owner.inputs[0].owner.op
    assert pickle.loads(pickle.dumps(start_op)) == start_op
    with pytest.raises(TypeError, match=r"^\[AllReduceStart\] a bucket holds tensors of one dtype"):
        start_op(T.dvector(), T.fvector())
    # Gradients of two dtypes never share a bucket.
    mixed = dist.reduce_gradients([T.dvector(), T.fvector()], bucket_bytes=1 << 20)
    assert str(mixed[0].owner.op) == "AllReduceWait{buckets=2}"


def test_function_matches_plain_training_at_one_rank():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    x, y = T.dmatrix("x"), T.dvector("y")
    results = []
    for helper in ("plain", "list", "callable"):
        w = hypatia.shared(np.zeros(3), name="w")
        cost = ((T.dot(x, w) - y) ** 2).mean()
        if helper == "plain":
            f = hypatia.function([x, y], cost, updates=[(w, w - 0.1 * hypatia.grad(cost, w))])
        elif helper == "list":
            f = dist.function([x, y], cost, [w], updates=[(w, w - 0.1 * hypatia.grad(cost, w))])
        else:
            f = dist.function([x, y], cost, [w], updates=lambda ps, gs: [(p, p - 0.1 * g) for p, g in zip(ps, gs)])
        for _ in range(3):
            f(X, Y)
        results.append(w.get_value())
        if helper != "plain":
            assert any(str(n.op).startswith("AllReduceWait") for n in f.maker.fgraph.toposort())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12)
    np.testing.assert_allclose(results[2], results[0], rtol=1e-12)


def test_function_needs_the_gradients_in_the_updates():
    x = T.dvector("x")
    w = hypatia.shared(np.zeros(3), name="w")
    with pytest.raises(ValueError, match=r"^\[distributed.function\] no gradient of cost"):
        dist.function([x], (x * w).sum(), [w], updates=[(w, w * 0.5)])


def test_function_refuses_an_update_without_the_averaged_gradient():
    x = T.dvector("x")
    w = hypatia.shared(np.zeros(3), name="w")
    v = hypatia.shared(np.zeros(3), name="v")
    cost = (x * w).sum() + (x * v).sum()
    other = ((x * v) ** 2).sum()  # v's update follows the gradient of another cost
    with pytest.raises(ValueError, match=r"^\[distributed.function\] the update of v does not use"):
        dist.function([x], cost, [w, v], updates=[(w, w - 0.1 * hypatia.grad(cost, w)),
                                                  (v, v - 0.1 * hypatia.grad(other, v))])


def test_shard_is_a_row_partition():
    X = sp.random(11, 4, density=0.5, format="csr", random_state=2)
    y = np.arange(11)
    parts = [dist.shard(X, y, rank=r, size=3) for r in range(3)]
    assert [p[0].shape[0] for p in parts] == [4, 4, 3]
    assert (sp.vstack([p[0] for p in parts]) != X).nnz == 0
    np.testing.assert_array_equal(np.concatenate([p[1] for p in parts]), y)
    assert dist.shard(y).tolist() == y.tolist()  # one rank holds everything
    assert dist.shard(X.tocsc(), rank=0, size=2).format == "csr"


def test_without_mpi_support_the_module_says_so(monkeypatch):
    class NoMPI:
        have_mpi = False
    monkeypatch.setattr(dist, "_d", NoMPI())
    assert not dist.available()
    with pytest.raises(RuntimeError, match=r"^\[distributed\] this hypatia was built without MPI"):
        dist.init()
    with pytest.raises(RuntimeError, match="libopenmpi-dev"):
        dist.all_reduce(T.dvector())
