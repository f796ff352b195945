"""Theano names of the tensor random family, re-exported by hypatia.tensor
(T.shared_randomstreams.RandomStreams, T.raw_random)."""
from .. import _core  # noqa: F401
from . import raw_random, shared_randomstreams  # noqa: F401  (T.raw_random, T.shared_randomstreams)
from .shared_randomstreams import RandomStreams  # noqa: F401

__all__ = []
