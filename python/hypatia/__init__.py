"""Hypatia: Theano's programming model over a native C++ core.

Port theano code by changing its imports: ``import hypatia as theano`` and
``import hypatia.tensor as T`` keep the names ``function``, ``shared``, ``grad``, ``In``, ``Out``.
"""
import os as _os

# OpenMP threads that spin while idle starve OpenBLAS's threads (and each other on a busy
# machine): a graph alternating BLAS products and parallel elementwise loops ran 5x slower.
# Idle threads sleep instead unless the user chose otherwise. Must be set before libgomp loads.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from . import _core  # noqa: E402
from ._core import Variable, Apply, Op, FunctionGraph, Type
from .configparser import config
from .compile import function, In, Out, shared
from . import tensor
from . import gradient
from .gradient import grad, Lop, Rop, jacobian, hessian
from . import printing
from .printing import pp, debugprint
from . import _type_methods  # noqa: E402,F401 - values_eq, values_eq_approx, may_share_memory of types
from . import sparse  # noqa: E402 - also installs the sparse operators of Variable
from .sparse._variable import dot  # theano.dot: structured_dot when an operand is sparse, else tensor.dot
from .sparse import sparse_grad  # theano.sparse_grad: x[int_vector] whose gradient w.r.t. x is sparse

__version__ = "0.1.0"


def _variable_eval(self, inputs_to_values=None):
    """Evaluate the variable for the given {variable: value} inputs (Theano's Variable.eval)."""
    pairs = list((inputs_to_values or {}).items())
    return _core.eval(self, pairs)


Variable.eval = _variable_eval
