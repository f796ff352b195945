"""hypatia.tensor.signal: signal processing (theano.tensor.signal): ``pool`` (pool_2d, pool_3d,
max_pool_2d_same_size and the pooling ops), ``conv`` (conv2d of single-channel images) and the
deprecated ``downsample`` aliases."""
from . import pool  # noqa: F401
from . import conv  # noqa: F401

__all__ = ["pool", "conv"]
