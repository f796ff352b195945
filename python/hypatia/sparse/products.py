"""Sparse products (theano.sparse's dot family): structured_dot, dot, true_dot, sampling_dot,
usmm, and their op classes. A dense operand may be a matrix or a vector (a vector operand gives a
dense vector). ``hypatia.sparse.dot`` and, on sparse operands, ``x @ y`` and ``x.dot(y)`` are the
regular ``dot`` below (registered as the 'dot' operator); the top-level ``hypatia.dot`` is
Theano's ``theano.dot``, which is ``structured_dot`` when an operand is sparse."""
from .. import _core

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


def structured_dot(x, y):
    """x . y with at least one sparse operand (a sparse variable or a scipy csr/csc matrix).
    Sparse x: y dense (matrix or vector) gives a dense result, y sparse a sparse one (x's
    format). Dense x, sparse y: computed as Theano does, (y.T . x.T).T, dense. The gradient of
    a sparse operand is structured (only its stored entries), a dense operand's is regular."""
    return _s.structured_dot(x, y)


dot = _s.dot


def true_dot(x, y, grad_preserves_dense=True):
    """x . y with a sparse output (x's format); a dense vector y gives a dense vector. Regular
    grads; a dense y gets a dense grad unless grad_preserves_dense is False."""
    return _s.true_dot(x, y, grad_preserves_dense)


def sampling_dot(x, y, p):
    """p * (x . y.T) computed only at p's stored entries: x is m x k, y is n x k (dense), p is a
    sparse m x n matrix. Sparse output in p's format. True grads for x and y, structured for p."""
    return _s.sampling_dot(x, y, p)


def usmm(alpha, x, y, z):
    """z + alpha * (x . y), with x or y sparse and z dense (the sparse gemm)."""
    return _s.usmm(alpha, x, y, z)


def structured_dot_grad(a, b, g_ab):
    """The structured gradient of structured_dot(a, b) w.r.t. a: a's pattern holding
    dot(g_ab[i, :], b[j, :]) at each stored (i, j). Built as Theano builds it:
    CSR/CSC(StructuredDotGradCSR/CSC(indices, indptr, b, g_ab), indices, indptr, shape), the op
    computing the data vector from a's structure."""
    return _s.structured_dot_grad(a, b, g_ab)


__all__ = ["StructuredDot", "Dot", "TrueDot", "SamplingDot", "Usmm", "UsmmCscDense", "StructuredDotGradCSR",
           "StructuredDotGradCSC", "SampleSparse", "structured_dot", "dot", "true_dot", "sampling_dot", "usmm",
           "structured_dot_grad"]
