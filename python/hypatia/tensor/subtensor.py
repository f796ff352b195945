"""hypatia.tensor.subtensor (theano.tensor.subtensor): the indexing op classes and functions.

The classes answer ``isinstance(node.op, Subtensor)``; ``x[...]``, ``set_subtensor`` and
``inc_subtensor`` build the ops.
"""
from ._subtensor import *  # noqa: F401,F403
from ._subtensor import __all__ as _functions
from ._op_classes import (Subtensor, IncSubtensor, AdvancedSubtensor1, AdvancedIncSubtensor1,  # noqa: F401
                          AdvancedSubtensor, AdvancedIncSubtensor, subtensor_classes)

__all__ = list(_functions) + list(subtensor_classes)
