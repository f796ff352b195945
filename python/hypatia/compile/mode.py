"""Mode objects (theano.compile.mode): a linker and an optimizer, with including/excluding/
requiring, the predefined modes by name and get_mode.

A Mode is a description: function() turns it into FunctionOptions (the rewrite query as a mode
string such as "FAST_RUN-fusion+tag&tag", allow_gc from the linker, and the checks of
DebugMode and NanGuardMode).
"""
import re

from ..configparser import config


def flag(name, default):
    """The config flag `name` ("DebugMode.patience" walks sections) or `default` when this
    build's config does not define it.

    Raises nothing: a missing flag gives ``default``.
    """
    obj = config
    for part in name.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            return default
    return obj


# Theano's linker names. Hypatia has one linker, the VM; the names choose garbage collection
# only ("_nogc": intermediates stay allocated between calls).
_LINKERS = ("vm", "cvm", "py", "c", "c|py", "c&py", "vm_nogc", "cvm_nogc", "c|py_nogc")
# Theano's optimizer names -> the base of a mode string.
_OPTIMIZERS = {"fast_run": "FAST_RUN", "fast_compile": "FAST_COMPILE", "merge": "FAST_RUN&merge",
               "none": "None", "None": "None", None: "None", "o4": "FAST_RUN", "o1": "FAST_COMPILE"}


def _check_tags(who, tags):
    for t in tags:
        if not isinstance(t, str) or not t or any(c in t for c in "+-&"):
            raise ValueError("[%s] expected rewrite tags as non-empty strings without '+', '-' or '&', got %r" % (who, t))
    return tuple(tags)


class Mode:
    """How function() compiles a graph (theano.compile.mode.Mode): `optimizer` chooses the
    rewrites ('fast_run', 'fast_compile', 'merge' (the merge phases only), None (no rewrites;
    it takes no tags) or 'default', which reads config.optimizer) and `linker` how the result runs ('vm'/'cvm'/'py'/'c'/'c|py'; a '_nogc'
    suffix keeps intermediates allocated between calls). including/excluding/requiring
    return new modes whose rewrites also include, leave out, or must carry the given tags.

    Raises ValueError for an unknown optimizer or linker name.
    """

    def __init__(self, linker=None, optimizer="default"):
        if linker is None or linker == "default":
            linker = flag("linker", "cvm")
        if linker not in _LINKERS:
            raise ValueError("[Mode] unknown linker %r; expected one of %s" % (linker, ", ".join(_LINKERS)))
        if optimizer == "default":
            optimizer = flag("optimizer", "fast_run")
        if optimizer not in _OPTIMIZERS:
            raise ValueError("[Mode] unknown optimizer %r; expected 'fast_run', 'fast_compile', 'merge', None or 'default'"
                             % (optimizer,))
        self.linker = linker
        self.optimizer = optimizer
        self._including, self._excluding, self._requiring = (), (), ()

    provided_linker = property(lambda self: self.linker, doc="The linker name given (Theano's provided_linker).")
    provided_optimizer = property(lambda self: self.optimizer, doc="The optimizer name given.")

    def _clone(self, including=(), excluding=(), requiring=()):
        import copy
        m = copy.copy(self)
        m._including = self._including + including
        m._excluding = self._excluding + excluding
        m._requiring = self._requiring + requiring
        return m

    def including(self, *tags):
        """A new mode like this one whose rewrites also include those tagged `tags`."""
        return self._clone(including=_check_tags("Mode.including", tags))

    def excluding(self, *tags):
        """A new mode like this one without the rewrites tagged `tags`."""
        return self._clone(excluding=_check_tags("Mode.excluding", tags))

    def requiring(self, *tags):
        """A new mode like this one keeping only rewrites that carry all of `tags`."""
        return self._clone(requiring=_check_tags("Mode.requiring", tags))

    def mode_string(self):
        """The rewrite query as FunctionOptions' mode string ("FAST_RUN-fusion")."""
        s = _OPTIMIZERS[self.optimizer]
        s += "".join("-" + t for t in self._excluding)
        s += "".join("+" + t for t in self._including)
        s += "".join("&" + t for t in self._requiring)
        return s

    def configure(self, options):
        """Sets a FunctionOptions' mode, allow_gc and checks from this mode."""
        options.mode = self.mode_string()
        if self.linker.endswith("_nogc"):
            options.allow_gc = False

    def __eq__(self, other):
        return (type(self) is type(other) and self.__dict__ == other.__dict__)

    def __hash__(self):
        return hash((type(self), self.linker, self.optimizer))

    def __repr__(self):
        return "%s(linker=%r, optimizer=%r)%s" % (
            type(self).__name__, self.linker, self.optimizer,
            "".join(".%s%r" % (k, v) for k, v in (("including", self._including), ("excluding", self._excluding),
                                                  ("requiring", self._requiring)) if v))

    __str__ = __repr__


FAST_RUN = Mode("vm", "fast_run")
FAST_COMPILE = Mode("vm", "fast_compile")

predefined_modes = {"FAST_RUN": FAST_RUN, "FAST_COMPILE": FAST_COMPILE, "None": Mode("vm", None)}
predefined_linkers = {name: name for name in _LINKERS}
predefined_optimizers = dict(_OPTIMIZERS)


def register_mode(name, mode):
    """Adds `mode` under `name` for get_mode and function(mode=name); ValueError if taken.

    ``name`` is the new mode name; ``mode`` the Mode instance it stands for. Raises ValueError
    when ``name`` is already a predefined or registered mode (or DebugMode, DEBUG_MODE,
    NanGuardMode) and TypeError when ``mode`` is not a Mode instance.
    """
    if name in predefined_modes or name in ("DebugMode", "DEBUG_MODE", "NanGuardMode"):
        raise ValueError("[register_mode] mode name %r is already taken; expected a new name" % (name,))
    if not isinstance(mode, Mode):
        raise TypeError("[register_mode] expected a Mode instance, got %r" % (mode,))
    predefined_modes[name] = mode


def _default_mode_name():
    """config.mode with config.optimizer_* applied (configparser.default_mode when this build's
    config has it; Theano applies those flags to the default mode only)."""
    from .. import configparser
    if hasattr(configparser, "default_mode"):
        return configparser.default_mode()
    name = flag("mode", "FAST_RUN")
    if not isinstance(name, str) or not name.startswith(("FAST_RUN", "FAST_COMPILE")):
        return name
    for fl, sign in (("optimizer_excluding", "-"), ("optimizer_including", "+"), ("optimizer_requiring", "&")):
        name += "".join(sign + t for t in str(flag(fl, "") or "").split(":") if t)
    return name


def get_mode(orig_string):
    """The Mode for `orig_string`: a Mode is returned as is; None means config.mode (with
    config.optimizer_excluding/including/requiring added); a name is one of FAST_RUN,
    FAST_COMPILE, None, DebugMode (DEBUG_MODE), NanGuardMode (checks from
    config.NanGuardMode.*) or a registered mode, optionally followed by "-tag", "+tag" or
    "&tag" to exclude, include or require rewrites. ValueError naming the choices otherwise.

    Raises ValueError for an unknown mode name or tag syntax, TypeError for an object that is
    neither a Mode, a string nor None.
    """
    if isinstance(orig_string, Mode):
        return orig_string
    if orig_string is None:
        orig_string = _default_mode_name()
        if isinstance(orig_string, Mode):
            return orig_string
    if not isinstance(orig_string, str):
        raise TypeError("[get_mode] expected a mode name or a Mode instance, got %r" % (orig_string,))
    parts = re.split(r"([-+&])", orig_string)
    name, tags = parts[0], list(zip(parts[1::2], parts[2::2]))
    if name in ("DebugMode", "DEBUG_MODE"):
        from .debugmode import DebugMode
        mode = DebugMode()
    elif name == "NanGuardMode":
        from .nanguardmode import NanGuardMode
        mode = NanGuardMode(nan_is_error=flag("NanGuardMode.nan_is_error", True),
                            inf_is_error=flag("NanGuardMode.inf_is_error", True),
                            big_is_error=flag("NanGuardMode.big_is_error", True))
    elif name == "Mode":
        mode = Mode()  # config.mode's default: config.optimizer's rewrites
    elif name == "ProfileMode":
        raise ValueError("[get_mode] ProfileMode was removed from Theano (and is not in Hypatia); "
                         "expected function(..., profile=True) or config.profile=True")
    elif name in predefined_modes:
        mode = predefined_modes[name]
    else:
        raise ValueError("[get_mode] unknown mode %r; expected FAST_RUN, FAST_COMPILE, None, DebugMode, NanGuardMode%s or a "
                         "Mode instance, optionally followed by -tag, +tag or &tag to exclude, include or require rewrites"
                         % (orig_string, "".join(", " + k for k in predefined_modes if k not in ("FAST_RUN", "FAST_COMPILE", "None"))))
    for sign, tag in tags:
        mode = {"-": mode.excluding, "+": mode.including, "&": mode.requiring}[sign](tag)
    return mode


def get_default_mode():
    """The Mode config.mode names.

    Raises ValueError when config.mode names no mode.
    """
    return get_mode(None)
