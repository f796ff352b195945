"""Hypatia: Theano's programming model over a native C++ core.

Port theano code by changing its imports: ``import hypatia as theano`` and
``import hypatia.tensor as T`` keep the names ``function``, ``shared``, ``grad``, ``In``, ``Out``.
"""
import os as _os

# OpenMP threads that spin while idle starve OpenBLAS's threads (and each other on a busy
# machine): a graph alternating BLAS products and parallel elementwise loops ran 5x slower.
# Idle threads sleep instead unless the user chose otherwise. Must be set before libgomp loads.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

try:
    from . import _core  # noqa: E402
except ImportError as _e:
    # Built against the scipy-openblas32 wheel (README, "Design notes: BLAS"): the extension
    # finds libscipy_openblas.so through its rpath (../scipy_openblas32/lib). Where the wheel sits
    # in another site directory, importing scipy_openblas32 loads the library first, and the
    # loader then matches _core's dependency to it by soname.
    if "scipy_openblas" not in str(_e):
        raise
    import scipy_openblas32  # noqa: F401
    from . import _core  # noqa: E402
from ._core import Variable, Apply, FunctionGraph, Type
# Creation traces (tag.trace) skip the package's own frames: they show the user's lines.
_core.set_trace_package_dir(_os.path.dirname(_os.path.abspath(__file__)) + _os.sep)
from . import gof  # noqa: E402
from .gof import Op  # ops written in Python subclass it; native ops are instances too
from .configparser import config, change_flags, ConfigWarning, BlasFallbackWarning, warn_if_generic_blas as _warn_if_generic_blas
from .compile import function, In, Out, shared
from .compile.mode import Mode, get_mode  # noqa: E402 - theano.Mode; DebugMode etc. in hypatia.compile
from .compile.profiling import ProfileStats  # noqa: E402
from .compile.ops import as_op  # noqa: E402
from . import tensor
from . import gradient
from .gradient import grad, Lop, Rop, jacobian, hessian
from . import printing
from .printing import pp, debugprint
from .compile.builders import OpFromGraph, clone  # noqa: E402
from .gradient import subgraph_grad  # noqa: E402
from . import _type_methods  # noqa: E402,F401 - values_eq, values_eq_approx, may_share_memory of types
from . import sparse  # noqa: E402
from . import scan_module  # noqa: E402
from .scan_module import scan, map, reduce, foldl, foldr, scan_checkpoints  # noqa: E402,A004 - Theano's names
from . import ifelse  # noqa: E402,F401 - theano.ifelse (the module; ifelse.ifelse is the builder)
from ._core.tensor import dot  # theano.dot: structured_dot when an operand is sparse, else tensor.dot
from .sparse import sparse_grad  # theano.sparse_grad: x[int_vector] whose gradient w.r.t. x is sparse
from . import _pickle  # noqa: E402 - pickle/copy/deepcopy of graphs, ops, types and functions
_pickle._install()
from . import misc  # noqa: E402,F401 - misc.pkl_utils

__version__ = "0.1.0"

_warn_if_generic_blas()
