"""Linear algebra family through the harness: dot (N-d), tensordot, batched_dot,
batched_tensordot, outer, the BLAS rewrites (Gemm/Gemv/Ger), nlinalg and slinalg."""
import numpy as np
import pytest
import scipy.linalg

import hypatia
import hypatia.tensor as T
import hypatia.tensor.nlinalg
import hypatia.tensor.slinalg
from harness import check_op

R = np.random.RandomState(11)


def rnd(*shape, dtype="float64"):
    return R.uniform(-1.0, 1.0, size=shape).astype(dtype)


def spd(n, dtype="float64"):
    m = rnd(n, n)
    return (m.dot(m.T) + n * np.eye(n)).astype(dtype)


def tol(dtype):
    return dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)


def op_names(f):
    return [str(n).split("(")[0] for n in f.maker.fgraph.toposort()]


DTYPES = ["float64", "float32"]


# ---- dot / tensordot / batched ----

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sa,sb", [((2, 3, 4), (5, 4, 6)), ((2, 3, 4), (4,)), ((3, 4), (2, 4, 5)), ((4,), (2, 4, 3))])
def test_dot_nd(dtype, sa, sb):
    check_op(T.dot, [rnd(*sa, dtype=dtype), rnd(*sb, dtype=dtype)], np.dot, grad=dtype == "float64", **tol(dtype))


def test_dot_fast_paths_unchanged():
    check_op(T.dot, [rnd(3, 4), rnd(4, 2)], np.dot)
    check_op(T.dot, [rnd(4), rnd(4, 2)], np.dot)


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensordot_manual_examples(dtype):
    a, b = rnd(2, 3, 4, dtype=dtype), rnd(5, 6, 4, 3, dtype=dtype)
    got = check_op(lambda x, y: T.tensordot(x, y, [[1, 2], [3, 2]]), [a, b],
                   lambda x, y: np.tensordot(x, y, [[1, 2], [3, 2]]), grad=dtype == "float64", **tol(dtype))
    assert got.shape == (2, 5, 6)
    got = check_op(lambda x, y: T.tensordot(x, y, 0), [a, b], lambda x, y: np.tensordot(x, y, 0),
                   grad=False, **tol(dtype))
    assert got.shape == (2, 3, 4, 5, 6, 4, 3)


@pytest.mark.parametrize("axes,sa,sb", [(2, (2, 3, 4), (3, 4, 5)), (1, (2, 3), (3, 5)), (1, (2, 3, 4), (4, 5)),
                                        ([[0], [1]], (3, 2), (5, 3)), ([[-1, 0], [0, 2]], (4, 2, 3), (3, 5, 4)),
                                        (3, (2, 3, 4), (2, 3, 4))])
def test_tensordot_axes(axes, sa, sb):
    check_op(lambda x, y: T.tensordot(x, y, axes), [rnd(*sa), rnd(*sb)], lambda x, y: np.tensordot(x, y, axes))


def test_tensordot_errors():
    x, y = T.tensor3(), T.matrix()
    f = hypatia.function([x, y], T.tensordot(x, y, [[2], [0]]))
    with pytest.raises(ValueError, match=r"^\["):
        f(rnd(2, 3, 4), rnd(5, 2))
    with pytest.raises(ValueError, match=r"^\[tensordot\]"):
        T.tensordot(x, y, [[0, 1], [0]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sx,sy", [((3, 2, 4), (3, 4, 5)), ((3, 2, 4), (3, 4)), ((3, 4), (3, 4, 5)), ((3, 4), (3, 4))])
def test_batched_dot(dtype, sx, sy):
    ref = lambda x, y: np.einsum("b...k,bk...->b...", x, y) if len(sy) == 3 or len(sx) == 2 else np.einsum("bmk,bk->bm", x, y)  # noqa: E731

    def reference(x, y):
        return np.array([np.dot(x[i], y[i]) for i in range(x.shape[0])]).astype(dtype)
    check_op(T.batched_dot, [rnd(*sx, dtype=dtype), rnd(*sy, dtype=dtype)], reference,
             grad=dtype == "float64", **tol(dtype))


def test_batched_dot_large_batch_and_errors():
    x, y = rnd(64, 3, 4), rnd(64, 4, 2)
    check_op(T.batched_dot, [x, y], lambda a, b: np.einsum("bij,bjk->bik", a, b), grad=False)
    xs, ys = T.tensor3(), T.tensor3()
    f = hypatia.function([xs, ys], T.batched_dot(xs, ys))
    with pytest.raises(ValueError, match=r"^\[BatchedDot\]"):
        f(rnd(3, 2, 4), rnd(2, 4, 5))


def test_batched_dot_4d_uses_batched_tensordot():
    check_op(T.batched_dot, [rnd(3, 2, 5, 4), rnd(3, 4, 6)], lambda a, b: np.einsum("bpqk,bkr->bpqr", a, b))


@pytest.mark.parametrize("axes,sx,sy,ref", [
    (1, (3, 2, 4), (3, 4, 5), lambda a, b: np.einsum("bik,bkj->bij", a, b)),
    (2, (3, 2, 4), (3, 2, 4, 5), lambda a, b: np.einsum("bik,bikj->bj", a, b)),
    ([[1], [2]], (3, 4, 2), (3, 5, 4), lambda a, b: np.einsum("bki,bjk->bij", a, b)),
])
def test_batched_tensordot(axes, sx, sy, ref):
    check_op(lambda x, y: T.batched_tensordot(x, y, axes), [rnd(*sx), rnd(*sy)], ref)


@pytest.mark.parametrize("dtype", DTYPES)
def test_outer(dtype):
    check_op(T.outer, [rnd(3, dtype=dtype), rnd(5, dtype=dtype)], np.outer, grad=dtype == "float64", **tol(dtype))
    check_op(T.outer, [rnd(2, 2), rnd(3)], np.outer)


def test_dot_shape_mismatch_raises():
    x, y = T.matrix(), T.matrix()
    f = hypatia.function([x, y], T.dot(x, y))
    with pytest.raises(ValueError, match=r"^\["):
        f(rnd(3, 4), rnd(3, 4))


# ---- BLAS ops and their rewrites ----

GEMM_CASES = [
    ("scaled", lambda z, x, y: T.dot(x, y) * 2.0 + z * 0.5, lambda z, x, y: 2 * x.dot(y) + 0.5 * z, "Gemm"),
    ("plain", lambda z, x, y: z + T.dot(x, y), lambda z, x, y: z + x.dot(y), "Gemm"),
    ("sub", lambda z, x, y: z - 3.0 * T.dot(x, y), lambda z, x, y: z - 3 * x.dot(y), "Gemm"),
    ("neg", lambda z, x, y: -T.dot(x, y) + z, lambda z, x, y: z - x.dot(y), "Gemm"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,fun,ref,opname", GEMM_CASES)
@pytest.mark.parametrize("tx,ty", [(False, False), (True, False), (False, True), (True, True)])
def test_gemm_rewrite(dtype, name, fun, ref, opname, tx, ty):
    z, x, y = rnd(3, 5, dtype=dtype), rnd(3, 4, dtype=dtype), rnd(4, 5, dtype=dtype)
    xs = x.T.copy() if tx else x
    ys = y.T.copy() if ty else y

    def build(zv, xv, yv):
        return fun(zv, xv.T if tx else xv, yv.T if ty else yv)
    check_op(build, [z, xs, ys], lambda a, b, c: ref(a, x, y).astype(dtype), grad=dtype == "float64", **tol(dtype))
    vs = [T.matrix(dtype=dtype) for _ in range(3)]
    f = hypatia.function(vs, build(*vs))
    names = op_names(f)
    assert opname in " ".join(names), names
    assert "dot" not in names, names


def test_gemm_scalar_variable_coefficients_and_extra_terms():
    z, x, y, w = (T.matrix() for _ in range(4))
    a, b = T.scalar(), T.scalar()
    out = a * T.dot(x, y) + b * z + w
    f = hypatia.function([z, x, y, w, a, b], out)
    g = hypatia.function([z, x, y, w, a, b], out, mode="None")
    assert any(n.startswith("Gemm") for n in op_names(f))
    vals = [rnd(3, 5), rnd(3, 4), rnd(4, 5), rnd(3, 5), np.float64(1.5), np.float64(-0.25)]
    np.testing.assert_allclose(f(*vals), g(*vals), rtol=1e-12)
    np.testing.assert_allclose(f(*vals), 1.5 * vals[1].dot(vals[2]) - 0.25 * vals[0] + vals[3], rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("transposed", [False, True])
def test_gemv_rewrite(dtype, transposed):
    yv, a, x = rnd(3, dtype=dtype), rnd(3, 4, dtype=dtype), rnd(4, dtype=dtype)
    a_in = a.T.copy() if transposed else a

    def build(y, m, v):
        return y * 0.5 - 2.0 * T.dot(m.T if transposed else m, v)
    check_op(build, [yv, a_in, x], lambda *_: (0.5 * yv - 2 * a.dot(x)).astype(dtype), grad=dtype == "float64",
             **tol(dtype))
    vs = [T.vector(dtype=dtype), T.matrix(dtype=dtype), T.vector(dtype=dtype)]
    assert "Gemv{no_inplace}" in op_names(hypatia.function(vs, build(*vs)))
    # vector . matrix becomes Gemv on the transposed matrix
    vs2 = [T.vector(dtype=dtype), T.vector(dtype=dtype), T.matrix(dtype=dtype)]
    f = hypatia.function(vs2, vs2[0] + T.dot(vs2[1], vs2[2]))
    assert "Gemv{no_inplace}" in op_names(f)
    yy, xx, mm = rnd(4, dtype=dtype), rnd(3, dtype=dtype), rnd(3, 4, dtype=dtype)
    np.testing.assert_allclose(f(yy, xx, mm), yy + xx.dot(mm), **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_ger_rewrite(dtype):
    a, x, y = rnd(3, 4, dtype=dtype), rnd(3, dtype=dtype), rnd(4, dtype=dtype)

    def build(m, u, v):
        return m - 1.5 * T.outer(u, v)
    check_op(build, [a, x, y], lambda m, u, v: (m - 1.5 * np.outer(u, v)).astype(dtype), grad=dtype == "float64",
             **tol(dtype))
    vs = [T.matrix(dtype=dtype), T.vector(dtype=dtype), T.vector(dtype=dtype)]
    assert "Ger{non-destructive}" in op_names(hypatia.function(vs, build(*vs)))


def test_explicit_blas_ops():
    from hypatia.tensor import blas
    z, x, y = rnd(3, 5), rnd(3, 4), rnd(4, 5)
    check_op(lambda a, b, c: blas.gemm(a, 0.5, b, c, 2.0), [z, x, y], lambda a, b, c: 2 * a + 0.5 * b.dot(c))
    check_op(lambda a, b, c: blas.gemv(a, 2.0, b, c, -1.0), [rnd(3), x, rnd(4)], lambda a, b, c: 2 * b.dot(c) - a)
    check_op(lambda a, b, c: blas.ger(a, 3.0, b, c), [x, rnd(3), rnd(4)], lambda a, b, c: a + 3 * np.outer(b, c))
    zs, xs, ys = T.matrix(), T.matrix(), T.matrix()
    f = hypatia.function([zs, xs, ys], blas.gemm(zs, 1.0, xs, ys, 1.0))
    with pytest.raises(ValueError, match=r"^\[Gemm\]"):
        f(z, x, rnd(3, 5))


# ---- nlinalg / slinalg ----

@pytest.mark.parametrize("dtype", DTYPES)
def test_matrix_inverse(dtype):
    a = (rnd(4, 4) + 4 * np.eye(4)).astype(dtype)
    check_op(T.nlinalg.matrix_inverse, [a], lambda m: np.linalg.inv(m).astype(dtype), grad=dtype == "float64",
             **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_det(dtype):
    a = (rnd(4, 4) + 2 * np.eye(4)).astype(dtype)
    check_op(hypatia.tensor.nlinalg.det, [a], lambda m: np.asarray(np.linalg.det(m), dtype=dtype),
             grad=dtype == "float64", **tol(dtype))


def test_det_of_singular_is_zero():
    m = T.matrix()
    assert hypatia.function([m], T.nlinalg.det(m))(np.array([[1.0, 2.0], [2.0, 4.0]])) == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bshape", [(4,), (4, 3)])
def test_solve(dtype, bshape):
    a = (rnd(4, 4) + 4 * np.eye(4)).astype(dtype)
    b = rnd(*bshape, dtype=dtype)
    check_op(hypatia.tensor.slinalg.solve, [a, b], lambda m, v: scipy.linalg.solve(m, v).astype(dtype),
             grad=dtype == "float64", **tol(dtype))


@pytest.mark.parametrize("structure", ["lower_triangular", "upper_triangular"])
def test_solve_triangular(structure):
    a = rnd(4, 4) + 4 * np.eye(4)
    a = np.tril(a) if structure == "lower_triangular" else np.triu(a)
    b = rnd(4, 2)
    check_op(lambda m, v: T.slinalg.solve(m, v, structure), [a, b],
             lambda m, v: scipy.linalg.solve_triangular(m, v, lower=structure == "lower_triangular"), grad_inputs=[1])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lower", [True, False])
def test_cholesky(dtype, lower):
    a = spd(4, dtype)
    check_op(lambda m: T.slinalg.cholesky(m, lower=lower), [a],
             lambda m: scipy.linalg.cholesky(m, lower=lower).astype(dtype), grad=dtype == "float64", **tol(dtype))


def test_linalg_errors():
    m, v = T.matrix(), T.vector()
    sing = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(ValueError, match=r"^\[MatrixInverse\]"):
        hypatia.function([m], T.nlinalg.matrix_inverse(m))(sing)
    with pytest.raises(ValueError, match=r"^\[Solve\]"):
        hypatia.function([m, v], T.slinalg.solve(m, v))(sing, np.ones(2))
    with pytest.raises(ValueError, match=r"^\[Cholesky\]"):
        hypatia.function([m], T.slinalg.cholesky(m))(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match=r"^\["):
        hypatia.function([m], T.nlinalg.matrix_inverse(m))(rnd(2, 3))
    nan = hypatia.function([m], T.slinalg.cholesky(m, on_error="nan"))(np.array([[1.0, 2.0], [2.0, 1.0]]))
    assert np.isnan(nan).all()


def test_modules_and_names():
    import hypatia.tensor.nlinalg as nl
    import hypatia.tensor.slinalg as sl
    assert T.nlinalg is nl and T.slinalg is sl
    for name in ["tensordot", "batched_dot", "batched_tensordot", "outer"]:
        assert callable(getattr(T, name))
