"""Theano names of the tensor subtensor family, re-exported by hypatia.tensor."""
from .. import _core  # noqa: F401
from .._core.subtensor import set_subtensor, inc_subtensor, take, sparse_grad, nonzero_values

__all__ = ["set_subtensor", "inc_subtensor", "take", "sparse_grad", "nonzero_values"]
