"""Sparse products (theano.sparse's dot family): structured_dot, dot, true_dot, sampling_dot,
usmm, and their op classes. A dense operand may be a matrix or a vector (a vector operand gives a
dense vector). ``hypatia.sparse.dot`` and, on sparse operands, ``x @ y`` and ``x.dot(y)`` are the
regular ``dot`` below (registered as the 'dot' operator); the top-level ``hypatia.dot`` is
Theano's ``theano.dot``, which is ``structured_dot`` when an operand is sparse."""
from .. import _core
from .. import _op_class

_s = _core.sparse

StructuredDot = _s.StructuredDot
Dot = _s.Dot
TrueDot = _s.TrueDot
SamplingDot = _s.SamplingDot
Usmm = _s.Usmm
UsmmCscDense = _s.UsmmCscDense
StructuredDotGradCSR = _s.StructuredDotGradCSR
StructuredDotGradCSC = _s.StructuredDotGradCSC
SampleSparse = _s.SampleSparse
_op_class.wrap_factories(globals(), "hypatia.sparse.basic", cpp={
    "Dot": "hypatia::SparseDot", "StructuredDotGradCSR": ("hypatia::StructuredDotGrad", "StructuredDotGradCSR"),
    "StructuredDotGradCSC": ("hypatia::StructuredDotGrad", "StructuredDotGradCSC")})


structured_dot = _s.structured_dot


dot = _s.dot


true_dot = _s.true_dot


sampling_dot = _s.sampling_dot


usmm = _s.usmm


structured_dot_grad = _s.structured_dot_grad


__all__ = ["StructuredDot", "Dot", "TrueDot", "SamplingDot", "Usmm", "UsmmCscDense", "StructuredDotGradCSR",
           "StructuredDotGradCSC", "SampleSparse", "structured_dot", "dot", "true_dot", "sampling_dot", "usmm",
           "structured_dot_grad"]
