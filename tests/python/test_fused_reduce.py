"""Sums fused with their elementwise producers (local_careduce_fusion -> CAReduce{Composite...})
and float sums over any axes of strided/broadcast operands, against numpy; gradients through
the fused op; and reuse of large buffers across calls never aliasing a live result."""
import itertools

import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from harness import check_op


def ops_of(f):
    return [str(n.op) for n in f.maker.fgraph.toposort()]


def fused_sums(f):
    return [s for s in ops_of(f) if s.startswith("CAReduce{")]


def axis_sets(nd):
    # every combination, None (all) and the empty list (reduces nothing)
    out = [None]
    for k in range(nd + 1):
        out += [list(c) for c in itertools.combinations(range(nd), k)]
    return out


def np_sum(v, axis, keepdims=False):
    return np.sum(v, axis=tuple(axis) if axis is not None else None, keepdims=keepdims)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_sum_every_axis_combination_with_broadcast_operands(dtype):
    rng = np.random.RandomState(0)
    a = rng.rand(3, 5).astype(dtype)
    b = rng.rand(4, 5).astype(dtype)
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    J = x.dimshuffle(0, "x", 1) * y.dimshuffle("x", 0, 1)
    full = a[:, None, :] * b[None, :, :]
    tol = 1e-5 if dtype == "float32" else 1e-12
    for axis in axis_sets(3):
        for keepdims in (False, True):
            f = hypatia.function([x, y], T.sum(J ** 2, axis=axis, keepdims=keepdims))
            if axis != []:
                assert len(fused_sums(f)) == 1, ops_of(f)
            got = f(a, b)
            want = np_sum(full ** 2, axis, keepdims)
            assert got.shape == np.shape(want), (axis, keepdims)
            assert got.dtype == want.dtype
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_plain_sum_of_strided_and_broadcast_inputs(dtype):
    rng = np.random.RandomState(1)
    base = rng.rand(6, 7, 8).astype(dtype)
    views = [base, base.transpose(2, 0, 1), base[::2, :, 1::3], base[:, ::-1, :],
             np.broadcast_to(base[:, :1, :], (6, 7, 8))]
    tol = 1e-5 if dtype == "float32" else 1e-12
    x = T.tensor3("x", dtype=dtype)
    for v in views:
        for axis in axis_sets(3):
            f = hypatia.function([x], T.sum(x, axis=axis))
            np.testing.assert_allclose(f(v), np_sum(v, axis), rtol=tol, atol=tol)


def test_fused_sum_of_strided_inputs_and_large_sizes():
    # Big enough for the threaded paths (split outputs, and partial sums for few outputs).
    rng = np.random.RandomState(2)
    a = rng.rand(40, 300)
    b = rng.rand(600, 300)[::2]  # non-contiguous rows
    c = rng.rand(300, 40).T      # transposed
    x, y, z = T.dmatrices("x", "y", "z")
    expr = T.exp(x.dimshuffle(0, "x", 1) * 0.5) * y.dimshuffle("x", 0, 1) - z.dimshuffle(0, "x", 1)
    full = np.exp(a[:, None, :] * 0.5) * b[None, :, :] - c[:, None, :]
    for axis in axis_sets(3):
        f = hypatia.function([x, y, z], T.sum(expr, axis=axis))
        if axis != []:
            assert len(fused_sums(f)) == 1, ops_of(f)
        np.testing.assert_allclose(f(a, b, c), np_sum(full, axis), rtol=1e-11, atol=1e-12)


def test_empty_inputs_sum_to_zero():
    x, y = T.dmatrices("x", "y")
    f = hypatia.function([x, y], T.sum(x * y, axis=0))
    assert fused_sums(f)
    np.testing.assert_array_equal(f(np.zeros((0, 3)), np.zeros((0, 3))), np.zeros(3))
    g = hypatia.function([x, y], T.sum(x * y, axis=1))
    assert g(np.zeros((0, 3)), np.zeros((0, 3))).shape == (0,)


def test_thread_count_does_not_change_the_sums():
    rng = np.random.RandomState(3)
    a, b = rng.rand(2, 150000), rng.rand(2, 150000)  # past openmp_elemwise_minsize
    x, y = T.dmatrices("x", "y")
    f = hypatia.function([x, y], [T.sum(x * y), T.sum(x * y, axis=0), T.sum(x * y, axis=1)])
    old = hypatia.config.openmp
    try:
        hypatia.config.openmp = True
        par = f(a, b)
        hypatia.config.openmp = False
        one = f(a, b)
    finally:
        hypatia.config.openmp = old
    for p, o, want in zip(par, one, [np.sum(a * b), np.sum(a * b, 0), np.sum(a * b, 1)]):
        np.testing.assert_array_equal(p, o)
        np.testing.assert_allclose(p, want, rtol=1e-12)


def test_rewrite_not_applied_when_the_product_has_other_clients():
    x, y = T.dmatrices("x", "y")
    p = x * y
    f = hypatia.function([x, y], [T.sum(p, axis=0), p])
    assert not fused_sums(f), ops_of(f)
    a, b = np.ones((2, 3)), np.full((2, 3), 2.0)
    s, q = f(a, b)
    np.testing.assert_allclose(s, [4.0, 4.0, 4.0])
    np.testing.assert_allclose(q, a * b)


@pytest.mark.parametrize("axis", [None, [0], [1], [0, 2]])
def test_fused_sum_through_the_harness_with_gradients(axis):
    rng = np.random.RandomState(4)
    a, b = rng.rand(3, 4), rng.rand(5, 4)
    check_op(lambda x, y: T.sum((x.dimshuffle(0, "x", 1) * y.dimshuffle("x", 0, 1)) ** 2, axis=axis),
             [a, b], lambda x, y: np_sum((x[:, None, :] * y[None, :, :]) ** 2, axis), rtol=1e-10)


def test_cae_penalty_gradient_graph_is_fused_and_correct():
    rng = np.random.RandomState(5)
    hv, Wv = rng.rand(4, 6), rng.rand(7, 6)
    h, W = T.dmatrices("h", "W")
    J = (h * (1 - h)).dimshuffle(0, "x", 1) * W.dimshuffle("x", 0, 1)
    pen = T.sum(J ** 2) / 4
    gW, gh = hypatia.grad(pen, [W, h])
    f = hypatia.function([h, W], [pen, gW, gh])
    assert len(fused_sums(f)) >= 2, ops_of(f)
    jj = (hv * (1 - hv))[:, None, :] * Wv[None, :, :]
    np.testing.assert_allclose(f(hv, Wv)[0], (jj ** 2).sum() / 4, rtol=1e-12)
    s = hv * (1 - hv)
    np.testing.assert_allclose(f(hv, Wv)[1], 2 * (s ** 2).sum(0)[None, :] * Wv / 4, rtol=1e-12)
    np.testing.assert_allclose(f(hv, Wv)[2], 2 * s * (1 - 2 * hv) * (Wv ** 2).sum(0)[None, :] / 4, rtol=1e-12)


def test_big_buffers_reused_across_calls_do_not_alias_kept_results():
    # 2.4 MB outputs and temporaries come back from the buffer cache on the second call; the
    # result kept from the first call must not change.
    rng = np.random.RandomState(6)
    a, b = rng.rand(300, 1000), rng.rand(300, 1000)
    x, y = T.dmatrices("x", "y")
    f = hypatia.function([x, y], [T.exp(x) * y + 1.0, x * 2.0])
    r1 = f(a, b)
    keep = [r.copy() for r in r1]
    r2 = f(b, a)
    for k, r in zip(keep, r1):
        np.testing.assert_array_equal(k, r)
    np.testing.assert_allclose(r2[0], np.exp(b) * a + 1.0)
    assert not np.shares_memory(r1[0], r2[0]) and not np.shares_memory(r1[1], r2[1])


def test_costly_op_on_a_broadcast_operand_is_not_recomputed_per_element():
    # exp over the small (20, 1, 5) operand stays its own node; the sum fuses only the product.
    x = T.TensorType("float64", (False, True, False))("x")
    y = T.TensorType("float64", (True, False, False))("y")
    f = hypatia.function([x, y], T.sum(T.exp(x) * y, axis=[0, 1]))
    sums = fused_sums(f)
    assert len(sums) == 1 and "exp" not in sums[0], ops_of(f)
    rng = np.random.RandomState(7)
    a, b = rng.rand(20, 1, 5), rng.rand(1, 7, 5)
    np.testing.assert_allclose(f(a, b), np.sum(np.exp(a) * b, axis=(0, 1)), rtol=1e-12)


def test_factors_constant_along_the_reduced_axes_leave_the_sum():
    # sum_j(h[i,k] * W[j,k] * W[j,k] * 0.5) -> 0.5 * h * sum_j(W * W): no 3-d term is formed.
    rng = np.random.RandomState(8)
    hv, Wv = rng.rand(4, 6), rng.rand(5, 6)
    h, W = T.dmatrices("h", "W")
    hd, Wd = h.dimshuffle(0, "x", 1), W.dimshuffle("x", 0, 1)
    for axis, want in [([1], 0.5 * hv * (Wv * Wv).sum(0)), ([0], 0.5 * Wv * (hv * hv).sum(0))]:
        const, other = (hd, Wd) if axis == [1] else (Wd, hd)
        expr = const * other * other * 0.5
        f = hypatia.function([h, W], T.sum(expr, axis=axis))
        sums = fused_sums(f) + [s for s in ops_of(f) if s.startswith("Sum{")]
        assert sums and all("i0 * i0" in s or s.startswith("Sum{") for s in sums), ops_of(f)
        np.testing.assert_allclose(f(hv, Wv), want, rtol=1e-12)
        off = hypatia.function([h, W], T.sum(expr, axis=axis), mode="FAST_RUN-careduce_fusion")
        np.testing.assert_allclose(off(hv, Wv), want, rtol=1e-12)
