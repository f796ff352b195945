"""OpFromGraph from Python: the manual's examples, inline vs whole, nesting, gradients (overrides, sparse), R_op, shapes, threads."""
import threading

import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.tensor as T
from hypatia import OpFromGraph, function, grad, shared
from hypatia import sparse as S
from hypatia.gradient import DisconnectedInputError, DisconnectedType, NullType, NullTypeGradError, Rop, verify_grad

from harness import check_op


def scalars():
    return T.dscalar("x"), T.dscalar("y"), T.dscalar("z")


def ofg_nodes(f):
    return [n for n in f.maker.fgraph.toposort() if n.op.name == "OpFromGraph"]


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE", "None"])
def test_manual_example(mode):
    x, y, z = scalars()
    e = x + y * z
    op = OpFromGraph([x, y, z], [e])
    e2 = op(x, y, z) + op(z, y, x)
    fn = function([x, y, z], [e2], mode=mode)
    got = fn(2.0, 3.0, 4.0)[0]
    assert np.allclose(got, (2 + 3 * 4) + (4 + 3 * 2))
    assert len(ofg_nodes(fn)) == 2  # two calls, two different input orders


def test_manual_shared_variable_example():
    x, y, z = scalars()
    s = shared(np.random.RandomState(0).rand(2, 2), name="s")
    e = x + y * z + s
    op = OpFromGraph([x, y, z], [e])
    assert op.shared_inputs == [s]
    e2 = op(x, y, z) + op(z, y, x)
    fn = function([x, y, z], [e2])
    np.testing.assert_allclose(fn(1.0, 2.0, 3.0)[0], (1 + 6 + 3 + 2) + 2 * s.get_value())
    s.set_value(np.ones((2, 2)))  # the implicit input is read at each call
    np.testing.assert_allclose(fn(1.0, 2.0, 3.0)[0], np.full((2, 2), 14.0))


def test_free_variable_becomes_implicit_input():
    x, y, _ = scalars()
    op = OpFromGraph([x], [x * 2 + y])
    assert op.implicit_inputs == [y]
    a = T.dscalar("a")
    out = op(a)
    assert list(out.owner.inputs) == [a, y]
    f = function([a, y], out)
    assert np.allclose(f(3.0, 10.0), 16.0)


@pytest.mark.parametrize("inline", [False, True])
def test_inline_and_whole_agree(inline):
    x, w = T.dmatrix("x"), T.dmatrix("w")
    op = OpFromGraph([x, w], [T.tanh(T.dot(x, w)) + 1], inline=inline)
    a, b = T.dmatrix("a"), T.dmatrix("b")
    f = function([a, b], op(a, b) * 2)
    rng = np.random.RandomState(1)
    av, bv = rng.rand(3, 4), rng.rand(4, 5)
    np.testing.assert_allclose(f(av, bv), (np.tanh(av @ bv) + 1) * 2)
    # inline: local_inline_ofg replaced the node by its graph; otherwise the node runs whole.
    assert len(ofg_nodes(f)) == (0 if inline else 1)
    assert str(op) == "OpFromGraph{inline=%s}" % inline


def test_inline_not_expanded_without_rewrites():
    x = T.dvector("x")
    op = OpFromGraph([x], [x * 3], inline=True)
    f = function([x], op(x), mode="None")
    assert len(ofg_nodes(f)) == 1
    np.testing.assert_allclose(f([1.0, 2.0]), [3.0, 6.0])


@pytest.mark.parametrize("inline", [False, True])
def test_nested_manual_example(inline):
    x, y, z = scalars()
    e = x * y
    op = OpFromGraph([x, y], [e], inline=inline)
    e2 = op(x, y) + z
    op2 = OpFromGraph([x, y, z], [e2], inline=inline)
    e3 = op2(x, y, z) + z
    f = function([x, y, z], [e3])
    assert np.allclose(f(2.0, 3.0, 4.0)[0], 2 * 3 + 4 + 4)
    if not inline:
        text = hypatia.printing.debugprint(f, file="str")
        assert "Inner graphs:" in text and text.count("OpFromGraph") >= 3
    gx, gy, gz = grad(e3, [x, y, z])
    g = function([x, y, z], [gx, gy, gz])
    np.testing.assert_allclose(g(2.0, 3.0, 4.0), [3.0, 2.0, 2.0])


def test_check_op_values_shapes_and_grad_non_square():
    x, w, b = T.dmatrix("x"), T.dmatrix("w"), T.dvector("b")
    op = OpFromGraph([x, w, b], [T.tanh(T.dot(x, w) + b)])
    rng = np.random.RandomState(2)
    inputs = [rng.rand(3, 4), rng.rand(4, 2), rng.rand(2)]
    check_op(lambda a, c, d: op(a, c, d), inputs, lambda a, c, d: np.tanh(a @ c + d))


def test_infer_shape_does_not_run_the_op():
    x = T.dmatrix("x")
    op = OpFromGraph([x], [T.dot(x, x.T)[:, :2] * 2])
    a = T.dmatrix("a")
    f = function([a], op(a).shape)
    assert tuple(f(np.zeros((5, 3)))) == (5, 2)
    assert not ofg_nodes(f)


def test_sparse_input_structured_dot_verify_grad():
    s, w = S.csr_matrix("s", "float64"), T.dmatrix("w")
    op = OpFromGraph([s, w], [T.tanh(S.structured_dot(s, w))])
    rng = np.random.RandomState(3)
    sv = sp.random(4, 6, density=0.4, format="csr", random_state=rng)
    wv = rng.rand(6, 3)
    check_op(lambda a, c: op(a, c), [sv, wv], lambda a, c: np.tanh(a @ c), structured=True)


def test_sparse_as_implicit_input_gradient():
    # A sparse matrix used inside as a free variable: it is an implicit input and its
    # (structured) gradient flows out.
    w = T.dmatrix("w")
    s = S.csr_matrix("s", "float64")
    op = OpFromGraph([w], [S.structured_dot(s, w).sum()])
    cost = op(w)
    gw, gs = grad(cost, [w, s])
    f = function([s, w], [gw, gs])
    sv = sp.random(3, 4, density=0.5, format="csr", random_state=4)
    wv = np.random.RandomState(5).rand(4, 2)
    got_w, got_s = f(sv, wv)
    np.testing.assert_allclose(got_w, sv.T @ np.ones((3, 2)))
    assert sp.issparse(got_s)


def test_multiple_outputs_and_second_order_grad():
    x = T.dvector("x")
    op = OpFromGraph([x], [T.sum(x ** 3), x * 2])
    a = T.dvector("a")
    c, d = op(a)
    g = grad(c + d.sum(), a)
    h = grad(g.sum(), a)  # the gradient of the gradient OpFromGraph
    f = function([a], [c, d, g, h])
    av = np.array([1.0, 2.0, -1.0])
    rc, rd, rg, rh = f(av)
    assert np.allclose(rc, np.sum(av ** 3))
    np.testing.assert_allclose(rd, av * 2)
    np.testing.assert_allclose(rg, 3 * av ** 2 + 2)
    np.testing.assert_allclose(rh, 6 * av)
    verify_grad(lambda v: op(v)[0] + op(v)[1].sum(), [av], rng=np.random.RandomState(0))


def test_grad_overrides_manual_list():
    x, y, z = scalars()
    e = x + y * z

    def rescale_dy(inps, grads):
        x, y, z = inps
        g, = grads
        return z * 2

    op = OpFromGraph([x, y, z], [e], grad_overrides=["default", rescale_dy, "default"])
    e2 = op(x, y, z)
    dx, dy, dz = grad(e2, [x, y, z])
    fn = function([x, y, z], [dx, dy, dz])
    np.testing.assert_allclose(fn(2.0, 3.0, 4.0), [1.0, 8.0, 3.0])  # the gradient wrt y is now doubled


def test_grad_overrides_callable_and_ofg():
    x, y = T.dscalar("x"), T.dscalar("y")
    e = x * y

    def whole(inps, grads):
        a, b = inps
        g, = grads
        return [g * 10, g * 20]

    op = OpFromGraph([x, y], [e], grad_overrides=whole)
    f = function([x, y], grad(op(x, y), [x, y]))
    np.testing.assert_allclose(f(2.0, 3.0), [10.0, 20.0])
    # An OpFromGraph as override: inputs then output gradients.
    a, b, g = T.dscalar("a"), T.dscalar("b"), T.dscalar("g")
    gop = OpFromGraph([a, b, g], [g * b * 3, g * a * 3])
    op2 = OpFromGraph([x, y], [e], grad_overrides=gop)
    f2 = function([x, y], grad(op2(x, y), [x, y]))
    np.testing.assert_allclose(f2(2.0, 3.0), [9.0, 6.0])


def test_grad_overrides_null_and_disconnected():
    x, y = T.dscalar("x"), T.dscalar("y")
    op = OpFromGraph([x, y], [x * y], grad_overrides=[NullType(), DisconnectedType()])
    out = op(x, y)
    with pytest.raises(NullTypeGradError):
        grad(out, x)
    with pytest.raises(DisconnectedInputError):
        grad(out, y)
    gy = grad(out, y, disconnected_inputs="ignore")
    assert function([x, y], gy, on_unused_input="ignore")(2.0, 3.0) == 0.0


def test_connection_pattern_computed_and_given():
    x, y = T.dvector("x"), T.dvector("y")
    op = OpFromGraph([x, y], [x * 2, y + 1])
    a, b = op(x, y)
    with pytest.raises(DisconnectedInputError):
        grad(a.sum(), y)
    np.testing.assert_allclose(function([x, y], grad(a.sum(), x))([1.0, 2.0], [0.0, 0.0]), [2.0, 2.0])
    op2 = OpFromGraph([x, y], [x * 2 + 0 * y], connection_pattern=[[True], [False]])
    with pytest.raises(DisconnectedInputError):
        grad(op2(x, y).sum(), y)


def test_rop_default_and_override():
    x, w = T.dvector("x"), T.dmatrix("w")
    op = OpFromGraph([x, w], [T.tanh(T.dot(w, x))])
    v = T.dvector("v")
    r = Rop(op(x, w), x, v)
    ref = Rop(T.tanh(T.dot(w, x)), x, v)
    f = function([x, w, v], [r, ref])
    rng = np.random.RandomState(6)
    got, want = f(rng.rand(3), rng.rand(2, 3), rng.rand(3))
    np.testing.assert_allclose(got, want)

    def rop(inps, eps):
        return [eps[0] * 5]

    op2 = OpFromGraph([x], [x * 2], rop_overrides=rop)
    f2 = function([x, v], Rop(op2(x), x, v))
    np.testing.assert_allclose(f2([1.0, 2.0], [1.0, 1.0]), [5.0, 5.0])
    op3 = OpFromGraph([x], [x * 2, x * 3], rop_overrides=["default", lambda i, e: e[0] * 7])
    c, d = op3(x)
    f3 = function([x, v], Rop([c, d], x, v))
    r3 = f3([1.0, 2.0], [1.0, 1.0])
    np.testing.assert_allclose(r3[0], [2.0, 2.0])
    np.testing.assert_allclose(r3[1], [7.0, 7.0])


def test_equality_is_identity_and_merge():
    x = T.dvector("x")
    op = OpFromGraph([x], [x * 2])
    other = OpFromGraph([x], [x * 2])
    assert op.op == op.op and op.op != other.op
    a = T.dvector("a")
    f = function([a], op(a) + op(a))
    assert len(ofg_nodes(f)) == 1  # same op, same input: merged
    g = function([a], op(a) + other(a))
    assert len(ofg_nodes(g)) == 2  # different ops never merge


def test_output_never_aliases_input():
    x = T.dvector("x")
    ident = OpFromGraph([x], [x])
    a = T.dvector("a")
    f = function([a], ident(a) + 1)  # the addition may run in place on the op's output
    av = np.array([1.0, 2.0])
    np.testing.assert_allclose(f(av), [2.0, 3.0])
    np.testing.assert_allclose(av, [1.0, 2.0])
    k = OpFromGraph([x], [x + T.constant(np.array([5.0, 5.0]))])
    c = OpFromGraph([x], [T.constant(np.array([1.0, 1.0]))])
    h = function([a], c(a) + k(a))
    for _ in range(2):
        np.testing.assert_allclose(h(av), [7.0, 8.0])


def test_threads():
    x, w = T.dmatrix("x"), T.dmatrix("w")
    op = OpFromGraph([x, w], [T.tanh(T.dot(x, w))])
    a, b = T.dmatrix("a"), T.dmatrix("b")
    f = function([a, b], op(a, b).sum(axis=1))
    rng = np.random.RandomState(8)
    cases = [(rng.rand(20, 30), rng.rand(30, 10)) for _ in range(8)]
    want = [np.tanh(p @ q).sum(axis=1) for p, q in cases]
    errors = []

    def work(k):
        try:
            for _ in range(30):
                np.testing.assert_allclose(f(*cases[k]), want[k])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_errors():
    x, y = T.dscalar("x"), T.dscalar("y")
    op = OpFromGraph([x, y], [x + y])
    with pytest.raises(TypeError, match=r"\[OpFromGraph\] expected 2 inputs, got 1"):
        op(x)
    with pytest.raises(TypeError, match=r"\[OpFromGraph\] input 0: expected type"):
        op(T.dvector("v"), y)
    with pytest.raises(TypeError, match=r"\[OpFromGraph\] outputs must be a list"):
        OpFromGraph([x], x * 2)
    with pytest.raises(TypeError, match=r"\[OpFromGraph\] input 0 is a constant"):
        OpFromGraph([T.constant(1.0)], [x])
    with pytest.raises(TypeError, match=r"one entry per input"):
        OpFromGraph([x, y], [x + y], grad_overrides=["default"])
    with pytest.raises(TypeError, match=r"updates and givens"):
        OpFromGraph([x], [x], updates={})
    # A constant argument of another dtype is converted; a float constant is accepted.
    assert np.allclose(function([y], op(2.0, y))(1.0), 3.0)
