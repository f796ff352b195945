"""hypatia.tensor.nnet.conv3d2d: theano.tensor.nnet.conv3d2d.conv3d, the video convolution with
(batch, time, channels, rows, cols) signals, computed by the AbstractConv3d op."""
from . import abstract_conv

__all__ = ["conv3d"]


def conv3d(signals, filters, signals_shape=None, filters_shape=None, border_mode="valid"):
    """Convolves (Ns, Ts, C, Hs, Ws) signals with (Nf, Tf, C, Hf, Wf) filters, flipping them on
    all three axes: (Ns, Ts', Nf, Hs', Ws'). border_mode: 'valid', 'full' or 'half'.

    ``signals`` and ``filters`` are 5-d tensors; ``signals_shape`` and ``filters_shape`` are
    optional 5-entry shape hints in the same (N, T, C, H, W) order, checked against the real
    shapes.

    Raises ValueError for another ``border_mode``, when ``signals`` or ``filters`` is not 5-d, or
    (in the compiled function) when a hint does not match the real shape; IndexError when a hint
    has fewer than 5 entries; TypeError when ``signals`` or ``filters`` is not a float tensor.
    """
    from ... import tensor as T
    if border_mode not in ("valid", "full", "half"):
        raise ValueError("[conv3d2d.conv3d] border_mode must be 'valid', 'full' or 'half', got %r" % (border_mode,))
    signals, filters = T.as_tensor_variable(signals), T.as_tensor_variable(filters)
    perm = (0, 2, 1, 3, 4)
    imshp = None if signals_shape is None else tuple(tuple(signals_shape)[i] for i in perm)
    kshp = None if filters_shape is None else tuple(tuple(filters_shape)[i] for i in perm)
    out = abstract_conv.conv3d(signals.dimshuffle(*perm), filters.dimshuffle(*perm), input_shape=imshp,
                               filter_shape=kshp, border_mode=border_mode, filter_flip=True)
    return out.dimshuffle(*perm)
