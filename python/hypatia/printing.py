"""hypatia.printing: debugprint, pprint and Graphviz export of graphs (theano.printing)."""
import sys

from . import _core


def _target(obj):
    if isinstance(obj, _core.Function):
        return obj.maker.fgraph
    return obj


def _graph_of(obj, who):
    """A FunctionGraph or a list of Variables for a Function, FunctionGraph, Variable, Apply or list."""
    obj = _target(obj)
    if isinstance(obj, _core.FunctionGraph):
        return obj
    if isinstance(obj, _core.Apply):
        return list(obj.outputs)
    vars_ = list(obj) if isinstance(obj, (list, tuple)) else [obj]
    for v in vars_:
        if not isinstance(v, _core.Variable):
            raise TypeError("[%s] expected a Function, FunctionGraph, Variable, Apply or list of Variables, got %s"
                            % (who, type(v).__name__))
    return vars_


def debugprint(obj, depth=-1, print_type=False, file=None, ids="CHAR", stop_on_name=False, done=None,
               print_storage=False, print_clients=False, used_ids=None):
    """Print a graph one variable per line, children indented (theano.printing.debugprint).

    ``obj`` is a Variable, an Apply, a list of Variables, a compiled Function or a
    FunctionGraph. ``depth`` limits the levels shown (-1: all); ``print_type`` adds each
    variable's type; ``ids`` is 'CHAR' ([id A]), 'int' ([id 0]), 'id' (the node's address)
    or '' (none); ``stop_on_name`` does not expand below named variables; ``done`` (a dict)
    collects the ids of printed nodes so that several calls share ids and print a node's
    inputs once; ``used_ids`` (a dict) holds ids given to nodes only referred to;
    ``print_clients`` lists the clients of nodes used more than once; ``print_storage`` shows
    the values of constants and shared variables. ``file=None`` prints to stdout, ``file='str'``
    returns the text; any other file-like object receives it and is returned.

    Raises TypeError when ``obj`` is none of the kinds listed.
    """
    for name, d in (("done", done), ("used_ids", used_ids)):
        if d is not None and not isinstance(d, dict):
            raise TypeError("[debugprint] %s must be a dict or None, got %s" % (name, type(d).__name__))
    if not isinstance(depth, int):
        raise TypeError("[debugprint] depth must be an int (-1 for unlimited), got %s" % type(depth).__name__)
    graph = _graph_of(obj, "debugprint")
    args = (depth, bool(print_type), ids, bool(stop_on_name), done, used_ids, bool(print_clients),
            bool(print_storage))
    if isinstance(graph, _core.FunctionGraph):
        text = _core.debugprint_fgraph(graph, *args)
    else:
        text = _core.debugprint_vars(graph, *args)
    if file == "str":
        return text
    out = sys.stdout if file is None else file
    if not hasattr(out, "write"):
        raise TypeError("[debugprint] file must be None, 'str' or a file-like object, got %r" % (file,))
    out.write(text if text.endswith("\n") else text + "\n")
    return None if file is None else file


def pprint(var):
    """Math-like text of the expression computing ``var`` (theano.printing.pprint / pp).

    ``var`` may also be a list of variables (one line each). Raises TypeError when ``var`` is not a
    Variable or a list of them.
    """
    if isinstance(var, (list, tuple)):
        return "\n".join(_core.pprint(v) for v in var)
    return _core.pprint(var)


pp = pprint


def dot_graph(obj, compact=True, with_ids=False, high_contrast=True, colorCodes=None, max_label_size=70,
              var_with_name_simple=False, cond_highlight=None, d3_attributes=False):
    """Graphviz dot text of a graph as pydotprint draws it (the options are pydotprint's).

    ``obj`` is the graph (a Variable, list, Apply, Function or FunctionGraph); ``compact``,
    ``with_ids``, ``high_contrast``, ``colorCodes``, ``max_label_size``,
    ``var_with_name_simple`` and ``cond_highlight`` are pydotprint's options; ``d3_attributes``
    adds d3viz's attributes. Raises TypeError for an unsupported ``obj``.
    """
    graph = _graph_of(obj, "pydotprint")
    kw = _dot_kwargs(compact, with_ids, high_contrast, colorCodes, max_label_size, var_with_name_simple,
                     cond_highlight, d3_attributes)
    if isinstance(graph, _core.FunctionGraph):
        return _core.dot_graph_fgraph(graph, **kw)
    return _core.dot_graph_vars(graph, **kw)


def _dot_kwargs(compact, with_ids, high_contrast, colorCodes, max_label_size, var_with_name_simple,
                cond_highlight, d3_attributes):
    if colorCodes is not None and not isinstance(colorCodes, dict):
        raise TypeError("[pydotprint] colorCodes must be a dict of op name -> colour, got %s"
                        % type(colorCodes).__name__)
    return dict(compact=bool(compact), with_ids=bool(with_ids), high_contrast=bool(high_contrast),
                color_codes={str(k): str(v) for k, v in (colorCodes or {}).items()},
                max_label_size=int(max_label_size), var_with_name_simple=bool(var_with_name_simple),
                cond_highlight=cond_highlight is not None and cond_highlight is not False,
                d3_attributes=bool(d3_attributes))


def dot_tree(obj, **options):
    """The dot text of a graph and of its inner graphs (scan, OpFromGraph), as nested dicts.

    ``obj`` is as in dot_graph, the other options pydotprint's. Raises TypeError for an
    unsupported ``obj``.
    """
    graph = _graph_of(obj, "pydotprint")
    kw = _dot_kwargs(**dict(dict(compact=True, with_ids=False, high_contrast=True, colorCodes=None,
                                 max_label_size=70, var_with_name_simple=False, cond_highlight=None,
                                 d3_attributes=False), **options))
    if isinstance(graph, _core.FunctionGraph):
        return _core.dot_tree_fgraph(graph, **kw)
    return _core.dot_tree_vars(graph, **kw)


def render_dot(text, format, who="pydotprint"):
    """Graphviz's rendering of dot ``text`` in ``format`` ('png', 'svg', 'pdf', 'json', ...) as bytes.

    ``who`` names the caller in error messages. Raises RuntimeError when Graphviz's dot program
    is missing or fails.
    """
    import shutil
    import subprocess
    if not isinstance(format, str) or not format or not format.replace(":", "").replace("_", "").isalnum():
        raise ValueError("[%s] format must be a Graphviz output format such as 'png', 'svg' or 'pdf', got %r"
                         % (who, format))
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError("[%s] the Graphviz 'dot' program was not found on PATH; install Graphviz "
                           "(Debian: apt-get install graphviz)" % who)
    proc = subprocess.run([dot, "-T" + format], input=text.encode(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        if "Format:" in err and "not recognized" in err:
            raise ValueError("[%s] Graphviz does not know the format %r; expected one of: %s"
                             % (who, format, err.split("Use one of:")[-1].strip()))
        raise RuntimeError("[%s] Graphviz's dot failed: %s" % (who, err))
    return proc.stdout


def pydotprint(fct, outfile=None, compact=True, format="png", with_ids=False, high_contrast=True,
               cond_highlight=None, colorCodes=None, max_label_size=70, scan_graphs=False,
               var_with_name_simple=False, print_output_file=True, return_image=False):
    """Draw the graph of a function, FunctionGraph, Variable, Apply or list of Variables with Graphviz.

    As theano.printing.pydotprint: apply nodes are ellipses (Elemwise dark pink, Scan
    yellow, Shape brown, IfElse magenta, Subtensor purple, Alloc orange, or ``colorCodes``:
    op class name -> colour), variables boxes (inputs green, shared variables cyan, outputs
    blue, unused outputs grey), sparse variables labelled with their format. ``compact``
    leaves out unnamed intermediate variables; ``with_ids`` numbers the nodes;
    ``high_contrast`` fills nodes (else colours their border); ``cond_highlight`` borders
    the branches of lazy ifs; ``max_label_size`` cuts labels; ``var_with_name_simple`` shows
    only the names of named variables; ``scan_graphs`` also draws each scan's inner graph
    to ``<outfile stem>_<op>_<position><ext>``. ``format`` is any Graphviz format ('png',
    'svg', 'pdf', 'dot', ...). ``return_image`` returns the image bytes instead of writing a
    file; otherwise the file is written, its path printed (``print_output_file``) and
    returned. Needs Graphviz's ``dot`` program (Debian: graphviz).

    ``fct`` is the graph to draw. Raises RuntimeError when Graphviz's dot program is missing or
    fails, TypeError for an unsupported ``fct``.
    """
    import os
    options = dict(compact=compact, with_ids=with_ids, high_contrast=high_contrast, colorCodes=colorCodes,
                   max_label_size=max_label_size, var_with_name_simple=var_with_name_simple,
                   cond_highlight=cond_highlight)
    tree = dot_tree(fct, **options)
    if return_image:
        return render_dot(tree["dot"], format)
    if outfile is None:
        outfile = "hypatia.pydotprint." + format
    outfile = os.fspath(outfile)
    data = render_dot(tree["dot"], format)
    with open(outfile, "wb") as f:
        f.write(data)
    if print_output_file:
        print("The output file is available at", outfile)
    if scan_graphs:
        stem, ext = os.path.splitext(outfile)

        def draw_inner(node, prefix):
            for sub in node["inner"]:
                if "scan" not in sub["op"].lower():
                    draw_inner(sub, prefix)
                    continue
                name = "%s_%s_%d%s" % (prefix, sub["op"].split("{")[0].replace("/", "_"), sub["apply_index"], ext)
                with open(name, "wb") as f:
                    f.write(render_dot(sub["dot"], format))
                if print_output_file:
                    print("The output file is available at", name)
                draw_inner(sub, os.path.splitext(name)[0])
        draw_inner(tree, stem)
    return outfile


def _print_fn(op, xin):
    for attr in op.attrs:
        temp = getattr(xin, attr)
        pmsg = temp() if callable(temp) else temp
        print(op.message, attr, "=", pmsg)


class _PrintCall(object):
    """The printer a Print op calls: global_fn(op-like fields, value)."""

    def __init__(self, message, attrs, global_fn):
        self.message = message
        self.attrs = tuple(attrs)
        self.global_fn = global_fn

    def __call__(self, x):
        self.global_fn(self, x)


class Print(object):
    """Identity op that prints ``message`` and attributes of its input each time it runs (theano.printing.Print).

    ``attrs`` names attributes or methods of the value (a numpy array or scipy matrix):
    '__str__' (default), 'shape', 'min', 'max', 'sum', ...; methods are called.
    ``global_fn(op, x)`` does the printing (default: print "message attr = value" to
    sys.stdout). The gradient passes through unchanged. Prints are never constant-folded,
    and two Print instances never merge.

    Raises nothing when built; an exception in ``global_fn`` fails the call with a RuntimeError
    naming Print.
    """

    def __init__(self, message="", attrs=("__str__",), global_fn=_print_fn):
        self.message = message
        self.attrs = tuple(attrs)
        self.global_fn = global_fn
        # The callback holds the fields, not self, so no reference cycle runs through the op; it
        # pickles with the op when global_fn can be pickled (a module-level function).
        self._op = _core.print_op(message, list(self.attrs), _PrintCall(message, self.attrs, global_fn))

    def __call__(self, x):
        """x, printed when the graph evaluates it."""
        return self._op(x)

    def make_node(self, x):
        """The Apply node of the print on x."""
        return self._op.make_node(x)

    def __str__(self):
        return "Print{%s}" % self.message
