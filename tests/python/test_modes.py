"""Modes and checking (issue 11 section 2): Mode objects and get_mode, DebugMode, NanGuardMode,
ProfileStats and test values, with the manual's examples."""
import contextlib
import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import hypatia as theano
import hypatia.tensor as T
from hypatia import config
from hypatia.compile.mode import Mode, get_mode, FAST_RUN, FAST_COMPILE, register_mode
from hypatia.compile.debugmode import (DebugMode, DebugModeError, BadOptimization, BadThunkOutput, BadShape,
                                       InvalidValueError, StochasticOrder)
from hypatia.compile.nanguardmode import NanGuardMode
from hypatia.compile.profiling import ProfileStats
from hypatia.gof import local_optimizer
from hypatia.tensor.opt import register_canonicalize

_MISSING = object()


@contextlib.contextmanager
def flags(**kw):
    """Sets config flags for a block (config.change_flags when this build's config has it)."""
    change = getattr(theano.configparser, "change_flags", None) or getattr(config, "change_flags", None)
    if change is not None:
        with change(**kw):
            yield
        return
    old = {k: config.__dict__.get(k, _MISSING) for k in kw}
    config.__dict__.update(kw)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is _MISSING:
                config.__dict__.pop(k, None)
            else:
                config.__dict__[k] = v


def ops_of(f):
    return [str(n.op) for n in f.fgraph.toposort()]


# --- Mode objects -------------------------------------------------------------------------

def test_mode_objects_select_rewrites():
    x = T.dvector("x")
    outs = [T.exp(x) + 1, T.exp(x) + 1]
    none = theano.function([x], outs, mode=Mode(optimizer=None))
    merged = theano.function([x], outs, mode=Mode(optimizer="merge"))
    assert len(ops_of(none)) == 2 * len(ops_of(merged))  # the two copies merged into one
    # requiring a tag no rewrite carries leaves the graph as built
    req = theano.function([x], outs, mode=FAST_RUN.requiring("no_such_tag"))
    assert len(ops_of(req)) == len(ops_of(none))
    fused = theano.function([x], T.exp(x) * 2 + 1, mode=FAST_RUN)
    unfused = theano.function([x], T.exp(x) * 2 + 1, mode=FAST_RUN.excluding("fusion"))
    assert len(ops_of(fused)) < len(ops_of(unfused))
    for f in (none, merged, req):
        np.testing.assert_allclose(f(np.arange(3.0))[0], np.exp(np.arange(3.0)) + 1)
    assert FAST_RUN.excluding("fusion").mode_string() == "FAST_RUN-fusion"
    assert FAST_COMPILE.including("a").requiring("b").mode_string() == "FAST_COMPILE+a&b"
    assert "excluding" in repr(FAST_RUN.excluding("fusion"))
    with pytest.raises(ValueError, match=r"adds rewrite tags to None"):
        theano.function([x], x + 1, mode=Mode(optimizer=None).including("merge"))


def test_mode_linkers_and_errors():
    x = T.dvector("x")
    f = theano.function([x], x * 2, mode=Mode(linker="cvm_nogc", optimizer="fast_run"))
    np.testing.assert_allclose(f(np.ones(2)), [2, 2])
    with pytest.raises(ValueError, match=r"^\[Mode\] unknown linker 'jit'; expected one of"):
        Mode(linker="jit")
    with pytest.raises(ValueError, match=r"^\[Mode\] unknown optimizer 'fastest'"):
        Mode(optimizer="fastest")
    with pytest.raises(ValueError, match=r"^\[Mode.excluding\] expected rewrite tags"):
        FAST_RUN.excluding("")


def test_get_mode_names_and_strings():
    assert get_mode("FAST_RUN") is FAST_RUN and get_mode(FAST_COMPILE) is FAST_COMPILE
    assert isinstance(get_mode("DebugMode"), DebugMode) and isinstance(get_mode("DEBUG_MODE"), DebugMode)
    assert isinstance(get_mode("NanGuardMode"), NanGuardMode)
    assert get_mode("FAST_RUN-fusion-inplace").mode_string() == "FAST_RUN-fusion-inplace"
    assert get_mode("FAST_COMPILE+a&b-c").mode_string() == "FAST_COMPILE-c+a&b"
    assert get_mode("DebugMode-fusion").mode_string() == "FAST_RUN-fusion"
    assert isinstance(get_mode("Mode"), Mode) and get_mode("Mode").optimizer == "fast_run"
    assert get_mode(None).mode_string() == get_mode(config.mode).mode_string()
    with pytest.raises(ValueError, match=r"^\[get_mode\] unknown mode 'FAST'; expected FAST_RUN"):
        get_mode("FAST")
    with pytest.raises(ValueError, match=r"ProfileMode was removed"):
        get_mode("ProfileMode")
    register_mode("MY_MODE_T", FAST_RUN.excluding("inplace"))
    assert get_mode("MY_MODE_T").mode_string() == "FAST_RUN-inplace"
    with pytest.raises(ValueError, match=r"^\[register_mode\]"):
        register_mode("FAST_RUN", FAST_RUN)
    x = T.dscalar("x")
    assert theano.function([x], x + 1, mode="FAST_RUN-fusion")(1.0) == 2.0  # strings keep working


# --- DebugMode ----------------------------------------------------------------------------

def test_debugmode_manual_example():
    x = T.dscalar("x")
    f = theano.function([x], 10 * x, mode="DebugMode")
    assert f(5) == 50 and f(0) == 0 and f(7) == 70
    f = theano.function([x], 10 * x, mode=DebugMode(check_c_code=False))
    assert f(5) == 50


def test_debugmode_checks_dense_and_sparse_graphs():
    x = T.dmatrix("x")
    y = T.dmatrix("y")
    f = theano.function([x, y], [T.dot(x, y) + T.exp(x).sum(), (x * 2).T], mode=DebugMode(stability_patience=2))
    a, b = np.arange(6.0).reshape(2, 3), np.ones((3, 2))
    r = f(a, b)
    np.testing.assert_allclose(r[0], a @ b + np.exp(a).sum())
    s = theano.sparse.csr_matrix("s")
    g = theano.function([s, y], theano.sparse.structured_dot(s, y) * 2, mode="DebugMode")
    m = sp.random(4, 3, density=0.5, format="csr", random_state=1)
    np.testing.assert_allclose(g(m, b), (m @ b) * 2)


class BadShapeOp(theano.Op):
    __props__ = ()

    def make_node(self, x):
        return theano.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, out):
        out[0][0] = inputs[0] + 1

    def infer_shape(self, node, shapes):
        return [(shapes[0][0] + 1,)]


class Flaky(theano.Op):
    __props__ = ()
    calls = 0

    def make_node(self, x):
        return theano.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, out):
        Flaky.calls += 1
        out[0][0] = inputs[0] + Flaky.calls


class MakesNan(theano.Op):
    __props__ = ()

    def make_node(self, x):
        return theano.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, out):
        out[0][0] = inputs[0] * np.nan


class Doubler(theano.Op):
    """Rewritten (wrongly) into x * 3 by local_bad_doubler."""
    __props__ = ()

    def make_node(self, x):
        return theano.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, out):
        out[0][0] = inputs[0] * 2


@register_canonicalize
@local_optimizer([Doubler])
def local_bad_doubler(node):
    if isinstance(node.op, Doubler):
        return [node.inputs[0] * 3]
    return False


def test_debugmode_errors_name_the_first_offending_node():
    x = T.dvector("x")
    v = np.arange(3.0)
    cases = [(BadShapeOp, BadShape, "BadShape"), (Flaky, BadThunkOutput, "BadThunkOutput"),
             (MakesNan, InvalidValueError, "InvalidValue"), (Doubler, BadOptimization, "BadOptimization")]
    for op, cls, kind in cases:
        f = theano.function([x], T.exp(op()(x)), mode="DebugMode")
        with pytest.raises(cls) as e:
            f(v)
        msg = str(e.value)
        assert msg.startswith("[DebugMode] %s:" % kind), msg
        assert "Inputs shapes: [" in msg and "(3,)]" in msg
        assert isinstance(e.value, DebugModeError) and isinstance(e.value, ValueError)
        if op is not Doubler:
            assert "%s(x)" % op.__name__ in msg, msg
        theano.function([x], T.exp(op()(x)))(v)  # FAST_RUN does not check
    with pytest.raises(BadOptimization, match="user_rewrites_canonicalize"):  # the phase running it
        theano.function([x], Doubler()(x), mode="DebugMode")(v)
    # check_isfinite=False lets NaN through
    f = theano.function([x], MakesNan()(x), mode=DebugMode(check_isfinite=False))
    assert np.isnan(f(v)).all()


def test_debugmode_stochastic_order():
    mode = DebugMode(stability_patience=3)
    graphs = iter([["A"], ["A"], ["B"], ["A"]])

    class Fake:
        class fgraph:
            @staticmethod
            def toposort():
                return [type("N", (), {"op": g})() for g in next(graphs)]

    with pytest.raises(StochasticOrder, match=r"^\[DebugMode\] StochasticOrder"):
        mode.check_stability(lambda: Fake)
    with pytest.raises(ValueError, match=r"^\[DebugMode\] stability_patience"):
        DebugMode(stability_patience=-1)


# --- NanGuardMode -------------------------------------------------------------------------

def test_nanguardmode_manual_example():
    x = T.matrix()
    w = theano.shared(np.random.randn(5, 7).astype(config.floatX))
    y = T.dot(x, w)
    fun = theano.function([x], y, mode=NanGuardMode(nan_is_error=True, inf_is_error=True, big_is_error=True))
    fun(np.ones((3, 5), dtype=config.floatX))
    with np.errstate(over="ignore"):
        infa = np.tile((np.asarray(100.) ** 1000000).astype(config.floatX), (3, 5))
    with pytest.raises(AssertionError, match=r"^\[NanGuardMode\] Inf detected in input 0"):
        fun(infa)


def test_nanguardmode_names_the_node_dense_and_sparse():
    x = T.dvector("x")
    f = theano.function([x], T.log(x) * 2, mode=NanGuardMode(nan_is_error=True, inf_is_error=False, big_is_error=False))
    with pytest.raises(ValueError, match=r"^\[NanGuardMode\] NaN detected in output 0 of node .*log"):
        f(np.array([-1.0, 1.0]))
    f(np.array([0.0, 1.0]))  # -inf is allowed with inf_is_error=False
    s = theano.sparse.csr_matrix("s")
    g = theano.function([s], theano.sparse.sqrt(s), mode=NanGuardMode(nan_is_error=True, inf_is_error=True, big_is_error=True))
    ok = sp.csr_matrix(np.array([[0, 4.0], [1.0, 0]]))
    assert g(ok).toarray()[0, 1] == 2.0
    bad = sp.csr_matrix(np.array([[0, -4.0], [1.0, 0]]))
    with pytest.raises(ValueError, match=r"^\[NanGuardMode\] NaN detected in output 0 of node .*[Ss]qrt"):
        g(bad)
    big = sp.csr_matrix(np.array([[0, 1e30], [1.0, 0]]))
    with pytest.raises(ValueError, match=r"Big value detected in input 0"):
        g(big)


# --- Profiling ----------------------------------------------------------------------------

def test_profile_stats_per_class_op_node_memory_and_phases(capsys):
    x, y, z = T.dvectors("x", "y", "z")
    f = theano.function([x, y, z], [(x + y) * 2 + z], mode=FAST_RUN.excluding("fusion", "inplace"), profile=True,
                        name="profiled")
    v = np.ones(1000)
    for _ in range(3):
        f(v, v, v)
    assert isinstance(f.profile, ProfileStats)
    d = f.profile.as_dict()
    assert d["message"] == "profiled" and d["calls"] == 3
    assert set(d["compile_phases"]) == {"graph", "rewrite", "link"}
    assert "Elemwise" in d["op_classes"] and d["op_classes"]["Elemwise"]["nodes"] == len(d["nodes"]) == 3
    assert sum(e["nodes"] for e in d["ops"].values()) == 3
    assert all(n["output_bytes"] == 8000 for n in d["nodes"])
    assert 16000 <= d["memory"]["peak_bytes"] <= 24000
    assert json.loads(f.profile.to_json())["calls"] == 3
    assert f.profile.fct_callcount == 3 and f.profile.compile_time > 0 and len(f.profile.apply_time) == 3
    assert {"merge1", "canonicalize", "specialize", "merge3"} <= set(d["rewrite_phases"])
    f.profile.summary()
    assert "Memory Profile" not in capsys.readouterr().err  # config.profile_memory is off
    f.profile.summary(optimizer=True, memory=True)
    out = capsys.readouterr().err
    for section in ("Function profiling", "Message: profiled", "Class", "Ops", "Apply", "Memory Profile", "Elemwise{add",
                    "Optimizer Profile", "canonicalize"):
        assert section in out, out
    # one ProfileStats summing two functions
    stats = ProfileStats(atexit_print=False)
    g1 = theano.function([x], x * 2, profile=stats)
    g2 = theano.function([x], x + 2, profile=stats)
    g1(v), g2(v), g2(v)
    assert stats.as_dict()["functions"] == 2 and stats.fct_callcount == 3
    assert theano.function([x], x * 2).profile is None


def test_config_profile_prints_summary_at_exit(tmp_path):
    script = tmp_path / "prof.py"
    script.write_text(
        "import numpy as np, hypatia, hypatia.tensor as T\n"
        "from hypatia.compile.profiling import ProfileStats\n"
        "try:\n"
        "    hypatia.config.profile = True\n"
        "except AttributeError:\n"
        "    hypatia.config.__dict__['profile'] = True  # a config without the flag yet\n"
        "x = T.dvector('x')\n"
        "f = hypatia.function([x], T.exp(x) + 1, name='atexit_fn')\n"
        "f(np.ones(3))\n"
        "assert isinstance(f.profile, ProfileStats)\n")
    import os
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Function profiling" in r.stderr and "Message: atexit_fn" in r.stderr


# --- Test values --------------------------------------------------------------------------

def _manual_graph(tagged):
    W1 = theano.shared(np.random.rand(2, 10, 10), "W1")
    W2 = theano.shared(np.random.rand(15, 20), "W2")
    x = T.dmatrix("x")
    if tagged:
        x.tag.test_value = np.random.rand(5, 10)
    func_of_W1 = W1.dimshuffle(2, 0, 1).flatten(2).T
    h1 = T.dot(x, func_of_W1)  # line of the error
    return x, T.dot(h1, W2.T)


def test_test_values_manual_example_fails_at_build_time_naming_the_line():
    # off: the error surfaces only when the function runs
    with flags(compute_test_value="off"):
        x, h2 = _manual_graph(True)
        f = theano.function([x], h2)
        with pytest.raises(ValueError, match="Apply node that caused the error"):
            f(np.random.rand(5, 10))
    with flags(compute_test_value="warn"):
        with pytest.raises(ValueError) as e:
            _manual_graph(True)
    msg = str(e.value)
    assert msg.startswith("[compute_test_value] computing the test value of"), msg
    assert "test_modes.py" in msg and "h1 = T.dot(x, func_of_W1)" in msg, msg


def test_test_values_propagate_and_modes():
    x = T.dmatrix("x")
    x.tag.test_value = np.ones((2, 3))
    with flags(compute_test_value="raise"):
        y = (x * 2).sum(axis=0)
        np.testing.assert_allclose(y.tag.test_value, [4, 4, 4])
        c = x + theano.shared(np.full((2, 3), 5.0))  # shared variables serve their value
        assert c.tag.test_value[0, 0] == 6
        with pytest.raises(ValueError, match=r"^\[compute_test_value\] input 1 \(z\) of .* has no test value"):
            x + T.dmatrix("z")
        with pytest.raises(TypeError, match=r"^\[test_value\] the test value of v must fit its type"):
            T.dvector("v").tag.test_value = np.ones((2, 2))
    with flags(compute_test_value="warn"):
        with pytest.warns(UserWarning, match=r"^\[compute_test_value\] input 1"):
            x + T.dmatrix("z")
    with flags(compute_test_value="ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            r = x + T.dmatrix("z")
        with pytest.raises(AttributeError, match="has no test value"):
            r.tag.test_value
    with flags(compute_test_value="off"):
        with pytest.raises(AttributeError):
            (x * 3).tag.test_value


def test_test_values_pdb(monkeypatch):
    import pdb
    seen = []
    monkeypatch.setattr(pdb, "set_trace", lambda: seen.append(True))
    x = T.dmatrix("x")
    x.tag.test_value = np.ones((2, 2))
    with flags(compute_test_value="pdb"):
        x + T.dmatrix("z")
    assert seen == [True]


def test_test_values_through_scan_steps():
    x = T.dvector("x")
    x.tag.test_value = np.ones(2)
    s = T.dmatrix("s")
    s.tag.test_value = np.arange(6.0).reshape(3, 2)
    with flags(compute_test_value="raise"):
        xs, _ = theano.scan(lambda si, p: p * 2 + si, sequences=s, outputs_info=x)
        f = theano.function([s, x], xs)
        np.testing.assert_allclose(xs.tag.test_value, f(s.tag.test_value, x.tag.test_value))
        with pytest.raises(ValueError, match=r"(?s)not aligned.*test_modes.py.*lambda si, p: T.dot"):
            theano.scan(lambda si, p: T.dot(p, T.ones((3, 3))) + si, sequences=s, outputs_info=x)


def test_debugmode_over_updates_scan_ifelse_random_and_sparse():
    """A training loop with in-place updates, scan with its gradient, a lazy ifelse, random
    streams and sparse ops all run under DebugMode (no false alarms)."""
    from hypatia.ifelse import ifelse
    from hypatia.tensor.shared_randomstreams import RandomStreams
    th = theano
    mode = "DebugMode"
    # training loop with updates (in-place updates of shared variables)
    x = T.dmatrix("x"); y = T.ivector("y")
    W = th.shared(np.zeros((4, 3)), "W"); b = th.shared(np.zeros(3), "b")
    p = T.nnet.softmax(T.dot(x, W) + b)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    gW, gb = th.grad(cost, [W, b])
    train = th.function([x, y], cost, updates=[(W, W - 0.1 * gW), (b, b - 0.1 * gb)], mode=mode)
    X = np.random.rand(10, 4); Y = np.random.randint(0, 3, 10).astype("int32")
    c = [train(X, Y) for _ in range(5)]
    assert c[-1] < c[0], c
    # scan
    x0 = T.dvector("x0"); xs, _ = th.scan(lambda p: T.tanh(p * 0.5), outputs_info=x0, n_steps=4)
    g = th.grad(xs[-1].sum(), x0)
    f = th.function([x0], [xs, g], mode=mode); f(np.ones(3))
    # ifelse
    a, bb = T.dscalars("a", "b")
    f = th.function([a, bb], ifelse(T.lt(a, bb), a * 2, bb * 3), mode=mode); assert f(1, 2) == 2 and f(3, 2) == 6
    # random
    srng = RandomStreams(seed=3)
    u = srng.uniform((3,))
    f = th.function([], u + 1, mode=mode); r1 = f(); r2 = f(); assert not np.allclose(r1, r2)
    # sparse
    s = th.sparse.csc_matrix("s"); d = T.dmatrix("d")
    f = th.function([s, d], [th.sparse.dot(s, d), (s * 2).T], mode=mode)
    m = sp.random(5, 4, density=0.4, format="csc", random_state=0)
    f(m, np.ones((4, 2)))
