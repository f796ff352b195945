"""theano.sparse.utils: hash_from_sparse, a stable hash of a sparse matrix value."""
import hashlib

import numpy as np
import scipy.sparse as _sp


def hash_from_code(msg):
    """Theano's hash_from_code: 'm' + the SHA-256 hex digest of a string or a buffer.

    ``msg`` is a str (hashed as UTF-8), a numpy array (hashed as its contiguous bytes) or any
    other object with the buffer protocol (bytes, bytearray, memoryview). Raises TypeError for
    anything else, and UnicodeEncodeError for a str with lone surrogates.
    """
    if isinstance(msg, str):
        msg = msg.encode()
    elif isinstance(msg, np.ndarray):
        msg = np.ascontiguousarray(msg)
    return "m" + hashlib.sha256(msg).hexdigest()


def hash_from_sparse(data):
    """Theano's hash_from_sparse: a SHA-256 based hash of a csr/csc matrix's data, indices,
    indptr, shape, dtype and format. Stable across processes; equal for matrices stored with
    equal arrays (the storage counts, as in Theano: sorting indices or changing the index dtype
    changes the hash).

    ``data`` is the scipy csr or csc matrix (matrix or array class). Raises TypeError for
    anything else (a dense array, or another sparse format such as coo).
    """
    if not _sp.issparse(data) or data.format not in ("csr", "csc"):
        raise TypeError("[hash_from_sparse] expected a scipy csr or csc matrix, got %s" % type(data).__name__)
    shape = tuple(int(s) for s in data.shape)
    return hash_from_code(hash_from_code(data.data) + hash_from_code(data.indices) + hash_from_code(data.indptr)
                          + hash_from_code(str(shape)) + hash_from_code(str(data.dtype))
                          + hash_from_code(data.format))
