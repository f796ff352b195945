"""Theano names of the tensor linalg family, re-exported by hypatia.tensor.

``dot`` itself lives in hypatia.tensor (N-d operands sum over the last axis of the first and
the second-to-last of the second). ``nlinalg`` and ``slinalg`` are reachable as attributes
(``T.nlinalg.matrix_inverse``) and as modules (``import hypatia.tensor.slinalg``).
"""
from .._core.linalg import tensordot, batched_dot, batched_tensordot, outer
from . import nlinalg, slinalg, blas

__all__ = ["tensordot", "batched_dot", "batched_tensordot", "outer", "nlinalg", "slinalg", "blas"]
