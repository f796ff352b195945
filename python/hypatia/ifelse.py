"""hypatia.ifelse: the lazy branch (theano.ifelse): ``from hypatia.ifelse import ifelse``.

``ifelse(cond, then_branch, else_branch)`` evaluates only the branch that the 0-d ``cond``
picks, unlike ``tensor.switch``, which is elementwise and computes both.
"""
from . import _op_class
from ._core import ifelse as _m

IfElse = _op_class.native_op_class("IfElse", _m.IfElse, module=__name__)


def ifelse(condition, then_branch, else_branch, name=None):
    """Theano's ifelse: ``then_branch`` when ``condition`` (a 0-d tensor) is non-zero, else
    ``else_branch``, computing only the branch taken.

    The branches are single variables or lists (tuples) of variables of the same length; the
    result is a variable, a list or a tuple like ``then_branch``. Each (then, else) pair must
    have one type; numbers and other constants convert to the other branch's type. A non-scalar
    or sparse condition, or pairs of different types, raise TypeError.

    ``name`` names the IfElse node.
    """
    return _m.ifelse(condition, then_branch, else_branch, name)


__all__ = ["ifelse", "IfElse"]
