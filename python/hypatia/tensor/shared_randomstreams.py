"""hypatia.tensor.shared_randomstreams: RandomStreams (theano.tensor.shared_randomstreams).

``RandomStreams(seed)`` makes one shared generator state per random variable it builds; each
variable has ``.rng`` (that shared state variable) and ``.update`` (``(rng, new_state)``), and
``rng.default_update`` is set so compiled functions advance the state unless given
``no_default_updates=True``. ``seed(meta_seed)`` reseeds every generator made so far.
``size`` may be symbolic, as in Theano: ``x.shape``, or a tuple mixing ints and integer scalar
variables (``(x.shape[0], 10)``); the sample's shape then follows x at run time.
The state values are ``RandomState`` objects (xoshiro256**): ``rng.get_value(borrow=True)``
returns the live state, whose ``seed(n)`` reseeds it in place; ``get_state``/``set_state``
copy it.
"""
from .. import _core
from ..configparser import config

RandomState = _core.RandomState

__all__ = ["RandomStreams", "RandomState"]


def _dtype(dtype):
    return config.floatX if dtype in (None, "floatX") else dtype


def _size(size, ndim, who):
    """Theano's size: None, an int, a tuple mixing ints and integer scalar variables, or an
    integer vector variable such as ``x.shape`` (whose length ``ndim`` gives when the graph
    does not show it)."""
    if isinstance(size, _core.Variable) and size.ndim == 1:
        return _core.random.size_from_vector(size, ndim, who)
    return size


class RandomStreams:
    """Module component with similar interface to numpy.random (theano's RandomStreams).

    ``seed`` is the meta seed (a non-negative int) from which each random variable's generator is
    seeded; None picks a random one. The methods (uniform, normal, binomial, random_integers,
    poisson, choice, permutation, multinomial) take Theano's arguments and return the sample
    variable.

    The constructor raises TypeError when ``seed`` is not an integer or None, ValueError when it is
    negative; the methods raise TypeError for a bad ``size`` or dtype, and ValueError for
    parameters that do not broadcast to ``size``.
    """

    def __init__(self, seed=None):
        self._streams = _core.RandomStreams(seed)
        self.default_instance_seed = seed

    @property
    def state_updates(self):
        """(shared state variable, new state) for every random variable made, in order."""
        return list(self._streams.state_updates)

    def updates(self):
        return list(self._streams.updates())

    def seed(self, seed=None):
        """Reseed every generator made so far from a generator seeded with ``seed``."""
        self._streams.seed(seed)

    def uniform(self, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
        return self._streams.uniform(_size(size, ndim, "uniform"), low, high, _dtype(dtype))

    def normal(self, size=None, avg=0.0, std=1.0, ndim=None, dtype=None):
        return self._streams.normal(_size(size, ndim, "normal"), avg, std, _dtype(dtype))

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype="int64", prob=None):
        if prob is not None:
            p = prob
        return self._streams.binomial(_size(size, ndim, "binomial"), n, p, dtype)

    def random_integers(self, size=None, low=0, high=1, ndim=None, dtype="int64"):
        return self._streams.random_integers(_size(size, ndim, "random_integers"), low, high, dtype)

    def poisson(self, size=None, lam=1.0, ndim=None, dtype="int64"):
        return self._streams.poisson(_size(size, ndim, "poisson"), lam, dtype)

    def choice(self, size=None, a=2, replace=True, p=None, ndim=None, dtype="int64"):
        return self._streams.choice(_size(size, ndim, "choice"), a, replace, p, dtype)

    def permutation(self, size=None, n=1, ndim=None, dtype="int64"):
        return self._streams.permutation(_size(size, ndim, "permutation"), n, dtype)

    def multinomial(self, size=None, n=1, pvals=(0.5, 0.5), ndim=None, dtype="int64"):
        return self._streams.multinomial(_size(size, ndim, "multinomial"), n, list(pvals) if isinstance(pvals, tuple) else pvals, dtype)
