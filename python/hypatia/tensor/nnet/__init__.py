"""hypatia.tensor.nnet: neural-network functions (theano.tensor.nnet).

Nonlinearities: ``sigmoid``, ``softplus`` (both without overflow for any x), ``softsign``,
``relu(x, alpha=0)``, ``elu(x, alpha=1)``, ``selu``, ``hard_sigmoid`` (clip(0.2 x + 0.5, 0, 1))
and ``ultra_fast_sigmoid`` (Theano's piecewise approximation).

``softmax`` / ``log_softmax`` work over the last axis (matrix rows; a vector is one row and
stays a vector) and are stable for any finite logits. ``categorical_crossentropy(coding_dist,
true_dist)`` takes integer class indices (rank one less) or a one-hot/probability tensor; given
``softmax(x)`` it reads the logits, so values and gradients stay finite. FAST_RUN also rewrites
``log(softmax(x))`` to ``log_softmax(x)`` and ``log(1 + exp(x))`` to ``softplus(x)``, and a
hand-written ``-log(softmax(x + b))[arange(n), y]`` (or ``-log(softmax(x)[arange(n), y])``) and
its gradient to the fused CrossentropySoftmaxArgmax1HotWithBias / CrossentropySoftmax1HotWithBiasDx.

Theano's fused losses (``crossentropy_softmax_1hot``, ``crossentropy_softmax_argmax_1hot_with_bias``,
``softmax_with_bias``, ``h_softmax``, ...) are here and in ``nnet.nnet``; batch normalisation in
``nnet.bn``; the CTC loss in ``nnet.ctc``; block-sparse products in ``nnet.blocksparse``.
"""
from .nnet import *  # noqa: F401,F403 - theano.tensor.nnet re-exports theano.tensor.nnet.nnet
from .nnet import __all__ as _nnet_all

from . import blocksparse  # noqa: E402 - T.nnet.blocksparse
from . import neighbours  # noqa: E402 - T.nnet.neighbours (images2neibs, neibs2images)
from ._conv_nnet import *  # noqa: E402,F401,F403 - conv2d, conv3d, conv2d_transpose, abstract_conv, conv, conv3d2d
from . import bn  # noqa: E402 - T.nnet.bn
from . import ctc  # noqa: E402 - T.nnet.ctc
from . import nnet  # noqa: E402 - T.nnet.nnet

__all__ = list(_nnet_all) + ["blocksparse", "bn", "ctc", "nnet"]
