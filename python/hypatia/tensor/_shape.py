"""Theano names of the tensor shape family, re-exported by hypatia.tensor."""
import numbers

from .. import _core

__all__ = [
    "flatten", "shape_padleft", "shape_padright", "shape_padaxis", "squeeze", "swapaxes",
    "specify_shape", "addbroadcast", "unbroadcast", "patternbroadcast", "as_tensor_variable",
    "reshape", "stack", "concatenate", "join", "split", "stacklists", "tile", "roll",
    "zeros", "ones", "zeros_like", "ones_like", "eye", "identity_like", "arange", "diag",
    "diagonal", "trace", "tri", "tril", "triu",
]


def _axes(axes):
    if len(axes) == 1 and not isinstance(axes[0], numbers.Integral):
        axes = tuple(axes[0])
    return [int(a) for a in axes]


def flatten(x, ndim=None, outdim=None):
    """Keeps the leading ndim-1 axes and collapses the rest (Theano's flatten(x, outdim=1))."""
    n = ndim if ndim is not None else (outdim if outdim is not None else 1)
    return _core.shape.flatten(x, int(n))


def shape_padleft(t, n_ones=1):
    return _core.shape.padleft(t, int(n_ones))


def shape_padright(t, n_ones=1):
    return _core.shape.padright(t, int(n_ones))


def shape_padaxis(t, axis):
    return _core.shape.padaxis(t, int(axis))


def squeeze(t):
    """Drops every broadcastable axis."""
    return _core.shape.squeeze(t)


def swapaxes(y, axis1, axis2):
    return _core.shape.swapaxes(y, int(axis1), int(axis2))


def specify_shape(x, shape):
    """x with its shape checked at run time (ValueError) and known to shape inference."""
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    return _core.shape.specify_shape(x, shape if isinstance(shape, _core.Variable) else list(shape))


def addbroadcast(x, *axes):
    return _core.shape.addbroadcast(x, _axes(axes))


def unbroadcast(x, *axes):
    return _core.shape.unbroadcast(x, _axes(axes))


def patternbroadcast(x, broadcastable):
    return _core.shape.patternbroadcast(x, [bool(b) for b in broadcastable])


def as_tensor_variable(x, name=None, ndim=None):
    """Variables pass through; numbers, lists and arrays become constants. ndim left-pads
    with broadcastable axes (or drops leading broadcastable ones)."""
    v = _core.tensor.as_tensor_variable(x)
    if ndim is not None and v.ndim != ndim:
        v = _core.shape.as_tensor_variable(v, int(ndim))
    if name is not None:
        v.name = name
    return v


def reshape(x, newshape, ndim=None):
    """Reshape to a tuple/list (ints or scalar variables) or a symbolic int vector; ndim is
    required when a symbolic vector's length cannot be inferred."""
    return _core.shape.reshape(x, newshape, ndim)


def stack(*tensors, **kwargs):
    """stack(tensors, axis=0); the deprecated ``stack(*tensors)`` form works too."""
    axis = kwargs.pop("axis", 0)
    if kwargs:
        raise TypeError("[stack] unexpected keyword arguments %s" % sorted(kwargs))
    if len(tensors) == 0:
        raise ValueError("[stack] expected a list of tensors")
    if len(tensors) == 2 and isinstance(tensors[0], (list, tuple)) and isinstance(tensors[1], numbers.Integral):
        tensors, axis = tensors[0], tensors[1]
    elif len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    return _core.shape.stack(list(tensors), int(axis))


def concatenate(tensor_list, axis=0):
    if not isinstance(tensor_list, (list, tuple)):
        raise TypeError("[Join] concatenate expects a list or tuple of tensors as its first argument")
    return _core.shape.join(axis, list(tensor_list))


def join(axis, *tensors_list):
    """Theano's ``join(axis, *tensors)``: the Join op (a single tensor is returned as is)."""
    if len(tensors_list) == 1:
        return as_tensor_variable(tensors_list[0])
    return _core.shape.join(axis, list(tensors_list))


def split(x, splits_size, n_splits, axis=0):
    """Split x into n_splits pieces of the given lengths along axis (a list of variables)."""
    if not isinstance(splits_size, _core.Variable):
        splits_size = list(splits_size)
    return list(_core.shape.split(x, splits_size, int(n_splits), axis))


def stacklists(arg):
    """Builds a tensor from nested lists of tensors: [[a, b], [c, d]] -> shape (2, 2, ...)."""
    if isinstance(arg, (list, tuple)):
        return stack([stacklists(a) for a in arg])
    return arg


def tile(x, reps, ndim=None):
    """numpy.tile with constant reps (len(reps) must equal ndim when ndim is given)."""
    if isinstance(reps, _core.Variable):
        raise TypeError("[tile] reps must be a constant list or tuple of ints")
    if isinstance(reps, numbers.Integral):
        reps = [reps]
    reps = [int(r) for r in reps]
    if ndim is not None and len(reps) != ndim:
        raise ValueError("[tile] len(reps) should be equal to ndim")
    return _core.shape.tile(x, reps)


def roll(x, shift, axis=None):
    return _core.shape.roll(x, shift, None if axis is None else int(axis))


def _shape_list(shape):
    if isinstance(shape, (numbers.Integral, _core.Variable)) and not (
            isinstance(shape, _core.Variable) and shape.ndim == 1):
        return [shape]
    if isinstance(shape, _core.Variable):
        raise TypeError("[Alloc] pass the shape as a list or tuple of scalars")
    return list(shape)


def zeros(shape, dtype=None):
    return _core.shape.zeros(_shape_list(shape), dtype)


def ones(shape, dtype=None):
    return _core.shape.ones(_shape_list(shape), dtype)


def zeros_like(model, dtype=None):
    return _core.shape.zeros_like(model, dtype)


def ones_like(model, dtype=None):
    return _core.shape.ones_like(model, dtype)


def eye(n, m=None, k=0, dtype=None):
    return _core.shape.eye(n, m, k, dtype)


def identity_like(x):
    return _core.shape.identity_like(x)


def arange(start, stop=None, step=1, dtype=None):
    """numpy.arange; int64 for integer arguments, floatX for float ones unless dtype is given."""
    return _core.shape.arange(start, stop, step, dtype)


def diag(v, k=0):
    """vector -> matrix with v on diagonal k; matrix -> its diagonal k."""
    return _core.shape.diag(v, int(k))


def diagonal(a, offset=0, axis1=0, axis2=1):
    return _core.shape.diagonal(a, int(offset), int(axis1), int(axis2))


def trace(a):
    return _core.shape.trace(a)


def tri(N, M=None, k=0, dtype=None):
    return _core.shape.tri(N, M, k, dtype)


def tril(m, k=0):
    return _core.shape.tril(m, int(k))


def triu(m, k=0):
    return _core.shape.triu(m, int(k))
