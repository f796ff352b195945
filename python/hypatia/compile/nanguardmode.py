"""NanGuardMode (theano.compile.nanguardmode): stops a call at the first node whose input or
output holds a NaN, an inf or an absolute value above 1e10 (each check chosen by a flag),
naming that node. Dense arrays and the stored entries of sparse matrices are checked."""
from .. import _core
from .mode import Mode, flag


class NanGuardError(AssertionError, ValueError):
    """A value NanGuardMode rejects (an AssertionError as in Theano, and a ValueError).

    Raised by a function compiled with a NanGuardMode.
    """


def translate(err):
    """The NanGuardError for a "[NanGuardMode] ..." error, or None.

    ``err`` is the exception raised by the core. Raises nothing.
    """
    return NanGuardError(str(err)) if "[NanGuardMode]" in str(err) else None


class NanGuardMode(Mode):
    """A Mode that checks every node's inputs and outputs. nan_is_error and inf_is_error
    default to config.NanGuardMode.* (True); big_is_error defaults to True as in Theano. The
    error is a NanGuardError (AssertionError and ValueError) "[NanGuardMode] NaN detected in output 0 of node ...", followed by the
    node's input shapes and types.

    ``optimizer`` and ``linker`` are as in Mode. The functions it compiles raise NanGuardError.
    """

    def __init__(self, nan_is_error=None, inf_is_error=None, big_is_error=None, optimizer="default", linker=None):
        super().__init__(linker=linker, optimizer=optimizer)
        self.nan_is_error = bool(flag("NanGuardMode.nan_is_error", True) if nan_is_error is None else nan_is_error)
        self.inf_is_error = bool(flag("NanGuardMode.inf_is_error", True) if inf_is_error is None else inf_is_error)
        self.big_is_error = bool(flag("NanGuardMode.big_is_error", True) if big_is_error is None else big_is_error)

    def configure(self, options):
        super().configure(options)
        g = _core.NanGuardOptions()
        g.nan_is_error, g.inf_is_error, g.big_is_error = self.nan_is_error, self.inf_is_error, self.big_is_error
        options.nan_guard = g
