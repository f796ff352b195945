"""hypatia.sparse.sandbox: ConvolutionIndices, convolve (a cross-correlation, docs/semantics.md, "Sandbox and block-sparse") and
max_pool (non-overlapping windows, docs/semantics.md, "Sandbox and block-sparse"), checked with the one harness."""
import os
import sys

import numpy as np
import pytest
from scipy.signal import correlate2d

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check_op  # noqa: E402

import hypatia  # noqa: E402
import hypatia.tensor as T  # noqa: E402
from hypatia.sparse import sandbox  # noqa: E402
from hypatia.sparse.sandbox import sp  # noqa: E402


def _dense(rval):
    import scipy.sparse as sps
    indices, indptr, shape, sptype, _ = rval[:5]
    assert sptype == "csc"
    return sps.csc_matrix((np.ones(indices.size), indices, indptr), shape=shape).toarray()


def test_convolution_indices_valid_by_hand():
    indices, indptr, shape, sptype, outshp = sp.ConvolutionIndices.evaluate((2, 3), (2, 2))
    # output (0,0): taps -> pixels 0,1,3,4 (rows 0..3); output (0,1): pixels 1,2,4,5 (rows 4..7)
    assert tuple(outshp) == (1, 2)
    assert shape == (8, 6) and sptype == "csc"
    assert indices.tolist() == [0, 1, 4, 5, 2, 3, 6, 7]
    assert indptr.tolist() == [0, 1, 3, 4, 5, 7, 8]


def test_convolution_indices_full_by_hand():
    indices, indptr, shape, sptype, outshp = sp.ConvolutionIndices.evaluate((1, 2), (1, 2), mode="full")
    # 1x2 image padded by one column each side: outputs x=0,1,2, taps kx=0,1 -> rows 2x+kx;
    # pixel ix = x + kx - 1
    assert tuple(outshp) == (1, 3) and shape == (6, 2)
    assert indices.tolist() == [1, 2, 3, 4]
    assert indptr.tolist() == [0, 2, 4]


def test_convolution_indices_strides_and_features():
    # two input features, non-square image, steps (dx, dy) = (2, 1)
    rval = sp.ConvolutionIndices.evaluate((2, 4, 5), (2, 3), strides=(2, 1))
    oh, ow = rval[4]
    assert (oh, ow) == (3, 2)
    m = _dense(rval)
    assert m.shape == (oh * ow * 2 * 6, 2 * 4 * 5)
    for y in range(oh):
        for x in range(ow):
            for f in range(2):
                for ky in range(2):
                    for kx in range(3):
                        row = (y * ow + x) * 2 * 6 + f * 6 + ky * 3 + kx
                        col = f * 20 + (y + ky) * 5 + (x * 2 + kx)
                        assert m[row].tolist() == [1.0 if c == col else 0.0 for c in range(40)]


def test_convolution_indices_no_weight_sharing():
    indices, indptr, shape, sptype, outshp, kmap = sp.ConvolutionIndices.evaluate(
        (2, 3), (2, 2), nkern=2, ws=False)
    assert shape == (2 * 2, 6) and tuple(outshp) == (1, 2)
    assert kmap.size == indices.size == 16  # 2 kernels x 2 outputs x 4 taps, all inside
    # kmap: absolute tap index, loop order (kernel, y, x, ky, kx); column 0 is only tap 0 of
    # output (0,0) for both kernels
    assert kmap[:2].tolist() == [0, 8]
    m = _dense((indices, indptr, shape, sptype, outshp))
    assert m.sum(axis=1).tolist() == [4, 4, 4, 4]


def test_convolution_indices_errors():
    with pytest.raises(ValueError):
        sp.ConvolutionIndices.evaluate((2, 2), (3, 3))
    with pytest.raises(ValueError):
        sp.ConvolutionIndices.evaluate((4, 4), (2, 2), mode="same")


def _ref_convolve(kerns, images, nf, h, w, kshp, step, mode, flatten=True):
    dx, dy = step
    nkern = kerns.shape[0]
    out = []
    for b in range(images.shape[0]):
        img = images[b].reshape(nf, h, w)
        maps = []
        for n in range(nkern):
            k = kerns[n].reshape(nf, *kshp)
            acc = sum(correlate2d(img[c], k[c], mode=mode) for c in range(nf))
            maps.append(acc[::dy, ::dx])
        out.append(np.stack(maps))
    out = np.stack(out)
    return out.reshape(out.shape[0], -1) if flatten else out.reshape(out.shape[0], nkern, -1)


@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize("step", [(1, 1), (2, 1), (1, 2), (2, 3)])
def test_convolve_matches_correlate2d(mode, step):
    rng = np.random.RandomState(1)
    h, w, kshp, nkern = 7, 9, (2, 3), 3
    K = rng.randn(nkern, 6)
    I = rng.randn(4, h * w)
    grad = step in ((1, 1), (2, 3))
    out = check_op(lambda k, im: sp.convolve(k, kshp, nkern, im, (h, w), step=step, mode=mode)[0],
                   [K, I], lambda k, im: _ref_convolve(k, im, 1, h, w, kshp, step, mode), grad=grad,
                   rtol=1e-10, atol=1e-10)
    _, outshp = sp.convolve(T.dmatrix(), kshp, nkern, T.dmatrix(), (h, w), step=step, mode=mode)
    ref = correlate2d(np.zeros((h, w)), np.zeros(kshp), mode=mode)[::step[1], ::step[0]]
    assert tuple(outshp) == (nkern,) + ref.shape
    assert out.shape == (4, nkern * ref.size)


@pytest.mark.parametrize("mode", ["valid", "full"])
def test_convolve_multichannel_unflattened_bias(mode):
    rng = np.random.RandomState(2)
    nf, h, w, kshp, nkern = 3, 6, 5, (3, 2), 2
    K = rng.randn(nkern, nf * 6)
    I = rng.randn(2, nf * h * w)
    bias = rng.randn(nkern)

    def ref(k, im, b):
        r = _ref_convolve(k, im, nf, h, w, kshp, (1, 1), mode, flatten=False)
        return r + b[None, :, None]
    out = check_op(lambda k, im, b: sp.convolve(k, kshp, nkern, im, (nf, h, w), bias=b, mode=mode,
                                                flatten=False)[0],
                   [K, I, bias], ref, rtol=1e-10, atol=1e-10)
    assert out.ndim == 3 and out.shape[:2] == (2, nkern)


def test_convolve_flatten_layout():
    # each feature map contiguous, raster order: flatten=True is flatten(flatten=False)
    rng = np.random.RandomState(3)
    K, I = rng.randn(2, 4), rng.randn(3, 20)
    k, im = T.dmatrix(), T.dmatrix()
    a, _ = sp.convolve(k, (2, 2), 2, im, (4, 5))
    b, _ = sp.convolve(k, (2, 2), 2, im, (4, 5), flatten=False)
    fa, fb = hypatia.function([k, im], [a, b])(K, I)
    assert fb.shape == (3, 2, 12)
    np.testing.assert_array_equal(fa, fb.reshape(3, -1))
    np.testing.assert_allclose(fa[1, 12:24], correlate2d(I[1].reshape(4, 5), K[1].reshape(2, 2), "valid").ravel())


def _ref_max_pool(images, nf, h, w, ph, pw):
    oh, ow = h // ph, w // pw
    x = images.reshape(images.shape[0], nf, h, w)[:, :, :oh * ph, :ow * pw]
    return x.reshape(images.shape[0], nf, oh, ph, ow, pw).max(axis=(3, 5)).reshape(images.shape[0], -1)


@pytest.mark.parametrize("imgshp,pool", [((7, 9), (2, 3)), ((6, 8), (3, 2)), ((2, 5, 7), (2, 2)),
                                         ((4, 6), (1, 3)), ((5, 4), (5, 1))])
def test_max_pool(imgshp, pool):
    rng = np.random.RandomState(4)
    full = (1,) + imgshp if len(imgshp) == 2 else imgshp
    nf, h, w = full
    I = rng.randn(3, nf * h * w)
    check_op(lambda im: sp.max_pool(im, imgshp, pool)[0], [I],
             lambda im: _ref_max_pool(im, nf, h, w, *pool))
    _, outshp = sp.max_pool(T.dmatrix(), imgshp, pool)
    assert tuple(outshp) == (h // pool[0], w // pool[1])


def test_max_pool_gradient_goes_to_window_max():
    im = T.dmatrix()
    out, _ = sp.max_pool(im, (2, 4), (2, 2))
    g = hypatia.function([im], T.grad(out.sum(), im))
    x = np.array([[1., 5., 2., 0., 3., 4., 9., 8.]])
    np.testing.assert_array_equal(g(x), [[0, 1, 0, 0, 0, 0, 1, 0]])


def test_sandbox_names():
    assert sandbox.convolve is sp.convolve and sandbox.max_pool is sp.max_pool
    from hypatia.sparse.sandbox import sp2
    import hypatia.sparse as S
    assert sp2.Poisson is S.Poisson and sp2.Binomial is S.Binomial and sp2.Multinomial is S.Multinomial


def _example():
    import importlib.util
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "sparse_conv_digits.py")
    spec = importlib.util.spec_from_file_location("sparse_conv_digits", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_example_sparse_conv_digits_loss_decreases():
    losses = _example().run(steps=12, batch=100, verbose=False)
    assert np.all(np.isfinite(losses))
    assert losses[-1] < losses[0] - 0.1


def test_example_fallback_without_sklearn(monkeypatch):
    mod = _example()
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    x, y, source = mod.load_data(n=50)
    assert x.shape == (50, 64) and y.shape == (50,) and "generated" in source


def test_convolve_and_max_pool_keep_float32():
    k, im = T.fmatrix(), T.fmatrix()
    out, _ = sp.convolve(k, (2, 3), 2, im, (5, 7))
    pooled, _ = sp.max_pool(out, (2, 4, 5), (2, 2))
    f = hypatia.function([k, im], [out, pooled])
    rng = np.random.RandomState(5)
    K, I = rng.randn(2, 6).astype("float32"), rng.randn(3, 35).astype("float32")
    o, p = f(K, I)
    assert o.dtype == p.dtype == np.float32
    np.testing.assert_allclose(o, _ref_convolve(K, I, 1, 5, 7, (2, 3), (1, 1), "valid"), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(p, _ref_max_pool(o, 2, 4, 5, 2, 2), rtol=1e-6)
