"""Shapes of sparse graphs: csr_from_dense of a vector (1 x n, as scipy), specify_shape on
sparse variables, shapes that do not run the op (the CSM family included), and the round-trip
rewrites local_dense_from_sparse_of_sparse_from_dense and local_csm_properties_csm."""
import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T
from hypatia import function
from hypatia.gradient import verify_grad
from harness import check_op

FORMATS = ["csr", "csc"]
R = np.random.RandomState(7)


def _ops(f):
    return [str(n).split("(")[0].split("{")[0] for n in f.maker.fgraph.toposort()]


def _rand(fmt, shape, density=0.5):
    return sp.random(*shape, density=density, format=fmt, random_state=R, dtype="float64")


@pytest.mark.parametrize("fmt", FORMATS)
def test_from_dense_of_a_vector_is_one_row(fmt):
    v = np.array([0.0, 1.5, 0.0, -2.0, 3.0])
    build = S.csr_from_dense if fmt == "csr" else S.csc_from_dense
    ref = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
    assert ref(v).shape == (1, 5)  # scipy's rule
    # values, format, infer_shape and verify_grad back to the vector
    check_op(build, [v], lambda a: ref(a))
    x = T.dvector("x")
    s = build(x)
    got = function([x], s)(v)
    assert got.shape == (1, 5) and got.format == fmt
    g = T.grad(T.sum(S.dense_from_sparse(s) ** 2), x)
    assert g.ndim == 1
    np.testing.assert_allclose(function([x], g)(v), 2 * v)
    # a 0-d tensor gives 1 x 1 (Theano's dimshuffle('x', 'x')); 3-d raises naming the op
    a = T.dscalar("a")
    assert function([a], build(a))(2.0).shape == (1, 1)
    with pytest.raises(TypeError, match=r"^\[SparseFromDense\]"):
        build(T.dtensor3())


@pytest.mark.parametrize("fmt", FORMATS)
def test_specify_shape_on_sparse(fmt):
    x = S.matrix(fmt, "x", dtype="float64")
    y = T.specify_shape(x, (3, 5))
    assert y.type == x.type
    v = _rand(fmt, (3, 5))
    f = function([x], y)
    got = f(v)
    assert sp.issparse(got) and got.format == fmt
    np.testing.assert_array_equal(got.toarray(), v.toarray())
    with pytest.raises(ValueError, match=r"^\[SpecifyShape\]"):
        f(_rand(fmt, (5, 3)))
    # symbolic shape: infer_shape gives it without reading x
    r, c = T.lscalar("r"), T.lscalar("c")
    z = T.specify_shape(x, (r, c))
    sh = function([x, r, c], z.shape)
    assert "SpecifyShape" not in _ops(sh)
    assert sh(v, 7, 9).tolist() == [7, 9]
    assert function([x, r, c], z)(v, 3, 5).shape == (3, 5)
    # the gradient passes through
    cost = T.sum(S.dense_from_sparse(T.specify_shape(x, (3, 5))) ** 2)
    g = T.grad(cost, x)
    assert S.is_sparse_variable(g)
    ref = T.grad(T.sum(S.dense_from_sparse(x) ** 2), x)
    a, b = function([x], [g, ref])(v)
    np.testing.assert_allclose(a.toarray(), b.toarray())
    verify_grad(lambda m: S.dense_from_sparse(T.specify_shape(m, (3, 5))), [v],
                rng=np.random.RandomState(3), structured=True)


def _csm_grad_of(a):
    data, ind, ptr, shp = S.csm_properties(a)
    return [T.grad(T.sum(S.dense_from_sparse(S.CSR(data * 2, ind, ptr, shp))), data)]


# (name, builder over the inputs, inputs): the op named must not run to compute the shapes.
def _shape_rows():
    x, xc = _rand("csr", (3, 5)), _rand("csc", (3, 5))
    d = R.rand(5, 4)
    return [
        ("CSMProperties", lambda a: S.csm_properties(a), [x]),
        ("CSMProperties", lambda a: S.csm_properties(a), [xc]),
        ("CSM", lambda a, b, c, e: [S.CSR(a, b, c, e)],
         [x.data, x.indices, x.indptr, np.array(x.shape, dtype="int64")]),
        ("CSM", lambda a: [S.structured_exp(a)], [xc]),
        ("CSMGrad", _csm_grad_of, [x]),
        ("SparseFromDense", lambda a: [S.csc_from_dense(a)], [d]),
        ("StructuredDot", lambda a, b: [S.structured_dot(a, b)], [x, d]),
        ("Transpose", lambda a: [a.T], [x]),
    ]


@pytest.mark.parametrize("row", range(len(_shape_rows())))
def test_shape_of_sparse_ops_does_not_run_them(row):
    name, build, inputs = _shape_rows()[row]
    vars_ = [S.matrix(v.format, "in%d" % i, dtype=str(v.dtype)) if sp.issparse(v)
             else T.tensor(str(v.dtype), (False,) * v.ndim, "in%d" % i) for i, v in enumerate(inputs)]
    outs = build(*vars_)
    for k, o in enumerate(outs):
        real = np.shape(function(vars_, o, mode="None", on_unused_input="ignore")(*inputs))
        f = function(vars_, o.shape, on_unused_input="ignore")
        assert name not in _ops(f), (name, k, _ops(f))
        assert tuple(f(*inputs).tolist()) == tuple(real), (name, k)


@pytest.mark.parametrize("fmt", FORMATS)
def test_size_of_a_sparse_variable_runs_no_csm_properties(fmt):
    x = S.matrix(fmt, "x", dtype="float64")
    f = function([x], x.size)
    assert "CSMProperties" not in _ops(f)
    v = _rand(fmt, (4, 6))
    assert f(v) == v.nnz


@pytest.mark.parametrize("fmt", FORMATS)
def test_dense_from_sparse_of_from_dense_is_removed(fmt):
    build = S.csr_from_dense if fmt == "csr" else S.csc_from_dense
    m = T.fmatrix("m")
    out = S.dense_from_sparse(build(m))
    fast, raw = function([m], out), function([m], out, mode="None")
    assert "SparseFromDense" not in _ops(fast) and "DenseFromSparse" not in _ops(fast)
    assert "SparseFromDense" in _ops(raw)
    v = (R.rand(3, 5) * (R.rand(3, 5) < 0.5)).astype("float32")
    a, b = fast(v), raw(v)
    assert a.dtype == b.dtype == np.float32 and a.shape == b.shape == (3, 5)
    np.testing.assert_array_equal(a, b)
    # a vector: the 1 x n matrix, both ways
    x = T.dvector("x")
    ov = S.dense_from_sparse(build(x))
    fv, rv = function([x], ov), function([x], ov, mode="None")
    assert "SparseFromDense" not in _ops(fv)
    w = np.array([0.0, 2.0, -1.0])
    assert fv(w).shape == rv(w).shape == (1, 3)
    np.testing.assert_array_equal(fv(w), rv(w))


@pytest.mark.parametrize("fmt", FORMATS)
def test_csm_properties_of_csm_gives_its_inputs(fmt):
    x = S.matrix(fmt, "x", dtype="float64")
    y = S.structured_exp(S.structured_sigmoid(x))
    outs = [y] + list(S.csm_properties(y))
    fast, raw = function([x], outs), function([x], outs, mode="None")
    assert _ops(raw).count("CSM") == 2
    assert _ops(fast).count("CSM") == 1
    for v in [_rand(fmt, (3, 5)), _rand(fmt, (5, 3), 0.0), _rand(fmt, (4, 4), 0.9)]:
        a, b = fast(v), raw(v)
        np.testing.assert_array_equal(a[0].toarray(), b[0].toarray())
        for p, q in zip(a[1:], b[1:]):
            assert p.dtype == q.dtype and p.shape == q.shape
            np.testing.assert_array_equal(p, q)
    # arrays the graph cannot vouch for keep CSM's validation
    data, ind, ptr = T.dvector(), T.ivector(), T.ivector()
    shp = T.lvector()
    f = function([data, ind, ptr, shp], S.csm_properties(S.CSR(data, ind, ptr, shp))[0])
    assert "CSM" in _ops(f)
    with pytest.raises(ValueError, match=r"^\[CSM\]"):
        f(np.ones(2), np.array([0, 9], dtype="int32"), np.array([0, 1, 2], dtype="int32"), np.array([2, 3]))
