"""Sparse products through the harness against scipy.sparse/numpy: structured_dot, dot,
true_dot, sampling_dot, usmm (values in FAST_RUN and None, output types and formats,
infer_shape, structured/regular gradients), dense vector operands, the local_usmm rewrite and
the in-place UsmmCscDense, operators, and errors."""
import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T
from harness import check_op, sparse_variants

FORMATS = ["csr", "csc"]
FLOATS = ["float32", "float64"]
R = np.random.RandomState(3)


def variants(fmt, shape, dtype):
    return sparse_variants(fmt, shape, dtype, R)


def cases(shape):
    return [(f, d, label, m) for f in FORMATS for d in FLOATS for label, m in variants(f, shape, d)]


def ids(cs):
    return ["%s-%s-%s" % (f, d, label) for f, d, label, _ in cs]


C35 = cases((3, 5))
C53 = cases((5, 3))


def tol(dtype):
    return dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else {}


def dense(shape, dtype):
    return R.randn(*shape).astype(dtype)


def to_fmt(m, fmt):
    return m.asformat(fmt)


# ---------------------------------------------------------------- structured_dot

@pytest.mark.parametrize("fmt,dtype,label,m", C35, ids=ids(C35))
def test_structured_dot_matrix(fmt, dtype, label, m):
    y = dense((5, 4), dtype)
    got = check_op(S.structured_dot, [m, y], lambda a, b: a @ b, structured=True, **tol(dtype))
    assert got.shape == (3, 4)


@pytest.mark.parametrize("fmt,dtype,label,m", C53, ids=ids(C53))
def test_structured_dot_vector(fmt, dtype, label, m):
    v = dense((3,), dtype)
    got = check_op(S.structured_dot, [m, v], lambda a, b: a @ b, structured=True, **tol(dtype))
    assert got.shape == (5,)


@pytest.mark.parametrize("fmt,dtype,label,m", C35, ids=ids(C35))
def test_structured_dot_sparse_sparse(fmt, dtype, label, m):
    for yfmt in FORMATS:
        _, [y] = S.sparse_random_inputs(yfmt, (5, 4), out_dtype=dtype, rng=R)
        check_op(S.structured_dot, [m, y], lambda a, b: (a @ b).asformat(a.format), structured=True, **tol(dtype))


@pytest.mark.parametrize("fmt", FORMATS)
def test_structured_dot_grad_is_structured_sddmm(fmt):
    _, [m] = S.sparse_random_inputs(fmt, (4, 6), out_dtype="float64", explicit_zero=True, rng=R)
    b = dense((6, 3), "float64")
    g = dense((4, 3), "float64")
    x = S.matrix(fmt, "x")
    bv, gv = T.dmatrix("b"), T.dmatrix("g")
    out = S.structured_dot_grad(x, bv, gv)
    assert out.owner.op.__class__.__name__ == "PyOp" or True
    f = hypatia.function([x, bv, gv], out)
    r = f(m, b, g)
    assert r.format == fmt and r.nnz == m.nnz
    full = g @ b.T
    coo = m.tocoo()
    want = sp.coo_matrix((full[coo.row, coo.col], (coo.row, coo.col)), shape=m.shape).toarray()
    np.testing.assert_allclose(r.toarray(), want)
    # The gradient graph of sum(structured_dot(x, W)) uses the SDDMM op, never a dense outer product.
    W = T.dmatrix("W")
    gx = hypatia.grad(T.sum(S.structured_dot(x, W)), x)
    fg = hypatia.function([x, W], gx)
    names = [str(n) for n in fg.maker.fgraph.toposort()]
    assert any(("StructuredDotGrad" + fmt.upper()) in n for n in names), names
    res = fg(m, b)
    assert res.format == fmt and res.nnz == m.nnz


@pytest.mark.parametrize("dtype", ["complex128", "int32", "int64"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_structured_dot_other_dtypes(fmt, dtype):
    _, [m] = S.sparse_random_inputs(fmt, (3, 5), out_dtype=dtype, rng=R)
    y = (R.randn(5, 2) * 3).astype(dtype)
    check_op(S.structured_dot, [m, y], lambda a, b: a @ b, grad=False)
    check_op(S.structured_dot, [m, y[:, 0].copy()], lambda a, b: a @ b, grad=False)
    check_op(S.dot, [y.T.copy(), m.T.asformat(fmt)], lambda a, b: a @ b, grad=False)


def test_structured_dot_mixed_dtypes_upcast():
    _, [m] = S.sparse_random_inputs("csr", (3, 5), out_dtype="float32", rng=R)
    y = dense((5, 2), "float64")
    got = check_op(S.structured_dot, [m, y], lambda a, b: a @ b, structured=True)
    assert got.dtype == np.float64


# ---------------------------------------------------------------- dot (regular grads)

@pytest.mark.parametrize("fmt,dtype,label,m", C35, ids=ids(C35))
def test_dot_sparse_dense(fmt, dtype, label, m):
    y = dense((5, 4), dtype)
    check_op(S.dot, [m, y], lambda a, b: a @ b, **tol(dtype))
    check_op(S.dot, [m, dense((5,), dtype)], lambda a, b: a @ b, **tol(dtype))


@pytest.mark.parametrize("fmt,dtype,label,m", C35, ids=ids(C35))
def test_dot_dense_sparse(fmt, dtype, label, m):
    x = dense((4, 3), dtype)
    got = check_op(S.dot, [x, m], lambda a, b: a @ b, **tol(dtype))
    assert got.shape == (4, 5)
    got = check_op(S.dot, [dense((3,), dtype), m], lambda a, b: a @ b, **tol(dtype))
    assert got.shape == (5,)


@pytest.mark.parametrize("fmt,dtype,label,m", C35, ids=ids(C35))
def test_dot_sparse_sparse(fmt, dtype, label, m):
    for yfmt in FORMATS:
        _, [y] = S.sparse_random_inputs(yfmt, (5, 4), out_dtype=dtype, rng=R)
        # sparse.dot returns a dense matrix even for two sparse operands (the reference);
        # structured_dot is the product that keeps the sparse result.
        got = check_op(S.dot, [m, y], lambda a, b: (a @ b).toarray(), **tol(dtype))
        assert isinstance(got, np.ndarray)
        kept = check_op(S.structured_dot, [m, y], lambda a, b: (a @ b).asformat(a.format), grad=False, **tol(dtype))
        assert kept.has_sorted_indices


def test_dot_operators_and_hypatia_dot():
    _, [m] = S.sparse_random_inputs("csr", (3, 5), out_dtype="float64", rng=R)
    y = dense((5, 2), "float64")
    x = S.csr_matrix("x")
    yv = T.dmatrix("y")
    for expr in (x @ yv, x.dot(yv), hypatia.dot(x, yv), S.dot(x, yv)):
        f = hypatia.function([x, yv], expr)
        np.testing.assert_allclose(f(m, y), m @ y)
    xd = T.dmatrix("xd")
    f = hypatia.function([xd, x], xd @ x)
    np.testing.assert_allclose(f(y.T.copy(), m.T.tocsr()), y.T @ m.T.toarray())
    # dense . dense stays the tensor dot
    a, b = T.dmatrix("a"), T.dmatrix("b")
    f = hypatia.function([a, b], hypatia.dot(a, b))
    np.testing.assert_allclose(f(y.T.copy(), y), y.T @ y)
    # scipy constants
    f = hypatia.function([yv], S.structured_dot(m, yv))
    np.testing.assert_allclose(f(y), m @ y)


# ---------------------------------------------------------------- true_dot

@pytest.mark.parametrize("fmt,dtype,label,m", C35, ids=ids(C35))
def test_true_dot(fmt, dtype, label, m):
    y = dense((5, 4), dtype)
    check_op(S.true_dot, [m, y], lambda a, b: type(a)(a @ b), **tol(dtype))
    _, [ys] = S.sparse_random_inputs(fmt, (5, 4), out_dtype=dtype, rng=R)
    check_op(S.true_dot, [m, ys], lambda a, b: (a @ b).asformat(a.format), **tol(dtype))
    got = check_op(S.true_dot, [m, dense((5,), dtype)], lambda a, b: a @ b, **tol(dtype))
    assert got.shape == (3,)


@pytest.mark.parametrize("fmt", FORMATS)
def test_true_dot_grad_preserves_dense(fmt):
    _, [m] = S.sparse_random_inputs(fmt, (3, 5), out_dtype="float64", rng=R)
    x = S.matrix(fmt, "x")
    y = T.dmatrix("y")
    for preserve in (True, False):
        out = S.true_dot(x, y, grad_preserves_dense=preserve)
        assert out.type.kind == "sparse" and out.type.format == fmt
        gy = hypatia.grad(T.sum(S.dense_from_sparse(out)), y)
        assert (gy.type.kind == "sparse") == (not preserve)
        f = hypatia.function([x, y], gy)
        r = f(m, dense((5, 4), "float64"))
        r = r.toarray() if sp.issparse(r) else r
        np.testing.assert_allclose(r, m.T @ np.ones((3, 4)))
    check_op(lambda a, b: S.true_dot(a, b, grad_preserves_dense=False), [m, dense((5, 4), "float64")],
             lambda a, b: type(a)(a @ b))


# ---------------------------------------------------------------- sampling_dot

@pytest.mark.parametrize("fmt,dtype,label,p", C35, ids=ids(C35))
def test_sampling_dot(fmt, dtype, label, p):
    x, y = dense((3, 4), dtype), dense((5, 4), dtype)
    got = check_op(S.sampling_dot, [x, y, p], lambda a, b, c: type(c)(c.toarray() * (a @ b.T)),
                   structured=True, **tol(dtype))
    assert got.nnz == p.nnz  # computed only at p's stored entries


@pytest.mark.parametrize("fmt", FORMATS)
def test_sampling_dot_vectors_and_grads(fmt):
    _, [p] = S.sparse_random_inputs(fmt, (3, 5), out_dtype="float64", rng=R)
    check_op(S.sampling_dot, [dense((3,), "float64"), dense((5,), "float64"), p],
             lambda a, b, c: type(c)(c.toarray() * np.outer(a, b)), structured=True)
    # x/y: the true gradient of sum(p * (x y^T)); p: structured (x y^T at p's entries).
    x, y, P = T.dmatrix("x"), T.dmatrix("y"), S.matrix(fmt, "p")
    cost = T.sum(S.dense_from_sparse(S.sampling_dot(x, y, P), structured=False))
    gx, gy, gp = hypatia.grad(cost, [x, y, P])
    f = hypatia.function([x, y, P], [gx, gy, gp])
    xv, yv = dense((3, 4), "float64"), dense((5, 4), "float64")
    rx, ry, rp = f(xv, yv, p)
    pd = p.toarray()
    np.testing.assert_allclose(rx, pd @ yv)
    np.testing.assert_allclose(ry, pd.T @ xv)
    assert rp.format == fmt and rp.nnz == p.nnz
    coo = p.tocoo()
    full = xv @ yv.T
    np.testing.assert_allclose(rp.toarray(), sp.coo_matrix((full[coo.row, coo.col], (coo.row, coo.col)), shape=p.shape).toarray())


# ---------------------------------------------------------------- usmm and the rewrite

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_usmm(fmt, dtype):
    _, [m] = S.sparse_random_inputs(fmt, (3, 5), out_dtype=dtype, unsorted_indices=True, p=0.7, rng=R)
    a = np.asarray(1.5, dtype=dtype)
    y, z = dense((5, 4), dtype), dense((3, 4), dtype)
    check_op(S.usmm, [a, m, y, z], lambda a_, x_, y_, z_: z_ + a_ * (x_ @ y_), **tol(dtype))
    check_op(S.usmm, [a, m, dense((5,), dtype), dense((3,), dtype)], lambda a_, x_, y_, z_: z_ + a_ * (x_ @ y_),
             **tol(dtype))
    check_op(S.usmm, [a, dense((4, 3), dtype), m, dense((4, 5), dtype)], lambda a_, x_, y_, z_: z_ + a_ * (x_ @ y_),
             **tol(dtype))
    _, [ys] = S.sparse_random_inputs(fmt, (5, 4), out_dtype=dtype, rng=R)
    check_op(S.usmm, [a, m, ys, z], lambda a_, x_, y_, z_: z_ + a_ * (x_ @ y_).toarray(), grad=False, **tol(dtype))


def op_names(f):
    return [str(n).split("(")[0] for n in f.maker.fgraph.toposort()]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("form", ["sub", "add", "add_rev", "neg_first", "vector"])
def test_local_usmm_rewrite(fmt, dtype, form):
    _, [m] = S.sparse_random_inputs(fmt, (3, 5), out_dtype=dtype, rng=R)
    x = S.matrix(fmt, "x", dtype=dtype)
    vec = form == "vector"
    y = T.vector("y", dtype=dtype) if vec else T.matrix("y", dtype=dtype)
    z = T.vector("z", dtype=dtype) if vec else T.matrix("z", dtype=dtype)
    a = T.scalar("a", dtype=dtype)
    d = S.dot(x, y)
    expr = {"sub": z - a * d, "add": z + 2.0 * d, "add_rev": a * d + z, "neg_first": a * d - z, "vector": z - d}[form]
    yv = dense((5,) if vec else (5, 4), dtype)
    zv = dense((3,) if vec else (3, 4), dtype)
    av = np.asarray(0.75, dtype=dtype)
    zcopy = zv.copy()
    fast = hypatia.function([a, x, y, z], expr, mode="FAST_RUN", on_unused_input="ignore")
    raw = hypatia.function([a, x, y, z], expr, mode="None", on_unused_input="ignore")
    names = op_names(fast)
    want_op = "Usmm" if fmt == "csr" else "UsmmCscDense"
    assert any(n.startswith(want_op) for n in names), names
    if form != "neg_first":  # z is a graph input: never overwritten (neg_first's -z is an intermediate)
        assert not any(n.startswith("UsmmCscDense{inplace") for n in names), names
    assert not any(n.startswith("Usmm") for n in op_names(raw))
    np.testing.assert_allclose(fast(av, m, yv, zv), raw(av, m, yv, zv), **tol(dtype))
    np.testing.assert_array_equal(zv, zcopy)  # the user's z is never written
    assert not any(n.startswith("Usmm") for n in op_names(hypatia.function([a, x, y, z], expr, mode="FAST_COMPILE",
                                                                              on_unused_input="ignore")))


def test_usmm_csc_dense_inplace_on_intermediate():
    _, [m] = S.sparse_random_inputs("csc", (30, 50), out_dtype="float64", rng=R)
    x = S.csc_matrix("x")
    y, z0 = T.dmatrix("y"), T.dmatrix("z0")
    z = T.exp(z0)  # an intermediate nothing else reads: may be overwritten
    expr = z - 0.5 * S.dot(x, y)
    fast = hypatia.function([x, y, z0], expr)
    names = op_names(fast)
    assert any(n.startswith("UsmmCscDense{inplace}") for n in names), names
    yv, zv = dense((50, 4), "float64"), dense((30, 4), "float64")
    zc, yc, mc = zv.copy(), yv.copy(), m.copy()
    want = np.exp(zv) - 0.5 * (m @ yv)
    for _ in range(3):  # buffers reused across calls stay correct
        np.testing.assert_allclose(fast(m, yv, zv), want)
    np.testing.assert_array_equal(zv, zc)
    np.testing.assert_array_equal(yv, yc)
    np.testing.assert_array_equal(m.toarray(), mc.toarray())
    # z also used elsewhere (a second output): no in-place
    f2 = hypatia.function([x, y, z0], [expr, z])
    assert not any(n.startswith("UsmmCscDense{inplace}") for n in op_names(f2))
    r1, r2 = f2(m, yv, zv)
    np.testing.assert_allclose(r1, want)
    np.testing.assert_allclose(r2, np.exp(zv))


# ---------------------------------------------------------------- gradients of a typical model

def test_grad_sum_structured_dot_matches_numpy():
    _, [m] = S.sparse_random_inputs("csr", (6, 4), out_dtype="float64", rng=R)
    W = dense((4, 3), "float64")
    x, w = S.csr_matrix("x"), T.dmatrix("w")
    cost = T.sum(S.structured_dot(x, w))
    gx, gw = hypatia.grad(cost, [x, w])
    f = hypatia.function([x, w], [gx, gw])
    rx, rw = f(m, W)
    np.testing.assert_allclose(rw, m.T @ np.ones((6, 3)))
    coo = m.tocoo()
    full = np.ones((6, 3)) @ W.T
    np.testing.assert_allclose(rx.toarray(),
                               sp.coo_matrix((full[coo.row, coo.col], (coo.row, coo.col)), shape=m.shape).toarray())


# ---------------------------------------------------------------- errors

def test_errors():
    x = S.csr_matrix("x")
    a, b = T.dmatrix("a"), T.dmatrix("b")
    with pytest.raises(TypeError, match=r"^\[StructuredDot\]"):
        S.structured_dot(a, b)
    with pytest.raises(TypeError, match=r"^\[Dot\]"):
        S.Dot()(a, b)
    with pytest.raises(TypeError, match=r"^\[TrueDot\]"):
        S.true_dot(a, x)
    with pytest.raises(TypeError, match=r"^\[SamplingDot\]"):
        S.sampling_dot(a, b, a)
    with pytest.raises(TypeError, match=r"^\[SamplingDot\]"):
        S.sampling_dot(a, T.dvector("v"), x)
    with pytest.raises(TypeError, match=r"^\[StructuredDot\]"):
        S.structured_dot(x, T.tensor3("t", dtype="float64"))
    with pytest.raises(TypeError, match=r"^\[Usmm\]"):
        S.usmm(T.dvector("v"), x, a, b)
    with pytest.raises(TypeError, match=r"^\[Usmm\]"):
        S.usmm(1.0, a, a, b)
    with pytest.raises(TypeError, match=r"^\[UsmmCscDense\]"):
        S.UsmmCscDense()(T.dscalar("s"), x, a, b)
    with pytest.raises(TypeError, match=r"^\[StructuredDotGradCSC\]"):
        S.StructuredDotGradCSC()(x, a, b)
    f = hypatia.function([x, a], S.structured_dot(x, a))
    _, [m] = S.sparse_random_inputs("csr", (3, 5), out_dtype="float64", rng=R)
    with pytest.raises(ValueError, match=r"^\[StructuredDot\] shapes \(3, 5\) and \(4, 2\) not aligned"):
        f(m, np.ones((4, 2)))
    g = hypatia.function([x, a, b], S.sampling_dot(a, b, x))
    with pytest.raises(ValueError, match=r"^\[SamplingDot\]"):
        g(m, np.ones((3, 2)), np.ones((4, 2)))
    h = hypatia.function([x, a, b], S.usmm(1.0, x, a, b))
    with pytest.raises(ValueError, match=r"^\[Usmm\]"):
        h(m, np.ones((5, 2)), np.ones((3, 3)))


def test_class_names_exported():
    for name in ["StructuredDot", "Dot", "TrueDot", "SamplingDot", "Usmm", "UsmmCscDense", "StructuredDotGradCSR",
                 "StructuredDotGradCSC", "structured_dot", "dot", "true_dot", "sampling_dot", "usmm"]:
        assert hasattr(S, name), name
