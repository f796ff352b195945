"""Pickling OpFromGraph and Print: graphs and functions that use them, overrides kept, fresh process."""
import copy
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia import OpFromGraph
from hypatia.gradient import NullType
from hypatia.misc.pkl_utils import dump, load
from hypatia.printing import Print


def _ofg_model():
    x, y = T.dmatrices("x", "y")
    w = hypatia.shared(np.array([[1.0, 2.0], [3.0, 4.0]]), name="w")
    op = OpFromGraph([x, y], [x * y + T.dot(x, w)])
    return x, y, w, op


def _times_seven(inputs, grads):
    return [grads[0] * 7, grads[0] * 0]


def _triple_rop(inputs, eval_points):
    return [eval_points[0] * 3 + eval_points[1]]


def _record(op, x):
    _record.seen.append((op.message, float(np.asarray(x).sum())))


_record.seen = []


def test_ofg_function_roundtrip_keeps_values_and_shared_state():
    x, y, w, op = _ofg_model()
    z = op(x, y) + op(x, y).sum()
    cost = z.sum()
    f = hypatia.function([x, y], [z, hypatia.grad(cost, x)], updates=[(w, w - 0.1 * hypatia.grad(cost, w))])
    a, b = np.arange(4.0).reshape(2, 2), np.ones((2, 2))
    f2, w2 = pickle.loads(pickle.dumps((f, w)))
    for _ in range(2):
        expected, got = f(a, b), f2(a, b)
        for e, g in zip(expected, got):
            np.testing.assert_allclose(g, e)
    np.testing.assert_allclose(w2.get_value(), w.get_value())
    assert w2 is not w


def test_ofg_nodes_share_one_op_after_loading():
    x, y, w, op = _ofg_model()
    u, v = op(x, y), op(y, x)
    u2, v2 = pickle.loads(pickle.dumps((u, v)))
    assert hypatia._core.op_identity(u2.owner.op) == hypatia._core.op_identity(v2.owner.op)
    # The implicit input (w) of both nodes is one rebuilt shared variable.
    assert u2.owner.inputs[2].auto_name == v2.owner.inputs[2].auto_name
    assert u2.owner.inputs[2].get_value().tolist() == w.get_value().tolist()


def test_ofg_grad_override_survives_pickling():
    x, y = T.dmatrices("x", "y")
    op = OpFromGraph([x, y], [x + y], grad_overrides=_times_seven)
    op2 = pickle.loads(pickle.dumps(op))
    assert isinstance(op2, OpFromGraph)
    x2, y2 = T.dmatrices("x2", "y2")
    gx, gy = hypatia.grad(op2(x2, y2).sum(), [x2, y2])
    fx = hypatia.function([x2, y2], [gx, gy])
    rx, ry = fx(np.ones((2, 3)), np.ones((2, 3)))
    np.testing.assert_array_equal(rx, np.full((2, 3), 7.0))
    np.testing.assert_array_equal(ry, np.zeros((2, 3)))


def test_ofg_rop_override_and_null_grad_survive_pickling():
    x, y = T.dvectors("x", "y")
    op = OpFromGraph([x, y], [x * 2 + y], rop_overrides=_triple_rop, grad_overrides=[NullType(), "default"])
    op2 = copy.deepcopy(op)
    x2, y2, ex, ey = T.dvectors("x2", "y2", "ex", "ey")
    out = op2(x2, y2)
    r = hypatia.gradient.Rop(out, [x2, y2], [ex, ey])
    f = hypatia.function([x2, y2, ex, ey], r)
    np.testing.assert_allclose(f([1.0, 2.0], [0.0, 0.0], [1.0, 1.0], [5.0, 5.0]), [8.0, 8.0])
    with pytest.raises(hypatia.gradient.NullTypeGradError):
        hypatia.grad(out.sum(), x2)
    gy = hypatia.grad(out.sum(), y2)
    np.testing.assert_allclose(hypatia.function([x2, y2], gy)([1.0, 2.0], [3.0, 4.0]), [1.0, 1.0])


def test_inline_ofg_keeps_inline_after_pickling():
    x, y, w, op = _ofg_model()
    inl = OpFromGraph([x, y], [x - y], inline=True)
    f = hypatia.function([x, y], inl(x, y) * 2)
    f2 = pickle.loads(pickle.dumps(f))
    a, b = np.ones((2, 2)), np.arange(4.0).reshape(2, 2)
    np.testing.assert_allclose(f2(a, b), (a - b) * 2)
    assert not any("OpFromGraph" in str(n.op) for n in f2.maker.fgraph.toposort())


def test_print_roundtrip_prints_after_loading(capsys):
    x = T.dvector("x")
    f = hypatia.function([x], Print("hello", attrs=("shape", "sum"))(x) * 2)
    f2 = pickle.loads(pickle.dumps(f))
    np.testing.assert_allclose(f2([1.0, 2.0]), [2.0, 4.0])
    out = capsys.readouterr().out
    assert "hello shape = (2,)" in out and "hello sum = 3.0" in out


def test_print_with_module_level_global_fn_pickles():
    x = T.dvector("x")
    pr = Print("tag", global_fn=_record)
    f = copy.deepcopy(hypatia.function([x], pr(x) + 1))
    _record.seen.clear()
    f([1.0, 2.0, 3.0])
    assert _record.seen == [("tag", 6.0)]
    pr2 = pickle.loads(pickle.dumps(pr))
    assert pr2.message == "tag" and pr2.global_fn is _record


def test_print_with_lambda_global_fn_refuses_to_pickle():
    x = T.dvector("x")
    y = Print("tag", global_fn=lambda op, v: None)(x)
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pickle.dumps(y)


def test_pkl_utils_keeps_ofg_and_print(tmp_path):
    x, y, w, op = _ofg_model()
    f = hypatia.function([x, y], Print("p", attrs=("shape",))(op(x, y)))
    path = tmp_path / "model.zip"
    with open(path, "wb") as fh:
        dump(f, fh)
    with open(path, "rb") as fh:
        f2 = load(fh)
    a = np.ones((2, 2))
    np.testing.assert_allclose(f2(a, a), f(a, a))


_CHILD = """
import pickle, sys
import numpy as np
with open(sys.argv[1], "rb") as fh:
    f, a, b = pickle.load(fh)
np.save(sys.argv[2], np.concatenate([r.ravel() for r in f(a, b)]))
"""


def test_ofg_function_in_a_fresh_process(tmp_path):
    x, y = T.dmatrices("x", "y")
    op = OpFromGraph([x, y], [x + y], grad_overrides=_times_seven)
    z = op(x, T.tanh(y))
    f = hypatia.function([x, y], [z, hypatia.grad(z.sum(), x)])
    a, b = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    path = tmp_path / "f.pkl"
    with open(path, "wb") as fh:
        pickle.dump((f, a, b), fh)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(hypatia.__file__)),
                                         os.path.dirname(__file__)] +
                                        ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    subprocess.run([sys.executable, "-c", _CHILD, str(path), str(tmp_path / "out.npy")], check=True, env=env,
                   timeout=120)
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), np.concatenate([r.ravel() for r in f(a, b)]))
