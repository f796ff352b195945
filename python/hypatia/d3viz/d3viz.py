"""d3viz and d3write: a graph as an interactive offline HTML page or a dot file (theano.d3viz.d3viz)."""
import json
import os
import re

from .formatting import PyDotFormatter

_HERE = os.path.dirname(os.path.abspath(__file__))


def replace_patterns(x, replace):
    """``x`` with every match of each regular expression key of ``replace`` replaced by its value.

    ``x`` is the text; ``replace`` maps regular expressions to their replacement strings,
    applied in the dict's order. Raises re.error for a key that is not a valid regular
    expression and TypeError when ``x`` or a value is not a string.
    """
    for pattern, value in replace.items():
        x = re.sub(pattern, value, x)
    return x


def safe_json(obj):
    """JSON of ``obj`` that can sit inside an HTML <script> element (no '</', '<!--' or U+2028).

    ``obj`` is any value ``json.dumps`` takes. Raises TypeError (from ``json.dumps``) for a
    value that is not JSON serializable and ValueError for a circular reference.
    """
    text = json.dumps(obj)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _read(name):
    with open(os.path.join(_HERE, name), encoding="utf-8") as f:
        return f.read()


def d3viz(fct, outfile, copy_deps=True, *args, **kwargs):
    """Write an interactive HTML picture of ``fct``'s graph to ``outfile``.

    ``fct`` is a compiled Function, a FunctionGraph, a Variable, an Apply or a list of
    Variables. The page is self-contained and works offline (its script is embedded;
    ``copy_deps`` is accepted for Theano's signature and has nothing to copy). In it the
    graph zooms with the mouse wheel, pans and moves nodes by drag and drop, shows each
    node's kind, type, shape and (for a function compiled with profile=True and called)
    time per call on mouse-over, edits a label on right click, and opens or closes the
    inner graph of an OpFromGraph or scan node on double click. 'Toggle profile colors'
    colours apply nodes from white to red by time; 'Release nodes' arranges the nodes
    automatically (springs along edges, repulsion between nodes); 'Reset nodes' restores
    Graphviz's layout.
    Inputs are green, outputs blue, apply nodes ellipses coloured by op class; edges are
    blue when the node views the input and red when it destroys it. Extra arguments go to
    PyDotFormatter. Needs Graphviz's ``dot`` program for the layout. Returns ``outfile``;
    missing folders on its path are created.

    Raises TypeError for an unsupported ``fct`` or an extra argument PyDotFormatter does not
    take, RuntimeError when Graphviz's ``dot`` program is missing or fails, and OSError when
    ``outfile`` cannot be written.
    """
    formatter = PyDotFormatter(*args, **kwargs)
    model = formatter.model(fct)
    outfile = os.fspath(outfile)
    title = os.path.splitext(os.path.basename(outfile))[0]
    html = replace_patterns(_read("template.html"), {"%% TITLE %%": title.replace("\\", "\\\\")})
    # The JS and data go in last, as plain replacements (they may contain any text).
    html = html.replace("%% JS %%", _read("d3viz.js")).replace("%% DATA %%", safe_json(model))
    folder = os.path.dirname(outfile)
    if folder and not os.path.isdir(folder):
        os.makedirs(folder)
    with open(outfile, "w", encoding="utf-8") as f:
        f.write(html)
    return outfile


def d3write(fct, path, *args, **kwargs):
    """Write the Graphviz dot text of ``fct``'s graph to ``path`` (extra arguments go to PyDotFormatter).

    ``fct`` is as in d3viz (a Function, FunctionGraph, Variable, Apply or list of Variables);
    ``path`` is the file to write. Returns ``path``. Graphviz is not needed. Raises TypeError
    for an unsupported ``fct`` or an extra argument PyDotFormatter does not take, and OSError
    when ``path`` cannot be written.
    """
    formatter = PyDotFormatter(*args, **kwargs)
    return formatter(fct).write(os.fspath(path), "raw")
