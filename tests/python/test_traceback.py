"""Creation traces: tag.trace, config.traceback.limit and the backtrace in runtime errors."""
import threading

import numpy as np
import pytest

import hypatia
import hypatia.tensor as T


def _product(a, b):
    return T.dot(a, b)  # the user's line that builds the node


def _nested(a, b, depth):
    if depth == 0:
        return _product(a, b)
    return _nested(a, b, depth - 1)


def test_tag_trace_names_the_users_line():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    z = _product(x, y)
    (frames,) = z.tag.trace
    filename, line, func, text = frames[-1]
    assert filename == __file__ and func == "_product" and text == "return T.dot(a, b)  # the user's line that builds the node"
    assert frames[-2][2] == "test_tag_trace_names_the_users_line"
    assert all("hypatia" + "/python/hypatia" not in f[0] for f in frames)  # the package's own frames are skipped
    assert x.tag.trace[0][-1][3] == 'x, y = T.dmatrix("x"), T.dmatrix("y")'


def test_traceback_limit_bounds_the_levels_kept():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    with hypatia.change_flags(**{"traceback.limit": 2}):
        z = _nested(x, y, 5)
    assert [f[2] for f in z.tag.trace[0]] == ["_nested", "_product"]
    with hypatia.change_flags(**{"traceback.limit": -1}):
        z = _nested(x, y, 5)
    names = [f[2] for f in z.tag.trace[0]]
    assert names[-8:] == ["test_traceback_limit_bounds_the_levels_kept"] + ["_nested"] * 6 + ["_product"]
    with hypatia.change_flags(**{"traceback.limit": 0}):
        z = _nested(x, y, 5)
    assert z.tag.trace == []
    with pytest.raises(ValueError, match="traceback.limit"):
        hypatia.config.traceback.limit = -2


def test_runtime_error_prints_where_the_node_was_built():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f = hypatia.function([x, y], _product(x, y) * 2)
    with pytest.raises(ValueError) as e:
        f(np.ones((2, 3)), np.ones((4, 2)))
    msg = str(e.value)
    assert "Backtrace when the node is created" in msg
    assert 'in _product\n    return T.dot(a, b)' in msg
    with hypatia.change_flags(**{"traceback.limit": 0}):
        g = hypatia.function([x, y], _product(x, y) * 2)
    with pytest.raises(ValueError) as e:
        g(np.ones((2, 3)), np.ones((4, 2)))
    assert "Backtrace" not in str(e.value) and "no creation trace" in str(e.value)


def test_rewritten_nodes_keep_the_users_trace():
    a, b, c = T.dmatrix("a"), T.dmatrix("b"), T.dmatrix("c")
    out = c + _product(a, b)  # FAST_RUN rewrites this into one Gemm node
    f = hypatia.function([a, b, c], out)
    ops = [str(n.op) for n in f.maker.fgraph.toposort()]
    assert not any(o.startswith("dot") for o in ops), ops
    with pytest.raises(ValueError) as e:
        f(np.ones((2, 3)), np.ones((3, 2)), np.ones((5, 5)))
    msg = str(e.value)
    assert "Backtrace when the node is created" in msg and "test_traceback.py" in msg, msg


def test_traces_are_per_thread():
    results = {}

    def build(name):
        x = T.dvector(name)
        results[name] = (x * 2).tag.trace[0][-1][2]

    threads = [threading.Thread(target=build, args=("t%d" % i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(results.values()) == {"build"}


def test_compile_limit_records_where_compilation_made_a_node():
    a, b, c = T.dmatrix("a"), T.dmatrix("b"), T.dmatrix("c")
    out = c + _product(a, b)
    with hypatia.change_flags(**{"traceback.compile_limit": 3}):
        f = hypatia.function([a, b, c], out)  # the compiling line
    (gemm,) = [n for n in f.maker.fgraph.toposort() if str(n.op).startswith("Gemm")]
    frames = gemm.outputs[0].tag.trace[0]
    assert frames[-1][3] == "f = hypatia.function([a, b, c], out)  # the compiling line", frames
    # By default (0) the rewritten node inherits the user's line instead.
    g = hypatia.function([a, b, c], out)
    (gemm,) = [n for n in g.maker.fgraph.toposort() if str(n.op).startswith("Gemm")]
    assert gemm.outputs[0].tag.trace[0][-1][3] == "out = c + _product(a, b)"
