"""Sphinx extension: writes the API reference pages (one per public module of `hypatia`) and holds the public-name and docstring rules that docs/check_docs.py enforces."""
import importlib
import inspect
import os
import pkgutil
import re
import types
import warnings

from page_files import write_if_changed

# Module-level constants (lists and sets of dtype names) cannot carry docstrings of their own.
CONSTANT_DOCS = {
    "all_dtypes": "Every dtype name the family accepts.",
    "complex_dtypes": "The complex dtype names (complex64, complex128).",
    "continuous_dtypes": "The float and complex dtype names.",
    "discrete_dtypes": "bool plus the integer dtype names.",
    "float_dtypes": "The float dtype names (tensors: float16 included; sparse: float32, float64).",
    "int_dtypes": "The signed integer dtype names.",
    "integer_dtypes": "The signed and unsigned integer dtype names.",
    "uint_dtypes": "The unsigned integer dtype names.",
    "sparse_formats": "The sparse formats, ``['csc', 'csr']``.",
    "M1": "The first modulus of the MRG31k3p generator, 2**31 - 1.",
    "M2": "The second modulus of the MRG31k3p generator, 2**31 - 21069.",
    "predefined_linkers": "Theano's linker names, accepted by ``Mode`` (all run Hypatia's one VM; the ``_nogc`` ones keep intermediates between calls).",
    "predefined_modes": "The mode names ``function(mode=...)`` accepts as they are, mapped to their ``Mode`` objects.",
    "predefined_optimizers": "Theano's optimizer names, mapped to the mode string each stands for.",
}
_CONST_TYPES = (int, float, str, tuple, list, dict, set, frozenset)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def in_tree_python():
    """python/ of this checkout when it holds a built extension (an in-tree build), else None."""
    import glob
    path = os.path.join(ROOT, "python")
    return path if glob.glob(os.path.join(path, "hypatia", "_core*.so")) else None


def use_in_tree_package():
    """Puts python/ first on sys.path when it holds a build; otherwise the installed package is used."""
    import sys
    path = in_tree_python()
    if path and path not in sys.path:
        sys.path.insert(0, path)


def public_modules():
    """Every importable public module of the package (no part starting with '_'), sorted."""
    import hypatia
    mods = {"hypatia": hypatia}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for info in pkgutil.walk_packages(hypatia.__path__, "hypatia."):
            if any(p.startswith("_") for p in info.name.split(".")[1:]):
                continue
            mods[info.name] = importlib.import_module(info.name)
    return dict(sorted(mods.items()))


def public_names(mod):
    """The public names of a module: its __all__, else every name without '_' that is not a
    module and, unless it is a plain constant, comes from hypatia (numpy's names do not count)."""
    names = getattr(mod, "__all__", None)
    explicit = names is not None
    if names is None:
        names = [n for n in dir(mod) if not n.startswith("_")]
    out = []
    for n in names:
        obj = getattr(mod, n)
        if isinstance(obj, types.ModuleType):
            continue
        if not isinstance(obj, _CONST_TYPES) and not explicit:
            owner = getattr(obj, "__module__", None) or ""
            if not owner.startswith("hypatia"):
                continue
        out.append(n)
    return sorted(set(out))


def kind_of(obj):
    if isinstance(obj, _CONST_TYPES):
        return "data"
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return "exception"
        return "class"
    if inspect.isroutine(obj) or type(obj).__name__ == "nb_func":
        return "function"
    return "data"


def canonical_homes(mods):
    """Maps id(object) -> the module whose page documents it in full: the module that defines
    it when public, else the shortest public module name that exports it."""
    homes = {}
    for modname, mod in sorted(mods.items(), key=lambda kv: (kv[0].count("."), len(kv[0]), kv[0])):
        for n in public_names(mod):
            obj = getattr(mod, n)
            if isinstance(obj, _CONST_TYPES):
                continue  # constants are documented wherever they appear
            owner = getattr(obj, "__module__", "") or ""
            key = id(obj)
            if owner in mods and hasattr(mods[owner], n) and getattr(mods[owner], n) is obj and n in public_names(mods[owner]):
                homes[key] = (owner, n)
            elif key not in homes:
                homes[key] = (modname, n)
    return homes


# ---- docstring rules -------------------------------------------------------------------------
_SIG_LINE = re.compile(r"^\s*[A-Za-z_][\w.]*\(.*\)(\s*->\s*.*)?$")


def split_doc(obj):
    """(signature lines nanobind wrote, the prose) of an object's own docstring."""
    doc = obj.__doc__ if inspect.isclass(obj) else (inspect.getdoc(obj) or "")
    doc = inspect.cleandoc(doc or "")
    if not isinstance(obj, types.FunctionType) and type(obj).__name__ == "nb_func":
        lines = doc.splitlines()
        sigs = []
        while lines and (_SIG_LINE.match(lines[0]) or not lines[0].strip()):
            if lines[0].strip():
                sigs.append(lines[0])
            lines.pop(0)
        return sigs, "\n".join(lines)
    return [], doc


def parameters(obj):
    """Names of the arguments a user passes (self, *args and **kwargs left out)."""
    target = obj.__init__ if inspect.isclass(obj) else obj
    names = []
    try:
        sig = inspect.signature(target)
        for p in sig.parameters.values():
            if p.name in ("self", "cls") or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            names.append(p.name)
        return names
    except (TypeError, ValueError):
        pass
    sigs, _ = split_doc(target if not inspect.isclass(obj) else obj)
    for s in sigs:
        inside = s[s.index("(") + 1:s.rindex(")")]
        for part in re.split(r",\s*(?![^\[\(]*[\]\)])", inside):
            part = part.strip()
            if not part or part.startswith("*") or part in ("self", "/"):
                continue
            names.append(re.split(r"[:=]", part)[0].strip())
    return list(dict.fromkeys(n for n in names if n and n != "self"))


def docstring_problems(obj):
    """What an object's docstring lacks: 'summary' (what it does), 'args: a, b' (arguments
    not named in the text), 'raises' (no word on what it raises). Empty when it is complete."""
    if kind_of(obj) == "data":
        return []
    sigs, prose = split_doc(obj)
    problems = []
    if len(prose.strip()) < 15:
        return ["summary"]
    words = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", prose))
    missing = [p for p in parameters(obj) if p not in words]
    if missing:
        problems.append("args: " + ", ".join(missing))
    if not re.search(r"\b[Rr]ais(e|es|ed|ing)\b", prose):
        problems.append("raises")
    return problems


def data_doc(name, obj):
    """The description of a module-level value: constants from CONSTANT_DOCS, graph types
    (``hypatia.tensor.dmatrix`` and its kin) from their type."""
    if isinstance(obj, _CONST_TYPES):
        return CONSTANT_DOCS.get(name, "") + f" Value: ``{sorted(obj) if isinstance(obj, (set, frozenset)) else obj!r}``."
    if type(obj).__name__ == "Type":
        return (f"The graph type ``{obj}``; calling it, ``{name}(name=None)``, makes a new symbolic "
                "variable of that type (raises nothing).")
    return inspect.cleandoc(type(obj).__doc__ or "")


def first_sentence(obj):
    """The docstring's first sentence, for the module's summary table."""
    _, prose = split_doc(obj)
    para = " ".join(prose.strip().split("\n\n")[0].split()).replace("``", "")
    m = re.match(r"(.+?\.)(\s|$)", para)
    return (m.group(1) if m else para)[:160]


def _escape(text):
    """Plain text as reStructuredText: markup characters taken literally."""
    return re.sub(r"([*`|_\\\[\]<>])", r"\\\1", text)


# ---- page generation -------------------------------------------------------------------------
def _module_page(modname, mod, homes):
    title = f"``{modname}``"
    parent, _, leaf = modname.rpartition(".")
    shadowed = bool(parent) and not isinstance(getattr(importlib.import_module(parent), leaf, None), types.ModuleType)
    lines = [title, "=" * len(title), "", f".. module:: {modname}"] + (["   :no-index:"] if shadowed else []) + \
            ["", f".. currentmodule:: {modname}", ""]
    summary = inspect.cleandoc(mod.__doc__ or "").split("\n\n")[0].strip()
    if summary:
        lines += [summary, ""]
    names = public_names(mod)
    aliases, full = [], []
    for n in names:
        obj = getattr(mod, n)
        if kind_of(obj) == "data":
            full.append(n)
            continue
        home = homes.get(id(obj))
        if home and home != (modname, n):
            aliases.append((n, home))
        else:
            full.append(n)
    table = [n for n in full if kind_of(getattr(mod, n)) != "data"]
    if table:
        lines += [".. list-table::", "   :widths: 30 70", ""]
        for n in table:
            role = {"class": "class", "exception": "exc"}.get(kind_of(getattr(mod, n)), "func")
            lines += [f"   * - :{role}:`~{modname}.{n}`", f"     - {_escape(first_sentence(getattr(mod, n)))}"]
        lines += [""]
    if aliases:
        lines += ["Also exported here, documented where they are defined:", ""]
        for n, (hm, hn) in aliases:
            lines += [f".. py:data:: {n}", "   :no-index-entry:", "", f"   Same object as :obj:`{hm}.{hn}`.", ""]
    for n in full:
        obj = getattr(mod, n)
        kind = kind_of(obj)
        if kind == "data":
            lines += [f".. py:data:: {n}", ""] + ["   " + l for l in data_doc(n, obj).splitlines()] + [""]
        elif kind in ("class", "exception"):
            lines += [f".. auto{kind}:: {n}", "   :members:", ""]
        else:
            lines += [f".. autofunction:: {n}", ""]
    return "\n".join(lines) + "\n"


def write_pages(app):
    out = os.path.join(app.srcdir, "api", "generated")
    os.makedirs(out, exist_ok=True)
    mods = public_modules()
    homes = canonical_homes(mods)
    index = []
    for modname, mod in mods.items():
        text = _module_page(modname, mod, homes)
        write_if_changed(os.path.join(out, modname + ".rst"), text)
        index.append(modname)
    toc = ["Modules", "=======", "", ".. toctree::", "   :maxdepth: 1", ""] + [f"   {m}" for m in index]
    write_if_changed(os.path.join(out, "index.rst"), "\n".join(toc) + "\n")


def setup(app):
    app.connect("builder-inited", write_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
