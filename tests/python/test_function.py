"""function(): argument checking, errors naming inputs and ops, aliasing rules, eval."""
import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia import In, Out, function, shared


def test_missing_extra_and_wrong_inputs_raise_clear_errors():
    x = T.dmatrix("x")
    y = T.dvector("y")
    f = function([x, y], x + y)
    with pytest.raises(TypeError, match="missing required input: y"):
        f(np.ones((2, 3)))
    with pytest.raises(TypeError, match="at most 2"):
        f(np.ones((2, 3)), np.ones(3), np.ones(3))
    with pytest.raises(TypeError, match=r'"y".*wrong number of dimensions'):
        f(np.ones((2, 3)), np.ones((2, 3)))
    v = T.fvector("v")
    g = function([v], v * 2)
    with pytest.raises(TypeError, match="loss of precision"):
        g(np.ones(3, dtype=np.float64))
    assert g(np.ones(3, dtype=np.float64).astype(np.float32)).dtype == np.float32
    g2 = function([v], v * 2, allow_input_downcast=True)
    assert g2(np.ones(3)).dtype == np.float32


def test_runtime_shape_error_reports_node_and_shapes():
    x = T.dvector("x")
    y = T.dvector("y")
    f = function([x, y], x + y)
    with pytest.raises(ValueError) as e:
        f(np.ones(3), np.ones(4))
    msg = str(e.value)
    assert msg.startswith("[Elemwise{add,no_inplace}]")
    assert "Apply node that caused the error" in msg
    assert "(3,)" in msg and "(4,)" in msg


def test_unused_input_modes():
    x, y = T.dscalars("x", "y")
    with pytest.raises(hypatia._core.UnusedInputError):
        function([x, y], x * 2)
    f = function([x, y], x * 2, on_unused_input="ignore")
    assert f(1, 2) == 2.0


def test_missing_input_raises():
    x, y = T.dscalars("x", "y")
    with pytest.raises(hypatia._core.MissingInputError):
        function([x], x + y)


def test_outputs_never_alias_inputs_unless_borrowed():
    x = T.dvector("x")
    f = function([x], x)
    a = np.arange(3.0)
    out = f(a)
    assert not np.shares_memory(out, a)
    s = shared(np.arange(3.0))
    g = function([], s)
    r = g()
    r[0] = 100.0
    assert s.get_value()[0] == 0.0


def test_shared_borrow_and_copy_semantics():
    a = np.arange(4.0)
    s = shared(a)
    a[0] = 9.0
    assert s.get_value()[0] == 0.0  # copied at creation
    s2 = shared(a, borrow=True)
    assert np.shares_memory(s2.get_value(borrow=True), a)
    v = s.get_value()
    v[1] = 7.0
    assert s.get_value()[1] == 1.0
    with pytest.raises(TypeError):
        s.set_value(np.ones((2, 2)))
    assert s.get_value().shape == (4,)  # a failed set leaves the value unchanged


def test_keyword_and_positional_arguments():
    x, y = T.dscalars("x", "y")
    f = function([x, y], x - y)
    assert f(y=1, x=3) == 2.0
    with pytest.raises(TypeError, match="multiple values"):
        f(3, x=1)
    with pytest.raises(TypeError, match="unknown keyword"):
        f(3, z=1)


def test_outputs_and_list_results():
    x = T.dvector("x")
    f = function([x], [x * 2, x.sum()])
    a, b = f([1.0, 2.0])
    np.testing.assert_array_equal(a, [2.0, 4.0])
    assert b == 3.0
    g = function([x], Out(x * 2, borrow=True))
    np.testing.assert_array_equal(g([1.0]), [2.0])


def test_fast_compile_mode_gives_same_results():
    x = T.dmatrix("x")
    w = T.dmatrix("w")
    out = T.exp(T.dot(x, w)).sum(axis=0) * 2.0
    xv = np.random.RandomState(0).rand(3, 4)
    wv = np.random.RandomState(1).rand(4, 2)
    r1 = function([x, w], out, mode="FAST_RUN")(xv, wv)
    r2 = function([x, w], out, mode="FAST_COMPILE")(xv, wv)
    np.testing.assert_allclose(r1, r2)
    np.testing.assert_allclose(r1, np.exp(xv @ wv).sum(axis=0) * 2.0)


def test_deep_chain_compiles_and_runs():
    x = T.dscalar("x")
    y = x
    for _ in range(10000):
        y = y + 1.0
    f = function([x], y)
    assert f(0.0) == 10000.0


def test_variable_operators_and_methods():
    x = T.dmatrix("x")
    v = T.dvector("v")
    xv = np.arange(6.0).reshape(2, 3)
    vv = np.array([1.0, 2.0, 3.0])
    f = function([x, v], [x.T, x.shape, x @ v, x.dot(v), x.dimshuffle(1, 0), x.reshape((3, 2)),
                          x.sum(axis=1), x.mean(), -x, x ** 2, x / 2, 2 - x])
    outs = f(xv, vv)
    np.testing.assert_array_equal(outs[0], xv.T)
    np.testing.assert_array_equal(outs[1], [2, 3])
    np.testing.assert_allclose(outs[2], xv @ vv)
    np.testing.assert_allclose(outs[3], xv @ vv)
    np.testing.assert_array_equal(outs[4], xv.T)
    np.testing.assert_array_equal(outs[5], xv.reshape(3, 2))
    np.testing.assert_array_equal(outs[6], xv.sum(axis=1))
    assert outs[7] == xv.mean()
    np.testing.assert_array_equal(outs[8], -xv)
    np.testing.assert_array_equal(outs[9], xv ** 2)
    np.testing.assert_array_equal(outs[10], xv / 2)
    np.testing.assert_array_equal(outs[11], 2 - xv)


def test_dtype_promotion_and_comparisons():
    b = T.bvector("b")
    u = T.vector("u", dtype="uint8")
    assert (b + u).dtype == "int16"
    i, j = T.iscalars("i", "j")
    assert (i / j).dtype == "float64"
    assert (i < j).dtype == "bool"
    f = function([i, j], [i / j, i < j])
    q, c = f(3, 2)
    assert q == 1.5 and c.dtype == np.bool_ and bool(c) is False


def test_profile_summary_lists_nodes_by_time():
    x = T.dmatrix("x")
    e = T.exp(x)  # also an output, so the sum is not fused with it
    f = function([x], [e, e.sum()], profile=True)
    for _ in range(3):
        f(np.ones((20, 30)))
    text = f.profile_summary()
    assert text.startswith("Function profile: 3 calls")
    assert "Sum{acc_dtype=float64}" in text
    g = function([x], x * 2)
    assert "profiling is off" in g.profile_summary()


def test_in_out_and_options_are_bound_classes_with_theano_keywords():
    # In/Out/FunctionOptions are the C++ structs (no tuple protocol); keyword constructors
    # with Theano's names and defaults
    assert In is hypatia._core.In and Out is hypatia._core.Out
    x = T.dvector("x")
    i = In(x, name="a", value=np.ones(2), mutable=True)
    assert i.name == "a" and i.mutable and i.borrow and not i.strict and i.allow_downcast is None
    np.testing.assert_array_equal(i.value, np.ones(2))
    assert In(x).borrow is False and Out(x).borrow is False and Out(x, borrow=True).borrow
    with pytest.raises(TypeError, match=r"^\[In\]"):
        In(np.ones(2))
    o = hypatia.compile.FunctionOptions(mode="FAST_RUN-fusion", on_unused_input="ignore")
    assert o.mode == "FAST_RUN-fusion" and o.on_unused_input == "ignore" and o.profile is False
    with pytest.raises(ValueError, match="unknown mode"):
        hypatia.compile.FunctionOptions(mode="FAST")
    with pytest.raises(ValueError, match="on_unused_input"):
        hypatia.compile.FunctionOptions(on_unused_input="loud")


def test_bad_python_argument_names_input_and_function_once():
    # conversion errors are wrapped by Function::raise_bad_argument, the same as type errors
    x = T.dvector("x")
    f = function([x], x * 2, name="double")
    for bad in (np.array(["a"]), [[1.0, 2.0]]):  # a conversion error, a type error
        with pytest.raises(TypeError, match=r'bad input argument with name "x" to function with name "double" at index 0'):
            f(x=bad)
    assert f.input_names == ["x"]
