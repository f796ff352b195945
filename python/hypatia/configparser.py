"""hypatia.config: the few Theano configuration flags Hypatia honours (floatX, mode), and the
BLAS in use (``config.blas``, read-only)."""
import warnings

from . import _core


class BlasFallbackWarning(RuntimeWarning):
    """The BLAS runs generic pre-AVX2 kernels on a CPU with AVX2 (it does not know the CPU)."""


class _Config:
    """Attribute access to configuration, as ``theano.config``."""

    def __init__(self):
        self.__dict__["mode"] = "FAST_RUN"
        self.__dict__["on_unused_input"] = "raise"

    @property
    def floatX(self):
        return _core.tensor.floatX()

    @floatX.setter
    def floatX(self, value):
        if value not in ("float16", "float32", "float64"):
            raise ValueError("[config] floatX must be float16, float32 or float64, got %r" % (value,))
        _core.tensor.set_floatX(value)

    @property
    def blas(self):
        """The BLAS behind dense products (read-only dict): build ('system' or 'scipy-openblas'),
        core (OpenBLAS's kernel set), config, threading, num_threads, cpu_has_avx2, forced_core
        (OPENBLAS_CORETYPE, '' if unset) and generic_fallback (True when an AVX2 CPU runs
        pre-AVX2 generic kernels)."""
        return _core.blas_info()

    def __setattr__(self, name, value):
        if name == "blas":
            raise AttributeError("[config] blas is read-only: it reports the BLAS Hypatia was built with")
        if name == "floatX":
            type(self).floatX.fset(self, value)
        elif name == "mode":
            if value not in ("FAST_RUN", "FAST_COMPILE", "None"):
                raise ValueError("[config] mode must be FAST_RUN, FAST_COMPILE or None, got %r" % (value,))
            self.__dict__[name] = value
        elif name in self.__dict__:
            self.__dict__[name] = value
        else:
            raise AttributeError("[config] unknown configuration flag %r" % (name,))


config = _Config()


def warn_if_generic_blas():
    """Warns once (at import) when the BLAS fell back to generic kernels on an AVX2 CPU."""
    info = _core.blas_info()
    if not info["generic_fallback"]:
        return
    if info["forced_core"] and _core.is_generic_blas_core(info["forced_core"]):
        fix = "OPENBLAS_CORETYPE=%s in the environment asks for them" % info["forced_core"]
    elif info["build"] == "system":
        fix = "use a Hypatia built with HYPATIA_BLAS=scipy-openblas (what pip install does)"
    else:
        fix = "upgrade the scipy-openblas32 package"
    warnings.warn(
        "[hypatia] the %s BLAS runs its generic %r kernels on this AVX2 CPU, so dense products are "
        "several times slower than numpy's; %s" % (info["build"], info["core"], fix),
        BlasFallbackWarning, stacklevel=2)
