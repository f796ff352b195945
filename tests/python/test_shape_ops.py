"""Shape and creation family through the harness (numpy reference, infer_shape, FAST_RUN vs
None, verify_grad), Variable methods, error cases, and the manual's "Shape Information" section."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia.printing import debugprint
from harness import check_op

R = np.random.RandomState(11)


def rnd(*shape, dtype="float64"):
    return R.uniform(-1.0, 1.0, size=shape).astype(dtype)


def ints(*shape):
    return R.randint(-5, 6, size=shape).astype("int32")


FLOATS = ["float64", "float32"]


@pytest.mark.parametrize("dtype", FLOATS)
def test_flatten_reshape(dtype):
    x = rnd(2, 3, 4, dtype=dtype)
    check_op(lambda a: T.flatten(a, 2), [x], lambda a: a.reshape(2, 12), rtol=1e-4)
    check_op(lambda a: a.flatten(), [x], lambda a: a.reshape(-1), rtol=1e-4)
    check_op(lambda a: a.ravel(), [x], np.ravel, rtol=1e-4)
    # a symbolic shape vector
    check_op(lambda a: a.reshape(T.stack([T.shape_i(a, 2), T.shape_i(a, 0) * 3]), ndim=2),
             [x], lambda a: a.reshape(4, 6), rtol=1e-4)
    check_op(lambda a: T.reshape(a, (3, -1)), [x], lambda a: a.reshape(3, -1), rtol=1e-4)


def test_reshape_symbolic_needs_ndim():
    x = T.matrix("x")
    v = T.lvector("v")
    with pytest.raises(ValueError):
        x.reshape(v)
    y = x.reshape(v, ndim=3)
    assert y.ndim == 3
    f = hypatia.function([x, v], y)
    assert f(rnd(3, 4), np.array([2, 3, 2])).shape == (2, 3, 2)


def test_pad_squeeze_swap_int():
    x = ints(3, 5)
    check_op(lambda a: T.shape_padleft(a, 2), [x], lambda a: a[None, None])
    check_op(lambda a: T.shape_padright(a), [x], lambda a: a[:, :, None])
    check_op(lambda a: T.shape_padaxis(a, -2), [x], lambda a: a[:, None, :])
    check_op(lambda a: a.swapaxes(0, -1), [x], lambda a: a.swapaxes(0, 1))
    check_op(lambda a: T.swapaxes(a, 0, 2), [rnd(2, 3, 4)], lambda a: a.swapaxes(0, 2))
    t3 = T.tensor3()
    assert T.shape_padaxis(t3, 0).broadcastable == (True, False, False, False) or \
        list(T.shape_padaxis(t3, 0).broadcastable) == [True, False, False, False]
    assert list(T.shape_padaxis(t3, -1).broadcastable) == [False, False, False, True]
    r = T.row()
    assert r.squeeze().ndim == 1
    f = hypatia.function([r], r.squeeze())
    np.testing.assert_allclose(f(np.ones((1, 4))), np.ones(4))


def test_variable_len_and_size_and_ndim():
    x = T.matrix("x")
    with pytest.raises(TypeError, match="has no len"):
        len(x)
    f = hypatia.function([x], x.size)
    assert int(f(rnd(3, 5))) == 15
    assert x.ndim == 2


def test_specify_shape_and_rebroadcast():
    x = T.matrix()
    y = T.specify_shape(x, (3, 5))
    f = hypatia.function([x], y * 2)
    np.testing.assert_allclose(f(np.ones((3, 5))), 2 * np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"^\[SpecifyShape\]"):
        f(np.ones((5, 3)))
    check_op(lambda a: T.specify_shape(a, (3, 5)), [rnd(3, 5)], lambda a: a)
    # Rebroadcast
    c = T.col()
    assert list(T.unbroadcast(c, 1).broadcastable) == [False, False]
    assert T.addbroadcast(c, 1) is c or list(T.addbroadcast(c, 1).broadcastable) == [False, True]
    a = T.addbroadcast(x, 0)
    assert list(a.broadcastable) == [True, False]
    assert list(T.patternbroadcast(x, (False, True)).broadcastable) == [False, True]
    g = hypatia.function([x], a + 1)
    np.testing.assert_allclose(g(np.zeros((1, 3))), np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"^\[Rebroadcast\]"):
        g(np.zeros((2, 3)))
    check_op(lambda v: T.addbroadcast(v, 0) * 3.0, [rnd(1, 5)], lambda v: v * 3.0)


def test_as_tensor_variable_ndim():
    v = T.vector()
    assert T.as_tensor_variable(v, ndim=3).ndim == 3
    assert T.as_tensor_variable(np.ones((1, 1, 4)), ndim=1).ndim == 1
    with pytest.raises(ValueError):
        T.as_tensor_variable(T.matrix(), ndim=1)


@pytest.mark.parametrize("dtype", FLOATS)
def test_concatenate_join_stack(dtype):
    a, b = rnd(3, 5, dtype=dtype), rnd(2, 5, dtype=dtype)
    tol = dict(rtol=1e-4)
    check_op(lambda x, y: T.concatenate([x, y], axis=0), [a, b], lambda x, y: np.concatenate([x, y], 0), **tol)
    check_op(lambda x, y: T.concatenate([x, y], axis=-2), [a, b], lambda x, y: np.concatenate([x, y], -2), **tol)
    check_op(lambda x, y: T.join(1, x, y), [a, a], lambda x, y: np.concatenate([x, y], 1), **tol)
    c, d = rnd(2, 3, 4, dtype=dtype), rnd(2, 3, 4, dtype=dtype)
    for ax in (0, 2, -1, -3):
        check_op(lambda x, y, ax=ax: T.stack([x, y], axis=ax), [c, d], lambda x, y, ax=ax: np.stack([x, y], ax), **tol)
    check_op(lambda x, y: T.stack(x, y), [c, d], lambda x, y: np.stack([x, y]), **tol)
    assert T.join(0, T.matrix(), T.matrix()).owner.op.__str__() == "Join" or "Join" in str(T.join(0, T.matrix(), T.matrix()).owner.op)


def test_join_int_and_errors():
    check_op(lambda x, y: T.concatenate([x, y], axis=1), [ints(3, 5), ints(3, 2)], lambda x, y: np.concatenate([x, y], 1))
    x, y = T.matrix(), T.matrix()
    f = hypatia.function([x, y], T.concatenate([x, y]))
    with pytest.raises(ValueError, match=r"^\["):
        f(rnd(3, 5), rnd(2, 4))
    with pytest.raises(TypeError):
        T.stack([T.matrix(), T.vector()])
    s = T.stack([T.scalar(), T.scalar(), T.scalar()])
    assert s.ndim == 1
    i, j = T.iscalar(), T.iscalar()
    g = hypatia.function([i, j], T.stack([i, j, i]))
    np.testing.assert_array_equal(g(3, 4), [3, 4, 3])


def test_split():
    x = rnd(2, 3, 4)
    for k in range(3):
        check_op(lambda a, k=k: T.split(a, [1, 2, 1], 3, axis=-1)[k], [x],
                 lambda a, k=k: np.split(a, [1, 3], axis=-1)[k])
    a = T.matrix()
    parts = T.split(a, [1, 2], 2, axis=0)
    cost = (parts[0] * 2).sum() + (parts[1] ** 2).sum()
    g = hypatia.function([a], hypatia.grad(cost, a))
    av = rnd(3, 5)
    np.testing.assert_allclose(g(av), np.vstack([2 * np.ones((1, 5)), 2 * av[1:]]))
    f = hypatia.function([a], parts[0])
    with pytest.raises(ValueError, match=r"^\["):
        f(rnd(4, 5))


def test_stacklists():
    a, b, c, d = T.scalars(4)
    X = T.stacklists([[a, b], [c, d]])
    f = hypatia.function([a, b, c, d], X)
    np.testing.assert_allclose(f(1, 2, 3, 4), [[1, 2], [3, 4]])
    ms = [T.matrix() for _ in range(4)]
    Y = T.stacklists([[ms[0], ms[1]], [ms[2], ms[3]]])
    g = hypatia.function(ms, Y)
    assert g(*[np.ones((4, 4))] * 4).shape == (2, 2, 4, 4)


@pytest.mark.parametrize("dtype", FLOATS)
def test_tile_roll(dtype):
    x = rnd(3, 5, dtype=dtype)
    check_op(lambda a: T.tile(a, (2, 3)), [x], lambda a: np.tile(a, (2, 3)), rtol=1e-4)
    check_op(lambda a: T.tile(a, (2, 1, 1)), [x], lambda a: np.tile(a, (2, 1, 1)), rtol=1e-4)
    for shift, axis in [(2, 0), (-1, 1), (7, None), (-3, -1)]:
        check_op(lambda a, s=shift, ax=axis: T.roll(a, s, ax), [x], lambda a, s=shift, ax=axis: np.roll(a, s, ax), rtol=1e-4)
    check_op(lambda a: T.roll(a, 1, 2), [rnd(2, 3, 4)], lambda a: np.roll(a, 1, 2))
    s = T.iscalar()
    m = T.matrix()
    f = hypatia.function([m, s], T.roll(m, s, 1))
    np.testing.assert_allclose(f(x.astype("float64"), -2), np.roll(x.astype("float64"), -2, 1))
    check_op(lambda a: T.tile(a, (1, 2)), [ints(3, 5)], lambda a: np.tile(a, (1, 2)))


def test_creation():
    floatX = hypatia.config.floatX
    f = hypatia.function([], T.zeros((3, 5)))
    v = f()
    assert v.shape == (3, 5) and v.dtype == floatX and not v.any()
    n = T.lscalar()
    g = hypatia.function([n], T.ones((n, 2), dtype="int32"))
    assert g(4).dtype == np.int32 and g(4).shape == (4, 2)
    m, k = T.iscalar(), T.iscalar()
    e = hypatia.function([n, m, k], T.eye(n, m, k))
    for (a, b, c) in [(3, 5, 0), (3, 5, 2), (5, 3, -1), (3, 5, 9)]:
        np.testing.assert_array_equal(e(a, b, c), np.eye(a, b, c))
    assert e(3, 5, 0).dtype == floatX
    np.testing.assert_array_equal(hypatia.function([n], T.eye(n, dtype="int8"))(3), np.eye(3, dtype="int8"))
    x = T.matrix()
    np.testing.assert_array_equal(hypatia.function([x], T.identity_like(x))(rnd(3, 5)), np.eye(3, 5))
    # arange
    for args in [(5,), (1, 10, 3), (10, 1, -2), (3, 3)]:
        r = hypatia.function([], T.arange(*args))()
        np.testing.assert_array_equal(r, np.arange(*args))
        assert r.dtype == np.int64
    r = hypatia.function([], T.arange(0.5, 3.0, 0.5))()
    np.testing.assert_allclose(r, np.arange(0.5, 3.0, 0.5))
    assert r.dtype == floatX
    np.testing.assert_array_equal(hypatia.function([n], T.arange(n))(4), np.arange(4))
    np.testing.assert_array_equal(hypatia.function([n], T.arange(n, dtype="int32"))(4), np.arange(4, dtype="int32"))
    # tri
    N, M = T.lscalar(), T.lscalar()
    t = hypatia.function([N, M, k], T.tri(N, M, k))
    for (a, b, c) in [(3, 5, 0), (3, 5, -1), (5, 3, 2)]:
        np.testing.assert_array_equal(t(a, b, c), np.tri(a, b, c))


@pytest.mark.parametrize("dtype", FLOATS + ["int32"])
def test_diag_family(dtype):
    x = rnd(3, 5, dtype=dtype) if dtype != "int32" else ints(3, 5)
    tol = dict(rtol=1e-4)
    for k in (0, 1, -1, 4):
        check_op(lambda a, k=k: T.diagonal(a, k), [x], lambda a, k=k: np.diagonal(a, k).copy(), **tol)
        check_op(lambda a, k=k: T.tril(a, k), [x], lambda a, k=k: np.tril(a, k), **tol)
        check_op(lambda a, k=k: T.triu(a, k), [x], lambda a, k=k: np.triu(a, k), **tol)
    check_op(lambda a: a.diagonal(1, 2, 0), [rnd(2, 3, 4)], lambda a: np.diagonal(a, 1, 2, 0).copy())
    check_op(lambda a: T.diag(a), [x], lambda a: np.diag(a), **tol)
    v = rnd(4, dtype=dtype) if dtype != "int32" else ints(4)
    for k in (0, 2, -1):
        check_op(lambda a, k=k: T.diag(a, k), [v], lambda a, k=k: np.diag(a, k), **tol)
    check_op(lambda a: a.trace(), [x], lambda a: np.asarray(np.trace(a)), check_dtype=dtype != "int32", **tol)


def test_like_and_fill_methods():
    x = T.imatrix()
    xv = ints(3, 5)
    z = hypatia.function([x], x.zeros_like("float32"))(xv)
    assert z.dtype == np.float32 and z.shape == (3, 5)
    o = hypatia.function([x], T.ones_like(x, dtype="float64"))(xv)
    assert o.dtype == np.float64 and (o == 1).all()
    assert hypatia.function([x], T.zeros_like(x))(xv).dtype == np.int32
    fl = hypatia.function([x], x.fill(7))(xv)
    np.testing.assert_array_equal(fl, np.full((3, 5), 7))


# ---- the manual's "Shape Information" section ----

def _ops(f):
    return debugprint(f, file="str")


def test_shape_of_elemwise_needs_no_computation():
    x = T.matrix("x")
    f = hypatia.function([x], (x ** 2).shape)
    text = _ops(f)
    assert "MakeVector" in text and "Shape_i{0}" in text and "Shape_i{1}" in text
    assert "pow" not in text.lower() and "sqr" not in text.lower()
    np.testing.assert_array_equal(f(rnd(3, 5)), [3, 5])


def test_shape_inference_problem_join():
    x = T.matrix("x")
    y = T.matrix("y")
    z = T.join(0, x, y)
    xv = np.random.rand(5, 4)
    yv = np.random.rand(3, 3)
    f = hypatia.function([x, y], z.shape)
    text = _ops(f)
    assert "Join" not in text
    assert "MakeVector" in text
    np.testing.assert_array_equal(f(xv, yv), [8, 4])  # does not raise, as the manual says
    g = hypatia.function([x, y], z)
    assert "Join" in _ops(g)
    with pytest.raises(ValueError):
        g(xv, yv)


def test_specify_shape_makes_shape_constant():
    x = T.matrix()
    x_specify_shape = T.specify_shape(x, (2, 2))
    f = hypatia.function([x], (x_specify_shape ** 2).shape)
    text = _ops(f)
    assert "SpecifyShape" not in text and "Shape_i" not in text
    assert "TensorConstant" in text
    np.testing.assert_array_equal(f(np.ones((2, 2))), [2, 2])


def test_flatten_reshape_shapes_inferred():
    x = T.tensor3()
    f = hypatia.function([x], T.concatenate([x.flatten(2), x.flatten(2)], axis=1).shape)
    assert "Join" not in _ops(f) and "Reshape" not in _ops(f)
    np.testing.assert_array_equal(f(rnd(2, 3, 4)), [2, 24])


def test_dimshuffle_pattern_entry_not_an_int_is_a_type_error():
    # A float entry used to escape as RuntimeError (std::bad_cast) from the pattern conversion.
    x = T.matrix("x")
    with pytest.raises(TypeError, match=r"^\[DimShuffle\] pattern entries must be integers or 'x', got 0.5"):
        T.dimshuffle(x, 0.5, 1)
    with pytest.raises(TypeError, match=r"^\[DimShuffle\] pattern entries must be integers or 'x'"):
        x.dimshuffle(1, None)
    with pytest.raises(ValueError, match=r"^\[DimShuffle\] pattern entries must be integers or 'x'"):
        x.dimshuffle("y", 0)
    assert T.dimshuffle(x, 1, "x", 0).type.broadcastable == (False, True, False)
