"""Test values (Theano's compute_test_value): with config.compute_test_value other than 'off',
each node is computed on its inputs' ``tag.test_value`` as soon as it is built, so a shape
error surfaces at graph-build time, naming the user's line that built the node.

'ignore' skips nodes with an input lacking a test value, 'warn' warns about it, 'raise'
raises ValueError, 'pdb' reports it and enters the debugger; a failing computation always
raises. Constants and shared variables serve their own values as test values.
"""
import os
import traceback
import warnings

from .. import _core
from .mode import flag

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _mode():
    return str(flag("compute_test_value", "off"))


def _report(kind, message):
    if kind == "pdb":
        import pdb
        print(message)
        pdb.set_trace()
    else:
        warnings.warn(message, stacklevel=3)


def _location():
    for frame in reversed(traceback.extract_stack()[:-1]):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return 'File "%s", line %d, in %s\n    %s' % (frame.filename, frame.lineno, frame.name, (frame.line or "").strip())
    return ""


class VariableTag:
    """A variable's tag (Theano's Variable.tag): ``test_value`` is read and written through to
    the variable (the value lives with the variable, not with this view of it).

    ``var`` is the variable whose tag this is. Reading ``test_value`` raises AttributeError when none was set.
    """

    __slots__ = ("_var",)

    def __init__(self, var):
        object.__setattr__(self, "_var", var)

    @property
    def test_value(self):
        """The test value; AttributeError when the variable has none (as in Theano)."""
        v = _core.get_test_value(self._var)
        if v is None:
            raise AttributeError("[test_value] %s has no test value; expected one set with var.tag.test_value = ..." % (self._var,))
        return v

    @test_value.setter
    def test_value(self, value):
        _core.set_test_value(self._var, value)

    @test_value.deleter
    def test_value(self):
        _core.set_test_value(self._var, None)

    @property
    def trace(self):
        """Where user code created the variable (Theano's tag.trace): a list holding one list
        of (filename, line number, function, source line) tuples, outermost call first, of at
        most config.traceback.limit levels; [] when none was recorded (limit 0, a variable
        made while compiling without a replaced one to inherit from, or made from C++)."""
        import linecache
        frames = _core.creation_trace(self._var)
        if not frames:
            return []
        return [[(f, line, fn, linecache.getline(f, line).strip()) for f, line, fn in frames]]


def _tag(var):
    return VariableTag(var)


def get_test_value(v):
    """The test value of `v` (Theano's theano.gof.op.get_test_value); AttributeError if none.

    ``v`` is a variable, or a value that becomes a tensor constant (whose test value is the
    value itself). Raises AttributeError when the variable has no test value (constants and
    shared variables always have one) and TypeError when ``v`` is not a variable and does not
    convert to a tensor (a scipy sparse matrix, say).
    """
    if not isinstance(v, _core.Variable):
        v = _core.tensor.as_tensor_variable(v)
    return VariableTag(v).test_value


def get_debug_values(*args):
    """[(value, ...)] with the test value of each argument when compute_test_value is on and
    all have one; [] otherwise (Theano's theano.gof.op.get_debug_values).

    Raises AttributeError when compute_test_value is 'raise' and an argument has no test value.
    """
    if _mode() == "off":
        return []
    try:
        return [tuple(get_test_value(a) for a in args)]
    except AttributeError:
        if _mode() in ("raise", "pdb"):
            raise
        return []


_core.set_test_value_hooks(_mode, _report, _location)
_core.Variable.tag = property(_tag, doc="The variable's tag; tag.test_value is its test value (compute_test_value).")


def give_scan_step_test_values(args, seqs, infos, non_seqs):
    """Gives scan's inner step variables (`args`, in scan's order: each tap of each sequence,
    each tap of each fed-back output, the non-sequences) the test values of their first step,
    taken from the outer sequences (seq[tap - min(taps)]), initial states (init, or
    init[tap - min(taps)] with several taps) and non-sequences; nothing when test values are
    off or an outer value has none.

    ``seqs``, ``infos`` and ``non_seqs`` are the outer sequences, the outputs' initial-state
    infos and the non-sequences. Raises nothing: steps without a test value are left alone.
    """
    if _mode() == "off":
        return
    import numpy as np
    values = []
    for s, taps in seqs:
        tv = _core.get_test_value(s)
        for t in taps:
            values.append(None if tv is None else np.asarray(tv)[t - min(taps)])
    for init, taps in infos:
        if init is None:
            continue
        tv = _core.get_test_value(init)
        for t in taps:
            values.append(None if tv is None else tv if taps == [-1] else np.asarray(tv)[t - min(taps)])
    values.extend(_core.get_test_value(v) for v in non_seqs)
    if len(values) != len(args):
        return
    for a, v in zip(args, values):
        if v is not None and isinstance(a, _core.Variable) and _core.get_test_value(a) is None:
            try:
                _core.set_test_value(a, v)
            except (TypeError, ValueError):
                pass  # a value the inner type does not take: the node reports it as missing
