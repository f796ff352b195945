"""Theano names of the tensor reduce family, re-exported by hypatia.tensor."""
from .. import _core

__all__ = ["sum", "prod", "mean", "var", "std", "max", "min", "argmax", "argmin", "max_and_argmax",
           "all", "any", "ptp", "norm", "allclose", "cumsum", "cumprod", "diff", "bincount", "searchsorted",
           "unique", "to_one_hot", "fill_diagonal", "fill_diagonal_offset", "squeeze", "compress", "repeat"]

globals().update({_n: getattr(_core.reduce, _n) for _n in __all__})
