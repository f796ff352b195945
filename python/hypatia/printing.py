"""hypatia.printing: debugprint, pprint and Graphviz export of graphs (theano.printing)."""
import sys

from . import _core


def _target(obj):
    if isinstance(obj, _core.Function):
        return obj.maker.fgraph
    return obj


def debugprint(obj, depth=-1, print_type=False, file=None, ids="CHAR", stop_on_name=False):
    """Print a graph one variable per line, children indented (theano.printing.debugprint).

    ``obj`` is a Variable, a list of Variables, a compiled Function or a FunctionGraph.
    ``file=None`` prints to stdout and returns None; ``file='str'`` returns the text; any
    other file-like object receives it.
    """
    obj = _target(obj)
    if isinstance(obj, _core.FunctionGraph):
        text = _core.debugprint_fgraph(obj, depth, print_type, ids, stop_on_name)
    else:
        vars_ = list(obj) if isinstance(obj, (list, tuple)) else [obj]
        text = _core.debugprint_vars(vars_, depth, print_type, ids, stop_on_name)
    if file == "str":
        return text
    (file or sys.stdout).write(text if text.endswith("\n") else text + "\n")
    return None


def pprint(var):
    """Math-like text of the expression computing ``var`` (theano.printing.pprint / pp)."""
    if isinstance(var, (list, tuple)):
        return "\n".join(_core.pprint(v) for v in var)
    return _core.pprint(var)


pp = pprint


def dot_graph(obj):
    """Graphviz dot text of a graph (variables as ellipses, apply nodes as boxes)."""
    obj = _target(obj)
    if isinstance(obj, _core.FunctionGraph):
        return _core.dot_graph_fgraph(obj)
    return _core.dot_graph_vars(list(obj) if isinstance(obj, (list, tuple)) else [obj])


def pydotprint(fct, outfile=None, **kwargs):
    """Write the graph as Graphviz dot text to ``outfile`` (default 'hypatia.pydotprint.dot').

    Theano rendered images through pydot; Hypatia writes the dot source, which ``dot -Tpng``
    turns into the same picture.
    """
    outfile = outfile or "hypatia.pydotprint.dot"
    with open(outfile, "w") as f:
        f.write(dot_graph(fct))
    return outfile


def _print_fn(op, xin):
    for attr in op.attrs:
        temp = getattr(xin, attr)
        pmsg = temp() if callable(temp) else temp
        print(op.message, attr, "=", pmsg)


class Print(object):
    """Identity op that prints ``message`` and attributes of its input each time it runs (theano.printing.Print).

    ``attrs`` names attributes or methods of the value (a numpy array or scipy matrix):
    '__str__' (default), 'shape', 'min', 'max', 'sum', ...; methods are called.
    ``global_fn(op, x)`` does the printing (default: print "message attr = value" to
    sys.stdout). The gradient passes through unchanged. Prints are never constant-folded,
    and two Print instances never merge.
    """

    def __init__(self, message="", attrs=("__str__",), global_fn=_print_fn):
        import types
        self.message = message
        self.attrs = tuple(attrs)
        self.global_fn = global_fn
        info = types.SimpleNamespace(message=message, attrs=self.attrs, global_fn=global_fn)
        # The callback holds the fields, not self, so no reference cycle runs through the op.
        self._op = _core.print_op(message, list(self.attrs), lambda x: info.global_fn(info, x))

    def __call__(self, x):
        """x, printed when the graph evaluates it."""
        return self._op(x)

    def make_node(self, x):
        """The Apply node of the print on x."""
        return self._op.make_node(x)

    def __str__(self):
        return "Print{%s}" % self.message
