"""Selection, stacking, sparse gradients and random sparse matrices (theano.sparse names).

- Indexing: ``x[i, j]`` (GetItemScalar -> tensor scalar), ``x[a:b:s, c:d:t]`` (GetItem2d ->
  sparse; None / negative bounds and steps), ``x[int_vector]`` (GetItemList -> sparse rows),
  ``x[ind1, ind2]`` (GetItem2Lists -> dense vector). ``x[i, a:b]`` / ``x[a:b, j]`` raise
  NotImplementedError: there are no sparse vectors; use ``x[M:M+1, N:O]`` / ``x[M:N, O:O+1]``.
- ``hstack`` / ``vstack`` (scipy's, default format csc), ``construct_sparse_from_list`` and
  ``sparse_grad(x[int_vector])`` (the gradient w.r.t. the dense matrix x becomes sparse).
- ``poisson``, ``csr_fbinomial`` ..., ``multinomial``: each takes ``seed=`` (an int: a seeded,
  reproducible generator that advances at every call) or ``rng=`` (a RandomStreams); with
  neither, fresh entropy (docs/semantics.md, "Random numbers"). No gradients.
"""
from .. import _core
from .. import _op_class

_s = _core.sparse

__all__ = [
    "GetItem2d", "GetItemScalar", "GetItemList", "GetItemListGrad", "GetItem2Lists", "GetItem2ListsGrad",
    "get_item_2d", "get_item_scalar", "get_item_list", "get_item_2lists", "get_item_list_grad",
    "get_item_2lists_grad", "HStack", "VStack", "hstack", "vstack", "ConstructSparseFromList",
    "construct_sparse_from_list", "sparse_grad", "Poisson", "poisson", "Binomial", "csc_fbinomial",
    "csc_dbinomial", "csr_fbinomial", "csr_dbinomial", "Multinomial", "multinomial",
]

GetItemScalar = _s.GetItemScalar
GetItemList = _s.GetItemList
GetItemListGrad = _s.GetItemListGrad
GetItem2Lists = _s.GetItem2Lists
GetItem2ListsGrad = _s.GetItem2ListsGrad
HStack = _s.HStack
VStack = _s.VStack
_op_class.wrap_factories(globals(), __name__)


def _as_tuple(index):
    return index if isinstance(index, tuple) else (index,)


class GetItem2d:
    """GetItem2d()(x, index): x[index] for a tuple of 1 or 2 slices, as a sparse matrix.

    Calling the op raises TypeError when x is not sparse or the index is not slices.
    """

    def __call__(self, x, index):
        return _s.get_item_2d(x, _as_tuple(index))

    def __repr__(self):
        return "GetItem2d"


def get_item_2d(x, index):
    """x[a:b:s, c:d:t] (index: a tuple of 1 or 2 slices) as a sparse matrix of x's format.

    Raises TypeError when ``x`` is not sparse or the index is not of the kind described;
    ValueError for a zero step.
    """
    return _s.get_item_2d(x, _as_tuple(index))


def get_item_scalar(x, index):
    """x[i, j] (index: a pair of integer scalars) as a tensor scalar.

    Raises TypeError when ``x`` is not sparse or the index is not of the kind described; the
    compiled function raises IndexError for an index out of range.
    """
    i, j = index
    return _s.get_item_scalar(x, i, j)


def get_item_list(x, index):
    """The rows ``index`` (an integer vector) of x, as a sparse matrix of x's format.

    Raises TypeError when ``x`` is not sparse or the index is not of the kind described; the
    compiled function raises IndexError for an index out of range.
    """
    return _s.get_item_list(x, index)


def get_item_2lists(x, ind1, ind2):
    """The dense vector [x[ind1[k], ind2[k]] for k].

    Raises TypeError when ``x`` is not sparse or the index is not of the kind described; the
    compiled function raises IndexError for an index out of range.
    """
    return _s.get_item_2lists(x, ind1, ind2)


get_item_list_grad = _s.get_item_list_grad
get_item_2lists_grad = _s.get_item_2lists_grad


def _getitem(x, index):
    return _s.getitem(x, index)


def hstack(blocks, format=None, dtype=None):
    """Sparse blocks side by side (scipy.sparse.hstack); format defaults to csc.

    ``blocks`` is a list of sparse matrices (or scipy matrices); ``format`` the result's format
    (csc when None); ``dtype`` its dtype (floatX when None). Raises TypeError when a block is
    not sparse; the compiled function raises ValueError when the blocks' row counts differ.
    """
    return _s.hstack(list(blocks), format, dtype)


def vstack(blocks, format=None, dtype=None):
    """Sparse blocks one under the other (scipy.sparse.vstack); format defaults to csc.

    ``blocks`` is a list of sparse matrices (or scipy matrices); ``format`` the result's format
    (csc when None); ``dtype`` its dtype (floatX when None). Raises TypeError when a block is
    not sparse; the compiled function raises ValueError when the blocks' column counts differ.
    """
    return _s.vstack(list(blocks), format, dtype)


class ConstructSparseFromList:
    """ConstructSparseFromList()(x, values, ilist): see construct_sparse_from_list.

    Calling the op raises TypeError as construct_sparse_from_list.
    """

    def __call__(self, x, values, ilist):
        return _s.construct_sparse_from_list(x, values, ilist)


def construct_sparse_from_list(x, values, ilist):
    """The csc matrix of x's shape and dtype with row ilist[k] = values[k, :] (regular grad).

    Raises TypeError when ``values`` is not a matrix or ``ilist`` not an integer vector; the
    compiled function raises IndexError for a row out of range.
    """
    return _s.construct_sparse_from_list(x, values, ilist)


def sparse_grad(var):
    """theano.sparse_grad: ``var = x[int_vector]`` whose gradient w.r.t. x is sparse.

    Raises TypeError when ``var`` is not the result of indexing a dense matrix by an integer
    vector.
    """
    return _s.sparse_grad(var)


class Poisson:
    """Poisson()(x, seed=None, rng=None): x's pattern with data ~ Poisson(x.data).

    Calling the op raises TypeError when x is not sparse; the compiled function raises
    ValueError for a negative mean.
    """

    def __call__(self, x, seed=None, rng=None):
        return _s.poisson(x, seed, rng)


poisson = _s.poisson


class Binomial:
    """Binomial(format, dtype)(n, p, shape, seed=None, rng=None): a random sparse matrix of
    Binomial(n, p) counts of the given shape (zeros not stored).

    Calling the op raises TypeError when n is not an integer scalar, p not a float scalar or
    shape not an integer vector; the compiled function raises ValueError when shape does not
    have 2 entries.
    """

    def __init__(self, format, dtype):
        if format not in ("csr", "csc"):
            raise TypeError("[Binomial] unknown sparse format %r; expected 'csr' or 'csc'" % (format,))
        self.format, self.dtype = format, dtype

    def __call__(self, n, p, shape, seed=None, rng=None):
        return _s.binomial(self.format, self.dtype, n, p, shape, seed, rng)

    def __repr__(self):
        return "Binomial{%s,%s}" % (self.format, self.dtype)


csc_fbinomial = Binomial("csc", "float32")
csc_dbinomial = Binomial("csc", "float64")
csr_fbinomial = Binomial("csr", "float32")
csr_dbinomial = Binomial("csr", "float64")


class Multinomial:
    """Multinomial()(n, p, seed=None, rng=None): see multinomial.

    Calling the op raises TypeError when p is not sparse; the compiled function raises
    ValueError for probabilities outside [0, 1] or rows summing above 1.
    """

    def __call__(self, n, p, seed=None, rng=None):
        return _s.multinomial(n, p, seed, rng)


multinomial = _s.multinomial
