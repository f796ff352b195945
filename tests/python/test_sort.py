"""sort, argsort, nonzero, flatnonzero, copy and the 5- to 7-d constructors against numpy."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from harness import check_op

R = np.random.RandomState(11)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("axis", [0, 1, -1, None])
def test_sort_values_shape_and_gradient(dtype, axis):
    a = R.permutation(12).reshape(3, 4).astype(dtype) + R.rand(3, 4).astype(dtype) * 0.1
    check_op(lambda x: T.sort(x, axis=axis), [a], lambda x: np.sort(x, axis=axis), rtol=1e-6)


@pytest.mark.parametrize("axis", [0, 1, None])
def test_argsort_is_stable_and_int64(axis):
    a = np.array([[3, 1, 3, 0], [2, 2, 1, 5], [0, 0, 0, 0]], dtype=np.int32)
    check_op(lambda x: T.argsort(x, axis=axis), [a], lambda x: np.argsort(x, axis=axis, kind="stable"))


def test_sort_puts_nan_last_like_numpy():
    x = T.dvector("x")
    a = np.array([3.0, np.nan, -1.0, 2.0])
    np.testing.assert_array_equal(hypatia.function([x], x.sort())(a), np.sort(a))
    np.testing.assert_array_equal(hypatia.function([x], x.argsort())(a), np.argsort(a, kind="stable"))


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int8", "int64", "uint16", "bool"])
@pytest.mark.parametrize("axis", [0, 1])
def test_sort_of_large_strided_lines_matches_numpy(dtype, axis):
    # SortOp sorts the values themselves (a radix sort per line, lines over threads): ties, NaNs
    # (last, in numpy's order), signed zeros and infinities, on a transposed view.
    r = np.random.RandomState(5)
    if dtype == "bool":
        a = r.rand(300, 700) > 0.5
    elif dtype.startswith("float"):
        a = np.round(r.randn(300, 700) * 50).astype(dtype)
        a[r.rand(300, 700) < 0.01] = np.nan
        a[0, :5] = [np.inf, -np.inf, -0.0, 0.0, np.nan]
    else:
        info = np.iinfo(dtype)
        a = r.randint(info.min, int(info.max) + 1, size=(300, 700), dtype=dtype)
    x = T.tensor(dtype=dtype, broadcastable=(False, False))
    f = hypatia.function([x], T.sort(x, axis=axis))
    assert any(type(n.op).__name__ == "SortOp" or "SortOp" in str(n.op) for n in f.maker.fgraph.toposort())
    got, want = f(a.T), np.sort(a.T, axis=axis)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_sort_gradient_with_ties_and_forward_mode():
    # The gradient scatters through the stable argsort: each input gets the output gradient of
    # the place its value was sorted to (ties in their order), so it equals the gradient of the
    # gather through argsort. R_op gathers the tangent the same way.
    a = np.array([[3.0, 1.0, 3.0, 0.5], [2.0, 2.0, -1.0, 5.0]])
    w = np.arange(8.0).reshape(2, 4)
    x = T.dmatrix("x")
    s = T.sort(x, axis=1)
    g = hypatia.grad((s * w).sum(), x)
    order = np.argsort(a, axis=1, kind="stable")
    want = np.zeros_like(a)
    np.put_along_axis(want, order, w, axis=1)
    np.testing.assert_array_equal(hypatia.function([x], g)(a), want)
    v = T.dmatrix("v")
    jv = hypatia.function([x, v], T.Rop(s, x, v))(a, w)
    np.testing.assert_array_equal(jv, np.take_along_axis(w, order, axis=1))
    assert isinstance(s.owner.op, T.SortOp) and not isinstance(s.owner.op, T.ArgSortOp)
    assert isinstance(T.argsort(x).owner.op, T.ArgSortOp)


def test_nonzero_and_flatnonzero():
    a = np.array([[0, 1.5, 0], [2.0, 0, 3.0]])
    x = T.dmatrix("x")
    rows, cols = T.nonzero(x)
    f = hypatia.function([x], [rows, cols, T.nonzero(x, return_matrix=True), T.flatnonzero(x), x.nonzero()[1]])
    r, c, m, flat, c2 = f(a)
    er, ec = np.nonzero(a)
    np.testing.assert_array_equal(r, er)
    np.testing.assert_array_equal(c, ec)
    np.testing.assert_array_equal(m, np.vstack([er, ec]))
    np.testing.assert_array_equal(flat, np.flatnonzero(a))
    np.testing.assert_array_equal(c2, ec)
    assert r.dtype == np.int64


@pytest.mark.parametrize("shape", [(7,), (1100,), (3, 511), (4, 1025), (2, 3, 700), (5, 0), (0,)])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int8", "bool", "complex128"])
def test_nonzero_matches_numpy_over_ranks_runs_and_dtypes(shape, dtype):
    # Counted first, then listed a run of 512 at a time along the last axis: runs cut inside
    # and across lines, NaN counted as non-zero, complex numbers non-zero by either part.
    r = np.random.RandomState(sum(shape) + len(dtype))
    a = (r.rand(*shape) > 0.6).astype(dtype) if dtype != "bool" else r.rand(*shape) > 0.6
    if a.size and dtype.startswith("float"):
        a.flat[::7] = np.nan
    if a.size and dtype == "complex128":
        a.flat[::5] = 1j
    x = T.tensor(dtype=dtype, broadcastable=(False,) * len(shape))
    f = hypatia.function([x], list(T.nonzero(x)) + [T.flatnonzero(x)])
    for fill in [None, 0, 1]:
        b = a.copy()
        if fill is not None:
            b[...] = fill
        got, want = f(b), list(np.nonzero(b)) + [np.flatnonzero(b)]
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)
            assert g.dtype == np.int64


def test_errors_start_with_the_op_name():
    with pytest.raises(ValueError, match=r"^\[SortOp\] axis 2 is out of bounds"):
        T.sort(T.dmatrix(), axis=2)
    with pytest.raises(TypeError, match=r"^\[Nonzero\]"):
        T.nonzero(T.dscalar())


def test_copy_and_high_rank_constructors():
    x = T.dmatrix("x")
    c = x.copy(name="c")
    assert c.name == "c"
    np.testing.assert_array_equal(hypatia.function([x], c)(np.eye(2)), np.eye(2))
    for k, ctor in [(5, T.tensor5), (6, T.dtensor6), (7, T.ftensor7)]:
        assert ctor("t").ndim == k
