"""hypatia.tensor: dense tensor variables and ops under Theano's names (theano.tensor)."""
from .. import _core
from .. import _type_methods
from .._core.tensor import (add, sub, mul, true_div, neg, exp, log, sqr, sqrt, log1p, expm1, tanh, abs_, eq,
                            neq, lt, gt, le, ge, cast, shape_i, reshape, dimshuffle, transpose, fill, alloc,
                            zeros_like, ones_like, as_tensor_variable)
from .._core.tensor import constant as _constant
from .._core import Variable
from .._core.tensor import pow as pow  # noqa: A001 - Theano's name
shape = _core.shape.shape
from .._core.tensor import tensor_dot as dot  # tensor.dot: dense operands only (hypatia.dot takes sparse ones)
from ..configparser import config
from .._core.tensor import sort, argsort, flatnonzero, tensor_copy  # noqa: F401
from ._math import *  # noqa: F401,F403  (each family module lists its names in __all__)
from ._reduce import *  # noqa: F401,F403
from . import extra_ops  # noqa: E402 - T.extra_ops.cumsum, ...
from .extra_ops import choose, chi2sf, mgrid, ogrid  # noqa: E402,F401 - theano.tensor's names
from . import fft  # noqa: E402,F401 - T.fft.rfft / irfft
from ._shape import *  # noqa: F401,F403
from ._subtensor import *  # noqa: F401,F403
from ._linalg import *  # noqa: F401,F403
from ._random import *  # noqa: F401,F403
from ._op_classes import *  # noqa: F401,F403  (Theano's op classes, for isinstance(node.op, T.Elemwise))
from . import nnet  # noqa: E402 - T.nnet.sigmoid, T.nnet.softplus
from . import signal  # noqa: E402 - T.signal.pool, T.signal.conv
from . import opt  # noqa: E402 - register_canonicalize, ... for users' own rewrites



def constant(x, name=None, ndim=None, dtype=None):
    """A constant holding x (theano.tensor.constant): with dtype, x converted to it first; with
    ndim, a TypeError unless x has that many dimensions (length-1 axes are squeezed away from
    the left as Theano does).

    ``x`` is the value (a number, nested list or numpy array); ``name`` names the constant
    (None: unnamed); ``ndim`` is the number of dimensions it must have; ``dtype`` the dtype to
    convert it to ('floatX': config.floatX).

    Raises TypeError when ``x`` is a Variable while ``ndim`` or ``dtype`` is given, when ``x``
    does not have ``ndim`` dimensions, when ``dtype`` is unknown, or when ``x`` cannot become a
    tensor (None, a string, a scipy.sparse matrix); ValueError when numpy cannot convert x's
    values to ``dtype`` or an int is out of the int64 range.
    """
    import numpy as _np
    if dtype is not None or ndim is not None:
        if isinstance(x, Variable):
            raise TypeError("[constant] expected a value (number, list or numpy array), got a Variable")
        x = _np.asarray(x, dtype=None if dtype is None else (config.floatX if dtype == "floatX" else dtype))
        if ndim is not None:
            while x.ndim > ndim and x.shape[0] == 1:
                x = x[0]
            if x.ndim != ndim:
                raise TypeError(f"[constant] value has {x.ndim} dimensions, expected ndim={ndim}")
    return _constant(x, name)


TensorVariable = Variable
TensorConstant = Variable

# Theano's dtype groups (theano.tensor.basic, from theano.scalar's type lists), as lists of names.
int_dtypes = ["int8", "int16", "int32", "int64"]
uint_dtypes = ["uint8", "uint16", "uint32", "uint64"]
float_dtypes = ["float16", "float32", "float64"]
complex_dtypes = ["complex64", "complex128"]
integer_dtypes = int_dtypes + uint_dtypes
discrete_dtypes = ["bool"] + integer_dtypes
continuous_dtypes = float_dtypes + complex_dtypes
all_dtypes = discrete_dtypes + continuous_dtypes


def TensorType(dtype, broadcastable):
    """The type of dense tensors with this dtype and broadcastable pattern.

    ``dtype`` is a dtype name ('floatX': config.floatX); ``broadcastable`` holds one bool per
    axis (True: the axis has length 1 and broadcasts). Calling the type, ``TensorType(...)(name)``,
    makes a variable of it.

    Raises TypeError when ``dtype`` is not a dtype name or ``broadcastable`` is not a sequence of
    bools.
    """
    return _core.TensorType(config.floatX if dtype == "floatX" else dtype, list(broadcastable))


# Theano's static methods of TensorType (also methods of every type instance).
TensorType.values_eq = _type_methods.tensor_values_eq
TensorType.values_eq_approx = _type_methods.tensor_values_eq_approx
TensorType.may_share_memory = _type_methods.tensor_may_share_memory


def _dtype(dtype):
    return config.floatX if dtype is None or dtype == "floatX" else dtype


_PATTERNS = {
    "scalar": (), "vector": (False,), "matrix": (False, False), "row": (True, False),
    "col": (False, True), "tensor3": (False,) * 3, "tensor4": (False,) * 4,
    "tensor5": (False,) * 5, "tensor6": (False,) * 6, "tensor7": (False,) * 7,
}
_PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32",
             "d": "float64", "c": "complex64", "z": "complex128"}


_RANKS = {"scalar": "0-d", "vector": "1-d", "matrix": "2-d", "row": "1 x n (axis 0 broadcastable)",
          "col": "n x 1 (axis 1 broadcastable)", "tensor3": "3-d", "tensor4": "4-d", "tensor5": "5-d",
          "tensor6": "6-d", "tensor7": "7-d"}


def _maker(pattern, kind):
    def make(name=None, dtype=None):
        return _core.tensor.tensor(_dtype(dtype), list(pattern), name)
    make.__name__ = make.__qualname__ = kind
    make.__doc__ = (f"A new symbolic {_RANKS[kind]} tensor variable called ``name``, of ``dtype`` "
                    "(config.floatX when None; the prefixed forms such as d" + kind + " fix the dtype).\n\n"
                    "Raises TypeError when ``dtype`` is not a dtype name numpy knows.")
    return make


def _typed_maker(pattern, dtype):
    # Theano's prefixed names are Types: ``T.dscalar`` prints as TensorType(float64, scalar)
    # and ``T.dscalar('x')`` makes a variable of that type.
    return _core.TensorType(dtype, list(pattern))


def _plural(single, name):
    def make(*names):
        if len(names) == 1 and isinstance(names[0], int):
            return [single() for _ in range(names[0])]
        if len(names) == 1 and isinstance(names[0], str) and len(names[0]) > 1 and "," not in names[0]:
            # Theano: dscalars('xyz') is one name per character only for single letters
            pass
        vs = [single(n) for n in names]
        return vs[0] if len(vs) == 1 else vs
    make.__name__ = make.__qualname__ = name
    make.__doc__ = (f"One new variable per name in ``names`` (Theano's {name}('a', 'b')), or ``n`` unnamed ones "
                    f"for {name}(n); a list, or the variable itself for a single name. Each is made by "
                    f"{getattr(single, '__name__', single)}.\n\n"
                    "Raises TypeError when a name is not a string.")
    return make


for _kind, _pat in _PATTERNS.items():
    globals()[_kind] = _maker(_pat, _kind)
    _pl = "matrices" if _kind == "matrix" else _kind + "s"
    globals()[_kind + "s"] = _plural(globals()[_kind], _pl)
    for _p, _dt in _PREFIXES.items():
        globals()[_p + _kind] = _typed_maker(_pat, _dt)
        globals()[_p + _kind + "s"] = _plural(globals()[_p + _kind], _p + _pl)
matrices = globals()["matrixs"]
for _p in _PREFIXES:
    globals()[_p + "matrices"] = globals()[_p + "matrixs"]
    del globals()[_p + "matrixs"]
del globals()["matrixs"]


def tensor(dtype=None, broadcastable=None, name=None):
    """A tensor variable of any rank: ``tensor('float64', (False, True))``.

    ``dtype`` is the dtype name (None or 'floatX': config.floatX); ``broadcastable`` holds one bool
    per axis (its length is the rank; True marks a length-1 axis that broadcasts); ``name`` names
    the variable (None: unnamed).

    Raises TypeError when ``broadcastable`` is not given or is not a sequence of bools, or when
    ``dtype`` is not a dtype name.
    """
    if broadcastable is None:
        raise TypeError("[tensor] broadcastable must be given")
    return _core.tensor.tensor(_dtype(dtype), list(broadcastable), name)


def grad(*args, **kwargs):
    """theano.tensor.grad: same as hypatia.grad, to which every positional and keyword argument
    is passed (cost, wrt, consider_constant, disconnected_inputs, add_names, known_grads,
    return_disconnected, null_gradients; see hypatia.gradient.grad).

    Raises what hypatia.grad raises: DisconnectedInputError, NullTypeGradError, TypeError when
    ``cost`` is not a scalar, ValueError for a bad ``return_disconnected``.
    """
    from ..gradient import grad as _grad
    return _grad(*args, **kwargs)


def Rop(*args, **kwargs):
    """theano.tensor.Rop: same as hypatia.gradient.Rop (Jacobian times vector), to which every
    positional and keyword argument is passed (f, wrt, eval_points, disconnected_outputs,
    return_disconnected).

    Raises what hypatia.gradient.Rop raises: NotImplementedError when an op on the path has no
    R-op, TypeError when an eval point's type differs from its variable's,
    DisconnectedInputError for a disconnected output with 'raise'.
    """
    from ..gradient import Rop as _rop
    return _rop(*args, **kwargs)


def Lop(*args, **kwargs):
    """theano.tensor.Lop: same as hypatia.gradient.Lop (vector times Jacobian), to which every
    positional and keyword argument is passed (f, wrt, eval_points, consider_constant,
    disconnected_inputs).

    Raises what hypatia.gradient.Lop raises: DisconnectedInputError when a ``wrt`` does not
    influence ``f`` (disconnected_inputs='raise'), TypeError when an eval point's type differs from
    its output's.
    """
    from ..gradient import Lop as _lop
    return _lop(*args, **kwargs)


def jacobian(*args, **kwargs):
    """theano.tensor.jacobian: same as hypatia.gradient.jacobian, to which every positional and
    keyword argument is passed (expression, wrt, consider_constant, disconnected_inputs).

    Raises what hypatia.gradient.jacobian raises: ValueError when ``expression`` is not a vector,
    DisconnectedInputError as grad.
    """
    from ..gradient import jacobian as _j
    return _j(*args, **kwargs)


def hessian(*args, **kwargs):
    """theano.tensor.hessian: same as hypatia.gradient.hessian, to which every positional and
    keyword argument is passed (cost, wrt, consider_constant, disconnected_inputs).

    Raises what hypatia.gradient.hessian raises: ValueError when ``cost`` is not a scalar or a
    ``wrt`` not a vector, DisconnectedInputError as grad.
    """
    from ..gradient import hessian as _h
    return _h(*args, **kwargs)


nonzero = _core.tensor.nonzero
