"""function, In, Out and shared: compiling graphs into callables (theano.function)."""
from collections import OrderedDict

from .. import _core
from ..configparser import config
from .mode import Mode, get_mode, get_default_mode, register_mode, predefined_modes, FAST_RUN, FAST_COMPILE, flag
from .debugmode import (DebugMode, DebugModeError, BadThunkOutput, BadOptimization, BadDestroyMap, BadViewMap,
                        StochasticOrder, InvalidValueError, BadShape)
from .nanguardmode import NanGuardMode, NanGuardError
from .profiling import ProfileStats
from . import test_value  # noqa: F401 - installs the compute_test_value hooks and Variable.tag

for _marker, _cls in (("[DebugMode] BadThunkOutput:", BadThunkOutput), ("[DebugMode] BadOptimization:", BadOptimization),
                      ("[DebugMode] BadDestroyMap:", BadDestroyMap), ("[DebugMode] BadViewMap:", BadViewMap),
                      ("[DebugMode] InvalidValue:", InvalidValueError), ("[DebugMode] BadShape:", BadShape),
                      ("[NanGuardMode]", NanGuardError)):
    _core.register_check_error(_marker, _cls)


In = _core.In
Out = _core.Out
FunctionOptions = _core.FunctionOptions


def _pairs(x, what):
    if x is None:
        return []
    if isinstance(x, (dict, OrderedDict)):
        items = list(x.items())
    else:
        items = list(x)
    out = []
    for item in items:
        if len(item) != 2:
            raise ValueError("[function] %s must be (variable, expression) pairs" % what)
        k, v = item
        if not isinstance(v, _core.Variable):
            v = _core.tensor.as_tensor_variable(v) if what == "updates" else _core.tensor.constant(v)
        out.append((k, v))
    return out


def function(inputs, outputs=None, mode=None, updates=None, givens=None,
             no_default_updates=False, accept_inplace=False, name=None,
             rebuild_strict=True, allow_input_downcast=None, profile=None,
             on_unused_input=None):
    """Compile a callable computing ``outputs`` from ``inputs`` (theano.function).

    ``inputs`` lists variables (or ``In`` objects for defaults, names and borrowing); ``outputs`` is
    one variable (the call returns one value), a list (it returns a list) or None. ``updates``
    (pairs or a dict) replace shared variables' values after each call, all computed from the old
    values; ``givens`` substitute variables before compiling. ``mode`` is a Mode, a mode name
    (FAST_RUN, FAST_COMPILE, DebugMode, NanGuardMode, a registered name; "-tag" excludes rewrites)
    or None for config.mode. ``no_default_updates=True`` ignores shared variables' default updates.
    ``accept_inplace`` and ``rebuild_strict`` are accepted for Theano compatibility.
    ``allow_input_downcast`` lets float arguments be cast down to the inputs' dtypes.
    ``on_unused_input`` ('raise', 'warn' or 'ignore'; config.on_unused_input by default) says what
    an input the outputs do not need does. ``name`` names the function in profiles and errors.
    ``profile=True`` (or config.profile) times every node: ``f.profile`` is then a ProfileStats; a
    ProfileStats given as ``profile`` collects several functions.

    Raises UnusedInputError (a ValueError) for an unused input with on_unused_input='raise',
    MissingInputError when an output needs a variable that is not an input, TypeError when an
    update's type differs from its shared variable's, ValueError for malformed updates or givens,
    NotImplementedError for no_default_updates given as a list. The compiled function raises
    TypeError/ValueError for arguments its inputs' types refuse.
    """
    single = outputs is not None and not isinstance(outputs, (list, tuple))
    outs = [] if outputs is None else [outputs] if single else list(outputs)
    mode = get_mode(mode)  # a Mode object, a mode name, or None for config.mode
    if profile is None:
        profile = flag("profile", False)

    def make_options(checks=True):
        options = FunctionOptions(
            updates=_pairs(updates, "updates"), givens=_pairs(givens, "givens"), name=name or "",
            on_unused_input=on_unused_input or config.on_unused_input, allow_input_downcast=allow_input_downcast,
            no_default_updates=_no_default_updates(no_default_updates), profile=bool(profile))
        options.allow_gc = bool(flag("allow_gc", True))  # a '_nogc' linker turns it off below
        (mode.configure if checks else Mode.configure.__get__(mode))(options)
        return options

    fn = _core.compile_function(inputs, outs, make_options(), single)
    if isinstance(mode, DebugMode) and mode.stability_patience:
        mode.check_stability(lambda: _core.compile_function(inputs, outs, make_options(False), single))
    if profile:
        stats = profile if isinstance(profile, ProfileStats) else ProfileStats(message=name)
        stats.attach(fn)
        fn.profile = stats
    return fn


def _no_default_updates(flag):
    """Theano's no_default_updates: True ignores every shared variable's default_update.
    (A list of variables, which Theano also accepts, is not supported.)"""
    if isinstance(flag, (list, tuple)):
        raise NotImplementedError("[function] no_default_updates as a list of variables is not supported; pass True or False")
    return bool(flag)


def shared(value, name=None, strict=False, allow_downcast=None, borrow=False):
    """A variable whose value persists between calls and is shared by functions (theano.shared).

    ``value`` is a number, numpy array or scipy.sparse matrix (the variable's type follows it);
    ``name`` names the variable. ``strict`` and ``allow_downcast`` are accepted for Theano
    compatibility (``set_value`` converts safely and refuses lossy casts). ``borrow=True`` may keep
    ``value`` itself instead of a copy (do not modify it afterwards).

    Raises TypeError when ``value`` has no Hypatia type (an object array, a string, a sparse
    matrix of another format than csr/csc is converted, float16 sparse is refused).
    """
    return _core.shared(value, name, borrow)
