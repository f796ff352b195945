"""Theano names of the tensor subtensor family, re-exported by hypatia.tensor."""
from .. import _core  # noqa: F401

__all__ = []
