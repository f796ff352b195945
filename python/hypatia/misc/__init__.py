"""theano.misc: serialisation helpers (pkl_utils)."""
from . import pkl_utils  # noqa: F401
