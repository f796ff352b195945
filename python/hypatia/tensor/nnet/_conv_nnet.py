"""The convolution names of hypatia.tensor.nnet (theano.tensor.nnet.conv2d, conv3d, conv2d_transpose,
separable_conv2d/3d) and its convolution submodules abstract_conv, conv and conv3d2d."""
import warnings

from . import abstract_conv, conv, conv3d2d  # noqa: F401 - T.nnet.abstract_conv, T.nnet.conv, T.nnet.conv3d2d
from .abstract_conv import conv3d, conv2d_transpose, separable_conv2d, separable_conv3d  # noqa: F401

__all__ = ["conv2d", "conv3d", "conv2d_transpose", "separable_conv2d", "separable_conv3d", "abstract_conv", "conv",
           "conv3d2d"]


def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode="valid", subsample=(1, 1),
           filter_flip=True, image_shape=None, filter_dilation=(1, 1), num_groups=1, unshared=False, **kwargs):
    """theano.tensor.nnet.conv2d: abstract_conv.conv2d, with image_shape as a deprecated alias of
    input_shape; other keyword arguments are accepted with a warning and ignored."""
    if "imshp_logical" in kwargs or "kshp_logical" in kwargs:
        raise ValueError("[conv2d] imshp_logical and kshp_logical are not supported")
    if kwargs:
        warnings.warn("[conv2d] %s are deprecated and ignored" % sorted(kwargs), stacklevel=2)
    if image_shape is not None:
        if input_shape is not None:
            raise ValueError("[conv2d] input_shape and image_shape should not be provided at the same time")
        input_shape = image_shape
    return abstract_conv.conv2d(input, filters, input_shape=input_shape, filter_shape=filter_shape,
                                border_mode=border_mode, subsample=subsample, filter_flip=filter_flip,
                                filter_dilation=filter_dilation, num_groups=num_groups, unshared=unshared)
