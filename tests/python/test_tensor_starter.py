"""Starter dense ops through the harness: numpy values, infer_shape, FAST_RUN vs None, gradients."""
import numpy as np
import pytest

import hypatia.tensor as T
from harness import check_op

R = np.random.RandomState(3)


def pos(*shape):
    return R.uniform(0.5, 2.0, size=shape)


CASES = [
    ("add", lambda a, b: a + b, np.add, [(3, 4), (3, 4)]),
    ("sub", lambda a, b: a - b, np.subtract, [(3, 4), (3, 4)]),
    ("mul", lambda a, b: a * b, np.multiply, [(3, 4), (3, 4)]),
    ("true_div", lambda a, b: a / b, np.true_divide, [(3, 4), (3, 4)]),
    ("pow", lambda a, b: a ** b, np.power, [(3, 4), (3, 4)]),
    ("neg", lambda a: -a, np.negative, [(4, 3)]),
    ("exp", T.exp, np.exp, [(4, 3)]),
    ("log", T.log, np.log, [(4, 3)]),
    ("sqr", T.sqr, np.square, [(4, 3)]),
    ("sqrt", T.sqrt, np.sqrt, [(4, 3)]),
    ("sum_all", lambda a: a.sum(), lambda a: np.asarray(a.sum()), [(3, 5)]),
    ("sum_axis0", lambda a: T.sum(a, axis=0), lambda a: a.sum(axis=0), [(3, 5)]),
    ("sum_axis1_keepdims", lambda a: T.sum(a, axis=1, keepdims=True), lambda a: a.sum(axis=1, keepdims=True), [(3, 5)]),
    ("mean_axis1", lambda a: T.mean(a, axis=1), lambda a: a.mean(axis=1), [(3, 5)]),
    ("dot_mm", T.dot, np.dot, [(3, 4), (4, 2)]),
    ("dot_mv", T.dot, np.dot, [(3, 4), (4,)]),
    ("dot_vm", T.dot, np.dot, [(3,), (3, 4)]),
    ("dot_vv", T.dot, lambda a, b: np.asarray(np.dot(a, b)), [(5,), (5,)]),
    ("reshape", lambda a: a.reshape((2, 6)), lambda a: a.reshape(2, 6), [(3, 4)]),
    ("reshape_minus1", lambda a: a.reshape((4, -1)), lambda a: a.reshape(4, -1), [(3, 4)]),
    ("transpose", lambda a: a.T, lambda a: a.T, [(3, 4)]),
    ("dimshuffle", lambda a: a.dimshuffle(1, "x", 0), lambda a: a.T[:, None, :], [(3, 4)]),
    ("fill", lambda a, b: T.fill(a, b.sum()), lambda a, b: np.full_like(a, b.sum()), [(3, 4), (2,)]),
    ("zeros_like", lambda a: T.zeros_like(a) + a, lambda a: a.copy(), [(3, 4)]),
    ("shape", lambda a: T.shape(a), lambda a: np.array(a.shape, dtype=np.int64), [(3, 4)]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fun,ref,shapes", CASES, ids=[c[0] for c in CASES])
def test_starter_op(name, fun, ref, shapes, dtype):
    inputs = [pos(*s).astype(dtype) for s in shapes]
    rtol = 1e-5 if dtype == "float32" else 1e-7

    def reference(*xs):
        out = np.asarray(ref(*xs))
        return out if out.dtype.kind != "f" else out.astype(dtype)

    check_op(fun, inputs, reference, rtol=rtol, atol=1e-6)


def test_int_inputs_and_broadcasting():
    check_op(lambda a, b: a + b, [np.arange(12, dtype=np.int8).reshape(3, 4), np.arange(12, dtype=np.uint8).reshape(3, 4)],
             lambda a, b: a.astype(np.int16) + b.astype(np.int16))
    check_op(lambda a, b: a / b, [np.arange(1, 7, dtype=np.int32).reshape(2, 3), np.full((2, 3), 2, dtype=np.int32)],
             lambda a, b: a / b)
    row = T.drow("row")
    m = T.dmatrix("m")
    import hypatia
    f = hypatia.function([row, m], row + m)
    np.testing.assert_array_equal(f(np.ones((1, 3)), np.ones((2, 3))), np.full((2, 3), 2.0))
    a = T.dmatrix("a")
    g = hypatia.function([a, m], a + m)
    with pytest.raises(ValueError, match="mis-match"):
        g(np.ones((2, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="mis-match"):
        g(np.ones((1, 3)), np.ones((3, 3)))  # a length-1 axis that is not broadcastable does not broadcast
