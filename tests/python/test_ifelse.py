"""hypatia.ifelse: values, laziness, gradients, Rop, shapes, rewrites, errors and threads."""
import threading

import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T
from hypatia import function
from hypatia.gradient import Rop, verify_grad
from hypatia.ifelse import IfElse, ifelse


def _ops(f):
    return [str(n.op) for n in f.maker.fgraph.toposort()]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_several_outputs(dtype):
    c = T.scalar("c", dtype="float64")
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    u, w = T.vector("u", dtype=dtype), T.vector("w", dtype=dtype)
    outs = ifelse(c, [x * 2, u], [y, w + w])
    assert isinstance(outs, list) and len(outs) == 2
    xv = np.arange(6, dtype=dtype).reshape(2, 3)
    yv = np.arange(20, dtype=dtype).reshape(4, 5)
    uv, wv = np.arange(3, dtype=dtype), np.arange(2, dtype=dtype)
    for mode in ("FAST_RUN", "FAST_COMPILE", "None"):
        f = function([c, x, y, u, w], outs, mode=mode)
        a, b = f(1.0, xv, yv, uv, wv)
        np.testing.assert_allclose(a, xv * 2)
        np.testing.assert_allclose(b, uv)
        assert a.dtype == dtype
        a, b = f(0.0, xv, yv, uv, wv)
        np.testing.assert_allclose(a, yv)
        np.testing.assert_allclose(b, wv + wv)


def test_single_variables_and_tuples_follow_then_branch():
    c = T.iscalar("c")
    x, y = T.vectors("x", "y")
    assert isinstance(ifelse(c, x, y), hypatia.Variable)
    assert isinstance(ifelse(c, (x,), (y,)), tuple)
    f = function([c, x, y], ifelse(c, x, y))
    np.testing.assert_allclose(f(3, [1, 2], [3, 4]), [1, 2])
    np.testing.assert_allclose(f(0, [1, 2], [3, 4]), [3, 4])


def test_untaken_branch_is_not_evaluated():
    c = T.bscalar("c")
    x = T.vector("x")
    # x[10] raises IndexError at run time for a short x: only the then branch reads it.
    z = ifelse(c, x[10], x.sum())
    for mode in ("FAST_RUN", "None"):
        f = function([c, x], z, mode=mode)
        assert float(f(0, np.ones(3))) == 3.0
        with pytest.raises(IndexError):
            f(1, np.ones(3))


def test_switch_evaluates_both_branches_where_ifelse_does_not():
    c = T.bscalar("c")
    x = T.vector("x")
    f = function([c, x], T.switch(c, x[10], x.sum()))
    with pytest.raises(IndexError):
        f(0, np.ones(3))


def test_nested_ifelse():
    a, b = T.scalars("a", "b")
    x = T.vector("x")
    z = ifelse(T.gt(a, 0), ifelse(T.gt(b, 0), x[10] * x, x * 2), x * 3)
    f = function([a, b, x], z)
    np.testing.assert_allclose(f(1, 0, [1.0, 2.0]), [2, 4])
    np.testing.assert_allclose(f(0, 1, [1.0, 2.0]), [3, 6])  # the inner then branch would raise
    with pytest.raises(IndexError):
        f(1, 1, [1.0, 2.0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sparse_branches(dtype):
    c = T.iscalar("c")
    x, y = S.csr_matrix("x", dtype=dtype), S.csr_matrix("y", dtype=dtype)
    z = ifelse(c, x * 2, y)
    assert z.type == x.type
    xv = sp.random(3, 4, density=0.5, format="csr", dtype=dtype, random_state=1)
    yv = sp.random(2, 5, density=0.5, format="csr", dtype=dtype, random_state=2)
    for mode in ("FAST_RUN", "None"):
        f = function([c, x, y], z, mode=mode)
        r = f(1, xv, yv)
        assert sp.issparse(r) and r.format == "csr" and r.dtype == dtype
        np.testing.assert_allclose(r.toarray(), 2 * xv.toarray(), rtol=1e-6)
        np.testing.assert_allclose(f(0, xv, yv).toarray(), yv.toarray())


@pytest.mark.parametrize("cond", [0.0, 1.0])
def test_verify_grad_dense(cond):
    def fun(x, y):
        a, b = ifelse(T.constant(cond), [x * x, T.exp(y)], [T.sin(y), x])
        return a.sum() + 3 * b.sum()
    rng = np.random.RandomState(0)
    verify_grad(fun, [rng.rand(2, 3), rng.rand(2, 3)], rng=rng)


@pytest.mark.parametrize("cond", [0.0, 1.0])
def test_verify_grad_sparse_branches(cond):
    def fun(x, y):
        return S.sp_sum(ifelse(T.constant(cond), x * x, y))
    xv = sp.random(3, 4, density=0.5, format="csr", random_state=3)
    yv = sp.random(3, 4, density=0.5, format="csr", random_state=4)
    verify_grad(fun, [xv, yv], structured=True)


def test_gradient_of_condition_is_a_float_zero():
    c = T.iscalar("c")
    x, y = T.vectors("x", "y")
    gx, gy = hypatia.grad((ifelse(c, x, y) * 2).sum(), [x, y])
    f = function([c, x, y], [gx, gy])
    gxv, gyv = f(0, [1.0, 2.0], [3.0, 4.0])
    np.testing.assert_allclose(gxv, [0, 0])
    np.testing.assert_allclose(gyv, [2, 2])
    cf = T.scalar("cf")
    g = hypatia.grad(ifelse(cf, x, y).sum(), cf)
    assert float(function([cf, x, y], g, on_unused_input="ignore")(1.0, [1.0], [2.0])) == 0.0


def test_rop():
    c = T.scalar("c")
    x, y, vx, vy = T.vectors("x", "y", "vx", "vy")
    z = ifelse(c, x * x, T.exp(y))
    r = Rop(z, [x, y], [vx, vy])
    f = function([c, x, y, vx, vy], r)
    xv, yv, one = np.array([1.0, 2.0]), np.array([0.5, 1.5]), np.ones(2)
    np.testing.assert_allclose(f(1, xv, yv, one, one), 2 * xv)
    np.testing.assert_allclose(f(0, xv, yv, one, one), np.exp(yv))


def test_infer_shape_non_square():
    c = T.scalar("c")
    x, y = T.matrices("x", "y")
    f = function([c, x, y], ifelse(c, T.exp(x), T.exp(y)).shape)
    xv, yv = np.ones((2, 3)), np.ones((4, 5))
    np.testing.assert_array_equal(f(1, xv, yv), [2, 3])
    np.testing.assert_array_equal(f(0, xv, yv), [4, 5])


def test_optimised_and_unoptimised_agree_and_rewrites_fire():
    c, d = T.scalars("c", "d")
    x, y, w = T.vectors("x", "y", "w")
    cases = [
        (ifelse(T.constant(1.0), T.exp(x), T.exp(y)), lambda ops: not any(o.startswith("if{") for o in ops)),
        (ifelse(c, T.exp(x), T.exp(x)), lambda ops: not any(o.startswith("if{") for o in ops)),
        (ifelse(c, ifelse(c, T.exp(x), T.sin(y)), T.cos(w)),
         lambda ops: sum(o.startswith("if{") for o in ops) == 1),
        ([ifelse(c, T.exp(x), T.sin(y)), ifelse(c, T.cos(w), T.tanh(x))],
         lambda ops: sum(o.startswith("if{") for o in ops) == 1),
        (ifelse(c, T.exp(x) * w, T.exp(y) * w),
         lambda ops: sum(o.startswith("if{") for o in ops) == 1),
        (ifelse(c, T.exp(x), T.sin(y)), lambda ops: "if{inplace}" in ops),
    ]
    args = [np.arange(3.0), np.arange(3.0) + 4, np.arange(3.0) - 2]
    for out, fired in cases:
        fast = function([c, d, x, y, w], out, mode="FAST_RUN", on_unused_input="ignore")
        raw = function([c, d, x, y, w], out, mode="None", on_unused_input="ignore")
        assert fired(_ops(fast)), _ops(fast)
        for cv in (0.0, 1.0):
            a, b = fast(cv, 0.0, *args), raw(cv, 0.0, *args)
            for p, q in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
                np.testing.assert_allclose(p, q)


def test_lift_elemwise_moves_the_common_op_out():
    c = T.scalar("c")
    x, y, w = T.vectors("x", "y", "w")
    f = function([c, x, y, w], ifelse(c, T.exp(x) * w, T.exp(y) * w))
    node = [n for n in f.maker.fgraph.toposort() if str(n.op).startswith("if{")][0]
    # The ifelse now chooses exp(x) or exp(y); the product with w is computed after it.
    assert all("mul" not in str(i.owner.op) for i in node.inputs if i.owner is not None)
    np.testing.assert_allclose(f(0, [0.0], [1.0], [2.0]), [2 * np.e])


def test_printing():
    c = T.scalar("c")
    x, y = T.vectors("x", "y")
    assert str(ifelse(c, x, y).owner.op) == "if{}"
    assert str(ifelse(c, x, y, name="pick").owner.op) == "if{pick}"
    assert str(IfElse(1, as_view=True)) == "if{inplace}"
    assert IfElse(1, name="a") == IfElse(1, name="b")
    z = IfElse(1)(c, x, y)
    np.testing.assert_allclose(function([c, x, y], z)(1, [1.0], [2.0]), [1.0])
    text = hypatia.printing.debugprint(ifelse(c, x, y), file="str")
    assert "if{}" in text


def test_numbers_convert_to_the_other_branch_type():
    c = T.scalar("c")
    x = T.fscalar("x")
    z = ifelse(c, x, 0.25)
    assert z.type == x.type
    assert float(function([c, x], z)(0, 3.0)) == 0.25
    v = T.vector("v")
    np.testing.assert_allclose(function([c, v], ifelse(c, np.array([1.0, 2.0]), v))(1, [5.0, 6.0]), [1, 2])


def test_errors():
    c = T.scalar("c")
    x, y = T.vectors("x", "y")
    with pytest.raises(TypeError, match=r"\[IfElse\]"):
        ifelse(T.vector("cv"), x, y)
    with pytest.raises(TypeError, match=r"\[IfElse\].*sparse"):
        ifelse(S.csr_matrix("cs"), x, y)
    with pytest.raises(TypeError, match="identical types"):
        ifelse(c, x, T.matrix("m"))
    with pytest.raises(TypeError, match="identical types"):
        ifelse(c, x, T.ivector("iv"))
    with pytest.raises(TypeError, match="identical types"):
        ifelse(c, T.matrix("m"), S.csr_matrix("s"))
    with pytest.raises(ValueError, match=r"\[IfElse\]"):
        ifelse(c, [x, y], [x])
    with pytest.raises(TypeError, match=r"\[IfElse\]"):
        IfElse(2)(c, x, y)


def test_calls_from_several_threads():
    c = T.scalar("c")
    x, y = T.vectors("x", "y")
    f = function([c, x, y], ifelse(c, x * 2, T.exp(y)))
    bad = []

    def work(t):
        for i in range(100):
            take = (i + t) % 2 == 0
            r = f(float(take), np.full(4, float(i)), np.zeros(4))
            if r[0] != (2.0 * i if take else 1.0):
                bad.append((t, i))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad


def test_manual_conditions_example_values():
    # The manual's "Conditions" example (switch vs ifelse), on small matrices: same values.
    a, b = T.scalars("a", "b")
    x, y = T.matrices("x", "y")
    z_switch = T.switch(T.lt(a, b), T.mean(x), T.mean(y))
    z_lazy = ifelse(T.lt(a, b), T.mean(x), T.mean(y))
    f_switch = function([a, b, x, y], z_switch)
    f_lazyifelse = function([a, b, x, y], z_lazy)
    big_mat1, big_mat2 = np.ones((100, 10)), 2 * np.ones((100, 10))
    for val1, val2, want in ((0.0, 1.0, 1.0), (1.0, 0.0, 2.0)):
        assert float(f_switch(val1, val2, big_mat1, big_mat2)) == want
        assert float(f_lazyifelse(val1, val2, big_mat1, big_mat2)) == want
