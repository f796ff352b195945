"""Operators and methods of sparse variables (Theano's _sparse_py_operators).

hypatia has one Variable class; the methods below check the operand types and route sparse
operands to sparse ops. Operators whose sparse op is added by a later module are looked up in a
registry (``register_operator``); until then they raise NotImplementedError naming the sparse
function to use, and methods that would silently densify raise naming the dense alternative
(DECISIONS.md item 10). Dense operands keep the tensor behaviour unchanged.
"""
import scipy.sparse as _sp

from .. import _core
from .._core import Variable

_s = _core.sparse
_registry = {}


def register_operator(name, fn):
    """Routes the operator ``name`` on sparse operands to ``fn``.

    Names: 'add', 'sub', 'mul', 'truediv', 'pow', 'lt', 'le', 'gt', 'ge', 'dot', 'abs',
    'getitem' (fn(x, index)), 'sum' (fn(x, axis, sparse_grad)), 'mean'. Binary functions are
    called as fn(x, y) with the operands in expression order.
    """
    _registry[name] = fn


def _is_sparse_operand(v):
    return (isinstance(v, Variable) and v.type.kind == "sparse") or _sp.issparse(v)


def _as_operand(v):
    return _s.as_sparse_variable(v) if _sp.issparse(v) else v


_SPARSE_NAMES = {
    "add": ("hypatia.sparse.add", "+"), "sub": ("hypatia.sparse.sub", "-"),
    "mul": ("hypatia.sparse.mul", "*"), "truediv": ("hypatia.sparse.mul(x, 1 / y)", "/"),
    "pow": ("hypatia.sparse.structured_pow", "**"), "lt": ("hypatia.sparse.lt", "<"),
    "le": ("hypatia.sparse.le", "<="), "gt": ("hypatia.sparse.gt", ">"), "ge": ("hypatia.sparse.ge", ">="),
    "dot": ("hypatia.sparse.dot (or structured_dot)", "dot"),
}


def _not_built(name):
    fn, sym = _SPARSE_NAMES[name]
    return NotImplementedError(
        "[%s] a sparse operand of '%s' is handled by %s, which this build does not provide yet; "
        "densify explicitly with x.toarray() to use the dense op" % (name, sym, fn))


def _binary(name, dunder, reflected):
    original = getattr(Variable, dunder, None)

    def method(self, other):
        if _is_sparse_operand(self) or _is_sparse_operand(other):
            fn = _registry.get(name)
            if fn is None:
                raise _not_built(name)
            a, b = (_as_operand(other), self) if reflected else (self, _as_operand(other))
            return fn(a, b)
        if original is None:
            return NotImplemented
        return original(self, other)

    method.__name__ = dunder
    setattr(Variable, dunder, method)


for _name, _dunder, _refl in [
        ("add", "__add__", False), ("add", "__radd__", True), ("sub", "__sub__", False),
        ("sub", "__rsub__", True), ("mul", "__mul__", False), ("mul", "__rmul__", True),
        ("truediv", "__truediv__", False), ("truediv", "__rtruediv__", True),
        ("pow", "__pow__", False), ("pow", "__rpow__", True), ("lt", "__lt__", False),
        ("le", "__le__", False), ("gt", "__gt__", False), ("ge", "__ge__", False),
        ("dot", "__matmul__", False), ("dot", "__rmatmul__", True), ("dot", "dot", False)]:
    _binary(_name, _dunder, _refl)


def _sparse_or_original(dunder, sparse_fn):
    original = getattr(Variable, dunder, None)

    def method(self, *args, **kwargs):
        if _is_sparse_operand(self):
            return sparse_fn(self, *args, **kwargs)
        if original is None:
            raise AttributeError("'Variable' object has no attribute %r" % dunder)
        return original(self, *args, **kwargs)

    method.__name__ = dunder
    setattr(Variable, dunder, method)


def _neg(x):
    return _s.neg(x)


def _abs(x):
    fn = _registry.get("abs")
    if fn is None:
        raise NotImplementedError(
            "[abs] there is no sparse abs in this build; use hypatia.tensor.abs_(x.toarray()) (dense)")
    return fn(x)


def _transpose(x, *axes):
    if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
        axes = tuple(axes[0])
    if axes not in ((), (1, 0)):
        raise ValueError("[Transpose] a sparse matrix can only be transposed with axes (1, 0), got %r" % (axes,))
    return _s.transpose(x)


def _astype(x, dtype):
    from . import cast
    return cast(x, dtype)


def _sum(x, axis=None, sparse_grad=False, **kwargs):
    fn = _registry.get("sum")
    if fn is None:
        raise NotImplementedError(
            "[sum] summing a sparse matrix is hypatia.sparse.sp_sum(x, axis), which this build does not provide "
            "yet; the dense alternative is x.toarray().sum(axis)")
    return fn(x, axis, sparse_grad)


def _mean(x, *args, **kwargs):
    fn = _registry.get("mean")
    if fn is None:
        raise NotImplementedError(
            "[mean] sparse variables have no mean (it would densify); use hypatia.sparse.sp_sum(x, axis) divided by "
            "the count, or the dense x.toarray().mean(axis)")
    return fn(x, *args, **kwargs)


def _no_reshape(name):
    def f(x, *args, **kwargs):
        raise TypeError(
            "[%s] sparse matrices are always 2-d and cannot be %s; densify first: x.toarray().%s(...)"
            % (name, "reshaped" if name == "reshape" else "dimshuffled", name))
    return f


def _getitem(x, index):
    fn = _registry.get("getitem")
    if fn is None:
        raise NotImplementedError(
            "[getitem] indexing a sparse matrix is hypatia.sparse.get_item_2d / get_item_scalar / get_item_list, "
            "which this build does not provide yet; the dense alternative is x.toarray()[index]")
    return fn(x, index)


_sparse_or_original("__neg__", _neg)
_sparse_or_original("__abs__", _abs)
_sparse_or_original("transpose", _transpose)
_sparse_or_original("astype", _astype)
_sparse_or_original("sum", _sum)
_sparse_or_original("mean", _mean)
_sparse_or_original("reshape", _no_reshape("reshape"))
_sparse_or_original("dimshuffle", _no_reshape("dimshuffle"))


def _getitem_method():
    original = getattr(Variable, "__getitem__", None)

    def __getitem__(self, index):
        if _is_sparse_operand(self):
            return _getitem(self, index)
        if original is None:
            raise TypeError("'Variable' object is not subscriptable")
        return original(self, index)

    Variable.__getitem__ = __getitem__


_getitem_method()


def _property(name, sparse_fget):
    original = Variable.__dict__.get(name)

    def fget(self):
        if _is_sparse_operand(self):
            return sparse_fget(self)
        if original is None:
            raise AttributeError("'Variable' object has no attribute %r (only sparse variables have it)" % name)
        return original.__get__(self, Variable)

    setattr(Variable, name, property(fget, doc=getattr(sparse_fget, "__doc__", None)))


def _T(x):
    """The transpose (the other format, no copy)."""
    return _s.transpose(x)


def _format(x):
    """'csr' or 'csc'."""
    return x.type.format


def _size(x):
    """The number of stored entries (explicit zeros included), as Theano's csm_data(x).size."""
    return _core.shape_i(_s.csm_data(x), 0)


_property("T", _T)
_property("format", _format)
_property("size", _size)


def _toarray(self):
    """The dense matrix (sparse.dense_from_sparse)."""
    if not _is_sparse_operand(self):
        raise TypeError("[toarray] the variable is already dense (%s)" % self.type)
    return _s.dense_from_sparse(self, True)


Variable.toarray = _toarray


def dot(l, r):
    """theano.dot(l, r) (hypatia.dot): Theano calls l.__dot__(r), else r.__rdot__(l), and a
    sparse variable's __dot__/__rdot__ is structured_dot. So with a sparse operand (a sparse
    variable or a scipy csr/csc matrix) this is sparse.structured_dot(l, r): sparse . sparse is
    sparse, and the sparse operand's gradient is structured (its stored entries only). Two
    dense operands give tensor.dot(l, r). (sparse.dot is the regular Dot: dense result, regular
    gradients.)"""
    if _is_sparse_operand(l) or _is_sparse_operand(r):
        return _s.structured_dot(l, r)
    return _core.dot(l, r)


def _dot_method(l, r):
    """Theano's __dot__: theano.dot(self, other) (structured_dot when an operand is sparse)."""
    return dot(l, r)


def _rdot_method(r, l):
    """Theano's __rdot__: theano.dot(other, self) (structured_dot when an operand is sparse)."""
    return dot(l, r)


Variable.__dot__ = _dot_method
Variable.__rdot__ = _rdot_method
