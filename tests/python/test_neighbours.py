"""nnet.neighbours (images2neibs, neibs2images) against a numpy transcription of Theano's
Images2Neibs.perform for every mode and step on non-square images, their gradients (each other's
adjoint), errors; and signal.conv.conv2d (built on images2neibs) against scipy.signal.convolve2d."""
import numpy as np
import pytest
import scipy.signal

import hypatia
import hypatia.tensor as T
from hypatia.gradient import verify_grad
from hypatia.tensor.nnet import neighbours
from hypatia.tensor.nnet.neighbours import images2neibs, neibs2images
from hypatia.tensor.signal import conv

from harness import check_op


def ref_images2neibs(x, shape, step=None, mode="valid"):
    c, d = shape
    sx, sy = step or shape
    N, C, H, W = x.shape
    grid = {"valid": lambda L, n, s: 1 + (L - n) // s, "ignore_borders": lambda L, n, s: 1 + (L - n) // s,
            "half": lambda L, n, s: 1 + (L - n % 2) // s, "full": lambda L, n, s: 1 + (L + n - 2) // s,
            "wrap_centered": lambda L, n, s: -(-L // s)}[mode]
    gc, gd = grid(H, c, sx), grid(W, d, sy)
    off = {"half": (c // 2, d // 2), "wrap_centered": (c // 2, d // 2), "full": (c - 1, d - 1)}.get(mode, (0, 0))
    z = np.zeros((N * C * gc * gd, c * d), x.dtype)
    for n in range(N):
        for s in range(C):
            for a in range(gc):
                for b in range(gd):
                    row = b + gd * (a + gc * (s + C * n))
                    for i in range(c):
                        r = i + a * sx - off[0]
                        for j in range(d):
                            q = j + b * sy - off[1]
                            if mode == "wrap_centered":
                                r2, q2 = r % H, q % W
                            else:
                                r2, q2 = r, q
                            if 0 <= r2 < H and 0 <= q2 < W:
                                z[row, i * d + j] = x[n, s, r2, q2]
    return z


CASES = [((2, 3), None, "valid", (1, 2, 4, 6)), ((2, 2), (1, 2), "valid", (2, 1, 5, 6)),
         ((3, 2), (2, 3), "ignore_borders", (1, 2, 8, 7)), ((3, 3), (1, 1), "half", (1, 2, 5, 4)),
         ((2, 3), (2, 1), "half", (1, 1, 6, 4)), ((2, 3), (1, 1), "full", (1, 2, 3, 4)),
         ((3, 1), (2, 1), "wrap_centered", (2, 1, 4, 3)), ((3, 3), (3, 2), "wrap_centered", (1, 1, 5, 4))]


@pytest.mark.parametrize("shape,step,mode,xshape", CASES)
def test_images2neibs_matches_numpy_with_grad(shape, step, mode, xshape):
    x = np.random.RandomState(0).randn(*xshape)
    check_op(lambda v: images2neibs(v, shape, step, mode), [x], lambda a: ref_images2neibs(a, shape, step, mode))
    check_op(lambda v: images2neibs(v, shape, step, mode), [x.astype("float32")],
             lambda a: ref_images2neibs(a, shape, step, mode), grad=False)


def test_manual_example_and_neibs2images_roundtrip():
    im = np.arange(100.).reshape((1, 1, 10, 10))
    v = T.tensor4("images")
    n = images2neibs(v, neib_shape=(5, 5))
    got = hypatia.function([v], n)(im)
    assert got.shape == (4, 25)
    np.testing.assert_array_equal(got[1], im[0, 0, 0:5, 5:10].ravel())
    back = hypatia.function([v], neibs2images(n, (5, 5), im.shape))(im)
    np.testing.assert_array_equal(back, im)


@pytest.mark.parametrize("mode,xshape", [("valid", (2, 3, 4, 6)), ("ignore_borders", (1, 2, 5, 7)),
                                         ("half", (1, 1, 7, 4)), ("full", (1, 1, 4, 6))])
def test_neibs2images_inverts_and_differentiates(mode, xshape):
    x = np.random.RandomState(1).randn(*xshape)
    sh = {"half": (3, 3), "full": (2, 2)}.get(mode, (2, 3))
    v = T.tensor4("x")
    back = hypatia.function([v], neibs2images(images2neibs(v, sh, mode=mode), sh, v.shape, mode=mode))(x)
    want = x.copy()
    if mode == "ignore_borders":
        want[..., (xshape[2] // sh[0]) * sh[0]:, :] = 0
        want[..., (xshape[3] // sh[1]) * sh[1]:] = 0
    np.testing.assert_allclose(back, want)
    z = ref_images2neibs(x, sh, None, mode)
    check_op(lambda m: neibs2images(m, sh, xshape, mode=mode), [z], lambda m: want)


def test_errors():
    v = T.tensor4("x")
    f = hypatia.function([v], images2neibs(v, (2, 2), (1, 3)))
    with pytest.raises(ValueError, match=r"^\[Images2Neibs\].*not consistent for mode 'valid'"):
        f(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"\[Images2Neibs\] mode 'wrap_centered' needs odd"):
        images2neibs(v, (2, 3), mode="wrap_centered")
    with pytest.raises(ValueError, match=r"\[Images2Neibs\] mode must be"):
        images2neibs(v, (2, 2), mode="same")
    with pytest.raises(ValueError, match=r"\[Images2Neibs\] neib_step must be positive"):
        images2neibs(v, (2, 2), (0, 1))
    with pytest.raises(TypeError, match=r"\[Images2Neibs\] ten4 must have 4 dimensions"):
        images2neibs(T.matrix("m"), (2, 2))
    with pytest.raises(ValueError, match=r"\[neibs2images\] mode 'wrap_centered'"):
        neibs2images(T.matrix("m"), (3, 3), (1, 1, 3, 3), mode="wrap_centered")
    g = hypatia.function([v], neibs2images(images2neibs(v, (2, 2)), (2, 2), (1, 1, 4, 6)))
    with pytest.raises(ValueError, match=r"\[Images2NeibsGrad\] neibs has shape"):
        g(np.zeros((1, 1, 4, 4)))
    assert neighbours.Images2Neibs("half")(v, (3, 3)).owner.op == images2neibs(v, (3, 3), mode="half").owner.op


@pytest.mark.parametrize("mode", ["valid", "full"])
def test_signal_conv2d_matches_scipy(mode):
    rng = np.random.RandomState(2)
    imgs, filt = rng.randn(2, 6, 5), rng.randn(3, 3, 2)
    for xs, fs, sub in [((2, 6, 5), (3, 3, 2), (1, 1)), ((6, 5), (3, 2), (2, 1)), ((2, 6, 5), (3, 2), (1, 2)),
                        ((6, 5), (3, 3, 2), (1, 1))]:
        x = imgs if len(xs) == 3 else imgs[0]
        f = filt if len(fs) == 3 else filt[0]

        def ref(a, b):
            a3 = a if a.ndim == 3 else a[None]
            b3 = b if b.ndim == 3 else b[None]
            r = np.array([[scipy.signal.convolve2d(i, k, mode=mode)[::sub[0], ::sub[1]] for k in b3] for i in a3])
            if b.ndim == 2:
                r = r[:, 0]
            return r if a.ndim == 3 else r[0]

        check_op(lambda a, b: conv.conv2d(a, b, filter_shape=fs, border_mode=mode, subsample=sub), [x, f], ref)
    with pytest.raises(TypeError, match=r"\[signal.conv2d\] the filters' height and width must be known"):
        conv.conv2d(T.matrix("a"), T.matrix("b"))
    a = T.matrix("a")
    got = hypatia.function([a], conv.conv2d(a, T.constant(filt[0]), border_mode=mode))(imgs[0])
    np.testing.assert_allclose(got, scipy.signal.convolve2d(imgs[0], filt[0], mode=mode))
