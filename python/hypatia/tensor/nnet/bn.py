"""hypatia.tensor.nnet.bn: batch normalisation (theano.tensor.nnet.bn).

``batch_normalization_train(inputs, gamma, beta, axes='per-activation', epsilon=1e-4,
running_average_factor=0.1, running_mean=None, running_var=None)`` normalises with the batch
statistics over ``axes`` ('per-activation' = (0,), 'spatial' = (0, 2, 3, ...), or a tuple) and
returns ``(out, mean, invstd)``, plus the updated running mean and variance (the variance
unbiased by m / (m - 1)) when both running values are given. ``batch_normalization_test``
uses given statistics; ``batch_normalization`` is the elementwise formula
``(inputs - mean) * (gamma / std) + beta``. gamma, beta and the statistics have the input's rank
with length-1 normalised axes, or leave those axes out (the outputs then leave them out too).
The ops are AbstractBatchNormTrain, AbstractBatchNormTrainGrad and AbstractBatchNormInference.
"""
from ..._core.nnet_fused import batch_normalization, batch_normalization_train, batch_normalization_test

__all__ = ["batch_normalization", "batch_normalization_train", "batch_normalization_test"]
