"""theano.sparse.basic: the same names as hypatia.sparse (for code importing the submodule)."""
from . import *  # noqa: F401,F403
from . import (CSM, CSR, CSC, CSMProperties, CSMGrad, csm_grad, DenseFromSparse, SparseFromDense,  # noqa: F401
               Cast, Transpose, Neg, Remove0, EnsureSortedIndices, SquareDiagonal, Diag, _is_sparse_variable,
               _is_dense_variable, _is_sparse, _is_dense)
