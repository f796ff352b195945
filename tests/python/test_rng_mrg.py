"""sandbox.rng_mrg.MRG_RandomStreams against a plain-Python MRG31k3p written from the published
recurrence (L'Ecuyer & Touzin, 2000), with Theano's seeding, substreams and sample order."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia.sandbox import rng_mrg
from hypatia.sandbox.rng_mrg import MRG_RandomStreams

M1, M2 = 2 ** 31 - 1, 2 ** 31 - 21069
# x1[n] = (2^22 x1[n-2] + (2^7+1) x1[n-3]) mod M1; x2[n] = (2^15 x2[n-1] + (2^15+1) x2[n-3]) mod M2,
# on states (x[n-1], x[n-2], x[n-3]) of each component.
A1 = [[0, 2 ** 22, 2 ** 7 + 1], [1, 0, 0], [0, 1, 0]]
A2 = [[2 ** 15, 0, 2 ** 15 + 1], [1, 0, 0], [0, 1, 0]]


def mat_mul(a, b, m):
    return [[sum(a[i][k] * b[k][j] for k in range(3)) % m for j in range(3)] for i in range(3)]


def mat_pow2(a, e, m):
    for _ in range(e):
        a = mat_mul(a, a, m)
    return a


J72 = (mat_pow2(A1, 72, M1), mat_pow2(A2, 72, M2))
J134 = (mat_pow2(A1, 134, M1), mat_pow2(A2, 134, M2))


def jump(s, j):
    a, b = j
    return ([sum(a[i][k] * s[k] for k in range(3)) % M1 for i in range(3)]
            + [sum(b[i][k] * s[3 + k] for k in range(3)) % M2 for i in range(3)])


def step(s):
    x1 = (2 ** 22 * s[1] + (2 ** 7 + 1) * s[2]) % M1
    x2 = (2 ** 15 * s[3] + (2 ** 15 + 1) * s[5]) % M2
    s[:] = [x1, s[0], s[1], x2, s[3], s[4]]
    return (x1 - x2) % M1 or M1


class RefStreams:
    """The reference: per random variable, nstreams substreams from the current stream start."""

    def __init__(self, seed):
        self.rstate = [seed] * 6 if isinstance(seed, int) else list(seed)

    def variable(self, nstreams, used):
        states, s = [], list(self.rstate)
        for i in range(min(nstreams, used)):
            states.append(list(s))
            s = jump(s, J72)
        self.rstate = jump(self.rstate, J134)
        return states

    @staticmethod
    def draw(states, nstreams, n, dtype="float64"):
        z = [step(states[i % nstreams]) for i in range(n)]
        if dtype == "float32":
            return np.float32(np.array(z, dtype="int64")) * np.float32(4.6566126e-10)
        return np.array(z, dtype="float64") * 4.656612873077392578125e-10


def test_jump_matrices_and_substreams_match_the_recurrence():
    s = [12345] * 6
    t = list(s)
    for _ in range(1000):
        step(t)
    assert rng_mrg._core.extra.mrg_jump(s, 10) == [int(v) for v in jump(s, (mat_pow2(A1, 10, M1), mat_pow2(A2, 10, M2)))]
    assert jump(s, (mat_pow2(A1, 10, M1), mat_pow2(A2, 10, M2))) == _run(s, 1024)
    r = MRG_RandomStreams(12345)
    got = r.get_substream_rstates(4, "float64")
    assert got.dtype == np.int32 and got.shape == (4, 6)
    ref = RefStreams(12345).variable(4, 4)
    np.testing.assert_array_equal(got, np.array(ref))
    np.testing.assert_array_equal(r.rstate, jump([12345] * 6, J134))


def _run(s, n):
    s = list(s)
    for _ in range(n):
        step(s)
    return s


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_uniform_matches_reference_and_advances(dtype):
    r = MRG_RandomStreams(234)
    ref = RefStreams(234)
    u = r.uniform((4, 5), dtype=dtype)            # 20 elements: 3 streams
    v = r.uniform((7,), low=2.0, high=5.0, dtype=dtype, nstreams=2)
    f = hypatia.function([], [u, v])
    su, sv = ref.variable(rng_mrg.guess_n_streams((4, 5)), 20), ref.variable(2, 7)
    assert rng_mrg.guess_n_streams((4, 5)) == 3
    for _ in range(3):                            # each call continues the streams
        gu, gv = f()
        assert gu.dtype == dtype and gu.shape == (4, 5)
        np.testing.assert_array_equal(gu, RefStreams.draw(su, 3, 20, dtype).reshape(4, 5))
        want_v = RefStreams.draw(sv, 2, 7, dtype)
        np.testing.assert_allclose(gv, (want_v * (np.asarray(5.0, dtype) - 2.0) + 2.0).astype(dtype), rtol=1e-6)
        assert 0 < gu.min() and gu.max() < 1


def test_seed_reset_and_six_int_seed():
    r = MRG_RandomStreams(7)
    u = r.uniform((10,), nstreams=4)
    f = hypatia.function([], u)
    first = f()
    f()
    r.seed()
    np.testing.assert_array_equal(f(), first)
    r.seed(99)
    np.testing.assert_array_equal(f(), RefStreams.draw(RefStreams(99).variable(4, 10), 4, 10))
    seed6 = [1, 2, 3, 4, 5, 6]
    r6 = MRG_RandomStreams(seed6)
    g = hypatia.function([], r6.uniform((5,), nstreams=5))
    np.testing.assert_array_equal(g(), RefStreams.draw(RefStreams(seed6).variable(5, 5), 5, 5))
    for bad in (0, M2, [0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 0], [M1, 1, 1, 1, 1, 1]):
        with pytest.raises(ValueError):
            MRG_RandomStreams(bad)
    with pytest.raises(TypeError):
        MRG_RandomStreams([1, 2])
    fn = hypatia.function([], u, no_default_updates=True)
    np.testing.assert_array_equal(fn(), fn())


def test_normal_box_muller_as_theano():
    r = MRG_RandomStreams(42)
    n = r.normal((3, 5), avg=1.0, std=2.0)        # 15 -> 16 uniforms from 60*256 streams
    got = hypatia.function([], n)()
    u = RefStreams.draw(RefStreams(42).variable(60 * 256, 16), 60 * 256, 16)
    rad, theta = np.sqrt(-2.0 * np.log(u[:8])), 2.0 * np.pi * u[8:]
    want = np.concatenate([rad * np.cos(theta), rad * np.sin(theta)])[:15].reshape(3, 5) * 2.0 + 1.0
    np.testing.assert_allclose(got, want, rtol=1e-12)
    t = r.truncated_normal((2000,), std=1.5)
    tv = hypatia.function([], t)()
    assert tv.shape == (2000,) and np.abs(tv).max() <= 2 * 1.5 / 0.87962566103423978 + 1e-9
    assert abs(tv.std() - 1.5) < 0.1 and abs(tv.mean()) < 0.1


def test_binomial_multinomial_choice():
    r = MRG_RandomStreams(5)
    b = hypatia.function([], r.binomial((6,), p=0.3, nstreams=2))()
    np.testing.assert_array_equal(b, (RefStreams.draw(RefStreams(5).variable(2, 6), 2, 6) < 0.3).astype("int64"))
    pv = np.array([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]])
    r2 = MRG_RandomStreams(11)
    m = hypatia.function([], r2.multinomial(pvals=pv, n=3))()
    u = RefStreams.draw(RefStreams(11).variable(60 * 256, 6), 60 * 256, 6)
    want = np.zeros((2, 3), dtype="int64")
    for c in range(3):
        for row in range(2):
            want[row, np.searchsorted(np.cumsum(pv[row]), u[c * 2 + row], side="right")] += 1
    np.testing.assert_array_equal(m, want)
    assert m.dtype == np.int64
    r3 = MRG_RandomStreams(13)
    p = np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]])
    ch = hypatia.function([], r3.choice(size=3, replace=False, p=p))()
    u = RefStreams.draw(RefStreams(13).variable(60 * 256, 6), 60 * 256, 6)
    want = np.zeros((2, 3), dtype="int64")
    for row in range(2):
        q = p[row].copy()
        for c in range(3):
            k = int(np.searchsorted(np.cumsum(q), u[c * 2 + row], side="right"))
            want[row, c] = k
            q[k] = 0
            q /= q.sum()
    np.testing.assert_array_equal(ch, want)
    assert all(len(set(row)) == 3 for row in ch)
    with pytest.raises(NotImplementedError):
        r3.choice(size=2, p=p)
    with pytest.raises(ValueError):
        r3.multinomial(size=(2,), pvals=pv)


def test_threads_do_not_change_the_numbers():
    def draw():
        r = MRG_RandomStreams(321)
        return hypatia.function([], r.uniform((300, 100), nstreams=64))()
    old = hypatia.config.openmp
    try:
        hypatia.config.openmp = False
        one = draw()
        hypatia.config.openmp = True
        many = draw()
    finally:
        hypatia.config.openmp = old
    np.testing.assert_array_equal(one, many)
    ref = RefStreams(321)
    np.testing.assert_array_equal(one[:1, :10].ravel(), RefStreams.draw(ref.variable(64, 10), 64, 10))


def test_symbolic_size_and_no_gradient():
    x = T.dmatrix()
    r = MRG_RandomStreams(3)
    u = r.uniform(x.shape)
    f = hypatia.function([x], u)
    assert f(np.zeros((2, 3))).shape == (2, 3)
    w = T.dscalar()
    cost = T.sum(r.uniform((3,), nstreams=1) * w)
    g = hypatia.function([w], hypatia.grad(cost, w))
    assert np.isfinite(g(2.0))
    u2 = r.uniform((2,))
    rstate = r.state_updates[-1][0]
    with pytest.raises(hypatia.gradient.DisconnectedInputError):
        hypatia.grad(T.sum(u2), rstate)
    gz = hypatia.grad(T.sum(u2), rstate, disconnected_inputs="ignore")
    assert not np.any(gz.eval())
    assert rng_mrg.guess_n_streams((100, 100)) == 1666 and rng_mrg.guess_n_streams((1000, 1000)) == 60 * 256 and rng_mrg.guess_n_streams((4,)) == 4
    a = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype="int64")
    v = np.array([10, 20, 30], dtype="int32")
    np.testing.assert_array_equal(rng_mrg.multMatVect(np.r_[v, v], a, 7, a, 11), np.r_[a.dot(v) % 7, a.dot(v) % 11])
    op_out = rng_mrg.DotModulo()(a, v, np.int32(7), a, v, np.int32(11))
    np.testing.assert_array_equal(op_out.eval(), np.r_[a.dot(v) % 7, a.dot(v) % 11])


def test_module_helpers_match_the_native_streams():
    s = np.array([12345] * 6, dtype="int32")
    np.testing.assert_array_equal(rng_mrg.ff_2p72(s), jump([int(v) for v in s], J72))
    np.testing.assert_array_equal(rng_mrg.ff_2p134(s), jump([int(v) for v in s], J134))
    np.testing.assert_array_equal(rng_mrg.A1p72, J72[0])
    t = s.copy()
    ref = [12345] * 6
    assert rng_mrg.mrg_next_value(t) == step(ref) * 4.656612873077392578125e-10
    np.testing.assert_array_equal(t, ref)
