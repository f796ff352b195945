"""hypatia.tensor.raw_random: random ops on an explicit generator state (theano.tensor.raw_random).

Each function takes a state variable (``hypatia.shared(RandomState(seed))`` or
``_core.random.shared_random_state(seed)``) and returns ``(new_state, sample)``; nothing advances the
state unless a function is given the update ``(state, new_state)``. Parameters broadcast
against ``size`` (a tuple of ints or int scalar variables, or an int vector variable such
as ``x.shape``); ``size=None`` takes the parameters' shape. dtype: floatX for uniform/normal,
int64 for the integer distributions.
``ndim`` is accepted for Theano compatibility and checked against size.
"""
from .. import _core

RandomState = _core.RandomState

__all__ = ["RandomState", "uniform", "normal", "binomial", "random_integers", "poisson", "choice",
           "permutation", "multinomial"]


def _check_ndim(size, ndim, who):
    """size as the core takes it. A symbolic vector (x.shape) becomes its entries, its length
    given by ndim when the graph does not show it; otherwise ndim must match size's length."""
    if isinstance(size, _core.Variable) and size.ndim == 1:
        return _core.random.size_from_vector(size, ndim, who)
    if ndim is not None and size is not None:
        n = 1 if isinstance(size, (int, _core.Variable)) else len(size)
        if n != ndim:
            raise ValueError("[%s] ndim=%d does not match size %r" % (who, ndim, size))
    return size


def uniform(random_state, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
    """Uniform samples on [``low``, ``high``).

    ``random_state`` is the generator state variable; ``size`` the sample shape (ints, integer scalars or an
    integer vector such as ``x.shape``; None takes the parameters' shape); ``ndim`` is checked against it;
    ``dtype`` is the sample's dtype. Returns ``(new_state, sample)``.

    Raises ValueError when ``ndim`` does not match ``size`` or a size is negative; TypeError for a bad dtype.
    """
    size = _check_ndim(size, ndim, "uniform")
    return _core.random.uniform(random_state, size, low, high, dtype)


def normal(random_state, size=None, avg=0.0, std=1.0, ndim=None, dtype=None):
    """Normal samples of mean ``avg`` and standard deviation ``std`` (both broadcast against ``size``).

    ``random_state`` is the generator state variable; ``size`` the sample shape (ints, integer scalars or an
    integer vector such as ``x.shape``; None takes the parameters' shape); ``ndim`` is checked against it;
    ``dtype`` is the sample's dtype. Returns ``(new_state, sample)``.

    Raises ValueError when ``ndim`` does not match ``size`` or a size is negative; TypeError for a bad dtype.
    """
    size = _check_ndim(size, ndim, "normal")
    return _core.random.normal(random_state, size, avg, std, dtype)


def binomial(random_state, size=None, n=1, p=0.5, ndim=None, dtype="int64", prob=None):
    """Binomial samples: ``n`` trials of success probability ``p`` (``prob`` is Theano's older name for ``p``).

    ``random_state`` is the generator state variable; ``size`` the sample shape (ints, integer scalars or an
    integer vector such as ``x.shape``; None takes the parameters' shape); ``ndim`` is checked against it;
    ``dtype`` is the sample's dtype. Returns ``(new_state, sample)``.

    Raises ValueError when ``ndim`` does not match ``size`` or a size is negative; TypeError for a bad dtype.
    """
    size = _check_ndim(size, ndim, "binomial")
    if prob is not None:
        p = prob
    return _core.random.binomial(random_state, size, n, p, dtype)


def random_integers(random_state, size=None, low=0, high=1, ndim=None, dtype="int64"):
    """Integers on [``low``, ``high``], both ends included.

    ``random_state`` is the generator state variable; ``size`` the sample shape (ints, integer scalars or an
    integer vector such as ``x.shape``; None takes the parameters' shape); ``ndim`` is checked against it;
    ``dtype`` is the sample's dtype. Returns ``(new_state, sample)``.

    Raises ValueError when ``ndim`` does not match ``size`` or a size is negative; TypeError for a bad dtype.
    """
    size = _check_ndim(size, ndim, "random_integers")
    return _core.random.integers(random_state, size, low, high, dtype)


def poisson(random_state, size=None, lam=1.0, ndim=None, dtype="int64"):
    """Poisson samples of rate ``lam``.

    ``random_state`` is the generator state variable; ``size`` the sample shape (ints, integer scalars or an
    integer vector such as ``x.shape``; None takes the parameters' shape); ``ndim`` is checked against it;
    ``dtype`` is the sample's dtype. Returns ``(new_state, sample)``.

    Raises ValueError when ``ndim`` does not match ``size`` or a size is negative; TypeError for a bad dtype.
    """
    size = _check_ndim(size, ndim, "poisson")
    return _core.random.poisson(random_state, size, lam, dtype)


def choice(random_state, size=None, a=2, replace=True, p=None, ndim=None, dtype="int64"):
    """Samples from ``a`` (an int: range(a); or a vector), with ``replace``ment or not, with probabilities ``p`` (uniform when None).

    ``random_state`` is the generator state variable; ``size`` the sample shape (ints, integer scalars or an
    integer vector such as ``x.shape``; None takes the parameters' shape); ``ndim`` is checked against it;
    ``dtype`` is the sample's dtype. Returns ``(new_state, sample)``.

    Raises ValueError when ``ndim`` does not match ``size`` or a size is negative; TypeError for a bad dtype.
    """
    size = _check_ndim(size, ndim, "choice")
    return _core.random.choice(random_state, size, a, replace, p, dtype)


def permutation(random_state, size=None, n=1, ndim=None, dtype="int64"):
    """Permutations of range(n), shape size + (n,).

    ``random_state`` is the generator state variable; ``size`` the shape of the batch of
    permutations (ints, integer scalars or an integer vector such as ``x.shape``; None: one
    permutation); ``n`` the number of items permuted; ``ndim`` is checked against ``size``;
    ``dtype`` is the sample's integer dtype. Returns ``(new_state, sample)``.

    Raises ValueError when ``ndim`` does not match ``size``; TypeError when ``size`` or ``n`` is
    not integers or ``dtype`` is unknown; the compiled function raises ValueError for a negative
    ``n`` or size.
    """
    size = _check_ndim(size, ndim, "permutation")
    return _core.random.permutation(random_state, size, n, dtype)


def multinomial(random_state, size=None, n=1, pvals=(0.5, 0.5), ndim=None, dtype="int64"):
    """Multinomial samples: counts of ``n`` draws over the categories of ``pvals`` (per row, numpy's rules).

    ``random_state`` is the generator state variable; ``size`` the sample shape (ints, integer scalars or an
    integer vector such as ``x.shape``; None takes the parameters' shape); ``ndim`` is checked against it;
    ``dtype`` is the sample's dtype. Returns ``(new_state, sample)``.

    Raises ValueError when ``ndim`` does not match ``size`` or a size is negative; TypeError for a bad dtype.
    """
    size = _check_ndim(size, ndim, "multinomial")
    return _core.random.multinomial(random_state, size, n, list(pvals) if isinstance(pvals, tuple) else pvals, dtype)
