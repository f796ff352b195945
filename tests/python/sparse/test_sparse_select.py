"""Selection (x[i, j], x[a:b, c:d], x[int_vector], x[ind1, ind2]), hstack/vstack,
construct_sparse_from_list / sparse_grad and the random sparse ops, through the harness
against scipy.sparse / numpy."""
import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T
from hypatia.tensor.shared_randomstreams import RandomStreams
from harness import check_op, sparse_variants

FORMATS = ["csr", "csc"]
SHAPES = [(3, 5), (5, 3)]
R = np.random.RandomState(3)


def variants(fmt, shape, dtype):
    return sparse_variants(fmt, shape, dtype, R)


CASES = [(f, s, d, label, m) for f in FORMATS for s in SHAPES for d in ["float32", "float64"]
         for label, m in variants(f, s, d)]
IDS = ["%s-%dx%d-%s-%s" % (f, s[0], s[1], d, label) for f, s, d, label, _ in CASES]
TOL = {"float32": 1e-5, "float64": 1e-6}

SLICES = [
    (slice(1, None), slice(None, -1)),
    (slice(None, None, 2), slice(-1, None, -2)),
    (slice(-4, 4), slice(None, None, -1)),
    (slice(None, None, -2), slice(1, 100, 2)),
    (slice(2, 2), slice(None)),
    (slice(-100, None, 3), slice(3, 0, -1)),
]


@pytest.mark.parametrize("fmt,shape,dtype,label,m", CASES, ids=IDS)
def test_getitem_2d_slices(fmt, shape, dtype, label, m):
    for key in SLICES:
        check_op(lambda x: x[key], [m], lambda v: sp.csr_matrix(v.toarray()[key]).asformat(fmt), grad=False)
        check_op(lambda x: S.get_item_2d(x, key), [m], lambda v: sp.csr_matrix(v.toarray()[key]).asformat(fmt),
                 grad=False)
    # One slice: the columns are all taken.
    check_op(lambda x: x[1:], [m], lambda v: sp.csr_matrix(v.toarray()[1:]).asformat(fmt), grad=False)


def test_getitem_2d_symbolic_bounds():
    x = S.csr_matrix("x")
    a, b, s = T.iscalar("a"), T.lscalar("b"), T.iscalar("s")
    f = hypatia.function([x, a, b, s], x[a:b, ::s])
    m = sp.random(5, 4, density=0.6, format="csr", random_state=1)
    for args in [(-4, 4, 1), (0, 5, -1), (3, -1, 2)]:
        got = f(m, *args)
        assert sp.issparse(got) and got.format == "csr"
        np.testing.assert_array_equal(got.toarray(), m.toarray()[args[0]:args[1], ::args[2]])
    with pytest.raises(ValueError, match=r"^\[GetItem2d\]"):
        f(m, 0, 2, 0)


@pytest.mark.parametrize("fmt,shape,dtype,label,m", CASES, ids=IDS)
def test_getitem_scalar(fmt, shape, dtype, label, m):
    x = S.matrix(fmt, "x", dtype)
    i, j = T.lscalar("i"), T.iscalar("j")
    out = x[i, j]
    assert out.type.ndim == 0 and out.type.dtype == dtype
    f = hypatia.function([x, i, j], out)
    d = m.toarray()
    for r in range(-shape[0], shape[0]):
        for c in range(-shape[1], shape[1]):
            assert f(m, r, c) == d[r, c]
    assert hypatia.function([x], x[1, -1])(m) == d[1, -1]
    assert hypatia.function([x], S.get_item_scalar(x, (0, 2)))(m) == d[0, 2]
    with pytest.raises(IndexError, match=r"^\[GetItemScalar\]"):
        f(m, shape[0], 0)
    with pytest.raises(IndexError, match=r"^\[GetItemScalar\]"):
        f(m, 0, -shape[1] - 1)


@pytest.mark.parametrize("fmt,shape,dtype,label,m", CASES, ids=IDS)
def test_getitem_list_and_grad(fmt, shape, dtype, label, m):
    idx = np.array([2, 0, 2, -1, 1], dtype="int64")
    ref = lambda v, i: sp.csr_matrix(v.toarray()[i]).asformat(fmt)
    check_op(lambda x, i: x[i], [m, idx], ref, rtol=TOL[dtype], grad_inputs=[0])
    check_op(lambda x, i: S.get_item_list(x, i), [m, idx.astype("int32")], ref, rtol=TOL[dtype], grad_inputs=[0])
    # A Python list and a numpy array work as constant indices.
    x = S.matrix(fmt, "x", dtype)
    np.testing.assert_array_equal(hypatia.function([x], x[[1, 1, 0]])(m).toarray(), m.toarray()[[1, 1, 0]])


def test_getitem_list_grad_accumulates_repeats():
    for fmt in FORMATS:
        x = S.matrix(fmt, "x", "float64")
        cost = T.sum(S.dense_from_sparse(x[np.array([1, 1, 3])], structured=False))
        g = hypatia.grad(cost, x)
        assert g.type.kind == "sparse" and g.type.format == fmt
        m = sp.random(4, 3, density=0.5, format=fmt, random_state=2)
        want = np.zeros((4, 3))
        want[1] = 2
        want[3] = 1
        np.testing.assert_array_equal(hypatia.function([x], g)(m).toarray(), want)


@pytest.mark.parametrize("fmt,shape,dtype,label,m", CASES, ids=IDS)
def test_getitem_2lists_and_grad(fmt, shape, dtype, label, m):
    r = np.array([0, -1, 2, 0, 1])
    c = np.array([1, 2, -3, 1, 0])
    ref = lambda v, a, b: np.asarray(v.toarray()[a, b])
    check_op(lambda x, a, b: x[a, b], [m, r, c], ref, rtol=TOL[dtype], grad_inputs=[0])
    check_op(lambda x, a, b: S.get_item_2lists(x, a, b), [m, r, c], ref, rtol=TOL[dtype], grad_inputs=[0])


def test_getitem_errors():
    x = S.csr_matrix("x")
    for key in [(1, slice(0, 2)), (slice(0, 2), 1), (T.iscalar("i"), slice(None)), 1]:
        with pytest.raises(NotImplementedError, match=r"^\[GetItem2d\].*\[M:M\+1, N:O\]"):
            x[key]
    with pytest.raises(TypeError, match=r"^\[GetItemList\]"):
        S.get_item_list(x, np.array([0.5]))
    with pytest.raises(TypeError, match=r"^\[GetItemList\]"):
        S.get_item_list(T.dmatrix("d"), [0])
    with pytest.raises(TypeError, match=r"^\[GetItemScalar\]"):
        S.get_item_scalar(x, (0.5, 1))
    m = sp.random(3, 5, density=0.5, format="csr", random_state=0)
    with pytest.raises(IndexError, match=r"^\[GetItemList\]"):
        hypatia.function([x], x[[0, 3]])(m)
    with pytest.raises(IndexError, match=r"^\[GetItem2Lists\]"):
        hypatia.function([x], x[[0, 1], [0, 5]])(m)
    with pytest.raises(ValueError, match=r"^\[GetItem2Lists\]"):
        hypatia.function([x], x[[0, 1], [0]])(m)


@pytest.mark.parametrize("out_fmt", FORMATS)
@pytest.mark.parametrize("vertical", [False, True])
def test_hstack_vstack(out_fmt, vertical):
    a = sp.random(3, 5, density=0.6, format="csr", dtype="float32", random_state=1)
    if vertical:
        b = sp.csc_matrix((2, 5), dtype="float64")
        c = sp.random(4, 5, density=0.5, format="csc", random_state=2)
        fun, ref = S.vstack, sp.vstack
    else:
        b = sp.random(3, 2, density=0.5, format="csc", random_state=3)
        b.data[0] = 0  # an explicit zero
        c = sp.random(3, 4, density=0.5, format="csr", random_state=4)
        fun, ref = S.hstack, sp.hstack
    check_op(lambda *xs: fun(list(xs), format=out_fmt), [a, b, c],
             lambda *vs: ref(list(vs), format=out_fmt, dtype="float64"), rtol=1e-5)
    # dtype argument, default format csc.
    xs = [S.csr_matrix("x", "float32"), S.csr_matrix("y", "float32")]
    out = fun(xs)
    assert out.type.format == "csc" and out.type.dtype == "float32"
    out = fun(xs, format="csr", dtype="float64")
    assert out.type.format == "csr" and out.type.dtype == "float64"


def test_stack_errors():
    x, y = S.csr_matrix("x"), S.csr_matrix("y")
    f = hypatia.function([x, y], S.hstack([x, y]))
    with pytest.raises(ValueError, match=r"^\[HStack\]"):
        f(sp.csr_matrix((2, 3)), sp.csr_matrix((3, 3)))
    with pytest.raises(ValueError, match=r"^\[VStack\]"):
        S.vstack([])
    with pytest.raises(TypeError, match=r"^\[HStack\]"):
        S.hstack([x, T.dmatrix("d")])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_construct_sparse_from_list(dtype):
    il = np.array([3, 0, 3, -1])
    xs = np.zeros((5, 3), dtype=dtype)
    vals = R.rand(4, 3).astype(dtype)

    def ref(x, v, i):
        out = np.zeros(x.shape, dtype=dtype)
        np.add.at(out, i, v)
        return sp.csc_matrix(out)

    check_op(lambda x, v, i: S.construct_sparse_from_list(x, v, i), [xs, vals, il], ref, rtol=1e-5, grad_inputs=[1])
    with pytest.raises(TypeError, match=r"^\[ConstructSparseFromList\]"):
        S.construct_sparse_from_list(T.dvector(), T.dmatrix(), [0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sparse_grad(dtype):
    x = T.matrix("x", dtype=dtype)
    idx = T.lvector("idx")
    w = np.array([1.0, 2.0, 3.0], dtype=dtype)
    y = S.sparse_grad(x[idx])
    g = hypatia.grad(T.sum(y ** 2 * w), x)
    assert g.type.kind == "sparse", str(g.type)
    gd = hypatia.grad(T.sum(x[idx] ** 2 * w), x)
    assert gd.type.kind != "sparse"
    f = hypatia.function([x, idx], [g, gd])
    xv = np.arange(12, dtype=dtype).reshape(4, 3)
    gs, gdense = f(xv, np.array([2, 0, 2, -1]))
    assert sp.issparse(gs)
    np.testing.assert_allclose(gs.toarray(), gdense, rtol=1e-6)
    # The tensor module's sparse_grad (theano.sparse_grad) uses the builder registered at import.
    g2 = hypatia.grad(T.sum(T.sparse_grad(x[idx]) ** 2 * w), x)
    assert g2.type.kind == "sparse"
    np.testing.assert_allclose(hypatia.function([x, idx], g2)(xv, np.array([1, 1])).toarray(),
                               hypatia.function([x, idx], hypatia.grad(T.sum(x[idx] ** 2 * w), x))(xv, np.array([1, 1])))


# ---- probability ----

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_poisson(fmt, dtype):
    m = sp.random(40, 30, density=0.3, format=fmt, dtype=dtype, random_state=5)
    m.data = (m.data * 20 + 1).astype(dtype)
    x = S.matrix(fmt, "x", dtype)
    y1, y2, y3 = S.poisson(x, seed=42), S.poisson(x, seed=42), S.poisson(x)
    assert y1.type.format == fmt and y1.type.dtype == dtype
    f = hypatia.function([x], [y1, y2, y3])
    a, b, c = f(m)
    a2, _, c2 = f(m)
    assert a.format == fmt and a.dtype == dtype
    np.testing.assert_array_equal(a.toarray(), b.toarray())  # same seed, same draws
    assert not np.array_equal(a.toarray(), a2.toarray())  # the state advances
    assert not np.array_equal(c.toarray(), c2.toarray())  # unseeded draws differ
    d, md = a.toarray(), m.toarray()
    assert np.all(d[md == 0] == 0)
    assert np.all(d == np.floor(d))
    assert abs(d.sum() / md.sum() - 1) < 0.1
    # A RandomStreams: reproducible from its seed.
    r1, r2 = RandomStreams(3), RandomStreams(3)
    g = hypatia.function([x], [S.poisson(x, rng=r1), S.poisson(x, rng=r2)])
    u, v = g(m)
    np.testing.assert_array_equal(u.toarray(), v.toarray())
    with pytest.raises(TypeError, match=r"^\[Poisson\]"):
        S.poisson(T.dmatrix())
    # No gradient.
    with pytest.raises(Exception):
        hypatia.grad(T.sum(S.dense_from_sparse(S.poisson(x, seed=1))), x)


@pytest.mark.parametrize("name,fmt,dtype", [("csc_fbinomial", "csc", "float32"), ("csc_dbinomial", "csc", "float64"),
                                            ("csr_fbinomial", "csr", "float32"), ("csr_dbinomial", "csr", "float64")])
def test_binomial(name, fmt, dtype):
    op = getattr(S, name)
    n, p, shape = T.lscalar("n"), T.dscalar("p"), T.lvector("shape")
    y, y2 = op(n, p, shape, seed=7), op(n, p, shape, seed=7)
    assert y.type.format == fmt and y.type.dtype == dtype
    f = hypatia.function([n, p, shape], [y, y2])
    a, b = f(10, 0.3, [60, 50])
    assert a.format == fmt and a.dtype == dtype and a.shape == (60, 50)
    np.testing.assert_array_equal(a.toarray(), b.toarray())
    assert abs(a.toarray().mean() - 3.0) < 0.15
    assert not np.any(a.data == 0)
    c, _ = f(10, 0.3, [60, 50])
    assert not np.array_equal(a.toarray(), c.toarray())
    r = S.Binomial(fmt, dtype)(1, 0.5, [3, 4], rng=RandomStreams(1))
    assert hypatia.function([], r)().shape == (3, 4)
    with pytest.raises(TypeError, match=r"^\[Binomial\]"):
        op(0.5, p, shape)


@pytest.mark.parametrize("fmt", FORMATS)
def test_multinomial(fmt):
    pd = np.zeros((4, 4))
    pd[0, [0, 3]] = [0.2, 0.8]
    pd[1, 2] = 1.0
    pd[3, [0, 1, 3]] = [0.5, 0.25, 0.25]
    p = sp.csr_matrix(pd).asformat(fmt)
    pv, n = S.matrix(fmt, "p", "float64"), T.lvector("n")
    y, y2 = S.multinomial(n, pv, seed=3), S.multinomial(n, pv, seed=3)
    assert y.type.format == fmt
    f = hypatia.function([n, pv], [y, y2])
    a, b = f([1000, 7, 0, 400], p)
    assert a.format == fmt
    d = a.toarray()
    np.testing.assert_array_equal(d, b.toarray())
    np.testing.assert_array_equal(d.sum(axis=1), [1000, 7, 0, 400])
    assert np.all(d[pd == 0] == 0)
    assert abs(d[0, 3] / 1000 - 0.8) < 0.06
    # A scalar n is used for every row.
    q = sp.csr_matrix(pd[[0, 1, 3]]).asformat(fmt)
    g = hypatia.function([pv], S.multinomial(5, pv, seed=1))
    np.testing.assert_array_equal(g(q).toarray().sum(axis=1), [5, 5, 5])
    with pytest.raises(ValueError, match=r"^\[Multinomial\]"):
        f([1, 2], p)
    with pytest.raises(TypeError, match=r"^\[Multinomial\]"):
        S.multinomial(3, T.dmatrix())


def test_theano_names():
    for name in ["get_item_2d", "get_item_scalar", "get_item_list", "get_item_2lists", "GetItemList", "GetItemListGrad",
                 "GetItem2Lists", "GetItem2ListsGrad", "GetItemScalar", "GetItem2d", "hstack", "vstack", "HStack",
                 "VStack", "construct_sparse_from_list", "ConstructSparseFromList", "sparse_grad", "poisson",
                 "Poisson", "Binomial", "csc_fbinomial", "csc_dbinomial", "csr_fbinomial", "csr_dbinomial",
                 "multinomial", "Multinomial"]:
        assert hasattr(S, name), name
    x = S.csr_matrix("x")
    assert str(S.GetItemList()(x, [0]).owner.op) == "GetItemList"
