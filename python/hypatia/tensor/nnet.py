"""hypatia.tensor.nnet: neural-network nonlinearities (theano.tensor.nnet).

``sigmoid(x)`` is 1 / (1 + exp(-x)) and ``softplus(x)`` is log(1 + exp(x)), both computed
without overflow for any x. FAST_RUN compilation also rewrites the spelled-out forms
(``1 / (1 + T.exp(-x))``, ``T.log(1 + T.exp(x))``, ``T.log(sigmoid(x))``) into these.
"""
from .._core import sigmoid, softplus

__all__ = ["sigmoid", "softplus"]
