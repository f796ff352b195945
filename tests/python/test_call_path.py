"""The Python call path of compiled functions (issue 13, item 5): arguments converted without the
buffer protocol still checked with the same errors, every numpy layout and scipy class accepted
as before, 0-d outputs as 0-d arrays, outputs fresh on every call, references released."""
import gc
import sys

import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T


def test_zero_d_outputs_are_zero_d_arrays_of_the_right_dtype():
    # Theano returns 0-d ndarrays for scalar outputs; so do we (not numpy scalars).
    for make, val, dtype in [(T.dscalar, 1.5, "float64"), (T.fscalar, np.float32(1.5), "float32"),
                             (T.lscalar, 3, "int64"), (T.bscalar, np.int8(3), "int8"),
                             (T.cscalar, np.complex64(1 + 2j), "complex64")]:
        a = make("a")
        f = hypatia.function([a], a + a)
        r = f(val)
        assert type(r) is np.ndarray and r.shape == () and r.dtype == np.dtype(dtype), (r, type(r))
        assert r == val + val
        assert r.flags.writeable and r.flags.c_contiguous
    x = T.dvector("x")
    s = hypatia.function([x], [T.sum(x), x > 1])
    total, mask = s(np.arange(3.0))
    assert type(total) is np.ndarray and total.shape == () and float(total) == 3.0
    assert mask.dtype == np.bool_ and mask.tolist() == [False, False, True]


def test_outputs_are_fresh_arrays_on_every_call_and_never_alias_inputs():
    x = T.dvector("x")
    f = hypatia.function([x], [x * 2, x])
    a = np.arange(4.0)
    r1, id1 = f(a)
    r2, id2 = f(a)
    assert not np.shares_memory(r1, r2)
    assert not np.shares_memory(id1, a) and not np.shares_memory(id2, a)
    r1[:] = -1
    np.testing.assert_array_equal(r2, np.arange(4.0) * 2)
    np.testing.assert_array_equal(a, np.arange(4.0))
    a0 = T.dscalar("a0")
    g = hypatia.function([a0], a0 * 2)
    s1, s2 = g(1.0), g(1.0)
    assert not np.shares_memory(s1, s2)


@pytest.mark.parametrize("make", [
    lambda a: a,                                   # C-contiguous
    lambda a: np.asfortranarray(a),                # Fortran order
    lambda a: a[::-1, ::2],                        # negative and non-unit strides
    lambda a: a.astype(">f8"),                     # big-endian: a native copy
    lambda a: np.ascontiguousarray(a).view(type("Sub", (np.ndarray,), {})),  # a subclass
    lambda a: a.astype(np.float32),                # upcast by filter
    lambda a: np.broadcast_to(a[:1], (4, 6)),      # zero stride, read-only
])
def test_every_numpy_layout_gives_the_same_result(make):
    x = T.dmatrix("x")
    f = hypatia.function([x], x * 2 + 1)
    base = np.arange(24.0).reshape(4, 6)
    arr = make(base)
    np.testing.assert_array_equal(f(arr), np.asarray(arr, dtype=np.float64) * 2 + 1)
    ro = base.copy()
    ro.flags.writeable = False
    np.testing.assert_array_equal(f(ro), base * 2 + 1)


def test_bad_arguments_raise_the_same_errors():
    x = T.dvector("x")
    f = hypatia.function([x], x + 1, name="fn")
    with pytest.raises(TypeError, match=r'^\[function\] bad input argument with name "x" to function with name "fn" at index 0 \(0-based\)'):
        f(np.arange(3, dtype=np.float32) + 0.5j)
    with pytest.raises(TypeError, match=r"bad input argument with name \"x\".*"):
        f(np.ones((2, 2)))  # wrong rank
    with pytest.raises(TypeError, match=r"bad input argument"):
        f(sp.csr_matrix(np.eye(3)))  # sparse for a dense input
    i = T.lvector("i")
    g = hypatia.function([i], i + 1)
    with pytest.raises(TypeError, match=r"bad input argument with name \"i\""):
        g(np.ones(3))  # float64 into int64 without allow_input_downcast
    with pytest.raises(TypeError, match=r"takes at most 1 argument"):
        g(np.ones(3, dtype=np.int64), np.ones(3, dtype=np.int64))
    a = T.fscalar("a")
    h = hypatia.function([a], a * 2)
    with pytest.raises(TypeError, match="bad input argument"):
        h(np.float64(1.5))  # a numpy float64 stays float64: no silent downcast
    assert h(1.5) == np.float32(3.0)  # a Python float takes the input's dtype (Theano)


def test_scipy_classes_and_reassigned_arrays():
    x = S.csr_matrix("x")
    y = T.dmatrix("y")
    f = hypatia.function([x, y], S.structured_dot(x, y))
    fs = hypatia.function([hypatia.In(x, strict=True), y], S.structured_dot(x, y))
    rng = np.random.RandomState(0)
    A = sp.random(6, 5, density=0.4, format="csr", random_state=rng)
    B = rng.randn(5, 3)

    class MyCsr(sp.csr_matrix):
        pass

    for m in [A, sp.csr_array(A), MyCsr(A), A.tocsc(), A.tocoo(), sp.csc_array(A)]:
        np.testing.assert_allclose(f(m, B), A.toarray() @ B)
    for m in [A, sp.csr_array(A)]:
        np.testing.assert_allclose(fs(m, B), A.toarray() @ B)
    with pytest.raises(TypeError, match="strict input"):
        fs(A.tocoo(), B)
    # The arrays of a matrix may be replaced or edited between calls: each call reads them anew.
    C = A.copy()
    f(C, B)
    C.data = C.data * 3
    np.testing.assert_allclose(f(C, B), 3 * (A.toarray() @ B))
    C.data[:] = 1.0
    np.testing.assert_allclose(f(C, B), (A.toarray() != 0) @ B)
    C.indices[:] = 10**6
    with pytest.raises(ValueError, match="out of range"):
        f(C, B)


def test_arguments_and_outputs_release_their_references():
    x = T.dvector("x")
    f = hypatia.function([x], x * 2)
    a = np.arange(5.0)
    before = sys.getrefcount(a)
    for _ in range(50):
        f(a)
    gc.collect()
    assert sys.getrefcount(a) == before
    r = f(a)
    base = r.base
    assert base is not None  # the output's buffer is owned through its base
    del r
    gc.collect()
    # A buffer freed with its array: many calls do not accumulate memory.
    outs = [f(a) for _ in range(3)]
    assert all(o.base is not None for o in outs)


def test_moved_arguments_release_their_references_on_success_and_on_error():
    # The binding hands its converted arguments over to the call, which keeps each one as it is
    # (no copy) and hands it back to be released under the GIL: no reference may leak or be
    # dropped twice, whether the call succeeds or a later argument fails its check.
    x, y = S.csr_matrix("x"), T.dmatrix("y")
    f = hypatia.function([x, y], S.structured_dot(x, y))
    rng = np.random.RandomState(1)
    A = sp.random(7, 5, density=0.4, format="csr", random_state=rng)
    B = rng.randn(5, 3)
    arrays = [A.data, A.indices, A.indptr, B]
    before = [sys.getrefcount(a) for a in arrays]
    want = A.toarray() @ B
    for _ in range(40):
        np.testing.assert_allclose(f(A, B), want)
        np.testing.assert_allclose(f(A, y=B), want)  # a keyword argument is copied, not moved
    bad = A.copy()
    bad.indices[0] = 99  # out of range: found by the kernel, after both arguments moved in
    bad_arrays = [bad.data, bad.indices, bad.indptr]
    bad_before = [sys.getrefcount(a) for a in bad_arrays]
    for _ in range(20):
        with pytest.raises(ValueError, match="out of range"):
            f(bad, B)
        with pytest.raises(TypeError, match='bad input argument with name "y"'):
            f(A, np.ones((5, 3, 1)))  # the second argument fails after the first moved in
    gc.collect()
    assert [sys.getrefcount(a) for a in arrays] == before
    assert [sys.getrefcount(a) for a in bad_arrays] == bad_before
    # The matrices were only read.
    np.testing.assert_allclose(f(A, B), want)
    assert bad.indices[0] == 99
