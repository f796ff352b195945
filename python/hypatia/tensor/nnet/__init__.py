"""hypatia.tensor.nnet: neural-network functions (theano.tensor.nnet).

Nonlinearities: ``sigmoid``, ``softplus`` (both without overflow for any x), ``softsign``,
``relu(x, alpha=0)``, ``elu(x, alpha=1)``, ``selu``, ``hard_sigmoid`` (clip(0.2 x + 0.5, 0, 1))
and ``ultra_fast_sigmoid`` (Theano's piecewise approximation).

``softmax`` / ``log_softmax`` work over the last axis (matrix rows; a vector is one row and
stays a vector) and are stable for any finite logits. ``categorical_crossentropy(coding_dist,
true_dist)`` takes integer class indices (rank one less) or a one-hot/probability tensor; given
``softmax(x)`` it reads the logits, so values and gradients stay finite. FAST_RUN also rewrites
``log(softmax(x))`` to ``log_softmax(x)`` and ``log(1 + exp(x))`` to ``softplus(x)``.
"""
from ..._core.tensor import sigmoid, softplus
from ..._core.nnet import (softsign, relu, elu, selu, hard_sigmoid, ultra_fast_sigmoid, softmax, log_softmax,
                          binary_crossentropy, sigmoid_binary_crossentropy, categorical_crossentropy)

from . import blocksparse  # noqa: E402 - T.nnet.blocksparse
from . import neighbours  # noqa: E402 - T.nnet.neighbours (images2neibs, neibs2images)
from ._conv_nnet import *  # noqa: E402,F401,F403 - conv2d, conv3d, conv2d_transpose, abstract_conv, conv, conv3d2d

logsoftmax = log_softmax  # Theano 1.0's name
softmax_graph = softmax

__all__ = ["sigmoid", "softplus", "softsign", "relu", "elu", "selu", "hard_sigmoid", "ultra_fast_sigmoid",
           "softmax", "log_softmax", "logsoftmax", "softmax_graph", "binary_crossentropy",
           "sigmoid_binary_crossentropy", "categorical_crossentropy"]
