"""hypatia.d3viz: interactive, offline HTML pictures of graphs (theano.d3viz)."""
from . import formatting
from .d3viz import d3viz, d3write, replace_patterns, safe_json
from .formatting import DotGraph, PyDotFormatter

__all__ = ["d3viz", "d3write", "replace_patterns", "safe_json", "formatting", "PyDotFormatter", "DotGraph"]
