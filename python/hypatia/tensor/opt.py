"""hypatia.tensor.opt: registering users' own local rewrites into the standard phases
(theano.tensor.opt.register_canonicalize / register_stabilize / register_specialize)."""
from .. import _core
from ..gof import LocalOptimizer

__all__ = ["register_canonicalize", "register_stabilize", "register_specialize", "get_scalar_constant_value",
           "NotScalarConstantError"]


class NotScalarConstantError(Exception):
    """get_scalar_constant_value: the variable is not a constant of one value.

    Raised by get_scalar_constant_value when its argument is not a constant whose entries all
    hold one number (for example a symbolic input, or a constant with different entries).
    """


def get_scalar_constant_value(v):
    """The number a constant variable holds in every entry (theano.tensor.get_scalar_constant_value);
    NotScalarConstantError otherwise. Numbers and numpy values are accepted as they are.

    ``v`` is the variable (seen through DimShuffles) or the number or numpy value.

    Raises NotScalarConstantError when ``v`` is not a constant of one value; TypeError when ``v``
    is None or cannot become a tensor.
    """
    r = _core._scalar_constant_value(v)
    if r is None:
        raise NotScalarConstantError("[get_scalar_constant_value] %s is not a constant of one value" % (v,))
    return r


def _op_names(lopt):
    tracks = lopt.tracks()
    if tracks is None:
        return []
    names = []
    for t in tracks:
        if isinstance(t, type):
            names.append(t.__name__)
        elif isinstance(t, _core.Op):
            names.append(t.name)
        else:
            names.append(type(t).__name__)
    return names


def _register(phase, lopt, tags, kwargs):
    if isinstance(lopt, str):  # @register_canonicalize('tag', ...) form
        def register(inner):
            return _register(phase, inner, (lopt,) + tuple(tags), kwargs)
        return register
    if not isinstance(lopt, LocalOptimizer):
        raise TypeError("[register_%s] expected a local rewrite made with hypatia.gof.local_optimizer, got %r"
                        % (phase, lopt))
    name = kwargs.pop("name", None) or lopt.__name__
    _core._register_rewrite(phase, lopt, name, _op_names(lopt))
    return lopt


def register_canonicalize(lopt, *tags, **kwargs):
    """Adds a local rewrite to the canonicalize phase (FAST_RUN), from the next compile on.

    Usable as a decorator over ``@local_optimizer([...])``. Tags are accepted for Theano
    compatibility; ``name`` (default: the function's name) must be new in the phase.

    ``lopt`` is the local rewrite made with hypatia.gof.local_optimizer, or a first tag string
    (then a decorator that registers the function it is applied to is returned). Returns ``lopt``.

    Raises TypeError when ``lopt`` is neither a LocalOptimizer nor a string; ValueError when a
    rewrite of that ``name`` is already registered in the phase.
    """
    return _register("canonicalize", lopt, tags, kwargs)


def register_stabilize(lopt, *tags, **kwargs):
    """Adds a local rewrite to the stabilize phase (FAST_RUN); see register_canonicalize.

    ``lopt`` is the local rewrite made with hypatia.gof.local_optimizer, or a first tag string
    (then a decorator is returned); the tags and ``name`` are as in register_canonicalize.

    Raises TypeError when ``lopt`` is neither a LocalOptimizer nor a string; ValueError when a
    rewrite of that ``name`` is already registered in the phase.
    """
    return _register("stabilize", lopt, tags, kwargs)


def register_specialize(lopt, *tags, **kwargs):
    """Adds a local rewrite to the specialize phase (FAST_RUN); see register_canonicalize.

    ``lopt`` is the local rewrite made with hypatia.gof.local_optimizer, or a first tag string
    (then a decorator is returned); the tags and ``name`` are as in register_canonicalize.

    Raises TypeError when ``lopt`` is neither a LocalOptimizer nor a string; ValueError when a
    rewrite of that ``name`` is already registered in the phase.
    """
    return _register("specialize", lopt, tags, kwargs)
