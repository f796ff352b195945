"""Printing: pprint as the manual shows it, debugprint's indented format with ids, dot export."""
import numpy as np

import hypatia
import hypatia.tensor as T
from hypatia import function, grad, pp
from hypatia.printing import debugprint, dot_graph, pydotprint


def test_pprint_of_expressions():
    x, y, z = T.dscalars("x", "y", "z")
    assert pp(x + y) == "(x + y)"
    assert pp((x + y) * z) == "((x + y) * z)"
    assert pp(x ** 2) == "(x ** 2)"
    assert pp(T.exp(x)) == "exp(x)"


def test_pprint_of_optimized_gradient_is_two_x():
    x = T.dscalar("x")
    gy = grad(x ** 2, x)
    assert "fill" in pp(gy)  # before optimisation the graph still has Theano's fill
    f = function([x], gy)
    assert pp(f.maker.fgraph.outputs[0]) == "(2.0 * x)"
    assert f(4) == 8.0


def test_debugprint_format_and_shared_ids():
    x = T.dvector("x")
    a = T.exp(x)
    out = a + a
    text = debugprint(out, file="str")
    lines = text.splitlines()
    assert lines[0].startswith("Elemwise{add,no_inplace} [id A] ''")
    assert lines[1].startswith(" |Elemwise{exp,no_inplace} [id B] ''")
    assert lines[2] == " | |x [id C]"
    assert lines[3].startswith(" |Elemwise{exp,no_inplace} [id B]")
    assert len(lines) == 4  # the shared sub-graph is expanded once


def test_debugprint_of_compiled_function_shows_toposort_positions(capsys):
    x = T.dvector("x")
    f = function([x], T.exp(x) * 2.0, mode="FAST_RUN-fusion")
    debugprint(f)
    out = capsys.readouterr().out
    assert "Elemwise{mul,inplace} [id A] ''" in out
    assert out.splitlines()[0].rstrip().endswith("1")
    fused = debugprint(function([x], T.exp(x) * 2.0), file="str")
    assert fused.splitlines()[0].startswith("Elemwise{Composite{(i1 * exp(i0))}} [id A] ''")


def test_dot_export(tmp_path):
    x = T.dmatrix("x")
    y = T.dot(x, x.T).sum()
    text = dot_graph(y)
    assert text.startswith("digraph")
    assert "dot" in text and "x" in text
    path = pydotprint(function([x], y), outfile=str(tmp_path / "g.dot"), format="dot")
    assert open(path).read().startswith("digraph")
