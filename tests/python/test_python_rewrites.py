"""Local rewrites written in Python (the manual's "Graph optimization"): local_optimizer and
register_canonicalize / register_specialize, run by the native pipeline around Python ops."""
import numpy as np
import pytest

import hypatia as theano
import hypatia.tensor as T
from hypatia.gof import local_optimizer
from hypatia.tensor.opt import register_canonicalize, register_specialize


class Twice(theano.Op):
    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return theano.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * 2


class Times(theano.Op):
    __props__ = ("k",)

    def __init__(self, k):
        self.k = k

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return theano.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * self.k


class Slow(Times):
    """Specialized into Times by a rewrite."""


@register_canonicalize
@local_optimizer([Twice])
def local_twice_twice(node):
    """Twice(Twice(x)) -> Times{k=4}(x)."""
    x = node.inputs[0]
    if x.owner is not None and isinstance(x.owner.op, Twice):
        return [Times(4)(x.owner.inputs[0])]
    return False


@register_specialize
@local_optimizer([Slow])
def local_slow_to_times(node):
    return [Times(node.op.k)(node.inputs[0])]


def _ops(f):
    return [str(n.op) for n in f.maker.fgraph.toposort()]


def test_canonicalize_rewrite_fires_in_fast_run():
    x = T.dvector("x")
    f = theano.function([x], Twice()(Twice()(x)))
    assert _ops(f) == ["Times{k=4}"]
    np.testing.assert_allclose(f(np.arange(3.0)), 4 * np.arange(3.0))
    # FAST_COMPILE runs the rewrites tagged fast_compile only: the graph stays as written.
    g = theano.function([x], Twice()(Twice()(x)), mode="FAST_COMPILE")
    assert _ops(g) == ["Twice", "Twice"]
    np.testing.assert_allclose(g(np.arange(3.0)), 4 * np.arange(3.0))


def test_specialize_rewrite_and_native_rewrites_together():
    x = T.dvector("x")
    f = theano.function([x], Slow(3)(x) * 1 + Twice()(Twice()(x)))
    ops = _ops(f)
    assert "Times{k=3}" in ops and "Times{k=4}" in ops and not any(o.startswith("Slow") for o in ops)
    np.testing.assert_allclose(f(np.arange(3.0)), 7 * np.arange(3.0))


def test_registering_a_name_twice_is_an_error():
    with pytest.raises(ValueError, match="'local_twice_twice' is already registered in canonicalize"):
        register_canonicalize(local_twice_twice)
    with pytest.raises(TypeError, match=r"\[register_canonicalize\] expected a local rewrite"):
        register_canonicalize(lambda node: False, name="local_lambda")


class Odd(Twice):
    pass


@register_canonicalize
@local_optimizer([Odd])
def local_bad_replacement_count(node):
    return [node.inputs[0], node.inputs[0]]


def test_a_rewrite_returning_the_wrong_number_of_outputs_is_a_type_error():
    x = T.dvector("x")
    with pytest.raises(TypeError, match=r"\[local_bad_replacement_count\] a local rewrite returns False or a list of 1"):
        theano.function([x], Odd()(x))


# ---- the manual's Fibby example ("Writing an Optimization") ------------------------------

from hypatia.tensor.opt import get_scalar_constant_value, NotScalarConstantError  # noqa: E402


class Fibby(theano.Op):
    """An arbitrarily generalized Fibbonacci sequence."""
    __props__ = ()

    def make_node(self, x):
        x_ = T.as_tensor_variable(x)
        assert x_.ndim == 1
        return theano.Apply(self, inputs=[x_], outputs=[x_.type()])

    def perform(self, node, inputs, output_storage):
        x, = inputs
        y = output_storage[0][0] = x.copy()
        for i in range(2, len(x)):
            y[i] = y[i - 1] * y[i - 2] + x[i]


fibby = Fibby()


# Remove any fibby(zeros(...))
@theano.tensor.opt.register_specialize
@theano.gof.local_optimizer([fibby])
def fibby_of_zero(node):
    if node.op == fibby:
        x = node.inputs[0]
        try:
            if np.all(0 == get_scalar_constant_value(x)):
                return [x]
        except NotScalarConstantError:
            pass


def test_fibby_optimization_applies_only_when_needed():
    x = T.dvector()
    f = theano.function([x], fibby(x))
    xv = np.random.rand(5)
    y = xv.copy()
    for i in range(2, 5):
        y[i] = y[i - 1] * y[i - 2] + xv[i]
    np.testing.assert_allclose(f(xv), y)
    topo = f.maker.fgraph.toposort()
    assert len(topo) == 1
    assert isinstance(topo[0].op, Fibby)
    # the optimization applies to fibby(zeros): the Fibby op is gone
    f_zero = theano.function([], fibby(T.zeros([5])))
    np.testing.assert_array_equal(f_zero(), np.zeros(5))
    assert not any(isinstance(n.op, Fibby) for n in f_zero.maker.fgraph.toposort())
    with pytest.raises(NotScalarConstantError):
        get_scalar_constant_value(x)
    assert get_scalar_constant_value(T.constant(np.full(3, 2.5))) == 2.5
