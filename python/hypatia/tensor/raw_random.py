"""hypatia.tensor.raw_random: random ops on an explicit generator state (theano.tensor.raw_random).

Each function takes a state variable (``hypatia.shared(RandomState(seed))`` or
``_core.shared_random_state(seed)``) and returns ``(new_state, sample)``; nothing advances the
state unless a function is given the update ``(state, new_state)``. Parameters broadcast
against ``size`` (a tuple of ints or int scalar variables); ``size=None`` takes the
parameters' shape. dtype: floatX for uniform/normal, int64 for the integer distributions.
``ndim`` is accepted for Theano compatibility and checked against size.
"""
from .. import _core

RandomState = _core.RandomState

__all__ = ["RandomState", "uniform", "normal", "binomial", "random_integers", "poisson", "choice",
           "permutation", "multinomial"]


def _check_ndim(size, ndim):
    if ndim is not None and size is not None:
        n = 1 if isinstance(size, int) else len(size)
        if n != ndim:
            raise ValueError("[raw_random] ndim=%d does not match size %r" % (ndim, size))


def uniform(random_state, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
    """Uniform on [low, high)."""
    _check_ndim(size, ndim)
    return _core.random_uniform(random_state, size, low, high, dtype)


def normal(random_state, size=None, avg=0.0, std=1.0, ndim=None, dtype=None):
    _check_ndim(size, ndim)
    return _core.random_normal(random_state, size, avg, std, dtype)


def binomial(random_state, size=None, n=1, p=0.5, ndim=None, dtype="int64", prob=None):
    _check_ndim(size, ndim)
    if prob is not None:
        p = prob
    return _core.random_binomial(random_state, size, n, p, dtype)


def random_integers(random_state, size=None, low=0, high=1, ndim=None, dtype="int64"):
    """Integers on [low, high], both ends included."""
    _check_ndim(size, ndim)
    return _core.random_integers(random_state, size, low, high, dtype)


def poisson(random_state, size=None, lam=1.0, ndim=None, dtype="int64"):
    _check_ndim(size, ndim)
    return _core.random_poisson(random_state, size, lam, dtype)


def choice(random_state, size=None, a=2, replace=True, p=None, ndim=None, dtype="int64"):
    _check_ndim(size, ndim)
    return _core.random_choice(random_state, size, a, replace, p, dtype)


def permutation(random_state, size=None, n=1, ndim=None, dtype="int64"):
    """Permutations of range(n), shape size + (n,)."""
    _check_ndim(size, ndim)
    return _core.random_permutation(random_state, size, n, dtype)


def multinomial(random_state, size=None, n=1, pvals=(0.5, 0.5), ndim=None, dtype="int64"):
    _check_ndim(size, ndim)
    return _core.random_multinomial(random_state, size, n, list(pvals) if isinstance(pvals, tuple) else pvals, dtype)
