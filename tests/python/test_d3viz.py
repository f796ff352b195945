"""d3viz: self-contained offline HTML pictures, checked in headless Chromium (the manual's examples)."""
import json
import os
import re
import shutil
import struct
import subprocess
import zlib

import numpy as np
import pytest

import hypatia as th
import hypatia.d3viz as d3v
import hypatia.tensor as T

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(args, url):
    """Run headless Chromium (Debian's chromium package) on url; its stdout."""
    assert CHROMIUM, "headless Chromium is needed for the d3viz tests (Debian: apt-get install chromium)"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           "--virtual-time-budget=3000"] + args + [url]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return proc.stdout.decode(errors="replace")


def dump_dom(path, actions=""):
    """The page's DOM after its script ran, with the fragment's actions (buttons) applied."""
    return chromium(["--dump-dom"], "file://" + os.path.abspath(path) + ("#" + actions if actions else ""))


def dom_counts(path, expand_all=False):
    """(top-level nodes, all drawn nodes) as the page reports them once its script has run."""
    dom = dump_dom(path, "expand-all" if expand_all else "")
    top = re.search(r'data-nodes="(\d+)"', dom)
    every = re.search(r'data-all-nodes="(\d+)"', dom)
    assert top and every, "the page's script did not run"
    assert len(re.findall(r'<g class="node"', dom)) == int(top.group(1))
    return int(top.group(1)), int(every.group(1))


def png_pixels(path):
    """Decoded RGB(A) rows of an 8-bit PNG (enough of a decoder to check a screenshot)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for r in range(height):
        f, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return rows, bpp


def screenshot_colours(html, tmp_path):
    """The distinct colours of a headless screenshot of the page."""
    shot = str(tmp_path / "shot.png")
    chromium(["--screenshot=" + shot, "--window-size=900,600"], "file://" + os.path.abspath(html))
    rows, bpp = png_pixels(shot)
    colours = set()
    for row in rows[::4]:
        for i in range(0, len(row), bpp * 4):
            colours.add(row[i:i + 3])
    return colours


def graph_node_count(fn):
    """Boxes and ellipses pydotprint draws for a compiled function (compact): apply nodes,
    leaf inputs, and outputs."""
    fg = fn.maker.fgraph
    applies = fg.toposort()
    leaves = {v for a in applies for v in a.inputs if v.owner is None}
    outs = set(fg.outputs)
    return len(applies) + len(leaves | outs)


def mlp():
    """The manual's d3viz example: a multilayer perceptron."""
    ninputs, nfeatures, noutputs, nhiddens = 1000, 100, 10, 50
    rng = np.random.RandomState(0)
    x = T.dmatrix("x")
    wh = th.shared(rng.normal(0, 1, (nfeatures, nhiddens)), borrow=True)
    bh = th.shared(np.zeros(nhiddens), borrow=True)
    h = T.nnet.sigmoid(T.dot(x, wh) + bh)
    wy = th.shared(rng.normal(0, 1, (nhiddens, noutputs)))
    by = th.shared(np.zeros(noutputs), borrow=True)
    y = T.nnet.softmax(T.dot(h, wy) + by)
    return x, y, rng, ninputs, nfeatures


def test_manual_mlp_page_is_offline_and_draws_every_node(tmp_path):
    x, y, rng, _, _ = mlp()
    predict = th.function([x], y)
    out = str(tmp_path / "examples" / "mlp.html")
    assert d3v.d3viz(predict, out) == out
    html = open(out).read()
    # Self-contained: no external scripts, styles or links.
    assert not re.search(r"<script[^>]+src=|<link|https?://(?!www\.w3\.org)", html)
    expected = graph_node_count(predict)
    model = d3v.PyDotFormatter().model(predict)
    assert len(model["graph"]["nodes"]) == expected
    kinds = sorted(n["kind"] for n in model["graph"]["nodes"])
    assert kinds.count("apply") == len(predict.maker.fgraph.toposort())
    assert kinds.count("shared") == 4 and kinds.count("input") == 1 and kinds.count("output") == 1
    # Each node carries its type and shape: shared weights have known shapes.
    shared = [n for n in model["graph"]["nodes"] if n["kind"] == "shared"]
    assert sorted(n["vshape"] for n in shared) == ["(10,)", "(100, 50)", "(50, 10)", "(50,)"]
    assert all("TensorType(float64" in n["vtype"] for n in model["graph"]["nodes"])
    top, every = dom_counts(out)
    assert top == every == expected
    colours = screenshot_colours(out, tmp_path)
    assert len(colours) > 5  # not blank: text, edges and coloured nodes
    assert b"\x00\xff\xff" in colours  # a cyan shared-variable box was drawn


def test_manual_profile_times_are_shown(tmp_path):
    x, y, rng, ninputs, nfeatures = mlp()
    predict_profiled = th.function([x], y, profile=True)
    x_val = rng.normal(0, 1, (ninputs, nfeatures))
    predict_profiled(x_val)
    out = str(tmp_path / "mlp2.html")
    d3v.d3viz(predict_profiled, out)
    model = json.loads(re.search(r'id="hypatia-graph-data">(.*?)</script>', open(out).read(), re.S).group(1))
    applies = [n for n in model["graph"]["nodes"] if n["kind"] == "apply"]
    assert model["max_profile"] > 0
    assert all("profile" in n for n in applies)
    assert sum(n["profile_pct"] for n in applies) == pytest.approx(100.0, abs=1.0)
    assert max(n["profile"] for n in applies) == model["max_profile"]
    dots = [n for n in applies if n["label"].startswith("dot")]
    assert len(dots) == 2 and all(n["profile"] > 0 for n in dots)  # each node got its own time
    assert dom_counts(out)[0] == graph_node_count(predict_profiled)
    # 'Toggle profile colors' paints apply nodes from white to red; the slowest is pure red.
    dom = dump_dom(out, "profile-colors")
    fills = re.findall(r'<g class="node"[^>]*data-kind="apply"[^>]*>\s*<ellipse[^>]*fill="([^"]+)"', dom)
    assert len(fills) == len(applies) and "rgb(255,0,0)" in fills
    assert all(f.startswith("rgb(255,") for f in fills)
    # 'Release nodes' moves the nodes away from Graphviz's layout.
    before = re.findall(r'<g class="node"[^>]*transform="([^"]+)"', dump_dom(out))
    after = re.findall(r'<g class="node"[^>]*transform="([^"]+)"', dump_dom(out, "release"))
    assert len(before) == len(after) and before != after
    # Without profiling there are no times, and the page hides the profile button.
    plain = d3v.PyDotFormatter().model(th.function([x], y))
    assert plain["max_profile"] is None and all("profile" not in n for n in plain["graph"]["nodes"])


def test_manual_formatter_writes_png_and_pdf(tmp_path):
    x, y, rng, _, _ = mlp()
    predict_profiled = th.function([x], y, profile=True)
    formatter = d3v.formatting.PyDotFormatter()
    pydot_graph = formatter(predict_profiled)
    pydot_graph.write_png(str(tmp_path / "mlp2.png"))
    pydot_graph.write_pdf(str(tmp_path / "mlp2.pdf"))
    assert open(str(tmp_path / "mlp2.png"), "rb").read(4) == b"\x89PNG"
    assert open(str(tmp_path / "mlp2.pdf"), "rb").read(4) == b"%PDF"
    assert pydot_graph.to_string().startswith("digraph")
    d3v.d3write(predict_profiled, str(tmp_path / "mlp.dot"))
    assert open(str(tmp_path / "mlp.dot")).read() == pydot_graph.to_string()
    # compact=False draws the intermediate variables too.
    assert formatter(predict_profiled).to_string().count("shape=box") < \
        d3v.PyDotFormatter(compact=False)(predict_profiled).to_string().count("shape=box")


def test_manual_opfromgraph_nodes_open_their_inner_graph(tmp_path):
    x, y, z = T.scalars("x", "y", "z")
    e = T.nnet.sigmoid((x + y + z) ** 2)
    op = th.OpFromGraph([x, y, z], [e])
    e2 = op(x, y, z) + op(z, y, x)
    f = th.function([x, y, z], e2)
    out = str(tmp_path / "ofg.html")
    d3v.d3viz(f, out)
    model = d3v.PyDotFormatter().model(f)
    ofg = [n for n in model["graph"]["nodes"] if n.get("inner")]
    assert len(ofg) == 2
    for n in ofg:
        (inner,) = model["inner"][n["path"]]
        labels = sorted(v["label"] for v in inner["nodes"] if v["kind"] == "input")
        assert [l.split(" ")[0] for l in labels] == ["name=x", "name=y", "name=z"]
        assert all(v["vtype"].startswith("TensorType(float") for v in inner["nodes"])
    top, every = dom_counts(out)
    assert top == graph_node_count(f)
    top2, every2 = dom_counts(out, expand_all=True)  # double click on both OpFromGraph nodes
    assert top2 == top and every2 == top + sum(len(model["inner"][n["path"]][0]["nodes"]) for n in ofg)


def test_manual_nested_opfromgraph(tmp_path):
    x, y, z = T.scalars("x", "y", "z")
    e = x * y
    op = th.OpFromGraph([x, y], [e])
    e2 = op(x, y) + z
    op2 = th.OpFromGraph([x, y, z], [e2])
    e3 = op2(x, y, z) + z
    f = th.function([x, y, z], [e3])
    out = str(tmp_path / "ofg2.html")
    d3v.d3viz(f, out)
    model = d3v.PyDotFormatter().model(f)
    (outer,) = [n for n in model["graph"]["nodes"] if n.get("inner")]
    (body,) = model["inner"][outer["path"]]
    (nested,) = [n for n in body["nodes"] if n.get("inner")]  # op inside op2
    assert nested["path"].startswith(outer["path"] + ".0/")
    assert model["inner"][nested["path"]][0]["nodes"]
    assert dom_counts(out)[0] == graph_node_count(f)


def test_scan_inner_graph_and_variables_and_lists(tmp_path):
    A = T.dvector("A")
    k = T.iscalar("k")
    res, upd = th.scan(lambda prior, A: prior * A, outputs_info=T.ones_like(A), non_sequences=A, n_steps=k)
    f = th.function([A, k], res[-1], updates=upd)
    model = d3v.PyDotFormatter().model(f)
    (scan,) = [n for n in model["graph"]["nodes"] if n.get("inner")]
    assert scan["fill"] == "yellow" and "for" in scan["label"]
    out = d3v.d3viz(f, str(tmp_path / "scan.html"))
    assert dom_counts(out, expand_all=True)[1] > dom_counts(out)[0]
    # A variable or a list of variables is drawn too, before compilation.
    v = d3v.d3viz([A * 2, A + 1], str(tmp_path / "vars.html"))
    dot = d3v.PyDotFormatter()([A * 2, A + 1]).to_string()
    assert dom_counts(v)[0] == dot.count("shape=box") + dot.count("shape=ellipse")


def test_helpers_and_errors(tmp_path):
    assert d3v.replace_patterns("a-b-c", {"-": "+", "a": "x"}) == "x+b+c"
    text = d3v.safe_json({"label": "</script><script>alert(1)</script>"})
    assert "</" not in text and json.loads(text)["label"] == "</script><script>alert(1)</script>"
    x = T.dvector("x")
    out = d3v.d3viz((x * 2).sum().owner, str(tmp_path / "apply.html"))  # an Apply
    assert os.path.exists(out)
    with pytest.raises(TypeError, match=r"^\[pydotprint\] expected a Function"):
        d3v.d3viz("not a graph", str(tmp_path / "x.html"))
