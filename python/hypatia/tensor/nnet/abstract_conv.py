"""hypatia.tensor.nnet.abstract_conv: convolutions (theano.tensor.nnet.abstract_conv).

``conv2d(input, filters, input_shape=None, filter_shape=None, border_mode='valid', subsample=(1, 1),
filter_flip=True, filter_dilation=(1, 1), num_groups=1)`` convolves a (batch, channels, rows, cols)
input with (out channels, channels / num_groups, rows, cols) filters; ``conv3d`` is the same with
one more spatial axis. ``border_mode`` is 'valid', 'full', 'half', an int, or per axis an int or an
(left, right) pair. ``filter_flip=False`` computes a cross-correlation. The ops are
``AbstractConv2d``/``AbstractConv3d`` and their gradient ops ``..._gradWeights`` / ``..._gradInputs``
(each differentiable again, so second derivatives work), evaluated by im2col + OpenBLAS gemm.
``input_shape``/``filter_shape`` are hints: checked against the real shapes, never required.
Unshared (locally connected) convolution is not supported (``unshared=True`` raises ValueError).
"""
import numpy as np

from ... import _core
from ..._core.conv import abstract_conv as _conv, abstract_conv_grad_weights as _conv_gw
from ..._core.conv import abstract_conv_grad_inputs as _conv_gi
from ..._op_class import NativeOpClass

__all__ = ["conv2d", "conv3d", "conv2d_grad_wrt_inputs", "conv2d_grad_wrt_weights", "conv3d_grad_wrt_inputs",
           "conv3d_grad_wrt_weights", "conv2d_transpose", "get_conv_output_shape", "get_conv_shape_1axis",
           "get_conv_gradweights_shape", "get_conv_gradweights_shape_1axis", "get_conv_gradinputs_shape",
           "get_conv_gradinputs_shape_1axis", "get_conv_shape_laxis", "get_conv_gradweights_shape_laxis",
           "get_conv_gradinputs_shape_laxis", "check_conv_gradinputs_shape", "assert_conv_shape", "assert_shape",
           "border_mode_to_pad", "bilinear_kernel_1D", "bilinear_kernel_2D", "bilinear_upsampling",
           "frac_bilinear_upsampling", "separable_conv2d", "separable_conv3d", "causal_conv1d",
           "BaseAbstractConv", "AbstractConv", "AbstractConv_gradWeights", "AbstractConv_gradInputs",
           "AbstractConv2d", "AbstractConv2d_gradWeights", "AbstractConv2d_gradInputs", "AbstractConv3d",
           "AbstractConv3d_gradWeights", "AbstractConv3d_gradInputs"]


def _T():
    from ... import tensor
    return tensor


def _const_int(v):
    """v as a Python int when it is a number or a constant variable, else None."""
    if v is None:
        return None
    if isinstance(v, (int, np.integer)):
        return int(v)
    try:
        from ..opt import get_scalar_constant_value
        return int(get_scalar_constant_value(v))
    except Exception:
        return None


def _hint(shape, n, what):
    if shape is None:
        return []
    shape = tuple(shape)
    if len(shape) != n:
        raise ValueError("[AbstractConv%dd] %s must have %d entries, got %r" % (n - 2, what, n, shape))
    return [-1 if _const_int(s) is None else _const_int(s) for s in shape]


def _tuple(v, convdim, what, op):
    if v is None:
        return (1,) * convdim
    if isinstance(v, (int, np.integer)):
        return (int(v),) * convdim
    v = tuple(int(x) for x in v)
    if len(v) != convdim:
        raise ValueError("[%s] %s must have %d entries, got %r" % (op, what, convdim, v))
    return v


def _border(border_mode, convdim, op):
    """('valid'|'full'|'half'|'', pad_lo, pad_hi) from Theano's border_mode forms."""
    if isinstance(border_mode, str):
        if border_mode not in ("valid", "full", "half"):
            raise ValueError("[%s] border_mode must be 'valid', 'full', 'half', an int or a tuple, got %r"
                             % (op, border_mode))
        return border_mode, [], []
    if isinstance(border_mode, (int, np.integer)):
        if border_mode < 0:
            raise ValueError("[%s] border_mode must be >= 0, got %r" % (op, border_mode))
        return "", [int(border_mode)] * convdim, [int(border_mode)] * convdim
    if isinstance(border_mode, (tuple, list)) and len(border_mode) == convdim:
        lo, hi = [], []
        for b in border_mode:
            if isinstance(b, (tuple, list)) and len(b) == 2:
                lo.append(int(b[0]))
                hi.append(int(b[1]))
            elif isinstance(b, (int, np.integer)):
                lo.append(int(b))
                hi.append(int(b))
            else:
                raise ValueError("[%s] invalid border_mode %r" % (op, border_mode))
        if min(lo + hi) < 0:
            raise ValueError("[%s] border_mode must be >= 0, got %r" % (op, border_mode))
        return "", lo, hi
    raise ValueError("[%s] invalid border_mode %r: expected 'valid', 'full', 'half', an int or a tuple of %d ints "
                     "or pairs" % (op, border_mode, convdim))


def _shape_vec(shape, convdim):
    T = _T()
    if isinstance(shape, _core.Variable):  # a symbolic int vector, e.g. x.shape[2:]
        return T.cast(shape[-convdim:], "int64")
    shape = list(shape)[-convdim:]
    if all(_const_int(s) is not None for s in shape):
        return T.as_tensor_variable(np.array([_const_int(s) for s in shape], dtype="int64"))
    return T.stack([T.cast(T.as_tensor_variable(s), "int64") for s in shape])


# The parameters every abstract convolution op takes, described once for their docstrings.
_CONV_PARAMS_DOC = """\
    ``convdim`` the number of spatial axes (2 or 3); ``imshp`` and ``kshp`` optional image and
    filter shape hints (checked against each other when built and the real shapes when run);
    ``border_mode`` 'valid', 'full', 'half', an int or a tuple of pads; ``subsample`` the
    strides; ``filter_flip`` True for a convolution, False for a cross-correlation;
    ``filter_dilation`` the dilation factors; ``num_groups`` the number of channel groups;
    ``unshared`` must be False (locally connected convolutions are not supported). Raises
    ValueError for a bad border_mode, stride, dilation or group count, for unshared=True and for
    shape hints that disagree (the compiled function raises ValueError when the real shapes
    differ from the hints); TypeError when a tensor has the wrong number of dimensions.
"""


class BaseAbstractConv(metaclass=NativeOpClass):
    __doc__ = """Theano's BaseAbstractConv: the parameters shared by a convolution and its gradients.
    ``conv(img, kern, ...)`` is a slow numpy reference (for tests), ``flops(inp, outp)`` the
    multiply-add count times two of a forward convolution of those shapes.

""" + _CONV_PARAMS_DOC

    __props__ = ("convdim", "border_mode", "subsample", "filter_flip", "imshp", "kshp", "filter_dilation",
                 "num_groups", "unshared")

    def __init__(self, convdim, imshp=None, kshp=None, border_mode="valid", subsample=None, filter_flip=True,
                 filter_dilation=None, num_groups=1, unshared=False):
        op = type(self).__name__
        if convdim not in (2, 3):
            raise ValueError("[%s] convdim must be 2 or 3, got %r" % (op, convdim))
        if unshared:
            raise ValueError("[%s] unshared (locally connected) convolution is not supported" % op)
        self.convdim = convdim
        self.imshp = tuple(imshp) if imshp is not None else None
        self.kshp = tuple(kshp) if kshp is not None else None
        self.border_mode = border_mode
        self.subsample = _tuple(subsample, convdim, "subsample", op)
        self.filter_flip = bool(filter_flip)
        self.filter_dilation = _tuple(filter_dilation, convdim, "filter_dilation", op)
        self.num_groups = int(num_groups)
        self.unshared = False
        self._b = _border(border_mode, convdim, op)
        self._hints = (_hint(imshp, convdim + 2, "imshp"), _hint(kshp, convdim + 2, "kshp"))

    def _kwargs(self):
        border, lo, hi = self._b
        return dict(convdim=self.convdim, border=border, pad_lo=lo, pad_hi=hi, subsample=list(self.subsample),
                    filter_dilation=list(self.filter_dilation), filter_flip=self.filter_flip,
                    num_groups=self.num_groups, imshp=self._hints[0], kshp=self._hints[1])

    def __eq__(self, other):
        return type(self) is type(other) and all(getattr(self, p) == getattr(other, p) for p in self.__props__)

    def __hash__(self):
        return hash((type(self).__name__,) + tuple(str(getattr(self, p)) for p in self.__props__))

    def __str__(self):
        return "%s{%s}" % (type(self).__name__, ", ".join("%s=%r" % (p, getattr(self, p)) for p in self.__props__))

    def flops(self, inp, outp):
        """2 * multiply-adds of the forward convolution with input/filter shapes ``inp`` and output shape ``outp``."""
        inputs, filters = inp
        return 2.0 * np.prod(outp, dtype=float) * np.prod(filters[1:], dtype=float)

    def conv(self, img, kern, mode="valid", dilation=1, num_groups=1, unshared=False, direction="forward"):
        """Slow numpy correlation (no flip) of img (B, C, ...) with kern (M, C / groups, ...) in 'valid'
        or 'full' mode, as Theano's reference; direction 'forward' only."""
        if unshared or direction != "forward":
            raise ValueError("[%s.conv] only the forward shared convolution is implemented" % type(self).__name__)
        from scipy import signal
        d = self.convdim
        dil = _tuple(dilation, d, "dilation", "conv")
        if any(x > 1 for x in dil):
            k2 = np.zeros(kern.shape[:2] + tuple((k - 1) * s + 1 for k, s in zip(kern.shape[2:], dil)), kern.dtype)
            k2[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in dil)] = kern
            kern = k2
        cg, mg = img.shape[1] // num_groups, kern.shape[0] // num_groups
        out = None
        for b in range(img.shape[0]):
            for m in range(kern.shape[0]):
                g = m // mg
                acc = sum(signal.correlate(img[b, g * cg + c], kern[m, c], mode) for c in range(cg))
                if out is None:
                    out = np.zeros((img.shape[0], kern.shape[0]) + acc.shape, np.result_type(img, kern))
                out[b, m] = acc
        return out


    def unshared2d(self, inp, kern, out_shape, direction="forward"):
        """Slow numpy unshared (locally connected) 2-d correlation of an already padded input with
        kern (M, out rows, out cols, C, rows, cols): every output position has its own filter.
        Only direction 'forward' (the unshared ops themselves are not supported)."""
        if direction != "forward":
            raise ValueError("[%s.unshared2d] only direction='forward' is implemented" % type(self).__name__)
        out = np.zeros(out_shape, np.result_type(inp, kern))
        kr, kc = kern.shape[-2:]
        for r in range(out_shape[2]):
            for c in range(out_shape[3]):
                out[:, :, r, c] = np.einsum("bcij,mcij->bm", inp[:, :, r:r + kr, c:c + kc], kern[:, r, c])
        return out


class AbstractConv(BaseAbstractConv):
    __doc__ = """The forward convolution; call it on (img, kern).

""" + _CONV_PARAMS_DOC

    def __call__(self, img, kern):
        return _conv(img, kern, **self._kwargs())

    def infer_shape(self, node, input_shapes):
        """The output shape from (image shape, filter shape), with None for what is not known."""
        imshp, kshp = [tuple(s) if s is not None else (None,) * (self.convdim + 2) for s in input_shapes]
        return get_conv_output_shape(imshp, kshp, self.border_mode, self.subsample, self.filter_dilation)


class AbstractConv_gradWeights(BaseAbstractConv):
    __doc__ = """The filters' gradient; call it on (img, topgrad, shape) with shape the filters' spatial sizes.

""" + _CONV_PARAMS_DOC

    def __call__(self, img, topgrad, shape):
        return _conv_gw(img, topgrad, _shape_vec(shape, self.convdim), **self._kwargs())


class AbstractConv_gradInputs(BaseAbstractConv):
    __doc__ = """The input's gradient; call it on (kern, topgrad, shape) with shape the image's spatial sizes.

""" + _CONV_PARAMS_DOC

    def __call__(self, kern, topgrad, shape):
        return _conv_gi(kern, topgrad, _shape_vec(shape, self.convdim), **self._kwargs())


def _fixed(base, convdim, name):
    def __init__(self, imshp=None, kshp=None, border_mode="valid", subsample=(1,) * convdim, filter_flip=True,
                 filter_dilation=(1,) * convdim, num_groups=1, unshared=False):
        base.__init__(self, convdim, imshp, kshp, border_mode, subsample, filter_flip, filter_dilation,
                      num_groups, unshared)
    doc = "Theano's %s: %s" % (name, base.__doc__)
    return NativeOpClass(name, (base,), {"__init__": __init__, "__doc__": doc, "__module__": __name__,
                                          "_native": ["hypatia::" + name]})


AbstractConv2d = _fixed(AbstractConv, 2, "AbstractConv2d")
AbstractConv2d_gradWeights = _fixed(AbstractConv_gradWeights, 2, "AbstractConv2d_gradWeights")
AbstractConv2d_gradInputs = _fixed(AbstractConv_gradInputs, 2, "AbstractConv2d_gradInputs")
AbstractConv3d = _fixed(AbstractConv, 3, "AbstractConv3d")
AbstractConv3d_gradWeights = _fixed(AbstractConv_gradWeights, 3, "AbstractConv3d_gradWeights")
AbstractConv3d_gradInputs = _fixed(AbstractConv_gradInputs, 3, "AbstractConv3d_gradInputs")


# ---------------------------------------------------------------- shapes

def _pads_1axis(border_mode, dil_k):
    if border_mode == "half":
        return dil_k // 2, dil_k // 2
    if border_mode == "full":
        return dil_k - 1, dil_k - 1
    if border_mode == "valid":
        return 0, 0
    pad_l, pad_r = border_mode if isinstance(border_mode, tuple) else (border_mode, border_mode)
    if (isinstance(pad_l, (int, np.integer)) and pad_l < 0) or (isinstance(pad_r, (int, np.integer)) and pad_r < 0):
        raise ValueError("[get_conv_shape_1axis] border_mode must be >= 0")
    return pad_l, pad_r


def get_conv_shape_1axis(image_shape, kernel_shape, border_mode, subsample, dilation=1):
    """The output size along one axis (None if any argument is None); works on symbolic sizes too.

    ``image_shape``, ``kernel_shape`` and ``top_shape`` are sizes along the axis (ints, None or
    symbolic); ``border_mode`` 'valid', 'full', 'half' or an int pad; ``subsample`` the stride;
    ``dilation`` the dilation factor. Raises TypeError or ValueError for a border_mode that is
    none of the accepted forms.
    """
    if any(v is None for v in (image_shape, kernel_shape, border_mode, subsample, dilation)):
        return None
    dil_k = (kernel_shape - 1) * dilation + 1
    pad_l, pad_r = _pads_1axis(border_mode, dil_k)
    if subsample != 1:
        return (image_shape + pad_l + pad_r - dil_k) // subsample + 1
    return image_shape + pad_l + pad_r - dil_k + 1


def _per_axis(border_mode, n):
    if isinstance(border_mode, tuple):
        if len(border_mode) != n:
            raise ValueError("border_mode %r must have %d entries" % (border_mode, n))
        return [tuple(b) if isinstance(b, (tuple, list)) else b for b in border_mode]
    return [border_mode] * n


def get_conv_output_shape(image_shape, kernel_shape, border_mode, subsample, filter_dilation=None):
    """(batch, filters, out sizes...) of a convolution; None where unknown.

    ``image_shape``, ``kernel_shape`` and ``top_shape`` the image, filter and output shapes or
    sizes (ints, None or symbolic); ``border_mode`` 'valid', 'full', 'half', an int or a tuple
    of pads; ``subsample`` the strides; ``filter_dilation`` the dilation factors. Raises
    TypeError or ValueError for a border_mode that is none of the accepted forms.
    """
    convdim = len(image_shape) - 2
    bsize, imshp = image_shape[0], image_shape[2:]
    nkern, kshp = kernel_shape[0], kernel_shape[-convdim:]
    dil = filter_dilation if filter_dilation is not None else (1,) * convdim
    modes = _per_axis(border_mode, convdim)
    return (bsize, nkern) + tuple(get_conv_shape_1axis(imshp[i], kshp[i], modes[i], subsample[i], dil[i])
                                  for i in range(convdim))


def get_conv_gradweights_shape_1axis(image_shape, top_shape, border_mode, subsample, dilation):
    """The filter size along one axis given image and output sizes; None when it is not
    determined (a stride other than 1, 'half', or an unknown argument).

    ``image_shape``, ``kernel_shape`` and ``top_shape`` are sizes along the axis (ints, None or
    symbolic); ``border_mode`` 'valid', 'full', 'half' or an int pad; ``subsample`` the stride;
    ``dilation`` the dilation factor. Raises TypeError or ValueError for a border_mode that is
    none of the accepted forms.
    """
    if any(v is None for v in (image_shape, top_shape, border_mode, subsample, dilation)):
        return None
    if subsample != 1 or border_mode == "half":
        return None
    if border_mode == "full":
        k = top_shape - image_shape
    elif border_mode == "valid":
        k = image_shape - top_shape
    else:
        pad_l, pad_r = _pads_1axis(border_mode, 1)
        k = image_shape + pad_l + pad_r - top_shape
    if dilation > 1:
        k = k // dilation
    return k + 1


def get_conv_gradweights_shape(image_shape, top_shape, border_mode, subsample, filter_dilation=None, num_groups=1,
                               unshared=False):
    """(filters, channels / num_groups, sizes...) of the filters that map image_shape to top_shape.

    ``border_mode`` 'valid', 'full', 'half', an int or a tuple of pads; ``subsample`` the
    strides; ``filter_dilation`` the dilation factors; ``unshared`` must be False (locally
    connected convolutions are not supported). Raises TypeError or ValueError for a border_mode
    that is none of the accepted forms.
    """
    if unshared:
        raise ValueError("[get_conv_gradweights_shape] unshared convolution is not supported")
    convdim = len(image_shape) - 2
    nchan, imshp = image_shape[1], image_shape[2:]
    nkern, topshp = top_shape[1], top_shape[2:]
    if num_groups > 1 and nchan is not None:
        nchan = nchan // num_groups
    dil = filter_dilation if filter_dilation is not None else (1,) * convdim
    modes = _per_axis(border_mode, convdim)
    return (nkern, nchan) + tuple(get_conv_gradweights_shape_1axis(imshp[i], topshp[i], modes[i], subsample[i], dil[i])
                                  for i in range(convdim))


def get_conv_gradinputs_shape_1axis(kernel_shape, top_shape, border_mode, subsample, dilation):
    """The image size along one axis given filter and output sizes; None for a stride other than 1.

    ``image_shape``, ``kernel_shape`` and ``top_shape`` are sizes along the axis (ints, None or
    symbolic); ``border_mode`` 'valid', 'full', 'half' or an int pad; ``subsample`` the stride;
    ``dilation`` the dilation factor. Raises TypeError or ValueError for a border_mode that is
    none of the accepted forms.
    """
    if any(v is None for v in (kernel_shape, top_shape, border_mode, subsample, dilation)):
        return None
    if subsample != 1:
        return None
    dil_k = (kernel_shape - 1) * dilation + 1
    pad_l, pad_r = _pads_1axis(border_mode, dil_k)
    return top_shape + dil_k - pad_l - pad_r - 1


def get_conv_gradinputs_shape(kernel_shape, top_shape, border_mode, subsample, filter_dilation=None, num_groups=1):
    """(batch, channels, sizes...) of the image a convolution mapped to top_shape.

    ``border_mode`` 'valid', 'full', 'half', an int or a tuple of pads; ``subsample`` the
    strides; ``filter_dilation`` the dilation factors; ``num_groups`` the number of channel
    groups. Raises TypeError or ValueError for a border_mode that is none of the accepted forms.

    ``kernel_shape`` is the filter shape.
    """
    convdim = len(top_shape) - 2
    bsize, topshp = top_shape[0], top_shape[2:]
    nchan, kshp = kernel_shape[1], kernel_shape[-convdim:]
    if num_groups > 1 and nchan is not None:
        nchan = nchan * num_groups
    dil = filter_dilation if filter_dilation is not None else (1,) * convdim
    modes = _per_axis(border_mode, convdim)
    return (bsize, nchan) + tuple(get_conv_gradinputs_shape_1axis(kshp[i], topshp[i], modes[i], subsample[i], dil[i])
                                  for i in range(convdim))


def check_conv_gradinputs_shape(image_shape, kernel_shape, output_shape, border_mode, subsample,
                                filter_dilation=None):
    """False when a convolution of image_shape by kernel_shape cannot give output_shape; True
    otherwise (including when a size is symbolic or None).

    ``border_mode`` 'valid', 'full', 'half', an int or a tuple of pads; ``subsample`` the
    strides; ``filter_dilation`` the dilation factors. Raises TypeError or ValueError for a
    border_mode that is none of the accepted forms.
    """
    image_shape, kernel_shape, output_shape = tuple(image_shape), tuple(kernel_shape), tuple(output_shape)
    if len(kernel_shape) != len(image_shape) or len(output_shape) != len(image_shape):
        raise ValueError("[check_conv_gradinputs_shape] shapes must have the same length")
    computed = get_conv_output_shape(image_shape, kernel_shape, border_mode, subsample, filter_dilation)

    def same(given, comp):
        g, c = _const_int(given), _const_int(comp)
        return g is None or c is None or g == c

    return all(same(g, c) for g, c in zip(output_shape, computed))


def assert_conv_shape(shape):
    """shape, checked: batch/channel entries >= 0 and spatial ones > 0 (ValueError for a constant
    that is not); symbolic entries are returned unchanged.

    Raises ValueError for a constant entry out of range; the compiled function raises ValueError
    for a symbolic one.
    """
    out = []
    for i, s in enumerate(shape):
        v = _const_int(s)
        if v is not None:
            if i < 2 and v < 0:
                raise ValueError("[assert_conv_shape] the number of images and channels must be >= 0, got %d" % v)
            if i >= 2 and v <= 0:
                raise ValueError("[assert_conv_shape] convolution sizes must be > 0, got %d" % v)
        out.append(s)
    return tuple(out)


def assert_shape(x, expected_shape, msg="Unexpected shape."):
    """x, checked at run time to have expected_shape (None entries unchecked) through specify_shape.

    ``msg`` the error message. The compiled function raises ValueError (with ``msg``) when the
    shape differs.
    """
    if expected_shape is None or all(s is None for s in expected_shape):
        return x
    T = _T()
    return T.specify_shape(x, [x.shape[i] if s is None else s for i, s in enumerate(expected_shape)])


def border_mode_to_pad(mode, convdim, kshp):
    """((left, right), ...) pads per convolution axis for a border_mode and filter sizes.

    ``mode`` the border mode; ``convdim`` the number of spatial axes (2 or 3). Raises TypeError
    or ValueError for a border_mode that is none of the accepted forms.

    ``kshp`` holds the filter sizes.
    """
    if isinstance(mode, tuple):
        if len(mode) != convdim:
            raise ValueError("[border_mode_to_pad] invalid border_mode %r for %d dimensions" % (mode, convdim))
        return tuple(tuple(m) if isinstance(m, (tuple, list)) else (m, m) for m in mode)
    if mode == "full":
        return tuple((k - 1, k - 1) for k in kshp)
    if mode == "half":
        return tuple((k // 2, k // 2) for k in kshp)
    if mode == "valid":
        return ((0, 0),) * convdim
    if isinstance(mode, (int, np.integer)):
        return ((mode, mode),) * convdim
    raise ValueError("[border_mode_to_pad] invalid border_mode %r" % (mode,))


from ._conv_builders import *  # noqa: E402,F401,F403 - conv2d, conv3d, the gradients, separable, bilinear

# The manual's spellings of the per-axis helpers.
get_conv_shape_laxis = get_conv_shape_1axis
get_conv_gradweights_shape_laxis = get_conv_gradweights_shape_1axis
get_conv_gradinputs_shape_laxis = get_conv_gradinputs_shape_1axis
