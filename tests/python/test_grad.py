"""Autodiff from Python: the manual's gradient examples, errors, and verify_grad on every starter op."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia import function, grad
from hypatia.gradient import (DisconnectedInputError, Lop, Rop, disconnected_grad, grad_clip,
                              grad_scale, hessian, jacobian, verify_grad, zero_grad)


def test_grad_of_square():
    x = T.dscalar("x")
    gy = grad(x ** 2, x)
    f = function([x], gy)
    assert f(4) == 8.0
    assert np.allclose(f(94.2), 188.4)


def test_gradient_of_logistic():
    x = T.dmatrix("x")
    s = T.sum(1 / (1 + T.exp(-x)))
    gs = grad(s, x)
    dlogistic = function([x], gs)
    np.testing.assert_allclose(dlogistic([[0, 1], [-1, -2]]),
                               [[0.25, 0.19661193], [0.19661193, 0.10499359]], rtol=1e-7)


def test_jacobian_and_hessian():
    x = T.dvector("x")
    y = x ** 2
    J = jacobian(y, x)
    np.testing.assert_array_equal(function([x], J)([4, 4]), [[8.0, 0.0], [0.0, 8.0]])
    H = hessian((x ** 2).sum(), x)
    np.testing.assert_array_equal(function([x], H)([4, 4]), [[2.0, 0.0], [0.0, 2.0]])


def test_rop_and_lop():
    W = T.dmatrix("W")
    V = T.dmatrix("V")
    x = T.dvector("x")
    y = T.dot(x, W)
    JV = T.Rop(y, W, V)
    f = function([W, V, x], JV)
    np.testing.assert_array_equal(f([[1, 1], [1, 1]], [[2, 2], [2, 2]], [0, 1]), [2.0, 2.0])
    v = T.dvector("v")
    VJ = T.Lop(y, W, v)
    g = function([v, x], VJ)
    np.testing.assert_array_equal(g([2, 2], [0, 1]), [[0.0, 0.0], [2.0, 2.0]])


def test_hessian_times_vector_both_ways():
    x = T.dvector("x")
    v = T.dvector("v")
    y = T.sum(x ** 2)
    gy = grad(y, x)
    vH = grad(T.sum(gy * v), x)
    np.testing.assert_array_equal(function([x, v], vH)([4, 4], [2, 2]), [4.0, 4.0])
    Hv = Rop(gy, x, v)
    np.testing.assert_array_equal(function([x, v], Hv)([4, 4], [2, 2]), [4.0, 4.0])


def test_disconnected_inputs_modes():
    x, y = T.dscalars("x", "y")
    cost = x * 2
    with pytest.raises(DisconnectedInputError):
        grad(cost, [x, y])
    gx, gy = grad(cost, [x, y], disconnected_inputs="ignore")
    assert function([x, y], gy, on_unused_input="ignore")(1.0, 2.0) == 0.0
    gx, gy = grad(cost, [x, y], disconnected_inputs="ignore", return_disconnected="None")
    assert gy is None


def test_known_grads_and_consider_constant():
    x = T.dvector("x")
    y = x * 3
    g = grad(None, x, known_grads={y: T.ones_like(y)})
    np.testing.assert_array_equal(function([x], g)([1.0, 2.0]), [3.0, 3.0])
    z = (x * x).sum()
    g2 = grad(z, x, consider_constant=[x * x])
    with pytest.raises(DisconnectedInputError):
        grad((x * 2).sum() * 0 + (x * x).sum(), [T.dvector("other")])
    assert g2 is not None


def test_gradient_modifying_ops():
    x = T.dscalar("x")
    assert function([x], grad(zero_grad(x) * x, x))(3.0) == 3.0
    assert function([x], grad(disconnected_grad(x) * x, x))(3.0) == 3.0
    assert function([x], grad(grad_scale(x, 0.5) ** 2, x))(3.0) == 3.0
    assert function([x], grad(grad_clip(x, -1.0, 1.0) * 5.0, x))(3.0) == 1.0


STARTER = [
    ("add", lambda a, b: a + b, [(3, 4), (3, 4)]),
    ("add_broadcast_row", lambda a, b: a + b.dimshuffle("x", 0), [(3, 4), (4,)]),
    ("sub", lambda a, b: a - b, [(3, 4), (3, 4)]),
    ("mul", lambda a, b: a * b, [(3, 4), (3, 4)]),
    ("true_div", lambda a, b: a / (b * b + 1.0), [(3, 4), (3, 4)]),
    ("neg", lambda a: -a, [(3, 4)]),
    ("exp", lambda a: T.exp(a), [(3, 4)]),
    ("log", lambda a: T.log(a * a + 1.0), [(3, 4)]),
    ("pow", lambda a, b: (a * a + 1.0) ** b, [(3, 4), (3, 4)]),
    ("sqr", lambda a: T.sqr(a), [(3, 4)]),
    ("sqrt", lambda a: T.sqrt(a * a + 1.0), [(3, 4)]),
    ("sum_all", lambda a: a.sum(), [(3, 4)]),
    ("sum_axis", lambda a: a.sum(axis=1), [(3, 4)]),
    ("mean", lambda a: a.mean(axis=0), [(3, 4)]),
    ("dot_mm", lambda a, b: T.dot(a, b), [(3, 4), (4, 2)]),
    ("dot_mv", lambda a, b: T.dot(a, b), [(3, 4), (4,)]),
    ("dot_vm", lambda a, b: T.dot(a, b), [(3,), (3, 4)]),
    ("dot_vv", lambda a, b: T.dot(a, b), [(3,), (3,)]),
    ("reshape", lambda a: a.reshape((2, 6)), [(3, 4)]),
    ("transpose", lambda a: a.T, [(3, 4)]),
    ("dimshuffle", lambda a: a.dimshuffle(1, "x", 0), [(3, 4)]),
    ("fill", lambda a, b: T.fill(a, b.sum()), [(3, 4), (2,)]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fun,shapes", STARTER, ids=[s[0] for s in STARTER])
def test_verify_grad_starter_ops(name, fun, shapes, dtype):
    rng = np.random.RandomState(42)
    pt = [rng.uniform(0.5, 1.5, size=s).astype(dtype) for s in shapes]
    verify_grad(fun, pt, rng=rng)


def test_verify_grad_catches_a_wrong_gradient():
    rng = np.random.RandomState(0)
    pt = [rng.rand(3, 4)]
    with pytest.raises(ValueError, match="GradientError"):
        verify_grad(lambda a: grad_scale(a, 1.5) * 2.0, pt, rng=rng)
