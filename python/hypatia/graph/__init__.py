"""hypatia.graph: Aesara's names for the graph toolkit (hypatia.graph.op.Op is hypatia.gof.Op)."""
from . import op  # noqa: F401
from ..gof import Apply, Variable, Type, FunctionGraph  # noqa: F401
