"""hypatia.tensor.slinalg against scipy.linalg through the harness (values, infer_shape,
optimised vs unoptimised, DebugMode, verify_grad), float32 and float64."""
import numpy as np
import pytest
import scipy.linalg

import hypatia
import hypatia.tensor as T
import hypatia.tensor.slinalg as sl
from harness import check_op

R = np.random.RandomState(29)
DTYPES = ["float64", "float32"]


def rnd(*shape, dtype="float64"):
    return R.uniform(-1.0, 1.0, size=shape).astype(dtype)


def spd(n, dtype="float64"):
    m = rnd(n, n)
    return (m.dot(m.T) + n * np.eye(n)).astype(dtype)


def tol(dtype):
    return dict(rtol=2e-4, atol=2e-5) if dtype == "float32" else dict(rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("assume_a", ["gen", "sym", "her", "pos"])
@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("bshape", [(4,), (4, 3)])
def test_solve_assume_a(dtype, assume_a, lower, bshape):
    # Not symmetric: 'sym'/'her'/'pos' read only the `lower` (or upper) triangle, as scipy.
    a = (spd(4) + 0.2 * rnd(4, 4)).astype(dtype)
    b = rnd(*bshape, dtype=dtype)
    check_op(lambda m, v: sl.solve(m, v, assume_a=assume_a, lower=lower), [a, b],
             lambda m, v: scipy.linalg.solve(m, v, assume_a=assume_a, lower=lower).astype(dtype),
             grad=dtype == "float64", **tol(dtype))


@pytest.mark.parametrize("structure", ["general", "symmetric", "lower_triangular", "upper_triangular"])
def test_solve_theano_a_structure_and_op_class(structure):
    a = spd(4) + 0.2 * rnd(4, 4)
    b = rnd(4, 2)
    if structure.endswith("triangular"):
        ref = lambda m, v: scipy.linalg.solve_triangular(m, v, lower=structure.startswith("lower"))
    else:
        ref = lambda m, v: scipy.linalg.solve(m, v)
    check_op(lambda m, v: sl.Solve(A_structure=structure)(m, v), [a, b], ref)
    check_op(lambda m, v: sl.solve(m, v, A_structure=structure), [a, b], ref, grad=False)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("trans", [0, 1, "T"])
@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("unit_diagonal", [False, True])
def test_solve_triangular(dtype, trans, lower, unit_diagonal):
    a = (rnd(4, 4) + 3 * np.eye(4)).astype(dtype)  # both triangles full: only one is read
    b = rnd(4, 2, dtype=dtype)
    check_op(lambda m, v: sl.solve_triangular(m, v, trans=trans, lower=lower, unit_diagonal=unit_diagonal), [a, b],
             lambda m, v: scipy.linalg.solve_triangular(m, v, trans=trans, lower=lower,
                                                        unit_diagonal=unit_diagonal).astype(dtype),
             grad=dtype == "float64", **tol(dtype))


def test_solve_lower_upper_symmetric_helpers():
    a, b = rnd(4, 4) + 3 * np.eye(4), rnd(4)
    check_op(sl.solve_lower_triangular, [a, b], lambda m, v: scipy.linalg.solve_triangular(m, v, lower=True))
    check_op(sl.solve_upper_triangular, [a, b], lambda m, v: scipy.linalg.solve_triangular(m, v, lower=False))
    check_op(sl.solve_symmetric, [a, b], lambda m, v: scipy.linalg.solve(m, v))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lower", [False, True])
def test_cho_solve(dtype, lower):
    a = spd(4, dtype)
    c = scipy.linalg.cholesky(a, lower=lower).astype(dtype)
    b = rnd(4, 2, dtype=dtype)
    check_op(lambda f, v: sl.cho_solve((f, lower), v), [c, b],
             lambda f, v: scipy.linalg.cho_solve((f, lower), v).astype(dtype), grad=dtype == "float64", **tol(dtype))
    # Through cholesky: the gradient reaches a.
    check_op(lambda m, v: sl.cho_solve((sl.cholesky(m, lower=lower), lower), v), [a, b],
             lambda m, v: scipy.linalg.solve(m, v).astype(dtype), grad=dtype == "float64", **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lower", [True, False])
def test_eigvalsh(dtype, lower):
    a = rnd(4, 4, dtype=dtype)
    check_op(lambda m: sl.eigvalsh(m, None, lower=lower), [a],
             lambda m: scipy.linalg.eigvalsh(m, lower=lower).astype(dtype), grad=dtype == "float64", **tol(dtype))
    b = spd(4, dtype)
    check_op(lambda m, n: sl.eigvalsh(m, n, lower=lower), [a, b],
             lambda m, n: scipy.linalg.eigvalsh(m, n, lower=lower).astype(dtype), grad=dtype == "float64",
             **tol(dtype))


def test_eigvalsh_op_classes():
    x, y = T.matrix(), T.matrix()
    w = sl.Eigvalsh(False)(x, y)
    a, b = rnd(3, 3), spd(3)
    np.testing.assert_allclose(hypatia.function([x, y], w)(a, b), scipy.linalg.eigvalsh(a, b, lower=False))
    ga, gb = sl.EigvalshGrad()(x, y, T.vector())
    assert ga.ndim == 2 and gb.ndim == 2
    with pytest.raises(ValueError, match=r"^\[Eigvalsh\] b is not positive definite"):
        hypatia.function([x, y], sl.eigvalsh(x, y))(a, -np.eye(3))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [0.3, 6.0])
def test_expm(dtype, scale):
    a = (scale * rnd(4, 4)).astype(dtype)
    check_op(sl.expm, [a], lambda m: scipy.linalg.expm(m.astype("float64")).astype(dtype),
             grad=dtype == "float64", rtol=2e-4 if dtype == "float32" else 1e-9, atol=1e-4 if dtype == "float32" else 1e-10)
    assert str(sl.Expm()) == "Expm" and str(sl.ExpmGrad()) == "ExpmGrad"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sa,sb", [((2, 3), (4, 2)), ((3, 1), (2, 2)), ((2, 2, 2), (3, 2))])
def test_kron(dtype, sa, sb):
    a, b = rnd(*sa, dtype=dtype), rnd(*sb, dtype=dtype)
    # Matrices: scipy.linalg.kron (removed from recent scipy; numpy.kron agrees on matrices).
    # More axes: Theano's own construction, written out in numpy.
    ref = (lambda x, y: np.kron(x, y)) if len(sa) == 2 else _theano_kron
    check_op(sl.kron, [a, b], ref, grad=dtype == "float64", **tol(dtype))


def _theano_kron(a, b):
    """Theano's slinalg.kron in numpy: outer product, axes (0, 2, 1, ...) merged pairwise."""
    o = np.outer(a, b).reshape(a.shape + b.shape)
    shf = o.transpose((0, 2, 1) + tuple(range(3, o.ndim)))
    return shf.reshape((o.shape[0] * o.shape[2], o.shape[1] * o.shape[3]) + o.shape[4:])


def test_kron_of_two_vectors_is_an_error():
    with pytest.raises(TypeError, match=r"^\[kron\]"):
        sl.kron(T.vector(), T.vector())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lower", [True, False])
def test_cholesky_grad_both_triangles(dtype, lower):
    a = spd(4, dtype)
    check_op(lambda m: sl.cholesky(m, lower=lower), [a], lambda m: scipy.linalg.cholesky(m, lower=lower).astype(dtype),
             grad=dtype == "float64", **tol(dtype))
    assert str(sl.CholeskyGrad()) == "CholeskyGrad"


def test_errors_name_the_op():
    m, v = T.matrix(), T.vector()
    sing = np.array([[1.0, 2.0], [2.0, 4.0]])
    for assume_a in ("gen", "sym"):
        with pytest.raises(ValueError, match=r"^\[Solve\] singular"):
            hypatia.function([m, v], sl.solve(m, v, assume_a=assume_a))(sing, np.ones(2))
    with pytest.raises(ValueError, match=r"^\[Solve\] matrix is not positive definite"):
        hypatia.function([m, v], sl.solve(m, v, assume_a="pos"))(np.array([[1.0, 2.0], [2.0, 1.0]]), np.ones(2))
    with pytest.raises(ValueError, match=r"^\[Solve\] singular"):
        hypatia.function([m, v], sl.solve_triangular(m, v))(np.array([[1.0, 2.0], [0.0, 0.0]]), np.ones(2))
    with pytest.raises(ValueError, match=r"^\[Solve\]"):
        hypatia.function([m, v], sl.solve(m, v))(rnd(2, 3), np.ones(2))
    with pytest.raises(ValueError, match=r"^\[Solve\] assume_a"):
        sl.solve(m, v, assume_a="banded")
    with pytest.raises(ValueError, match=r"^\[Expm\]"):
        hypatia.function([m], sl.expm(m))(rnd(2, 3))
    with pytest.raises(ValueError, match=r"^\[Cholesky\]"):
        hypatia.function([m], sl.cholesky(m))(np.array([[1.0, 2.0], [2.0, 1.0]]))
