"""Sparse arithmetic (theano.sparse.basic / sandbox sp2 names): add, sub, mul and their typed
forms, comparisons, scalings, structured ("monoid") elementwise functions and sp_sum.

Results follow docs/semantics.md, "Sparse arithmetic and comparisons": sparse + sparse is sparse, sparse + dense is DENSE, sparse * dense
stays sparse; comparisons give a sparse bool matrix when both operands are sparse and a dense
bool matrix otherwise, with scipy's values (==, <=, >= of two sparse matrices are computed as
scipy does, as the complement of !=, >, <, NaN included). Where scipy warns
(SparseEfficiencyWarning: ==, <=, >= of two sparse matrices; a scalar s with op(0, s) true)
these functions warn with scipy's message; scipy (1.17) refuses none of them.
"""
from .. import _core
from .. import _op_class

_s = _core.sparse

try:  # scipy's warning class is the base, so that filters written for scipy apply
    from scipy.sparse import SparseEfficiencyWarning as _ScipySparseEfficiencyWarning
except ImportError:  # pragma: no cover
    _ScipySparseEfficiencyWarning = UserWarning


class SparseEfficiencyWarning(_ScipySparseEfficiencyWarning):
    """A sparse comparison that scipy computes inefficiently (its result is mostly stored
    True values). A subclass of scipy.sparse.SparseEfficiencyWarning, so filters written for
    scipy's class catch it too.

    Raised as a warning, with scipy's message, when a comparison is built where scipy warns:
    ``==``, ``<=`` or ``>=`` of two sparse matrices, and a sparse matrix compared with a
    scalar ``s`` for which ``op(0, s)`` holds (``x < 1``, ``x >= 0``). Takes the warning
    message, as every Warning does.
    """

# ---- op classes (Theano's names) -------------------------------------------------------------
AddSS = _s.AddSS
AddSSData = _s.AddSSData
AddSD = _s.AddSD
StructuredAddSV = _s.StructuredAddSV
MulSS = _s.MulSS
MulSD = _s.MulSD
MulSV = _s.MulSV
ColScaleCSC = _s.ColScaleCSC
RowScaleCSC = _s.RowScaleCSC
EqualSS, EqualSD = _s.EqualSS, _s.EqualSD
NotEqualSS, NotEqualSD = _s.NotEqualSS, _s.NotEqualSD
LessThanSS, LessThanSD = _s.LessThanSS, _s.LessThanSD
GreaterThanSS, GreaterThanSD = _s.GreaterThanSS, _s.GreaterThanSD
LessEqualSS, LessEqualSD = _s.LessEqualSS, _s.LessEqualSD
GreaterEqualSS, GreaterEqualSD = _s.GreaterEqualSS, _s.GreaterEqualSD


SpSum = _s.SpSum

_cmp = {n + k: ("hypatia::Compare" + k, n + k) for n in ("Equal", "NotEqual", "LessThan", "GreaterThan", "LessEqual",
                                                          "GreaterEqual") for k in ("SS", "SD")}
_op_class.wrap_factories(globals(), "hypatia.sparse.basic",
                         cpp=dict(_cmp, ColScaleCSC="hypatia::ColScale", RowScaleCSC="hypatia::RowScale"))


# ---- typed builders ----------------------------------------------------------------------------
add_s_s = _s.add_s_s
add_s_d = _s.add_s_d
add_s_s_data = _s.add_s_s_data
structured_add_s_v = _s.structured_add_s_v
mul_s_s = _s.mul_s_s
mul_s_d = _s.mul_s_d
mul_s_v = _s.mul_s_v


add = _s.add


sub = _s.sub


mul = _s.mul


def col_scale(x, s):
    """Column j of the sparse x multiplied by s[j] (same format). Structured grad.

    ``x`` is a sparse matrix (variable or scipy matrix); ``s`` a dense vector with one entry per
    column of ``x``. Raises TypeError when ``x`` is not sparse, ``s`` is not a dense vector or
    their dtypes do not combine; the compiled function raises ValueError when ``s``'s length
    is not the number of columns.
    """
    return _s.col_scale(x, s)


def row_scale(x, s):
    """Row i of the sparse x multiplied by s[i] (same format). Structured grad.

    ``x`` is a sparse matrix (variable or scipy matrix); ``s`` a dense vector with one entry per
    row of ``x``. Raises TypeError when ``x`` is not sparse, ``s`` is not a dense vector or
    their dtypes do not combine; the compiled function raises ValueError when ``s``'s length is
    not the number of rows.
    """
    return _s.row_scale(x, s)


sp_sum = _s.sp_sum


# ---- comparisons: at least one operand sparse; a sparse bool matrix when both are sparse, else a
# dense one (scipy's values; SparseEfficiencyWarning, a subclass of scipy's, where scipy warns) ---
eq = _s.eq
neq = _s.neq
lt = _s.lt
gt = _s.gt
le = _s.le
ge = _s.ge


# ---- structured elementwise ("monoid") functions -------------------------------------------------
structured_sigmoid = _s.structured_sigmoid
structured_exp = _s.structured_exp
structured_log = _s.structured_log
structured_pow = _s.structured_pow
structured_minimum = _s.structured_minimum
structured_maximum = _s.structured_maximum
structured_add = _s.structured_add
sin = _s.sin
arcsin = _s.arcsin
tan = _s.tan
arctan = _s.arctan
sinh = _s.sinh
arcsinh = _s.arcsinh
tanh = _s.tanh
arctanh = _s.arctanh
rad2deg = _s.rad2deg
deg2rad = _s.deg2rad
rint = _s.rint
ceil = _s.ceil
floor = _s.floor
trunc = _s.trunc
sgn = _s.sgn
log1p = _s.log1p
expm1 = _s.expm1
sqr = _s.sqr
sqrt = _s.sqrt
abs_ = _s.abs_
conj = _s.conj  # Theano's sparse conj: complex conjugate of the stored values (real: same values)


__all__ = [n for n in dir() if not n.startswith("_")]
