"""theano.misc.pkl_utils: pickles in zip files with their arrays as .npy members, and safe loading.

``dump(obj, f)`` writes a zip file holding ``pkl`` (the pickle) and every numpy array reached
while pickling as a separate ``<name>.npy`` member, named after its shared variable when it
has a name (``foo``, then ``foo_2``, ...) and ``array_<n>`` otherwise, so ``numpy.load`` reads
the values without Hypatia. The zip comment records the Hypatia version and pickle format.

``load(f)`` refuses a file whose pickle format differs from this version's (naming both
versions) and unpickles with a restricted unpickler: it only instantiates Hypatia's own
rebuild functions, numpy arrays, dtypes and scalars, scipy.sparse matrices and a few inert
builtins, so a hostile file cannot run code (``pickle.UnpicklingError`` names the refused
global). Ops written in Python by users are therefore refused by ``load``; plain ``pickle``
loads them.
"""
import _compat_pickle
import io
import pickle
import zipfile

import numpy as np

from .. import _pickle

__all__ = ["dump", "load", "StripPickler", "CompatUnpickler", "PersistentNdarrayID",
           "PersistentSharedVariableID", "PersistentNdarrayLoad"]

_COMMENT_PREFIX = b"hypatia-pkl "


def _comment():
    return _COMMENT_PREFIX + ("%s format=%d" % (_pickle._version(), _pickle.PICKLE_FORMAT)).encode()


class PersistentNdarrayID:
    """persistent_id for dump: writes each numpy array to the zip file as ``<name>.npy`` (once
    per array object) and returns ``'ndarray.<name>'``; other objects are pickled normally.

    ``zip_file`` is the open, writable ``zipfile.ZipFile`` the arrays go into. Making one
    raises nothing; calling it raises what writing the zip member raises (OSError, ValueError
    for a closed zip file).
    """

    def __init__(self, zip_file):
        self.zip_file = zip_file
        self.count = 0
        self.seen = {}

    def _resolve_name(self, obj):
        """array_<n>: the n-th array without a better name."""
        name = "array_%d" % self.count
        self.count += 1
        return name

    def _unique(self, name):
        taken = set(self.zip_file.namelist())
        if name + ".npy" not in taken:
            return name
        i = 2
        while "%s_%d.npy" % (name, i) in taken:
            i += 1
        return "%s_%d" % (name, i)

    def __call__(self, obj):
        if type(obj) is np.ndarray and obj.dtype != object:
            if id(obj) not in self.seen:
                name = self._unique(self._resolve_name(obj))
                with self.zip_file.open(name + ".npy", "w") as f:
                    np.lib.format.write_array(f, obj, allow_pickle=False)
                self.seen[id(obj)] = (name, obj)  # keeps obj alive, so its id stays unique
            return "ndarray." + self.seen[id(obj)][0]
        return None


class PersistentSharedVariableID(PersistentNdarrayID):
    """PersistentNdarrayID that names a shared variable's value after the variable (Theano's
    default for dump): ``foo`` for a variable named foo, ``foo_2`` for a second one.

    ``zip_file`` is the open, writable ``zipfile.ZipFile`` the arrays go into.
    ``allow_unnamed=False`` raises ValueError (while pickling) for a shared variable without a
    name; ``allow_duplicates=False`` raises ValueError for two shared variables with one name.
    Otherwise it raises what PersistentNdarrayID raises.
    """

    def __init__(self, zip_file, allow_unnamed=True, allow_duplicates=True):
        super().__init__(zip_file)
        self.name_of = {}
        self.allow_unnamed = allow_unnamed
        self.allow_duplicates = allow_duplicates

    def _resolve_name(self, obj):
        if id(obj) in self.name_of:
            name = self.name_of[id(obj)][0]
            if not self.allow_duplicates and name + ".npy" in self.zip_file.namelist():
                raise ValueError("[pkl_utils.dump] two shared variables are named %r: expected unique names "
                                 "(allow_duplicates=False)" % name)
            return name
        return super()._resolve_name(obj)

    def __call__(self, obj):
        if isinstance(obj, _pickle._SharedValue):
            if obj.name:
                self.name_of[id(obj.value)] = (obj.name, obj.value)
            elif not self.allow_unnamed:
                raise ValueError("[pkl_utils.dump] a shared variable has no name: expected every shared variable "
                                 "to be named (allow_unnamed=False)")
            return None
        return super().__call__(obj)


class PersistentNdarrayLoad:
    """persistent_load for load: reads ``'ndarray.<name>'`` back from the zip's ``<name>.npy``
    (without allowing pickled object arrays).

    ``zip_file`` is the open ``zipfile.ZipFile`` being loaded. Making one raises nothing;
    calling it raises pickle.UnpicklingError for a persistent id that is not
    ``'ndarray.<name>'`` or names no member of the zip file, and ValueError for a member that
    is not a valid .npy array or holds Python objects.
    """

    def __init__(self, zip_file):
        self.zip_file = zip_file
        self.cache = {}

    def __call__(self, persid):
        if not isinstance(persid, str) or not persid.startswith("ndarray."):
            raise pickle.UnpicklingError("[pkl_utils.load] unknown persistent id %r: expected 'ndarray.<name>'" % (persid,))
        name = persid[len("ndarray."):]
        if name not in self.cache:
            try:
                with self.zip_file.open(name + ".npy") as f:
                    self.cache[name] = np.lib.format.read_array(f, allow_pickle=False)
            except KeyError:
                raise pickle.UnpicklingError("[pkl_utils.load] the file has no member %s.npy, which its pickle "
                                             "refers to" % name) from None
        return self.cache[name]


# What load may instantiate: Hypatia's rebuild functions, numpy and scipy.sparse containers.
_SAFE_HYPATIA = {"_new_session", "_SharedValue", "_rebuild_var", "_rebuild_apply", "_rebuild_type", "_rebuild_op", "_rebuild_op_spec",
                 "_rebuild_fgraph", "_rebuild_function", "_rebuild_rng", "_rebuild_streams"}
_SAFE_GLOBALS = {
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("copyreg", "_reconstructor"), ("collections", "OrderedDict"),
    ("hypatia.tensor.shared_randomstreams", "RandomStreams"),
    ("hypatia.compile.builders", "OpFromGraph"), ("hypatia.printing", "Print"),
    ("hypatia.printing", "_PrintCall"), ("hypatia.printing", "_print_fn"),
    ("_codecs", "encode"),  # protocols 0 and 1 write bytes through it
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "complex"), ("builtins", "slice"),
    ("builtins", "range"), ("builtins", "bytearray"), ("builtins", "object"),
}
_SAFE_SPARSE = {"csr_matrix", "csc_matrix", "coo_matrix", "csr_array", "csc_array", "coo_array"}


def _allowed(module, name):
    # Protocols 0-2 name Python 2 modules (copy_reg, __builtin__); judge what they map to.
    if (module, name) in _compat_pickle.NAME_MAPPING:
        module, name = _compat_pickle.NAME_MAPPING[(module, name)]
    module = _compat_pickle.IMPORT_MAPPING.get(module, module)
    if module == "hypatia._pickle":
        return name in _SAFE_HYPATIA
    if (module, name) in _SAFE_GLOBALS:
        return True
    if module.startswith("numpy.dtypes") and name.endswith("DType"):
        return True  # numpy >= 1.25 pickles dtypes through their classes
    return (module == "scipy.sparse" or module.startswith("scipy.sparse._")) and name in _SAFE_SPARSE


class _SafeUnpickler(pickle.Unpickler):
    """An unpickler that instantiates only what _allowed accepts."""

    def find_class(self, module, name):
        if not _allowed(module, name):
            raise pickle.UnpicklingError(
                "[pkl_utils.load] refused to load global %s.%s: expected only Hypatia's own types, numpy and "
                "scipy.sparse (the file may be hostile)" % (module, name))
        return super().find_class(module, name)


def _check_version(zf):
    comment = zf.comment
    if not comment.startswith(_COMMENT_PREFIX):
        raise ValueError("[pkl_utils.load] not a file written by hypatia.misc.pkl_utils.dump: expected a zip "
                         "comment starting with %r" % _COMMENT_PREFIX.decode())
    fields = comment[len(_COMMENT_PREFIX):].decode("ascii", "replace").split()
    version = fields[0] if fields else "?"
    fmt = None
    for field in fields[1:]:
        if field.startswith("format="):
            fmt = field[len("format="):]
    if fmt != str(_pickle.PICKLE_FORMAT):
        raise ValueError("[pkl_utils.load] the file was written by Hypatia %s (pickle format %s), which Hypatia %s "
                         "(pickle format %d) cannot read" % (version, fmt, _pickle._version(), _pickle.PICKLE_FORMAT))


def dump(obj, file_handler, protocol=pickle.DEFAULT_PROTOCOL, persistent_id=PersistentSharedVariableID):
    """Pickles obj to a zip file (theano.misc.pkl_utils.dump): the member ``pkl`` holds the
    pickle and each numpy array a ``<name>.npy`` member (see the module docstring), so
    ``numpy.load(file)`` reads the arrays. ``persistent_id`` is a class built on the zip file.

    ``obj`` is what to pickle; ``file_handler`` is a path or a binary file object open for
    writing; ``protocol`` is the pickle protocol. Raises ValueError for an unknown protocol
    (and from PersistentSharedVariableID's checks), pickle.PicklingError or TypeError for an
    object that cannot be pickled, and OSError when the file cannot be written.
    """
    with zipfile.ZipFile(file_handler, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        buf = io.BytesIO()
        p = pickle.Pickler(buf, protocol=protocol)
        p.persistent_id = persistent_id(zf)
        p.dump(obj)
        zf.writestr("pkl", buf.getvalue())
        zf.comment = _comment()


def load(f, persistent_load=PersistentNdarrayLoad):
    """Loads a file written by dump (theano.misc.pkl_utils.load) with the restricted unpickler
    (see the module docstring); ValueError for a file of another pickle format, naming both
    versions; pickle.UnpicklingError for a global outside what load may instantiate.

    ``f`` is a path or a binary file object open for reading. ``persistent_load`` is a class
    built on the zip file that turns the pickle's persistent ids back into arrays. Raises
    ValueError for a zip file dump did not write or one of another pickle format,
    zipfile.BadZipFile for a file that is not a zip file, KeyError for a zip file without its
    ``pkl`` member, pickle.UnpicklingError for a refused global, a missing array or a damaged
    pickle, and OSError when the file cannot be read.
    """
    with zipfile.ZipFile(f, "r") as zf:
        _check_version(zf)
        with zf.open("pkl") as pf:
            u = _SafeUnpickler(pf)
            u.persistent_load = persistent_load(zf)
            return u.load()


class StripPickler(pickle.Pickler):
    """Theano's StripPickler: a Pickler that leaves out what only debugging needs. Hypatia never
    pickles a variable's tag (test values, creation traceback), so every Hypatia object is
    already stripped; ``extra_tag_to_remove`` is accepted for Theano compatibility.

    ``file`` is a binary file object open for writing; ``protocol`` is the pickle protocol
    (0, as Theano's default). Raises TypeError for a ``file`` without a ``write`` method and
    ValueError for a protocol above pickle.HIGHEST_PROTOCOL; ``dump`` raises what
    pickle.Pickler.dump raises (pickle.PicklingError, TypeError for an object that cannot be
    pickled).
    """

    def __init__(self, file, protocol=0, extra_tag_to_remove=None):
        super().__init__(file, protocol)
        self.tag_to_remove = ["trace", "test_value"] + list(extra_tag_to_remove or [])


class CompatUnpickler(pickle.Unpickler):
    """Theano's CompatUnpickler: an Unpickler for pickles written by Python 2 (pass
    ``encoding="latin1"`` for their numpy arrays); Python 2 module names are mapped.

    ``file`` is a binary file object open for reading; ``errors`` says how to treat bytes
    that do not decode in ``encoding`` (as bytes.decode: 'strict', 'replace', ...). Raises
    TypeError for a ``file`` without ``read`` and ``readline``; ``load`` raises what
    pickle.Unpickler.load raises (pickle.UnpicklingError for damaged data, EOFError for an
    empty file, UnicodeDecodeError for a string that does not decode with errors='strict').
    It is not restricted: only load files you trust (``load`` is the safe reader).
    """

    def __init__(self, file, *, encoding="ASCII", errors="strict"):
        super().__init__(file, fix_imports=True, encoding=encoding, errors=errors)
