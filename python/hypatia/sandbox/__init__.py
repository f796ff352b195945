"""hypatia.sandbox: Theano's theano.sandbox modules (rng_mrg: MRG_RandomStreams)."""
from . import rng_mrg  # noqa: F401

__all__ = ["rng_mrg"]
