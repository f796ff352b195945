"""hypatia.tensor.slinalg (theano.tensor.slinalg): solve and cholesky through LAPACK.

``solve(a, b, A_structure='general')`` solves a.x = b for b a vector or a matrix
(A_structure also 'symmetric', 'lower_triangular', 'upper_triangular'); a singular matrix
raises ValueError starting with '[Solve]'. ``cholesky(a, lower=True, on_error='raise')``
raises ValueError '[Cholesky] ...' for a matrix that is not positive definite ('nan' gives a
NaN matrix instead).
"""
from .._core.linalg import solve, cholesky


def solve_lower_triangular(a, b):
    return solve(a, b, "lower_triangular")


def solve_upper_triangular(a, b):
    return solve(a, b, "upper_triangular")


def solve_symmetric(a, b):
    return solve(a, b, "symmetric")


__all__ = ["solve", "cholesky", "solve_lower_triangular", "solve_upper_triangular", "solve_symmetric"]
