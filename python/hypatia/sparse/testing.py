"""Test helpers of the sparse module (theano.sparse.tests.test_basic's sparse_random_inputs and
theano.sparse.verify_grad_sparse)."""
import numpy as np
import scipy.sparse as _sp

from .. import _core
from ..configparser import config


def sparse_random_inputs(format, shape, n=1, out_dtype=None, p=0.5, gap=None,
                         explicit_zero=False, unsorted_indices=False, rng=None):
    """Random sparse variables and values for tests: returns ``(variables, data)``, two lists of n.

    ``format`` is 'csr' or 'csc'; ``out_dtype`` defaults to floatX; ``p`` is the probability that
    an entry is stored. ``gap``: None samples [0, 1) for floats and [0, 50) for integers; a
    1-tuple ``(b,)`` is an exclusive maximum; ``(a, b)`` samples from [a, b]. ``explicit_zero``
    sets one stored value of each matrix to 0; ``unsorted_indices`` makes the indices of every
    row (csr) / column (csc) with two or more entries unsorted. Complex values get a random
    imaginary part. ``rng`` (a numpy RandomState or Generator) defaults to numpy's global one.
    ``shape`` is the (rows, columns) of each matrix; ``n`` the number of matrices.

    Raises ValueError for a format other than 'csr' or 'csc', a shape without 2 entries, an
    ``unsorted_indices`` request when no row/column has two entries, or an ``explicit_zero``
    request for a matrix that drew no entries; TypeError for an ``out_dtype`` numpy does not
    know.
    """
    if format not in ("csr", "csc"):
        raise ValueError("[sparse_random_inputs] format must be 'csr' or 'csc', got %r" % (format,))
    if len(shape) != 2:
        raise ValueError("[sparse_random_inputs] shape must have 2 entries, got %r" % (shape,))
    out_dtype = np.dtype(config.floatX if out_dtype is None else out_dtype)
    rng = np.random if rng is None else rng
    random = rng.random_sample if hasattr(rng, "random_sample") else rng.random
    randint = rng.randint if hasattr(rng, "randint") else rng.integers
    discrete = out_dtype.kind in "iub"

    def _rand():
        where = rng.binomial(1, p, size=shape).astype("int8")
        if discrete:
            if not gap:
                value = randint(50, size=shape)
            elif len(gap) == 2:
                value = randint(gap[0], gap[1] + 1, size=shape)
            else:
                value = randint(gap[0], size=shape)
        else:
            if not gap:
                value = random(shape)
            elif len(gap) == 2:
                value = gap[0] + random(shape) * (gap[1] - gap[0])
            else:
                value = gap[0] * random(shape)
            if out_dtype.kind == "c":
                value = value + 1j * random(shape)
        return (where * value).astype(out_dtype)

    from . import matrix
    variables = [matrix(format, dtype=out_dtype.name) for _ in range(n)]
    cls = _sp.csr_matrix if format == "csr" else _sp.csc_matrix
    data = [cls(_rand(), dtype=out_dtype) for _ in range(n)]
    if unsorted_indices:
        for k, d in enumerate(data):
            d = d.copy()
            touched = False
            for o in range(len(d.indptr) - 1):
                b, e = d.indptr[o], d.indptr[o + 1]
                if e - b >= 2:
                    d.indices[b:e] = d.indices[b:e][::-1].copy()
                    d.data[b:e] = d.data[b:e][::-1].copy()
                    touched = True
            if not touched:
                raise ValueError("[sparse_random_inputs] can't make unsorted indices: no row/column has 2 entries; "
                                 "use a larger shape or p")
            d.has_sorted_indices = False
            data[k] = d
    if explicit_zero:
        for d in data:
            if d.nnz < 1:
                raise ValueError("[sparse_random_inputs] can't make a sparse matrix with explicit 0: it has no entries")
            d.data[randint(d.nnz)] = 0
    return variables, data


def verify_grad_sparse(op, pt, structured=False, *args, **kwargs):
    """verify_grad for ops with sparse inputs and/or outputs (theano.sparse.verify_grad_sparse).

    ``op`` is called on symbolic inputs typed like ``pt`` (scipy csr/csc matrices or numpy
    arrays). A sparse output is densified with a regular DenseFromSparse. With
    ``structured=True`` only the stored entries of sparse inputs are perturbed and compared
    (for structured gradients); otherwise every entry of their dense matrix is. Further
    arguments go to gradient.verify_grad (n_tests, rng, eps, abs_tol, rel_tol, mode, ...).

    Raises ValueError starting with '[verify_grad] GradientError' when the symbolic gradient
    disagrees with the finite differences, TypeError when ``op`` returns a list or tuple
    rather than one variable, and whatever building ``op`` on the inputs raises.
    """
    from ..gradient import verify_grad

    def fun(*xs):
        out = op(*xs)
        if isinstance(out, (list, tuple)):
            raise TypeError("[verify_grad_sparse] op must return one variable")
        if out.type.kind == "sparse":
            out = _core.sparse.dense_from_sparse(out, False)
        return out

    return verify_grad(fun, list(pt), *args, structured=structured, **kwargs)
