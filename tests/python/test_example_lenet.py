"""examples/lenet_digits.py trains: conv -> pool -> conv -> pool -> dense -> softmax on sklearn's digits."""
import importlib.util
import os

import numpy as np
import pytest

pytest.importorskip("sklearn")


def _example():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "lenet_digits.py")
    spec = importlib.util.spec_from_file_location("lenet_digits", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_lenet_example_learns_the_digits(capsys):
    accuracy = _example().main(epochs=6)
    out = capsys.readouterr().out
    losses = [float(line.split()[-1]) for line in out.splitlines() if line.startswith("epoch")]
    assert len(losses) == 6 and losses[-1] < 0.5 * losses[0], losses
    assert accuracy > 0.8, out


def test_lenet_graph_uses_the_conv_and_pool_ops():
    mod = _example()
    train, predict = mod.build(mod.init_params())
    ops = {type(n.op).__name__ if not hasattr(n.op, "name") else str(n.op).split("{")[0]
           for n in train.maker.fgraph.toposort()}
    text = " ".join(sorted(ops))
    assert "AbstractConv2d" in text and "Pool" in text and "MaxPoolGrad" in text, text
    x = np.zeros((2, 1, 8, 8))
    assert predict(x).shape == (2,)
