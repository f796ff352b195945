"""hypatia.tensor.extra_ops: Theano's theano.tensor.extra_ops names (and choose, mgrid, ogrid
and chi2sf, which Theano keeps in theano.tensor)."""
from .. import _core
from .._op_class import NativeOpClass

__all__ = ["cumsum", "cumprod", "diff", "bincount", "searchsorted", "unique", "to_one_hot",
           "fill_diagonal", "fill_diagonal_offset", "squeeze", "compress", "repeat",
           "bartlett", "ravel_multi_index", "unravel_index", "CpuContiguous", "cpu_contiguous",
           "SearchsortedOp", "Unique", "choose", "chi2sf", "mgrid", "ogrid"]

_NATIVE = ["cumsum", "cumprod", "diff", "bincount", "searchsorted", "unique", "to_one_hot",
           "fill_diagonal", "fill_diagonal_offset", "squeeze", "compress", "repeat"]
globals().update({_n: getattr(_core.reduce, _n) for _n in _NATIVE})


def bartlett(M):
    """The Bartlett (triangular) window of M points, a float64 vector (empty for M <= 0).

    Raises TypeError when ``M`` is not an integer scalar.
    """
    return _core.extra.bartlett(M)


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """numpy.ravel_multi_index: flat int64 indices of a tuple of index arrays into an array of
    shape dims; mode 'raise', 'wrap' or 'clip' (or one per index array); order 'C' or 'F'.

    ``multi_index`` is the tuple of integer index arrays. Raises TypeError when an index array
    is not an integer tensor; with mode 'raise' the compiled function raises ValueError for an
    index out of range.
    """
    return _core.extra.ravel_multi_index(tuple(multi_index), dims, mode, order)


def unravel_index(indices, dims, order="C", ndim=None):
    """numpy.unravel_index: a tuple of int64 coordinate arrays shaped like indices; ndim gives
    len(dims) when the graph cannot tell it.

    ``order`` is 'C' or 'F'. Raises TypeError when ``indices`` is not an integer tensor; the
    compiled function raises ValueError for an index out of range.
    """
    return _core.extra.unravel_index(indices, dims, order, ndim)


def cpu_contiguous(x):
    """x itself when C-contiguous, else a C-contiguous copy (Theano's CpuContiguous).

    Raises TypeError when ``x`` is not a dense tensor.
    """
    return _core.extra.cpu_contiguous(x)


class CpuContiguous(metaclass=NativeOpClass):
    """Theano's CpuContiguous op: ``CpuContiguous()(x)``.

    Calling the op raises TypeError when its input is not a dense tensor.
    """
    _native = ["hypatia::CpuContiguous"]

    def __call__(self, x):
        return cpu_contiguous(x)

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))


class SearchsortedOp(metaclass=NativeOpClass):
    """Theano's SearchsortedOp(side): ``SearchsortedOp('right')(x, v[, sorter])``.

    Raises ValueError when ``side`` is not 'left' or 'right'; calling the op raises TypeError
    when x is not a vector.
    """
    _native = ["hypatia::SearchsortedOp"]

    def __init__(self, side="left"):
        if side not in ("left", "right"):
            raise ValueError(f"[SearchsortedOp] side must be 'left' or 'right', got {side!r}")
        self.side = side

    def __call__(self, x, v, sorter=None):
        return searchsorted(x, v, side=self.side, sorter=sorter)

    def __eq__(self, other):
        return type(self) is type(other) and self.side == other.side

    def __hash__(self):
        return hash((type(self), self.side))


class Unique(metaclass=NativeOpClass):
    """Theano's Unique(return_index, return_inverse, return_counts): ``Unique(True)(x)``.

    Calling the op raises TypeError when its input is not a dense tensor.
    """
    _native = ["hypatia::Unique"]

    def __init__(self, return_index=False, return_inverse=False, return_counts=False):
        self.return_index, self.return_inverse, self.return_counts = return_index, return_inverse, return_counts

    def __call__(self, x):
        return unique(x, self.return_index, self.return_inverse, self.return_counts)

    def __eq__(self, other):
        return type(self) is type(other) and (self.return_index, self.return_inverse, self.return_counts) == (
            other.return_index, other.return_inverse, other.return_counts)

    def __hash__(self):
        return hash((type(self), self.return_index, self.return_inverse, self.return_counts))


def choose(a, choices, out=None, mode="raise"):
    """numpy.choose: an array built from choices (a list of tensors, or one tensor whose first
    axis holds them) by the integer index array a; mode 'raise', 'wrap' or 'clip'.

    ``out`` must be None. Raises TypeError when ``out`` is given or ``a`` is not an integer
    tensor; with mode 'raise' the compiled function raises ValueError for an index out of range.
    """
    if out is not None:
        raise TypeError("[choose] out is not supported: the result is a new variable")
    return _core.extra.choose(a, list(choices) if isinstance(choices, tuple) else choices, mode)


def chi2sf(x, k):
    """The chi-square survival function 1 - cdf (scipy.stats.chi2.sf(x, k)), elementwise.

    Raises TypeError when ``x`` or ``k`` is not a dense tensor.
    """
    return _core.extra.chi2sf(x, k)


class _nd_grid:
    """mgrid / ogrid: ``mgrid[0:5, 0:3]`` gives the dense mesh-grid (a list of tensors of one
    shape); ``ogrid`` the open one (each varies along its own axis only)."""

    def __init__(self, sparse=False):
        self.sparse = sparse

    def __getitem__(self, key):
        from . import arange, ones_like
        single = isinstance(key, slice)
        slices = (key,) if single else tuple(key)
        ndim = len(slices)
        for sl in slices:
            if not isinstance(sl, slice):
                raise TypeError(f"[{'ogrid' if self.sparse else 'mgrid'}] expected slices, got {sl!r}")
            if isinstance(sl.step, complex):
                raise NotImplementedError("Not implemented for slices whose step is complex")
        ranges = [arange(sl.start or 0, sl.stop, sl.step or 1) for sl in slices]
        ranges = [r.dimshuffle(["x"] * j + [0] + ["x"] * (ndim - 1 - j)) for j, r in enumerate(ranges)]
        if self.sparse:
            grids = ranges
        else:
            ones = [ones_like(r) for r in ranges]
            grids = []
            for i in range(ndim):
                g = ranges[i]
                for j in range(ndim):
                    if j != i:
                        g = g * ones[j]
                grids.append(g)
        return grids[0] if single else grids


mgrid = _nd_grid()
ogrid = _nd_grid(sparse=True)


def _variable_choose(self, choices, out=None, mode="raise"):
    """TensorVariable.choose(choices, mode): numpy.choose with this variable as the index array."""
    return choose(self, choices, out=out, mode=mode)


if not hasattr(_core.Variable, "choose"):
    _core.Variable.choose = _variable_choose
