"""Random streams (the manual's "Using Random Numbers"): default updates, no_default_updates,
seeding single generators and whole streams, sharing streams between functions, copying
state between graphs, distribution sanity checks, the absence of gradients, and symbolic sizes
(size=x.shape) as the dA, RBM and dropout tutorials write them."""
import copy

import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia import function, shared
from hypatia.tensor.shared_randomstreams import RandomStreams
from hypatia.tensor import raw_random


def test_manual_using_random_numbers():
    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    rv_n = srng.normal((2, 2))
    f = function([], rv_u)
    g = function([], rv_n, no_default_updates=True)  # not updating rv_n.rng
    nearly_zeros = function([], rv_u + rv_u - 2 * rv_u)
    f_val0, f_val1 = f(), f()
    assert f_val0.shape == (2, 2) and f_val0.dtype == hypatia.config.floatX
    assert not np.array_equal(f_val0, f_val1)
    g_val0, g_val1 = g(), g()
    np.testing.assert_array_equal(g_val0, g_val1)
    np.testing.assert_allclose(nearly_zeros(), np.zeros((2, 2)), atol=1e-6)

    # seeding one stream through its state (the manual's rng_val.seed example)
    rng_val = rv_u.rng.get_value(borrow=True)
    rng_val.seed(89234)
    rv_u.rng.set_value(rng_val, borrow=True)
    a = f()
    rng_val = rv_u.rng.get_value(borrow=True)
    rng_val.seed(89234)
    rv_u.rng.set_value(rng_val, borrow=True)
    np.testing.assert_array_equal(f(), a)

    # seeding the whole RandomStreams object
    srng.seed(902340)
    s1, s2 = f(), g()
    srng.seed(902340)
    np.testing.assert_array_equal(f(), s1)
    np.testing.assert_array_equal(g(), s2)

    # sharing streams between functions: state snapshot and restore
    state_after_v0 = rv_u.rng.get_value().get_state()
    nearly_zeros()  # this affects rv_u's generator
    v1 = f()
    rng = rv_u.rng.get_value(borrow=True)
    rng.set_state(state_after_v0)
    rv_u.rng.set_value(rng, borrow=True)
    v2 = f()  # v2 != v1
    v3 = f()  # v3 == v1
    assert not np.array_equal(v1, v2)
    np.testing.assert_array_equal(v1, v3)

    assert rv_u.update[0] is not None and rv_u.update[0] == rv_u.rng
    assert rv_u.rng.default_update == rv_u.update[1]
    assert len(srng.updates()) == 2 and srng.updates()[0][0] == rv_u.rng


def test_two_streams_same_seed_agree():
    a, b = RandomStreams(7), RandomStreams(7)
    ua, ub = a.uniform((3, 4)), b.uniform((3, 4))
    np.testing.assert_array_equal(function([], ua)(), function([], ub)())
    c = RandomStreams(8).uniform((3, 4))
    assert not np.array_equal(function([], ua)(), function([], c)())


def test_copying_random_state_between_graphs():
    # the manual's "Copying Random State Between Theano Graphs"
    class Graph:
        def __init__(self, seed=123):
            self.rng = RandomStreams(seed)
            self.y = self.rng.uniform(size=(1,))

    g1, g2 = Graph(seed=123), Graph(seed=987)
    f1, f2 = function([], g1.y), function([], g2.y)
    f1(), f2()

    def copy_random_state(g1, g2):
        for (su1, su2) in zip(g1.rng.state_updates, g2.rng.state_updates):
            su2[0].set_value(su1[0].get_value())

    copy_random_state(g1, g2)
    np.testing.assert_array_equal(f1(), f2())


def test_state_objects():
    r = raw_random.RandomState(5)
    s = shared(r)
    assert str(s.type) == "RandomStateType"
    v = s.get_value()
    assert v == r and v is not r
    c = copy.deepcopy(v)
    assert c == v
    c.seed(6)
    assert c != v
    new_r, u = raw_random.uniform(s, (4,))
    f = function([], u, updates=[(s, new_r)])
    a, b = f(), f()
    assert not np.array_equal(a, b)
    s.set_value(raw_random.RandomState(5))
    np.testing.assert_array_equal(f(), a)
    # without an update the state stays put
    h = function([], u)
    np.testing.assert_array_equal(h(), h())
    with pytest.raises(TypeError):
        s.set_value(np.zeros(3))


def test_distributions():
    srng = RandomStreams(42)
    N = 100000
    u = function([], srng.uniform((N,), low=-2.0, high=3.0))()
    assert u.dtype == hypatia.config.floatX
    assert u.min() >= -2 and u.max() < 3
    assert abs(u.mean() - 0.5) < 0.03 and abs(u.var() - 25 / 12.0) < 0.05
    u32 = function([], srng.uniform((N,), dtype="float32"))()
    assert u32.dtype == np.float32 and u32.min() >= 0 and u32.max() < 1

    n = function([], srng.normal((N,), avg=1.0, std=2.0, dtype="float64"))()
    assert n.dtype == np.float64
    assert abs(n.mean() - 1) < 0.03 and abs(n.std() - 2) < 0.03

    b = function([], srng.binomial((N,), n=10, p=0.3))()
    assert b.dtype == np.int64 and b.min() >= 0 and b.max() <= 10
    assert abs(b.mean() - 3) < 0.05 and abs(b.var() - 2.1) < 0.1

    ri = function([], srng.random_integers((N,), low=-2, high=3))()
    assert ri.dtype == np.int64
    assert set(np.unique(ri)) == {-2, -1, 0, 1, 2, 3}  # both ends included

    po = function([], srng.poisson((N,), lam=4.0))()
    assert po.dtype == np.int64 and abs(po.mean() - 4) < 0.05 and abs(po.var() - 4) < 0.15

    ch = function([], srng.choice((N,), a=3, p=[0.2, 0.5, 0.3]))()
    assert ch.dtype == np.int64
    np.testing.assert_allclose(np.bincount(ch) / N, [0.2, 0.5, 0.3], atol=0.01)
    nr = function([], srng.choice((2, 5), a=10, replace=False))()
    assert nr.shape == (2, 5) and len(np.unique(nr)) == 10
    vals = function([], srng.choice((6,), a=np.array([10.0, 20.0]), dtype="float64"))()
    assert set(np.unique(vals)) <= {10.0, 20.0}

    pm = function([], srng.permutation((3,), n=6))()
    assert pm.shape == (3, 6) and pm.dtype == np.int64
    for row in pm:
        assert sorted(row) == list(range(6))
    one = function([], srng.permutation(n=4))()
    assert sorted(one) == [0, 1, 2, 3]

    mn = function([], srng.multinomial((1000,), n=20, pvals=[0.1, 0.6, 0.3]))()
    assert mn.shape == (1000, 3) and np.all(mn.sum(axis=1) == 20)
    assert abs(mn[:, 1].mean() - 12) < 0.3

    # parameters broadcast against size; size=None takes their shape; symbolic size
    lows = np.array([0.0, 10.0, 100.0])
    bu = function([], srng.uniform((2, 3), low=lows, high=lows + 1))()
    np.testing.assert_array_equal(np.floor(bu), np.tile([0, 10, 100], (2, 1)))
    nu = function([], srng.normal(avg=lows, std=0.0))()
    np.testing.assert_array_equal(nu, lows)
    k = T.lscalar("k")
    sym = srng.uniform((k, 2))
    assert function([k], sym)(4).shape == (4, 2)
    assert function([k], sym.shape)(4).tolist() == [4, 2]


def test_no_gradient():
    srng = RandomStreams(3)
    low = T.dscalar("low")
    u = srng.uniform((2,), low=low, high=5.0)
    with pytest.raises(Exception):
        T.grad(u.sum(), low)
    bad = srng.uniform((2,), low=2.0, high=1.0)
    with pytest.raises(ValueError, match="low > high"):
        function([], bad)()
    with pytest.raises(AttributeError):
        T.dvector().rng


# ---- symbolic sizes (size=x.shape), as the deep learning tutorials write them ----

def _ops(f):
    return [str(n).split("(")[0] for n in f.maker.fgraph.toposort()]


def test_denoising_autoencoder_corruption_with_symbolic_size():
    # dA.get_corrupted_input: theano_rng.binomial(size=input.shape, n=1, p=1 - corruption_level,
    # dtype=theano.config.floatX) * input
    floatX = hypatia.config.floatX
    theano_rng = RandomStreams(1234)
    x = T.matrix("x")
    corruption_level = 0.3
    mask = theano_rng.binomial(size=x.shape, n=1, p=1 - corruption_level, dtype=floatX)
    tilde_x = mask * x
    assert mask.dtype == floatX and mask.ndim == 2
    f = function([x], [mask, tilde_x])
    for shape in [(60, 40), (9, 130)]:  # the sample follows the input's shape at run time
        data = np.full(shape, 2.0, dtype=floatX)
        m, t = f(data)
        assert m.shape == shape and t.shape == shape and m.dtype == floatX
        assert set(np.unique(m)) <= {0.0, 1.0}
        assert abs(m.mean() - 0.7) < 0.05
        np.testing.assert_array_equal(t, 2 * m)
    # infer_shape gives the symbolic size: mask.shape is x.shape, no random op runs (without
    # the stream's default update, which would advance the state)
    g = function([x], mask.shape, no_default_updates=True)
    assert "RandomFunction" not in " ".join(_ops(g))
    assert g(np.zeros((3, 5), dtype=floatX)).tolist() == [3, 5]


def test_denoising_autoencoder_trains():
    # The tutorial's dA cost (cross-entropy of the reconstruction of the corrupted input).
    floatX = hypatia.config.floatX
    rng = np.random.RandomState(123)
    theano_rng = RandomStreams(rng.randint(2 ** 30))
    n_visible, n_hidden = 20, 8
    x = T.matrix("x")
    W = shared(np.asarray(rng.uniform(-0.3, 0.3, (n_visible, n_hidden)), dtype=floatX), name="W")
    b = shared(np.zeros(n_hidden, dtype=floatX), name="b")
    b_prime = shared(np.zeros(n_visible, dtype=floatX), name="b_prime")
    tilde_x = theano_rng.binomial(size=x.shape, n=1, p=1 - 0.3, dtype=floatX) * x
    y = T.nnet.sigmoid(T.dot(tilde_x, W) + b)
    z = T.nnet.sigmoid(T.dot(y, W.T) + b_prime)
    L = -T.sum(x * T.log(z) + (1 - x) * T.log(1 - z), axis=1)
    cost = T.mean(L)
    params = [W, b, b_prime]
    gparams = T.grad(cost, params)
    train = function([x], cost, updates=[(p, p - 0.5 * g) for p, g in zip(params, gparams)])
    data = (rng.uniform(size=(40, n_visible)) < 0.3).astype(floatX)
    data[:, :5] = 1  # structure the autoencoder can learn
    costs = [float(train(data)) for _ in range(60)]
    assert np.all(np.isfinite(costs))
    assert np.mean(costs[-5:]) < 0.8 * np.mean(costs[:5])
    # a batch of another size goes through the same compiled function
    assert np.isfinite(train(data[:7]))


def test_rbm_and_dropout_samples_with_symbolic_size():
    floatX = hypatia.config.floatX
    theano_rng = RandomStreams(99)
    v = T.matrix("v")
    W = shared(np.random.RandomState(1).uniform(-1, 1, (6, 4)).astype(floatX))
    h1_mean = T.nnet.sigmoid(T.dot(v, W))
    # RBM.sample_h_given_v: binomial(size=h1_mean.shape, n=1, p=h1_mean)
    h1_sample = theano_rng.binomial(size=h1_mean.shape, n=1, p=h1_mean, dtype=floatX)
    # LSTM dropout: x * trng.binomial(x.shape, p=keep, n=1, dtype=x.dtype)
    keep = 0.8
    dropped = v * theano_rng.binomial(v.shape, p=keep, n=1, dtype=v.dtype)
    f = function([v], [h1_mean, h1_sample, dropped])
    for rows in (500, 37):
        data = np.ones((rows, 6), dtype=floatX)
        hm, hs, dr = f(data)
        assert hs.shape == hm.shape == (rows, 4) and dr.shape == (rows, 6)
        assert set(np.unique(hs)) <= {0.0, 1.0} and set(np.unique(dr)) <= {0.0, 1.0}
    hm, hs, dr = f(np.ones((4000, 6), dtype=floatX))
    assert abs(hs.mean() - hm.mean()) < 0.02  # p is per entry: E[sample] = h1_mean
    assert abs(dr.mean() - keep) < 0.02
    # int64 default dtype, as Theano
    assert theano_rng.binomial(size=v.shape, p=keep).dtype == "int64"


def test_symbolic_size_reproducible_with_a_seed():
    x = T.matrix("x")
    draws = []
    for _ in range(2):
        s = RandomStreams(seed=42)
        f = function([x], [s.binomial(size=x.shape, p=0.5), s.normal(size=x.shape), s.uniform(size=(x.shape[0], 3))])
        draws.append([f(np.zeros((5, 4))), f(np.zeros((2, 7)))])
    for a, b in zip(draws[0], draws[1]):
        for u, w in zip(a, b):
            np.testing.assert_array_equal(u, w)
    assert draws[0][0][2].shape == (5, 3) and draws[0][1][2].shape == (2, 3)
    assert not np.array_equal(draws[0][0][1], function([x], RandomStreams(seed=43).normal(size=x.shape))(np.zeros((5, 4))))


def test_symbolic_size_in_every_method_and_raw_random():
    x = T.tensor3("x")
    s = RandomStreams(5)
    data = np.zeros((2, 3, 4))
    outs = [s.uniform(size=x.shape), s.normal(size=x.shape), s.binomial(size=x.shape),
            s.random_integers(size=x.shape, low=0, high=3), s.poisson(size=x.shape),
            s.choice(size=x.shape, a=5), s.permutation(size=x.shape, n=3),
            s.multinomial(size=x.shape, n=4, pvals=[0.5, 0.5])]
    got = function([x], outs)(data)
    for g in got[:6]:
        assert g.shape == (2, 3, 4)
    assert got[6].shape == (2, 3, 4, 3) and got[7].shape == (2, 3, 4, 2)
    state = shared(raw_random.RandomState(3))
    new, u = raw_random.uniform(state, size=x.shape)
    assert function([x], u)(data).shape == (2, 3, 4)
    new, b = raw_random.binomial(state, size=x.shape, ndim=3, p=0.2)
    assert function([x], b)(data).shape == (2, 3, 4)
    with pytest.raises(ValueError, match=r"^\[binomial\] ndim=2"):
        raw_random.binomial(state, size=x.shape, ndim=2)
    # a vector whose length the graph does not show needs ndim (then checked at run time)
    n = T.lvector("n")
    with pytest.raises(ValueError, match=r"^\[uniform\].*ndim"):
        s.uniform(size=n)
    f = function([n], s.uniform(size=n, ndim=2))
    assert f(np.array([3, 2])).shape == (3, 2)
    with pytest.raises(ValueError, match=r"SpecifyShape"):
        f(np.array([3, 2, 1]))


def test_bad_symbolic_sizes_raise_clear_errors():
    s = RandomStreams(5)
    with pytest.raises(TypeError, match=r"^\[binomial\] size must be an integer vector"):
        s.binomial(size=T.dvector("fv"), p=0.5)
    with pytest.raises(TypeError, match=r"^\[normal\]"):
        s.normal(size=T.dmatrix("m").shape.astype("float64"))
    with pytest.raises(TypeError, match=r"^\[uniform\]"):
        s.uniform(size=2.5)
    with pytest.raises(TypeError, match=r"^\[uniform\] size entry 1"):
        s.uniform(size=(2, T.dscalar("d")))
    with pytest.raises(ValueError, match=r"^\[binomial\] negative dimension"):
        s.binomial(size=(3, -1))
    k = T.lscalar("k")
    f = function([k], s.normal(size=(k, 2)))
    with pytest.raises(ValueError, match="negative dimension"):
        f(-3)
