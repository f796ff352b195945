"""hypatia.compile.builders: OpFromGraph, an op made of a graph, and clone (theano.compile.builders, theano.clone)."""
from .. import _core


def _override(x, what):
    """Theano's grad_overrides / rop_overrides in the form the native op takes."""
    from ..gradient import NullType, DisconnectedType
    if x is None or (isinstance(x, str) and x == "default"):
        return None
    if isinstance(x, str):
        raise ValueError("[OpFromGraph] %s must be 'default', an OpFromGraph, a callable or a list, got %r" % (what, x))
    if isinstance(x, OpFromGraph):
        return x._op
    if isinstance(x, (list, tuple)):
        out = []
        for e in x:
            if isinstance(e, OpFromGraph):
                out.append(e._op)
            elif isinstance(e, NullType) or e is NullType:
                out.append("null")
            elif isinstance(e, DisconnectedType) or e is DisconnectedType:
                out.append("disconnected")
            elif isinstance(e, str) and e != "default":
                raise ValueError("[OpFromGraph] %s entries must be 'default', callables, OpFromGraph, NullType() "
                                 "or DisconnectedType(), got %r" % (what, e))
            else:
                out.append(e)
        return out
    return x


class OpFromGraph(object):
    """An op whose computation is the graph from ``inputs`` to ``outputs`` (theano.compile.builders.OpFromGraph).

    Calling the op on variables builds a node; it can be used many times, nested, and
    differentiated. Shared variables (and other free variables) the outputs use become
    implicit inputs. ``inline=True`` replaces each node by the inner graph when a function is
    compiled (rewrite local_inline_ofg); otherwise the inner graph, rewritten with the
    function's mode, runs as one node. ``grad_overrides`` / ``rop_overrides``: 'default', an
    OpFromGraph, a callable ``(inputs, output_grads) -> grads`` (``(inputs, eval_points) ->
    R_ops``), or a list (one entry per input for grad, per output for R_op) of 'default',
    callables returning one variable, NullType() or DisconnectedType(). Two OpFromGraphs are
    equal only when they are the same object.

    ``connection_pattern`` (a list per input of bools per output) overrides which outputs depend
    on which inputs; ``name`` names the op in printing. Raises TypeError when an input is not a Variable,
    ``outputs`` is not a list of variables, or updates, givens or unknown keywords are passed.
    """

    def __init__(self, inputs, outputs, inline=False, grad_overrides="default", rop_overrides="default",
                 connection_pattern=None, name=None, **kwargs):
        if "updates" in kwargs or "givens" in kwargs:
            raise TypeError("[OpFromGraph] updates and givens are not allowed here")
        if kwargs:
            raise TypeError("[OpFromGraph] unexpected keyword arguments: %s" % ", ".join(sorted(kwargs)))
        if not isinstance(outputs, (list, tuple)):
            raise TypeError("[OpFromGraph] outputs must be a list of variables, got %r" % (outputs,))
        if not isinstance(inputs, (list, tuple)):
            raise TypeError("[OpFromGraph] inputs must be a list of variables, got %r" % (inputs,))
        for v in list(inputs) + list(outputs):
            if not isinstance(v, _core.Variable):
                raise TypeError("[OpFromGraph] inputs and outputs must be Variable instances, got %r" % (v,))
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.is_inline = bool(inline)
        self.name = name
        self._op = _core.op_from_graph(self.inputs, self.outputs, self.is_inline,
                                       _override(grad_overrides, "grad_overrides"),
                                       _override(rop_overrides, "rop_overrides"),
                                       None if connection_pattern is None else [list(map(bool, r)) for r in connection_pattern],
                                       name)

    def __call__(self, *inputs, **kwargs):
        """Applies the op: one output variable, or a list when it has several (or return_list=True)."""
        return_list = kwargs.pop("return_list", False)
        if kwargs:
            raise TypeError("[OpFromGraph] unexpected keyword arguments: %s" % ", ".join(sorted(kwargs)))
        out = self._op(*inputs)
        if return_list and not isinstance(out, list):
            return [out]
        return out

    def make_node(self, *inputs):
        """The Apply node of the op on these inputs."""
        return self._op.make_node(*inputs)

    @property
    def op(self):
        """The native op (what the nodes of a graph carry)."""
        return self._op

    @property
    def fgraph(self):
        """The inner FunctionGraph (over copies of the inputs, explicit then implicit)."""
        return _core.ofg_inner(self._op)

    @property
    def shared_inputs(self):
        """The shared variables the outputs use (appended to every node's inputs)."""
        return [v for v in _core.ofg_implicit_inputs(self._op) if v.is_shared]

    @property
    def implicit_inputs(self):
        """Every variable appended to the nodes' inputs: shared and other free variables."""
        return list(_core.ofg_implicit_inputs(self._op))

    def __str__(self):
        return str(self._op)

    __repr__ = __str__


def clone(output, replace=None, strict=True, share_inputs=True, copy_inputs=None):
    """A copy of the graph computing ``output`` with ``replace`` ({old: new} or pairs) applied (theano.clone).

    ``strict``: rebuilt nodes must keep their types. ``share_inputs=False`` also copies the
    root variables (a copied shared variable keeps the same storage). ``copy_inputs`` is
    Theano's deprecated name for share_inputs. Returns a variable, or a list for a list.

    Raises TypeError when a replacement's type differs from the replaced variable's (and, with
    ``strict``, when a rebuilt node's output type would change).
    """
    if copy_inputs is not None:
        share_inputs = copy_inputs
    if replace is None:
        pairs = []
    elif hasattr(replace, "items"):
        pairs = list(replace.items())
    else:
        pairs = list(replace)
    fixed = []
    for k, v in pairs:
        if not isinstance(k, _core.Variable):
            raise TypeError("[clone] replace keys must be variables, got %r" % (k,))
        if not isinstance(v, _core.Variable):
            v = _core.tensor.as_tensor_variable(v)
        fixed.append((k, v))
    single = not isinstance(output, (list, tuple))
    outs = _core.clone([output] if single else list(output), fixed, bool(strict), bool(share_inputs))
    if single:
        return outs[0]
    return tuple(outs) if isinstance(output, tuple) else list(outs)
