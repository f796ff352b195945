"""Theano's op classes over native ops: classes that build ops when called and answer isinstance.

Native ops reach Python as handles of one type (``hypatia._core.Op``), so a Theano program's
``isinstance(node.op, theano.sparse.StructuredDot)`` needs a class that recognises the handle.
A class whose metaclass is NativeOpClass names the C++ op classes it stands for in ``_native``
(every native op carries its class's key, ``op._class_key``, and ``_core.pickle.op_class_keys``
lists them by C++ name), and:

* ``isinstance(op, Cls)`` holds for the ops of its C++ classes and of its subclasses'
  (``isinstance(sum_op, CAReduce)``, as Sum subclasses CAReduce in Theano); ``issubclass`` is
  Python's own, over the classes as declared;
* where one C++ class stands for several Theano classes (``EqualSD`` and ``LessThanSD`` are one
  comparison op with a parameter), the op's printed class name (``op.name``) tells them apart;
* calling a class made by ``native_op_class`` with a factory returns the op, as Theano's
  constructor does (``StructuredDot()``, ``SpSum(axis=0)``); one made without (``Elemwise``)
  raises TypeError naming what builds it; a Python class (``Pool``) constructs itself.

``type(op) is Cls`` cannot hold (every handle has one Python type); Theano code tests with
isinstance.
"""
from . import _core

_registry = None


def _registered():
    global _registry
    if _registry is None:
        _registry = {cpp: (key, name) for key, name, cpp in _core.pickle.op_class_keys()}
    return _registry


class NativeOpClass(type):
    """Metaclass of Theano's op classes over native ops (see the module's docstring).

    ``_native`` in the class body lists C++ class names (``"hypatia::Sum"``), or ``(C++ name,
    printed name)`` pairs where the printed name must match too; a name that is not registered
    raises ValueError when the class is made, so a renamed op cannot silently stop matching.
    ``_isa`` (optional) lists every class whose isinstance also holds for these ops, where it
    is not simply the op classes this class derives from.
    """

    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        reg = _registered()
        own = []
        for entry in ns.get("_native", ()):
            cpp, printed = entry if isinstance(entry, tuple) else (entry, None)
            if cpp not in reg:
                raise ValueError("[%s] no native op class %s is registered" % (name, cpp))
            key, registered_name = reg[cpp]
            own.append((key, printed if printed and printed != registered_name else None))
        cls._matches = set(own)
        # The classes whose isinstance holds for this one's ops too: every op class it derives
        # from, or `_isa` where the Python hierarchy differs from Theano's (this module's
        # PoolGrad derives from Pool for its code; in Theano it does not, so it lists none).
        isa = ns["_isa"] if "_isa" in ns else [b for b in cls.__mro__[1:] if isinstance(b, NativeOpClass)]
        for base in isa:
            base._matches.update(own)

    def __call__(cls, *args, **kwargs):
        if "_factory" in cls.__dict__:
            return cls.__dict__["_factory"](*args, **kwargs)
        if "_build_hint" in cls.__dict__:
            raise TypeError("[%s] is not built by calling its class; %s" % (cls.__name__, cls._build_hint))
        return super().__call__(*args, **kwargs)

    def __instancecheck__(cls, obj):
        if isinstance(obj, _core.Op):
            key = obj._class_key
            return any(key == k and (name is None or obj.name == name) for k, name in cls._matches)
        return super().__instancecheck__(obj)


def native_op_class(name, factory=None, cpp="", bases=(), module=None, build_hint=None, doc=None):
    """The op class ``name`` over the C++ op class ``cpp`` (default ``hypatia::<name>``; a list
    for several, each a name or a (C++ name, printed name) pair; an empty list for none of its
    own, as CAReduceDtype, whose ops are its subclasses').

    ``factory`` builds the op when the class is called; without one, calling raises TypeError
    that says ``build_hint``. ``bases`` are the op classes it subclasses in Theano.
    """
    native = ["hypatia::" + name] if cpp == "" else [cpp] if isinstance(cpp, (str, tuple)) else list(cpp)
    ns = {"_native": native, "__module__": module or __name__}
    if factory is not None:
        ns["_factory"] = factory
    else:
        ns["_build_hint"] = build_hint or "the functions of its module build it"
    ns["__doc__"] = doc or (factory.__doc__ if factory is not None else None) or (
        "Theano's op class %s: isinstance(node.op, %s) holds for the nodes of its ops (and of its "
        "subclasses'). Calling the class raises TypeError: %s." % (name, name, ns["_build_hint"]))
    return NativeOpClass(name, tuple(bases) or (object,), ns)


def wrap_factories(namespace, module, cpp=None, skip=()):
    """Replaces each native op factory (a nanobind function with a capitalised name) in
    ``namespace`` with its op class. ``cpp`` maps the names whose C++ class is not
    ``hypatia::<name>`` (see native_op_class). Returns the names wrapped."""
    cpp = cpp or {}
    done = []
    for name, value in list(namespace.items()):
        if name[:1].isupper() and name not in skip and type(value).__name__ == "nb_func":
            namespace[name] = native_op_class(name, value, cpp.get(name, ""), module=module)
            done.append(name)
    return done
