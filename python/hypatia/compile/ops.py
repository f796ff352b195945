"""hypatia.compile.ops: as_op, the decorator making an op of a Python function (theano.compile.ops)."""
from ..gof import Op


class FromFunctionOp(Op):
    """The op that ``as_op`` builds: ``perform`` calls ``fn`` on the input values.

    No gradient is defined; ``infer_shape(node, input_shapes)`` is used when given. Two such ops
    are equal when they wrap the same function with the same types and infer_shape.

    ``itypes`` and ``otypes`` are the input and output Types. Calling the op raises TypeError
    when the inputs do not have the ``itypes``; the compiled function raises what ``fn`` raises,
    and TypeError when its result does not fit the ``otypes``.
    """

    def __init__(self, fn, itypes, otypes, infer_shape):
        self._fn = fn
        self.itypes = list(itypes)
        self.otypes = list(otypes)
        self._infer_shape_fn = infer_shape
        if infer_shape is not None:
            self.infer_shape = self._infer_shape
        self.__name__ = getattr(fn, "__name__", type(self).__name__)
        self.__doc__ = getattr(fn, "__doc__", None)

    def __eq__(self, other):
        return (type(self) == type(other) and self._fn == other._fn and self.itypes == other.itypes
                and self.otypes == other.otypes and self._infer_shape_fn == other._infer_shape_fn)

    def __hash__(self):
        return hash((type(self), self._fn, tuple(self.itypes), tuple(self.otypes), self._infer_shape_fn))

    def __str__(self):
        return "FromFunctionOp{%s}" % self.__name__

    __repr__ = __str__

    def perform(self, node, inputs, outputs):
        outs = self._fn(*inputs)
        if not isinstance(outs, (list, tuple)):
            outs = (outs,)
        if len(outs) != len(outputs):
            raise ValueError("[%s] the function returned %d values for %d outputs" % (self, len(outs), len(outputs)))
        for cell, value in zip(outputs, outs):
            cell[0] = value

    def _infer_shape(self, node, input_shapes):
        return self._infer_shape_fn(node, input_shapes)


def as_op(itypes, otypes, infer_shape=None):
    """Decorator turning a Python function into an op (theano.compile.ops.as_op).

    ``itypes`` and ``otypes`` list the input and output Types; the function takes the input
    values (numpy arrays) and returns the output value (a list or tuple for several). It must
    return new memory, not views of its inputs. ``infer_shape(node, input_shapes)``, when
    given, returns the output shapes from the input shapes.

    Raises TypeError when ``itypes`` or ``otypes`` are not Types; the op it makes raises as
    FromFunctionOp.
    """
    if not isinstance(itypes, (list, tuple)):
        itypes = [itypes]
    if not isinstance(otypes, (list, tuple)):
        otypes = [otypes]
    for t in list(itypes) + list(otypes):
        if not callable(t) or not hasattr(t, "ndim"):
            raise TypeError("[as_op] itypes and otypes must be Types (e.g. hypatia.tensor.dmatrix), got %r" % (t,))
    if infer_shape is not None and not callable(infer_shape):
        raise TypeError("[as_op] infer_shape must be callable, got %r" % (infer_shape,))

    def make_op(fn):
        return FromFunctionOp(fn, itypes, otypes, infer_shape)
    return make_op
