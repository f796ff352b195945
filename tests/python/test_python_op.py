"""Ops written in Python (hypatia.Op subclasses): the manual's "Extending Theano" DoubleOp
examples, __props__, merge, several outputs, view/destroy maps, errors and as_op."""
import numpy as np
import pytest

import hypatia
import hypatia as theano
import hypatia.tensor as T
from hypatia.gradient import DisconnectedType

rng = np.random.RandomState(1234)


# ---- the manual's DoubleOp examples ---------------------------------------------------------

class DoubleOp1(theano.Op):
    __props__ = ()

    def make_node(self, x):
        x = theano.tensor.as_tensor_variable(x)
        # Note: using x_.type() is dangerous, as it copies x's broadcasting behaviour
        return theano.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        z = output_storage[0]
        z[0] = x * 2

    def infer_shape(self, node, i0_shapes):
        return i0_shapes

    def grad(self, inputs, output_grads):
        return [output_grads[0] * 2]

    def R_op(self, inputs, eval_points):
        # R_op can receive None as eval_points: no differentiable path through that input.
        if eval_points[0] is None:
            return eval_points
        return self.grad(inputs, eval_points)


class DoubleOp2(theano.Op):
    __props__ = ()

    itypes = [theano.tensor.dmatrix]
    otypes = [theano.tensor.dmatrix]

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        z = output_storage[0]
        z[0] = x * 2

    def infer_shape(self, node, i0_shapes):
        return i0_shapes

    def grad(self, inputs, output_grads):
        return [output_grads[0] * 2]

    def R_op(self, inputs, eval_points):
        if eval_points[0] is None:
            return eval_points
        return self.grad(inputs, eval_points)


class DoubleNoProps(theano.Op):
    """The DoubleOp without __props__ (nor infer_shape, grad, R_op): equal only to itself."""

    def make_node(self, x):
        x = theano.tensor.as_tensor_variable(x)
        return theano.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * 2


class AXPBOp(theano.Op):
    """This creates an Op that takes x to a*x+b."""
    __props__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b
        super(AXPBOp, self).__init__()

    def make_node(self, x):
        x = theano.tensor.as_tensor_variable(x)
        return theano.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        z = output_storage[0]
        z[0] = self.a * x + self.b

    def infer_shape(self, node, i0_shapes):
        return i0_shapes

    def grad(self, inputs, output_grads):
        return [self.a * output_grads[0]]


def test_double_op1_values():
    x = theano.tensor.matrix()
    f = theano.function([x], DoubleOp1()(x))
    inp = np.random.rand(5, 4)
    out = f(inp)
    assert np.allclose(inp * 2, out)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64


def test_double_op2_itypes_otypes_values_and_type_check():
    x = theano.tensor.matrix()
    f = theano.function([x], DoubleOp2()(x))
    inp = np.random.rand(5, 4)
    assert np.allclose(inp * 2, f(inp))
    with pytest.raises(TypeError, match=r"\[DoubleOp2\] input 0 must be of type TensorType\(float64, matrix\)"):
        DoubleOp2()(T.fmatrix())
    with pytest.raises(ValueError, match=r"\[DoubleOp2\] expected 1 inputs, got 2"):
        DoubleOp2()(x, x)


def test_the_node_and_its_op():
    op = DoubleOp1()
    x = T.matrix("x")
    y = op(x)
    assert y.owner.op is op  # node.op is the user's object
    assert isinstance(y.owner.op, theano.Op) and isinstance(y.owner.op, hypatia.gof.Op)
    assert isinstance((x + 1).owner.op, theano.Op)  # native ops are Ops too
    assert y.type == x.type and y.owner.inputs == [x]
    node = op.make_node(x)
    assert isinstance(node, theano.Apply) and node.op is op and node.nout == 1
    z = T.matrix("z")
    node2 = theano.Apply(op, [x], [z])
    assert node2.outputs[0].type == z.type and node2.outputs[0].name == "z"
    assert node2.outputs[0] is not z  # the node's outputs are its own variables


@pytest.mark.parametrize("op", [DoubleOp1(), DoubleOp2()], ids=["DoubleOp1", "DoubleOp2"])
def test_double_op_infer_shape_removes_the_op(op):
    """The manual's InferShapeTester: only the shape needed -> the op leaves the graph."""
    x = theano.tensor.dmatrix()
    f = theano.function([x], op(x).shape)
    assert not any(isinstance(n.op, type(op)) for n in f.maker.fgraph.toposort())
    inp = np.random.rand(5, 4)
    assert tuple(f(inp)) == (5, 4)


def test_without_infer_shape_the_op_runs_for_its_shape():
    x = theano.tensor.dmatrix()
    f = theano.function([x], DoubleNoProps()(x).shape)
    assert any(isinstance(n.op, DoubleNoProps) for n in f.maker.fgraph.toposort())
    assert tuple(f(np.zeros((3, 2)))) == (3, 2)


@pytest.mark.parametrize("op", [DoubleOp1(), DoubleOp2()], ids=["DoubleOp1", "DoubleOp2"])
def test_double_op_verify_grad(op):
    theano.gradient.verify_grad(op, [np.random.rand(5, 7)])


def test_verify_grad_catches_a_wrong_grad():
    class WrongGrad(DoubleOp1):
        def grad(self, inputs, output_grads):
            return [output_grads[0] * 3]
    with pytest.raises(ValueError, match="GradientError"):
        theano.gradient.verify_grad(WrongGrad(), [np.random.rand(5, 7)])


@pytest.mark.parametrize("op", [DoubleOp1(), DoubleOp2()], ids=["DoubleOp1", "DoubleOp2"])
def test_double_op_rop_and_lop(op):
    """The manual's RopLop_checker.check_rop_lop: Rop and Lop against the Jacobian."""
    x = T.dmatrix("x")
    v = T.dmatrix("v")
    y = op(x)
    rop = theano.function([x, v], theano.Rop(y, x, v), on_unused_input="ignore")
    lop = theano.function([x, v], theano.Lop(y, x, v), on_unused_input="ignore")
    xv, vv = rng.rand(4, 3), rng.rand(4, 3)
    # The Jacobian of x -> 2x is 2 I, so J v = J^T v = 2 v.
    np.testing.assert_allclose(rop(xv, vv), 2 * vv)
    np.testing.assert_allclose(lop(xv, vv), 2 * vv)


def test_rop_not_implemented_raises_not_implemented_error():
    x, v = T.dvector("x"), T.dvector("v")
    with pytest.raises(NotImplementedError, match=r"\[DoubleNoProps\] R_op"):
        theano.Rop(DoubleNoProps()(x), x, v)


def test_grad_not_implemented_is_a_null_gradient():
    x = T.dvector("x")
    with pytest.raises(theano.gradient.NullTypeGradError, match="not implemented"):
        theano.grad(DoubleNoProps()(x).sum(), x)


# ---- __props__: equality, hashing, printing, merge -------------------------------------------

def test_axpb_props_equality_and_values():
    mult4plus5op = AXPBOp(4, 5)
    another_mult4plus5op = AXPBOp(4, 5)
    mult2plus3op = AXPBOp(2, 3)
    assert mult4plus5op == another_mult4plus5op
    assert hash(mult4plus5op) == hash(another_mult4plus5op)
    assert mult4plus5op != mult2plus3op
    assert str(mult4plus5op) == "AXPBOp{a=4, b=5}"
    x = theano.tensor.matrix()
    f = theano.function([x], mult4plus5op(x))
    g = theano.function([x], mult2plus3op(x))
    inp = np.random.rand(5, 4).astype(np.float32)
    assert np.allclose(4 * inp + 5, f(inp))
    assert np.allclose(2 * inp + 3, g(inp))
    theano.gradient.verify_grad(AXPBOp(2.5, 1), [np.random.rand(3, 4)])


def _count(f, cls):
    return sum(isinstance(n.op, cls) for n in f.maker.fgraph.toposort())


def test_equal_python_op_nodes_merge():
    x = T.dmatrix("x")
    f = theano.function([x], [AXPBOp(4, 5)(x), AXPBOp(4, 5)(x), AXPBOp(2, 3)(x)])
    assert _count(f, AXPBOp) == 2  # the two AXPBOp{a=4, b=5} nodes became one
    a, b, c = f(np.ones((2, 2)))
    np.testing.assert_allclose(a, 9)
    np.testing.assert_allclose(b, 9)
    np.testing.assert_allclose(c, 5)


def test_ops_without_props_merge_only_with_themselves():
    op, other = DoubleNoProps(), DoubleNoProps()
    assert op == op and op != other
    x = T.dvector("x")
    f = theano.function([x], [op(x), op(x), other(x)])
    assert _count(f, DoubleNoProps) == 2
    assert str(op) == "DoubleNoProps"


def test_python_op_prints():
    x = T.dmatrix("x")
    y = AXPBOp(4, 5)(DoubleOp1()(x))
    text = theano.printing.debugprint(y, file="str")
    assert "AXPBOp{a=4, b=5}" in text and "DoubleOp1" in text
    assert "DoubleOp1" in theano.pp(y) and "AXPBOp" in theano.pp(y)
    f = theano.function([x], y)
    assert "AXPBOp{a=4, b=5}" in theano.printing.debugprint(f, file="str")


def test_rewrites_work_around_python_ops():
    """Native rewrites see through Python op nodes: x * 1 and constant folding around them."""
    x = T.dvector("x")
    y = DoubleOp1()(x * 1) + (T.constant(2.0) * 3)
    f = theano.function([x], y)
    ops = [str(n.op) for n in f.maker.fgraph.toposort()]
    assert not any("mul" in s for s in ops), ops
    np.testing.assert_allclose(f(np.arange(3.0)), np.arange(3.0) * 2 + 6)


def test_constant_folding_runs_the_python_op_unless_told_not_to():
    calls = []

    class Counted(DoubleOp1):
        def perform(self, node, inputs, output_storage):
            calls.append(1)
            output_storage[0][0] = inputs[0] * 2

    class NoFold(Counted):
        def do_constant_folding(self, node):
            return False

    x = T.dvector("x")
    f = theano.function([x], x + Counted()(T.constant(np.arange(3.0))))
    folded = len(calls)
    assert folded == 1 and _count(f, Counted) == 0
    np.testing.assert_allclose(f(np.zeros(3)), [0, 2, 4])
    g = theano.function([x], x + NoFold()(T.constant(np.arange(3.0))))
    assert _count(g, NoFold) == 1
    np.testing.assert_allclose(g(np.zeros(3)), [0, 2, 4])


# ---- several outputs ---------------------------------------------------------------------

class SumDiff(theano.Op):
    """The manual's exercise: two outputs, x + y and x - y."""
    __props__ = ()

    def make_node(self, x, y):
        x, y = T.as_tensor_variable(x), T.as_tensor_variable(y)
        return theano.Apply(self, [x, y], [x.type(), x.type()])

    def perform(self, node, inputs, output_storage):
        x, y = inputs
        output_storage[0][0] = x + y
        output_storage[1][0] = x - y

    def infer_shape(self, node, shapes):
        return [shapes[0], shapes[0]]

    def grad(self, inputs, output_grads):
        gs, gd = output_grads
        # An output the cost does not use gets a DisconnectedType gradient (as in Theano).
        if isinstance(gs.type, DisconnectedType):
            gs = T.zeros_like(inputs[0])
        if isinstance(gd.type, DisconnectedType):
            gd = T.zeros_like(inputs[0])
        return [gs + gd, gs - gd]

    def R_op(self, inputs, eval_points):
        ex, ey = eval_points
        return [ex + ey, ex - ey]


def test_several_outputs_values_grad_and_rop():
    x, y = T.dvectors("x", "y")
    s, d = SumDiff()(x, y)
    f = theano.function([x, y], [s, d])
    xv, yv = rng.rand(4), rng.rand(4)
    a, b = f(xv, yv)
    np.testing.assert_allclose(a, xv + yv)
    np.testing.assert_allclose(b, xv - yv)
    theano.gradient.verify_grad(lambda a, b: SumDiff()(a, b)[0] * SumDiff()(a, b)[1], [xv, yv])
    # only the difference is used: the sum's gradient reaches grad as DisconnectedType
    gx, gy = theano.grad(d.sum(), [x, y])
    gxv, gyv = theano.function([x, y], [gx, gy])(xv, yv)
    np.testing.assert_allclose(gxv, np.ones(4))
    np.testing.assert_allclose(gyv, -np.ones(4))
    ex, ey = T.dvectors("ex", "ey")
    rs, rd = theano.Rop([s, d], [x, y], [ex, ey])
    r = theano.function([x, y, ex, ey], [rs, rd], on_unused_input="ignore")(xv, yv, xv, 2 * yv)
    np.testing.assert_allclose(r[0], xv + 2 * yv)
    np.testing.assert_allclose(r[1], xv - 2 * yv)
    assert theano.function([x, y], d.shape)(xv, yv)[0] == 4


def test_connection_pattern_is_honoured():
    class FirstOnly(theano.Op):
        """Output = 2 * x; y only sets the length check, so it is disconnected."""
        __props__ = ()

        def make_node(self, x, y):
            return theano.Apply(self, [x, y], [x.type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] * 2

        def connection_pattern(self, node):
            return [[True], [False]]

        def grad(self, inputs, output_grads):
            return [output_grads[0] * 2, DisconnectedType()()]

    x, y = T.dvectors("x", "y")
    z = FirstOnly()(x, y).sum()
    with pytest.raises(theano.gradient.DisconnectedInputError):
        theano.grad(z, y)
    gy = theano.grad(z, y, disconnected_inputs="ignore")
    np.testing.assert_allclose(theano.function([x, y], gy, on_unused_input="ignore")(np.ones(2), np.ones(2)), 0)
    np.testing.assert_allclose(theano.function([x, y], theano.grad(z, x))(np.ones(2), np.ones(2)), 2)


# ---- view_map and destroy_map -----------------------------------------------------------

class Peek(theano.Op):
    """Records whether its two inputs share memory; outputs a copy of the first."""
    def __init__(self):
        self.seen = []

    def make_node(self, a, b):
        return theano.Apply(self, [a, b], [a.type()])

    def perform(self, node, inputs, output_storage):
        self.seen.append(np.shares_memory(inputs[0], inputs[1]))
        output_storage[0][0] = inputs[0] + inputs[1]


def _alias_op(declared):
    class Alias(theano.Op):
        __props__ = ()
        view_map = {0: [0]} if declared else {}

        def make_node(self, x):
            return theano.Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0][:]  # a view of the input
    return Alias()


@pytest.mark.parametrize("declared", [True, False])
def test_view_map_is_honoured(declared):
    x = T.dvector("x")
    t = x * 2
    peek = Peek()
    f = theano.function([x], peek(_alias_op(declared)(t), t))
    np.testing.assert_allclose(f(np.arange(3.0)), np.arange(3.0) * 4)
    # A declared view is passed through; an undeclared one is copied (the VM may reuse buffers).
    assert peek.seen == [declared]
    assert f.maker.fgraph.toposort()[1].op.view_map == ({0: [0]} if declared else {})


class AddOneInplace(theano.Op):
    __props__ = ()
    destroy_map = {0: [0]}

    def make_node(self, x):
        return theano.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        x += 1  # allowed: destroy_map says input 0 is overwritten
        output_storage[0][0] = x


def test_destroy_map_is_honoured():
    x = T.dvector("x")
    inp = np.arange(3.0)
    f = theano.function([x], AddOneInplace()(x * 2))
    np.testing.assert_allclose(f(inp), inp * 2 + 1)
    # The caller's array is never overwritten: the function works on a private copy.
    g = theano.function([x], AddOneInplace()(x))
    np.testing.assert_allclose(g(inp), inp + 1)
    np.testing.assert_allclose(inp, np.arange(3.0))
    assert AddOneInplace().destroy_map == {0: [0]}


def test_writing_an_input_without_destroy_map_raises():
    class Sneaky(theano.Op):
        __props__ = ()

        def make_node(self, x):
            return theano.Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            inputs[0] += 1
            output_storage[0][0] = inputs[0]

    x = T.dvector("x")
    f = theano.function([x], Sneaky()(x * 2))
    with pytest.raises(ValueError, match="read-only"):
        f(np.zeros(2))


def test_bad_view_map_is_a_clear_error():
    class BadMap(DoubleOp1):
        view_map = {3: [0]}
    with pytest.raises(ValueError, match=r"\[BadMap\] view_map names output 3 of 1"):
        BadMap()(T.dvector())


# ---- errors ----------------------------------------------------------------------------

def _op_storing(value_fn, otype=None):
    class Store(theano.Op):
        __props__ = ()

        def make_node(self, x):
            return theano.Apply(self, [x], [(otype or x.type)()])

        def perform(self, node, inputs, output_storage):
            v = value_fn(inputs[0])
            if v is not _NOTHING:
                output_storage[0][0] = v
    return Store()


_NOTHING = object()


@pytest.mark.parametrize("value_fn, exc, pattern", [
    (lambda x: (x * 2).astype(np.complex128), TypeError,
     r"\[Store\] perform stored a bad value for output 0 of type TensorType\(float64, vector\)"),
    (lambda x: np.zeros((2, 2)), TypeError, r"\[Store\] perform stored a bad value for output 0.*wrong number of dimensions"),
    (lambda x: "a string", TypeError, r"\[Store\] perform stored a bad value for output 0"),
    (lambda x: _NOTHING, ValueError, r"\[Store\] perform stored no value for output 0"),
])
def test_perform_storing_a_wrong_value_is_a_clear_error(value_fn, exc, pattern):
    x = T.dvector("x")
    f = theano.function([x], _op_storing(value_fn)(x))
    with pytest.raises(exc, match=pattern) as e:
        f(np.ones(3))
    assert "Apply node that caused the error: Store(x)" in str(e.value)


def test_perform_storing_a_safe_upcast_converts():
    x = T.dvector("x")
    f = theano.function([x], _op_storing(lambda x: np.arange(3, dtype=np.int32))(x))
    out = f(np.ones(3))
    assert out.dtype == np.float64 and list(out) == [0, 1, 2]


def test_make_node_returning_garbage_is_a_type_error():
    class Garbage(theano.Op):
        def make_node(self, x):
            return [x]

        def perform(self, node, inputs, output_storage):
            pass
    with pytest.raises(TypeError, match=r"\[Garbage\] make_node must return an Apply"):
        Garbage()(T.dvector())
    with pytest.raises(TypeError, match=r"\[Apply\] inputs must be Variables"):
        theano.Apply(DoubleOp1(), [np.zeros(2)], [T.dvector()])
    with pytest.raises(TypeError, match=r"\[Apply\] .* is a native op"):
        x = T.dvector()
        theano.Apply((x + 1).owner.op, [x], [x.type()])


class Boom(Exception):
    pass


def test_exception_in_perform_propagates_with_its_type_and_the_node():
    class Raises(DoubleOp1):
        def perform(self, node, inputs, output_storage):
            if inputs[0][0] < 0:
                raise ZeroDivisionError("negative first entry")
            if inputs[0][0] > 10:
                raise Boom("too big")
            output_storage[0][0] = inputs[0] * 2

    x = T.dvector("x")
    f = theano.function([x], Raises()(x) + 1)
    with pytest.raises(ZeroDivisionError, match="negative first entry") as e:
        f(-np.ones(2))
    msg = str(e.value)
    assert "Apply node that caused the error: Raises(x)" in msg and "Inputs shapes: [(2,)]" in msg
    assert any("perform" in str(tb.name) for tb in e.traceback)  # the user's frame is kept
    with pytest.raises(Boom, match="too big"):
        f(np.full(2, 20.0))
    np.testing.assert_allclose(f(np.ones(2)), 3)  # the function still works afterwards
    with pytest.raises(ZeroDivisionError):
        (Raises()(x)).eval({x: -np.ones(2)})


def test_unhashable_op_is_a_type_error():
    class Unhashable(DoubleNoProps):
        def __eq__(self, other):
            return type(self) == type(other)
    with pytest.raises(TypeError, match=r"\[Unhashable\] a Python op must be hashable"):
        Unhashable()(T.dvector())


def test_bad_infer_shape_and_grad_results_are_clear_errors():
    class BadShape(DoubleOp1):
        def infer_shape(self, node, shapes):
            return [(1.5,)]

    class BadGrad(DoubleOp1):
        def grad(self, inputs, output_grads):
            return output_grads[0]

    x = T.dvector("x")
    f = theano.function([x], BadShape()(x).shape)  # a failed inference leaves the op to run
    assert tuple(f(np.ones(3))) == (3,)
    with pytest.raises(TypeError, match=r"\[BadGrad\] grad must return a list of 1 variables"):
        theano.grad(BadGrad()(x).sum(), x)


# ---- training with a Python op -------------------------------------------------------------

class Scale(theano.Op):
    """y = w * x for a matrix x and a vector w over its columns (a Python elementwise scale)."""
    __props__ = ()

    def make_node(self, x, w):
        x, w = T.as_tensor_variable(x), T.as_tensor_variable(w)
        return theano.Apply(self, [x, w], [x.type()])

    def perform(self, node, inputs, output_storage):
        x, w = inputs
        output_storage[0][0] = x * w

    def grad(self, inputs, output_grads):
        x, w = inputs
        g = output_grads[0]
        return [g * w, (g * x).sum(axis=0)]


def test_python_op_trains_inside_a_compiled_function():
    """SGD on shared weights through a Python op: the loss goes down and matches numpy."""
    X = rng.rand(20, 3)
    target = X @ np.array([1.0, -2.0, 0.5])
    w0 = np.zeros(3)
    w = theano.shared(w0.copy(), name="w")
    x, t = T.dmatrix("x"), T.dvector("t")
    pred = Scale()(x, w).sum(axis=1)
    loss = ((pred - t) ** 2).mean()
    gw = theano.grad(loss, w)
    lr = 0.1
    train = theano.function([x, t], loss, updates=[(w, w - lr * gw)])
    wn, losses, ref = w0.copy(), [], []
    for _ in range(30):
        losses.append(float(train(X, target)))
        r = X @ wn - target
        ref.append((r ** 2).mean())
        wn = wn - lr * (2.0 / len(X)) * (X * r[:, None]).sum(axis=0)
    np.testing.assert_allclose(losses, ref, rtol=1e-10)
    np.testing.assert_allclose(w.get_value(), wn, rtol=1e-10)
    assert losses[-1] < 0.5 * losses[0]


# ---- as_op --------------------------------------------------------------------------------

def infer_shape_numpy_dot(node, input_shapes):
    ashp, bshp = input_shapes
    return [ashp[:-1] + bshp[-1:]]


@theano.compile.ops.as_op(itypes=[theano.tensor.fmatrix, theano.tensor.fmatrix],
                          otypes=[theano.tensor.fmatrix], infer_shape=infer_shape_numpy_dot)
def numpy_dot(a, b):
    return np.dot(a, b)


def test_as_op_manual_example():
    x = theano.tensor.fmatrix()
    y = theano.tensor.fmatrix()
    f = theano.function([x, y], numpy_dot(x, y))
    inp1 = np.random.rand(5, 4).astype("float32")
    inp2 = np.random.rand(4, 7).astype("float32")
    out = f(inp1, inp2)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, np.dot(inp1, inp2), rtol=1e-6)
    shape_f = theano.function([x, y], numpy_dot(x, y).shape)
    assert not any("FromFunctionOp" in str(n.op) for n in shape_f.maker.fgraph.toposort())
    assert tuple(shape_f(inp1, inp2)) == (5, 7)
    assert str(numpy_dot) == "FromFunctionOp{numpy_dot}"


def test_as_op_exercise_add_subtract_two_outputs():
    @theano.as_op(itypes=[T.dvector, T.dvector], otypes=[T.dvector, T.dvector])
    def add_sub(a, b):
        return np.add(a, b), np.subtract(a, b)

    @theano.as_op(itypes=[T.dvector, T.dvector], otypes=[T.dvector])
    def numpy_add(a, b):
        return np.add(a, b)

    a, b = T.dvectors("a", "b")
    s, d = add_sub(a, b)
    av, bv = np.arange(3.0), np.ones(3)
    r = theano.function([a, b], [s, d, numpy_add(a, b)])(av, bv)
    np.testing.assert_allclose(r[0], av + bv)
    np.testing.assert_allclose(r[1], av - bv)
    np.testing.assert_allclose(r[2], av + bv)
    # no grad is defined: differentiating through it is a NullTypeGradError
    with pytest.raises(theano.gradient.NullTypeGradError):
        theano.grad(numpy_add(a, b).sum(), a)
    with pytest.raises(TypeError, match=r"\[as_op\] itypes and otypes must be Types"):
        theano.as_op(itypes=["float64"], otypes=[T.dvector])


def test_as_op_ops_merge_by_function():
    x = T.dmatrix("x")
    y = T.dmatrix("y")
    xf, yf = T.fmatrix("xf"), T.fmatrix("yf")
    f = theano.function([xf, yf], [numpy_dot(xf, yf), numpy_dot(xf, yf)])
    assert sum("FromFunctionOp" in str(n.op) for n in f.maker.fgraph.toposort()) == 1
    del x, y


# ---- sparse values ---------------------------------------------------------------------

class SparseRowSums(theano.Op):
    """A csr matrix in, its dense row sums and the matrix doubled (sparse) out."""
    __props__ = ()

    def make_node(self, x):
        return theano.Apply(self, [x], [T.dvector(), x.type()])

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        output_storage[0][0] = np.asarray(x.sum(axis=1)).ravel()
        output_storage[1][0] = x * 2


def test_sparse_inputs_and_outputs():
    import scipy.sparse as sp
    from hypatia import sparse
    x = sparse.csr_matrix("x", dtype="float64")
    s, d = SparseRowSums()(x)
    f = theano.function([x], [s, d])
    m = sp.random(5, 4, density=0.4, format="csr", random_state=3)
    rows, doubled = f(m)
    np.testing.assert_allclose(rows, np.asarray(m.sum(axis=1)).ravel())
    assert sp.issparse(doubled) and doubled.format == "csr"
    np.testing.assert_allclose(doubled.toarray(), 2 * m.toarray())

    class EditsInPlace(SparseRowSums):
        def perform(self, node, inputs, output_storage):
            inputs[0].data[:] = 0  # not declared in destroy_map
    g = theano.function([x], EditsInPlace()(x))
    with pytest.raises(ValueError, match="read-only"):
        g(m)


def test_perform_changing_output_storage_is_a_value_error():
    class Shrinks(DoubleOp1):
        def perform(self, node, inputs, output_storage):
            output_storage.pop()

    class Replaces(DoubleOp1):
        def perform(self, node, inputs, output_storage):
            output_storage[0] = inputs[0] * 2

    x = T.dvector("x")
    with pytest.raises(ValueError, match=r"\[Shrinks\] perform changed the length of output_storage"):
        theano.function([x], Shrinks()(x))(np.ones(2))
    with pytest.raises(ValueError, match=r"\[Replaces\] perform replaced output_storage\[0\]"):
        theano.function([x], Replaces()(x))(np.ones(2))


def test_an_op_raising_during_constant_folding_raises_when_called():
    class FailsOnConstants(DoubleOp1):
        def perform(self, node, inputs, output_storage):
            raise RuntimeError("cannot run on %s" % (inputs[0].shape,))

    f = theano.function([], FailsOnConstants()(T.constant(np.ones(3))))  # folding fails: left to run time
    with pytest.raises(RuntimeError, match=r"cannot run on \(3,\)"):
        f()


def test_l_op_with_outputs_and_grad_undefined():
    class ExpOp(theano.Op):
        """exp(x), its gradient from its own output (L_op); the second input has no gradient."""
        __props__ = ()

        def make_node(self, x, k):
            return theano.Apply(self, [x, k], [x.type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = np.exp(inputs[0])

        def L_op(self, inputs, outputs, output_grads):
            return [output_grads[0] * outputs[0],
                    theano.gradient.grad_undefined(self, 1, inputs[1], "k is a label")]

    x, k = T.dvector("x"), T.dvector("k")
    y = ExpOp()(x, k)
    xv = rng.rand(3)
    gx = theano.function([x, k], theano.grad(y.sum(), x), on_unused_input="ignore")(xv, xv)
    np.testing.assert_allclose(gx, np.exp(xv))
    theano.gradient.verify_grad(lambda a: ExpOp()(a, T.constant(np.zeros(3))), [xv])
    with pytest.raises(theano.gradient.NullTypeGradError, match="mathematically undefined. k is a label"):
        theano.grad(y.sum(), k)


def test_op_is_one_class_under_every_path():
    import hypatia.graph.op
    assert hypatia.Op is hypatia.gof.Op is hypatia.graph.op.Op
    assert theano.as_op is theano.compile.ops.as_op
