"""hypatia.tensor.signal.conv: theano.tensor.signal.conv.conv2d, the plain 2-D convolution of
single-channel images (not the CNN layer, which is hypatia.tensor.nnet.conv2d).

It is built from images2neibs (each output pixel's patch as a row) and one dot with the flipped
filters, so its gradients are those of images2neibs and dot. The filters' height and width are
parameters of that op: they come from ``filter_shape`` or from constant filters, and a symbolic
filter of unknown size raises TypeError.
"""
import numpy as np

from ..nnet.neighbours import images2neibs

__all__ = ["conv2d"]


def _as_var(v):
    from ... import tensor as T
    return T.as_tensor_variable(v)


def conv2d(input, filters, image_shape=None, filter_shape=None, border_mode='valid', subsample=(1, 1), **kargs):
    """theano.tensor.signal.conv.conv2d: input (H, W) or (N, H, W) convolved (true convolution:
    the filter flipped, as scipy.signal.convolve2d) with filters (h, w) or (K, h, w);
    border_mode 'valid' or 'full'; subsample keeps every subsample-th output row/column. The
    result is (N, K, H', W'), with the N and K axes dropped where input/filters had none.

    ``input`` is the image(s) and ``filters`` the filter(s); ``image_shape`` is accepted as a hint
    and not used; ``filter_shape`` gives the filters' shape (its last two entries, the height and
    width, are needed when the filters are not constant); ``border_mode`` is 'valid' or 'full';
    ``subsample`` is the (row, column) step; further keyword arguments (Theano's ConvOp tuning
    options) are accepted and ignored.

    Raises TypeError when ``input`` or ``filters`` is not a 2-d or 3-d tensor, or the filters'
    height and width are unknown (symbolic filters without ``filter_shape``); ValueError for
    another ``border_mode`` or a ``subsample`` that is not two positive ints.
    """
    from ... import tensor as T
    x = _as_var(input)
    f = _as_var(filters)
    if x.ndim not in (2, 3):
        raise TypeError("[signal.conv2d] input must be a 2-d or 3-d tensor, got %d dimensions" % x.ndim)
    if f.ndim not in (2, 3):
        raise TypeError("[signal.conv2d] filters must be a 2-d or 3-d tensor, got %d dimensions" % f.ndim)
    if border_mode not in ('valid', 'full'):
        raise ValueError("[signal.conv2d] border_mode must be 'valid' or 'full', got %r" % (border_mode,))
    sub = tuple(int(s) for s in subsample)
    if len(sub) != 2 or min(sub) < 1:
        raise ValueError("[signal.conv2d] subsample must be two positive ints, got %r" % (subsample,))
    if filter_shape is not None:
        kh, kw = (int(s) for s in tuple(filter_shape)[-2:])
    elif getattr(f, "data", None) is not None:
        kh, kw = np.shape(f.data)[-2:]
    else:
        raise TypeError("[signal.conv2d] the filters' height and width must be known: pass filter_shape or "
                        "constant filters")
    x3 = x if x.ndim == 3 else x.dimshuffle('x', 0, 1)
    f3 = f if f.ndim == 3 else f.dimshuffle('x', 0, 1)
    x4 = x3.dimshuffle(0, 'x', 1, 2)
    # (N * H' * W', kh * kw) patches times (kh * kw, K) flipped filters.
    patches = images2neibs(x4, (kh, kw), (1, 1), mode=border_mode)
    fmat = T.flatten(f3[:, ::-1, ::-1], 2)
    prod = T.dot(patches, fmat.T)
    if border_mode == 'valid':
        oh, ow = x3.shape[1] - kh + 1, x3.shape[2] - kw + 1
    else:
        oh, ow = x3.shape[1] + kh - 1, x3.shape[2] + kw - 1
    out = prod.reshape((x3.shape[0], oh, ow, f3.shape[0]), ndim=4).dimshuffle(0, 3, 1, 2)
    if sub != (1, 1):
        out = out[:, :, ::sub[0], ::sub[1]]
    if f.ndim == 2:
        out = out[:, 0]
    if x.ndim == 2:
        out = out[0]
    return out
