"""The Theano manual's tutorial examples, run under hypatia with the manual's printed results."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia import In, function, shared, pp


def test_adding_two_scalars():
    x = T.dscalar("x")
    y = T.dscalar("y")
    z = x + y
    f = function([x, y], z)
    out = f(2, 3)
    assert isinstance(out, np.ndarray) and out.shape == () and out.dtype == np.float64
    assert out == 5.0
    assert np.allclose(f(16.3, 12.1), 28.4)
    assert str(x.type) == "TensorType(float64, scalar)"
    assert x.type == T.dscalar
    assert pp(z) == "(x + y)"
    assert np.allclose(z.eval({x: 16.3, y: 12.1}), 28.4)


def test_adding_two_matrices():
    x = T.dmatrix("x")
    y = T.dmatrix("y")
    f = function([x, y], x + y)
    expected = np.array([[11.0, 22.0], [33.0, 44.0]])
    np.testing.assert_array_equal(f([[1, 2], [3, 4]], [[10, 20], [30, 40]]), expected)
    np.testing.assert_array_equal(f(np.array([[1, 2], [3, 4]]), np.array([[10, 20], [30, 40]])), expected)


def test_exercise_vector_power():
    a = T.vector()
    out = a + a ** 10
    f = function([a], out)
    np.testing.assert_allclose(f([0, 1, 2]), [0.0, 2.0, 1026.0])


def test_logistic_function():
    x = T.dmatrix("x")
    s = 1 / (1 + T.exp(-x))
    logistic = function([x], s)
    np.testing.assert_allclose(logistic([[0, 1], [-1, -2]]),
                               [[0.5, 0.73105858], [0.26894142, 0.11920292]], rtol=1e-7)


def test_several_outputs():
    a, b = T.dmatrices("a", "b")
    diff = a - b
    diff_squared = diff ** 2
    f = function([a, b], [diff, diff_squared])
    d, d2 = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
    np.testing.assert_array_equal(d, [[1.0, 0.0], [-1.0, -2.0]])
    np.testing.assert_array_equal(d2, [[1.0, 0.0], [1.0, 4.0]])


def test_default_values():
    x, y = T.dscalars("x", "y")
    f = function([x, In(y, value=1)], x + y)
    assert f(33) == 34.0
    assert f(33, 2) == 35.0
    x, y, w = T.dscalars("x", "y", "w")
    z = (x + y) * w
    f = function([x, In(y, value=1), In(w, value=2, name="w_by_name")], z)
    assert f(33) == 68.0
    assert f(33, 2) == 70.0
    assert f(33, 0, 1) == 33.0
    assert f(33, w_by_name=1) == 34.0
    assert f(33, w_by_name=1, y=0) == 33.0


def test_shared_accumulator_and_decrementor():
    state = shared(0)
    inc = T.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)])
    assert state.get_value() == 0
    out = accumulator(1)
    assert out == 0 and out.shape == ()
    assert state.get_value() == 1
    assert accumulator(300) == 1
    assert state.get_value() == 301
    state.set_value(-1)
    assert accumulator(3) == -1
    assert state.get_value() == 2
    decrementor = function([inc], state, updates=[(state, state - inc)])
    assert decrementor(2) == 2
    assert state.get_value() == 0


def test_givens():
    state = shared(0)
    inc = T.iscalar("inc")
    fn_of_state = state * 2 + inc
    foo = T.scalar(dtype=state.dtype)
    skip_shared = function([inc, foo], fn_of_state, givens=[(state, foo)])
    assert skip_shared(1, 3) == 7
    assert state.get_value() == 0


def test_in_with_update_and_value():
    u, x, s = T.scalars("u", "x", "s")
    inc = function([u, In(x, value=3), In(s, update=(s + x * u), value=10.0)], [])
    assert inc(5) == []
    assert inc[s] == 25.0
    inc(3, 4)
    assert inc[s] == 37.0
    assert inc[x] == 3.0
    inc(3, 4, 7)
    assert inc[s] == 19.0
    inc[s] = 10
    assert inc[s] == 10.0


def test_updates_are_simultaneous():
    a = shared(np.float64(1.0), name="a")
    b = shared(np.float64(2.0), name="b")
    swap = function([], [], updates=[(a, b), (b, a)])
    swap()
    assert a.get_value() == 2.0 and b.get_value() == 1.0
