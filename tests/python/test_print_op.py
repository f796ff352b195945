"""printing.Print: the manual's example, attributes, global_fn, gradients, no folding or merging away, inside OpFromGraph."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia import OpFromGraph, function, grad, printing


def test_manual_hello_world(capsys):
    x = T.dvector()
    hello_world_op = printing.Print("hello world")
    printed_x = hello_world_op(x)
    f = function([x], printed_x)
    r = f([1, 2, 3])
    np.testing.assert_allclose(r, [1.0, 2.0, 3.0])
    assert capsys.readouterr().out == "hello world __str__ = %s\n" % np.array([1.0, 2.0, 3.0])


def test_attrs(capsys):
    x = T.dmatrix("x")
    f = function([x], printing.Print("m", attrs=("shape", "min", "max", "sum"))(x) * 2)
    np.testing.assert_allclose(f([[1.0, 2.0, 3.0]]), [[2.0, 4.0, 6.0]])
    assert capsys.readouterr().out.splitlines() == ["m shape = (1, 3)", "m min = 1.0", "m max = 3.0", "m sum = 6.0"]


def test_global_fn_receives_op_and_value():
    seen = []
    x = T.dvector("x")
    p = printing.Print("msg", global_fn=lambda op, v: seen.append((op.message, v.copy())))
    f = function([x], p(x) + 1)
    f([4.0, 5.0])
    f([6.0])
    assert [m for m, _ in seen] == ["msg", "msg"]
    np.testing.assert_allclose(seen[0][1], [4.0, 5.0])
    np.testing.assert_allclose(seen[1][1], [6.0])


def test_global_fn_error_is_reported():
    def boom(op, v):
        raise RuntimeError("no")

    x = T.dvector("x")
    f = function([x], printing.Print("m", global_fn=boom)(x))
    with pytest.raises(Exception, match="Print"):
        f([1.0])


def test_gradient_passes_through(capsys):
    x = T.dvector("x")
    y = printing.Print("y")(x ** 2)
    g = grad(y.sum(), x)
    f = function([x], g)
    np.testing.assert_allclose(f([1.0, 3.0]), [2.0, 6.0])


def test_not_constant_folded_and_not_merged(capsys):
    c = T.constant(np.array([1.0, 2.0]))
    f = function([], printing.Print("c")(c))
    f()
    f()
    assert capsys.readouterr().out.count("c __str__") == 2
    x = T.dvector("x")
    out = printing.Print("same")(x) + printing.Print("same")(x)
    g = function([x], out)
    np.testing.assert_allclose(g([1.0]), [2.0])
    assert capsys.readouterr().out.count("same __str__") == 2
    prints = [n for n in g.maker.fgraph.toposort() if n.op.name == "Print"]
    assert len(prints) == 2


def test_print_inside_op_from_graph(capsys):
    x = T.dvector("x")
    op = OpFromGraph([x], [printing.Print("inner")(x) * 2])
    c = T.constant(np.array([1.0]))
    f = function([], op(c))
    np.testing.assert_allclose(f(), [2.0])
    np.testing.assert_allclose(f(), [2.0])
    assert capsys.readouterr().out.count("inner __str__") == 2  # the op is not folded away


def test_shape_only_use_does_not_print(capsys):
    x = T.dmatrix("x")
    f = function([x], printing.Print("p")(x).shape)
    assert tuple(f(np.zeros((2, 3)))) == (2, 3)
    assert capsys.readouterr().out == ""
