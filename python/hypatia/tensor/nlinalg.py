"""hypatia.tensor.nlinalg (theano.tensor.nlinalg): matrix_inverse and det through LAPACK.

A singular matrix given to matrix_inverse raises ValueError starting with '[MatrixInverse]'.
Gradients: matrix_inverse -> -inv(X)^T g inv(X)^T; det -> g * det(X) * inv(X)^T.
"""
from .._core.linalg import matrix_inverse, det

__all__ = ["matrix_inverse", "det"]
