"""tensor.fft.rfft / irfft: values against numpy.fft (Theano's (real, imag) layout), the norms,
shapes, and the gradients of Theano's RFFTOp / IRFFTOp."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia.tensor import fft
from harness import check_op


def np_rfft(x, norm=None):
    c = np.fft.rfftn(x, axes=tuple(range(1, x.ndim)), norm="ortho" if norm == "ortho" else None)
    return np.stack([c.real, c.imag], axis=-1).astype(x.dtype)


def np_irfft(z, n, norm=None):
    c = z[..., 0] + 1j * z[..., 1]
    x = np.fft.irfftn(c, s=c.shape[1:-1] + (n,), axes=tuple(range(1, c.ndim)))
    pts = np.prod(c.shape[1:-1]) * n
    if norm == "ortho":
        x = x * np.sqrt(pts)
    elif norm == "no_norm":
        x = x * pts
    return x.astype(z.dtype)


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-10), ("float32", 2e-4)])
def test_rfft_every_length_1_to_64_and_large(dtype, tol):
    x = T.matrix(dtype=dtype)
    f = hypatia.function([x], fft.rfft(x))
    g = {odd: hypatia.function([x], fft.irfft(fft.rfft(x), is_odd=odd)) for odd in (False, True)}
    rng = np.random.RandomState(0)
    for n in list(range(1, 65)) + [1000, 1024, 4099, 65536]:
        a = rng.randn(3, n).astype(dtype)
        got = f(a)
        assert got.shape == (3, n // 2 + 1, 2) and got.dtype == dtype
        np.testing.assert_allclose(got, np_rfft(a), rtol=tol, atol=tol * np.sqrt(n))
        np.testing.assert_allclose(g[n % 2 == 1](a), a, rtol=tol, atol=tol * 10)


@pytest.mark.parametrize("norm", [None, "ortho", "no_norm"])
def test_norms_and_nd_transforms(norm):
    rng = np.random.RandomState(1)
    a = rng.randn(2, 3, 5, 6)
    x = T.tensor4()
    z = fft.rfft(x, norm=norm)
    got = hypatia.function([x], z)(a)
    np.testing.assert_allclose(got, np_rfft(a, norm), atol=1e-10)
    back = hypatia.function([x], fft.irfft(z, norm=norm))(a)
    want = np_irfft(got, 6, norm)
    np.testing.assert_allclose(back, want, atol=1e-10)
    if norm != "no_norm":
        np.testing.assert_allclose(back, a, atol=1e-10)  # numpy's pairs invert


def test_manual_box_example():
    x = T.matrix("x", dtype="float64")
    f = hypatia.function([x], fft.rfft(x, norm="ortho"))
    box = np.zeros((1, 1024))
    box[:, 1024 // 2 - 10: 1024 // 2 + 10] = 1
    out = f(box)
    c_out = out[0, :, 0] + 1j * out[0, :, 1]
    np.testing.assert_allclose(np.abs(c_out), np.abs(np.fft.rfft(box[0], norm="ortho")), atol=1e-12)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", [(2, 6), (2, 7), (2, 3, 4)])
def test_rfft_harness_and_grad(dtype, shape):
    a = np.random.RandomState(2).randn(*shape).astype(dtype)
    check_op(lambda x: fft.rfft(x, norm="ortho"), [a], lambda x: np_rfft(x, "ortho"),
             rtol=1e-4 if dtype == "float32" else 1e-7, atol=1e-4 if dtype == "float32" else 1e-9)


@pytest.mark.parametrize("is_odd", [False, True])
def test_irfft_harness_and_grad(is_odd):
    n = 7 if is_odd else 6
    z = np_rfft(np.random.RandomState(3).randn(2, n))
    check_op(lambda v: fft.irfft(v, is_odd=is_odd), [z], lambda v: np_irfft(v, n), atol=1e-10)


def test_second_order_grad():
    x = T.dmatrix()
    cost = T.sum(fft.rfft(x) ** 2)
    g = hypatia.grad(cost, x)
    hypatia.gradient.verify_grad(lambda v: T.sum(hypatia.grad(T.sum(fft.rfft(v) ** 2), v) ** 2),
                                 [np.random.RandomState(4).randn(2, 5)], rng=np.random.RandomState(5))
    assert g.ndim == 2


def test_errors():
    with pytest.raises(ValueError, match=r"\[rfft\] norm"):
        fft.rfft(T.dmatrix(), norm="bad")
    with pytest.raises(TypeError, match="RFFTOp"):
        fft.rfft(T.dvector())
    with pytest.raises(ValueError, match="is_odd"):
        fft.irfft(T.tensor3(), is_odd=2)
    with pytest.raises(TypeError, match="irfft"):
        fft.irfft(T.dmatrix())
    z = T.tensor3()
    g = hypatia.function([z], fft.irfft(z))
    with pytest.raises(ValueError, match="pairs"):
        g(np.zeros((1, 3, 3)))
