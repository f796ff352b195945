"""hypatia.gof: Theano's graph toolkit names; ``Op`` is the base class of ops written in Python.

A Python op subclasses ``Op`` as in Theano's "Extending Theano": ``make_node`` (or ``itypes``
and ``otypes``), ``perform``, and optionally ``grad``/``L_op``, ``R_op``, ``infer_shape``,
``connection_pattern``, ``view_map``/``destroy_map``, ``do_constant_folding`` and
``__props__``. Its nodes run inside compiled functions (the native VM calls ``perform`` with
the GIL taken for that node only), differentiate, merge, print and are rewritten like native
ops'. Native ops are instances of ``Op`` too (``isinstance(node.op, hypatia.Op)``).
"""
import abc

from . import _core
from ._core import Apply, Variable, Type, FunctionGraph  # noqa: F401 - Theano's gof names

__all__ = ["Op", "Apply", "Variable", "Type", "FunctionGraph", "local_optimizer"]


def _as_variable(x):
    return x if isinstance(x, _core.Variable) else _core.tensor.as_tensor_variable(x)


class Op(metaclass=abc.ABCMeta):
    """Base class of ops written in Python (theano.Op / theano.gof.Op).

    ``__props__`` (a tuple of attribute names) gives equality, hashing and the printed form:
    two ops are equal when they are of the same class with equal property values, so merge
    fuses their nodes. Without ``__props__`` an op equals only itself.

    The constructor accepts and ignores any arguments (a subclass defines its own). Raises
    from the default methods: ``make_node`` raises NotImplementedError when the op defines
    neither ``make_node`` nor ``itypes``/``otypes``, ValueError for the wrong number of inputs
    and TypeError for an input of the wrong type; calling the op raises TypeError for an
    unexpected keyword argument or a ``make_node`` that returns no Apply; ``perform`` and
    ``R_op`` raise NotImplementedError until a subclass defines them.
    """

    #: {output index: [input indices]}: outputs that are views of inputs.
    view_map = {}
    #: {output index: [input indices]}: outputs computed by overwriting inputs.
    destroy_map = {}
    #: Input and output Types, used by the default make_node when the op defines none.
    itypes = None
    otypes = None

    def __init__(self, *args, **kwargs):
        pass

    def make_node(self, *inputs):
        """The Apply node of this op on ``inputs``; the default checks them against ``itypes``
        and makes outputs of the ``otypes``."""
        name = type(self).__name__
        if self.itypes is None or self.otypes is None:
            raise NotImplementedError("[%s] define make_node, or itypes and otypes" % name)
        if len(inputs) != len(self.itypes):
            raise ValueError("[%s] expected %d inputs, got %d" % (name, len(self.itypes), len(inputs)))
        inputs = [_as_variable(x) for x in inputs]
        for i, (x, t) in enumerate(zip(inputs, self.itypes)):
            if x.type != t:
                raise TypeError("[%s] input %d must be of type %s, got %s of type %s" % (name, i, t, x, x.type))
        return Apply(self, inputs, [t() for t in self.otypes])

    def __call__(self, *inputs, **kwargs):
        """Builds this op's node on ``inputs`` and returns its output (a list when several)."""
        return_list = kwargs.pop("return_list", False)
        if kwargs:
            raise TypeError("[%s] unexpected keyword arguments %s" % (type(self).__name__, sorted(kwargs)))
        node = self.make_node(*inputs)
        if not isinstance(node, Apply):
            raise TypeError("[%s] make_node must return an Apply (hypatia.Apply(op, inputs, outputs)), got %r"
                            % (type(self).__name__, node))
        outs = node.outputs
        return outs if return_list or len(outs) != 1 else outs[0]

    def perform(self, node, inputs, output_storage):
        """Computes the outputs: stores output i in ``output_storage[i][0]``."""
        raise NotImplementedError("[%s] perform is not implemented" % type(self).__name__)

    def L_op(self, inputs, outputs, output_grads):
        """Theano's L_op: by default ``grad(inputs, output_grads)``."""
        return self.grad(inputs, output_grads)

    def grad(self, inputs, output_grads):
        """The gradients of the inputs; by default not implemented (NullType gradients)."""
        from .gradient import grad_not_implemented
        return [grad_not_implemented(self, i, x) for i, x in enumerate(inputs)]

    def R_op(self, inputs, eval_points):
        """Theano's R_op: the outputs' directional derivatives (not implemented by default)."""
        raise NotImplementedError("[%s] R_op is not implemented" % type(self).__name__)

    def do_constant_folding(self, node):
        """Whether constant folding may run this node at compile time."""
        return True

    def _props(self):
        return tuple(getattr(self, p) for p in self.__props__)

    def _props_dict(self):
        return {p: getattr(self, p) for p in self.__props__}

    def __eq__(self, other):
        if not hasattr(self, "__props__"):
            return self is other
        return type(self) == type(other) and self._props() == other._props()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        if not hasattr(self, "__props__"):
            return object.__hash__(self)
        return hash((type(self), self._props()))

    def __str__(self):
        props = getattr(self, "__props__", ())
        if not props:
            return type(self).__name__
        return "%s{%s}" % (type(self).__name__, ", ".join("%s=%r" % (p, getattr(self, p)) for p in props))

    __repr__ = __str__


Op.register(_core.Op)  # native ops are hypatia.Op instances too


def local_optimizer(tracks, inplace=False, requirements=()):
    """Decorator making a local rewrite from ``fn(node)`` (theano.gof.local_optimizer).

    ``fn`` returns False/None (no change), or a list of replacements for node.outputs.
    ``tracks`` lists the op classes or instances the rewrite applies to (None: every node).
    ``inplace`` and ``requirements`` are accepted for Theano's signature and ignored (the
    rewrite's replacements are checked by the graph, not by declared requirements).
    Raises TypeError, when the decorator is applied, for a ``tracks`` that is neither None
    nor iterable.
    """
    def decorator(fn):
        return LocalOptimizer(fn, tracks)
    return decorator


class LocalOptimizer(object):
    """A local rewrite written in Python: ``transform(node)`` returns False or replacements."""

    def __init__(self, fn, tracks):
        self.fn = fn
        self.__name__ = getattr(fn, "__name__", "local_python")
        self._tracks = None if tracks is None else list(tracks)

    def tracks(self):
        return self._tracks

    def applies_to(self, op):
        if self._tracks is None:
            return True
        for t in self._tracks:
            if isinstance(t, type):
                if isinstance(op, t):
                    return True
            elif op == t:
                return True
        return False

    def transform(self, node):
        return self.fn(node)

    def __call__(self, node):
        return self.transform(node)

    def __str__(self):
        return self.__name__
