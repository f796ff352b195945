"""hypatia.tensor.fft: Theano's theano.tensor.fft (real transforms with (real, imag) pairs).

``rfft(x)`` of a (m, ..., n) float tensor is the numpy.fft.rfftn of each of the m inputs over
its other axes, shaped (m, ..., n//2+1, 2); ``irfft`` inverts it. ``norm`` follows numpy:
None scales only the inverse by 1/N, 'ortho' both by 1/sqrt(N), 'no_norm' neither. The
gradients are the opposite transforms (Theano's RFFTOp.grad / IRFFTOp.grad).
"""
from .. import _core

__all__ = ["rfft", "irfft"]


def rfft(inp, norm=None):
    """Fast Fourier transform of a real (m, ..., n) input: (m, ..., n//2+1, 2) (real, imag).

    ``inp`` is the real tensor (integer and bool inputs are cast to floatX), its first axis the
    batch; ``norm`` is None (no scaling), 'ortho' (scaled by 1/sqrt(N)) or 'no_norm' (no scaling).

    Raises TypeError when ``inp`` is not a dense tensor (or a value that becomes one); ValueError
    for another ``norm``.
    """
    return _core.extra.rfft(inp, norm)


def irfft(inp, norm=None, is_odd=False):
    """Inverse of rfft: (m, ..., n//2+1, 2) -> (m, ..., n) with n = 2(h-1), or 2(h-1)+1 when is_odd.

    ``inp`` holds the (real, imag) pairs of the half spectrum, at least 3-d; ``norm`` is None
    (scaled by 1/N), 'ortho' (by 1/sqrt(N)) or 'no_norm' (not scaled); ``is_odd`` says the
    signal's last length n was odd.

    Raises TypeError when ``inp`` is not a dense tensor or has fewer than 3 dimensions;
    ValueError for another ``norm`` or an ``is_odd`` that is not True or False.
    """
    if is_odd not in (True, False):
        raise ValueError(f"[irfft] is_odd must be True or False, got {is_odd!r}")
    return _core.extra.irfft(inp, norm, bool(is_odd))
