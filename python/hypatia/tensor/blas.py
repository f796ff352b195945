"""hypatia.tensor.blas (theano.tensor.blas): the explicit BLAS ops.

``gemm(Z, a, X, Y, b)`` = b*Z + a*dot(X, Y); ``gemv(y, alpha, A, x, beta)`` = beta*y +
alpha*dot(A, x); ``ger(A, alpha, x, y)`` = A + alpha*outer(x, y). FAST_RUN introduces them
from the spelled-out sums (rewrites local_gemm_from_add and local_ger_from_add).
"""
from .._core.linalg import gemm, gemv, ger
from ._op_classes import Gemm, Gemv, Ger  # noqa: F401 - the op classes, for isinstance(node.op, Gemm)

gemm_no_inplace = gemm

__all__ = ["gemm", "gemv", "ger", "gemm_no_inplace", "Gemm", "Gemv", "Ger"]
