"""hypatia.tensor.basic (theano.tensor.basic): hypatia.tensor's names, for code that imports the submodule.

Besides the functions it holds the op classes Theano defines there (Alloc, Join, Reshape, Dot,
MaxAndArgmax, ...), which answer ``isinstance(node.op, Alloc)``.
"""
from . import *  # noqa: F401,F403
from ._op_classes import *  # noqa: F401,F403
from .elemwise import *  # noqa: F401,F403
from .nlinalg import ExtractDiag, AllocDiag  # noqa: F401
