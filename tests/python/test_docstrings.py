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


def test_docstring_sentences_stay_out_of_error_messages():
    # The sentences added to the bindings' docstrings (what is raised) must not end up in the
    # op name an error message starts with, e.g. "[tensordot Raises TypeError ...]".
    import numpy as np
    import pytest
    import hypatia.sparse as S
    import hypatia.tensor as T
    m = T.dmatrix()
    cases = [(lambda: T.tensordot(m, m, axes=[[0], [0, 1]]), "[tensordot]"),
             (lambda: S.poisson(m), "[Poisson]"),
             (lambda: S.multinomial(2, m), "[Multinomial]"),
             (lambda: S.constant(np.ones((2, 2))), "[as_sparse_variable]"),
             (lambda: T.dot(S.csr_matrix(), m), "[dot]")]
    for build, prefix in cases:
        with pytest.raises((TypeError, ValueError)) as info:
            build()
        assert str(info.value).startswith(prefix), str(info.value)[:120]
