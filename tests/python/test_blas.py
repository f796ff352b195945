"""The BLAS behind dense products: hypatia.config.blas reports it, and on a CPU with AVX2 its
core is a tuned one, never a generic pre-AVX2 fallback (issue 9, item 8)."""
import os
import platform
import subprocess
import sys

import numpy as np
import pytest

import hypatia
import hypatia.tensor as T

# OpenBLAS kernel sets written before AVX2; on an AVX2 CPU they mean the BLAS did not know it.
GENERIC_CORES = {"generic", "katmai", "coppermine", "northwood", "prescott", "banias", "core2", "penryn",
                 "dunnington", "nehalem", "atom", "sandybridge", "athlon", "opteron", "opteron_sse3",
                 "barcelona", "bobcat", "bulldozer", "piledriver", "steamroller", "x86_64_generic"}


def cpu_has_avx2():
    """AVX2 as the kernel reports it in /proc/cpuinfo (independent of the library's own check)."""
    if platform.machine().lower() not in ("x86_64", "amd64", "i686", "i386"):
        return False
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return "avx2" in line.split()
    except OSError:
        pass
    return False


needs_avx2 = pytest.mark.skipif(not cpu_has_avx2(), reason="CPU without AVX2 (or not Linux x86)")
# Some machines preset OPENBLAS_CORETYPE because older OpenBLAS builds misbehave on their CPU.
# Tests leave that choice alone: where it asks for a generic core, no BLAS can do better.
PRESET_CORE = os.environ.get("OPENBLAS_CORETYPE", "")
core_not_preset = pytest.mark.skipif(bool(PRESET_CORE), reason="OPENBLAS_CORETYPE is set in the environment")
preset_not_generic = pytest.mark.skipif(PRESET_CORE.strip().lower() in GENERIC_CORES,
                                        reason="OPENBLAS_CORETYPE=%s asks for a generic core" % PRESET_CORE)


def test_config_reports_the_blas():
    info = hypatia.config.blas
    assert info["build"] in ("system", "scipy-openblas")
    assert "OpenBLAS" in info["config"]
    assert info["core"] and info["core"] != "unknown"
    assert info["num_threads"] >= 1
    assert info["threading"] in ("sequential", "pthreads", "openmp")
    assert info["cpu_has_avx2"] == cpu_has_avx2()
    assert info["forced_core"] == os.environ.get("OPENBLAS_CORETYPE", "")
    assert hypatia._core.is_generic_blas_core("PRESCOTT") and not hypatia._core.is_generic_blas_core("SkylakeX")
    assert info["generic_fallback"] == (info["cpu_has_avx2"] and info["core"].strip().lower() in GENERIC_CORES)
    with pytest.raises(AttributeError, match=r"^\[config\] blas is read-only"):
        hypatia.config.blas = {}


@needs_avx2
@preset_not_generic
def test_blas_core_is_not_a_generic_fallback_on_avx2():
    info = hypatia.config.blas
    assert info["core"].strip().lower() not in GENERIC_CORES, info
    assert not info["generic_fallback"], info


@needs_avx2
@core_not_preset
def test_generic_core_warns_at_import():
    # OpenBLAS forced onto Prescott, the core Debian 12's OpenBLAS picks on CPUs newer than itself.
    code = ("import warnings\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    import hypatia\n"
            "info = hypatia.config.blas\n"
            "print([type(x.message).__name__ for x in w], info['generic_fallback'])\n"
            "print(info['core'])\n"
            "print([str(x.message) for x in w])\n")
    env = dict(os.environ, OPENBLAS_CORETYPE="Prescott")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    first, core, message = r.stdout.splitlines()[:3]
    assert first == "['BlasFallbackWarning'] True", r.stdout
    # The name varies with the build: Debian's OpenBLAS reports Prescott, the wheel's Katmai.
    assert core.strip().lower() in GENERIC_CORES, core
    assert "[hypatia]" in message and repr(core) in message and "OPENBLAS_CORETYPE=Prescott" in message, message


def test_no_warning_at_import_without_fallback():
    code = ("import warnings\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    import hypatia\n"
            "print(sum(type(x.message).__name__ == 'BlasFallbackWarning' for x in w), "
            "hypatia.config.blas['generic_fallback'])\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    count, fallback = r.stdout.split()
    assert int(count) == (1 if fallback == "True" else 0), r.stdout


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_mlp_sized_dot_matches_numpy(dtype):
    rng = np.random.RandomState(0)
    a, b = rng.randn(128, 784).astype(dtype), rng.randn(784, 256).astype(dtype)
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    out = hypatia.function([x, y], T.dot(x, y))(a, b)
    assert out.dtype == dtype
    tol = 1e-4 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(out, a.astype("float64") @ b.astype("float64"), rtol=tol, atol=tol * 100)
