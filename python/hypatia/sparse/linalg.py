"""Sparse linear solves (hypatia.sparse.linalg): ``spsolve(A, b, assume_a='gen')``, the
differentiable counterpart of ``scipy.sparse.linalg.spsolve`` over SuiteSparse (UMFPACK LU for
'gen', CHOLMOD for 'pos' and 'sym'), and its op classes. See docs/semantics.md, "spsolve"."""
from .. import _core
from .. import _op_class

_s = _core.sparse

SpFactor = _s.SpFactor
SpSolve = _s.SpSolve
SpSolveGradA = _s.SpSolveGradA
SpSolveMatvec = _s.SpSolveMatvec
_op_class.wrap_factories(globals(), __name__)


def spsolve(A, b, assume_a="gen"):
    """x with ``A x = b`` for a square csr/csc sparse ``A`` and a dense vector or matrix ``b``.

    ``assume_a``: 'gen' (UMFPACK LU), 'pos' (CHOLMOD Cholesky of the symmetric positive
    definite matrix given by A's upper triangle, as scipy.linalg.solve's lower=False; entries
    below the diagonal are ignored and get a zero gradient) or 'sym' (CHOLMOD LDL^T of that
    matrix, without pivoting). float32 inputs give float32 (solved in double); other real
    dtypes give float64. The gradient w.r.t. ``b`` is ``A^-T g``; the one w.r.t. ``A`` is
    structured (only A's stored entries, ``-(A^-T g)_i x_j``); both reuse the forward
    factorisation. A non-square, singular or (for 'pos') not positive definite ``A``, or a
    ``b`` of the wrong length, raises ValueError "[SpSolve] ...".
    """
    return _s.spsolve(A, b, assume_a)


__all__ = ["spsolve", "SpFactor", "SpSolve", "SpSolveGradA", "SpSolveMatvec"]
