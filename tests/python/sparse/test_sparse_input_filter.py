"""Sparse inputs convert like Theano's SparseType.filter (docs/semantics.md, "Sparse values at the boundary"): any scipy format
or a dense 2-d array converts to the declared format, downcasts need allow_downcast, strict inputs
take only the exact format and dtype, and every path validates the index arrays."""
import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
from hypatia import In

DENSE = np.array([[1.0, 0, 2, 0], [0, 0, 0, 0], [0, 3, 0, 4]])
FORMATS = ["csr", "csc", "coo", "bsr", "lil", "dok", "dia"]
# Both scipy families: the *_matrix classes and the newer *_array ones.
CLASSES = [getattr(sp, "%s_%s" % (f, kind)) for f in FORMATS for kind in ("matrix", "array")
           if hasattr(sp, "%s_%s" % (f, kind))]


def _ident(fmt, dtype="float64", **in_kw):
    """A compiled identity on a sparse input declared as (fmt, dtype), with In options."""
    x = S.matrix(fmt, name="x", dtype=dtype)
    return hypatia.function([In(x, **in_kw)], x)


def _check(out, fmt, dtype, dense=DENSE):
    assert sp.issparse(out)
    assert out.format == fmt
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out.toarray(), dense.astype(dtype))


@pytest.mark.parametrize("declared", ["csr", "csc"])
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_scipy_format_converts_to_the_declared_one(cls, declared):
    f = _ident(declared)
    _check(f(cls(DENSE)), declared, "float64")


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix
@pytest.mark.parametrize("declared", ["csr", "csc"])
@pytest.mark.parametrize("make", [np.asarray, lambda d: d.tolist(), np.asfortranarray, lambda d: d.T.copy().T,
                                  np.asmatrix],
                         ids=["ndarray", "nested_list", "fortran", "strided", "np_matrix"])
def test_dense_2d_values_convert(declared, make):
    f = _ident(declared)
    out = f(make(DENSE))
    _check(out, declared, "float64")
    assert out.nnz == 4  # zeros are not stored


@pytest.mark.parametrize("bad", [np.ones(3), [1.0, 2.0], np.ones((2, 2, 2)), 3.0])
def test_dense_of_the_wrong_rank_is_a_type_error(bad):
    f = _ident("csr")
    with pytest.raises(TypeError, match=r"\[Sparse\[float64, csr\]\].*2-d"):
        f(bad)


@pytest.mark.parametrize("declared", ["csr", "csc"])
@pytest.mark.parametrize("src", ["int32", "float32", "int8", "bool"])
def test_safe_upcasts_convert(declared, src):
    f = _ident(declared, "float64")
    _check(f(sp.coo_matrix(DENSE.astype(src))), declared, "float64", DENSE.astype(src))
    _check(f(DENSE.astype(src)), declared, "float64", DENSE.astype(src))
    _check(f(sp.csc_matrix(DENSE.astype(src))), declared, "float64", DENSE.astype(src))


@pytest.mark.parametrize("declared", ["csr", "csc"])
@pytest.mark.parametrize("src", ["float64", "int64", "complex64"])
def test_downcasts_need_allow_downcast(declared, src):
    values = [sp.csr_matrix(DENSE.astype(src)), sp.csc_matrix(DENSE.astype(src)), sp.lil_matrix(DENSE.astype(src)),
              DENSE.astype(src)]
    f = _ident(declared, "float32")
    for v in values:
        with pytest.raises(TypeError, match=r"cannot store a value of dtype %s" % src):
            f(v)
    if src == "complex64":
        return  # no complex -> float cast, allowed or not, beyond what numpy's astype does
    for g in (_ident(declared, "float32", allow_downcast=True), _ident_allow_input_downcast(declared)):
        for v in values:
            _check(g(v), declared, "float32")


def _ident_allow_input_downcast(fmt):
    x = S.matrix(fmt, name="x", dtype="float32")
    return hypatia.function([x], x, allow_input_downcast=True)


def test_python_lists_follow_numpy_dtypes():
    # A nested list of Python floats is float64 (as scipy.sparse.csr_matrix(list) makes it): a
    # float32 input refuses it unless the downcast is allowed, exactly like a float64 array.
    with pytest.raises(TypeError, match="cannot store a value of dtype float64"):
        _ident("csr", "float32")(DENSE.tolist())
    _check(_ident("csr", "float32", allow_downcast=True)(DENSE.tolist()), "csr", "float32")
    _check(_ident("csc", "float64")(DENSE.astype(int).tolist()), "csc", "float64")


@pytest.mark.parametrize("declared", ["csr", "csc"])
def test_strict_inputs_take_only_the_exact_format_and_dtype(declared):
    f = _ident(declared, "float64", strict=True)
    exact = getattr(sp, declared + "_matrix")(DENSE)
    _check(f(exact), declared, "float64")
    if hasattr(sp, declared + "_array"):
        _check(f(getattr(sp, declared + "_array")(DENSE)), declared, "float64")
    other = "csc" if declared == "csr" else "csr"
    rejected = [getattr(sp, other + "_matrix")(DENSE), sp.coo_matrix(DENSE), sp.lil_matrix(DENSE), sp.dok_matrix(DENSE),
                exact.astype("float32"), exact.astype("int32"), DENSE, DENSE.tolist()]
    for v in rejected:
        with pytest.raises(TypeError, match=r"strict input takes only a %s matrix of dtype float64" % declared):
            f(v)
    # allow_downcast does not loosen strictness.
    g = _ident(declared, "float32", strict=True, allow_downcast=True)
    with pytest.raises(TypeError, match="strict"):
        g(exact)


def _bad_index_matrix(fmt):
    m = getattr(sp, fmt + "_matrix")(DENSE)
    m.indices[-1] = 50  # out of range in both formats; scipy does not check on construction
    return m


@pytest.mark.parametrize("declared", ["csr", "csc"])
@pytest.mark.parametrize("strict", [False, True])
def test_bad_indices_raise_value_error_strict_or_not(declared, strict):
    # A strict input used to skip validation: the kernel read out of bounds.
    # The sum over the outer axis scatters by the indices (the inner-axis sum never reads them:
    # docs/semantics.md, "Validation").
    x = S.matrix(declared, name="x")
    f = hypatia.function([In(x, strict=strict)], S.sp_sum(x, axis=0 if declared == "csr" else 1))
    with pytest.raises(ValueError, match="out of range"):
        f(_bad_index_matrix(declared))
    if not strict:  # the other format is validated before it is converted
        with pytest.raises(ValueError, match="out of range"):
            f(_bad_index_matrix("csc" if declared == "csr" else "csr"))


def test_strict_bad_indices_run_in_a_subprocess_do_not_crash():
    from test_crash_cases import run_snippet
    run_snippet("""
import numpy as np, scipy.sparse as sp, hypatia, hypatia.sparse as S
x = S.csr_matrix("x")
f = hypatia.function([hypatia.In(x, strict=True)], S.sp_sum(x, axis=0))
m = sp.csr_matrix(np.eye(3))
m.indices[:] = 10**9
f(m)
""", "ValueError", "out of range")


@pytest.mark.parametrize("declared", ["csr", "csc"])
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_set_value_of_a_sparse_shared_variable_converts_the_same_way(cls, declared):
    s = hypatia.shared(getattr(sp, declared + "_matrix")(np.zeros((3, 4))), name="s")
    s.set_value(cls(DENSE))
    _check(s.get_value(), declared, "float64")


def test_set_value_dense_dtypes_and_validation():
    s = hypatia.shared(sp.csc_matrix(np.zeros((3, 4), dtype="float32")), name="s")
    s.set_value(DENSE.astype("int8"))  # safe upcast
    _check(s.get_value(), "csc", "float32")
    with pytest.raises(TypeError, match="cannot store a value of dtype float64"):
        s.set_value(DENSE)  # shared variables never downcast (Theano's shared filter)
    with pytest.raises(ValueError, match="out of range"):
        s.set_value(_bad_index_matrix("csc").astype("float32"))
    with pytest.raises(TypeError, match="2-d"):
        s.set_value(np.ones(3, dtype="float32"))
    _check(s.get_value(), "csc", "float32")  # failed sets leave the value alone


def test_shared_from_a_matrix_with_bad_indices_is_refused():
    with pytest.raises(ValueError, match=r"\[shared\].*out of range"):
        hypatia.shared(_bad_index_matrix("csr"))


def test_type_filter_method_follows_the_same_rules():
    t = S.SparseType("csc", "float64")
    assert t.filter(sp.coo_matrix(DENSE)).format == "csc"
    assert t.filter(DENSE).format == "csc"
    with pytest.raises(TypeError, match="strict"):
        t.filter(sp.coo_matrix(DENSE), strict=True)
