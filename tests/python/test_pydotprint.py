"""pydotprint: Graphviz pictures with the manual's shapes, colours, options and formats (manual examples)."""
import os
import re

import numpy as np
import pytest

import hypatia as th
import hypatia.sparse as S
import hypatia.tensor as T
from hypatia import printing
from hypatia.ifelse import ifelse


def node_lines(dot, label_re):
    """The dot statements of nodes whose label matches label_re."""
    return [l for l in dot.splitlines() if re.search(r'\[label="' + label_re, l)]


def logreg():
    """The manual's logistic regression (tutorial, 'Printing'): prediction, predict, train."""
    rng = np.random.RandomState(0)
    feats = 10
    x = T.dmatrix("x")
    y = T.dvector("y")
    w = th.shared(rng.randn(feats), name="w")
    b = th.shared(0., name="b")
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))
    prediction = p_1 > 0.5
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w ** 2).sum()
    gw, gb = T.grad(cost, [w, b])
    train = th.function([x, y], [prediction, xent], updates=[(w, w - 0.1 * gw), (b, b - 0.1 * gb)])
    predict = th.function([x], prediction)
    return prediction, predict, train


def test_manual_logreg_pictures(tmp_path, capsys):
    prediction, predict, train = logreg()
    for name, obj in [("prediction", prediction), ("predict", predict), ("train", train)]:
        out = str(tmp_path / ("logreg_pydotprint_%s.png" % name))
        printing.pydotprint(obj, outfile=out, var_with_name_simple=True)
        assert "The output file is available at " + out in capsys.readouterr().out
        with open(out, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    # The training function's shared variables are cyan inputs, named simply.
    dot = printing.dot_graph(train, var_with_name_simple=True)
    assert len(node_lines(dot, r'w", shape=box, style=filled, fillcolor="cyan"')) == 1
    assert len(node_lines(dot, r'b", shape=box, style=filled, fillcolor="cyan"')) == 1
    assert len(node_lines(dot, r'x", shape=box, style=filled, fillcolor="green"')) == 1


def test_manual_symbolic_graph_unopt_and_opt(tmp_path, capsys):
    a = T.vector("a")
    b = a + a ** 10
    f = th.function([a], b)
    assert np.allclose(f([0, 1, 2]), [0., 2., 1026.])
    printing.pydotprint(b, outfile=str(tmp_path / "symbolic_graph_unopt.png"), var_with_name_simple=True)
    printing.pydotprint(f, outfile=str(tmp_path / "symbolic_graph_opt.png"), var_with_name_simple=True)
    assert capsys.readouterr().out.count("The output file is available at") == 2
    unopt = printing.dot_graph(b, var_with_name_simple=True)
    opt = printing.dot_graph(f, var_with_name_simple=True)
    # The optimised graph is more compact: fewer apply nodes (ellipses).
    assert opt.count("shape=ellipse") < unopt.count("shape=ellipse")


def test_manual_return_image_svg():
    v = T.vector()
    svg = printing.pydotprint(v * 2, return_image=True, format="svg")
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    assert b"Elemwise{mul,no_inplace}" in svg


def test_shapes_and_colours_of_variables_and_apply_nodes():
    x = T.dvector("x")
    s = th.shared(np.ones(3), name="s")
    m, am = T.max_and_argmax(x)  # the argmax output is unused: grey
    out = T.exp(x) * s + m
    dot = printing.dot_graph(out)
    assert node_lines(dot, r'name=x TensorType\(float64, vector\)", shape=box, style=filled, fillcolor="green"')
    assert node_lines(dot, r'name=s TensorType\(float64, vector\)", shape=box, style=filled, fillcolor="cyan"')
    assert len(re.findall(r'shape=box, style=filled, fillcolor="blue"', dot)) == 1
    assert len(re.findall(r'shape=box, style=filled, fillcolor="grey"', dot)) == 1
    assert node_lines(dot, r'Elemwise\{exp,no_inplace\}", shape=ellipse, style=filled, fillcolor="#FFAABB"')
    # Apply nodes are ellipses and variables boxes, never the other way round.
    for line in dot.splitlines():
        if re.match(r"\s*n\d+ \[", line):
            assert "shape=ellipse" in line
        elif re.match(r"\s*v\d+ \[", line):
            assert "shape=box" in line


def test_op_class_colours_scan_shape_ifelse_subtensor_alloc():
    a, b = T.dscalars("a", "b")
    x = T.dvector("x")
    k = T.iscalar("k")
    res, upd = th.scan(lambda prior, A: prior * A, outputs_info=T.ones_like(x), non_sequences=x, n_steps=k)
    z = ifelse(T.lt(a, b), a, b)
    f = th.function([x, k, a, b], [res, T.alloc(z, x.shape[0])[1:], x.shape], mode="FAST_COMPILE")
    dot = printing.dot_graph(f)
    ops = {"Scan": "yellow", "IfElse": "magenta", "Subtensor": "#FFAAFF", "Alloc": "#FFAA22", "Shape": "brown"}
    for op, colour in ops.items():
        found = [l for l in dot.splitlines() if "shape=ellipse" in l and 'fillcolor="%s"' % colour in l]
        assert found, (op, dot)
    # colorCodes replaces a default; high_contrast=False colours the border instead.
    dot2 = printing.dot_graph(f, colorCodes={"IfElse": "orchid"}, high_contrast=False)
    assert 'color="orchid"' in dot2 and "fillcolor" not in dot2


def test_view_edges_blue_and_destroy_edges_red():
    x = T.dvector("x")
    # The dimshuffle views x; the multiplication overwrites exp's output in place.
    f = th.function([x], T.exp(x.dimshuffle("x", 0)) * 2.0, mode="FAST_RUN-fusion")
    dot = printing.dot_graph(f)
    assert re.search(r'-> n\d+ \[label="[^"]*", color="blue"\]', dot)
    assert re.search(r'-> n\d+ \[label="[^"]*", color="red"\]', dot)


def test_options_compact_with_ids_max_label_and_simple_names():
    x = T.dvector("x")
    y = T.exp(x)
    out = (y * 2).sum()
    compact = printing.dot_graph(out)
    full = printing.dot_graph(out, compact=False)
    assert full.count("shape=box") > compact.count("shape=box")  # unnamed intermediates appear
    assert re.search(r'n0 -> n2 \[label="0 TensorType\(float64, vector\)"\]', compact)
    ids = printing.dot_graph(out, with_ids=True)
    assert "Elemwise{exp,no_inplace} id=0" in ids and "id=" in node_lines(ids, "name=x")[0]
    short = printing.dot_graph(out, max_label_size=8)
    assert 'label="Elemw...' in short
    assert node_lines(printing.dot_graph(out, var_with_name_simple=True), r'x"')
    assert node_lines(compact, r'name=x TensorType\(float64, vector\)"')


def test_sparse_types_and_formats_are_shown(tmp_path):
    m = S.csr_matrix("m")
    c = S.csc_matrix("c")
    v = T.dmatrix("v")
    f = th.function([m, c, v], [S.structured_dot(m, v), S.dense_from_sparse(c * 2)])
    dot = printing.dot_graph(f)
    assert node_lines(dot, r"name=m Sparse\[float64, csr\]")
    assert node_lines(dot, r"name=c Sparse\[float64, csc\]")
    out = printing.pydotprint(f, outfile=str(tmp_path / "sparse.svg"), format="svg", print_output_file=False)
    svg = open(out).read()
    assert "csr" in svg and "csc" in svg


def test_formats_png_svg_pdf_and_dot(tmp_path):
    x = T.dvector("x")
    f = th.function([x], T.exp(x))
    magic = {"png": b"\x89PNG", "pdf": b"%PDF", "svg": b"<?xml", "dot": b"digraph"}
    for fmt, head in magic.items():
        path = printing.pydotprint(f, outfile=str(tmp_path / ("g." + fmt)), format=fmt, print_output_file=False)
        with open(path, "rb") as fh:
            assert fh.read().lstrip().startswith(head), fmt
    assert not os.path.exists(str(tmp_path / "none.png"))
    img = printing.pydotprint(f, outfile=str(tmp_path / "none.png"), return_image=True)
    assert img.startswith(b"\x89PNG") and not os.path.exists(str(tmp_path / "none.png"))


def test_scan_graphs_writes_each_inner_graph(tmp_path, capsys):
    A = T.dvector("A")
    k = T.iscalar("k")
    res, upd = th.scan(lambda prior, A: prior * A, outputs_info=T.ones_like(A), non_sequences=A, n_steps=k)
    f = th.function([A, k], res[-1], updates=upd)
    main = str(tmp_path / "scan.png")
    printing.pydotprint(f, outfile=main, scan_graphs=True)
    printed = capsys.readouterr().out
    inner = [p for p in os.listdir(str(tmp_path)) if p != "scan.png"]
    assert len(inner) == 1 and inner[0].startswith("scan_") and inner[0].endswith(".png")
    assert inner[0] in printed
    printing.pydotprint(f, outfile=str(tmp_path / "alone.png"), print_output_file=False)
    assert len(os.listdir(str(tmp_path))) == 3  # without scan_graphs no inner file


def test_cond_highlight_borders_the_branches():
    a, b = T.dscalars("a", "b")
    x = T.dvector("x")
    z = ifelse(T.lt(a, b), T.exp(x).sum(), (x * 2).sum() + T.exp(x).sum())
    f = th.function([a, b, x], z, mode="FAST_COMPILE")
    dot = printing.dot_graph(f, cond_highlight=True)
    assert "subgraph cluster_right" in dot and "subgraph cluster_both" in dot
    assert "cluster" not in printing.dot_graph(f)
    assert printing.pydotprint(f, return_image=True, cond_highlight=True).startswith(b"\x89PNG")


def test_errors_name_pydotprint_and_say_what_was_expected(monkeypatch, tmp_path):
    x = T.dvector("x")
    with pytest.raises(ValueError, match=r"^\[pydotprint\] Graphviz does not know the format 'nosuch'"):
        printing.pydotprint(x * 2, outfile=str(tmp_path / "g.x"), format="nosuch")
    with pytest.raises(ValueError, match=r"^\[pydotprint\] format must be"):
        printing.pydotprint(x * 2, format="png; rm")
    with pytest.raises(TypeError, match=r"^\[pydotprint\] expected a Function, FunctionGraph, Variable"):
        printing.pydotprint(42)
    with pytest.raises(TypeError, match=r"^\[pydotprint\] colorCodes must be a dict"):
        printing.pydotprint(x * 2, colorCodes=["red"])
    with pytest.raises(ValueError, match=r"^\[pydotprint\] max_label_size must be at least 4"):
        printing.pydotprint(x * 2, max_label_size=2)
    import shutil
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"^\[pydotprint\] the Graphviz 'dot' program was not found.*graphviz"):
        printing.pydotprint(x * 2, outfile=str(tmp_path / "g.png"))


def test_readme_picture_example_runs(tmp_path):
    # The example moved from the README to the tutorial (docs/tutorial/debugging.md), which also
    # runs it when the site is built; the README keeps its picture.
    import pathlib
    import subprocess
    import sys
    root = pathlib.Path(__file__).resolve().parents[2]
    page = root / "docs" / "tutorial" / "debugging.md"
    blocks = [b for b in re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S) if "pydotprint(" in b]
    assert blocks, "the tutorial has no pydotprint example"
    out = subprocess.run([sys.executable, "-c", blocks[0]], capture_output=True, text=True, timeout=120,
                         cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    png = (tmp_path / "sparse_graph.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    html = (tmp_path / "sparse_graph.html").read_text()
    assert "Sparse[float64, csr]" in html and "StructuredDot" in html
    assert "docs/sparse_graph.png" in (root / "README.md").read_text()
    committed = root / "docs" / "sparse_graph.png"
    assert committed.read_bytes().startswith(b"\x89PNG")  # the README's picture is in the repository
