"""Pickling compiled functions (fresh-process round trip that keeps training) and misc.pkl_utils."""
import copy
import io
import os
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia.misc import pkl_utils
from hypatia.misc.pkl_utils import dump, load


def _logistic_regression(seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(40, 5)
    yv = (X[:, 0] + X[:, 1] > 0).astype("float64")
    x = T.dmatrix("x")
    y = T.dvector("y")
    w = hypatia.shared(np.zeros(5), name="w")
    b = hypatia.shared(0.0, name="b")
    p = T.nnet.sigmoid(T.dot(x, w) + b)
    cost = T.nnet.binary_crossentropy(p, y).mean()
    gw, gb = hypatia.grad(cost, [w, b])
    lr = T.dscalar("lr")
    train = hypatia.function([x, y, hypatia.In(lr, value=0.5)], cost, updates=[(w, w - lr * gw), (b, b - lr * gb)],
                             name="train")
    return train, w, b, X, yv


def test_function_roundtrip_same_outputs_and_shared_state():
    train, w, b, X, yv = _logistic_regression()
    for _ in range(3):
        train(X, yv)
    train2, w2 = pickle.loads(pickle.dumps((train, w), protocol=pickle.HIGHEST_PROTOCOL))
    np.testing.assert_array_equal(w2.get_value(), w.get_value())
    assert train2.name == "train"
    # Both continue identically, and the loaded function updates the loaded w (one object).
    for _ in range(3):
        assert train2(X, yv) == train(X, yv)
    np.testing.assert_array_equal(w2.get_value(), w.get_value())
    # ... and only it: the original's w is untouched by train2.
    before = w.get_value()
    train2(X, yv)
    np.testing.assert_array_equal(w.get_value(), before)


def test_function_options_survive():
    x = T.dvector("x")
    s = hypatia.shared(np.ones(2), name="s")
    s10 = hypatia.shared(np.full(2, 10.0), name="s10")
    c = T.dscalar("c")
    out = hypatia.Out(x * s + c, borrow=False)
    f = hypatia.function([x, hypatia.In(c, value=3.0, name="cc")], [out], givens=[(s, s10)],
                         mode="FAST_COMPILE", name="g", on_unused_input="ignore")
    g = pickle.loads(pickle.dumps(f))
    assert g.name == "g" and g.input_names == f.input_names
    np.testing.assert_array_equal(g(np.ones(2))[0], f(np.ones(2))[0])
    np.testing.assert_array_equal(g(np.ones(2), cc=1.0)[0], [11.0, 11.0])


def test_in_value_with_update_keeps_its_current_value():
    x = T.dscalar("x")
    total = T.dscalar("total")
    f = hypatia.function([x, hypatia.In(total, value=0.0, update=total + x)], total + x)
    f(1.0)
    f(2.0)
    g = pickle.loads(pickle.dumps(f))
    assert g(10.0) == f(10.0) == 13.0
    assert g(1.0) == f(1.0) == 14.0


def test_copy_and_deepcopy_of_functions():
    x = T.dscalar("x")
    s = hypatia.shared(np.float64(0.0), name="s")
    f = hypatia.function([x], s, updates=[(s, s + x)])
    c = copy.copy(f)  # Theano's f.copy(): the same shared variable
    c(2.0)
    assert s.get_value() == 2.0
    d = copy.deepcopy(f)  # an independent model
    d(5.0)
    assert s.get_value() == 2.0
    assert d(0.0) == 7.0


_CHILD = r"""
import pickle, sys
import numpy as np
with open(sys.argv[1], "rb") as fh:
    train, w, X, yv = pickle.load(fh)
costs = [float(train(X, yv)) for _ in range(4)]
np.save(sys.argv[2], np.concatenate([costs, w.get_value()]))
"""


def test_function_continues_training_in_a_fresh_process(tmp_path):
    train, w, b, X, yv = _logistic_regression(1)
    for _ in range(5):
        train(X, yv)
    path = tmp_path / "model.pkl"
    with open(path, "wb") as fh:
        pickle.dump((train, w, X, yv), fh, protocol=pickle.HIGHEST_PROTOCOL)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(hypatia.__file__))] +
                                        ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    subprocess.run([sys.executable, "-c", _CHILD, str(path), str(tmp_path / "out.npy")], check=True, env=env,
                   timeout=120)
    child = np.load(tmp_path / "out.npy")
    here = np.concatenate([[float(train(X, yv)) for _ in range(4)], w.get_value()])
    np.testing.assert_array_equal(child, here)


def test_pkl_utils_manual_example(tmp_path):
    """theano.misc.pkl_utils.dump's docstring example."""
    foo_1 = hypatia.shared(0, name="foo")
    foo_2 = hypatia.shared(1, name="foo")
    path = tmp_path / "model.zip"
    with open(path, "wb") as f:
        dump((foo_1, foo_2, np.array(2)), f)
    assert sorted(np.load(path).keys()) == sorted(["foo", "foo_2", "array_0", "pkl"])
    assert np.load(path)["foo"] == np.array(0)
    with open(path, "rb") as f:
        foo_1, foo_2, array = load(f)
    assert array == np.array(2)
    assert foo_1.get_value() == 0 and foo_2.get_value() == 1 and foo_1.name == "foo"


def test_pkl_utils_function_roundtrip(tmp_path):
    train, w, b, X, yv = _logistic_regression(2)
    train(X, yv)
    buf = io.BytesIO()
    dump({"train": train, "w": w}, buf)
    buf.seek(0)
    np.testing.assert_array_equal(np.load(buf)["w"], w.get_value())
    buf.seek(0)
    d = load(buf)
    assert d["train"](X, yv) == train(X, yv)
    np.testing.assert_array_equal(d["w"].get_value(), w.get_value())


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch " + _Evil.marker,))


def test_pkl_utils_refuses_a_hostile_file(tmp_path):
    marker = tmp_path / "pwned"
    _Evil.marker = str(marker)
    buf = io.BytesIO()
    dump([hypatia.shared(np.ones(1)), _Evil()], buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match=r"^\[pkl_utils\.load\] refused to load global .*system"):
        load(buf)
    assert not marker.exists()
    # A Python op from user code is refused too (it names code to run).
    buf = io.BytesIO()
    dump(_UserOp()(T.dvector()), buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        load(buf)


class _UserOp(hypatia.Op):
    """A user op: plain pickle loads it, pkl_utils.load refuses it."""
    __props__ = ()

    def make_node(self, x):
        return hypatia.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, outputs):
        outputs[0][0] = inputs[0]


def test_pkl_utils_version_mismatch_names_both_versions(tmp_path):
    buf = io.BytesIO()
    dump(hypatia.shared(np.ones(2), name="v"), buf)
    # Rewrite the zip comment as a later Hypatia would.
    zf = zipfile.ZipFile(buf, "a")
    zf.comment = b"hypatia-pkl 9.9.0 format=7"
    zf.close()
    buf.seek(0)
    with pytest.raises(ValueError, match=r"^\[pkl_utils\.load\] the file was written by Hypatia 9\.9\.0 \(pickle "
                                         r"format 7\), which Hypatia 0\.1\.0 \(pickle format 1\) cannot read"):
        load(buf)
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("pkl", pickle.dumps(1))
    other.seek(0)
    with pytest.raises(ValueError, match=r"^\[pkl_utils\.load\] not a file written by"):
        load(other)


def test_strip_and_compat_picklers(tmp_path):
    """The manual's StripPickler and CompatUnpickler examples."""
    x = T.dvector("x")
    fn_args = dict(inputs=[x], outputs=x * 2, updates=[])
    dest_pkl = tmp_path / "my_test.pkl"
    f = open(dest_pkl, "wb")
    strip_pickler = pkl_utils.StripPickler(f, protocol=-1)
    strip_pickler.dump(fn_args)
    f.close()
    with open(dest_pkl, "rb") as fp:
        u = pkl_utils.CompatUnpickler(fp, encoding="latin1")
        mat = u.load()
    f2 = hypatia.function(**mat)
    np.testing.assert_array_equal(f2(np.ones(2)), [2.0, 2.0])


def test_readme_saving_example_runs(tmp_path):
    # The saving example moved from the README to docs/tutorial/saving.md: its blocks, run in
    # order as one script up to the pkl_utils one, print True first (the reloaded function
    # continues from the same state).
    import pathlib
    import re
    page = pathlib.Path(__file__).resolve().parents[2] / "docs" / "tutorial" / "saving.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)
    upto = [i for i, b in enumerate(blocks) if "pkl_utils" in b]
    assert upto, "the saving page has no pkl_utils example"
    script = "\n".join(blocks[:upto[0] + 1])
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "True"


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_pkl_utils_sparse_shared_and_random_streams(protocol):
    import scipy.sparse as sp
    from hypatia.tensor.shared_randomstreams import RandomStreams
    s = hypatia.shared(sp.csr_matrix(np.array([[0, 1.5], [2.0, 0]])), name="S")
    srng = RandomStreams(seed=3)
    f = hypatia.function([], srng.uniform((2,)))
    f()
    buf = io.BytesIO()
    dump((s, srng, f), buf, protocol=protocol)
    buf.seek(0)
    s2, srng2, f2 = load(buf)
    assert s2.get_value().format == "csr"
    np.testing.assert_array_equal(s2.get_value().toarray(), [[0, 1.5], [2.0, 0]])
    np.testing.assert_array_equal(f2(), f())
    assert type(srng2) is RandomStreams


def test_nanguard_and_debug_checks_survive_pickling():
    from hypatia.compile.nanguardmode import NanGuardMode
    from hypatia.compile.debugmode import DebugMode
    x = T.dvector("x")
    f = hypatia.function([x], T.log(x) * 2, mode=NanGuardMode(nan_is_error=True, inf_is_error=False, big_is_error=False))
    g = pickle.loads(pickle.dumps(f))
    np.testing.assert_allclose(g(np.ones(2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"^\[NanGuardMode\] NaN detected"):
        g(-np.ones(2))
    h = pickle.loads(pickle.dumps(hypatia.function([x], x * 2, mode=DebugMode())))
    assert h._pickle_spec()[2].debug.enabled
    np.testing.assert_allclose(h(np.ones(2)), [2.0, 2.0])
