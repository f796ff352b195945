"""hypatia.tensor.extra_ops: Theano's theano.tensor.extra_ops names."""
from .. import _core

__all__ = ["cumsum", "cumprod", "diff", "bincount", "searchsorted", "unique", "to_one_hot",
           "fill_diagonal", "fill_diagonal_offset", "squeeze", "compress", "repeat"]

globals().update({_n: getattr(_core.reduce, _n) for _n in __all__})
