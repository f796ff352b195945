// _core.blas_info(): which BLAS runs the dense products (hypatia.config.blas, import-time warning).
#include "bindings.h"
#include "hypatia/util/blas_info.h"

namespace hypatia::py {

void init_blas(nb::module_& m) {
  m.def("blas_info", [] {
    const BlasInfo info = blas_info();
    nb::dict d;
    d["build"] = info.build;
    d["core"] = info.core;
    d["config"] = info.config;
    d["threading"] = info.threading;
    d["num_threads"] = info.num_threads;
    d["cpu_has_avx2"] = info.cpu_has_avx2;
    d["generic_fallback"] = info.generic_fallback;
    return d;
  }, "The BLAS behind dense products, as a dict: build ('system' or 'scipy-openblas', the\n"
     "HYPATIA_BLAS it was built with), core (OpenBLAS's kernel set, e.g. 'SkylakeX'), config,\n"
     "threading, num_threads, cpu_has_avx2, and generic_fallback: True when the CPU has AVX2 but\n"
     "the BLAS runs pre-AVX2 generic kernels because it does not know the CPU (dense products\n"
     "then run several times slower than numpy's).");
}

}  // namespace hypatia::py
