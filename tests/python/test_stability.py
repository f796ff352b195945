"""Numerical stability: the nnet ops, the manual's logistic function via tanh, and the manual's
logistic-regression demo, whose cost must stay finite (and fall) from random weights."""
import numpy as np

import hypatia as theano
import hypatia.tensor as T
from hypatia import function, pp, shared


def test_logistic_function_via_tanh():
    # the manual's "Logistic Function" example: s(x) = (1 + tanh(x / 2)) / 2
    x = T.dmatrix("x")
    s = 1 / (1 + T.exp(-x))
    s2 = (1 + T.tanh(x / 2)) / 2
    logistic = function([x], s)
    logistic2 = function([x], s2)
    v = [[0, 1], [-1, -2]]
    expected = np.array([[0.5, 0.73105858], [0.26894142, 0.11920292]])
    np.testing.assert_allclose(logistic(v), expected, rtol=1e-7)
    np.testing.assert_allclose(logistic2(v), expected, rtol=1e-7)
    np.testing.assert_allclose(function([x], T.nnet.sigmoid(x))(v), expected, rtol=1e-7)


def test_ops_are_finite_at_extreme_inputs():
    x = T.dvector("x")
    v = np.array([-800.0, -50.0, 0.0, 50.0, 800.0])
    f = function([x], [T.nnet.sigmoid(x), T.nnet.softplus(x), T.log(1 / (1 + T.exp(-x))),
                       T.tanh(x), abs(x), T.abs_(x), T.log1p(x / 1000), T.expm1(x / 1000)])
    outs = f(v)
    for o in outs:
        assert np.all(np.isfinite(o))
    np.testing.assert_allclose(outs[0], [0.0, 1.9287498479639178e-22, 0.5, 1.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(outs[1], np.logaddexp(0, v), rtol=1e-12)
    np.testing.assert_allclose(outs[2], -np.logaddexp(0, -v), rtol=1e-12)
    np.testing.assert_allclose(outs[4], np.abs(v))
    np.testing.assert_allclose(outs[6], np.log1p(v / 1000), rtol=1e-12)
    np.testing.assert_allclose(outs[7], np.expm1(v / 1000), rtol=1e-12)
    assert str(T.nnet.sigmoid(x).owner.op) == "Elemwise{sigmoid,no_inplace}"
    assert pp(T.nnet.softplus(x)) == "softplus(x)"
    assert T.log1p(T.ivector("i")).dtype == "float64"


def test_logistic_regression_demo_cost_is_finite_and_decreases():
    # the manual's "A Real Example" with its data shapes and random w ~ randn(784)
    rng = np.random.RandomState(1234)
    N, feats = 400, 784
    D = (rng.randn(N, feats), rng.randint(size=N, low=0, high=2))
    x = T.dmatrix("x")
    y = T.dvector("y")
    w = shared(rng.randn(feats), name="w")
    b = shared(0.0, name="b")
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))
    prediction = p_1 > 0.5
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w ** 2).sum()
    gw, gb = T.grad(cost, [w, b])
    train = theano.function(inputs=[x, y], outputs=[prediction, cost],
                            updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)))
    costs = []
    for _ in range(200):
        pred, err = train(D[0], D[1])
        costs.append(float(err))
    assert np.all(np.isfinite(costs))
    assert np.all(np.isfinite(w.get_value())) and np.isfinite(b.get_value())
    assert costs[-1] < costs[0]
    assert all(b_ <= a_ + 1e-9 for a_, b_ in zip(costs[:-1], costs[1:]))  # gradient descent on a convex cost
    assert (pred == D[1]).mean() > 0.9
