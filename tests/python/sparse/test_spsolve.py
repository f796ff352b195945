"""hypatia.sparse.linalg.spsolve against scipy.sparse.linalg.spsolve: formats, dtypes, vector
and matrix right-hand sides, unsorted indices and explicit zeros, assume_a 'gen'/'pos'/'sym',
structured gradients, the R-op, one factorisation per call, threads, pickling and errors."""
import pickle
import threading

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T
from hypatia.gradient import verify_grad
from hypatia.sparse.linalg import spsolve
from harness import check_op


def _dense(n, rng, diag=4.0, p=0.35):
    d = np.where(rng.rand(n, n) < p, rng.uniform(-1, 1, (n, n)), 0.0)
    return d + diag * np.eye(n)


def _spd(n, rng):
    b = np.where(rng.rand(n, n) < 0.4, rng.uniform(-1, 1, (n, n)), 0.0)
    return b.T @ b + n * np.eye(n)


def _compress(dense, fmt, dtype, storage):
    """dense as a csr/csc matrix stored 'sorted', 'unsorted' (each slice reversed) or with
    'explicit zeros' (one stored zero per slice where the slice has an empty position)."""
    m = (sp.csr_matrix if fmt == "csr" else sp.csc_matrix)(dense.astype(dtype))
    if storage == "sorted":
        return m
    outer = dense.shape[0]
    data, idx, ptr = [], [], [0]
    for o in range(outer):
        s, e = m.indptr[o], m.indptr[o + 1]
        i, v = list(m.indices[s:e]), list(m.data[s:e])
        if storage == "unsorted":
            i, v = i[::-1], v[::-1]
        else:
            free = sorted(set(range(dense.shape[1])) - set(i))
            if free:
                i.append(free[0])
                v.append(0.0)
        idx += i
        data += v
        ptr.append(len(idx))
    cls = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
    return cls((np.array(data, dtype=dtype), np.array(idx, dtype=np.int32), np.array(ptr, dtype=np.int32)),
               shape=dense.shape)


def _ref(a, b):
    x = spla.spsolve(sp.csc_matrix(a.toarray().astype(np.float64)), b.astype(np.float64))
    return np.asarray(x).reshape(b.shape).astype(b.dtype)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("storage", ["sorted", "unsorted", "explicit zeros"])
@pytest.mark.parametrize("k", [None, 3])
def test_general_matches_scipy(fmt, dtype, storage, k):
    rng = np.random.RandomState(1)
    n = 6
    a = _compress(_dense(n, rng), fmt, dtype, storage)
    b = rng.uniform(-1, 1, (n,) if k is None else (n, k)).astype(dtype)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else {}
    check_op(lambda A, B: spsolve(A, B), [a, b], _ref, grad=dtype == "float64",
             structured=True, **tol)


@pytest.mark.parametrize("assume_a", ["pos", "sym"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("upper_only", [True, False])
def test_symmetric_kinds_read_the_upper_triangle(assume_a, fmt, upper_only):
    rng = np.random.RandomState(2)
    n = 7
    s = _spd(n, rng)
    stored = np.triu(s) if upper_only else s + np.tril(np.full((n, n), 3.0), -1)  # garbage below: ignored
    a = _compress(stored, fmt, "float64", "unsorted")
    b = rng.uniform(-1, 1, (n, 2))
    got = check_op(lambda A, B: spsolve(A, B, assume_a=assume_a), [a, b],
                   lambda A, B: spla.spsolve(sp.csc_matrix(s), B), structured=True)
    np.testing.assert_allclose(s @ got, b, atol=1e-10)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_verify_grad_sparse_for_A_and_verify_grad_for_b(dtype, fmt):
    rng = np.random.RandomState(3)
    n = 5
    a = _compress(_dense(n, rng), fmt, dtype, "sorted")
    b = rng.uniform(-1, 1, (n, 2)).astype(dtype)
    S.verify_grad_sparse(lambda A: spsolve(A, b), [a], structured=True, rng=np.random.RandomState(0))
    verify_grad(lambda B: spsolve(a, B), [b], rng=np.random.RandomState(0))


def test_gradient_of_A_matches_the_formula_and_is_structured():
    rng = np.random.RandomState(4)
    n = 6
    a = _compress(_dense(n, rng, p=0.3), "csr", "float64", "explicit zeros")
    b = rng.uniform(-1, 1, n)
    A, B = S.csr_matrix("A", "float64"), T.vector("b", "float64")
    x = spsolve(A, B)
    ga, gb = hypatia.grad(T.sum(x * np.arange(1.0, n + 1)), [A, B])
    assert ga.type.kind == "sparse" and ga.type.format == "csr"
    got_a, got_b = hypatia.function([A, B], [ga, gb])(a, b)
    dense = a.toarray()
    xv = np.linalg.solve(dense, b)
    u = np.linalg.solve(dense.T, np.arange(1.0, n + 1))
    np.testing.assert_allclose(got_b, u)
    assert got_a.nnz == a.nnz and (got_a.indices == a.indices).all()  # A's pattern, explicit zeros too
    rows, cols = np.repeat(np.arange(n), np.diff(a.indptr)), a.indices
    np.testing.assert_allclose(got_a.data, -u[rows] * xv[cols])


def test_rop_matches_the_formula():
    rng = np.random.RandomState(5)
    n = 5
    a = _compress(_dense(n, rng), "csc", "float64", "sorted")
    da = sp.csc_matrix((rng.uniform(-1, 1, a.nnz), a.indices, a.indptr), shape=a.shape)
    b, db = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
    A, B, dA, dB = S.csc_matrix("A", "float64"), T.vector("b"), S.csc_matrix("dA", "float64"), T.vector("db")
    r = hypatia.gradient.Rop(spsolve(A, B), [A, B], [dA, dB])
    got = hypatia.function([A, B, dA, dB], r)(a, b, da, db)
    x = np.linalg.solve(a.toarray(), b)
    np.testing.assert_allclose(got, np.linalg.solve(a.toarray(), db - da.toarray() @ x), rtol=1e-10)


def test_one_factorisation_serves_forward_and_backward():
    A, B = S.csc_matrix("A", "float64"), T.matrix("b", "float64")
    x = spsolve(A, B)
    f = hypatia.function([A, B], [x] + hypatia.grad(T.sum(x), [A, B]))
    names = [str(node.op) for node in f.maker.fgraph.toposort()]
    assert sum(nm.startswith("SpFactor") for nm in names) == 1, names
    assert sum(nm.startswith("SpSolve{") for nm in names) == 2, names


def test_concurrent_calls_and_pickling():
    rng = np.random.RandomState(6)
    n = 30
    d = _dense(n, rng, p=0.1)
    a = sp.csr_matrix(d)
    A, B = S.csr_matrix("A", "float64"), T.vector("b", "float64")
    x = spsolve(A, B)
    f = hypatia.function([A, B], [x, hypatia.grad(T.sum(x), B)])
    rhs = [rng.uniform(-1, 1, n) for _ in range(4)]
    bad = []

    def work(t):
        for _ in range(20):
            got = f(a, rhs[t])[0]
            if not np.allclose(d @ got, rhs[t], atol=1e-10):
                bad.append(t)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not bad
    g = pickle.loads(pickle.dumps(f))
    np.testing.assert_allclose(g(a, rhs[0])[0], f(a, rhs[0])[0])


def test_dtypes():
    A32, b32 = S.csr_matrix("A", "float32"), T.vector("b", "float32")
    assert spsolve(A32, b32).dtype == "float32"
    assert spsolve(A32, T.vector("b", "float64")).dtype == "float64"
    assert spsolve(S.csr_matrix("A", "int64"), T.vector("b", "int32")).dtype == "float64"
    with pytest.raises(TypeError, match=r"^\[SpSolve\] complex"):
        spsolve(S.csr_matrix("A", "complex128"), b32)


def test_errors():
    A, B = S.csr_matrix("A", "float64"), T.vector("b", "float64")
    gen = hypatia.function([A, B], spsolve(A, B))
    pos = hypatia.function([A, B], spsolve(A, B, assume_a="pos"))
    with pytest.raises(ValueError, match=r"^\[SpSolve\] A must be square"):
        gen(sp.csr_matrix(np.ones((3, 4))), np.ones(3))
    with pytest.raises(ValueError, match=r"^\[SpSolve\] b must have 3 rows"):
        gen(sp.csr_matrix(np.eye(3)), np.ones(4))
    with pytest.raises(ValueError, match=r"^\[SpSolve\] A is singular"):
        gen(sp.csr_matrix(np.array([[1.0, 2.0], [2.0, 4.0]])), np.ones(2))
    with pytest.raises(ValueError, match=r"^\[SpSolve\] A is not positive definite"):
        pos(sp.csr_matrix(np.diag([1.0, -1.0, 2.0])), np.ones(3))
    with pytest.raises(ValueError, match=r"^\[SpSolve\] A has a non-finite entry"):
        gen(sp.csr_matrix(np.diag([1.0, np.nan, 2.0])), np.ones(3))
    assert gen(sp.csr_matrix((0, 0)), np.ones(0)).shape == (0,)
    with pytest.raises(ValueError, match=r"^\[SpSolve\] assume_a must be"):
        spsolve(A, B, assume_a="her")
    with pytest.raises(TypeError, match=r"^\[SpSolve\]"):
        spsolve(A, A)
    with pytest.raises(TypeError, match=r"^\[SpSolve\]"):
        spsolve(B, B)
    with pytest.raises(TypeError, match=r"^\[SpSolve\]"):
        spsolve(A, T.tensor3("c"))


@pytest.mark.parametrize("assume_a", ["gen", "pos"])
def test_second_order_gradients(assume_a):
    # d/dA and d/db of a gradient w.r.t. A: SpSolveGradA's own gradient (through u and x).
    rng = np.random.RandomState(8)
    n = 5
    dense = _spd(n, rng) if assume_a == "pos" else _dense(n, rng)
    a = _compress(np.triu(dense) if assume_a == "pos" else dense, "csr", "float64", "sorted")
    b = rng.uniform(-1, 1, n)

    def fun(A, B):
        x = spsolve(A, B, assume_a=assume_a)
        return S.dense_from_sparse(hypatia.grad(T.sum(x ** 2), A))

    S.verify_grad_sparse(fun, [a, b], structured=True, rng=np.random.RandomState(0))


@pytest.mark.parametrize("assume_a,trans", [("gen", False), ("gen", True), ("sym", False)])
def test_matvec_op_and_its_gradient(assume_a, trans):
    rng = np.random.RandomState(9)
    n = 5
    dense = _dense(n, rng)
    a = _compress(dense, "csc", "float64", "unsorted")
    v = rng.uniform(-1, 1, (n, 2))
    op = S.linalg.SpSolveMatvec(assume_a, trans)
    m = np.triu(dense) + np.triu(dense, 1).T if assume_a == "sym" else dense
    check_op(lambda A, V: op(A, V), [a, v], lambda A, V: (m.T if trans else m) @ V, structured=True)
