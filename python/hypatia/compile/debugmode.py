"""DebugMode (theano.compile.debugmode): a mode that checks every node on every call.

Each call first runs the unoptimised graph, then the rewritten one node by node: every
variable a rewrite introduced must match the unoptimised value it replaced (BadOptimization),
perform may write only into the inputs its destroy_map names (BadDestroyMap), outputs may
alias only the inputs its view_map/destroy_map names (BadViewMap), infer_shape must give the
real shapes (BadShape), outputs must fit their types, sparse outputs must be valid matrices
and, with check_isfinite, floats finite (InvalidValueError). The call is then rerun and every
node's outputs compared (BadThunkOutput). At compile time the graph is rewritten
stability_patience times more and must come out the same (StochasticOrder). The first
offending node is reported with its inputs' shapes and types.
"""
import re

from .. import _core
from .mode import Mode, flag


class DebugModeError(ValueError):
    """Base of DebugMode's errors (a ValueError, as Hypatia's other checks).

    Raised by functions compiled with mode='DebugMode' when a check fails.
    """


class BadThunkOutput(DebugModeError):
    """Two runs of one node on the same inputs gave different outputs.

    It is raised (as a ValueError) by a function compiled with mode='DebugMode'.
    """


class BadOptimization(DebugModeError):
    """A rewrite replaced a variable by one with a different value at run time.

    It is raised (as a ValueError) by a function compiled with mode='DebugMode'.
    """


class BadDestroyMap(DebugModeError):
    """A node wrote into an input that its op's destroy_map does not declare.

    It is raised (as a ValueError) by a function compiled with mode='DebugMode'.
    """


class BadViewMap(DebugModeError):
    """An output aliases an input without the op's view_map (or destroy_map) saying so.

    It is raised (as a ValueError) by a function compiled with mode='DebugMode'.
    """


class StochasticOrder(DebugModeError):
    """Rewriting the same graph twice gave different graphs.

    It is raised (as a ValueError) by a function compiled with mode='DebugMode'.
    """


class InvalidValueError(DebugModeError):
    """An output does not fit its type (dtype, rank, sparse structure) or holds NaN/inf.

    It is raised (as a ValueError) by a function compiled with mode='DebugMode'.
    """


class BadShape(DebugModeError):
    """An op's infer_shape disagrees with the shape its perform produced.

    It is raised (as a ValueError) by a function compiled with mode='DebugMode'.
    """


_KINDS = {"BadThunkOutput": BadThunkOutput, "BadOptimization": BadOptimization, "BadDestroyMap": BadDestroyMap,
          "BadViewMap": BadViewMap, "StochasticOrder": StochasticOrder, "InvalidValue": InvalidValueError,
          "BadShape": BadShape}
_PATTERN = re.compile(r"\[DebugMode\] (\w+):")


def translate(err):
    """The DebugModeError subclass for a "[DebugMode] Kind: ..." error, or None.

    ``err`` is the exception raised by the core. Raises nothing.
    """
    m = _PATTERN.search(str(err))
    cls = _KINDS.get(m.group(1)) if m else None
    return cls(str(err)) if cls else None


class DebugMode(Mode):
    """A Mode running DebugMode's checks (see the module). Arguments left as None take
    config.DebugMode.* (patience 10, check_finite True). check_c_code is accepted for
    Theano's signature and has nothing to check (Hypatia generates no C code).
    require_matching_strides (config.DebugMode.check_strides) compares each output's strides
    with a rerun on C-contiguous copies of the inputs: 0 off, 1 warn, 2 raise BadStrides.
    config.DebugMode.check_preallocated_output reruns every node with its output slots
    already holding buffers of the kinds listed, and config.DebugMode.warn_input_not_reused
    warns about in-place nodes that wrote a new buffer. check_py_code=False turns the per-node
    checks off (only StochasticOrder remains).

    ``optimizer`` and ``linker`` are as in Mode; ``stability_patience`` is how many times
    compiling is repeated to check the rewrites are deterministic; ``check_isfinite`` rejects
    NaN and inf outputs. The functions it compiles raise the DebugModeError subclasses.
    """

    def __init__(self, optimizer="fast_run", stability_patience=None, check_c_code=None, check_py_code=None,
                 check_isfinite=None, require_matching_strides=None, linker=None):
        super().__init__(linker="vm" if linker is None else linker, optimizer=optimizer)
        self.stability_patience = int(flag("DebugMode.patience", 10) if stability_patience is None else stability_patience)
        if self.stability_patience < 0:
            raise ValueError("[DebugMode] stability_patience must be >= 0, got %d" % self.stability_patience)
        self.check_c_code = bool(flag("DebugMode.check_c", True) if check_c_code is None else check_c_code)
        self.check_py_code = bool(flag("DebugMode.check_py", True) if check_py_code is None else check_py_code)
        self.check_isfinite = bool(flag("DebugMode.check_finite", True) if check_isfinite is None else check_isfinite)
        strides = flag("DebugMode.check_strides", 0) if require_matching_strides is None else require_matching_strides
        self.require_matching_strides = int(strides)
        self.reruns = 1

    def configure(self, options):
        super().configure(options)
        d = _core.DebugOptions()
        d.enabled = self.check_py_code
        d.check_finite = self.check_isfinite
        d.reruns = self.reruns
        d.check_strides = self.require_matching_strides
        d.preallocated = [k for k in str(flag("DebugMode.check_preallocated_output", "")).split(":") if k]
        d.preallocated_ndim = int(flag("DebugMode.check_preallocated_output_ndim", 4))
        d.warn_input_not_reused = bool(flag("DebugMode.warn_input_not_reused", True))
        options.debug = d

    def check_stability(self, build):
        """Raises StochasticOrder unless `build()` (a compile) gives the same graph
        stability_patience more times."""
        def signature(fn):
            return [str(node.op) for node in fn.fgraph.toposort()]
        first = None
        for _ in range(1 + self.stability_patience):
            sig = signature(build())
            if first is None:
                first = sig
            elif sig != first:
                raise StochasticOrder("[DebugMode] StochasticOrder: rewriting the same graph twice gave different graphs; "
                                      "expected the same nodes in the same order\n first: %s\n then:  %s" % (first, sig))
