"""A large sparse input's index check moves from the call boundary into the kernels that read the
indices (docs/semantics.md, "Validation"): bad indices still raise ValueError from every such
kernel, and the boundary keeps the full check wherever a consumer does not check."""
import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T


def _broken(fmt, at, shape=(700, 300), density=0.05, index_dtype=np.int32):
    m = sp.random(*shape, density=density, format=fmt, random_state=np.random.RandomState(3))
    m.indices = m.indices.astype(index_dtype)
    m.indptr = m.indptr.astype(index_dtype)
    m.indices[min(at, m.nnz - 1)] = shape[1] if fmt == "csr" else shape[0]
    return m


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("at", [0, 5000, 10**9])
def test_structured_dot_raises_on_a_bad_index_anywhere(fmt, dtype, index_dtype, at):
    x = S.matrix(fmt, "x", dtype=dtype)
    v, w = T.vector("v", dtype=dtype), T.matrix("w", dtype=dtype)
    fv = hypatia.function([x, v], S.structured_dot(x, v))
    fm = hypatia.function([x, w], S.structured_dot(x, w))
    m = _broken(fmt, at, index_dtype=index_dtype).astype(dtype)
    with pytest.raises(ValueError, match="out of range"):
        fv(m, np.ones(300, dtype=dtype))
    with pytest.raises(ValueError, match="out of range"):
        fm(m, np.ones((300, 5), dtype=dtype))
    good = sp.random(700, 300, density=0.05, format=fmt, random_state=np.random.RandomState(4)).astype(dtype)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(fm(good, np.ones((300, 5), dtype=dtype)), good @ np.ones((300, 5)), rtol=rtol)


def test_sampling_dot_checks_its_pattern():
    x, y, p = T.dmatrix("x"), T.dmatrix("y"), S.csr_matrix("p")
    f = hypatia.function([x, y, p], S.sampling_dot(x, y, p))
    with pytest.raises(ValueError, match="out of range"):
        f(np.ones((700, 4)), np.ones((300, 4)), _broken("csr", 9000))


def test_sums_check_only_the_indices_they_read():
    m = _broken("csr", 100)
    x = S.csr_matrix("x")
    # Row sums and the total never read the indices: they are the sums of the stored values.
    row_sums = np.array([m.data[a:b].sum() for a, b in zip(m.indptr[:-1], m.indptr[1:])])
    np.testing.assert_allclose(hypatia.function([x], S.sp_sum(x, axis=1))(m), row_sums)
    np.testing.assert_allclose(hypatia.function([x], S.sp_sum(x))(m), m.data.sum())
    with pytest.raises(ValueError, match="out of range"):
        hypatia.function([x], S.sp_sum(x, axis=0))(m)


def test_the_boundary_checks_when_a_consumer_does_not():
    m = _broken("csr", 10)
    x, v = S.csr_matrix("x"), T.dvector("v")
    for outs in ([S.structured_dot(x, v), S.dense_from_sparse(x)], [S.structured_dot(x, v), x]):
        f = hypatia.function([x, v], outs)
        with pytest.raises(ValueError, match="bad input argument.*out of range"):
            f(m, np.ones(300))
    f = hypatia.function([x, v], S.structured_dot(x, v), mode="DebugMode")
    with pytest.raises(ValueError, match="bad input argument.*out of range"):
        f(m, np.ones(300))
    # A structure fault (indptr) is always caught at the boundary.
    bad = m.copy()
    bad.indices[10] = 0
    bad.indptr[5] = bad.indptr[6] + 1
    f = hypatia.function([x, v], S.structured_dot(x, v))
    with pytest.raises(ValueError, match="bad input argument.*non-decreasing"):
        f(bad, np.ones(300))


@pytest.mark.parametrize("op", ["add", "mul"])
@pytest.mark.parametrize("fmt_b", ["csr", "csc"])
@pytest.mark.parametrize("density", [0.01, 0.1])
@pytest.mark.parametrize("at", [0, 5000, 10**9])
def test_sparse_add_and_mul_check_the_slices_they_merge(op, fmt_b, density, at):
    # Short slices (the AVX-512 path where the CPU has it) and long ones; b in the other format
    # is checked before it is converted. The sum and product of good operands match scipy's.
    x, y = S.csr_matrix("x"), S.matrix(fmt_b, "y")
    f = hypatia.function([x, y], getattr(S, op)(x, y))
    rs = np.random.RandomState(5)
    a = sp.random(700, 300, density=density, format="csr", random_state=rs)
    b = sp.random(700, 300, density=density, format=fmt_b, random_state=rs)
    want = (a + b) if op == "add" else a.multiply(b)
    np.testing.assert_allclose(f(a, b).toarray(), want.toarray(), rtol=1e-12)
    bad_a = _broken("csr", at, density=density)
    bad_b = _broken(fmt_b, at, density=density)
    for args in ((bad_a, b), (a, bad_b)):
        with pytest.raises(ValueError, match=r"^\[(AddSS|MulSS)\].*out of range"):
            f(*args)
