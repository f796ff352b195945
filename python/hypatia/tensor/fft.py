"""hypatia.tensor.fft: Theano's theano.tensor.fft (real transforms with (real, imag) pairs).

``rfft(x)`` of a (m, ..., n) float tensor is the numpy.fft.rfftn of each of the m inputs over
its other axes, shaped (m, ..., n//2+1, 2); ``irfft`` inverts it. ``norm`` follows numpy:
None scales only the inverse by 1/N, 'ortho' both by 1/sqrt(N), 'no_norm' neither. The
gradients are the opposite transforms (Theano's RFFTOp.grad / IRFFTOp.grad).
"""
from .. import _core

__all__ = ["rfft", "irfft"]


def rfft(inp, norm=None):
    """Fast Fourier transform of a real (m, ..., n) input: (m, ..., n//2+1, 2) (real, imag)."""
    return _core.extra.rfft(inp, norm)


def irfft(inp, norm=None, is_odd=False):
    """Inverse of rfft: (m, ..., n//2+1, 2) -> (m, ..., n) with n = 2(h-1), or 2(h-1)+1 when is_odd."""
    if is_odd not in (True, False):
        raise ValueError(f"[irfft] is_odd must be True or False, got {is_odd!r}")
    return _core.extra.irfft(inp, norm, bool(is_odd))
