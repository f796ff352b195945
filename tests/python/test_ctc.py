"""The CTC loss (hypatia.tensor.nnet.ctc) against a brute-force sum over every alignment."""
import itertools

import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia.tensor.nnet import ctc as ctc_mod
from harness import check_op

RNG = np.random.RandomState(11)


def collapse(path):
    out, prev = [], None
    for k in path:
        if k != prev and k != 0:
            out.append(k)
        prev = k
    return out


def brute_ctc(acts, labels, lengths):
    """-log of the summed probability of every path (of each sequence's length) that collapses
    to the label sequence."""
    costs = []
    for b in range(acts.shape[1]):
        n = lengths[b]
        e = np.exp(acts[:n, b] - acts[:n, b].max(axis=1, keepdims=True))
        y = e / e.sum(axis=1, keepdims=True)
        target = [int(v) for v in labels[b] if v >= 0]
        p = 0.0
        for path in itertools.product(range(acts.shape[2]), repeat=n):
            if collapse(path) == target:
                p += np.prod([y[t, k] for t, k in enumerate(path)])
        costs.append(-np.log(p) if p > 0 else np.inf)
    return np.array(costs)


ACTS = RNG.randn(5, 3, 4)
LABELS = np.array([[1, 2, -1], [3, 3, -1], [2, -1, -1]], dtype="int32")
LENGTHS = np.array([5, 5, 3], dtype="int32")


def test_ctc_values_and_grad():
    check_op(lambda a: ctc_mod.ctc(a, T.constant(LABELS), T.constant(LENGTHS)), [ACTS],
             lambda a: brute_ctc(a, LABELS, LENGTHS))


def test_ctc_float32_and_op_class():
    a, l, n = T.tensor3(dtype="float32"), T.imatrix(), T.ivector()
    costs, grads = ctc_mod.ConnectionistTemporalClassification()(a, l, n)
    f = hypatia.function([a, l, n], [costs, grads])
    c, g = f(ACTS.astype("float32"), LABELS, LENGTHS)
    assert c.dtype == np.float32 and g.shape == ACTS.shape
    np.testing.assert_allclose(c, brute_ctc(ACTS, LABELS, LENGTHS), rtol=1e-5)
    assert np.all(g[3:, 2] == 0)  # past the third sequence's length
    np.testing.assert_allclose(g.sum(axis=2), 0, atol=1e-5)  # softmax minus a posterior per step


def test_ctc_infeasible_and_errors():
    a, l, n = T.tensor3(), T.imatrix(), T.ivector()
    f = hypatia.function([a, l, n], ctc_mod.ctc(a, l, n))
    # "1 1" needs a blank between the repeats: 3 steps, not 2
    assert np.isinf(f(ACTS[:2, :1], np.array([[1, 1]], "int32"), np.array([2], "int32"))[0])
    with pytest.raises(ValueError, match="out of range"):
        f(ACTS, np.array([[4], [1], [1]], "int32"), LENGTHS)
    with pytest.raises(ValueError, match="input length"):
        f(ACTS, LABELS, np.array([6, 1, 1], "int32"))
