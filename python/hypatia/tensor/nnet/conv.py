"""hypatia.tensor.nnet.conv: Theano's old conv2d interface (theano.tensor.nnet.conv.conv2d).

``conv2d(input, filters, image_shape=None, filter_shape=None, border_mode='valid', subsample=(1, 1),
**kwargs)`` is a convolution (filters flipped) in 'valid' or 'full' mode, built on the abstract
AbstractConv2d op; ConvOp's tuning arguments (unroll_batch, unroll_kern, unroll_patch, openmp, ...)
are accepted and ignored.
"""
from . import abstract_conv

__all__ = ["conv2d"]

_CONVOP_KWARGS = {"unroll_batch", "unroll_kern", "unroll_patch", "openmp", "verbose", "version", "direction_hint",
                  "imshp_logical", "kshp_logical", "kshp_logical_top_aligned"}


def conv2d(input, filters, image_shape=None, filter_shape=None, border_mode="valid", subsample=(1, 1), **kwargs):
    """The old 2-d convolution of (batch, stack, rows, cols) by (filters, stack, rows, cols):
    border_mode 'valid' or 'full'; image_shape / filter_shape are shape hints.

    ``input`` is the (batch, stack, rows, cols) images and ``filters`` the (filters, stack, rows,
    cols) kernels; ``image_shape`` and ``filter_shape`` are shape hints (checked against the real
    shapes); ``border_mode`` is 'valid' or 'full'; ``subsample`` the (row, column) stride. ConvOp's
    tuning keyword arguments (unroll_batch, unroll_kern, unroll_patch, openmp, ...) are accepted and
    ignored.

    Raises TypeError for another keyword argument or when an input is not a 4-d float tensor;
    ValueError for another ``border_mode``, a hint or ``subsample`` of the wrong length, or (in
    the compiled function) when the shapes do not match the hints or each other.
    """
    unknown = set(kwargs) - _CONVOP_KWARGS
    if unknown:
        raise TypeError("[conv2d] unexpected keyword arguments %s" % sorted(unknown))
    if border_mode not in ("valid", "full"):
        raise ValueError("[conv2d] border_mode must be 'valid' or 'full', got %r" % (border_mode,))
    return abstract_conv.conv2d(input, filters, input_shape=image_shape, filter_shape=filter_shape,
                                border_mode=border_mode, subsample=tuple(subsample), filter_flip=True)
