"""conv2d / conv3d and their gradient ops against scipy.signal and an einsum reference: every
border mode, subsample, dilation, groups, filter_flip, non-square shapes, verify_grad, R_op."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia.tensor import nnet
from hypatia.tensor.nnet import abstract_conv as A

from conv_reference import conv_einsum, conv_scipy, grad_inputs_ref, grad_weights_ref
from harness import check_op

rng = np.random.RandomState(42)

# (border_mode, subsample, filter_dilation, num_groups, filter_flip)
CASES_2D = [
    ("valid", (1, 1), (1, 1), 1, True),
    ("full", (1, 1), (1, 1), 1, False),
    ("half", (2, 1), (1, 1), 2, True),
    (1, (1, 2), (2, 1), 1, True),
    ((2, 1), (2, 2), (1, 1), 2, False),
    (((1, 0), (0, 2)), (1, 1), (1, 2), 1, True),
    ("half", (1, 1), (2, 2), 1, False),
]


def _kw(case):
    border, sub, dil, groups, flip = case
    return dict(border_mode=border, subsample=sub, filter_dilation=dil, num_groups=groups, filter_flip=flip)


def _ref_kw(case):
    border, sub, dil, groups, flip = case
    return dict(border=border, sub=sub, dil=dil, groups=groups, flip=flip)


@pytest.mark.parametrize("case", CASES_2D)
def test_conv2d_values_grads(case):
    groups = case[3]
    img = rng.rand(2, 4, 7, 6)
    kern = rng.rand(6, 4 // groups, 3, 2)
    got = check_op(lambda x, w: nnet.conv2d(x, w, **_kw(case)), [img, kern],
                   lambda x, w: conv_scipy(x, w, **_ref_kw(case)), rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(got, conv_einsum(img, kern, **_ref_kw(case)), rtol=1e-10)


@pytest.mark.parametrize("case", [CASES_2D[2], CASES_2D[5]])
def test_conv2d_float32(case):
    groups = case[3]
    img = rng.rand(2, 2, 6, 5).astype("float32")
    kern = rng.rand(4, 2 // groups, 2, 3).astype("float32")
    check_op(lambda x, w: nnet.conv2d(x, w, **_kw(case)), [img, kern],
             lambda x, w: conv_scipy(x, w, **_ref_kw(case)), rtol=1e-4, atol=1e-5, grad=False)


CASES_3D = [
    ("valid", (1, 1, 1), (1, 1, 1), 1, True),
    ("full", (2, 1, 1), (1, 1, 1), 1, False),
    ("half", (1, 1, 2), (1, 2, 1), 2, True),
    ((1, (0, 1), 2), (1, 2, 1), (1, 1, 1), 1, True),
]


@pytest.mark.parametrize("case", CASES_3D)
def test_conv3d_values_grads(case):
    groups = case[3]
    img = rng.rand(2, 2, 5, 4, 6)
    kern = rng.rand(4, 2 // groups, 2, 3, 2)
    got = check_op(lambda x, w: nnet.conv3d(x, w, **_kw(case)), [img, kern],
                   lambda x, w: conv_scipy(x, w, **_ref_kw(case)), rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(got, conv_einsum(img, kern, **_ref_kw(case)), rtol=1e-10)


@pytest.mark.parametrize("case", CASES_2D[:5])
def test_grad_wrt_weights_and_inputs(case):
    groups = case[3]
    img = rng.rand(2, 4, 7, 6)
    kern = rng.rand(6, 4 // groups, 3, 2)
    top = rng.rand(*conv_einsum(img, kern, **_ref_kw(case)).shape)
    check_op(lambda x, t: A.conv2d_grad_wrt_weights(x, t, (6, 4 // groups, 3, 2), **_kw(case)), [img, top],
             lambda x, t: grad_weights_ref(x, t, (3, 2), **_ref_kw(case)), rtol=1e-9)
    check_op(lambda w, t: A.conv2d_grad_wrt_inputs(t, w, (2, 4, 7, 6), **_kw(case)), [kern, top],
             lambda w, t: grad_inputs_ref(w, t, (7, 6), **_ref_kw(case)), rtol=1e-9)


def test_grad_ops_3d():
    case = CASES_3D[3]
    img = rng.rand(2, 2, 5, 4, 6)
    kern = rng.rand(4, 2, 2, 3, 2)
    top = rng.rand(*conv_einsum(img, kern, **_ref_kw(case)).shape)
    check_op(lambda x, t: A.conv3d_grad_wrt_weights(x, t, (4, 2, 2, 3, 2), **_kw(case)), [img, top],
             lambda x, t: grad_weights_ref(x, t, (2, 3, 2), **_ref_kw(case)), rtol=1e-9)
    check_op(lambda w, t: A.conv3d_grad_wrt_inputs(t, w, (2, 2, 5, 4, 6), **_kw(case)), [kern, top],
             lambda w, t: grad_inputs_ref(w, t, (5, 4, 6), **_ref_kw(case)), rtol=1e-9)


def test_second_derivative():
    # The Hessian-vector product of sum(conv(x, w)**2) runs the grad ops' own gradients.
    x, w, v = T.tensor4("x"), T.tensor4("w"), T.tensor4("v")
    cost = T.sum(nnet.conv2d(x, w, border_mode="half", subsample=(2, 1)) ** 2)
    gw = hypatia.grad(cost, w)
    hv = hypatia.grad(T.sum(gw * v), [x, w])
    f = hypatia.function([x, w, v], hv)
    X, W, V = rng.rand(2, 3, 6, 5), rng.rand(4, 3, 3, 3), rng.rand(4, 3, 3, 3)
    got = f(X, W, V)
    eps = 1e-6
    gfun = hypatia.function([x, w], gw)
    num_w = (gfun(X, W + eps * V) - gfun(X, W - eps * V)) / (2 * eps)
    np.testing.assert_allclose(got[1], num_w, rtol=1e-5, atol=1e-7)


def test_rop_matches_finite_difference():
    x, w = T.tensor4("x"), T.tensor4("w")
    ex, ew = T.tensor4("ex"), T.tensor4("ew")
    y = nnet.conv2d(x, w, border_mode=(1, 0), filter_dilation=(1, 2))
    r = hypatia.Rop(y, [x, w], [ex, ew])
    f = hypatia.function([x, w, ex, ew], r)
    X, W, EX, EW = rng.rand(1, 2, 5, 6), rng.rand(3, 2, 2, 2), rng.rand(1, 2, 5, 6), rng.rand(3, 2, 2, 2)
    kw = dict(border=(1, 0), dil=(1, 2))
    want = conv_einsum(EX, W, **kw) + conv_einsum(X, EW, **kw)
    np.testing.assert_allclose(f(X, W, EX, EW), want, rtol=1e-10)


def test_conv2d_transpose_is_grad_inputs():
    x = rng.rand(2, 3, 4, 5)  # the transposed conv's input: (batch, in channels, rows, cols)
    w = rng.rand(3, 2, 3, 3)  # (in channels, out channels, rows, cols)
    out = nnet.conv2d_transpose(T.as_tensor_variable(x), T.as_tensor_variable(w), (2, 2, 9, 11),
                                input_dilation=(2, 2)).eval()
    np.testing.assert_allclose(out, grad_inputs_ref(w, x, (9, 11), sub=(2, 2)), rtol=1e-10)


def test_legacy_conv_and_conv3d2d():
    img, kern = rng.rand(2, 3, 6, 7), rng.rand(4, 3, 2, 3)
    got = nnet.conv.conv2d(T.as_tensor_variable(img), T.as_tensor_variable(kern), image_shape=(2, 3, 6, 7),
                           filter_shape=(4, 3, 2, 3), border_mode="full", unroll_batch=2).eval()
    np.testing.assert_allclose(got, conv_scipy(img, kern, "full"), rtol=1e-10)
    with pytest.raises(ValueError, match=r"\[conv2d\] border_mode"):
        nnet.conv.conv2d(T.tensor4(), T.tensor4(), border_mode="half")
    sig, filt = rng.rand(2, 5, 3, 6, 4), rng.rand(4, 2, 3, 3, 2)  # (N, T, C, H, W)
    got = nnet.conv3d2d.conv3d(T.as_tensor_variable(sig), T.as_tensor_variable(filt)).eval()
    want = conv_scipy(sig.transpose(0, 2, 1, 3, 4), filt.transpose(0, 2, 1, 3, 4)).transpose(0, 2, 1, 3, 4)
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_separable_and_causal():
    img = rng.rand(2, 3, 6, 5)
    dw = rng.rand(6, 1, 3, 2)  # two depthwise filters per channel
    pw = rng.rand(4, 6, 1, 1)
    got = A.separable_conv2d(T.as_tensor_variable(img), dw, pw, 3, input_shape=(2, 3, 6, 5),
                             depthwise_filter_shape=(6, 1, 3, 2), pointwise_filter_shape=(4, 6, 1, 1)).eval()
    np.testing.assert_allclose(got, conv_scipy(conv_scipy(img, dw, groups=3), pw), rtol=1e-10)
    img3, dw3, pw3 = rng.rand(1, 2, 4, 5, 3), rng.rand(2, 1, 2, 2, 2), rng.rand(3, 2, 1, 1, 1)
    got = A.separable_conv3d(T.as_tensor_variable(img3), dw3, pw3, 2).eval()
    np.testing.assert_allclose(got, conv_scipy(conv_scipy(img3, dw3, groups=2), pw3), rtol=1e-10)
    x, f = rng.rand(2, 3, 9), rng.rand(4, 3, 3)
    got = A.causal_conv1d(T.as_tensor_variable(x), f, (4, 3, 3), filter_dilation=2).eval()
    # output t reads x[t], x[t - 2], x[t - 4] (filters flipped): a left-padded 1-d convolution
    want = conv_scipy(np.pad(x, [(0, 0), (0, 0), (4, 0)])[..., None], f[..., None], dil=(2, 1))[..., 0]
    assert got.shape == (2, 4, 9)
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_errors():
    x, w = T.tensor4("x"), T.tensor4("w")
    f = hypatia.function([x, w], nnet.conv2d(x, w))
    with pytest.raises(ValueError, match=r"^\[AbstractConv2d\] the input has 3 channels"):
        f(rng.rand(1, 3, 5, 5), rng.rand(2, 2, 3, 3))
    g = hypatia.function([x, w], nnet.conv2d(x, w, num_groups=2))
    with pytest.raises(ValueError, match=r"^\[AbstractConv2d\] num_groups \(2\) must divide"):
        g(rng.rand(1, 4, 5, 5), rng.rand(3, 2, 3, 3))
    with pytest.raises(ValueError, match=r"^\[AbstractConv2d\] the filter of size 6"):
        f(rng.rand(1, 3, 5, 5), rng.rand(2, 3, 6, 3))
    with pytest.raises(ValueError, match=r"^\[AbstractConv2d\] the input channels imshp\[1\]"):
        nnet.conv2d(x, w, input_shape=(1, 3, 5, 5), filter_shape=(2, 2, 3, 3))
    h = hypatia.function([x, w], nnet.conv2d(x, w, input_shape=(1, 3, 5, 5)))
    with pytest.raises(ValueError, match=r"^\[AbstractConv2d\] the input shape \(1, 3, 6, 5\) does not match"):
        h(rng.rand(1, 3, 6, 5), rng.rand(2, 3, 3, 3))
    with pytest.raises(ValueError, match=r"^\[AbstractConv2d\] subsample"):
        nnet.conv2d(x, w, subsample=(0, 1))
    with pytest.raises(ValueError, match=r"^\[AbstractConv2d\] unshared"):
        nnet.conv2d(x, w, unshared=True)
    with pytest.raises(TypeError, match=r"^\[AbstractConv2d\] the input must have 4 dimensions"):
        nnet.conv2d(T.matrix(), w)
    with pytest.raises(ValueError, match=r"\[AbstractConv2d\] invalid border_mode"):
        nnet.conv2d(x, w, border_mode=(1, 2, 3))
    gi = hypatia.function([w, x], A.conv2d_grad_wrt_inputs(x, w, (1, 3, 6, 6)))
    with pytest.raises(ValueError, match=r"^\[AbstractConv2d_gradInputs\] topgrad's spatial shape"):
        gi(rng.rand(2, 3, 3, 3), rng.rand(1, 2, 3, 3))


def test_shape_helpers():
    assert A.get_conv_shape_1axis(7, 3, "valid", 1) == 5
    assert A.get_conv_shape_1axis(7, 3, "half", 2, 2) == 4
    assert A.get_conv_shape_1axis(7, 3, (1, 2), 1) == 8
    assert A.get_conv_shape_1axis(None, 3, "valid", 1) is None
    assert A.get_conv_output_shape((2, 3, 7, 6), (4, 3, 3, 2), "full", (1, 2)) == (2, 4, 9, 4)
    assert A.get_conv_output_shape((2, 3, 7, 6), (4, 3, 3, 2), ((1, 0), 2), (2, 1), (1, 2)) == (2, 4, 3, 8)
    assert A.get_conv_gradweights_shape((2, 4, 7, 6), (2, 6, 5, 5), "valid", (1, 1), num_groups=2) == (6, 2, 3, 2)
    assert A.get_conv_gradweights_shape((2, 4, 7, 6), (2, 6, 5, 5), "half", (1, 1))[2:] == (None, None)
    assert A.get_conv_gradinputs_shape((6, 2, 3, 2), (2, 6, 9, 7), "full", (1, 1), num_groups=2) == (2, 4, 7, 6)
    assert A.get_conv_gradinputs_shape((6, 2, 3, 2), (2, 6, 9, 7), "full", (2, 1))[2:] == (None, 6)
    assert A.check_conv_gradinputs_shape((2, 3, 7, 6), (4, 3, 3, 2), (2, 4, 5, 5), "valid", (1, 1))
    assert not A.check_conv_gradinputs_shape((2, 3, 7, 6), (4, 3, 3, 2), (2, 4, 5, 4), "valid", (1, 1))
    assert A.check_conv_gradinputs_shape((2, 3, 7, None), (4, 3, 3, 2), (2, 4, 5, 4), "valid", (1, 1))
    assert A.border_mode_to_pad("half", 2, (3, 5)) == ((1, 1), (2, 2))
    assert A.border_mode_to_pad((1, (2, 3)), 2, (3, 5)) == ((1, 1), (2, 3))
    assert A.get_conv_shape_laxis is A.get_conv_shape_1axis
    with pytest.raises(ValueError, match="assert_conv_shape"):
        A.assert_conv_shape((2, 3, 0, 4))
    x = T.tensor4("x")
    f = hypatia.function([x], A.assert_shape(x, (None, 3, None, None)))
    f(np.zeros((1, 3, 2, 2)))
    with pytest.raises(Exception):
        f(np.zeros((1, 2, 2, 2)))


def test_op_classes_and_flops():
    op = A.AbstractConv2d(border_mode="half", subsample=(2, 1))
    assert op == A.AbstractConv2d(border_mode="half", subsample=(2, 1)) and op != A.AbstractConv2d()
    x, w = T.tensor4("x"), T.tensor4("w")
    y = op(x, w)
    assert "AbstractConv2d" in str(y.owner.op)
    assert op.infer_shape(None, [(2, 3, 7, 6), (4, 3, 3, 3)]) == (2, 4, 4, 6)
    assert op.flops([(2, 3, 7, 6), (4, 3, 3, 3)], (2, 4, 4, 6)) == 2 * 2 * 4 * 4 * 6 * 3 * 3 * 3
    img, kern = rng.rand(1, 2, 5, 4), rng.rand(3, 2, 2, 2)
    np.testing.assert_allclose(op.conv(img, kern, "full"), conv_scipy(img, kern, "full", flip=False))
    # unshared2d with the same filter everywhere is the shared correlation
    shared = np.broadcast_to(kern[:, None, None], (3, 4, 3, 2, 2, 2))
    np.testing.assert_allclose(op.unshared2d(img, shared, (1, 3, 4, 3)), conv_scipy(img, kern, flip=False))
    g = A.AbstractConv3d_gradWeights(subsample=(1, 1, 1))
    assert g.convdim == 3 and isinstance(g, A.AbstractConv_gradWeights) and isinstance(g, A.BaseAbstractConv)
    for name in ("AbstractConv3d", "AbstractConv3d_gradInputs", "AbstractConv2d_gradWeights",
                 "AbstractConv2d_gradInputs"):
        assert hasattr(A, name)


def test_bilinear_upsampling():
    k = A.bilinear_kernel_1D(3).eval()
    np.testing.assert_allclose(k, np.array([1, 2, 3, 2, 1]) / 3.0)
    np.testing.assert_allclose(A.bilinear_kernel_2D(2, normalize=False).eval(), np.outer([1, 2, 1], [1, 2, 1]))
    # A linear ramp stays a ramp, sampled at (i - (r - 1) // 2) / r (the last row and column
    # repeated once more for an even r, as the manual notes), clamped at the borders.
    rows, cols = np.arange(5.0), np.arange(6.0)
    img = (2 * rows[:, None] + 3 * cols[None, :] + 1)[None, None].repeat(2, axis=1)
    x = T.tensor4("x")
    for r in (2, 3):
        f1 = hypatia.function([x], A.bilinear_upsampling(x, ratio=r))
        f2 = hypatia.function([x], A.bilinear_upsampling(x, ratio=r, use_1D_kernel=False))
        up1, up2 = f1(img), f2(img)
        assert up1.shape == (1, 2, 5 * r, 6 * r)
        np.testing.assert_allclose(up1, up2, rtol=1e-10)
        ri = (np.arange(5 * r) - (r - 1) // 2) / r
        ci = (np.arange(6 * r) - (r - 1) // 2) / r
        want = 2 * np.clip(ri, 0, 4)[:, None] + 3 * np.clip(ci, 0, 5)[None, :] + 1
        np.testing.assert_allclose(up1[0, 1], want, rtol=1e-10)
        if r == 2:
            up_2 = up1
    # frac_ratio (2, 1) is the integer ratio 2.
    f3 = hypatia.function([x], A.bilinear_upsampling(x, frac_ratio=(2, 1), use_1D_kernel=False))
    np.testing.assert_allclose(f3(img), up_2, rtol=1e-10)


def test_rop_of_gradient_ops():
    # The gradient ops are bilinear too: R_op(gradWeights(x, t)) = gradWeights(ex, t) + gradWeights(x, et).
    x, t, ex, et = T.tensor4("x"), T.tensor4("t"), T.tensor4("ex"), T.tensor4("et")
    kw = dict(border_mode="half", subsample=(2, 1), filter_flip=False)
    gw = A.conv2d_grad_wrt_weights(x, t, (3, 2, 3, 2), **kw)
    gi = A.conv2d_grad_wrt_inputs(t, x, (1, 2, 5, 6), **kw)  # x plays the filters (3, 2, 3, 2) here
    X, EX = rng.rand(1, 2, 5, 6), rng.rand(1, 2, 5, 6)
    Tv, ET = rng.rand(1, 3, 3, 7), rng.rand(1, 3, 3, 7)
    f = hypatia.function([x, t, ex, et], hypatia.Rop(gw, [x, t], [ex, et]))
    rk = dict(border="half", sub=(2, 1), flip=False)
    want = grad_weights_ref(EX, Tv, (3, 2), **rk) + grad_weights_ref(X, ET, (3, 2), **rk)
    np.testing.assert_allclose(f(X, Tv, EX, ET), want, rtol=1e-10)
    K, EK = rng.rand(3, 2, 3, 2), rng.rand(3, 2, 3, 2)
    g = hypatia.function([x, t, ex, et], hypatia.Rop(gi, [x, t], [ex, et]))
    want = grad_inputs_ref(EK, Tv, (5, 6), **rk) + grad_inputs_ref(K, ET, (5, 6), **rk)
    np.testing.assert_allclose(g(K, Tv, EK, ET), want, rtol=1e-10)


def test_pickled_function_keeps_the_conv_params():
    import pickle
    x, w = T.tensor4("x"), T.tensor4("w")
    y = nnet.conv2d(x, w, input_shape=(2, 4, 7, 6), border_mode=((1, 0), 2), subsample=(2, 1),
                    filter_dilation=(1, 2), num_groups=2, filter_flip=False)
    f = hypatia.function([x, w], [y] + hypatia.grad(T.sum(y ** 2), [x, w]))
    g = pickle.loads(pickle.dumps(f))
    X, W = rng.rand(2, 4, 7, 6), rng.rand(6, 2, 3, 2)
    for a, b in zip(f(X, W), g(X, W)):
        np.testing.assert_array_equal(a, b)
    assert any("border_mode='((1, 0), (2, 2))'" in str(n.op) for n in g.maker.fgraph.toposort())


def test_op_classes_take_a_symbolic_shape_vector():
    x, w, t = T.tensor4("x"), T.tensor4("w"), T.tensor4("t")
    gi = A.AbstractConv2d_gradInputs(border_mode="full")(w, t, x.shape[2:])
    gw = A.AbstractConv2d_gradWeights(border_mode="full")(x, t, w.shape[2:])
    f = hypatia.function([x, w, t], [gi, gw])
    X, W = rng.rand(1, 2, 4, 5), rng.rand(3, 2, 2, 3)
    Tv = rng.rand(1, 3, 5, 7)
    a, b = f(X, W, Tv)
    np.testing.assert_allclose(a, grad_inputs_ref(W, Tv, (4, 5), border="full"), rtol=1e-10)
    np.testing.assert_allclose(b, grad_weights_ref(X, Tv, (2, 3), border="full"), rtol=1e-10)


def test_frac_bilinear_upsampling():
    # A ratio of 3/2 on rows and 2/1 on columns: (5, 4) -> (8, 8); a constant image stays constant
    # and a ramp along the columns is sampled as the integer ratio 2 samples it.
    x = T.tensor4("x")
    f = hypatia.function([x], A.frac_bilinear_upsampling(x, frac_ratio=((3, 2), (2, 1))))
    up = f(np.full((2, 3, 5, 4), 7.0))
    assert up.shape == (2, 3, 8, 8)
    np.testing.assert_allclose(up, 7.0, rtol=1e-12)
    ramp = np.tile(3 * np.arange(4.0), (1, 1, 5, 1))
    cols = np.arange(8) / 2
    np.testing.assert_allclose(f(ramp)[0, 0], np.tile(3 * np.clip(cols, 0, 3), (8, 1)), rtol=1e-12)
    with pytest.raises(ValueError, match="use_1D_kernel"):
        A.bilinear_upsampling(x, frac_ratio=(3, 2))
    with pytest.raises(ValueError, match="ratio and frac_ratio"):
        A.bilinear_upsampling(x, ratio=2, frac_ratio=(3, 2), use_1D_kernel=False)
