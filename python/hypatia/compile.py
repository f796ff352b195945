"""function, In, Out and shared: compiling graphs into callables (theano.function)."""
from collections import OrderedDict

from . import _core
from .configparser import config


class In:
    """A function input with options (theano.In): name, default value, update, borrow, ..."""

    def __init__(self, variable, name=None, value=None, update=None, mutable=None,
                 strict=False, allow_downcast=None, autoname=True, implicit=None,
                 borrow=None, shared=False):
        if not isinstance(variable, _core.Variable):
            raise TypeError("[In] expected a Variable, got %r" % (variable,))
        self.variable = variable
        self.name = name if name is not None else (variable.name if autoname else None)
        self.value = value
        self.update = update
        self.mutable = bool(mutable)
        self.strict = strict
        self.allow_downcast = allow_downcast
        self.borrow = bool(borrow) if borrow is not None else bool(mutable)
        self.implicit = implicit

    def _spec(self):
        value = self.value
        if isinstance(value, _core.Variable):
            raise TypeError("[In] value must be a number or an array, not a Variable")
        return (self.variable, self.name, value, self.update, self.mutable, self.borrow,
                self.strict, self.allow_downcast)


class Out:
    """A function output (theano.Out); borrow=True may return internal memory."""

    def __init__(self, variable, borrow=False):
        self.variable = variable
        self.borrow = borrow


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
            v = _core.as_tensor_variable(v) if what == "updates" else _core.constant(v)
        out.append((k, v))
    return out


def function(inputs, outputs=None, mode=None, updates=None, givens=None,
             no_default_updates=False, accept_inplace=False, name=None,
             rebuild_strict=True, allow_input_downcast=None, profile=None,
             on_unused_input=None):
    """Compile a callable computing ``outputs`` from ``inputs`` (theano.function).

    Returns one value when ``outputs`` is a single variable and a list when it is a list.
    ``updates`` (pairs or dict) replace shared variables' values after each call, all
    computed from the old values; ``givens`` substitute variables before compiling.
    """
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("[function] inputs must be a list or tuple of variables, got %r" % (inputs,))
    in_specs = []
    for i in inputs:
        if isinstance(i, In):
            in_specs.append(i._spec())
        elif isinstance(i, _core.Variable):
            in_specs.append((i, None, None, None, False, False, False, None))
        else:
            raise TypeError("[function] input %r is neither a Variable nor an In" % (i,))
    single = False
    if outputs is None:
        outs = []
    elif isinstance(outputs, (list, tuple)):
        outs = list(outputs)
    else:
        outs = [outputs]
        single = True
    out_specs = []
    for o in outs:
        if isinstance(o, Out):
            out_specs.append((o.variable, o.borrow))
        else:
            out_specs.append((o, False))
    mode = mode if mode is not None else config.mode
    if not isinstance(mode, str):
        mode = getattr(mode, "name", str(mode))
    return _core.compile_function(
        in_specs, out_specs, _pairs(updates, "updates"), _pairs(givens, "givens"),
        mode, name or "", on_unused_input or config.on_unused_input, allow_input_downcast, single,
        _no_default_updates(no_default_updates), bool(profile))


def _no_default_updates(flag):
    """Theano's no_default_updates: True ignores every shared variable's default_update.
    (A list of variables, which Theano also accepts, is not supported.)"""
    if isinstance(flag, (list, tuple)):
        raise NotImplementedError("[function] no_default_updates as a list of variables is not supported; pass True or False")
    return bool(flag)


def shared(value, name=None, strict=False, allow_downcast=None, borrow=False):
    """A variable whose value persists between calls and is shared by functions (theano.shared)."""
    return _core.shared(value, name, borrow)
