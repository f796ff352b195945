"""hypatia.gradient: symbolic differentiation (theano.gradient)."""
from . import _core

DisconnectedInputError = _core.DisconnectedInputError
NullTypeGradError = _core.NullTypeGradError
