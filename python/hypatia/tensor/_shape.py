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
    """Keeps the leading ndim-1 axes and collapses the rest (Theano's flatten(x, outdim=1)).

    ``x`` is the tensor; ``ndim`` the number of dimensions of the result (default 1: a vector);
    ``outdim`` is Theano's older name for ``ndim``, used when ``ndim`` is None.

    Raises TypeError when ``x`` is not a dense tensor (or a value that becomes one); ValueError
    when ``ndim`` is not between 1 and x.ndim (or is a string int() cannot read).
    """
    n = ndim if ndim is not None else (outdim if outdim is not None else 1)
    return _core.shape.flatten(x, int(n))


def shape_padleft(t, n_ones=1):
    """``t`` with ``n_ones`` broadcastable axes added on the left (Theano's shape_padleft).

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed).
    """
    return _core.shape.padleft(t, int(n_ones))


def shape_padright(t, n_ones=1):
    """``t`` with ``n_ones`` broadcastable axes added on the right.

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed).
    """
    return _core.shape.padright(t, int(n_ones))


def shape_padaxis(t, axis):
    """``t`` with one broadcastable axis inserted at position ``axis`` (negative counts from the end).

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed); ValueError when ``axis`` is out of range.
    """
    return _core.shape.padaxis(t, int(axis))


def squeeze(t):
    """Drops every broadcastable axis.

    ``t`` is the tensor. Raises TypeError when ``t`` is not a dense tensor.
    """
    return _core.shape.squeeze(t)


def swapaxes(y, axis1, axis2):
    """``y`` with axes ``axis1`` and ``axis2`` exchanged (a view, as numpy.swapaxes).

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed); ValueError when an axis is out of range.
    """
    return _core.shape.swapaxes(y, int(axis1), int(axis2))


def specify_shape(x, shape):
    """x with its shape checked at run time (ValueError) and known to shape inference.

    ``x`` is the tensor; ``shape`` its expected shape: an int, a list or tuple of ints or integer
    scalar variables, or an integer vector variable.

    Raises TypeError when ``x`` is not a tensor or ``shape`` is not integers; ValueError when the
    length of ``shape`` differs from x.ndim; the compiled function raises ValueError when the
    value's shape differs.
    """
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    return _core.shape.specify_shape(x, shape if isinstance(shape, _core.Variable) else list(shape))


def addbroadcast(x, *axes):
    """``x`` with the given ``axes`` marked broadcastable; their length is checked to be 1 at run time.

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed); ValueError at run time when such an axis is not of length 1.
    """
    return _core.shape.addbroadcast(x, _axes(axes))


def unbroadcast(x, *axes):
    """``x`` with the given ``axes`` marked not broadcastable (the values are unchanged).

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed).
    """
    return _core.shape.unbroadcast(x, _axes(axes))


def patternbroadcast(x, broadcastable):
    """``x`` with its broadcastable flags set to ``broadcastable`` (one bool per axis).

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed); ValueError when the pattern's length differs from x.ndim or a length is not 1 at run time.
    """
    return _core.shape.patternbroadcast(x, [bool(b) for b in broadcastable])


def as_tensor_variable(x, name=None, ndim=None):
    """Variables pass through; numbers, lists and arrays become constants. ndim left-pads
    with broadcastable axes (or drops leading broadcastable ones).

    ``x`` is the value or variable; ``name`` names a new constant. Raises TypeError when ``x``
    is a sparse variable or cannot become a tensor, or does not have ``ndim`` dimensions.
    """
    v = _core.tensor.as_tensor_variable(x)
    if ndim is not None and v.ndim != ndim:
        v = _core.shape.as_tensor_variable(v, int(ndim))
    if name is not None:
        v.name = name
    return v


def reshape(x, newshape, ndim=None):
    """Reshape to a tuple/list (ints or scalar variables) or a symbolic int vector; ndim is
    required when a symbolic vector's length cannot be inferred.

    ``x`` is the tensor and ``newshape`` the new shape (-1 once for an inferred length). Raises
    TypeError when ``x`` is not a dense tensor or ``newshape`` not integers, ValueError when
    ``ndim`` is needed and missing; the compiled function raises ValueError when the sizes
    differ.
    """
    return _core.shape.reshape(x, newshape, ndim)


def stack(*tensors, **kwargs):
    """stack(tensors, axis=0); the deprecated ``stack(*tensors)`` form works too.

    The tensors (``tensors``: one list, or each passed as its own positional argument), all of one
    shape, are joined along a new axis ``axis`` (keyword, or the second positional argument after
    the list), so the result has one more dimension.

    Raises TypeError for a keyword other than ``axis`` or when the tensors' ranks differ;
    ValueError when no tensor is given; IndexError when ``axis`` is out of range; the compiled
    function raises ValueError when the shapes differ.
    """
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
    """Joins the tensors of ``tensor_list`` along ``axis`` (numpy.concatenate).

    Raises TypeError when ``tensor_list`` is not a list or tuple, or the tensors' dtypes or ranks do not
    match; ValueError at run time when the other axes differ.
    """
    if not isinstance(tensor_list, (list, tuple)):
        raise TypeError("[Join] concatenate expects a list or tuple of tensors as its first argument")
    return _core.shape.join(axis, list(tensor_list))


def join(axis, *tensors_list):
    """Theano's ``join(axis, *tensors)``: the Join op (a single tensor is returned as is).

    ``axis`` is the axis to join along (an int or integer scalar variable); the tensors follow
    as positional arguments (``tensors_list``) and must have one rank and matching dtypes.

    Raises TypeError when the tensors' ranks differ or one is not a tensor; IndexError when
    ``axis`` is out of range; the compiled function raises ValueError when the other axes' lengths
    differ.
    """
    if len(tensors_list) == 1:
        return as_tensor_variable(tensors_list[0])
    return _core.shape.join(axis, list(tensors_list))


def split(x, splits_size, n_splits, axis=0):
    """Split x into n_splits pieces of the given lengths along axis (a list of variables).

    ``x`` is the tensor; ``splits_size`` the lengths of the pieces (a list of ints or integer
    scalars, or an integer vector variable), which must add up to x's length along ``axis``;
    ``n_splits`` the number of pieces (the length of ``splits_size``); ``axis`` the axis to split.

    Raises TypeError when ``x`` is not a tensor or ``splits_size`` not integers; ValueError when
    ``n_splits`` differs from the number of sizes; the compiled function raises ValueError when the
    sizes do not add up to the axis length.
    """
    if not isinstance(splits_size, _core.Variable):
        splits_size = list(splits_size)
    return list(_core.shape.split(x, splits_size, int(n_splits), axis))


def stacklists(arg):
    """Builds a tensor from nested lists of tensors: [[a, b], [c, d]] -> shape (2, 2, ...).

    ``arg`` is a tensor (returned as it is) or a list/tuple of such nested lists, each level
    stacked along a new leading axis.

    Raises TypeError when the entries at one level have different ranks, as stack does; the
    compiled function raises ValueError when their shapes differ.
    """
    if isinstance(arg, (list, tuple)):
        return stack([stacklists(a) for a in arg])
    return arg


def tile(x, reps, ndim=None):
    """numpy.tile with constant reps (len(reps) must equal ndim when ndim is given).

    ``x`` is the tensor to repeat; ``reps`` the number of repetitions along each axis (an int or
    a list/tuple of ints); ``ndim`` the expected number of dimensions of the result.

    Raises TypeError when ``reps`` is a symbolic variable or ``x`` is not a tensor; ValueError when
    len(reps) differs from ``ndim``.
    """
    if isinstance(reps, _core.Variable):
        raise TypeError("[tile] reps must be a constant list or tuple of ints")
    if isinstance(reps, numbers.Integral):
        reps = [reps]
    reps = [int(r) for r in reps]
    if ndim is not None and len(reps) != ndim:
        raise ValueError("[tile] len(reps) should be equal to ndim")
    return _core.shape.tile(x, reps)


def roll(x, shift, axis=None):
    """``x`` shifted by ``shift`` positions along ``axis`` (all axes flattened when ``axis`` is None), as numpy.roll.

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed).
    """
    return _core.shape.roll(x, shift, None if axis is None else int(axis))


def _shape_list(shape):
    if isinstance(shape, (numbers.Integral, _core.Variable)) and not (
            isinstance(shape, _core.Variable) and shape.ndim == 1):
        return [shape]
    if isinstance(shape, _core.Variable):
        raise TypeError("[Alloc] pass the shape as a list or tuple of scalars")
    return list(shape)


def zeros(shape, dtype=None):
    """A tensor of zeros of the given ``shape`` (ints or integer scalar variables) and ``dtype`` (floatX by default).

    Raises TypeError when ``shape`` is a symbolic vector instead of a list of scalars, or ``dtype`` is unknown.
    """
    return _core.shape.zeros(_shape_list(shape), dtype)


def ones(shape, dtype=None):
    """A tensor of ones of the given ``shape`` (ints or integer scalar variables) and ``dtype`` (floatX by default).

    Raises TypeError when ``shape`` is a symbolic vector instead of a list of scalars, or ``dtype`` is unknown.
    """
    return _core.shape.ones(_shape_list(shape), dtype)


def zeros_like(model, dtype=None):
    """Zeros with the shape of ``model``, of ``model``'s dtype unless ``dtype`` is given.

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed).
    """
    return _core.shape.zeros_like(model, dtype)


def ones_like(model, dtype=None):
    """Ones with the shape of ``model``, of ``model``'s dtype unless ``dtype`` is given.

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed).
    """
    return _core.shape.ones_like(model, dtype)


def eye(n, m=None, k=0, dtype=None):
    """The ``n`` x ``m`` matrix (``m`` defaults to ``n``) with ones on diagonal ``k`` (numpy.eye), of ``dtype`` (floatX by default).

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed).
    """
    return _core.shape.eye(n, m, k, dtype)


def identity_like(x):
    """The identity matrix of ``x``'s shape and dtype (``x`` a matrix).

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed) (x must be a matrix).
    """
    return _core.shape.identity_like(x)


def arange(start, stop=None, step=1, dtype=None):
    """numpy.arange; int64 for integer arguments, floatX for float ones unless dtype is given.

    ``start``, ``stop`` (None: start is the stop and 0 the start) and ``step`` are numbers or
    scalar variables. Raises TypeError when an argument is not a scalar; the compiled function
    raises ValueError for a zero step.
    """
    return _core.shape.arange(start, stop, step, dtype)


def diag(v, k=0):
    """vector -> matrix with v on diagonal k; matrix -> its diagonal k.

    Raises TypeError when ``v`` is neither a vector nor a matrix.
    """
    return _core.shape.diag(v, int(k))


def diagonal(a, offset=0, axis1=0, axis2=1):
    """Diagonal ``offset`` of ``a`` over axes ``axis1`` and ``axis2`` (numpy.diagonal).

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed); ValueError when the axes are out of range or equal.
    """
    return _core.shape.diagonal(a, int(offset), int(axis1), int(axis2))


def trace(a):
    """The sum of the main diagonal of the matrix ``a``.

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed) (a must be a matrix).
    """
    return _core.shape.trace(a)


def tri(N, M=None, k=0, dtype=None):
    """The ``N`` x ``M`` matrix with ones at and below diagonal ``k`` (numpy.tri), of ``dtype`` (floatX by default).

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed).
    """
    return _core.shape.tri(N, M, k, dtype)


def tril(m, k=0):
    """The lower triangle of ``m``: entries above diagonal ``k`` set to zero (numpy.tril).

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed).
    """
    return _core.shape.tril(m, int(k))


def triu(m, k=0):
    """The upper triangle of ``m``: entries below diagonal ``k`` set to zero (numpy.triu).

    Raises TypeError when an argument is not a tensor (or not an integer where one is needed).
    """
    return _core.shape.triu(m, int(k))
