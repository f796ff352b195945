"""hypatia.tensor.nlinalg against numpy.linalg through the harness (values, infer_shape,
optimised vs unoptimised, DebugMode, verify_grad), float32 and float64, non-square inputs."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
import hypatia.tensor.nlinalg as nl
from harness import check_op
from hypatia.gradient import verify_grad

R = np.random.RandomState(23)
DTYPES = ["float64", "float32"]


def rnd(*shape, dtype="float64"):
    return R.uniform(-1.0, 1.0, size=shape).astype(dtype)


def tol(dtype):
    return dict(rtol=2e-4, atol=2e-5) if dtype == "float32" else dict(rtol=1e-9, atol=1e-11)


def vgrad(f, pts):
    verify_grad(f, pts, rng=np.random.RandomState(3))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
def test_pinv(dtype, shape):
    a = rnd(*shape, dtype=dtype)
    check_op(nl.pinv, [a], lambda m: np.linalg.pinv(m).astype(dtype), grad=dtype == "float64", **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(dtype, uplo):
    a = rnd(4, 4, dtype=dtype)  # not symmetric: only the UPLO triangle is read
    check_op(lambda m: nl.eigh(m, uplo)[0], [a], lambda m: np.linalg.eigh(m, uplo)[0], grad=dtype == "float64",
             **tol(dtype))
    # Eigenvectors up to sign: v diag(c) v^T is sign-free and exercises the eigenvector gradient.
    c = np.array([1.0, -2.0, 3.0, 0.5], dtype=dtype)

    def rebuilt(m):
        v = nl.eigh(m, uplo)[1]
        return T.dot(v * c, v.T)

    def ref(m):
        v = np.linalg.eigh(m, uplo)[1]
        return (v * c).dot(v.T).astype(dtype)
    check_op(rebuilt, [a], ref, grad=dtype == "float64", **tol(dtype))


def test_eigh_grad_op_and_class():
    op = nl.Eigh("U")
    assert str(op) == "Eigh{U}"
    x = T.matrix()
    w, v = op(x)
    g = hypatia.grad(w.sum(), x)
    a = rnd(3, 3)
    np.testing.assert_allclose(hypatia.function([x], g)(a), np.triu(np.eye(3)), atol=1e-12)
    assert str(nl.EighGrad()) == "EighGrad{L}"


@pytest.mark.parametrize("dtype", DTYPES)
def test_eig(dtype):
    s = rnd(3, 3) + 3 * np.eye(3)
    a = (s.dot(np.diag([1.0, -2.0, 3.0])).dot(np.linalg.inv(s))).astype(dtype)  # real spectrum, not symmetric
    x = T.matrix(dtype=dtype)
    w, v = hypatia.function([x], nl.eig(x))(a)
    w_np = np.linalg.eig(a)[0]
    np.testing.assert_allclose(np.sort(w), np.sort(w_np.real), **tol(dtype))
    np.testing.assert_allclose(a.dot(v), v * w, rtol=1e-3 if dtype == "float32" else 1e-9, atol=1e-4 if dtype == "float32" else 1e-10)
    with pytest.raises(ValueError, match=r"^\[Eig\]"):
        hypatia.function([x], nl.Eig()(x)[0])(np.array([[0.0, -1.0], [1.0, 0.0]], dtype=dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
def test_svd(dtype, shape):
    a = rnd(*shape, dtype=dtype)
    check_op(lambda m: nl.svd(m, compute_uv=False), [a], lambda m: np.linalg.svd(m, compute_uv=False),
             grad=dtype == "float64", **tol(dtype))
    # The reduced factors rebuild a (with the gradient through u, s and vt).
    check_op(lambda m: T.dot(nl.svd(m, full_matrices=False)[0] * nl.svd(m, full_matrices=False)[1],
                             nl.svd(m, full_matrices=False)[2]),
             [a], lambda m: m, grad=dtype == "float64", **tol(dtype))
    x = T.matrix(dtype=dtype)
    u, s, vt = hypatia.function([x], nl.SVD()(x))(a)
    un, sn, vtn = np.linalg.svd(a)
    assert u.shape == un.shape and vt.shape == vtn.shape and u.dtype == np.dtype(dtype)
    np.testing.assert_allclose(s, sn, **tol(dtype))
    np.testing.assert_allclose(u.T.dot(u), np.eye(shape[0]), atol=1e-5)
    np.testing.assert_allclose(vt.dot(vt.T), np.eye(shape[1]), atol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r", "raw"])
def test_qr_matches_numpy(dtype, shape, mode):
    a = rnd(*shape, dtype=dtype)
    x = T.matrix(dtype=dtype)
    got = hypatia.function([x], nl.qr(x, mode))(a)
    want = np.linalg.qr(a, mode)
    if mode == "r":
        got, want = [got], [want]
    for g, w in zip(got, want):
        assert g.shape == w.shape and g.dtype == w.dtype
        # Householder signs are LAPACK's on both sides; compare up to the sign of each row of r.
        np.testing.assert_allclose(np.abs(g), np.abs(w), **tol(dtype))
    if mode in ("reduced", "complete"):
        np.testing.assert_allclose(got[0].dot(got[1]), a, **tol(dtype))


@pytest.mark.parametrize("mode", ["reduced", "r"])
def test_qr_grad_tall(mode):
    a = rnd(5, 3)
    check_op(lambda m: nl.qr(m, mode)[1] if mode == "reduced" else nl.qr(m, mode), [a],
             lambda m: np.linalg.qr(m, mode)[1] if mode == "reduced" else np.linalg.qr(m, mode))
    vgrad(lambda m: nl.qr(m)[0], [a])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,bshape", [((6, 3), (6,)), ((6, 3), (6, 2)), ((3, 5), (3, 2))])
def test_lstsq(dtype, shape, bshape):
    a, b = rnd(*shape, dtype=dtype), rnd(*bshape, dtype=dtype)
    x, y = T.matrix(dtype=dtype), T.tensor(dtype, (False,) * len(bshape))
    got = hypatia.function([x, y], nl.lstsq(x, y))(a, b)
    want = np.linalg.lstsq(a, b, rcond=None)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, **tol(dtype))
        assert np.shape(g) == np.shape(w)
    assert nl.Lstsq()(x, y, -1.0)[2].dtype == "int64"
    theano_style = hypatia.function([x, y], nl.lstsq()(x, y, -1.0))(a, b)  # Theano's lstsq()(a, b, rcond)
    np.testing.assert_allclose(theano_style[0], want[0], **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_matrix_dot_power_trace_diag(dtype):
    a, b, c = rnd(3, 4, dtype=dtype), rnd(4, 2, dtype=dtype), rnd(2, 5, dtype=dtype)
    check_op(lambda x, y, z: nl.matrix_dot(x, y, z), [a, b, c], lambda x, y, z: x.dot(y).dot(z), grad=dtype == "float64",
             **tol(dtype))
    m = (rnd(3, 3) + 2 * np.eye(3)).astype(dtype)
    for n in (0, 1, 3, 4, -2):
        check_op(lambda x: nl.matrix_power(x, n), [m], lambda x: np.linalg.matrix_power(x, n).astype(dtype),
                 grad=dtype == "float64" and n != 0, **tol(dtype))
    check_op(nl.trace, [m], lambda x: np.asarray(np.trace(x), dtype=dtype), grad=dtype == "float64", **tol(dtype))
    check_op(nl.extract_diag, [m], np.diag, grad=dtype == "float64")
    v = rnd(4, dtype=dtype)
    check_op(nl.alloc_diag, [v], np.diag, grad=dtype == "float64")
    check_op(nl.diag, [v], np.diag, grad=False)
    check_op(lambda x: nl.AllocDiag()(x), [v], np.diag, grad=False)
    check_op(lambda x: nl.ExtractDiag()(x), [m], np.diag, grad=False)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ord", [None, 1, 2, np.inf, -np.inf, "inf", 0, 3, 0.5])
def test_norm_vector(dtype, ord):
    v = rnd(5, dtype=dtype)
    np_ord = {"inf": np.inf}.get(ord, ord)
    check_op(lambda x: nl.norm(x, ord), [v], lambda x: np.asarray(np.linalg.norm(x, np_ord), dtype=dtype),
             grad=dtype == "float64" and ord != 0, **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ord", [None, "fro", 1, -1, 2, -2, np.inf, -np.inf, "nuc"])
def test_norm_matrix(dtype, ord):
    m = rnd(4, 3, dtype=dtype)
    check_op(lambda x: nl.norm(x, ord), [m], lambda x: np.asarray(np.linalg.norm(x, ord), dtype=dtype),
             grad=dtype == "float64", **tol(dtype))


def test_norm_errors():
    with pytest.raises(ValueError, match=r"^\[norm\]"):
        nl.norm(T.matrix(), 3)
    with pytest.raises(ValueError, match=r"^\[norm\]"):
        nl.norm(T.tensor3(), None)


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensorinv_tensorsolve(dtype):
    a = (rnd(6, 6) + 3 * np.eye(6)).astype(dtype).reshape(6, 2, 3)
    check_op(lambda x: nl.tensorinv(x, 1), [a], lambda x: np.linalg.tensorinv(x, 1), grad=dtype == "float64",
             **tol(dtype))
    check_op(lambda x: nl.TensorInv(1)(x), [a], lambda x: np.linalg.tensorinv(x, 1), grad=False, **tol(dtype))
    a2 = (rnd(6, 6) + 3 * np.eye(6)).astype(dtype).reshape(2, 3, 6)
    b = rnd(2, 3, dtype=dtype)
    check_op(nl.tensorsolve, [a2, b], lambda x, y: np.linalg.tensorsolve(x, y), grad=dtype == "float64", **tol(dtype))
    a3 = (rnd(9, 9) + 3 * np.eye(9)).astype(dtype).reshape(3, 3, 3, 3)
    check_op(lambda x, y: nl.TensorSolve((0, 2))(x, y), [a3, rnd(3, 3, dtype=dtype)],
             lambda x, y: np.linalg.tensorsolve(x, y, (0, 2)), grad=dtype == "float64", **tol(dtype))


def test_matrix_inverse_r_op_and_classes():
    x, v = T.matrix(), T.matrix()
    a, e = rnd(3, 3) + 3 * np.eye(3), rnd(3, 3)
    r = hypatia.function([x, v], hypatia.gradient.Rop(nl.MatrixInverse()(x), x, v))(a, e)
    ai = np.linalg.inv(a)
    np.testing.assert_allclose(r, -ai.dot(e).dot(ai), atol=1e-12)
    assert str(nl.Det()) == "Det" and str(nl.MatrixPinv()) == "MatrixPinv"
    assert str(nl.QRFull("complete")) == "QRFull{complete}" and str(nl.QRIncomplete("r")) == "QRIncomplete{r}"


def test_errors_name_the_op():
    x = T.matrix()
    with pytest.raises(ValueError, match=r"^\[MatrixInverse\] singular"):
        hypatia.function([x], nl.matrix_inverse(x))(np.array([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(ValueError, match=r"^\[Det\]"):
        hypatia.function([x], nl.det(x))(rnd(2, 3))
    with pytest.raises(ValueError, match=r"^\[Eigh\]"):
        hypatia.function([x], nl.eigh(x)[0])(rnd(2, 3))
    with pytest.raises(ValueError, match=r"^\[qr\]"):
        nl.qr(x, "economic")
    with pytest.raises(ValueError, match=r"^\[QRGrad\]"):
        hypatia.function([x], hypatia.grad(nl.qr(x, "r").sum(), x))(rnd(2, 4))
    with pytest.raises(TypeError, match=r"^\[MatrixPinv\]"):
        nl.pinv(T.vector())


def test_integer_input_becomes_float64():
    x = T.imatrix()
    assert nl.pinv(x).dtype == "float64" and nl.eigh(x)[0].dtype == "float64"


@pytest.mark.parametrize("bshape", [(3,), (3, 2)])
def test_inverse_times_b_becomes_solve(bshape):
    x, y = T.matrix(), T.tensor("float64", (False,) * len(bshape))
    f = hypatia.function([x, y], T.dot(nl.matrix_inverse(x), y))
    names = [str(n).split("(")[0] for n in f.maker.fgraph.toposort()]
    assert any(n.startswith("Solve") for n in names) and "MatrixInverse" not in names, names
    a, b = rnd(3, 3) + 3 * np.eye(3), rnd(*bshape)
    np.testing.assert_allclose(f(a, b), np.linalg.solve(a, b), atol=1e-12)
    g = hypatia.function([x, y], T.dot(nl.matrix_inverse(x), y), mode="FAST_COMPILE")
    assert "MatrixInverse" in [str(n).split("(")[0] for n in g.maker.fgraph.toposort()]
