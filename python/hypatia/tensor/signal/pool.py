"""hypatia.tensor.signal.pool: pooling (theano.tensor.signal.pool).

``pool_2d(input, ws, ignore_border, stride=None, pad=(0, 0), mode='max')`` pools the last two
axes of an N-d tensor (N >= 2; the leading axes are independent images), ``pool_3d`` the last
three. Modes: ``'max'``, ``'sum'``, ``'average_inc_pad'`` (divides by the whole window, padding
included) and ``'average_exc_pad'`` (by the window's pixels inside the image); max and sum skip
the padding. ``ignore_border=True`` keeps only whole windows; otherwise the partial windows at the
end count too (then ``pad`` must be zero). ``stride`` defaults to ``ws``; ``pad`` must be smaller
than ``ws``. The deprecated ``ds``/``st``/``padding`` names are accepted with a warning, as
Theano does, and ``ignore_border=None`` warns and means False.

``ws``, ``stride`` and ``pad`` are constants here (tuples, lists, numpy arrays or constant
variables): they are parameters of the op, so the output shape is known when the graph is built.

Gradients: ``MaxPoolGrad`` (gz to every pixel equal to its window's maximum: use distinct values
where the gradient matters), ``AveragePoolGrad`` (sum/average modes) and
``DownsampleFactorMaxGradGrad`` (the gradient of MaxPoolGrad, which is also max pooling's
R_op), so gradients of gradients work. ``max_pool_2d_same_size(input, patch_size)`` zeroes every
pixel that is not the maximum of its non-overlapping patch.
"""
import warnings

import numpy as np

from ..._core import pool as _pool
from ..._op_class import NativeOpClass

__all__ = ["pool_2d", "pool_3d", "max_pool_2d_same_size", "Pool", "PoolGrad", "MaxPoolGrad", "AveragePoolGrad",
           "DownsampleFactorMaxGradGrad"]


def _ints(v, n, what, who="Pool"):
    """A tuple of n Python ints from a tuple/list/array/constant variable."""
    if v is None:
        return None
    if hasattr(v, "type") and hasattr(v, "owner"):  # a graph variable: only constants will do
        data = getattr(v, "data", None)
        if data is None:
            raise TypeError("[%s] %s must be a constant (a tuple of ints), got the variable %s" % (who, what, v))
        v = data
    arr = np.asarray(v)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or not (np.issubdtype(arr.dtype, np.integer) or arr.size == 0):
        raise ValueError("[%s] %s must be a tuple of %d ints, got %r" % (who, what, n, v))
    if arr.size != n:
        raise ValueError("[%s] %s must have %d values, got %r" % (who, what, n, tuple(arr.tolist())))
    return tuple(int(i) for i in arr)


def _resolve(nd, ws, ignore_border, stride, pad, ds, st, padding, who):
    if ds is not None:
        if ws is not None:
            raise ValueError("[%s] You can't provide a tuple value to both 'ws' and 'ds'. Please provide a value "
                             "only to 'ws'." % who)
        warnings.warn("DEPRECATION: the 'ds' parameter is not going to exist anymore as it is going to be "
                      "replaced by the parameter 'ws'.", stacklevel=3)
        ws = ds
    elif ws is None:
        raise ValueError("[%s] You must provide a tuple value for the window size (ws)." % who)
    if st is not None:
        if stride is not None:
            raise ValueError("[%s] You can't provide a tuple value to both 'st' and 'stride'. Please provide a "
                             "value only to 'stride'." % who)
        warnings.warn("DEPRECATION: the 'st' parameter is not going to exist anymore as it is going to be "
                      "replaced by the parameter 'stride'.", stacklevel=3)
        stride = st
    if padding is not None:
        if pad is not None and tuple(np.asarray(pad).ravel().tolist()) != (0,) * nd:
            raise ValueError("[%s] You can't provide a tuple value to both 'padding' and 'pad'. Please provide a "
                             "value only to 'pad'." % who)
        warnings.warn("DEPRECATION: the 'padding' parameter is not going to exist anymore as it is going to be "
                      "replaced by the parameter 'pad'.", stacklevel=3)
        pad = padding
    if ignore_border is None:
        warnings.warn("%s() will have the parameter ignore_border default value changed to True (currently "
                      "False). To have consistent behavior with all Theano versions, explicitly add the parameter "
                      "ignore_border=True." % who, stacklevel=3)
        ignore_border = False
    ws = _ints(ws, nd, "ws")
    stride = _ints(stride, nd, "stride") or ()
    pad = _ints(pad, nd, "pad") if pad is not None else ()
    return ws, bool(ignore_border), stride, pad


def _check_ndim(input, nd, who):
    ndim = getattr(input, "ndim", None)
    if ndim is None:
        ndim = np.ndim(input)
    if ndim < nd:
        raise TypeError("[%s] requires an input with at least %d dimensions, got %d" % (who, nd, ndim))


def pool_2d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0), mode='max', ds=None, st=None,
            padding=None):
    """theano.tensor.signal.pool.pool_2d: pooling over the last two axes of input (see the module
    docstring for the modes, ignore_border, stride and pad).

    ``input`` is a float tensor of 2 or more dimensions; ``ws`` the window size (2 ints);
    ``ignore_border`` keeps only whole windows (None warns and means False); ``stride`` the step
    between windows (default: ``ws``); ``pad`` the zero padding of each side (2 ints); ``mode``
    is 'max', 'sum', 'average_inc_pad' or 'average_exc_pad'. ``ds``, ``st`` and ``padding`` are
    the deprecated names of ``ws``, ``stride`` and ``pad`` (a UserWarning is issued when one is
    used).

    Raises ValueError when ``ws`` is missing or a value is given under both its names, or when
    ``ws``/``stride``/``pad`` are not 2 ints, ``ws`` or ``stride`` is not positive, ``pad`` is
    negative or not smaller than ``ws``, padding is used without ``ignore_border``, or ``mode`` is
    unknown; TypeError when ``input`` has fewer than 2 dimensions or is not a float32/float64
    tensor, or ``ws``/``stride``/``pad`` is a non-constant variable.
    """
    ws, ib, stride, pad = _resolve(2, ws, ignore_border, stride, pad, ds, st, padding, "pool_2d")
    _check_ndim(input, 2, "pool_2d")
    return _pool.pool(input, ws, ib, stride, pad, mode, 2)


def pool_3d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0, 0), mode='max', ds=None, st=None,
            padding=None):
    """theano.tensor.signal.pool.pool_3d: pooling over the last three axes of input.

    The arguments are those of pool_2d with 3 values each: ``input`` is a float tensor of 3 or
    more dimensions; ``ws`` the window size; ``ignore_border`` keeps only whole windows (None
    warns and means False); ``stride`` the step (default: ``ws``); ``pad`` the zero padding;
    ``mode`` 'max', 'sum', 'average_inc_pad' or 'average_exc_pad'; ``ds``, ``st`` and
    ``padding`` the deprecated names of ``ws``, ``stride`` and ``pad`` (a warning is issued).

    Raises ValueError when ``ws`` is missing or a value is given under both its names, or when
    ``ws``/``stride``/``pad`` are not 3 ints, ``ws`` or ``stride`` is not positive, ``pad`` is
    negative or not smaller than ``ws``, padding is used without ``ignore_border``, or ``mode`` is
    unknown; TypeError when ``input`` has fewer than 3 dimensions or is not a float32/float64
    tensor, or ``ws``/``stride``/``pad`` is a non-constant variable.
    """
    ws, ib, stride, pad = _resolve(3, ws, ignore_border, stride, pad, ds, st, padding, "pool_3d")
    _check_ndim(input, 3, "pool_3d")
    return _pool.pool(input, ws, ib, stride, pad, mode, 3)


def max_pool_2d_same_size(input, patch_size):
    """theano.tensor.signal.pool.max_pool_2d_same_size: input (N-d, N >= 2) with every pixel that
    is not the maximum of its non-overlapping patch_size patch set to zero; same shape.

    Raises TypeError when ``input`` has fewer than 2 dimensions or is not a float32/float64
    tensor, or ``patch_size`` is a non-constant variable; ValueError when ``patch_size`` is not 2
    positive ints.
    """
    _check_ndim(input, 2, "max_pool_2d_same_size")
    return _pool.max_pool_2d_same_size(input, _ints(patch_size, 2, "patch_size"))


class Pool(metaclass=NativeOpClass):
    """Theano's Pool(ignore_border=False, mode='max', ndim=2), called on (x, ws, stride=None,
    pad=None) with constant ws/stride/pad.

    ``ignore_border`` keeps only whole windows; ``mode`` is 'max', 'sum', 'average_inc_pad' or
    'average_exc_pad'; ``ndim`` (2 or 3) the number of trailing axes pooled. Calling the op
    returns the pooled ``x`` (see pool_2d).

    Calling it raises TypeError when an input is not a float32/float64 tensor of the rank needed or
    ``ws``/``stride``/``pad`` is a non-constant variable; ValueError when they are not ``ndim``
    ints, ``ws`` or ``stride`` is not positive, ``pad`` is negative or not smaller than ``ws``,
    padding is used without ``ignore_border``, or ``mode`` or ``ndim`` is unknown. The constructor
    raises only what int() raises for an ``ndim`` that is not a number.
    """
    _native = ["hypatia::Pool"]

    __props__ = ("ignore_border", "mode", "ndim")

    def __init__(self, ignore_border=False, mode='max', ndim=2):
        self.ignore_border, self.mode, self.ndim = bool(ignore_border), mode, int(ndim)

    def _params(self, ws, stride, pad):
        ws = _ints(ws, self.ndim, "ws")
        return ws, self.ignore_border, _ints(stride, self.ndim, "stride") or (), _ints(pad, self.ndim, "pad") or ()

    def __call__(self, x, ws, stride=None, pad=None):
        return _pool.pool(x, *self._params(ws, stride, pad), self.mode, self.ndim)


class PoolGrad(Pool):
    """The base of the pooling gradient ops (Theano's PoolGrad).

    ``ignore_border``, ``mode`` and ``ndim`` are the forward Pool's parameters; the subclasses
    MaxPoolGrad and AveragePoolGrad are the ops to call (this base computes a Pool when called).

    Calling it raises TypeError when an input is not a float32/float64 tensor of the rank needed or
    ``ws``/``stride``/``pad`` is a non-constant variable; ValueError when they are not ``ndim``
    ints, ``ws`` or ``stride`` is not positive, ``pad`` is negative or not smaller than ``ws``,
    padding is used without ``ignore_border``, or ``mode`` or ``ndim`` is unknown.
    """
    _isa = ()  # Theano's PoolGrad is not a Pool; this class derives from it for its code


class MaxPoolGrad(PoolGrad):
    """Theano's MaxPoolGrad(ignore_border, mode='max', ndim=2) on (x, maxout, gz, ws, stride, pad).

    The gradient of max pooling: ``gz`` (the gradient of the pooled ``maxout``) sent to every pixel
    of ``x`` equal to its window's maximum.

    Calling it raises TypeError when an input is not a float32/float64 tensor of the rank needed or
    ``ws``/``stride``/``pad`` is a non-constant variable; ValueError when they are not ``ndim``
    ints, ``ws`` or ``stride`` is not positive, ``pad`` is negative or not smaller than ``ws``,
    padding is used without ``ignore_border``, or ``mode`` or ``ndim`` is unknown; also TypeError
    when ``maxout`` or ``gz`` does not have x's rank and dtype. The compiled function raises
    ValueError when their shapes differ from the pooled shape.
    """
    _native = ["hypatia::MaxPoolGrad"]
    _isa = (PoolGrad,)

    def __call__(self, x, maxout, gz, ws, stride=None, pad=None):
        return _pool.max_pool_grad(x, maxout, gz, *self._params(ws, stride, pad), self.mode, self.ndim)


class AveragePoolGrad(PoolGrad):
    """Theano's AveragePoolGrad(ignore_border, mode='average_inc_pad', ndim=2) on (x, gz, ws, stride, pad).

    The gradient of sum and average pooling: each entry of ``gz`` spread over its window of
    ``x`` (divided by the window's size for the average modes).

    Calling it raises TypeError when an input is not a float32/float64 tensor of the rank needed or
    ``ws``/``stride``/``pad`` is a non-constant variable; ValueError when they are not ``ndim``
    ints, ``ws`` or ``stride`` is not positive, ``pad`` is negative or not smaller than ``ws``,
    padding is used without ``ignore_border``, or ``mode`` or ``ndim`` is unknown (mode 'max' is
    refused here too); also TypeError when ``gz`` does not have x's rank and dtype. The compiled
    function raises ValueError when its shape differs from the pooled shape.
    """
    _native = ["hypatia::AveragePoolGrad"]
    _isa = (PoolGrad,)

    def __init__(self, ignore_border=False, mode='average_inc_pad', ndim=2):
        super().__init__(ignore_border, mode, ndim)

    def __call__(self, x, gz, ws, stride=None, pad=None):
        return _pool.average_pool_grad(x, gz, *self._params(ws, stride, pad), self.mode, self.ndim)


class DownsampleFactorMaxGradGrad(Pool):
    """Theano's DownsampleFactorMaxGradGrad(ignore_border, mode='max', ndim=2) on
    (x, maxout, ggx, ws, stride, pad).

    The gradient of MaxPoolGrad (and max pooling's R-op): for each window, the entry of ``ggx``
    at the pixel that holds the maximum, shaped like ``maxout``.

    Calling it raises TypeError when an input is not a float32/float64 tensor of the rank needed or
    ``ws``/``stride``/``pad`` is a non-constant variable; ValueError when they are not ``ndim``
    ints, ``ws`` or ``stride`` is not positive, ``pad`` is negative or not smaller than ``ws``,
    padding is used without ``ignore_border``, or ``mode`` or ``ndim`` is unknown (any mode but
    'max' is refused here); also TypeError when ``maxout`` or ``ggx`` does not have x's rank and
    dtype. The compiled function raises ValueError when their shapes differ.
    """
    _native = ["hypatia::DownsampleFactorMaxGradGrad"]
    _isa = ()

    def __call__(self, x, maxout, ggx, ws, stride=None, pad=None):
        return _pool.max_pool_grad_grad(x, maxout, ggx, *self._params(ws, stride, pad), self.mode, self.ndim)
