"""The one op-test harness (Python side).

check_op(fun, inputs, reference) builds ``fun`` on fresh variables typed like ``inputs``
and checks, in one call:
- values: FAST_RUN and unoptimised ("None") compiles both match ``reference(*inputs)``
  (numpy/scipy), including dtype;
- DebugMode: the FAST_RUN compile runs in DebugMode (each rewritten node against the
  unoptimised graph, destroy_map/view_map, every node's infer_shape, valid sparse outputs, a
  rerun, one extra compile for StochasticOrder) unless HYPATIA_HARNESS_DEBUGMODE=0;
- infer_shape: the final node's inferred shape evaluates to the real output shape (use
  non-square inputs, so that swapped axes show up);
- gradients: verify_grad with respect to every float input (structured for sparse inputs
  when ``structured=True``).
Sparse inputs (scipy csr/csc) get sparse variables; a sparse ``reference`` result requires a
sparse output of the same format (checked on the output variable's type too); a sparse output
is densified with a regular DenseFromSparse for verify_grad.
"""
import numpy as np
import scipy.sparse as sp

import os

import hypatia
from hypatia import _core
from hypatia.compile.debugmode import DebugMode


def fast_mode():
    """FAST_RUN in DebugMode (NaN/inf allowed: references may hold them), or plain FAST_RUN
    when HYPATIA_HARNESS_DEBUGMODE=0."""
    if os.environ.get("HYPATIA_HARNESS_DEBUGMODE") == "0":
        return "FAST_RUN"
    return DebugMode(stability_patience=1, check_isfinite=False)
from hypatia.gradient import verify_grad


def variable_like(value, name):
    if sp.issparse(value):
        return _core.SparseType(value.format, value.dtype.name)(name)
    value = np.asarray(value)
    return hypatia.tensor.tensor(value.dtype.name, (False,) * value.ndim, name)


def _as_dense(v):
    return v.toarray() if sp.issparse(v) else np.asarray(v)


def check_op(fun, inputs, reference, grad=True, structured=False, rtol=1e-6, atol=1e-8,
             grad_inputs=None, check_dtype=True):
    vars_ = [variable_like(v, "in%d" % i) for i, v in enumerate(inputs)]
    out = fun(*vars_)
    fast = hypatia.function(vars_, out, mode=fast_mode(), on_unused_input="ignore")
    raw = hypatia.function(vars_, out, mode="None", on_unused_input="ignore")
    want = reference(*inputs)
    got_fast, got_raw = fast(*inputs), raw(*inputs)
    if sp.issparse(want):
        assert out.type.kind == "sparse" and out.type.format == want.format, (str(out.type), want.format)
    for got in (got_fast, got_raw):
        if sp.issparse(want):
            assert sp.issparse(got), "expected a sparse result"
            assert got.format == want.format, (got.format, want.format)
            got.check_format(full_check=True)
        else:
            assert not sp.issparse(got), "expected a dense result"
        got_d, want_d = _as_dense(got), _as_dense(want)
        assert got_d.shape == want_d.shape, (got_d.shape, want_d.shape)
        if check_dtype:
            assert got_d.dtype == want_d.dtype, (got_d.dtype, want_d.dtype)
        np.testing.assert_allclose(got_d, want_d, rtol=rtol, atol=atol)
    shape = _core.tensor.infer_shape_of_node(out)
    if shape is not None:
        shape_fn = hypatia.function(vars_, list(shape), mode="None", on_unused_input="ignore")
        assert tuple(int(s) for s in shape_fn(*inputs)) == _as_dense(got_fast).shape
    if not grad:
        return got_fast
    if grad_inputs is None:
        grad_inputs = [i for i, v in enumerate(inputs)
                       if np.issubdtype((v.dtype if sp.issparse(v) else np.asarray(v).dtype), np.floating)]
    if not grad_inputs or not np.issubdtype(_as_dense(got_fast).dtype, np.floating):
        return got_fast

    def partial(*xs):
        args = list(vars_)
        for k, i in enumerate(grad_inputs):
            args[i] = xs[k]
        for i in range(len(args)):
            if i not in grad_inputs:
                args[i] = _core.tensor.constant(inputs[i]) if not sp.issparse(inputs[i]) else _core.sparse.constant(inputs[i])
        r = fun(*args)
        if r.type.kind == "sparse":
            r = _core.sparse.dense_from_sparse(r, False)
        return r

    verify_grad(partial, [inputs[i] for i in grad_inputs], rng=np.random.RandomState(7),
                structured=structured)
    return got_fast


def sparse_variants(fmt, shape, dtype, rng):
    """(label, matrix) pairs of one format, shape and dtype covering the storage cases every
    sparse op must handle: sorted, unsorted, explicit zeros, empty rows/cols, all zero, int64
    indices."""
    from hypatia import sparse as S
    out = []
    _, [m] = S.sparse_random_inputs(fmt, shape, out_dtype=dtype, rng=rng)
    out.append(("sorted", m))
    _, [m] = S.sparse_random_inputs(fmt, shape, out_dtype=dtype, p=0.8, unsorted_indices=True, rng=rng)
    out.append(("unsorted", m))
    _, [m] = S.sparse_random_inputs(fmt, shape, out_dtype=dtype, explicit_zero=True, rng=rng)
    out.append(("explicit zero", m))
    _, [m] = S.sparse_random_inputs(fmt, shape, out_dtype=dtype, p=0.15, rng=rng)
    out.append(("empty rows/cols", m))
    out.append(("all zero", (sp.csr_matrix if fmt == "csr" else sp.csc_matrix)(shape, dtype=dtype)))
    _, [m] = S.sparse_random_inputs(fmt, shape, out_dtype=dtype, rng=rng)
    m.indices = m.indices.astype(np.int64)
    m.indptr = m.indptr.astype(np.int64)
    out.append(("int64 indices", m))
    return out
