"""Reductions and extra_ops through the harness against numpy (non-square inputs)."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia.tensor import extra_ops
from harness import check_op

rng = np.random.RandomState(42)
X3 = rng.permutation(24).reshape(3, 4, 2) * 0.07 + 0.5  # well separated: no near-ties for max/min grads
X2 = rng.uniform(-2.0, 2.0, size=(3, 5))
FLOATS = ["float32", "float64"]


def tol(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else {}


AXES = [None, 0, -1, [0, 2], (1,)]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", ["sum", "prod", "mean", "max", "min"])
def test_reductions_values_shapes_grads(name, axis, keepdims, dtype):
    x = X3.astype(dtype)
    ref = getattr(np, name)
    npaxis = tuple(axis) if isinstance(axis, list) else axis
    check_op(lambda a: getattr(T, name)(a, axis=axis, keepdims=keepdims), [x],
             lambda a: np.asarray(ref(a, axis=npaxis, keepdims=keepdims)).astype(dtype), **tol(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axis", [None, 0, -1, [0, 1]])
def test_methods(axis, dtype):
    x = X2.astype(dtype)
    npaxis = tuple(axis) if isinstance(axis, list) else axis
    check_op(lambda a: a.sum(axis=axis), [x], lambda a: np.asarray(a.sum(axis=npaxis)), **tol(dtype))
    check_op(lambda a: a.max(axis=axis, keepdims=True), [x], lambda a: np.asarray(a.max(axis=npaxis, keepdims=True)),
             **tol(dtype))
    check_op(lambda a: a.ptp(axis=axis), [x], lambda a: np.asarray(np.ptp(a, axis=npaxis)), **tol(dtype))
    check_op(lambda a: a.norm(2, axis=axis), [x], lambda a: np.asarray(np.sqrt((a ** 2).sum(axis=npaxis))), **tol(dtype))
    check_op(lambda a: a.norm(1, axis=axis), [x], lambda a: np.asarray(np.abs(a).sum(axis=npaxis)), **tol(dtype))
    check_op(lambda a: T.norm(a, 3, axis=axis), [x],
             lambda a: np.asarray((np.abs(a) ** 3).sum(axis=npaxis) ** (1 / 3.)).astype(dtype), **tol(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axis", [None, 0, -1])
@pytest.mark.parametrize("ddof", [0, 1])
def test_var_std(axis, ddof, dtype):
    x = X2.astype(dtype)
    want = np.float64 if ddof else dtype  # Theano divides by an int64 count when ddof != 0

    def ref_var(a, keepdims=False):
        # Theano: with ddof, divide by (n_i - ddof) for each reduced axis (numpy for one axis).
        a = a.astype("float64")
        axes = range(a.ndim) if axis is None else [axis % a.ndim]
        sq = ((a - a.mean(axis=axis, keepdims=True)) ** 2).sum(axis=axis, keepdims=keepdims)
        return np.asarray(sq / np.prod([a.shape[i] - ddof for i in axes]))
    check_op(lambda a: a.var(axis=axis, ddof=ddof), [x], lambda a: ref_var(a).astype(want), **tol(dtype))
    check_op(lambda a: T.std(a, axis=axis, ddof=ddof, keepdims=True), [x],
             lambda a: np.sqrt(ref_var(a, True)).astype(want), **tol(dtype))
    if axis is not None:
        np.testing.assert_allclose(ref_var(X2), np.var(X2, axis=axis, ddof=ddof))
    # corrected two-pass: the correction term is ~0 for exact arithmetic
    check_op(lambda a: a.var(axis=axis, ddof=ddof, corrected=True), [x], lambda a: ref_var(a).astype(want),
             **tol(dtype))


def test_var_multi_axis_ddof_is_theanos():
    # Theano divides by prod(n_i - ddof) for several axes.
    x = X3
    check_op(lambda a: T.var(a, axis=[0, 2], ddof=1), [x],
             lambda a: ((a - a.mean(axis=(0, 2), keepdims=True)) ** 2).sum(axis=(0, 2)) / ((3 - 1) * (2 - 1)))


def test_dtype_rules():
    assert T.sum(T.tensor("int8", (False,))).dtype == "int64"
    assert T.sum(T.tensor("bool", (False,))).dtype == "int64"
    assert T.prod(T.tensor("uint16", (False,))).dtype == "uint64"
    assert T.sum(T.tensor("float32", (False,))).dtype == "float32"
    assert T.sum(T.tensor("int8", (False,)), dtype="float32").dtype == "float32"
    assert T.mean(T.tensor("int32", (False,))).dtype == "float64"
    assert T.mean(T.tensor("float32", (False,))).dtype == "float32"
    assert T.argmax(T.tensor("float32", (False,))).dtype == "int64"
    assert T.all(T.tensor("float64", (False,))).dtype == "bool"
    assert str(T.sum(T.tensor("float32", (False,))).owner.op) == "Sum{acc_dtype=float64}"
    assert str(T.sum(T.matrix(), axis=0).owner.op) == "Sum{axis=[0], acc_dtype=float64}"
    assert str(T.prod(T.tensor("int8", (False, False)), axis=-1).owner.op) == "Prod{axis=[1], acc_dtype=int64}"
    with pytest.raises(TypeError, match=r"^\["):
        T.sum(T.tensor("float64", (False,)), acc_dtype="float32")


def test_int_values_and_accumulation():
    i8 = np.array([[100, 100, 100], [-100, 50, 27]], dtype="int8")
    check_op(lambda a: T.sum(a, axis=1), [i8], lambda a: a.sum(axis=1, dtype="int64"))
    u16 = np.array([[300, 300], [7, 9]], dtype="uint16")
    check_op(lambda a: a.prod(axis=-1), [u16], lambda a: a.prod(axis=-1, dtype="uint64"))
    check_op(lambda a: T.mean(a), [np.arange(15, dtype="int32").reshape(3, 5)],
             lambda a: np.asarray(a.mean()))
    # float32 accumulation would lose the small terms: 1 + 2**-24 * n
    x = np.full(4097, 2.0 ** -24, dtype="float32")
    x[0] = 1.0
    f = hypatia.function([v := T.tensor("float32", (False,))], T.sum(v))
    assert f(x).dtype == np.float32
    assert f(x) == np.float32(np.float64(1.0) + 4096 * 2.0 ** -24)
    assert np.float32(1.0) + np.float32(2.0 ** -24) == np.float32(1.0)  # float32 accumulation would stay 1
    g = hypatia.function([v], T.mean(v))
    assert g(x).dtype == np.float32
    np.testing.assert_allclose(g(x), (1.0 + 4096 * 2.0 ** -24) / 4097, rtol=1e-7)


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "int16", "uint32", "int32"])
def test_integer_and_bool_sums_widen_without_a_copy(dtype):
    # Sums of narrow integers and bools accumulate in int64/uint64 term by term (no converted
    # copy): every axis, one long row split over threads, and values near each type's limits.
    info = np.iinfo(dtype) if dtype != "bool" else None
    shape = (300, 700)
    a = rng.randint(0, 2, size=shape).astype(dtype) if info is None else \
        rng.randint(info.min, int(info.max) + 1, size=shape, dtype="int64").astype(dtype)
    x = T.tensor(dtype, (False, False))
    for axis in (None, 0, 1):
        got = hypatia.function([x], T.sum(x, axis=axis))(a)
        want = a.sum(axis=axis, dtype="uint64" if dtype.startswith("uint") else "int64")
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    m = T.matrix("m")
    f = hypatia.function([m], [T.sum(m > 0.5), T.mean(m > 0.5, axis=1)])
    vals = rng.uniform(size=(2000, 1500))
    total, means = f(vals)
    assert total == np.sum(vals > 0.5) and total.dtype == np.int64
    np.testing.assert_allclose(means, np.mean(vals > 0.5, axis=1))


def test_all_any_bool():
    b = np.array([[1, 0, 2], [3, 4, 5]], dtype="int32")
    for name in ["all", "any"]:
        for axis in [None, 0, -1]:
            check_op(lambda a: getattr(T, name)(a, axis=axis), [b],
                     lambda a: np.asarray(getattr(np, name)(a, axis=axis)))
        check_op(lambda a: getattr(a, name)(axis=0, keepdims=True), [X2],
                 lambda a: np.asarray(getattr(np, name)(a, axis=0, keepdims=True)), grad=False)


@pytest.mark.parametrize("name", ["all", "any"])
def test_all_any_stop_early_and_see_every_byte(name):
    # Each row stops at its first deciding byte (a zero for all, a non-zero for any), read in
    # 64-byte words: the one deciding byte at every place around the word edges, at the start,
    # at the end and nowhere, over rows long and short, bool and float inputs, every axis.
    B = T.tensor("bool", (False, False))
    F = T.dmatrix()
    fb = hypatia.function([B], [getattr(T, name)(B), getattr(T, name)(B, axis=1), getattr(T, name)(B, axis=0)])
    ff = hypatia.function([F], getattr(T, name)(F, axis=1))
    for n in [1, 63, 64, 65, 127, 128, 130, 1000]:
        for pos in sorted({0, 1, 62, 63, 64, 65, n // 2, n - 2, n - 1, n}):
            if pos > n:
                continue
            a = np.full((3, n), name == "all")
            if pos < n:
                a[1, pos] = name != "all"  # the deciding byte of row 1 (none when pos == n)
            a[2] = ~a[2] if n > 0 else a[2]
            for got, want in zip(fb(a), [getattr(np, name)(a), getattr(np, name)(a, axis=1), getattr(np, name)(a, axis=0)]):
                np.testing.assert_array_equal(got, want)
            np.testing.assert_array_equal(ff(a.astype("float64") * 2.5), getattr(np, name)(a, axis=1))
    big = np.random.RandomState(0).rand(3000, 700) > 0.001  # above the parallel threshold
    np.testing.assert_array_equal(fb(big)[1], getattr(np, name)(big, axis=1))
    np.testing.assert_array_equal(fb(np.zeros((4, 0), bool))[1], getattr(np, name)(np.zeros((4, 0), bool), axis=1))


@pytest.mark.parametrize("axis", [None, 0, -1, 1])
def test_argmax_argmin_max_and_argmax(axis):
    x = X3
    check_op(lambda a: T.argmax(a, axis=axis), [x], lambda a: np.asarray(np.argmax(a, axis=axis)))
    check_op(lambda a: a.argmin(axis=axis), [x], lambda a: np.asarray(np.argmin(a, axis=axis)))
    check_op(lambda a: T.max_and_argmax(a, axis=axis)[0], [x], lambda a: np.asarray(np.max(a, axis=axis)))
    check_op(lambda a: T.max_and_argmax(a, axis=axis)[1], [x], lambda a: np.asarray(np.argmax(a, axis=axis)))
    check_op(lambda a: T.argmax(a, axis=axis, keepdims=True), [x],
             lambda a: np.asarray(np.argmax(a, axis=axis, keepdims=True)))


@pytest.mark.parametrize("dtype", FLOATS)
def test_max_min_match_numpy_on_strided_views_with_nan_and_inf(dtype):
    # Max/Min read strided inputs without a copy (fused_fold): rows longer than a chunk, a
    # transposed and a step-sliced view, NaN (which wins), +-inf, every axis combination.
    base = rng.uniform(-1, 1, size=(6, 2300)).astype(dtype)
    base[2, 1000] = np.inf
    base[4, :] = -np.inf
    with_nan = base.copy()
    with_nan[1, 2200] = np.nan
    x = T.tensor3("x", dtype=dtype)
    for arr in (base, with_nan):
        for view in (arr.reshape(3, 2, 2300), arr.T.reshape(2300, 3, 2)[::3], arr.reshape(6, 23, 100).transpose(2, 0, 1)):
            for axis in (None, 0, 1, 2, (0, 1), (1, 2), (0, 2)):
                f = hypatia.function([x], [T.max(x, axis=axis), T.min(x, axis=axis)])
                got_max, got_min = f(view)
                np.testing.assert_array_equal(got_max, np.max(view, axis=axis))
                np.testing.assert_array_equal(got_min, np.min(view, axis=axis))
                assert got_max.dtype == np.dtype(dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_prod_over_every_axis_of_strided_views(dtype):
    # Prod reads strided inputs without a copy (fused_fold): rows past a chunk, zeros and NaN.
    a = rng.uniform(0.9, 1.1, size=(4, 3, 2500)).astype(dtype)
    a[1, 2, :7] = 0
    a[3, 0, 2400] = np.nan
    x = T.tensor3("x", dtype=dtype)
    for view in (a, a.transpose(2, 0, 1), a[:, :, ::3]):
        for axis in (None, 0, 1, 2, (0, 2), (1, 2)):
            got = hypatia.function([x], T.prod(x, axis=axis))(view)
            want = np.prod(view.astype("float64"), axis=axis)
            assert got.dtype == np.dtype(dtype)
            np.testing.assert_allclose(got, want.astype(dtype), rtol=1e-5 if dtype == "float32" else 1e-12)
    m = T.matrix("m")
    np.testing.assert_array_equal(hypatia.function([m], T.prod(m, axis=0))(np.zeros((0, 3))), np.ones(3))


def test_max_grad_ties_and_prod_grad_zeros():
    x = T.matrix()
    gm = hypatia.function([x], hypatia.grad(T.max(x, axis=1).sum(), x))
    v = np.array([[1., 3., 3.], [2., 0., 1.]])
    np.testing.assert_allclose(gm(v), [[0, 1, 1], [1, 0, 0]])
    gp = hypatia.function([x], hypatia.grad(T.prod(x, axis=1).sum(), x))
    v = np.array([[2., 3., 4.], [2., 0., 5.], [0., 0., 7.], [1., 5., 0.5]])
    np.testing.assert_allclose(gp(v), [[12, 8, 6], [0, 10, 0], [0, 0, 0], [2.5, 0.5, 5]])
    # verify_grad through the harness with a single zero per row
    check_op(lambda a: T.prod(a, axis=0), [np.array([[0., 2., 3.], [1.5, 0.5, 2.], [2., 1., 0.5]])],
             lambda a: a.prod(axis=0))
    check_op(lambda a: T.prod(a, axis=1, no_zeros_in_input=True), [X2], lambda a: a.prod(axis=1))
    # the second derivative needs no_zeros_in_input
    h = hypatia.grad(T.grad(T.prod(x, no_zeros_in_input=True), x).sum(), x)
    assert h is not None


def test_errors():
    x = T.matrix()
    for f in [lambda: T.sum(x, axis=2), lambda: T.max(x, axis=-3), lambda: T.argmax(x, axis=5),
              lambda: x.mean(axis=[0, 0]), lambda: T.cumsum(x, axis=2), lambda: T.var(x, axis=7)]:
        with pytest.raises(ValueError, match=r"^\["):
            f()
    with pytest.raises(TypeError, match=r"^\["):
        T.fill_diagonal(T.tensor("float32", (False, False)), T.tensor("float64", ()))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_cumsum_cumprod(axis, dtype):
    x = X3.astype(dtype)
    check_op(lambda a: T.cumsum(a, axis=axis), [x], lambda a: np.cumsum(a, axis=axis).astype(dtype), **tol(dtype))
    check_op(lambda a: extra_ops.cumprod(a, axis=axis), [x], lambda a: np.cumprod(a, axis=axis).astype(dtype),
             **tol(dtype))
    check_op(lambda a: a.cumsum(axis=axis), [X2.astype(dtype)], lambda a: np.cumsum(a, axis=axis).astype(dtype),
             **tol(dtype))
    assert str(T.cumsum(T.matrix()).owner.op) == "CumOp{None, add}"


@pytest.mark.parametrize("n,axis", [(1, -1), (2, 0), (1, 1), (3, 1)])
def test_diff(n, axis):
    check_op(lambda a: T.diff(a, n=n, axis=axis), [X3], lambda a: np.diff(a, n=n, axis=axis))
    check_op(lambda a: extra_ops.diff(a, n=n, axis=axis % 2), [X2], lambda a: np.diff(a, n=n, axis=axis % 2))


def test_repeat():
    check_op(lambda a: T.repeat(a, 2, axis=1), [X3], lambda a: np.repeat(a, 2, axis=1))
    check_op(lambda a: a.repeat(3), [X2], lambda a: np.repeat(a, 3))
    reps = np.array([1, 0, 3], dtype="int64")
    check_op(lambda a, r: T.repeat(a, r, axis=0), [X2, reps], lambda a, r: np.repeat(a, r, axis=0))
    reps = np.array([2, 1, 0, 1], dtype="int32")
    check_op(lambda a, r: T.repeat(a, r, axis=-2), [X3, reps], lambda a, r: np.repeat(a, r, axis=-2))


def test_bincount():
    x = np.array([0, 1, 1, 3, 2, 1, 7], dtype="int32")
    check_op(lambda a: T.bincount(a), [x], lambda a: np.bincount(a))
    check_op(lambda a: T.bincount(a, minlength=10), [x], lambda a: np.bincount(a, minlength=10))
    w = rng.rand(7)
    check_op(lambda a, b: T.bincount(a, b), [x, w], lambda a, b: np.bincount(a, b), grad=False)
    f = hypatia.function([v := T.tensor("int64", (False,))], T.bincount(v, assert_nonneg=True))
    with pytest.raises(ValueError, match="negative"):
        f(np.array([1, -1]))


def test_searchsorted_manual_examples():
    x = T.dvector()
    v = T.dscalar()
    xs = np.array([1, 2, 3, 4, 5], dtype="float64")
    assert hypatia.function([x, v], T.searchsorted(x, v))(xs, 3) == 2
    assert hypatia.function([x, v], T.searchsorted(x, v, side="right"))(xs, 3) == 3
    vs = T.dvector()
    np.testing.assert_array_equal(hypatia.function([x, vs], x.searchsorted(vs))(xs, [-10, 10, 2, 3]), [0, 5, 1, 2])
    check_op(lambda a, b: extra_ops.searchsorted(a, b, side="right"),
             [np.sort(rng.rand(7)), rng.rand(3, 5)], lambda a, b: np.searchsorted(a, b, side="right"))
    s = np.array([2, 0, 1], dtype="int64")
    check_op(lambda a, b, c: T.searchsorted(a, b, sorter=c), [np.array([3., 1., 2.]), np.array([2.5, 0.]), s],
             lambda a, b, c: np.searchsorted(a, b, sorter=c))


def test_unique_manual_examples():
    x = T.lvector()
    f = hypatia.function([x], list(T.unique(x, True, True, True)))
    u, idx, inv, cnt = f(np.array([1, 2, 3, 4, 3, 2, 1]))
    np.testing.assert_array_equal(u, [1, 2, 3, 4])
    np.testing.assert_array_equal(idx, [0, 1, 2, 3])
    np.testing.assert_array_equal(inv, [0, 1, 2, 3, 2, 1, 0])
    np.testing.assert_array_equal(cnt, [2, 2, 2, 1])
    m = T.lmatrix()
    g = hypatia.function([m], list(extra_ops.unique(m, return_index=True, return_inverse=True)))
    u, idx, inv = g(np.array([[1, 1, 1], [2, 3, 3]]))
    np.testing.assert_array_equal(u, [1, 2, 3])
    np.testing.assert_array_equal(idx, [0, 3, 4])
    np.testing.assert_array_equal(inv, [0, 0, 0, 1, 2, 2])
    check_op(lambda a: T.unique(a), [X2.round()], lambda a: np.unique(a), grad=False)


def test_one_hot_fill_diagonal_squeeze_compress():
    y = np.array([2, 0, 1, 2], dtype="int32")
    check_op(lambda a: T.to_one_hot(a, 3), [y], lambda a: np.eye(3)[a].astype(hypatia.config.floatX))
    check_op(lambda a: T.to_one_hot(a, 4, dtype="int32"), [y], lambda a: np.eye(4, dtype="int32")[a])

    def fd(a, v):
        a = a.copy()
        np.fill_diagonal(a, v)
        return a
    check_op(lambda a, v: T.fill_diagonal(a, v), [X2, np.array(7.0)], fd)
    check_op(lambda a, v: T.fill_diagonal(a, v), [X2.T.copy(), np.array(7.0)], fd)
    check_op(lambda a, v: T.fill_diagonal(a, v), [rng.rand(3, 3, 3), np.array(-1.0)], fd)

    def fdo(a, v, o):
        a = a.copy()
        r, c = a.shape
        for i in range(max(r, c)):
            if 0 <= i - min(o, 0) < r and 0 <= i + max(o, 0) < c:
                a[i - min(o, 0), i + max(o, 0)] = v
        return a
    for off in [0, 2, -1, -2]:
        check_op(lambda a, v, o: T.fill_diagonal_offset(a, v, o), [X2, np.array(5.0), np.array(off)],
                 lambda a, v, o: fdo(a, v, int(o)), grad_inputs=[0, 1])

    r = T.row()
    f = hypatia.function([r], T.squeeze(r))
    assert f(np.ones((1, 4))).shape == (4,)
    assert T.tensor("float64", (True, False, True)).squeeze().ndim == 1
    cond = np.array([True, False, True])
    check_op(lambda c, a: T.compress(c, a, axis=0), [cond, X2], lambda c, a: np.compress(c, a, axis=0))
    check_op(lambda c, a: a.compress(c, axis=-2), [np.array([0, 1, 1, 0], dtype="int8"), X3],
             lambda c, a: np.compress(c, a, axis=-2))
    check_op(lambda c, a: T.compress(c, a), [np.array([1, 0, 0, 1, 1], dtype="int64"), X2],
             lambda c, a: np.compress(c, a))


def test_allclose():
    a, b = T.matrix(), T.matrix()
    f = hypatia.function([a, b], T.allclose(a, b))
    assert f(X2, X2 + 1e-9)
    assert not f(X2, X2 + 1e-3)
    g = hypatia.function([a, b], T.allclose(a, b, equal_nan=True))
    n = X2.copy()
    n[0, 0] = np.nan
    assert g(n, n) and not f(n, n)
    assert hypatia.function([a, b], T.allclose(a, b, rtol=0.1))(X2, X2 * 1.05)
