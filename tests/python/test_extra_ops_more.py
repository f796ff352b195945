"""The rest of tensor.extra_ops (bartlett, ravel_multi_index, unravel_index, CpuContiguous,
SearchsortedOp, Unique) and theano.tensor's choose, mgrid, ogrid and chi2sf, against numpy and
scipy."""
import numpy as np
import pytest
import scipy.stats

import hypatia
import hypatia.tensor as T
from hypatia.tensor import extra_ops
from harness import check_op


@pytest.mark.parametrize("mode", ["raise", "wrap", "clip"])
def test_choose_list_and_stacked(mode):
    rng = np.random.RandomState(0)
    a = rng.randint(-2, 5, size=(3, 4)) if mode != "raise" else rng.randint(0, 3, size=(3, 4))
    c = [rng.randn(3, 4), rng.randn(1, 4), rng.randn(4)]
    check_op(lambda i, x, y, z: T.choose(i, [x, y, z], mode=mode), [a] + c,
             lambda i, x, y, z: np.choose(i, [x, y, z], mode=mode), grad=False)
    stacked = rng.randn(3, 3, 4).astype("float32")
    check_op(lambda i, s: T.choose(i, s, mode=mode), [a, stacked], lambda i, s: np.choose(i, s, mode=mode), grad=False)


def test_choose_errors():
    i = T.lmatrix()
    f = hypatia.function([i], T.choose(i, [T.constant(np.zeros((2, 2))), T.constant(np.ones((2, 2)))]))
    with pytest.raises(ValueError, match=r"\[Choose\]"):
        f(np.array([[0, 2], [1, 0]]))
    with pytest.raises(TypeError, match=r"\[Choose\] the index array"):
        T.choose(T.dmatrix(), [T.dmatrix()])
    with pytest.raises(ValueError, match="mode"):
        T.choose(i, [T.dmatrix()], mode="nope")


def test_mgrid_ogrid():
    a = T.mgrid[0:5, 0:3]
    np.testing.assert_array_equal(a[0].eval(), np.mgrid[0:5, 0:3][0])
    np.testing.assert_array_equal(a[1].eval(), np.mgrid[0:5, 0:3][1])
    b = T.ogrid[0:5, 0:3]
    np.testing.assert_array_equal(b[0].eval(), [[0], [1], [2], [3], [4]])
    np.testing.assert_array_equal(b[1].eval(), [[0, 1, 2]])
    n = T.lscalar()
    g = hypatia.function([n], T.mgrid[1:n:2, 0:4, -2:0])
    for got, want in zip(g(8), np.mgrid[1:8:2, 0:4, -2:0]):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(T.mgrid[2:7].eval(), np.mgrid[2:7])
    with pytest.raises(NotImplementedError):
        T.mgrid[0:5:3j]


@pytest.mark.parametrize("order", ["C", "F"])
def test_ravel_unravel(order):
    dims = (3, 4, 5)
    idx = np.arange(60).reshape(6, 10)
    coords = np.unravel_index(idx, dims, order=order)
    check_op(lambda i: T.stack(list(extra_ops.unravel_index(i, dims, order=order))), [idx],
             lambda i: np.stack(np.unravel_index(i, dims, order=order)).astype("int64"))
    check_op(lambda x, y, z: extra_ops.ravel_multi_index((x, y, z), dims, order=order), list(coords),
             lambda x, y, z: np.ravel_multi_index((x, y, z), dims, order=order).astype("int64"))
    # broadcast indices, per-index modes
    mi = (np.array([[-1], [4], [1]]), np.array([0, 7, -3]), np.array([2]))
    modes = ("clip", "wrap", "raise")
    check_op(lambda x, y, z: extra_ops.ravel_multi_index((x, y, z), dims, mode=modes, order=order), list(mi),
             lambda x, y, z: np.ravel_multi_index((x, y, z), dims, mode=modes, order=order).astype("int64"))


def test_ravel_unravel_errors_and_symbolic_dims():
    x, y = T.lvector(), T.lvector()
    f = hypatia.function([x, y], extra_ops.ravel_multi_index((x, y), (2, 3)))
    with pytest.raises(ValueError, match=r"\[RavelMultiIndex\]"):
        f([0, 2], [0, 3])
    d = T.lvector()
    with pytest.raises(ValueError, match="ndim"):
        extra_ops.unravel_index(x, d)
    out = extra_ops.unravel_index(x, d, ndim=2)
    g = hypatia.function([x, d], list(out))
    np.testing.assert_array_equal(np.stack(g([0, 5, 7], [3, 4])), np.stack(np.unravel_index([0, 5, 7], (3, 4))))
    with pytest.raises(ValueError, match=r"\[UnravelIndex\] index 12"):
        g([12], [3, 4])


def test_bartlett():
    m = T.lscalar()
    f = hypatia.function([m], extra_ops.bartlett(m))
    for M in (-2, 0, 1, 2, 5, 6, 17):
        got = f(M)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, np.bartlett(M), atol=1e-15)
    s = hypatia.function([m], extra_ops.bartlett(m).shape, mode="FAST_RUN")
    assert tuple(s(-3)) == (0,) and tuple(s(4)) == (4,)
    with pytest.raises(TypeError, match="Bartlett"):
        extra_ops.bartlett(T.dscalar())


def test_cpu_contiguous_and_op_classes():
    a = np.random.RandomState(1).randn(3, 4)
    check_op(lambda x: extra_ops.cpu_contiguous(x.T), [a], lambda x: np.ascontiguousarray(x.T))
    x = T.dmatrix()
    out = hypatia.function([x], extra_ops.CpuContiguous()(x.T))(a)
    assert out.flags.c_contiguous
    v = T.dvector()
    f = hypatia.function([v], extra_ops.SearchsortedOp("right")(v, 3.0))
    assert f(np.array([1., 2, 3, 4, 5])) == 3
    u = hypatia.function([v], list(extra_ops.Unique(True, True, False)(v)))([1, 2., 3, 4, 3, 2, 1.])
    np.testing.assert_array_equal(u[0], [1, 2, 3, 4])
    np.testing.assert_array_equal(u[2], [0, 1, 2, 3, 2, 1, 0])
    assert extra_ops.Unique(True) == extra_ops.Unique(True) and extra_ops.SearchsortedOp() != extra_ops.SearchsortedOp("right")


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-10), ("float32", 1e-5)])
def test_chi2sf_matches_scipy(dtype, rtol):
    x = np.array([0.0, 1e-8, 0.01, 0.3, 1.0, 2.5, 7.0, 15.0, 40.0, 150.0, 700.0, -1.0], dtype=dtype)
    k = np.array([0.5, 1, 2, 3, 4.5, 10, 50, 120], dtype=dtype)[:, None]
    want = scipy.stats.chi2.sf(x.astype("float64"), k.astype("float64")).astype(dtype)
    xv, kv = T.vector(dtype=dtype), T.matrix(dtype=dtype)
    got = hypatia.function([xv, kv], T.chi2sf(xv, kv))(x, k)
    assert got.dtype == dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-300)
    assert np.isnan(hypatia.function([], T.chi2sf(1.0, -1.0))())


def test_chi2sf_harness_and_grad():
    x = np.array([[0.5, 1.5, 3.0], [2.0, 6.0, 9.0]])
    k = np.array([[3.0, 4.0, 5.5]])
    check_op(lambda a: T.chi2sf(a, T.constant(k)), [x], lambda a: scipy.stats.chi2.sf(a, k))
    with pytest.raises(Exception, match="(?i)not implemented"):
        hypatia.grad(T.sum(T.chi2sf(T.dscalar(), (kk := T.dscalar()))), kk)


def test_fill_diagonal_gradients_as_theano():
    rng = np.random.RandomState(3)
    a = rng.randn(3, 5)

    def ref(x, off=0):
        y = x.copy()
        r0, c0 = max(-off, 0), max(off, 0)
        for i in range(min(x.shape[0] - r0, x.shape[1] - c0)):
            y[r0 + i, c0 + i] = 2.5
        return y
    check_op(lambda x: extra_ops.fill_diagonal(x, T.constant(2.5)), [a], ref)
    for off in (-1, 2):
        check_op(lambda x: extra_ops.fill_diagonal_offset(x, T.constant(2.5), off), [a], lambda x: ref(x, off))
    # with respect to the value: the sum of the diagonal's gradient
    hypatia.gradient.verify_grad(lambda v: extra_ops.fill_diagonal_offset(T.constant(a), v, 1) ** 2,
                                 [np.array(0.7)], rng=np.random.RandomState(1))
