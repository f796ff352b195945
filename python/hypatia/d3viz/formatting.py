"""PyDotFormatter: a graph's Graphviz form for d3viz, with layout, types, shapes and profile times."""
import json
import re

from .. import _core
from .. import printing


# Graphviz reads colour names as X11 does; these differ in CSS (CSS "green" is dark green).
_X11 = {"green": "#00FF00", "grey": "#C0C0C0", "gray": "#C0C0C0", "lightgrey": "#D3D3D3", "purple": "#A020F0",
        "maroon": "#B03060"}


class DotGraph(object):
    """A graph in the Graphviz dot language (what theano's formatter returned as a pydot graph).

    ``to_string()`` is the dot text; ``create(format)`` renders it with Graphviz's ``dot``
    program; ``write(path, format='raw')`` and ``write_png``/``write_pdf``/``write_svg``/
    ``write_dot`` write it to a file.

    ``dot`` is the dot text of the graph; ``inner`` lists the dot trees of its inner graphs
    (scan, OpFromGraph), as printing.dot_tree gives them ([] when None). Making one raises
    nothing; ``create`` (and ``write`` in a format other than 'raw') raises ValueError for an
    unknown format or a ``prog`` other than 'dot' and RuntimeError when Graphviz's ``dot``
    program is missing or fails; writing raises OSError when the file cannot be written.
    """

    def __init__(self, dot, inner=None):
        self.dot = dot
        self.inner = inner or []

    def to_string(self):
        """The dot text."""
        return self.dot

    def create(self, format="png", prog="dot"):
        """The graph rendered by Graphviz in ``format``, as bytes."""
        if prog != "dot":
            raise ValueError("[PyDotFormatter] only Graphviz's 'dot' layout is supported, got prog=%r" % (prog,))
        return printing.render_dot(self.dot, format, "PyDotFormatter")

    def write(self, path, format="raw", prog="dot"):
        """Write the dot text (format 'raw') or its rendering in ``format`` to ``path``."""
        data = self.dot.encode() if format == "raw" else self.create(format, prog)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def write_png(self, path):
        """Write a PNG picture of the graph."""
        return self.write(path, "png")

    def write_pdf(self, path):
        """Write a PDF picture of the graph."""
        return self.write(path, "pdf")

    def write_svg(self, path):
        """Write an SVG picture of the graph."""
        return self.write(path, "svg")

    def write_dot(self, path):
        """Write the dot text."""
        return self.write(path, "raw")

    def __str__(self):
        return self.dot


def _profile_times(fct):
    """Per node text -> (ms per call, percent), from a profiled Function; None when not profiled."""
    if not isinstance(fct, _core.Function):
        return None
    prof = getattr(fct, "profile", None)
    apply_time = getattr(prof, "apply_time", None)
    if isinstance(apply_time, dict) and apply_time:
        # A ProfileStats-like object: node -> seconds (Theano's apply_time).
        total = sum(apply_time.values()) or 1.0
        calls = max(getattr(prof, "fct_callcount", 1) or 1, 1)
        times = {}
        for node, sec in apply_time.items():
            node = node[1] if isinstance(node, tuple) else node
            # hypatia's ProfileStats keys nodes by their text ("Elemwise{add,no_inplace}(x, y)").
            key = node if isinstance(node, str) else "%s(%s)" % (node.op, ", ".join(str(v) for v in node.inputs))
            times.setdefault(key, []).append((1e3 * sec / calls, 100.0 * sec / total))
        return times
    summary_fn = getattr(fct, "profile_summary", None)
    if summary_fn is None:
        return None
    text = summary_fn()
    if not text.startswith("Function profile:"):
        return None
    times = {}
    for line in text.splitlines()[2:]:
        m = re.match(r"\s*([0-9.]+)%\s+([0-9.eE+-]+)\s+(.*)$", line)
        if m:
            times.setdefault(m.group(3), []).append((float(m.group(2)), float(m.group(1))))
    return times


class PyDotFormatter(object):
    """Builds the Graphviz form of a graph for d3viz (theano.d3viz.formatting.PyDotFormatter).

    ``compact=True`` leaves out unnamed intermediate variables. ``node_colors`` (variable
    kind -> colour), ``apply_colors`` (op class -> colour) and ``shapes`` (node kind ->
    Graphviz shape) are the colour and shape tables; change them before calling.

    Making one raises nothing. Calling it, or ``model``, raises TypeError for an unsupported
    graph; ``model`` also raises RuntimeError when Graphviz's ``dot`` program is missing or
    fails.
    """

    def __init__(self, compact=True):
        self.compact = compact
        self.node_colors = {"input": "green", "constant_input": "SpringGreen", "shared_input": "cyan",
                            "output": "blue", "unused_output": "lightgrey"}
        self.apply_colors = dict(_core.default_dot_colors())
        self.apply_colors.pop("Output", None)
        self.shapes = {"input": "box", "output": "box", "apply": "ellipse"}

    def _dot(self, fct):
        colors = dict(self.apply_colors)
        colors["Output"] = self.node_colors["output"]
        return printing.dot_tree(fct, compact=self.compact, colorCodes=colors, d3_attributes=True)

    def __call__(self, fct, graph=None):
        """The DotGraph of ``fct`` (Function, FunctionGraph, Variable, Apply or list of Variables).

        ``graph``, an earlier DotGraph, is ignored but accepted for Theano's signature: the
        result is always a new graph.
        """
        tree = self._dot(fct)
        return DotGraph(tree["dot"], tree["inner"])

    def model(self, fct):
        """The laid-out graph d3viz draws: nodes with position, size, colour, kind, type,
        shape and profile time; edges with their spline points; inner graphs by node path."""
        tree = self._dot(fct)
        times = _profile_times(fct)
        inner = {}
        top = self._layout(tree["dot"], "", times, inner, tree["inner"])
        max_profile = None
        if times is not None:
            max_profile = max([n.get("profile", 0.0) for n in top["nodes"]] + [0.0])
        return {"graph": top, "inner": inner, "max_profile": max_profile}

    def _layout(self, dot, path, times, inner_out, inner_trees):
        layout = json.loads(printing.render_dot(dot, "json", "d3viz").decode())
        bb = [float(v) for v in layout.get("bb", "0,0,0,0").split(",")]
        height = bb[3]
        flip = lambda x, y: [float(x), height - float(y)]
        ids = {}
        nodes = []
        by_key = {}
        for sub in inner_trees:
            by_key.setdefault(sub["key"].split(".")[0], []).append(sub)
        for obj in layout.get("objects", []):
            if "pos" not in obj:
                continue  # clusters
            x, y = obj["pos"].split(",")
            shape = obj.get("shape", "ellipse")
            kind = obj.get("kind", "apply" if shape == "ellipse" else "variable")
            if kind in ("input", "constant", "shared", "output"):
                shape = self.shapes.get("output" if kind == "output" else "input", shape)
            elif kind == "apply":
                shape = self.shapes.get("apply", shape)
            node = {"id": obj["name"], "path": path + obj["name"], "label": obj.get("label", obj["name"]),
                    "x": flip(x, y)[0], "y": flip(x, y)[1], "w": 72.0 * float(obj.get("width", 1)),
                    "h": 72.0 * float(obj.get("height", 0.5)), "shape": "box" if shape == "box" else "ellipse",
                    "kind": kind, "vtype": obj.get("vtype", ""), "vshape": obj.get("vshape", ""),
                    "node": obj.get("vnode", "")}
            fill = _X11.get(obj.get("fillcolor"), obj.get("fillcolor"))
            if fill:
                node["fill"] = fill
            elif obj.get("color"):
                node["stroke"] = obj["color"]
            if times is not None and kind == "apply":
                hits = times.get(node["node"])
                if hits:
                    ms, pct = hits.pop(0)
                    node["profile"], node["profile_pct"] = ms, pct
                else:
                    node["profile"], node["profile_pct"] = 0.0, 0.0
            subs = by_key.get(obj["name"], [])
            if subs:
                node["inner"] = len(subs)
                models = []
                for sub in subs:
                    models.append(self._layout(sub["dot"], path + sub["key"] + "/", None, inner_out, sub["inner"]))
                inner_out[node["path"]] = models
            ids[obj["_gvid"]] = obj["name"]
            nodes.append(node)
        edges = []
        for e in layout.get("edges", []):
            edge = {"from": ids.get(e["tail"]), "to": ids.get(e["head"]), "label": e.get("label", ""),
                    "color": e.get("color", "black"), "points": []}
            pos = e.get("pos", "")
            for tok in pos.split():
                parts = tok.split(",")
                if parts[0] == "e":
                    edge["end"] = flip(parts[1], parts[2])
                elif parts[0] != "s":
                    edge["points"].append(flip(parts[0], parts[1]))
            if "lp" in e:
                edge["labelPos"] = flip(*e["lp"].split(","))
            edges.append(edge)
        return {"nodes": nodes, "edges": edges, "width": bb[2], "height": bb[3]}
