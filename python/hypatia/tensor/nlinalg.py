"""hypatia.tensor.nlinalg (theano.tensor.nlinalg): linear algebra through LAPACK.

Functions: matrix_inverse, det, pinv, eig, eigh, svd, qr, lstsq, matrix_dot, matrix_power,
trace, diag, extract_diag, alloc_diag, norm, tensorinv, tensorsolve. Op classes: MatrixInverse,
MatrixPinv, Det, Eig, Eigh, EighGrad, SVD, QRFull, QRIncomplete, Lstsq, AllocDiag, ExtractDiag,
TensorInv, TensorSolve.

Errors start with the op's name: a singular matrix given to matrix_inverse raises ValueError
'[MatrixInverse] singular matrix ...'; eig of a matrix with complex eigenvalues raises
ValueError '[Eig] ...' (real results only). Gradients: matrix_inverse -> -inv(X)^T g inv(X)^T
(R_op -inv(X) V inv(X)); det -> g det(X) inv(X)^T; pinv (the manual's formula); eigh (EighGrad,
on the UPLO triangle it reads); svd (s always; u and vt with full_matrices=False); qr ('reduced'
and 'r', for tall or square matrices). Integer inputs are cast to float64, as numpy.linalg.
"""
import math

from .._core import linalg as _l
from .._op_class import NativeOpClass
from .._core.linalg import (matrix_inverse, det, pinv, eig, eigh, svd, qr, matrix_dot, matrix_power,
                            tensorinv, tensorsolve, MatrixInverse, MatrixPinv, Det, Eig, Eigh, EighGrad, SVD,
                            QRFull, QRIncomplete, Lstsq)
from ._shape import trace, diag, diagonal


def norm(x, ord=None):
    """numpy.linalg.norm of a vector or a matrix (no axis). ord: None (2-norm / Frobenius),
    'fro', 'nuc', inf / 'inf', -inf / '-inf', 0 (vectors), 1, -1, 2, -2 (matrices: via the
    singular values), or any p for vectors.

    ``x`` is the vector or matrix. Raises TypeError when an input is not a real dense tensor of
    the rank expected, ValueError for an ``ord`` the rank does not take.
    """
    if isinstance(ord, float) and math.isinf(ord):
        ord = "inf" if ord > 0 else "-inf"
    return _l.norm(x, ord)


def lstsq(a=None, b=None, rcond=None):
    """numpy.linalg.lstsq: [x, residuals, rank, s] (rcond None: eps * max(M, N)). Called with no
    argument it returns the op, as Theano's ``lstsq()(a, b, rcond)``.

    Raises TypeError when an input is not a real dense tensor of the rank expected; the compiled
    function raises ValueError when the shapes do not agree.
    """
    if a is None and b is None:
        return Lstsq()
    return _l.lstsq(a, b, rcond)


def extract_diag(x):
    """The main diagonal of a matrix (Theano's ExtractDiag()(x)).

    Raises TypeError when an input is not a real dense tensor of the rank expected.
    """
    return diagonal(x)


def alloc_diag(x):
    """The square matrix with vector x on its diagonal (Theano's AllocDiag()(x)).

    Raises TypeError when an input is not a real dense tensor of the rank expected.
    """
    return diag(x)


class ExtractDiag(metaclass=NativeOpClass):
    """ExtractDiag()(x): the main diagonal of a matrix (tensor's ExtractDiag op).

    ``offset``, ``axis1`` and ``axis2`` choose the diagonal (numpy.diagonal's); ``view`` is
    accepted for Theano compatibility. Calling the op raises TypeError when its input is not a
    dense tensor, ValueError when the axes are out of range.
    """
    _native = ["hypatia::ExtractDiag"]

    def __init__(self, offset=0, axis1=0, axis2=1, view=False):
        self.offset, self.axis1, self.axis2 = offset, axis1, axis2

    def __call__(self, x):
        return diagonal(x, self.offset, self.axis1, self.axis2)


class AllocDiag(metaclass=NativeOpClass):
    """AllocDiag()(v): a square matrix with the vector v on its diagonal.

    Calling the op raises TypeError when v is not a vector.
    """
    _native = ["hypatia::AllocDiag"]

    def __call__(self, x):
        return diag(x)


class TensorInv:
    """TensorInv(ind=2)(a): numpy.linalg.tensorinv (see tensorinv).

    Calling the op raises TypeError as tensorinv.
    """

    def __init__(self, ind=2):
        self.ind = ind

    def __call__(self, a):
        return tensorinv(a, self.ind)


class TensorSolve:
    """TensorSolve(axes=None)(a, b): numpy.linalg.tensorsolve (see tensorsolve).

    Calling the op raises TypeError as tensorsolve.
    """

    def __init__(self, axes=None):
        self.axes = axes

    def __call__(self, a, b):
        return tensorsolve(a, b, self.axes)


__all__ = ["matrix_inverse", "det", "pinv", "eig", "eigh", "svd", "qr", "lstsq", "matrix_dot", "matrix_power",
           "trace", "diag", "extract_diag", "alloc_diag", "norm", "tensorinv", "tensorsolve", "MatrixInverse",
           "MatrixPinv", "Det", "Eig", "Eigh", "EighGrad", "SVD", "QRFull", "QRIncomplete", "Lstsq", "AllocDiag",
           "ExtractDiag", "TensorInv", "TensorSolve"]
