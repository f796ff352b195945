"""Theano's value-comparison methods of types: values_eq, values_eq_approx, may_share_memory.

Installed on hypatia's one Type class (TensorType and SparseType instances) and offered as
static-like functions (``hypatia.tensor.TensorType.values_eq(a, b)``,
``hypatia.sparse.SparseType.may_share_memory(a, b)``) as Theano has them:
- tensors: values_eq needs the same shape (and dtype unless force_same_dtype=False) and equal
  values, NaNs at the same positions counting as equal; values_eq_approx needs the same shape
  and dtype, compares discrete dtypes exactly and others with numpy.allclose at Theano's
  per-dtype tolerances (float16 1e-3/1e-3, float32/complex64 1e-5/1e-5, else 1e-5/1e-8), NaNs
  in both at the same positions and infinities of the same sign counting as equal
  (allow_remove_nan / allow_remove_inf accept anything where a has a NaN / an inf).
- sparse: values_eq is true when a - b has no non-zero entry (any formats; same shape);
  values_eq_approx(a, b, eps=1e-6) when every |a - b| entry is at most eps.
"""
import numpy as np
import scipy.sparse as _sp

from ._core import Type, _array_values_eq, _array_values_eq_approx


def tensor_values_eq(a, b, force_same_dtype=True):
    """Theano's TensorType.values_eq: same shape (and dtype) and equal values (NaN == NaN)."""
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
        a, b = np.asarray(a), np.asarray(b)
    return bool(_array_values_eq(a, b, force_same_dtype))


def tensor_values_eq_approx(a, b, allow_remove_inf=False, allow_remove_nan=False, rtol=None, atol=None):
    """Theano's TensorType.values_eq_approx (see the module docstring); False unless both are arrays."""
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
        return False
    return bool(_array_values_eq_approx(a, b, allow_remove_inf, allow_remove_nan, rtol, atol))


def tensor_may_share_memory(a, b):
    """Theano's TensorType.may_share_memory: numpy.may_share_memory for two arrays, else False."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return bool(np.may_share_memory(a, b))
    return False


def sparse_may_share_memory(a, b):
    """Theano's SparseType.may_share_memory: whether a sparse matrix's data, indices or indptr
    may share memory with an array or with another sparse matrix's arrays (False otherwise)."""
    if _sp.issparse(a) and _sp.issparse(b):
        return (sparse_may_share_memory(a, b.data) or sparse_may_share_memory(a, b.indices)
                or sparse_may_share_memory(a, b.indptr))
    if _sp.issparse(b) and isinstance(a, np.ndarray):
        a, b = b, a
    if _sp.issparse(a) and isinstance(b, np.ndarray):
        return bool(any(np.may_share_memory(getattr(a, f), b) for f in ("data", "indices", "indptr")
                        if hasattr(a, f)))
    return False


def _values_eq(self, a, b, force_same_dtype=True):
    """Theano's Type.values_eq: whether a and b are exactly equal values of this type."""
    if self.kind == "tensor":
        return tensor_values_eq(a, b, force_same_dtype)
    return bool(self._values_eq(a, b))


def _values_eq_approx(self, a, b, *args, **kwargs):
    """Theano's Type.values_eq_approx: tensors take (a, b, allow_remove_inf=False,
    allow_remove_nan=False, rtol=None, atol=None), sparse types (a, b, eps=1e-6)."""
    if self.kind == "tensor":
        return tensor_values_eq_approx(a, b, *args, **kwargs)
    if self.kind == "sparse":
        return _sparse_values_eq_approx(self, a, b, *args, **kwargs)
    return bool(self._values_eq_approx(a, b, *args, **kwargs))


def _sparse_values_eq_approx(self, a, b, eps=1e-6):
    return bool(self._values_eq_approx(a, b, 0.0, float(eps)))


def _may_share_memory(self, a, b):
    """Theano's Type.may_share_memory(a, b) for values of this type."""
    if self.kind == "sparse":
        return sparse_may_share_memory(a, b)
    return tensor_may_share_memory(a, b)


Type.values_eq = _values_eq
Type.values_eq_approx = _values_eq_approx
Type.may_share_memory = _may_share_memory
