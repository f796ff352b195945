"""hypatia.tensor.nnet.nnet: Theano's module path of the nnet functions (theano.tensor.nnet.nnet).

Everything here is also exported by hypatia.tensor.nnet: the activations, softmax and its
gradient, the crossentropies, the fused 1-hot softmax losses (``crossentropy_softmax_1hot``,
``crossentropy_softmax_argmax_1hot_with_bias``, ...), ``softmax_with_bias``, the
``prepend_*_to_each_row`` helpers and ``h_softmax``.
"""
import hypatia
from ..._core.tensor import sigmoid, softplus
from .._op_classes import nnet_classes as _classes
from .._op_classes import (Softmax, SoftmaxWithBias, SoftmaxGrad, CrossentropySoftmaxArgmax1HotWithBias,  # noqa: F401
                           CrossentropySoftmax1HotWithBiasDx, CrossentropyCategorical1Hot,
                           CrossentropyCategorical1HotGrad)
from ..._core.nnet import (softsign, relu, elu, selu, hard_sigmoid, ultra_fast_sigmoid, softmax, log_softmax,
                          binary_crossentropy, sigmoid_binary_crossentropy, categorical_crossentropy)
from ..._core.nnet_fused import (softmax_with_bias, softmax_grad, crossentropy_softmax_argmax_1hot_with_bias,
                                crossentropy_softmax_1hot_with_bias, crossentropy_softmax_1hot,
                                crossentropy_softmax_max_and_argmax_1hot_with_bias,
                                crossentropy_softmax_max_and_argmax_1hot, crossentropy_softmax_1hot_with_bias_dx,
                                crossentropy_categorical_1hot, crossentropy_categorical_1hot_grad,
                                prepend_scalar_to_each_row)

logsoftmax = log_softmax  # Theano 1.0's name
softmax_graph = softmax
softmax_op = softmax
logsoftmax_op = log_softmax


class Prepend_scalar_constant_to_each_row(object):
    """Theano's op class: ``Prepend_scalar_constant_to_each_row(val)(mat)`` puts a first column
    filled with the constant ``val`` in front of the matrix ``mat``.

    The constructor takes ``val`` (a number, default 0) and raises nothing. Calling the op raises
    TypeError when ``mat`` is not a matrix, or ``val`` is not a number that becomes a scalar
    constant.
    """

    def __init__(self, val=0):
        self.val = val

    def __call__(self, mat):
        return prepend_scalar_to_each_row(hypatia.tensor.constant(self.val), mat)

    def __eq__(self, other):
        return type(self) is type(other) and self.val == other.val

    def __hash__(self):
        return hash((type(self), self.val))


class Prepend_scalar_to_each_row(object):
    """Theano's op class: ``Prepend_scalar_to_each_row()(val, mat)`` puts a first column filled
    with the (symbolic) scalar ``val`` in front of the matrix ``mat``.

    Calling the op raises TypeError when ``val`` is not a scalar or ``mat`` is not a matrix.
    """

    def __call__(self, val, mat):
        return prepend_scalar_to_each_row(val, mat)

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))


prepend_0_to_each_row = Prepend_scalar_constant_to_each_row(0.)
prepend_1_to_each_row = Prepend_scalar_constant_to_each_row(1.)


def graph_merge_softmax_with_crossentropy_softmax(x, b, y_idx):
    """(nll, softmax(x + b)) from one fused node: what Theano's rewrite of that name builds when a
    graph computes both softmax(x + b) and its 1-hot crossentropy.

    ``x`` is the float matrix of activations, ``b`` the float bias vector (one per column) and
    ``y_idx`` the integer vector of each row's true class; this is
    crossentropy_softmax_1hot_with_bias(x, b, y_idx).

    Raises TypeError when ``x`` is not a float matrix, ``b`` not a float vector or ``y_idx`` not
    an integer vector; the compiled function raises ValueError when the lengths differ or a class
    index is out of range.
    """
    return crossentropy_softmax_1hot_with_bias(x, b, y_idx)


def h_softmax(x, batch_size, n_outputs, n_classes, n_outputs_per_class, W1, b1, W2, b2, target=None):
    """Two-level hierarchical softmax (Goodman 2001). The n_outputs outputs are grouped, in order,
    into n_classes classes of n_outputs_per_class each; the first softmax (W1, b1) predicts the
    class, the second (W2[c], b2[c]) the output within class c.

    With target=None, returns every output probability, shape (batch_size, n_outputs). With a
    target (integer, shape (batch_size,) or (batch_size, 1)), returns each row's probability of
    its target only, shape (batch_size, 1) as the manual states, computing just the target's
    class block of the second layer (sparse_block_dot).

    ``x`` is the (batch_size, n_in) input matrix; ``batch_size``, ``n_outputs``, ``n_classes`` and
    ``n_outputs_per_class`` are ints (n_classes * n_outputs_per_class >= n_outputs); ``W1`` (n_in,
    n_classes) and ``b1`` (n_classes,) are the first layer's weights and bias; ``W2`` (n_classes,
    n_in, n_outputs_per_class) and ``b2`` (n_classes, n_outputs_per_class) the second layer's;
    ``target`` the integer target of each row.

    Raises TypeError or ValueError when an input does not have the rank or dtype described (for
    example TypeError for a float ``target``, ValueError for a vector ``x``); the compiled function
    raises ValueError when the shapes do not agree with each other or with ``batch_size``.
    """
    from ... import tensor as T
    from .blocksparse import sparse_block_dot
    class_probs = softmax(T.dot(x, W1) + b1)
    if target is None:
        activations = T.tensordot(x, W2, axes=[[1], [1]]) + b2
        output_probs = softmax(activations.reshape((-1, n_outputs_per_class)))
        output_probs = output_probs.reshape((batch_size, n_classes, -1))
        output_probs = class_probs.dimshuffle(0, 1, 'x') * output_probs
        output_probs = output_probs.reshape((batch_size, -1))
        return output_probs[:, :n_outputs]
    target = target.flatten()
    target_classes = target // n_outputs_per_class
    target_outputs_in_class = target % n_outputs_per_class
    activations = sparse_block_dot(W2.dimshuffle('x', 0, 1, 2), x.dimshuffle(0, 'x', 1),
                                   T.zeros((batch_size, 1), dtype='int64'), b2, target_classes.dimshuffle(0, 'x'))
    output_probs = softmax(activations.dimshuffle(0, 2))
    rows = T.arange(batch_size)
    target_class_probs = class_probs[rows, target_classes]
    output_probs = output_probs[rows, target_outputs_in_class]
    return (target_class_probs * output_probs).dimshuffle(0, 'x')


__all__ = ["sigmoid", "softplus", "softsign", "relu", "elu", "selu", "hard_sigmoid", "ultra_fast_sigmoid",
           "softmax", "log_softmax", "logsoftmax", "softmax_graph", "softmax_op", "logsoftmax_op",
           "binary_crossentropy", "sigmoid_binary_crossentropy", "categorical_crossentropy",
           "softmax_with_bias", "softmax_grad", "crossentropy_softmax_argmax_1hot_with_bias",
           "crossentropy_softmax_1hot_with_bias", "crossentropy_softmax_1hot",
           "crossentropy_softmax_max_and_argmax_1hot_with_bias", "crossentropy_softmax_max_and_argmax_1hot",
           "crossentropy_softmax_1hot_with_bias_dx", "crossentropy_categorical_1hot",
           "crossentropy_categorical_1hot_grad", "prepend_scalar_to_each_row", "Prepend_scalar_constant_to_each_row",
           "Prepend_scalar_to_each_row", "prepend_0_to_each_row", "prepend_1_to_each_row",
           "graph_merge_softmax_with_crossentropy_softmax", "h_softmax"] + list(_classes)
