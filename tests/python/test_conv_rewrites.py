"""The convolution rewrites (local_conv_gradinputs_to_conv, opt-in local_conv_1x1_to_dot) fire
where they apply and keep the values; the gradInputs kernel's forward-correlation path."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia.compile.mode import get_mode
from hypatia.tensor import nnet
from hypatia.tensor.nnet import abstract_conv as A

from conv_reference import conv_einsum, grad_inputs_ref, grad_weights_ref
from harness import check_op

rng = np.random.RandomState(3)


def op_names(f):
    return [str(n).split("{")[0] for n in f.maker.fgraph.toposort()]


@pytest.mark.parametrize("border", ["valid", "full", "half", ((1, 0), (0, 2))])
def test_gradinputs_to_conv_in_a_training_graph(border):
    # 6 channels -> 2 filters with the filter shape given: the input gradient becomes a forward conv.
    x, w = T.tensor4("x"), T.tensor4("w")
    y = nnet.conv2d(x, w, filter_shape=(2, 6, 3, 2), border_mode=border, filter_dilation=(1, 2), filter_flip=False)
    gx = hypatia.grad(T.sum(y * T.arange(1, 2 + 1).dimshuffle("x", 0, "x", "x")), x)
    f = hypatia.function([x, w], gx)
    raw = hypatia.function([x, w], gx, mode="None")
    assert "AbstractConv2d_gradInputs" not in op_names(f) and "AbstractConv2d" in op_names(f)
    assert "AbstractConv2d_gradInputs" in op_names(raw)
    X, W = rng.rand(2, 6, 7, 6), rng.rand(2, 6, 3, 2)
    kw = dict(border=border, dil=(1, 2), flip=False)
    top = np.ones_like(conv_einsum(X, W, **kw)) * np.arange(1, 3).reshape(1, 2, 1, 1)
    want = grad_inputs_ref(W, top, (7, 6), **kw)
    np.testing.assert_allclose(f(X, W), want, rtol=1e-10)
    np.testing.assert_allclose(raw(X, W), want, rtol=1e-10)


def test_gradinputs_to_conv_needs_fewer_filters_and_unit_stride():
    w, t = T.tensor4("w"), T.tensor4("t")
    for fshape, sub in (((6, 2, 3, 3), (1, 1)), ((2, 6, 3, 3), (2, 1))):
        ishape = (1, fshape[1], 7, 7)
        f = hypatia.function([w, t], A.conv2d_grad_wrt_inputs(t, w, ishape, filter_shape=fshape, subsample=sub))
        assert "AbstractConv2d_gradInputs" in op_names(f)


@pytest.mark.parametrize("border,groups,flip", [("half", 1, True), (((3, 0), (0, 2)), 2, False), ("full", 2, True)])
def test_gradinputs_forward_path_without_static_shapes(border, groups, flip):
    # M = 2 < C = 4 and unit strides: the kernel computes gradInputs as a forward correlation
    # (a crop of 3 > dk - 1 = 2 gives it a negative leading pad).
    kern = rng.rand(2, 4 // groups, 3, 2)
    kw = dict(border_mode=border, num_groups=groups, filter_flip=flip)
    rkw = dict(border=border, groups=groups, flip=flip)
    top = rng.rand(*conv_einsum(rng.rand(2, 4, 7, 6), kern, **rkw).shape)
    check_op(lambda w, t: A.conv2d_grad_wrt_inputs(t, w, (2, 4, 7, 6), **kw), [kern, top],
             lambda w, t: grad_inputs_ref(w, t, (7, 6), **rkw), rtol=1e-9)


def test_1x1_to_dot_is_opt_in():
    x, w = T.tensor4("x"), T.tensor4("w")
    y = nnet.conv2d(x, w, filter_shape=(5, 4, 1, 1), border_mode="half")
    plain = hypatia.function([x, w], y)
    dot = hypatia.function([x, w], y, mode=get_mode("FAST_RUN").including("local_conv_1x1_to_dot"))
    assert "AbstractConv2d" in op_names(plain)
    assert "AbstractConv2d" not in op_names(dot)
    X, W = rng.rand(3, 4, 5, 6), rng.rand(5, 4, 1, 1)
    want = conv_einsum(X, W)
    np.testing.assert_allclose(plain(X, W), want, rtol=1e-10)
    np.testing.assert_allclose(dot(X, W), want, rtol=1e-10)
    gw = hypatia.function([x, w], hypatia.grad(T.sum(y), w),
                          mode=get_mode("FAST_RUN").including("local_conv_1x1_to_dot"))
    np.testing.assert_allclose(gw(X, W), grad_weights_ref(X, np.ones((3, 5, 5, 6)), (1, 1)), rtol=1e-10)
