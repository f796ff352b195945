"""hypatia.tensor.nnet.neighbours: sliding windows over images (theano.tensor.nnet.neighbours).

``images2neibs(ten4, neib_shape, neib_step=None, mode='valid')`` turns (N, C, H, W) images into a
matrix with one row per patch (order: image, channel, patch row, patch column; each patch
flattened row by row). ``neib_step`` defaults to ``neib_shape`` (disjoint patches). Modes:
``'valid'`` (needs (H - r) % step == 0), ``'ignore_borders'`` (drops what does not fit),
``'half'`` / ``'full'`` ('valid' on the image zero-padded by r // 2 / r - 1 on each side, with the
same divisibility rule), ``'wrap_centered'`` (odd patches centred on every step-th pixel, wrapping
around the borders).

``neibs2images(neibs, neib_shape, original_shape, mode='valid')`` is the inverse for disjoint
patches: 'valid', 'ignore_borders' (uncovered pixels are 0), and also 'half' and 'full'. The
gradient of images2neibs is its adjoint (patch entries added back into the image), for every mode
and step; neibs2images' gradient is images2neibs.
"""
import numpy as np

from ..._core import pool as _pool
from ..._op_class import NativeOpClass

__all__ = ["images2neibs", "neibs2images", "Images2Neibs"]


def _pair(v, what):
    if hasattr(v, "type") and hasattr(v, "owner"):
        data = getattr(v, "data", None)
        if data is None:
            raise TypeError("[Images2Neibs] %s must be a constant (two ints), got the variable %s" % (what, v))
        v = data
    arr = np.asarray(v)
    if arr.ndim != 1 or arr.size != 2 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError("[Images2Neibs] %s must be two ints, got %r" % (what, v))
    return tuple(int(i) for i in arr)


def images2neibs(ten4, neib_shape, neib_step=None, mode='valid'):
    """theano.tensor.nnet.neighbours.images2neibs: the (N*C*patches, r*c) matrix of patches of the
    4-d ``ten4`` (see the module docstring for the modes).

    ``neib_shape`` is the patch's (rows, columns); ``neib_step`` the step between patches (None:
    ``neib_shape``, disjoint patches); ``mode`` 'valid', 'ignore_borders', 'half', 'full' or
    'wrap_centered'. Both shapes are constants: two ints, or a constant variable holding them.

    Raises TypeError when ``ten4`` is not a 4-d float32/float64 tensor or a shape is a
    non-constant variable; ValueError when a shape is not two positive ints, ``mode`` is unknown,
    'wrap_centered' gets an even patch, or (in the compiled function) the patches do not tile the
    image as ``mode`` requires.
    """
    step = _pair(neib_step, "neib_step") if neib_step is not None else ()
    return _pool.images2neibs(ten4, _pair(neib_shape, "neib_shape"), step, mode)


def neibs2images(neibs, neib_shape, original_shape, mode='valid'):
    """theano.tensor.nnet.neighbours.neibs2images: the 4-d images of shape ``original_shape``
    whose disjoint ``neib_shape`` patches are the rows of ``neibs``.

    ``neibs`` is the patch matrix images2neibs made; ``neib_shape`` the patch's (rows, columns)
    (two ints or a constant variable); ``original_shape`` the 4 ints (or integer vector) of the
    images' shape; ``mode`` 'valid', 'ignore_borders', 'half' or 'full' ('wrap_centered' has no
    inverse).

    Raises TypeError when ``neibs`` is not a float32/float64 matrix, ``neib_shape`` is a
    non-constant variable or ``original_shape`` is not integers; ValueError when ``neib_shape`` is
    not two positive ints or ``mode`` is unknown or 'wrap_centered'; the compiled function raises
    ValueError when ``original_shape`` does not have 4 values, is negative or does not match the
    shape of ``neibs``.
    """
    return _pool.neibs2images(neibs, _pair(neib_shape, "neib_shape"), original_shape, mode)


class Images2Neibs(metaclass=NativeOpClass):
    """Theano's Images2Neibs(mode='valid'), called on (ten4, neib_shape, neib_step=None).

    ``mode`` is one of images2neibs' modes; calling the op is images2neibs(ten4, neib_shape,
    neib_step, mode). The constructor raises nothing; calling it raises what images2neibs
    raises (TypeError for a bad ``ten4`` or a non-constant shape, ValueError for a bad shape or
    an unknown ``mode``).
    """
    _native = ["hypatia::Images2Neibs"]

    __props__ = ("mode",)

    def __init__(self, mode='valid'):
        self.mode = mode

    def __call__(self, ten4, neib_shape, neib_step=None):
        return images2neibs(ten4, neib_shape, neib_step, self.mode)
