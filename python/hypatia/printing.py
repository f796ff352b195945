"""hypatia.printing: debugprint, pprint and Graphviz export of graphs (theano.printing)."""
from . import _core
