"""Every function, class and method bound in hypatia._core (and its family submodules) carries a
docstring beyond nanobind's bare signature, so help() explains it."""
import inspect
import re
import types

import hypatia
from hypatia import _core


def _modules():
    yield "_core", _core
    for name, sub in vars(_core).items():
        if isinstance(sub, types.ModuleType):
            yield "_core." + name, sub


_SIGNATURE = re.compile(r"^\s*[\w<>.]*\(.*\)(\s*->\s*\S.*)?$")


def _text(obj):
    """The docstring without nanobind's signature lines ("name(args) -> ret")."""
    doc = getattr(obj, "__doc__", None) or ""
    return "\n".join(ln for ln in doc.strip().splitlines() if ln.strip() and not _SIGNATURE.match(ln))


def _undocumented():
    missing = []
    for mname, mod in _modules():
        for name, obj in vars(mod).items():
            if name.startswith("__") or isinstance(obj, types.ModuleType):
                continue
            if inspect.isclass(obj):
                if not _text(obj):
                    missing.append("%s.%s" % (mname, name))
                for attr, member in vars(obj).items():
                    if attr.startswith("__") and attr not in ("__call__", "__getitem__", "__setitem__", "__init__"):
                        continue
                    if callable(member) or isinstance(member, property):
                        if not _text(member):
                            missing.append("%s.%s.%s" % (mname, name, attr))
            elif callable(obj) and not _text(obj):
                missing.append("%s.%s" % (mname, name))
    return missing


def test_every_bound_callable_has_a_docstring():
    missing = _undocumented()
    assert not missing, "%d bound callables without a docstring: %s" % (len(missing), ", ".join(sorted(missing)))


def test_variable_operators_document_their_sparse_meaning():
    assert "sparse" in hypatia.Variable.__add__.__doc__ and "structured_dot" in hypatia.Variable.__dot__.__doc__
