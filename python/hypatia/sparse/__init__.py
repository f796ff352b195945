"""hypatia.sparse: symbolic CSR/CSC sparse matrices (theano.sparse).

Variables are ``csr_matrix(name, dtype)`` / ``csc_matrix``; values are scipy.sparse csr/csc
matrices. Ops with a *structured* gradient only propagate gradient to the stored entries of
their sparse input; *regular* gradients are the true gradient of the dense function.
"""
import numpy as np
import scipy.sparse as _sp

from .. import _core
from .. import _op_class
from .. import _type_methods
from .._core import Variable
from ..configparser import config

_s = _core.sparse

# ---- types and variables ------------------------------------------------------------------

sparse_formats = ["csc", "csr"]
# The twelve dtypes of scipy.sparse (Theano's list) plus bool, which sparse matrices accept too.
all_dtypes = set(_s.all_dtypes()) | {"bool"}
complex_dtypes = {"complex64", "complex128"}
float_dtypes = {"float32", "float64"}
int_dtypes = {"int8", "int16", "int32", "int64"}
uint_dtypes = {"uint8", "uint16", "uint32", "uint64"}
discrete_dtypes = int_dtypes | uint_dtypes

SparseVariable = Variable
SparseConstant = Variable


def _dtype(dtype):
    if dtype is None or dtype == "floatX":
        return config.floatX
    return np.dtype(dtype).name


def SparseType(format, dtype):
    """The type of sparse matrices of ``format`` ('csr' or 'csc') and ``dtype`` (config.floatX when None).

    Raises TypeError for an unknown format or dtype, or float16 (not a sparse dtype).
    """
    if format not in sparse_formats:
        raise TypeError("[SparseType] unknown sparse format %r; expected 'csr' or 'csc'" % (format,))
    dtype = _dtype(dtype)
    if dtype == "float16":
        raise TypeError("[SparseType] float16 is not a sparse dtype; sparse.all_dtypes lists the accepted ones (plus bool)")
    return _core.SparseType(format, dtype)


# Theano's static method: SparseType.may_share_memory(a, b) (also a method of every type).
SparseType.may_share_memory = _type_methods.sparse_may_share_memory


def matrix(format, name=None, dtype=None):
    """A new symbolic sparse matrix variable of ``format`` ('csr' or 'csc') called ``name``, of ``dtype``
    (config.floatX when None).

    Raises TypeError for an unknown format or dtype, or float16.
    """
    return _s.matrix(format, name, _dtype(dtype))


def csr_matrix(name=None, dtype=None):
    """A new symbolic CSR (compressed rows) sparse matrix variable called ``name``, of ``dtype``
    (config.floatX when None).

    Raises TypeError when ``dtype`` is unknown or float16 (not a sparse dtype).
    """
    return _s.matrix("csr", name, _dtype(dtype))


def csc_matrix(name=None, dtype=None):
    """A new symbolic CSC (compressed columns) sparse matrix variable called ``name``, of ``dtype``
    (config.floatX when None).

    Raises TypeError when ``dtype`` is unknown or float16 (not a sparse dtype).
    """
    return _s.matrix("csc", name, _dtype(dtype))


csc_dmatrix = SparseType("csc", "float64")
csr_dmatrix = SparseType("csr", "float64")
csc_fmatrix = SparseType("csc", "float32")
csr_fmatrix = SparseType("csr", "float32")


def is_sparse_variable(x):
    """True when ``x`` is a symbolic sparse variable.

    Raises nothing: any object is accepted.
    """
    return _s.is_sparse_variable(x)


def is_dense_variable(x):
    """True when ``x`` is a symbolic dense tensor variable.

    Raises nothing: any object is accepted.
    """
    return _s.is_dense_variable(x)


def is_sparse(x):
    """True when ``x`` is a sparse value (a scipy.sparse matrix).

    Raises nothing: any object is accepted.
    """
    return _sp.issparse(x)


def is_dense(x):
    """True when ``x`` is a dense value (a numpy array).

    Raises nothing: any object is accepted.
    """
    return isinstance(x, np.ndarray)


_is_sparse_variable = is_sparse_variable
_is_dense_variable = is_dense_variable
_is_sparse = is_sparse
_is_dense = is_dense


as_sparse_variable = _s.as_sparse_variable


as_sparse = as_sparse_variable


def as_sparse_or_tensor_variable(x, name=None):
    """``as_sparse_variable(x)`` when ``x`` is sparse (a variable or a scipy matrix), else
    ``as_tensor_variable(x)``; a new constant is called ``name``.

    Raises TypeError when ``x`` cannot become a variable (an object array, a string).
    """
    if is_sparse_variable(x) or _sp.issparse(x):
        return as_sparse_variable(x, name)
    v = _core.tensor.as_tensor_variable(x)
    if name is not None and not isinstance(x, Variable):
        v.name = name
    return v


constant = _s.constant


# ---- ops (Theano's classes and instances) ---------------------------------------------------

DenseFromSparse = _s.DenseFromSparse
SparseFromDense = _s.SparseFromDense
AsFormat = _s.AsFormat
CSMProperties = _s.CSMProperties
CSMGrad = _s.CSMGrad
Cast = _s.Cast
Transpose = _s.Transpose
Neg = _s.Neg
Remove0 = _s.Remove0
EnsureSortedIndices = _s.EnsureSortedIndices
SquareDiagonal = _s.SquareDiagonal
Diag = _s.Diag
SampleDense = _s.SampleDense
_op_class.wrap_factories(globals(), "hypatia.sparse.basic", cpp={
    "Cast": "hypatia::SparseCast", "Transpose": "hypatia::SparseTranspose", "Neg": "hypatia::SparseNeg",
    "Diag": "hypatia::SparseDiag"})


def CSM(format, kmap=None):
    """The op that builds a sparse matrix of ``format`` ('csr' or 'csc') from its arrays:
    ``CSM(format)(data, indices, indptr, shape)``. The matrix is validated when the function runs.

    Raises NotImplementedError when ``kmap`` is given (index the data vector first); TypeError for
    an unknown format; ValueError at run time when the arrays do not describe a valid matrix.
    """
    if kmap is not None:
        raise NotImplementedError("[CSM] kmap is not supported; index the data vector before building the matrix")
    return _s.CSM(format)


csm_grad = CSMGrad


dense_from_sparse = _s.dense_from_sparse


def csr_from_dense(x):
    """The CSR sparse matrix holding the non-zero entries of the dense tensor ``x`` (a vector gives a
    1 x n matrix, a 0-d tensor 1 x 1); its gradient flows back dense.

    Raises TypeError when ``x`` is not a dense tensor of at most 2 dimensions or has a dtype
    sparse matrices do not take (float16).
    """
    return _s.sparse_from_dense(x, "csr")


def csc_from_dense(x):
    """The CSC sparse matrix holding the non-zero entries of the dense tensor ``x`` (a vector gives a
    1 x n matrix, a 0-d tensor 1 x 1); its gradient flows back dense.

    Raises TypeError when ``x`` is not a dense tensor of at most 2 dimensions or has a dtype
    sparse matrices do not take (float16).
    """
    return _s.sparse_from_dense(x, "csc")


as_format = _s.as_format


sample_dense = _s.sample_dense


def CSR(data, indices, indptr, shape):
    """A csr matrix built from its compressed arrays: ``data``, ``indices``, ``indptr`` (integer vectors) and
    ``shape`` (a 2-element integer vector); the gradient with respect to data is regular.

    Raises TypeError when the arrays' types do not fit; the compiled function raises ValueError when they
    do not describe a valid matrix.
    """
    return _s.csm("csr", data, indices, indptr, shape)


def CSC(data, indices, indptr, shape):
    """A csc matrix built from its compressed arrays: ``data``, ``indices``, ``indptr`` (integer vectors) and
    ``shape`` (a 2-element integer vector); the gradient with respect to data is regular.

    Raises TypeError when the arrays' types do not fit; the compiled function raises ValueError when they
    do not describe a valid matrix.
    """
    return _s.csm("csc", data, indices, indptr, shape)


csm_properties = _s.csm_properties
csm_data = _s.csm_data
csm_indices = _s.csm_indices
csm_indptr = _s.csm_indptr
csm_shape = _s.csm_shape
sp_ones_like = _s.sp_ones_like
sp_zeros_like = _s.sp_zeros_like
square_diagonal = _s.square_diagonal
diag = _s.diag
transpose = _s.transpose
neg = _s.neg
remove0 = _s.remove0
ensure_sorted_indices = _s.ensure_sorted_indices
clean = _s.clean


def cast(variable, dtype):
    """The sparse matrix ``variable`` with its values cast to ``dtype`` (same format; regular grad). A complex
    matrix cast to a real dtype keeps the real parts, with numpy's ComplexWarning (as Theano's
    perform, which calls scipy's astype); the warning is emitted when the cast is built.

    Raises TypeError when ``variable`` is not sparse or ``dtype`` is not a sparse dtype.
    """
    return _s.cast(variable, _dtype(dtype))


def _caster(dtype):
    def c(x):
        return cast(x, dtype)
    c.__name__ = dtype[0] + "cast"
    c.__doc__ = ("The sparse matrix ``x`` with its values cast to %s (same format).\n\n"
                 "Raises TypeError when ``x`` is not sparse." % dtype)
    return c


bcast = _caster("int8")
wcast = _caster("int16")
icast = _caster("int32")
lcast = _caster("int64")
fcast = _caster("float32")
dcast = _caster("float64")
ccast = _caster("complex64")
zcast = _caster("complex128")

from .testing import sparse_random_inputs, verify_grad_sparse  # noqa: E402
from .math import *  # noqa: E402,F401,F403  (sparse arithmetic: add, mul, comparisons, sp_sum, ...)
from .products import *  # noqa: E402,F401,F403  (structured_dot, dot, true_dot, sampling_dot, usmm, Dot, ...)
from .select import *  # noqa: E402,F401,F403  (selection, stacking, sparse_grad, probability)
from . import utils  # noqa: E402,F401  (hash_from_sparse)
from . import linalg  # noqa: E402,F401  (spsolve)
from . import basic  # noqa: E402,F401  (theano.sparse.basic is importable as an attribute too)
