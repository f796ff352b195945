"""Theano's op classes answer isinstance(node.op, Cls) for native ops, in Theano's hierarchy."""
import pickle

import numpy as np
import pytest
import scipy.sparse as sp

import hypatia
import hypatia.sparse as S
import hypatia.tensor as T
from hypatia import _op_class
from hypatia.ifelse import IfElse, ifelse
from hypatia.tensor import basic as TB, elemwise as TE, subtensor as TS
from hypatia.tensor.nnet import abstract_conv as AC
from hypatia.tensor.signal import pool as P

SPARSE_CLASSES = sorted(n for n in dir(S) if n[0].isupper() and isinstance(getattr(S, n), _op_class.NativeOpClass))


def _default_op(cls):
    try:
        return cls()
    except TypeError:
        return None  # the class needs parameters


def test_every_sparse_factory_is_a_class_whose_ops_are_its_instances_and_no_others():
    assert {"StructuredDot", "Dot", "EqualSS", "LessThanSD", "StructuredDotGradCSR", "SpSum", "Cast"} <= set(SPARSE_CLASSES)
    made = {n: _default_op(getattr(S, n)) for n in SPARSE_CLASSES}
    made = {n: op for n, op in made.items() if op is not None}
    assert len(made) >= 40
    for n, op in made.items():
        hits = [m for m in SPARSE_CLASSES if isinstance(op, getattr(S, m))]
        assert hits == [n], (n, hits)


def test_sparse_builders_make_ops_of_their_theano_classes():
    x, z = S.csr_matrix("x"), S.csr_matrix("z")
    y = T.matrix("y")
    assert isinstance(S.structured_dot(x, y).owner.op, S.StructuredDot)
    assert not isinstance(S.structured_dot(x, y).owner.op, S.Dot)
    assert isinstance(S.dot(x, y).owner.op, S.Dot)
    assert not isinstance(T.dot(y, y).owner.op, S.Dot)  # the dense Dot is another class
    assert isinstance(T.dot(y, y).owner.op, TB.Dot)
    assert isinstance(S.sp_sum(x, axis=0).owner.op, S.SpSum)
    assert isinstance(S.cast(x, "float32").owner.op, S.Cast) and isinstance(S.Cast("float32"), S.Cast)
    lt = S.lt(x, z).owner.op
    assert isinstance(lt, S.LessThanSS) and not isinstance(lt, (S.EqualSS, S.LessThanSD, S.GreaterThanSS))
    assert isinstance(S.StructuredDotGradCSR(), S.StructuredDotGradCSR)
    assert not isinstance(S.StructuredDotGradCSR(), S.StructuredDotGradCSC)
    # The class still builds the op as Theano's constructor does, equal to the builder's.
    assert S.StructuredDot() == S.structured_dot(x, y).owner.op
    assert S.basic.StructuredDot is S.StructuredDot


def test_compiled_graph_nodes_are_found_by_class():
    x = S.csr_matrix("x")
    w = T.matrix("w")
    f = hypatia.function([x, w], T.tanh(S.structured_dot(x, w)).sum(axis=1))
    ops = [n.op for n in f.maker.fgraph.toposort()]
    assert sum(isinstance(op, S.StructuredDot) for op in ops) == 1
    # tanh is fused into the sum: one reduction over a composite, which Theano calls a CAReduce.
    assert sum(isinstance(op, T.CAReduce) for op in ops) == 1 and not any(isinstance(op, T.Elemwise) for op in ops)
    a = sp.random(5, 4, density=0.5, format="csr", random_state=0)
    b = np.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(f(a, b), np.tanh(a @ b).sum(axis=1))
    g = hypatia.function([x, w], T.tanh(S.structured_dot(x, w)) * 2)
    assert [type(n.op).__name__ for n in g.maker.fgraph.toposort()] == ["Op", "Op"]  # one handle type...
    assert [isinstance(n.op, S.StructuredDot) for n in g.maker.fgraph.toposort()] == [True, False]
    assert [isinstance(n.op, T.Elemwise) for n in g.maker.fgraph.toposort()] == [False, True]  # ...told apart


def test_dense_classes_follow_theanos_hierarchy():
    x, v = T.matrix("x"), T.vector("v")
    op = lambda e: e.owner.op  # noqa: E731
    assert isinstance(op(x + v), T.Elemwise) and isinstance(op(x + v), TE.Elemwise)
    s = op(x.sum(axis=0))
    assert isinstance(s, T.Sum) and isinstance(s, TE.CAReduceDtype) and isinstance(s, T.CAReduce)
    assert not isinstance(s, (T.Prod, T.Elemwise, T.Max))
    m = op(x.max(axis=0))
    assert isinstance(m, T.Max) and isinstance(m, T.CAReduce) and not isinstance(m, TE.CAReduceDtype)
    assert issubclass(T.Sum, T.CAReduce) and issubclass(T.Prod, TE.CAReduceDtype) and not issubclass(T.Max, T.Sum)
    assert isinstance(op(x.T), TE.DimShuffle)
    assert isinstance(op(x[1:]), TS.Subtensor) and not isinstance(op(x[1:]), TS.IncSubtensor)
    assert isinstance(op(T.set_subtensor(x[1:], 0.0)), TS.IncSubtensor)
    assert isinstance(op(x.reshape((2, -1))), TB.Reshape)
    assert isinstance(op(T.nnet.softmax(x)), T.nnet.Softmax)
    # A fused loop is still an Elemwise (Theano's Elemwise{Composite}).
    f = hypatia.function([x], T.exp(x) * 2 + 1)
    (node,) = f.maker.fgraph.toposort()
    assert "Composite" in str(node.op) and isinstance(node.op, T.Elemwise)


def test_classes_without_a_python_constructor_say_what_builds_them():
    for cls in (T.Elemwise, T.Sum, TS.Subtensor, hypatia.scan_module.Scan):
        with pytest.raises(TypeError, match=r"^\[%s\] is not built by calling its class" % cls.__name__):
            cls()


def test_python_op_classes_match_their_native_nodes():
    img = T.tensor4("img")
    pooled = P.pool_2d(img, (2, 2), ignore_border=True)
    assert isinstance(pooled.owner.op, P.Pool) and not isinstance(pooled.owner.op, P.PoolGrad)
    grad = hypatia.grad(pooled.sum(), img)
    assert isinstance(grad.owner.op, P.MaxPoolGrad) and isinstance(grad.owner.op, P.PoolGrad)
    assert not isinstance(grad.owner.op, (P.Pool, P.AveragePoolGrad))
    assert isinstance(P.Pool(), P.Pool) and isinstance(P.MaxPoolGrad(), P.PoolGrad)  # Python instances too
    conv = T.nnet.conv2d(T.tensor4("a"), T.tensor4("b"))
    assert isinstance(conv.owner.op, AC.AbstractConv2d) and isinstance(conv.owner.op, AC.BaseAbstractConv)
    assert not isinstance(conv.owner.op, (AC.AbstractConv3d, AC.AbstractConv2d_gradWeights))
    out, _ = hypatia.scan(lambda a: a * 2, sequences=[T.vector("s")])
    assert isinstance(out.owner.op, hypatia.scan_module.Scan)
    c = T.scalar("c")
    assert isinstance(ifelse(c, T.vector("p"), T.vector("q")).owner.op, IfElse)


def test_user_python_ops_are_not_native_classes():
    from hypatia.compile.ops import as_op

    @as_op(itypes=[T.dvector], otypes=[T.dvector])
    def double(x):
        return x * 2

    node = double(T.dvector("u")).owner
    assert not isinstance(node.op, (T.Elemwise, S.StructuredDot))
    assert isinstance(node.op, hypatia.Op)


def test_classes_pickle_by_reference_and_unknown_native_names_fail_at_definition():
    for cls in (S.StructuredDot, S.EqualSD, T.Elemwise, T.Sum, P.MaxPoolGrad, AC.AbstractConv2d):
        assert pickle.loads(pickle.dumps(cls)) is cls
    with pytest.raises(ValueError, match=r"^\[Bogus\] no native op class hypatia::Bogus"):
        _op_class.native_op_class("Bogus")
