"""hypatia.clone, Function.copy (share_memory, swap, delete_updates) and gradient.subgraph_grad."""
from collections import OrderedDict

import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia import In, clone, function, grad, shared, subgraph_grad


# ---- clone ----
def test_clone_with_replace():
    x, w = T.dvector("x"), T.dvector("w")
    y = x * 2 + 1
    z = clone(y, replace={x: w})
    f = function([w], z)
    np.testing.assert_allclose(f([1.0, 2.0]), [3.0, 5.0])
    assert clone([y], [(x, w)])[0].owner.inputs[0].owner.inputs[0] is not None


def test_clone_copies_nodes_and_shares_inputs():
    x = T.dvector("x")
    y = T.exp(x) + 1
    z = clone(y)
    assert z.owner != y.owner and z.owner.inputs[0].owner != y.owner.inputs[0].owner
    assert hypatia.graph_inputs([z]) if hasattr(hypatia, "graph_inputs") else True
    assert x in hypatia._core.graph_inputs([z])
    np.testing.assert_allclose(function([x], z)([0.0]), [2.0])


def test_clone_strict():
    x, xf = T.dvector("x"), T.fvector("xf")
    y = x * 2
    with pytest.raises(TypeError):
        clone(y, replace={x: xf})
    z = clone(y, replace={x: xf}, strict=False)
    assert z.dtype == "float32"
    np.testing.assert_allclose(function([xf], z)(np.array([1.5], dtype="float32")), [3.0])


def test_clone_share_inputs_false():
    x = T.dvector("x")
    s = shared(np.array([1.0, 2.0]), name="s")
    y = x + s
    z = clone(y, share_inputs=False)
    roots = hypatia._core.graph_inputs([z])
    assert x not in roots and s not in roots
    new_x = [r for r in roots if r.name == "x"][0]
    f = function([new_x], z)
    np.testing.assert_allclose(f([1.0, 1.0]), [2.0, 3.0])
    s.set_value(np.array([10.0, 10.0]))  # the copied shared variable keeps the storage
    np.testing.assert_allclose(f([1.0, 1.0]), [11.0, 11.0])


# ---- Function.copy ----
def test_manual_accumulator_copy():
    state = shared(0)
    inc = T.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)])
    assert accumulator(10) == 0
    assert state.get_value() == 10
    new_state = shared(0)
    new_accumulator = accumulator.copy(swap={state: new_state})
    assert new_accumulator(100) == 0
    assert new_state.get_value() == 100
    assert state.get_value() == 10
    null_accumulator = accumulator.copy(delete_updates=True)
    assert null_accumulator(9000) == 10
    assert state.get_value() == 10


def test_swap_shared_variables_theano():
    i = T.iscalar()
    x_list = shared(np.random.rand(10))
    x = T.dscalar("x")
    y, z, m = shared(1, name="y"), shared(2, name="z"), shared(0, name="m")
    y_rpl, z_rpl = shared(3, name="y_rpl"), shared(4, name="z_rpl")
    out = x + y + z + m
    ori = function([i], [out], updates=[(z, z + 1), (m, m + 2)], givens={x: x_list[i]})
    cpy = ori.copy(swap=[(y, y_rpl), (z, z_rpl)])
    ori(1), cpy(1), cpy(2)
    assert m.get_value() == 6  # shared by both: updated three times
    assert z.get_value() == 3  # once, by the original
    assert z_rpl.get_value() == 6  # twice, by the copy
    assert y_rpl.get_value() == 3 and y.get_value() == 1
    np.testing.assert_allclose(cpy(3)[0], x_list.get_value()[3] + 3 + 6 + 6)


@pytest.mark.parametrize("share_memory", [False, True])
def test_copy_share_memory(share_memory):
    x = T.dscalar("x")
    acc = T.dscalar("acc")
    f = function([x, In(acc, value=0.0, update=acc + x)], acc + x)
    f(1.0)
    g = f.copy(share_memory=share_memory)
    assert g["acc"] == 1.0  # the copy starts from the current value
    g(10.0)
    assert g["acc"] == 11.0
    assert f["acc"] == (11.0 if share_memory else 1.0)
    f(100.0)
    assert g["acc"] == (111.0 if share_memory else 11.0)


def test_copy_name_and_errors():
    s = shared(np.zeros(2), name="s")
    x = T.dvector("x")
    f = function([x], x + s, name="orig")
    assert f.copy(name="other").name == "other" and f.copy().name == "orig"
    with pytest.raises(TypeError, match=r"\[Function.copy\]"):
        f.copy(swap=[(s, shared(np.zeros((2, 2))))])
    with pytest.raises(TypeError, match=r"\[Function.copy\]"):
        f.copy(swap=[(s, x)])
    with pytest.raises(ValueError, match=r"\[Function.copy\]"):
        f.copy(swap=[(shared(np.zeros(2)), s)])


def test_copy_concurrent_with_original():
    import threading
    s = shared(np.zeros(3), name="s")
    x = T.dvector("x")
    f = function([x], (x * 2).sum(), updates=[(s, s + x)])
    g = f.copy()
    ts = [threading.Thread(target=lambda h=h: [h(np.ones(3)) for _ in range(50)]) for h in (f, g, f, g)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    np.testing.assert_allclose(s.get_value(), np.full(3, 200.0))


# ---- subgraph_grad ----
def test_subgraph_grad_manual_mlp():
    x, t = T.dvector("x"), T.dvector("t")
    rng = np.random.RandomState(2012)
    w1 = shared(rng.randn(3, 4))
    w2 = shared(rng.randn(4, 2))
    a1 = T.tanh(T.dot(x, w1))
    a2 = T.tanh(T.dot(a1, w2))
    cost2 = T.sqr(a2 - t).sum()
    cost2 += T.sqr(w2.sum())
    cost1 = T.sqr(w1.sum())
    params = [[w2], [w1]]
    costs = [cost2, cost1]
    grad_ends = [[a1], [x]]
    inputs = [t, x]
    values = [rng.randn(2), rng.randn(3)]
    true_grads = function(inputs, grad(cost2 + cost1, [w2, w1]))(*values)
    next_grad = None
    param_grads = []
    for i in range(2):
        param_grad, next_grad = subgraph_grad(wrt=params[i], end=grad_ends[i], start=next_grad, cost=costs[i])
        next_grad = OrderedDict(zip(grad_ends[i], next_grad))
        param_grads.extend(param_grad)
    pgrads = function(inputs, param_grads)(*values)
    for tg, pg in zip(true_grads, pgrads):
        np.testing.assert_allclose(pg, tg, atol=1e-10)


def test_subgraph_grad_details_and_errors():
    x = T.dvector("x")
    h = x * 3
    cost = (h ** 2).sum()
    wg, eg, sg, cg = subgraph_grad([x], [h], start={h: T.ones_like(h)}, cost=cost, details=True)
    f = function([x], [wg[0], eg[0], sg[0], cg[0]])
    rw, re, rs, rc = f([1.0, 2.0])
    np.testing.assert_allclose(re, 2 * np.array([3.0, 6.0]) + 1)  # d cost/dh + start
    np.testing.assert_allclose(rs, [0.0, 0.0])  # nothing flows past the end h
    np.testing.assert_allclose(rw, rs + rc)
    with pytest.raises(ValueError, match=r"\[subgraph_grad\]"):
        subgraph_grad([x], [h])
    with pytest.raises(TypeError, match=r"\[subgraph_grad\]"):
        subgraph_grad([x], h, cost=cost)
