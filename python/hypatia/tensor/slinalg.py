"""hypatia.tensor.slinalg (theano.tensor.slinalg): solves, Cholesky, eigvalsh, expm, kron.

``solve(a, b, assume_a='gen', lower=False)`` solves a.x = b for b a vector or a matrix;
assume_a is scipy's ('gen', 'sym', 'her', 'pos': 'sym'/'pos' read only the `lower` or upper
triangle) or one of Theano's A_structure names ('general', 'symmetric', 'lower_triangular',
'upper_triangular'). A singular matrix raises ValueError '[Solve] singular matrix ...' ('pos':
'... not positive definite'). ``cholesky(a, lower=True, on_error='raise')`` raises ValueError
'[Cholesky] ...' for a matrix that is not positive definite ('nan' gives a NaN matrix).
Gradients: solve (Giles, restricted to the triangle read), cholesky (CholeskyGrad), eigvalsh
(EigvalshGrad), expm (ExpmGrad, the Frechet derivative); kron and cho_solve are compositions.
"""
from .._core.linalg import (solve as _solve, solve_triangular as _solve_triangular, cho_solve as _cho_solve,
                            cholesky, eigvalsh, expm, kron, Solve, Cholesky, CholeskyGrad, Eigvalsh, EigvalshGrad,
                            Expm, ExpmGrad)


def solve(a, b, assume_a="gen", lower=False, A_structure=None):
    """x with dot(a, x) = b (scipy.linalg.solve); see the module docstring for assume_a.

    ``lower`` says which triangle 'sym'/'pos' read; ``A_structure`` is Theano's name ('general',
    'symmetric', 'lower_triangular', 'upper_triangular'). Raises TypeError when ``a`` or ``b``
    is not a real dense matrix (or vector for b), ValueError for an unknown assume_a; the
    compiled function raises ValueError for a singular matrix.
    """
    return _solve(a, b, A_structure if A_structure is not None else assume_a, lower)


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    """scipy.linalg.solve_triangular: x with a x = b (trans 1 or 'T': a^T x = b).

    ``lower`` says a is lower triangular, ``unit_diagonal`` that its diagonal is ones (not
    read). Raises TypeError when ``a`` or ``b`` is not a real dense matrix (or vector for b),
    and the compiled function raises ValueError for a singular
    matrix.
    """
    if trans in ("N", "n"):
        trans = 0
    elif trans in ("T", "t", "C", "c"):
        trans = 1
    return _solve_triangular(a, b, int(trans), bool(lower), bool(unit_diagonal))


def cho_solve(c_and_lower, b):
    """scipy.linalg.cho_solve((c, lower), b): x with A x = b given A's Cholesky factor c.

    ``c_and_lower`` is the pair (c, lower): the Cholesky factor and whether it is lower
    triangular; ``b`` the right-hand side. Raises TypeError when ``c`` or ``b`` is not a real
    dense matrix (or vector for b), and the compiled function
    raises ValueError for a singular matrix.
    """
    c, lower = c_and_lower
    return _cho_solve(c, b, bool(lower))


def solve_lower_triangular(a, b):
    """solve() for a lower-triangular a (only its lower triangle is read).

    ``b`` is the right-hand side. Raises TypeError when ``a`` or ``b`` is not a real dense
    matrix (or vector for b), and the compiled function raises
    ValueError for a singular matrix.
    """
    return _solve(a, b, "lower_triangular", True)


def solve_upper_triangular(a, b):
    """solve() for an upper-triangular a (only its upper triangle is read).

    ``b`` is the right-hand side. Raises TypeError when ``a`` or ``b`` is not a real dense
    matrix (or vector for b), and the compiled function raises
    ValueError for a singular matrix.
    """
    return _solve(a, b, "upper_triangular", False)


def solve_symmetric(a, b):
    """solve() for a symmetric a (Theano's Solve('symmetric'): a general solve).

    ``b`` is the right-hand side. Raises TypeError when ``a`` or ``b`` is not a real dense
    matrix (or vector for b), and the compiled function raises
    ValueError for a singular matrix.
    """
    return _solve(a, b, "symmetric", False)


__all__ = ["solve", "solve_triangular", "cho_solve", "cholesky", "eigvalsh", "expm", "kron", "solve_lower_triangular",
           "solve_upper_triangular", "solve_symmetric", "Solve", "Cholesky", "CholeskyGrad", "Eigvalsh", "EigvalshGrad",
           "Expm", "ExpmGrad"]
