"""hypatia.graph.op: the Op base class under Aesara's path (the same class as hypatia.Op)."""
from ..gof import Op  # noqa: F401

__all__ = ["Op"]
