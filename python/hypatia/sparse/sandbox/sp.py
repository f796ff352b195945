"""Convolution-like operations with sparse matrix multiplication (theano.sparse.sandbox.sp).

``ConvolutionIndices.evaluate`` builds the structure of a sparse CSC matrix M that turns a
stack of flattened images into a stack of flattened image patches (one row of M per patch tap,
one column per input pixel); ``convolve`` is then ``structured_dot(M, images.T).T`` followed by
a dense product with the kernels, and ``max_pool`` a max over non-overlapping windows.

Conventions (docs/semantics.md, "Sandbox and block-sparse", 14):

- ``convolve`` computes a *cross-correlation*: kernel tap ``(i, j)`` (raster order in a row of
  ``kerns``) multiplies image pixel ``(y*dy + i, x*dx + j)`` in 'valid' mode (the image is
  zero-padded by ``kshp - 1`` on every side in 'full' mode). It matches
  ``scipy.signal.correlate2d(img, k, mode)[::dy, ::dx]``.
- ``step`` / ``strides`` is ``(dx, dy)`` as documented: ``dx`` is the step between columns,
  ``dy`` the step between rows (Theano's own code reads it that way).
- ``max_pool(images, imgshp, (rows, cols))`` takes non-overlapping ``rows x cols`` windows
  with stride equal to the window and returns ``(h // rows) x (w // cols)`` maps.
"""
import numpy as np
import scipy.sparse as _sps

from ... import tensor as _T
from .. import constant as _sparse_constant
from ..products import structured_dot


def _as_inshp(inshp):
    inshp = tuple(int(s) for s in np.asarray(inshp).ravel())
    if len(inshp) == 2:
        inshp = (1,) + inshp
    if len(inshp) != 3:
        raise ValueError("image shape must be (height, width) or (nfeatures, height, width), got %r" % (inshp,))
    return inshp


class ConvolutionIndices:
    """Build indices for a sparse CSC matrix that could implement A (convolve) B.

    ``evaluate`` returns ``(indices, indptr, logical_shape, sp_type, out_img_shp)`` (plus
    ``kmap`` when ``ws`` is False). Takes no constructor arguments
    (``convolution_indices`` is the instance Theano exports); calling it is ``evaluate``.

    ``evaluate`` (and ``sparse_eval``, ``conv_eval``, calling an instance) raises ValueError
    for a mode other than 'valid' or 'full', a non-positive stride, an image shape that is
    neither (h, w) nor (nfeatures, h, w), or shapes that give an empty output.
    """

    __props__ = ()

    @staticmethod
    def sparse_eval(inshp, kshp, nkern, strides=(1, 1), mode="valid"):
        return ConvolutionIndices.evaluate(inshp, kshp, strides, nkern, mode=mode, ws=False)

    @staticmethod
    def conv_eval(inshp, kshp, strides=(1, 1), mode="valid"):
        return ConvolutionIndices.evaluate(inshp, kshp, strides, mode=mode, ws=True)

    @staticmethod
    def evaluate(inshp, kshp, strides=(1, 1), nkern=1, mode="valid", ws=True):
        """Structure of the patch-extraction matrix.

        inshp: (h, w) or (nfeatures, h, w); kshp: (kh, kw); strides: (dx, dy) (dx between
        columns, dy between rows); mode: 'valid' (kernel fully inside the image) or 'full'
        (image zero-padded by kshp - 1).

        With weight sharing (ws=True) the matrix is
        ``(outsize * nfeatures * ksize) x (nfeatures * h * w)``: row
        ``(y * ow + x) * nfeatures * ksize + f * ksize + l`` selects the image pixel under tap
        ``l`` (raster order in the kernel) of feature ``f`` for output pixel ``(y, x)``; rows of
        taps that fall in the zero padding are empty. Without weight sharing (sparse local
        connections, the legacy Theano layout) it is ``(nkern * outsize) x (nfeatures * h * w)``
        and a sixth element ``kmap`` gives, for each stored entry in CSC order, the
        absolute tap index it came from.

        Returns (indices, indptr, logical_shape, sp_type, out_img_shp): the int32 CSC row
        indices and column pointers, the matrix shape, 'csc', and the output map shape
        (oh, ow) as an int64 array.
        """
        if mode not in ("valid", "full"):
            raise ValueError("mode must be 'valid' or 'full', got %r" % (mode,))
        dx, dy = (int(s) for s in strides)
        if dx <= 0 or dy <= 0:
            raise ValueError("strides must be positive, got %r" % (strides,))
        nf, h, w = _as_inshp(inshp)
        kh, kw = (int(s) for s in kshp)
        ksize = kh * kw
        s = -1 if mode == "valid" else 1
        outshp = np.array([-(-(h + s * kh - s) // dy), -(-(w + s * kw - s) // dx)], dtype=np.int64)
        if np.any(outshp <= 0):
            raise ValueError("invalid shapes: image %r, kernel %r, mode %r give an empty output %r"
                             % ((h, w), (kh, kw), mode, tuple(outshp)))
        oh, ow = int(outshp[0]), int(outshp[1])
        outsize = oh * ow
        insize = nf * h * w
        nk = 1 if ws else int(nkern)
        # enumerate (f, n, y, x, ky, kx) in Theano's loop order; tapi is the flat position
        f, n, y, x, ky, kx = np.meshgrid(np.arange(nf), np.arange(nk), np.arange(oh), np.arange(ow),
                                         np.arange(kh), np.arange(kw), indexing="ij")
        f, n, y, x, ky, kx = (a.ravel() for a in (f, n, y, x, ky, kx))
        tapi = np.arange(f.size, dtype=np.int64)
        l = ky * kw + kx
        if mode == "valid":
            iy, ix = y * dy + ky, x * dx + kx
        else:
            iy, ix = y * dy + ky - (kh - 1), x * dx + kx - (kw - 1)
        inside = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)
        f, n, y, x, l, iy, ix, tapi = (a[inside] for a in (f, n, y, x, l, iy, ix, tapi))
        col = f * h * w + iy * w + ix
        if ws:
            shape = (outsize * ksize * nf, insize)
            row = (y * ow + x) * nf * ksize + f * ksize + l
        else:
            shape = (nk * outsize, insize)
            row = y * ow + x + n * outsize
        m = _sps.csc_matrix((tapi + 1, (row, col)), shape=shape)
        m.sort_indices()
        indices = m.indices.astype(np.int32)
        indptr = m.indptr.astype(np.int32)
        rval = (indices, indptr, shape, "csc", outshp)
        if not ws:
            rval += ((m.data - 1).astype(np.int64),)
        return rval

    def __call__(self, inshp, kshp, strides=(1, 1), nkern=1, mode="valid", ws=True):
        return self.evaluate(inshp, kshp, strides, nkern, mode, ws)


convolution_indices = ConvolutionIndices()


def _patch_matrix(imgshp, kshp, step, mode):
    indices, indptr, shape, sptype, outshp = ConvolutionIndices.conv_eval(imgshp, kshp, step, mode)
    m = _sps.csc_matrix((np.ones(indices.size), indices, indptr), shape=shape)
    return m, outshp


def convolve(kerns, kshp, nkern, images, imgshp, step=(1, 1), bias=None, mode="valid", flatten=True):
    """Convolution (cross-correlation, see the module docstring) by sparse matrix products.

    kerns: nkern x (nfeatures * kh * kw) (each row: the kernel for feature 0 in raster order,
    then feature 1, ...); images: batch x (nfeatures * h * w), each feature map contiguous in
    raster order; imgshp: (h, w) or (nfeatures, h, w); step: (dx, dy).

    Returns (output, outshp) with outshp = (nkern, oh, ow) and output of shape
    batch x (nkern * oh * ow) (flatten=True; feature maps contiguous, raster order) or
    batch x nkern x (oh * ow) (flatten=False). bias (length nkern) is added to each map.
    Differentiable w.r.t. kerns, images and bias.

    kshp: the kernel shape (kh, kw); nkern: the number of kernels; mode: 'valid' (the kernel
    fully inside the image) or 'full' (the image zero-padded by kshp - 1).

    Raises ValueError for a mode other than 'valid' or 'full', a non-positive step, an imgshp
    that is neither (h, w) nor (nfeatures, h, w), or shapes that give an empty output;
    TypeError when kerns, images or bias do not convert to tensors; the compiled function raises ValueError when images or kerns do not
    have the sizes imgshp, kshp and nkern imply.
    """
    imgshp = _as_inshp(imgshp)
    kern_size = int(np.prod(kshp))
    m, outshp = _patch_matrix(imgshp, kshp, step, mode)
    csc = _sparse_constant(m.astype(images.dtype if hasattr(images, "dtype") else "float64"))
    images = _T.as_tensor_variable(images)
    kerns = _T.as_tensor_variable(kerns)
    outsize = int(np.prod(outshp))
    patches = structured_dot(csc, images.T).T  # batch x (outsize * nf * ksize)
    patch_stack = _T.reshape(patches, (images.shape[0] * outsize, imgshp[0] * kern_size))
    output = _T.dot(patch_stack, kerns.T)  # (batch * outsize) x nkern
    if bias is not None:
        output = output + bias
    tensout = _T.reshape(output, (images.shape[0], outsize, int(nkern)))
    output = tensout.dimshuffle(0, 2, 1)
    if flatten:
        output = _T.flatten(output, 2)
    return output, np.hstack((int(nkern), outshp))


def max_pool(images, imgshp, maxpoolshp):
    """Max pooling over non-overlapping ``maxpoolshp = (rows, cols)`` windows.

    images: batch x (nfeatures * h * w) (feature maps contiguous, raster order); imgshp:
    (h, w) or (nfeatures, h, w). Returns (output, outshp): output is
    batch x (nfeatures * oh * ow) with oh = h // rows and ow = w // cols (trailing rows/columns
    that do not fill a window are dropped), outshp = (oh, ow). Differentiable (the gradient
    goes to the maximum of each window).

    Raises ValueError for an imgshp that is neither (h, w) nor (nfeatures, h, w) or a
    maxpoolshp with an entry <= 0 or larger than the image, and TypeError when images does
    not convert to a tensor; the compiled function raises ValueError when images does not
    have nfeatures * h * w columns.
    """
    nf, h, w = _as_inshp(imgshp)
    ph, pw = (int(s) for s in maxpoolshp)
    if ph <= 0 or pw <= 0 or ph > h or pw > w:
        raise ValueError("invalid pool shape %r for image %r" % ((ph, pw), (h, w)))
    oh, ow = h // ph, w // pw
    images = _T.as_tensor_variable(images)
    x = _T.reshape(images, (images.shape[0], nf, h, w))
    if oh * ph != h or ow * pw != w:
        x = x[:, :, :oh * ph, :ow * pw]
    x = _T.reshape(x, (images.shape[0], nf, oh, ph, ow, pw))
    out = _T.max(x, axis=(3, 5))
    return _T.flatten(out, 2), np.array([oh, ow], dtype=np.int64)


__all__ = ["ConvolutionIndices", "convolution_indices", "convolve", "max_pool"]
