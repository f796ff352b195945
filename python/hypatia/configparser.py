"""hypatia.config: Theano's configuration flags (a typed registry with defaults, docs and checks),
set from HYPATIA_FLAGS / THEANO_FLAGS, .hypatiarc / .theanorc files or in code."""
import configparser as _rcparser
import difflib
import functools
import os
import warnings

import numpy as np

from . import _core
from ._config_flags import not_applicable_reason, register_flags


class BlasFallbackWarning(RuntimeWarning):
    """The BLAS runs generic pre-AVX2 kernels on a CPU with AVX2 (it does not know the CPU).

    Raised as a warning (once, by warn_if_generic_blas when hypatia is imported) when the BLAS
    reports generic_fallback; the message says how to get the AVX2 kernels. Takes the warning
    message, as every Warning does."""


class ConfigWarning(UserWarning):
    """A flag that does not apply to Hypatia (C compilation, GPU device) was set; it is kept but
    has no effect, and the message says why.

    Raised as a warning each time such a flag is set, from code (``config.<flag> = ...``,
    change_flags), from HYPATIA_FLAGS / THEANO_FLAGS or from an rc file (not when change_flags
    restores it). Takes the warning message, as every Warning does."""


class ConfigParam:
    """One flag: its full (dotted) name, default, documentation, how values are checked
    (``kind``: 'enum', 'bool', 'int', 'float', 'str', 'tags'), and what setting it does.

    ``doc`` documents the flag; ``choices`` lists the values of an 'enum'; ``minimum`` bounds an
    'int' or 'float'; ``apply`` is called with each new value; ``not_applicable`` says why a
    Theano flag has no effect here; ``check`` validates a value; ``expected`` describes accepted
    values in errors. Its filter raises ValueError for a value that fails those checks.
    """

    def __init__(self, name, default, doc, kind="str", choices=None, minimum=None, apply=None,
                 not_applicable=None, check=None, expected=None):
        self.name = name
        self.doc = doc
        self.kind = kind
        self.choices = tuple(choices) if choices else None
        self.minimum = minimum
        self.check = check                    # callable(value) -> bool, after conversion
        self._expected = expected             # the accepted values in words, for check
        self.apply = apply                    # callable(value) run after every change
        self.not_applicable = not_applicable  # why the flag has no effect in Hypatia, or None
        self.default = self.filter(default)

    def expected(self):
        """The accepted values, in words (for error messages and print(config))."""
        if self._expected:
            return self._expected
        if self.kind in ("enum", "enum_int"):
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "True or False"
        if self.kind == "int":
            return "an integer" + ("" if self.minimum is None else " >= %d" % self.minimum)
        if self.kind == "float":
            return "a number"
        if self.kind == "tags":
            return "rewrite tags separated by ':' (e.g. 'fusion:inplace')"
        return "a string"

    def _bad(self, value):
        raise ValueError("[config] %s must be %s, got %r" % (self.name, self.expected(), value))

    def filter(self, value):
        """The canonical value for ``value`` (strings from the environment are converted);
        ValueError "[config] <flag> must be ..." naming the accepted values otherwise."""
        if self.not_applicable is not None:
            return value
        v = self._convert(value)
        if self.check is not None and not self.check(v):
            self._bad(value)
        return v

    def _convert(self, value):
        kind = self.kind
        if kind == "enum_int":
            try:
                v = int(value.strip()) if isinstance(value, str) else value
            except ValueError:
                self._bad(value)
            if isinstance(v, bool) or v not in self.choices:
                self._bad(value)
            return int(v)
        if kind == "bool":
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            if isinstance(value, (int, np.integer)) and value in (0, 1):
                return bool(value)
            if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
                return value.strip().lower() in ("true", "1")
            self._bad(value)
        if kind == "int":
            if isinstance(value, (bool, np.bool_)):
                self._bad(value)
            try:
                v = int(value.strip()) if isinstance(value, str) else value
            except ValueError:
                self._bad(value)
            if not isinstance(v, (int, np.integer)) or (self.minimum is not None and v < self.minimum):
                self._bad(value)
            return int(v)
        if kind == "float":
            try:
                return float(value)
            except (TypeError, ValueError):
                self._bad(value)
        if kind == "enum":
            v = "None" if value is None else value
            if isinstance(v, str) and v.strip() in self.choices:
                return v.strip()
            self._bad(value)
        if not isinstance(value, str):
            self._bad(value)
        if kind == "tags":
            tags = [t.strip() for t in value.split(":") if t.strip()]
            if any(c in t for t in tags for c in "-+&, "):
                self._bad(value)
            return ":".join(tags)
        return value


class _Section:
    """A group of flags (config.NanGuardMode, config.numpy, ...): attribute access to them."""

    def __init__(self, cfg, prefix):
        object.__setattr__(self, "_cfg", cfg)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name):
        return self._cfg._get(self._prefix + "." + name)

    def __setattr__(self, name, value):
        self._cfg._set(self._prefix + "." + name, value)

    def __dir__(self):
        p = self._prefix + "."
        return sorted({n[len(p):].split(".")[0] for n in self._cfg._params if n.startswith(p)})

    def __repr__(self):
        return "<config section %s>" % self._prefix


class _Config:
    """Attribute access to the configuration, as ``theano.config``: ``config.floatX``,
    ``config.NanGuardMode.nan_is_error`` (or ``config['NanGuardMode.nan_is_error']``);
    assigning checks the value and applies it at once. ``print(config)`` lists every flag
    with its documentation, accepted values and current value."""

    def __init__(self):
        object.__setattr__(self, "_params", {})
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_sections", set())

    # ---- registry ----
    def add(self, param):
        """Registers a flag (ConfigParam); ValueError if the name is taken."""
        if param.name in self._params:
            raise ValueError("[config] flag %r is already registered" % param.name)
        self._params[param.name] = param
        self._values[param.name] = param.default
        parts = param.name.split(".")
        for i in range(1, len(parts)):
            self._sections.add(".".join(parts[:i]))

    def _param(self, name, register_not_applicable=False):
        if name in self._params:
            return self._params[name]
        why = not_applicable_reason(name)
        if why is not None:
            if register_not_applicable:  # a Theano flag of a C/GPU section, set from anywhere
                self.add(ConfigParam(name, None, "Theano flag without effect in Hypatia: %s." % why, not_applicable=why))
                return self._params[name]
            raise AttributeError("[config] flag %r is not set: it has no effect in Hypatia (%s)" % (name, why))
        section = name.split(".")[0]
        close = difflib.get_close_matches(name, list(self._params), n=3)
        hint = (" (did you mean %s?)" % " or ".join(repr(c) for c in close)) if close else ""
        raise AttributeError(
            "[config] unknown configuration flag %r%s; expected one of the flags print(hypatia.config) "
            "lists%s" % (name, hint, "" if section not in self._sections else ", e.g. in section %r: %s" % (
                section, ", ".join(sorted(n for n in self._params if n.startswith(section + "."))))))

    # ---- reading and writing ----
    def _get(self, name):
        if name in self._sections and name not in self._params:
            return _Section(self, name)
        self._param(name)
        return self._values[name]

    def _set(self, name, value, source="code"):
        if name in self._sections and name not in self._params:
            raise AttributeError("[config] %s is a section of flags, not a flag; set %s.<flag>" % (name, name))
        p = self._param(name, register_not_applicable=True)
        v = p.filter(value)
        if p.not_applicable is not None and source != "restore":
            warnings.warn("[config] %s=%r (from %s) is accepted but has no effect: %s"
                          % (name, value, source, p.not_applicable), ConfigWarning, stacklevel=3)
        old = self._values[name]
        self._values[name] = v
        if p.apply is not None:
            try:
                p.apply(v)
            except Exception:
                self._values[name] = old
                raise

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._get(name)

    def __setattr__(self, name, value):
        if name == "blas":
            raise AttributeError("[config] blas is read-only: it reports the BLAS Hypatia was built with")
        self._set(name, value)

    def __getitem__(self, name):
        return self._get(name)

    def __setitem__(self, name, value):
        self._set(name, value)

    def __contains__(self, name):
        return name in self._params

    def __dir__(self):
        return sorted({n.split(".")[0] for n in self._params} | {"blas", "change_flags", "flags", "doc", "reset"})

    def flags(self):
        """The names of all flags (dotted for sections), sorted."""
        return sorted(self._params)

    def doc(self, name):
        """A flag's documentation, accepted values and default, as text."""
        p = self._param(name)
        return "%s\n    Doc:  %s\n    Accepts: %s\n    Default: %r" % (name, p.doc, p.expected(), p.default)

    def reset(self, name):
        """Sets a flag back to its default value."""
        self._set(name, self._param(name).default)

    @property
    def blas(self):
        """The BLAS behind dense products (read-only dict): build ('system' or 'scipy-openblas'),
        core (OpenBLAS's kernel set), config, threading, num_threads, cpu_has_avx2, forced_core
        (OPENBLAS_CORETYPE, '' if unset) and generic_fallback (True when an AVX2 CPU runs
        pre-AVX2 generic kernels)."""
        return _core.blas_info()

    def change_flags(self, *args, **kwargs):
        """Flags changed for a ``with`` block or a decorated function, then restored (Theano's
        change_flags): ``with config.change_flags(floatX='float32'): ...``. Dotted names go in
        a dict: ``change_flags({'NanGuardMode.nan_is_error': False})``.

        ``args`` is a dict of flag names to values. Raises AttributeError for an unknown flag
        and ValueError for a bad value, before anything changes.
        """
        return change_flags(*args, **kwargs)

    def __str__(self):
        out = []
        for name in sorted(self._params):
            p = self._params[name]
            accepts = ("(has no effect in Hypatia: %s)" % p.not_applicable) if p.not_applicable else "(%s)" % p.expected()
            out.append("%s %s\n    Doc:  %s\n    Value:  %r\n" % (name, accepts, p.doc, self._values[name]))
        return "\n".join(out)

    def __repr__(self):
        return "<hypatia.config: %d flags; print(config) lists them>" % len(self._params)


config = _Config()


class change_flags:
    """Sets flags for the duration of a ``with`` block, or of every call of a function it
    decorates, then restores the previous values (even when an exception is raised).
    Takes a dict and/or keyword arguments; every name and value is checked before anything
    changes.

    ``args`` is a dict (or an iterable of (name, value) pairs) of flag names to values, for
    names that are not identifiers such as ``'NanGuardMode.nan_is_error'``; the keyword
    arguments add more, and win over ``args``. Raises AttributeError for an unknown flag (or a
    section name), ValueError for a value the flag does not accept, both before any flag
    changes, and TypeError/ValueError (from ``dict``) when ``args`` is not a mapping or pairs.
    A Theano flag without effect here is accepted and raises ConfigWarning when set."""

    def __init__(self, args=(), **kwargs):
        changes = dict(args)
        changes.update(kwargs)
        for name, value in changes.items():
            config._param(name, register_not_applicable=True).filter(value)  # raises before any flag changes
        self._changes = changes
        self._saved = []

    def __enter__(self):
        saved = []
        try:
            for name, value in self._changes.items():
                saved.append((name, config._values[name]))
                config._set(name, value)
        except BaseException:
            self._restore(saved)
            raise
        self._saved.append(saved)
        return self

    def _restore(self, saved):
        for name, value in reversed(saved):
            config._set(name, value, "restore")

    def __exit__(self, *exc):
        self._restore(self._saved.pop())
        return False

    def __call__(self, f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            with self:
                return f(*args, **kwargs)
        return wrapper


# ---- sources: environment variables and rc files ----
def parse_flags_string(text, source="HYPATIA_FLAGS"):
    """The (flag, value) pairs of a THEANO_FLAGS-style string: comma-separated key=value; a key
    alone means key=True. ValueError for an empty key.

    ``text`` is the string; ``source`` names it in errors. Raises ValueError for an item that is
    not flag=value.
    """
    pairs = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key = key.strip()
        if not key:
            raise ValueError("[config] %s: expected flag=value pairs separated by commas, got %r" % (source, item))
        pairs.append((key, value.strip() if sep else "True"))
    return pairs


def rc_file_flags(path):
    """The (flag, value) pairs of a .hypatiarc/.theanorc file (ConfigParser format): [global]
    holds plain flags, [section] holds section.flag. A missing file gives none; ValueError for
    a file that does not parse.

    ``path`` is the file (or a list of files, read in order, as ConfigParser.read takes).
    Raises ValueError "[config] cannot parse config file ..." when the file is not valid
    ConfigParser syntax (UnicodeDecodeError, also a ValueError, for a file that is not text);
    a missing file raises nothing and gives [].
    """
    parser = _rcparser.RawConfigParser()
    parser.optionxform = str  # flag names are case-sensitive (floatX)
    try:
        if not parser.read(path):
            return []
    except _rcparser.Error as e:
        raise ValueError("[config] cannot parse config file %s: %s" % (path, str(e).splitlines()[0])) from None
    pairs = []
    for section in parser.sections():
        for key, value in parser.items(section):
            pairs.append((key if section == "global" else section + "." + key, value))
    return pairs


def load_from_environment(environ=None):
    """Sets flags from, lowest precedence first: the .theanorc files (THEANORC, default
    ~/.theanorc), the .hypatiarc files (HYPATIARC, default ~/.hypatiarc), THEANO_FLAGS, then
    HYPATIA_FLAGS. Within each, the right-most setting wins.

    ``environ`` is the environment mapping (os.environ when None). Raises ValueError naming the
    variable or file for a bad value, AttributeError for an unknown flag.
    """
    env = os.environ if environ is None else environ
    sources = []
    for var, default in (("THEANORC", "~/.theanorc"), ("HYPATIARC", "~/.hypatiarc")):
        value = env.get(var)
        paths = value.split(os.pathsep) if value else [default]
        for path in (os.path.expanduser(p) for p in paths if p):
            sources.append((path, rc_file_flags(path)))
    for var in ("THEANO_FLAGS", "HYPATIA_FLAGS"):
        if env.get(var):
            sources.append((var, parse_flags_string(env[var], var)))
    for source, pairs in sources:
        for name, value in pairs:
            try:
                config._set(name, value, source)
            except (AttributeError, ValueError, TypeError) as e:
                msg = str(e)
                if msg.startswith("[config] "):
                    msg = msg[len("[config] "):]
                raise ValueError("[config] %s: %s" % (source, msg)) from None


def default_mode():
    """The mode function() uses when given none: config.mode, where 'Mode' stands for
    config.optimizer ('fast_run' -> FAST_RUN, 'fast_compile' -> FAST_COMPILE, 'merge' -> only
    the merge passes, 'None' -> no rewriting), with config.optimizer_excluding, _including and
    _requiring added as -tag, +tag and &tag (Theano applies them to the default mode only).

    Raises ValueError when config.mode names no mode.
    """
    mode = config.mode
    if mode == "Mode":
        mode = {"fast_run": "FAST_RUN", "fast_compile": "FAST_COMPILE", "merge": "FAST_RUN&merge",
                "None": "None"}[config.optimizer]
    if not mode.startswith(("FAST_RUN", "FAST_COMPILE")):
        return mode  # None (nothing to add tags to), DebugMode, NanGuardMode
    for flag, sign in (("optimizer_excluding", "-"), ("optimizer_including", "+"), ("optimizer_requiring", "&")):
        for tag in filter(None, config[flag].split(":")):
            mode += sign + tag
    return mode


def warn_if_generic_blas():
    """Warns once (at import) when the BLAS fell back to generic kernels on an AVX2 CPU.

    Takes no arguments and raises nothing: it issues a BlasFallbackWarning (raised as an
    exception only under a warnings filter set to 'error') naming the fix, and returns None.
    """
    info = _core.blas_info()
    if not info["generic_fallback"]:
        return
    if info["forced_core"] and _core.is_generic_blas_core(info["forced_core"]):
        fix = "OPENBLAS_CORETYPE=%s in the environment asks for them" % info["forced_core"]
    elif info["build"] == "system":
        fix = "use a Hypatia built with HYPATIA_BLAS=scipy-openblas (what pip install does)"
    else:
        fix = "upgrade the scipy-openblas32 package"
    warnings.warn(
        "[hypatia] the %s BLAS runs its generic %r kernels on this AVX2 CPU, so dense products are "
        "several times slower than numpy's; %s" % (info["build"], info["core"], fix),
        BlasFallbackWarning, stacklevel=2)


register_flags(config, ConfigParam)
load_from_environment()
