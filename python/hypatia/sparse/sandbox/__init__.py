"""hypatia.sparse.sandbox (theano.sparse.sandbox): sparse convolution (``sp``) and the sp2
random sparse ops (``sp2``)."""
from . import sp, sp2
from .sp import ConvolutionIndices, convolution_indices, convolve, max_pool

__all__ = ["sp", "sp2", "ConvolutionIndices", "convolution_indices", "convolve", "max_pool"]
