"""hypatia.config: flags, their defaults and checks, HYPATIA_FLAGS/THEANO_FLAGS, rc files,
change_flags, printing, the flags without effect, and what each wired flag does."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import hypatia
import hypatia.tensor as T
from hypatia import config, change_flags, ConfigWarning

PYTHONPATH = os.path.dirname(os.path.dirname(hypatia.__file__))


def run_python(code, tmp_path, **env_extra):
    """Runs `code` in a fresh interpreter with a clean config environment (HOME=tmp_path);
    returns the CompletedProcess."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("HYPATIA_FLAGS", "THEANO_FLAGS", "HYPATIARC", "THEANORC")}
    env["HOME"] = str(tmp_path)
    env["PYTHONPATH"] = PYTHONPATH + os.pathsep + env.get("PYTHONPATH", "")
    env.update(env_extra)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True,
                          text=True, timeout=120)


READ_FLAGS = """
import json, hypatia
names = %r
print(json.dumps({n: hypatia.config[n] for n in names}))
"""


def read_flags(tmp_path, names, **env):
    r = run_python(READ_FLAGS % (list(names),), tmp_path, **env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


# ---- defaults (the manual's) ----
DOCUMENTED_DEFAULTS = {
    "floatX": "float64", "warn_float64": "ignore", "cast_policy": "custom", "mode": "Mode",
    "optimizer": "fast_run", "optimizer_excluding": "", "optimizer_including": "",
    "optimizer_requiring": "", "profile": False, "profile_memory": False, "profile_optimizer": False,
    "compute_test_value": "off", "on_unused_input": "raise", "allow_gc": True,
    "exception_verbosity": "low", "traceback.limit": 8, "openmp_elemwise_minsize": 200000,
    "buffer_cache_limit": 256 << 20,
    "NanGuardMode.nan_is_error": True, "NanGuardMode.inf_is_error": True,
    "NanGuardMode.big_is_error": True, "DebugMode.check_preallocated_output": "",
    "DebugMode.check_preallocated_output_ndim": 4, "DebugMode.warn_input_not_reused": True,
    "DebugMode.patience": 10, "DebugMode.check_strides": 0, "DebugMode.check_finite": True,
    "numpy.seterr_all": "ignore", "numpy.seterr_divide": "None", "numpy.seterr_over": "None",
    "numpy.seterr_under": "None", "numpy.seterr_invalid": "None", "profiling.n_apply": 20,
    "profiling.n_ops": 20, "profiling.min_memory_size": 1024, "profiling.destination": "stderr",
}


def test_documented_defaults_in_a_clean_process(tmp_path):
    got = read_flags(tmp_path, DOCUMENTED_DEFAULTS)
    assert got == DOCUMENTED_DEFAULTS


def test_every_issue_flag_is_registered_with_documentation():
    for name in list(DOCUMENTED_DEFAULTS) + ["openmp", "DebugMode.check_c", "DebugMode.check_py"]:
        assert name in config
        assert "Doc:" in config.doc(name) and "Accepts:" in config.doc(name)


# ---- HYPATIA_FLAGS / THEANO_FLAGS ----
def test_hypatia_flags_environment_variable(tmp_path):
    got = read_flags(tmp_path, ["floatX", "mode", "NanGuardMode.nan_is_error", "profile", "openmp_elemwise_minsize"],
                     HYPATIA_FLAGS="floatX=float32, mode=FAST_COMPILE,NanGuardMode.nan_is_error=False,profile,"
                                   "openmp_elemwise_minsize=1000")
    assert got == {"floatX": "float32", "mode": "FAST_COMPILE", "NanGuardMode.nan_is_error": False,
                   "profile": True, "openmp_elemwise_minsize": 1000}


def test_theano_flags_alias_and_precedence(tmp_path):
    # The right-most setting wins; HYPATIA_FLAGS overrides THEANO_FLAGS.
    got = read_flags(tmp_path, ["floatX", "on_unused_input", "allow_gc"],
                     THEANO_FLAGS="floatX=float16,floatX=float32,on_unused_input=warn,allow_gc=False",
                     HYPATIA_FLAGS="on_unused_input=ignore")
    assert got == {"floatX": "float32", "on_unused_input": "ignore", "allow_gc": False}


def test_environment_flag_takes_effect(tmp_path):
    r = run_python("""
        import hypatia, hypatia.tensor as T
        print(T.matrix().dtype, hypatia._core.max_threads(), hypatia._core.elemwise_minsize())
    """, tmp_path, HYPATIA_FLAGS="floatX=float32,openmp=False,openmp_elemwise_minsize=77")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["float32", "1", "77"]


@pytest.mark.parametrize("flags, message", [
    ("flaotX=float32", "[config] HYPATIA_FLAGS: unknown configuration flag 'flaotX' (did you mean 'floatX'?)"),
    ("floatX=float8", "[config] HYPATIA_FLAGS: floatX must be one of 'float64', 'float32', 'float16', got 'float8'"),
    ("allow_gc=maybe", "[config] HYPATIA_FLAGS: allow_gc must be True or False, got 'maybe'"),
    ("=3", "[config] HYPATIA_FLAGS: expected flag=value pairs"),
])
def test_environment_errors_name_flag_and_accepted_values(tmp_path, flags, message):
    r = run_python("import hypatia", tmp_path, HYPATIA_FLAGS=flags)
    assert r.returncode != 0
    assert message in r.stderr


def test_not_applicable_environment_flags_warn_why(tmp_path):
    r = run_python("""
        import warnings
        warnings.simplefilter('always')
        import hypatia
        print(hypatia.config.device, hypatia.config.gpuarray.preallocate)
    """, tmp_path, THEANO_FLAGS="device=cuda0,gpuarray.preallocate=0.5,cxx=")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["cuda0", "0.5"]
    assert "device='cuda0' (from THEANO_FLAGS) is accepted but has no effect: Hypatia runs on the CPU only" in r.stderr
    assert "gpuarray.preallocate='0.5'" in r.stderr
    assert "cxx='' (from THEANO_FLAGS) is accepted but has no effect: Hypatia compiles no C code" in r.stderr


# ---- rc files ----
def test_hypatiarc_in_home_and_sections(tmp_path):
    (tmp_path / ".hypatiarc").write_text("[global]\nfloatX = float32\nmode = FAST_COMPILE\n\n"
                                         "[NanGuardMode]\ninf_is_error = False\n\n[numpy]\nseterr_divide = raise\n")
    got = read_flags(tmp_path, ["floatX", "mode", "NanGuardMode.inf_is_error", "numpy.seterr_divide"])
    assert got == {"floatX": "float32", "mode": "FAST_COMPILE", "NanGuardMode.inf_is_error": False,
                   "numpy.seterr_divide": "raise"}


def test_rc_file_precedence(tmp_path):
    # THEANORC < HYPATIARC (files merged left to right) < THEANO_FLAGS < HYPATIA_FLAGS.
    a, b, t = tmp_path / "a.rc", tmp_path / "b.rc", tmp_path / "t.rc"
    t.write_text("[global]\nfloatX = float16\noptimizer = merge\nwarn_float64 = warn\n")
    a.write_text("[global]\nfloatX = float32\non_unused_input = warn\nexception_verbosity = high\n")
    b.write_text("[global]\non_unused_input = ignore\n")
    got = read_flags(tmp_path, ["floatX", "on_unused_input", "optimizer", "exception_verbosity", "warn_float64"],
                     THEANORC=str(t), HYPATIARC="%s:%s" % (a, b), THEANO_FLAGS="exception_verbosity=low",
                     HYPATIA_FLAGS="warn_float64=ignore")
    assert got == {"floatX": "float32", "on_unused_input": "ignore", "optimizer": "merge",
                   "exception_verbosity": "low", "warn_float64": "ignore"}


def test_rc_file_errors(tmp_path):
    rc = tmp_path / "bad.rc"
    rc.write_text("[global]\ncompute_test_value = sometimes\n")
    r = run_python("import hypatia", tmp_path, HYPATIARC=str(rc))
    assert "[config] %s: compute_test_value must be one of 'off', 'ignore', 'warn', 'raise', 'pdb', got 'sometimes'" % rc in r.stderr
    rc.write_text("floatX = float32\n")  # no section header
    r = run_python("import hypatia", tmp_path, HYPATIARC=str(rc))
    assert r.returncode != 0 and "[config] cannot parse config file %s" % rc in r.stderr


# ---- in code ----
def test_assignment_checks_values_and_names():
    with pytest.raises(ValueError, match=r"^\[config\] on_unused_input must be one of 'raise', 'warn', 'ignore', got 'loud'$"):
        config.on_unused_input = "loud"
    with pytest.raises(ValueError, match=r"\[config\] openmp_elemwise_minsize must be an integer >= 1, got 0"):
        config.openmp_elemwise_minsize = 0
    with pytest.raises(ValueError, match=r"\[config\] optimizer_excluding must be rewrite tags separated by ':'"):
        config.optimizer_excluding = "fusion,inplace"
    with pytest.raises(ValueError, match=r"\[config\] DebugMode.check_preallocated_output must be"):
        config.DebugMode.check_preallocated_output = "c_contiguous:sideways"
    with pytest.raises(ValueError, match=r"\[config\] mode must be one of 'Mode', 'FAST_RUN'"):
        config.mode = "FASTEST"
    with pytest.raises(AttributeError, match=r"unknown configuration flag 'NanGuardMode.nan_is_eror' \(did you mean"):
        config.NanGuardMode.nan_is_eror = False
    with pytest.raises(AttributeError, match=r"\[config\] unknown configuration flag 'no_such_flag'"):
        config.no_such_flag
    assert config.on_unused_input == "raise" and config.mode == "Mode"


def test_assignment_sets_and_section_access():
    old = config.NanGuardMode.big_is_error
    try:
        config.NanGuardMode.big_is_error = "false"
        assert config.NanGuardMode.big_is_error is False
        assert config["NanGuardMode.big_is_error"] is False
    finally:
        config.NanGuardMode.big_is_error = old
    with pytest.raises(AttributeError, match="is a section of flags"):
        config.NanGuardMode = True


def test_not_applicable_flag_in_code_warns():
    with pytest.warns(ConfigWarning, match=r"device='cuda' \(from code\) is accepted but has no effect: Hypatia runs on the CPU only"):
        with change_flags(device="cuda"):
            assert config.device == "cuda"
    with pytest.warns(ConfigWarning, match="no effect"):
        with change_flags({"dnn.conv.algo_fwd": "small"}):
            assert config.dnn.conv.algo_fwd == "small"


def test_change_flags_context_manager_and_decorator():
    with change_flags(floatX="float32", on_unused_input="ignore"):
        assert config.floatX == "float32" and T.vector().dtype == "float32"
        with config.change_flags({"NanGuardMode.nan_is_error": False}):
            assert config.NanGuardMode.nan_is_error is False
        assert config.NanGuardMode.nan_is_error is True
    assert config.floatX == "float64" and T.vector().dtype == "float64"
    assert config.on_unused_input == "raise"

    @change_flags(floatX="float32")
    def make():
        return T.matrix().dtype
    assert make() == "float32" and make() == "float32" and config.floatX == "float64"


def test_change_flags_restores_on_error_and_checks_first():
    with pytest.raises(RuntimeError):
        with change_flags(floatX="float32"):
            raise RuntimeError("boom")
    assert config.floatX == "float64"
    with pytest.raises(ValueError, match="floatX must be"):
        change_flags(on_unused_input="ignore", floatX="float99")
    assert config.on_unused_input == "raise"


def test_print_config_lists_every_flag():
    text = str(config)
    for name in config.flags():
        assert "\n%s (" % name in "\n" + text
    assert "floatX (one of 'float64', 'float32', 'float16')\n    Doc:  Default dtype" in text
    assert "    Value:  'float64'\n" in text
    assert "device (has no effect in Hypatia: Hypatia runs on the CPU only" in text


# ---- effects ----
def test_mode_and_optimizer_defaults_of_function():
    x = T.dvector("x")
    y = T.exp(x) * 2 + x
    assert hypatia.function([x], y).mode == "FAST_RUN"
    with change_flags(mode="FAST_COMPILE"):
        assert hypatia.function([x], y).mode == "FAST_COMPILE"
    with change_flags(optimizer="None"):
        f = hypatia.function([x], y)
        assert f.mode == "None"
        assert len(f.maker.fgraph.toposort()) == len(hypatia.function([x], y, mode="None").maker.fgraph.toposort())
    assert len(f.maker.fgraph.toposort()) > len(hypatia.function([x], y).maker.fgraph.toposort())  # fused
    with change_flags(optimizer="merge"):
        assert hypatia.function([x], y).mode == "FAST_RUN&merge"
    with change_flags(optimizer_excluding="fusion:inplace", optimizer_including="local_neg_neg",
                      optimizer_requiring="fast_run"):
        assert hypatia.function([x], y).mode == "FAST_RUN-fusion-inplace+local_neg_neg&fast_run"
        # An explicit mode is not the default mode: the optimizer_* flags leave it alone.
        assert hypatia.function([x], y, mode="FAST_COMPILE").mode == "FAST_COMPILE"
    fused = hypatia.function([x], y)
    with change_flags(optimizer_excluding="fusion"):
        unfused = hypatia.function([x], y)
    assert len(unfused.maker.fgraph.toposort()) > len(fused.maker.fgraph.toposort())
    v = np.array([0.5, -1.0])
    np.testing.assert_allclose(unfused(v), np.exp(v) * 2 + v)


def test_optimizer_requiring_restricts_rewrites():
    x = T.dvector("x")
    y = (x + 0) * 1
    as_built = len(hypatia.function([x], y, mode="None").maker.fgraph.toposort())
    with change_flags(optimizer_requiring="merge"):
        f = hypatia.function([x], y)
    assert len(f.maker.fgraph.toposort()) == as_built  # only merging: nothing simplified
    assert len(hypatia.function([x], y).maker.fgraph.toposort()) < as_built
    np.testing.assert_allclose(f([1.5]), [1.5])


def test_on_unused_input_and_allow_gc():
    x, y = T.dvectors("x", "y")
    with pytest.raises(Exception, match="unused"):
        hypatia.function([x, y], x * 2)
    with change_flags(on_unused_input="ignore", allow_gc=False):
        f = hypatia.function([x, y], x * 2)
    assert f.allow_gc is False and hypatia.function([x], x * 2).allow_gc is True
    np.testing.assert_allclose(f([1.0], [5.0]), [2.0])
    np.testing.assert_allclose(f([3.0], [5.0]), [6.0])


def test_openmp_flags_reach_the_kernels():
    assert hypatia._core.elemwise_minsize() == config.openmp_elemwise_minsize == 200000
    with change_flags(openmp=False, openmp_elemwise_minsize=10):
        assert hypatia._core.max_threads() == 1 and hypatia._core.elemwise_minsize() == 10
        x = T.dvector("x")
        f = hypatia.function([x], T.exp(x) * 2 + x)
        v = np.linspace(-1, 1, 100001)
        np.testing.assert_allclose(f(v), np.exp(v) * 2 + v)
    assert hypatia._core.openmp_enabled() == config.openmp
    assert hypatia._core.elemwise_minsize() == 200000


def test_warn_float64():
    with change_flags(warn_float64="warn"):
        with pytest.warns(UserWarning, match=r"\[warn_float64\] a float64 tensor variable \(TensorType\(float64, vector\)\)"):
            T.dvector("x")
        f = T.fvector("f")
        with pytest.warns(UserWarning, match="float64"):
            f * np.float64(2.5).item()  # 2.5 is exact in float32: stays float32 ...
            f + T.dscalar()             # ... but a float64 operand upcasts
    with change_flags(warn_float64="raise"):
        T.fmatrix("ok")
        with pytest.raises(TypeError, match=r"^\[warn_float64\]"):
            T.dmatrix("m")
    T.dmatrix("fine")  # 'ignore' again: no hook


def test_cast_policy():
    f = T.fscalar("f")
    assert (f * 2).dtype == "float32" and (f + 0.1).dtype == "float64"
    with change_flags(cast_policy="numpy+floatX", floatX="float32"):
        assert (f + 0.1).dtype == "float32"      # Python floats are floatX
        assert (f * 2).dtype == "float64"        # Python ints are int64, as numpy
        assert T.as_tensor_variable(3).dtype == "int64"
    assert T.as_tensor_variable(3).dtype == "int8"


def test_exception_verbosity():
    x, y = T.dvectors("x", "y")
    f = hypatia.function([x, y], x + y)
    with pytest.raises(ValueError) as e:
        f([1.0, 2.0], [1.0, 2.0, 3.0])
    assert "HINT: Use the Hypatia flag 'exception_verbosity=high'" in str(e.value)
    with change_flags(exception_verbosity="high"):
        with pytest.raises(ValueError) as e:
            f([1.0, 2.0], [1.0, 2.0, 3.0])
    msg = str(e.value)
    assert "Debugprint of the apply node:" in msg and "TensorType(float64, vector)" in msg and "HINT" not in msg


def test_numpy_seterr(tmp_path):
    r = run_python("import numpy as np, hypatia; print(sorted(np.geterr().items()))", tmp_path)
    assert r.stdout.strip() == str(sorted({"divide": "ignore", "over": "ignore", "under": "ignore", "invalid": "ignore"}.items()))
    r = run_python("import numpy as np, hypatia; print(sorted(np.geterr().items()))", tmp_path,
                   HYPATIA_FLAGS="numpy.seterr_all=raise,numpy.seterr_under=warn")
    assert r.stdout.strip() == str(sorted({"divide": "raise", "over": "raise", "under": "warn", "invalid": "raise"}.items()))
    before = np.geterr()
    try:
        with change_flags({"numpy.seterr_divide": "raise"}):
            with pytest.raises(FloatingPointError):
                np.array([1.0]) / 0.0
    finally:
        np.seterr(**before)


# ---- the manual's examples ----
MANUAL_READ = """
import warnings
warnings.simplefilter('ignore')
import hypatia
c = hypatia.config
print(c.floatX, c.device, c.gpuarray.preallocate)
"""


def test_manual_theano_flags_example(tmp_path):
    r = run_python(MANUAL_READ, tmp_path, THEANO_FLAGS="floatX=float32,device=cuda0,gpuarray.preallocate=1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["float32", "cuda0", "1"]
    r = run_python("import warnings; warnings.simplefilter('ignore'); import hypatia; print(hypatia.config.device)",
                   tmp_path, THEANO_FLAGS="device=cpu,device=cuda0")
    assert r.stdout.split() == ["cuda0"]  # the right-most definition is used


def test_manual_theanorc_example(tmp_path):
    (tmp_path / ".theanorc").write_text("[global]\nfloatX = float32\ndevice = cuda0\n\n[gpuarray]\npreallocate = 1\n")
    r = run_python(MANUAL_READ, tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["float32", "cuda0", "1"]


def test_manual_print_config_command(tmp_path):
    r = run_python("import hypatia; print(hypatia.config)", tmp_path)
    assert r.returncode == 0, r.stderr
    assert "floatX (one of 'float64', 'float32', 'float16')" in r.stdout
    assert "NanGuardMode.nan_is_error (True or False)" in r.stdout


# ---- buffer_cache_limit ----
def test_buffer_cache_limit_keeps_freed_outputs_and_frees_them_at_zero():
    import hypatia.tensor as T
    x = T.dvector()
    f = hypatia.function([x], x * 2.0)
    v = np.ones(1 << 18)  # a 2 MiB output: large enough to be cached
    old = hypatia.config.buffer_cache_limit
    try:
        hypatia.config.buffer_cache_limit = 64 << 20
        before = hypatia._core.buffer_cache_bytes()
        r = f(v)
        np.testing.assert_array_equal(r, 2.0 * v)
        del r
        assert hypatia._core.buffer_cache_bytes() >= before + (2 << 20)
        r = f(v)  # the cached block comes back for the same size
        assert hypatia._core.buffer_cache_bytes() == before
        del r
        hypatia.config.buffer_cache_limit = 0
        assert hypatia._core.buffer_cache_bytes() == 0
        r = f(v)
        del r
        assert hypatia._core.buffer_cache_bytes() == 0
        with pytest.raises(ValueError, match="buffer_cache_limit"):
            hypatia.config.buffer_cache_limit = -1
    finally:
        hypatia.config.buffer_cache_limit = old
