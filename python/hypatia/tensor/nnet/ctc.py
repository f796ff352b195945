"""hypatia.tensor.nnet.ctc: connectionist temporal classification loss (theano.tensor.nnet.ctc).

Computed natively (Theano called Baidu's warp-ctc): ``ctc(activations, labels, input_lengths)``
takes unnormalised activations of shape (steps, batch, alphabet) (a softmax over the alphabet
is taken per step), labels (batch, max_len) with negative values as padding and 0 as the
blank, and the steps used per sequence; it returns each sequence's -log p(labels), +inf where no
alignment fits in its length. Differentiable with respect to the activations.
"""
from ..._core.nnet_fused import ctc, ctc_op
from ..._op_class import NativeOpClass


class ConnectionistTemporalClassification(metaclass=NativeOpClass):
    """Theano's op class: ``ConnectionistTemporalClassification(compute_grad=True)(activations,
    labels, input_lengths)`` gives ``[costs, gradients]`` (``[costs]`` without compute_grad, then
    not differentiable). ``openmp`` is accepted for compatibility; the op follows
    config.openmp.

    The constructor raises nothing. Calling the op raises TypeError when ``activations`` is not a
    float tensor3, ``labels`` not an integer matrix or ``input_lengths`` not an integer vector;
    the compiled function raises ValueError when the batch sizes differ, an input length is out
    of range or a label is not in [1, alphabet).
    """
    _native = ["hypatia::ConnectionistTemporalClassification"]

    def __init__(self, compute_grad=True, openmp=None):
        self.compute_grad = bool(compute_grad)
        self.openmp = openmp

    def __call__(self, activations, labels, input_lengths):
        return list(ctc_op(activations, labels, input_lengths, self.compute_grad))

    def __eq__(self, other):
        return type(self) is type(other) and self.compute_grad == other.compute_grad

    def __hash__(self):
        return hash((type(self), self.compute_grad))


__all__ = ["ctc", "ConnectionistTemporalClassification"]
