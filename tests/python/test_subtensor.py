"""Indexing: basic Subtensor views, set/inc_subtensor, advanced integer/boolean indexing, take,
sparse_grad, nonzero_values -- all through the harness against numpy on non-square inputs."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia import _core
from harness import check_op

RNG = np.random.RandomState(0)
X34 = {dt: RNG.uniform(-2, 2, (3, 4)).astype(dt) for dt in ("float32", "float64")}
X234 = RNG.uniform(-2, 2, (2, 3, 4))
I34 = np.arange(12, dtype="int32").reshape(3, 4)


def tol(x):
    return dict(rtol=1e-5, atol=1e-6) if x.dtype == np.float32 else {}


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("key", [
    (1,), (-1,), (slice(1, None),), (slice(None, None, -1),), (slice(-1, 0, -2), 2),
    (Ellipsis, 1), (None, slice(None), -2), (slice(None), None, slice(3, 0, -1)), (1, slice(None, None, -3)),
])
def test_basic_indexing_matches_numpy(dt, key):
    x = X34[dt]
    check_op(lambda v: v[key], [x], lambda a: a[key], **tol(x))


def test_basic_3d_and_int_dtype():
    check_op(lambda v: v[1, ::-1, 1:3], [X234], lambda a: a[1, ::-1, 1:3])
    check_op(lambda v: v[..., -1], [X234], lambda a: a[..., -1])
    out = check_op(lambda v: v[::2, -2:], [I34], lambda a: a[::2, -2:])
    assert out.dtype == np.int32


def test_subtensor_is_a_view_and_prints():
    x = T.matrix("x")
    y = x[1:, ::-1]
    assert str(y.owner.op) == "Subtensor{1::, ::-1}"
    i = T.lscalar("i")
    assert str(x[i].owner.op) == "Subtensor{int64}"
    assert str(x[i:].owner.op) == "Subtensor{int64::}"
    assert str(x[:, [0, 1]].owner.op) == "AdvancedSubtensor{::, int_array}"
    assert str(T.inc_subtensor(x[0], 1.0).owner.op) == "IncSubtensor{Inc;0}"
    assert str(T.set_subtensor(x[[0]], 1.0).owner.op) == "AdvancedIncSubtensor1{no_inplace,set}"
    with pytest.raises(ValueError, match=r"^\["):
        x[::0]
    xv = X34["float64"]
    out = hypatia.function([x], y)(xv)
    np.testing.assert_allclose(out, xv[1:, ::-1])


def test_symbolic_slice_bounds():
    x = T.matrix("x")
    a, b, s = T.lscalar("a"), T.iscalar("b"), T.lscalar("s")
    out = x[a:b:s, a]
    f = hypatia.function([x, a, b, s], out)
    xv = X34["float64"]
    for av, bv, sv in [(0, 3, 1), (-1, 0, -1), (2, -5, -2), (1, 100, 2)]:
        np.testing.assert_allclose(f(xv, av, bv, sv), xv[av:bv:sv, av])
    # through the harness: bounds folded as constants, shape inferred symbolically
    check_op(lambda v: v[T.constant(np.int64(1)):, ::T.constant(np.int64(-1))], [X234], lambda v: v[1:, ::-1])
    shp = hypatia.function([x, a, b, s], out.shape)
    assert tuple(shp(xv, 2, -5, -2)) == xv[2:-5:-2, 2].shape


def test_symbolic_bounds_grad():
    a = T.lscalar("a")
    x = T.matrix("x")
    g = T.grad(x[a:, ::-1].sum() * 2, x)
    gv = hypatia.function([x, a], g)(X34["float64"], 1)
    want = np.zeros((3, 4))
    want[1:] = 2
    np.testing.assert_allclose(gv, want)


def test_index_errors():
    x = T.matrix("x")
    i = T.lscalar("i")
    f = hypatia.function([x, i], x[i])
    with pytest.raises(IndexError, match=r"^\["):
        f(X34["float64"], 3)
    with pytest.raises(IndexError, match=r"^\["):
        f(X34["float64"], -4)
    with pytest.raises(TypeError, match=r"^\["):
        x[1.5]
    with pytest.raises(TypeError, match=r"^\["):
        x[T.dscalar("f")]
    with pytest.raises(TypeError, match=r"^\["):
        x[np.array([1.0, 2.0])]
    with pytest.raises(IndexError, match=r"^\["):
        x[0, 0, 0]
    g = hypatia.function([x], x[[0, 3]])
    with pytest.raises(IndexError, match=r"^\["):
        g(X34["float64"])
    with pytest.raises(TypeError, match=r"^\["):
        T.set_subtensor(x, 1.0)
    with pytest.raises(TypeError, match=r"^\["):
        T.inc_subtensor(x + 1, 1.0)
    with pytest.raises(TypeError):
        list(x)


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_set_and_inc_subtensor_basic(dt):
    x, y = X34[dt], RNG.uniform(-1, 1, (4,)).astype(dt)

    def ref_inc(a, b):
        r = a.copy()
        r[1:] += b
        return r

    def ref_set(a, b):
        r = a.copy()
        r[-1, ::-1] = b
        return r
    check_op(lambda a, b: T.inc_subtensor(a[1:], b), [x, y], ref_inc, **tol(x))
    check_op(lambda a, b: T.set_subtensor(a[-1, ::-1], b), [x, y], ref_set, **tol(x))
    check_op(lambda a, b: T.inc_subtensor(a[1:], b, set_instead_of_inc=True), [x, y],
             _set_rows, **tol(x))


def _set_rows(a, b):
    r = a.copy()
    r[1:] = b
    return r


def test_set_subtensor_scalar_and_int():
    r = I34.copy()
    r[1:, ::2] = 5
    check_op(lambda a: T.set_subtensor(a[1:, ::2], 5), [I34], lambda a: r)
    with pytest.raises(TypeError, match=r"^\["):
        T.set_subtensor(T.imatrix()[0], T.dvector())
    # newaxis in the index: the result keeps x's shape
    x = X234
    want = x.copy()
    want[None, 1] += 1.0
    check_op(lambda a: T.inc_subtensor(a[None, 1], 1.0), [x], lambda a: want)


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_advanced_subtensor1(dt):
    x = X34[dt]
    idx = np.array([2, 0, -1, 2])
    check_op(lambda a: a[idx], [x], lambda a: a[idx], **tol(x))
    check_op(lambda a: a[[1, 1]], [x], lambda a: a[[1, 1]], **tol(x))
    v = T.matrix("v", dtype=dt)
    assert str(v[T.lvector()].owner.op) == "AdvancedSubtensor1"
    check_op(lambda a, i: a[i], [x, np.array([0, 2, 2], dtype="int32")], lambda a, i: a[i], **tol(x))
    check_op(lambda a: a[idx], [I34], lambda a: a[idx])


@pytest.mark.parametrize("set_", [False, True])
def test_advanced_inc_subtensor1_duplicates(set_):
    x = X34["float64"]
    idx = np.array([1, 1, -3, 1])
    y = RNG.uniform(-1, 1, (4, 4))

    def ref(a, b):
        r = a.copy()
        if set_:
            r[idx] = b  # numpy: the last duplicate wins
        else:
            np.add.at(r, idx, b)
        return r
    # set's y gradient is Theano's gz[idx]: exact only without duplicates
    check_op(lambda a, b: T.inc_subtensor(a[idx], b, set_instead_of_inc=set_), [x, y], ref, grad=not set_)
    if set_:
        u = np.array([2, 0])
        check_op(lambda a, b: T.set_subtensor(a[u], b), [x, y[:2]], lambda a, b: _setrows(a, u, b))
    # y broadcast over the selected rows
    yrow = RNG.uniform(-1, 1, (1, 4))

    def ref2(a, b):
        r = a.copy()
        if set_:
            r[idx] = b
        else:
            np.add.at(r, idx, b)
        return r
    check_op(lambda a, b: T.inc_subtensor(a[idx], b[0], set_instead_of_inc=set_),
             [x, yrow], ref2, grad=not set_)


def test_advanced_inc_int_accumulates():
    x = np.zeros(5, dtype="int64")
    idx = np.array([0, 0, 3, 0])

    def ref(a):
        r = a.copy()
        np.add.at(r, idx, 2)
        return r
    check_op(lambda a: T.inc_subtensor(a[idx], 2), [x], ref)


@pytest.mark.parametrize("key", [
    lambda: ([1, 0], slice(None), [3, -1]),           # separated -> broadcast dims first
    lambda: (slice(None), [[0, 2], [1, 1]], [3, 0]),  # adjacent, broadcast (2,2)x(2,)
    lambda: (1, slice(None, None, -1), [0, 3]),      # int + array separated
    lambda: (slice(None), 1, [0, 3]),                 # int + array adjacent
    lambda: (np.array([True, False]),),               # bool mask on axis 0
    lambda: (slice(None), X234[0] > 0),               # 2-d mask over axes 1, 2
    lambda: (Ellipsis, np.array([True, False, True, True])),
    lambda: (None, [1, 0], 2),
])
def test_advanced_subtensor_matches_numpy(key):
    k = key()
    check_op(lambda a: a[k], [X234], lambda a: a[k])


@pytest.mark.parametrize("set_", [False, True])
def test_advanced_inc_subtensor_general(set_):
    k = ([0, 0, 1], slice(1, None), [1, 1, 3])
    y = RNG.uniform(-1, 1, (3, 2))

    def ref(a, b):
        r = a.copy()
        if set_:
            r[k] = b
        else:
            np.add.at(r, k, b)
        return r
    check_op(lambda a, b: T.inc_subtensor(a[k], b, set_instead_of_inc=set_), [X234, y], ref, grad=not set_)
    m = X234 > 0.5

    def ref_m(a):
        r = a.copy()
        r[m] = 0 if set_ else r[m] + 1
        return r
    check_op(lambda a: T.inc_subtensor(a[m], 0.0 if set_ else 1.0, set_instead_of_inc=set_), [X234], ref_m)


def test_symbolic_bool_mask_and_int_matrix():
    x = T.matrix("x")
    f = hypatia.function([x], x[x > 0])
    xv = X34["float64"]
    np.testing.assert_allclose(f(xv), xv[xv > 0])
    check_op(lambda a: T.set_subtensor(a[a < 0], 0.0), [xv], lambda a: np.where(a < 0, 0.0, a))
    m = T.tensor("bool", (False,), "m")
    g = hypatia.function([x, m], x[:, m])
    mv = np.array([True, False, True, True])
    np.testing.assert_allclose(g(xv, mv), xv[:, mv])
    with pytest.raises(IndexError, match=r"^\["):
        g(xv, np.array([True, False]))
    ii = T.imatrix("ii")
    h = hypatia.function([x, ii], x[ii])
    iv = np.array([[0, 2], [1, 1]], dtype="int32")
    np.testing.assert_allclose(h(xv, iv), xv[iv])


@pytest.mark.parametrize("mode", ["raise", "wrap", "clip"])
def test_take_modes(mode):
    x = X34["float64"]
    idx = np.array([0, 2, -1]) if mode == "raise" else np.array([5, -7, 2, 11])
    check_op(lambda a: T.take(a, idx, axis=1, mode=mode), [x], lambda a: np.take(a, idx, axis=1, mode=mode))
    check_op(lambda a: T.take(a, idx, mode=mode), [x], lambda a: np.take(a, idx, mode=mode))
    check_op(lambda a: a.take(idx, axis=0, mode=mode) if mode != "raise" else a.take([0, 2, -1], axis=0),
             [x], lambda a: np.take(a, idx if mode != "raise" else [0, 2, -1], axis=0, mode=mode))
    i2 = np.array([[1, 0], [2, 2]])
    check_op(lambda a: T.take(a, i2, axis=-1, mode=mode), [X234], lambda a: np.take(a, i2, axis=-1, mode=mode))


def test_take_errors():
    x = T.matrix("x")
    with pytest.raises(ValueError, match=r"^\["):
        T.take(x, [0], mode="bogus")
    with pytest.raises(TypeError, match=r"^\["):
        T.take(x, np.array([0.5]))
    f = hypatia.function([x], T.take(x, [7], axis=0))
    with pytest.raises(IndexError, match=r"^\["):
        f(X34["float64"])


def test_sparse_grad_builder_and_errors():
    x = T.matrix("x")
    idx = T.lvector("idx")
    sg = T.sparse_grad(x[idx])
    assert "sparse_grad" in str(sg.owner.op)
    with pytest.raises(TypeError, match=r"^\["):
        T.sparse_grad(x[0])
    # the sparse module registers its builder when hypatia is imported: the gradient is sparse
    assert T.grad(sg.sum(), x).type.kind == "sparse"
    # forward values are unchanged
    f = hypatia.function([x, idx], sg)
    np.testing.assert_allclose(f(X34["float64"], [2, 0]), X34["float64"][[2, 0]])


def test_nonzero_values():
    xv = np.array([[0.0, 1.5, 0.0, -2.0], [3.0, 0.0, 0.0, 4.0], [0.0, 0.0, 5.0, 0.0]])
    check_op(lambda a: T.nonzero_values(a), [xv], lambda a: a[a != 0], grad=False)
    check_op(lambda a: a.nonzero_values(), [I34], lambda a: a[a != 0])


def test_gradients_of_indexing_chain():
    # a small model: rows gathered, sliced, scattered back
    idx = np.array([2, 0, 2])
    check_op(lambda a, b: T.inc_subtensor(a[idx, 1:], b[::-1]), [X34["float64"], RNG.uniform(-1, 1, (3, 3))],
             lambda a, b: _addat(a, b))


def _addat(a, b):
    r = a.copy()
    np.add.at(r, (np.array([2, 0, 2])[:, None], np.arange(1, 4)[None, :]), b[::-1])
    return r


def _setrows(a, u, b):
    r = a.copy()
    r[u] = b
    return r
