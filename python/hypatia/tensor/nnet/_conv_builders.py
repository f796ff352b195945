"""The graph builders of hypatia.tensor.nnet.abstract_conv: conv2d/conv3d, their gradients,
conv2d_transpose, separable and causal convolutions, and bilinear upsampling."""
import numpy as np

from .abstract_conv import (AbstractConv2d, AbstractConv2d_gradInputs, AbstractConv2d_gradWeights, AbstractConv3d,
                            AbstractConv3d_gradInputs, AbstractConv3d_gradWeights, _T, _const_int)

__all__ = ["conv2d", "conv3d", "conv2d_grad_wrt_inputs", "conv2d_grad_wrt_weights", "conv3d_grad_wrt_inputs",
           "conv3d_grad_wrt_weights", "conv2d_transpose", "separable_conv2d", "separable_conv3d", "causal_conv1d",
           "bilinear_kernel_1D", "bilinear_kernel_2D", "bilinear_upsampling", "frac_bilinear_upsampling"]


def _check_shape_len(shape, n, what, fn):
    if shape is not None and len(tuple(shape)) != n:
        raise ValueError("[%s] %s must have %d entries, got %r" % (fn, what, n, tuple(shape)))


def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode="valid", subsample=(1, 1),
           filter_flip=True, filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The 2-d convolution of a (batch, channels, rows, cols) input with (out channels,
    channels / num_groups, rows, cols) filters: AbstractConv2d(...)(input, filters).

    ``input_shape`` an optional shape hint for the input (checked); ``filter_shape`` an optional
    shape hint for the filters (checked); ``border_mode`` 'valid', 'full', 'half', an int or a
    tuple of pads; ``subsample`` the strides; ``filter_flip`` True for a convolution, False for
    a cross-correlation; ``filter_dilation`` the dilation factors; ``unshared`` must be False
    (locally connected convolutions are not supported). Raises ValueError for a bad border_mode,
    stride, dilation or group count, for unshared=True and for shape hints that disagree (the
    compiled function raises ValueError when the real shapes differ from the hints); TypeError
    when a tensor has the wrong number of dimensions.
    """
    T = _T()
    input, filters = T.as_tensor_variable(input), T.as_tensor_variable(filters)
    op = AbstractConv2d(imshp=input_shape, kshp=filter_shape, border_mode=border_mode, subsample=subsample,
                        filter_flip=filter_flip, filter_dilation=filter_dilation, num_groups=num_groups,
                        unshared=unshared)
    return op(input, filters)


def conv3d(input, filters, input_shape=None, filter_shape=None, border_mode="valid", subsample=(1, 1, 1),
           filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """The 3-d convolution of a (batch, channels, depth, rows, cols) input with (out channels,
    channels / num_groups, depth, rows, cols) filters: AbstractConv3d(...)(input, filters).

    ``input_shape`` an optional shape hint for the input (checked); ``filter_shape`` an optional
    shape hint for the filters (checked); ``border_mode`` 'valid', 'full', 'half', an int or a
    tuple of pads; ``subsample`` the strides; ``filter_flip`` True for a convolution, False for
    a cross-correlation; ``filter_dilation`` the dilation factors. Raises ValueError for a bad
    border_mode, stride, dilation or group count, for unshared=True and for shape hints that
    disagree (the compiled function raises ValueError when the real shapes differ from the
    hints); TypeError when a tensor has the wrong number of dimensions.
    """
    T = _T()
    input, filters = T.as_tensor_variable(input), T.as_tensor_variable(filters)
    op = AbstractConv3d(imshp=input_shape, kshp=filter_shape, border_mode=border_mode, subsample=subsample,
                        filter_flip=filter_flip, filter_dilation=filter_dilation, num_groups=num_groups)
    return op(input, filters)


def _grad_inputs(cls, n, fn, output_grad, filters, input_shape, filter_shape, kw):
    T = _T()
    if input_shape is None:
        raise ValueError("[%s] input_shape is required" % fn)
    _check_shape_len(input_shape, n, "input_shape", fn)
    spatial = tuple(input_shape)[2:]
    if any(s is None for s in spatial):
        raise ValueError("[%s] the spatial entries of input_shape must be given, got %r" % (fn, tuple(input_shape)))
    op = cls(imshp=input_shape, kshp=filter_shape, **kw)
    return op(T.as_tensor_variable(filters), T.as_tensor_variable(output_grad), spatial)


def _grad_weights(cls, n, fn, input, output_grad, filter_shape, input_shape, kw):
    T = _T()
    if filter_shape is None:
        raise ValueError("[%s] filter_shape is required" % fn)
    _check_shape_len(filter_shape, n, "filter_shape", fn)
    spatial = tuple(filter_shape)[2:]
    if any(s is None for s in spatial):
        raise ValueError("[%s] the spatial entries of filter_shape must be given, got %r" % (fn, tuple(filter_shape)))
    op = cls(imshp=input_shape, kshp=filter_shape, **kw)
    return op(T.as_tensor_variable(input), T.as_tensor_variable(output_grad), spatial)


def conv2d_grad_wrt_inputs(output_grad, filters, input_shape, filter_shape=None, border_mode="valid",
                           subsample=(1, 1), filter_flip=True, filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The gradient of a conv2d with respect to its input, given the output's gradient; also the
    transposed convolution of output_grad (upsampled to input_shape, whose last two entries are
    required and may be symbolic).

    ``filters`` the filter tensor (out channels, channels / num_groups, spatial sizes...);
    ``filter_shape`` an optional shape hint for the filters (checked); ``border_mode`` 'valid',
    'full', 'half', an int or a tuple of pads; ``subsample`` the strides; ``filter_flip`` True
    for a convolution, False for a cross-correlation; ``filter_dilation`` the dilation factors;
    ``num_groups`` the number of channel groups; ``unshared`` must be False (locally connected
    convolutions are not supported). Raises ValueError for a bad border_mode, stride, dilation
    or group count, for unshared=True and for shape hints that disagree (the compiled function
    raises ValueError when the real shapes differ from the hints); TypeError when a tensor has
    the wrong number of dimensions.
    """
    kw = dict(border_mode=border_mode, subsample=subsample, filter_flip=filter_flip, filter_dilation=filter_dilation,
              num_groups=num_groups, unshared=unshared)
    return _grad_inputs(AbstractConv2d_gradInputs, 4, "conv2d_grad_wrt_inputs", output_grad, filters, input_shape,
                        filter_shape, kw)


def conv2d_grad_wrt_weights(input, output_grad, filter_shape, input_shape=None, border_mode="valid",
                            subsample=(1, 1), filter_flip=True, filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The gradient of a conv2d with respect to its filters (filter_shape's last two entries
    required).

    ``input`` is the image tensor (batch, channels, spatial sizes...); ``output_grad`` the
    gradient of the convolution's output; ``input_shape`` an optional shape hint for the input
    (checked); ``border_mode`` 'valid', 'full', 'half', an int or a tuple of pads; ``subsample``
    the strides; ``filter_flip`` True for a convolution, False for a cross-correlation;
    ``filter_dilation`` the dilation factors; ``num_groups`` the number of channel groups;
    ``unshared`` must be False (locally connected convolutions are not supported). Raises
    ValueError for a bad border_mode, stride, dilation or group count, for unshared=True and for
    shape hints that disagree (the compiled function raises ValueError when the real shapes
    differ from the hints); TypeError when a tensor has the wrong number of dimensions.
    """
    kw = dict(border_mode=border_mode, subsample=subsample, filter_flip=filter_flip, filter_dilation=filter_dilation,
              num_groups=num_groups, unshared=unshared)
    return _grad_weights(AbstractConv2d_gradWeights, 4, "conv2d_grad_wrt_weights", input, output_grad, filter_shape,
                         input_shape, kw)


def conv3d_grad_wrt_inputs(output_grad, filters, input_shape, filter_shape=None, border_mode="valid",
                           subsample=(1, 1, 1), filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """conv2d_grad_wrt_inputs for conv3d (input_shape of length 5).

    ``output_grad`` the gradient of the convolution's output; ``filters`` the filter tensor (out
    channels, channels / num_groups, spatial sizes...); ``filter_shape`` an optional shape hint
    for the filters (checked); ``border_mode`` 'valid', 'full', 'half', an int or a tuple of
    pads; ``subsample`` the strides; ``filter_flip`` True for a convolution, False for a cross-
    correlation; ``filter_dilation`` the dilation factors; ``num_groups`` the number of channel
    groups. Raises ValueError for a bad border_mode, stride, dilation or group count, for
    unshared=True and for shape hints that disagree (the compiled function raises ValueError
    when the real shapes differ from the hints); TypeError when a tensor has the wrong number of
    dimensions.
    """
    kw = dict(border_mode=border_mode, subsample=subsample, filter_flip=filter_flip, filter_dilation=filter_dilation,
              num_groups=num_groups)
    return _grad_inputs(AbstractConv3d_gradInputs, 5, "conv3d_grad_wrt_inputs", output_grad, filters, input_shape,
                        filter_shape, kw)


def conv3d_grad_wrt_weights(input, output_grad, filter_shape, input_shape=None, border_mode="valid",
                            subsample=(1, 1, 1), filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """conv2d_grad_wrt_weights for conv3d (filter_shape of length 5).

    ``input`` is the image tensor (batch, channels, spatial sizes...); ``output_grad`` the
    gradient of the convolution's output; ``input_shape`` an optional shape hint for the input
    (checked); ``border_mode`` 'valid', 'full', 'half', an int or a tuple of pads; ``subsample``
    the strides; ``filter_flip`` True for a convolution, False for a cross-correlation;
    ``filter_dilation`` the dilation factors; ``num_groups`` the number of channel groups.
    Raises ValueError for a bad border_mode, stride, dilation or group count, for unshared=True
    and for shape hints that disagree (the compiled function raises ValueError when the real
    shapes differ from the hints); TypeError when a tensor has the wrong number of dimensions.
    """
    kw = dict(border_mode=border_mode, subsample=subsample, filter_flip=filter_flip, filter_dilation=filter_dilation,
              num_groups=num_groups)
    return _grad_weights(AbstractConv3d_gradWeights, 5, "conv3d_grad_wrt_weights", input, output_grad, filter_shape,
                         input_shape, kw)


def conv2d_transpose(input, filters, output_shape, filter_shape=None, border_mode="valid", input_dilation=(1, 1),
                     filter_flip=True, filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The transposed convolution ("deconvolution"): filters are (input channels, output
    channels, rows, cols), border_mode crops, input_dilation is the forward conv's subsample.

    ``output_shape`` the spatial sizes of the transposed convolution's output; ``filter_shape``
    an optional shape hint for the filters (checked); ``filter_flip`` True for a convolution,
    False for a cross-correlation; ``filter_dilation`` the dilation factors; ``num_groups`` the
    number of channel groups; ``unshared`` must be False (locally connected convolutions are not
    supported). Raises ValueError for a bad border_mode, stride, dilation or group count, for
    unshared=True and for shape hints that disagree (the compiled function raises ValueError
    when the real shapes differ from the hints); TypeError when a tensor has the wrong number of
    dimensions.
    """
    return conv2d_grad_wrt_inputs(input, filters, output_shape, filter_shape=filter_shape, border_mode=border_mode,
                                  subsample=input_dilation, filter_flip=filter_flip, filter_dilation=filter_dilation,
                                  num_groups=num_groups, unshared=unshared)


def _separable(cls, n, input, depthwise_filters, pointwise_filters, num_channels, input_shape, dshape, pshape,
               border_mode, subsample, filter_flip, filter_dilation):
    T = _T()
    input = T.as_tensor_variable(input)
    dw = cls(imshp=input_shape, kshp=dshape, border_mode=border_mode, subsample=subsample, filter_flip=filter_flip,
             filter_dilation=filter_dilation, num_groups=num_channels)
    mid_shape = None
    if input_shape is not None and dshape is not None:
        mid_shape = dw.infer_shape(None, [input_shape, dshape])
    pw = cls(imshp=mid_shape, kshp=pshape, border_mode="valid", subsample=(1,) * n, filter_flip=filter_flip,
             filter_dilation=(1,) * n, num_groups=1)
    return pw(dw(input, T.as_tensor_variable(depthwise_filters)), T.as_tensor_variable(pointwise_filters))


def separable_conv2d(input, depthwise_filters, pointwise_filters, num_channels, input_shape=None,
                     depthwise_filter_shape=None, pointwise_filter_shape=None, border_mode="valid", subsample=(1, 1),
                     filter_flip=True, filter_dilation=(1, 1)):
    """A depthwise conv2d (num_groups = num_channels; depthwise filters (k * channels, 1, rows,
    cols)) followed by a pointwise 1x1 conv2d that mixes the channels.

    ``input`` is the image tensor (batch, channels, spatial sizes...); ``depthwise_filters`` and
    ``pointwise_filters`` the two stages' filters; ``input_shape`` an optional shape hint for
    the input (checked); ``depthwise_filter_shape`` and ``pointwise_filter_shape`` optional
    shape hints; ``border_mode`` 'valid', 'full', 'half', an int or a tuple of pads;
    ``subsample`` the strides; ``filter_flip`` True for a convolution, False for a cross-
    correlation; ``filter_dilation`` the dilation factors. Raises ValueError for a bad
    border_mode, stride, dilation or group count, for unshared=True and for shape hints that
    disagree (the compiled function raises ValueError when the real shapes differ from the
    hints); TypeError when a tensor has the wrong number of dimensions.
    """
    return _separable(AbstractConv2d, 2, input, depthwise_filters, pointwise_filters, num_channels, input_shape,
                      depthwise_filter_shape, pointwise_filter_shape, border_mode, subsample, filter_flip,
                      filter_dilation)


def separable_conv3d(input, depthwise_filters, pointwise_filters, num_channels, input_shape=None,
                     depthwise_filter_shape=None, pointwise_filter_shape=None, border_mode="valid",
                     subsample=(1, 1, 1), filter_flip=True, filter_dilation=(1, 1, 1)):
    """separable_conv2d for 5-d inputs (depthwise conv3d, then a pointwise 1x1x1 conv3d).

    ``input`` is the image tensor (batch, channels, spatial sizes...); ``depthwise_filters`` and
    ``pointwise_filters`` the two stages' filters; ``num_channels`` the input's channels;
    ``input_shape`` an optional shape hint for the input (checked); ``depthwise_filter_shape``
    and ``pointwise_filter_shape`` optional shape hints; ``border_mode`` 'valid', 'full',
    'half', an int or a tuple of pads; ``subsample`` the strides; ``filter_flip`` True for a
    convolution, False for a cross-correlation; ``filter_dilation`` the dilation factors. Raises
    ValueError for a bad border_mode, stride, dilation or group count, for unshared=True and for
    shape hints that disagree (the compiled function raises ValueError when the real shapes
    differ from the hints); TypeError when a tensor has the wrong number of dimensions.
    """
    return _separable(AbstractConv3d, 3, input, depthwise_filters, pointwise_filters, num_channels, input_shape,
                      depthwise_filter_shape, pointwise_filter_shape, border_mode, subsample, filter_flip,
                      filter_dilation)


def causal_conv1d(input, filters, filter_shape, input_shape=None, subsample=1, filter_flip=True, filter_dilation=1,
                  num_groups=1, unshared=False):
    """The causal (dilated) 1-d convolution of (batch, channels, length) by (out channels, channels,
    length) filters: the output at t reads inputs up to t only (left padding by
    filter_dilation * (filter_shape[2] - 1)); computed with the 2-d ops.

    ``input`` is the image tensor (batch, channels, spatial sizes...); ``input_shape`` an
    optional shape hint for the input (checked); ``subsample`` the strides; ``filter_flip`` True
    for a convolution, False for a cross-correlation; ``num_groups`` the number of channel
    groups; ``unshared`` must be False (locally connected convolutions are not supported).
    Raises ValueError for a bad border_mode, stride, dilation or group count, for unshared=True
    and for shape hints that disagree (the compiled function raises ValueError when the real
    shapes differ from the hints); TypeError when a tensor has the wrong number of dimensions.
    """
    T = _T()
    input, filters = T.as_tensor_variable(input), T.as_tensor_variable(filters)
    if input.ndim != 3 or filters.ndim != 3:
        raise ValueError("[causal_conv1d] input and filters must be 3-d tensors, got %d-d and %d-d"
                         % (input.ndim, filters.ndim))
    klen = _const_int(tuple(filter_shape)[2])
    if klen is None:
        raise ValueError("[causal_conv1d] filter_shape[2] must be a known integer, got %r" % (tuple(filter_shape)[2],))
    left = int(filter_dilation) * (klen - 1)
    op = AbstractConv2d(imshp=None if input_shape is None else tuple(input_shape) + (1,),
                        kshp=tuple(filter_shape) + (1,), border_mode=((left, 0), 0), subsample=(subsample, 1),
                        filter_flip=filter_flip, filter_dilation=(filter_dilation, 1), num_groups=num_groups,
                        unshared=unshared)
    out = op(input.dimshuffle(0, 1, 2, "x"), filters.dimshuffle(0, 1, 2, "x"))
    return out[:, :, :, 0]


# ---------------------------------------------------------------- bilinear upsampling

def bilinear_kernel_1D(ratio, normalize=True):
    """The 1-d bilinear interpolation kernel for upsampling by ``ratio``: [1, 2, ..., ratio, ...,
    2, 1] (divided by ratio when normalize).

    Raises TypeError when ``ratio`` is not a number.
    """
    from ...configparser import config
    T = _T()
    half = T.arange(1, ratio + 1, dtype=config.floatX)
    kern = T.concatenate([half, half[-2::-1]])
    if normalize:
        kern = kern / T.cast(ratio, config.floatX)
    return kern


def bilinear_kernel_2D(ratio, normalize=True):
    """The 2-d bilinear kernel: the outer product of two bilinear_kernel_1D.

    ``ratio`` the integer upsampling factor; ``normalize`` divides the kernel by the ratio.
    Raises TypeError when ``ratio`` is not a number.
    """
    h = bilinear_kernel_1D(ratio, normalize).dimshuffle("x", 0)
    v = bilinear_kernel_1D(ratio, normalize).dimshuffle(0, "x")
    return h * v


def bilinear_upsampling(input, ratio=None, frac_ratio=None, batch_size=None, num_input_channels=None,
                        use_1D_kernel=True):
    """Upsamples (batch, channels, rows, cols) by ``ratio`` (or a fractional ``frac_ratio``) with
    bilinear interpolation (borders repeated), through transposed convolutions with the fixed
    bilinear kernel: (batch, channels, rows * ratio, cols * ratio).

    ``input`` is the image tensor (batch, channels, spatial sizes...); ``batch_size`` and
    ``num_input_channels`` optional hints; ``use_1D_kernel`` upsamples with two 1-d passes.
    Raises ValueError for a bad border_mode, stride, dilation or group count, for unshared=True
    and for shape hints that disagree (the compiled function raises ValueError when the real
    shapes differ from the hints); TypeError when a tensor has the wrong number of dimensions.
    """
    T = _T()
    if ratio and frac_ratio:
        raise ValueError("[bilinear_upsampling] can't use ratio and frac_ratio together")
    if not (ratio or frac_ratio):
        raise ValueError("[bilinear_upsampling] no ratio (or frac_ratio) provided")
    if frac_ratio:
        if use_1D_kernel:
            raise ValueError("[bilinear_upsampling] fractional ratios need use_1D_kernel=False")
        return frac_bilinear_upsampling(input, frac_ratio=frac_ratio)
    input = T.as_tensor_variable(input)
    up_bs = batch_size * num_input_channels if batch_size is not None and num_input_channels is not None else None
    row, col = input.shape[2], input.shape[3]
    up = input.reshape((-1, 1, row, col))
    cm = T.concatenate((up[:, :, :1, :], up, up[:, :, -1:, :]), axis=2)
    cm = T.concatenate((cm[:, :, :, :1], cm, cm[:, :, :, -1:]), axis=3)
    pad = 2 * ratio - (ratio - 1) // 2 - 1
    if use_1D_kernel:
        kern = bilinear_kernel_1D(ratio, True)
        rows = conv2d_grad_wrt_inputs(cm, kern.dimshuffle("x", "x", 0, "x"), (up_bs, 1, row * ratio, col + 2),
                                      filter_shape=(1, 1, None, 1), border_mode=(pad, 0), subsample=(ratio, 1))
        mat = conv2d_grad_wrt_inputs(rows, kern.dimshuffle("x", "x", "x", 0), (up_bs, 1, row * ratio, col * ratio),
                                     filter_shape=(1, 1, 1, None), border_mode=(0, pad), subsample=(1, ratio))
    else:
        kern = bilinear_kernel_2D(ratio, True)
        mat = conv2d_grad_wrt_inputs(cm, kern.dimshuffle("x", "x", 0, 1), (up_bs, 1, row * ratio, col * ratio),
                                     filter_shape=(1, 1, None, None), border_mode=(pad, pad),
                                     subsample=(ratio, ratio))
    return mat.reshape((input.shape[0], input.shape[1], row * ratio, col * ratio))


def frac_bilinear_upsampling(input, frac_ratio):
    """Bilinear upsampling by a fractional ratio: frac_ratio = (num, den) for both axes or
    ((num_r, den_r), (num_c, den_c)); upsamples by num (a dilated convolution with the
    bilinear kernel), then keeps every den-th sample.

    ``input`` is the image tensor (batch, channels, spatial sizes...). Raises ValueError for a
    bad border_mode, stride, dilation or group count, for unshared=True and for shape hints that
    disagree (the compiled function raises ValueError when the real shapes differ from the
    hints); TypeError when a tensor has the wrong number of dimensions.
    """
    from ...configparser import config
    T = _T()
    if not isinstance(frac_ratio, tuple):
        raise ValueError("[frac_bilinear_upsampling] frac_ratio must be a tuple")
    if isinstance(frac_ratio[0], tuple):
        ratio = [int(frac_ratio[0][0]), int(frac_ratio[1][0])]
        sub = [int(frac_ratio[0][1]), int(frac_ratio[1][1])]
    else:
        ratio = [int(frac_ratio[0])] * 2
        sub = [int(frac_ratio[1])] * 2
    input = T.as_tensor_variable(input)
    row, col = input.shape[2], input.shape[3]
    up = input.reshape((-1, 1, row, col))
    cm = T.concatenate((up[:, :, :1, :], up, up[:, :, -1:, :]), axis=2)
    cm = T.concatenate((cm[:, :, :, :1], cm, cm[:, :, :, -1:]), axis=3)
    # The pyramidal kernel, zero-padded so that a 'valid' conv with the dilated image gives rows * ratio.
    dpad = [(2 * n - 1) * r + 1 for n, r in ((row, ratio[0]), (col, ratio[1]))]
    pad = [d // 2 for d in dpad]
    kern = (bilinear_kernel_1D(ratio[0]).dimshuffle(0, "x") * bilinear_kernel_1D(ratio[1]).dimshuffle("x", 0))
    kern = T.cast(kern, config.floatX).dimshuffle("x", "x", 0, 1)
    kr, kc = 2 * ratio[0] - 1, 2 * ratio[1] - 1
    kern = T.concatenate((T.zeros((1, 1, pad[0], kc), dtype=config.floatX), kern,
                          T.zeros((1, 1, dpad[0] - pad[0], kc), dtype=config.floatX)), axis=2)
    nr = kr + dpad[0]
    kern = T.concatenate((T.zeros((1, 1, nr, pad[1]), dtype=config.floatX), kern,
                          T.zeros((1, 1, nr, dpad[1] - pad[1]), dtype=config.floatX)), axis=3)
    out = conv2d(kern, cm, border_mode="valid", filter_dilation=tuple(ratio), subsample=tuple(sub))
    return out.reshape((input.shape[0], input.shape[1], out.shape[2], out.shape[3]))
