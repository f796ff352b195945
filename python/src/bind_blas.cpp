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
    d["forced_core"] = info.forced_core;
    d["generic_fallback"] = info.generic_fallback;
    return d;
  }, "The BLAS behind dense products, as a dict: build ('system' or 'scipy-openblas', the\n"
     "HYPATIA_BLAS it was built with), core (OpenBLAS's kernel set, e.g. 'SkylakeX'), config,\n"
     "threading, num_threads, cpu_has_avx2, forced_core (OPENBLAS_CORETYPE, '' if unset), and\n"
     "generic_fallback: True when the CPU has AVX2 but the BLAS runs pre-AVX2 generic kernels,\n"
     "because it does not know the CPU or the environment forced them (dense products then run\n"
     "several times slower than numpy's).",
        "The BLAS behind dense products (read-only dict): build ('system' or 'scipy-openblas'), core (OpenBLAS's kernel set), config, threading, num_threads, cpu_has_avx2, forced_core (OPENBLAS_CORETYPE, '' if unset) and generic_fallback (True when an AVX2 CPU runs pre-AVX2 generic kernels).");
  m.def("is_generic_blas_core", [](const std::string& core) { return is_generic_blas_core(core); },
        nb::arg("core"),
        "Whether `core` (case-insensitive) names an OpenBLAS kernel set written before AVX2\n"
        "(Prescott, Core2, Nehalem, Sandybridge, ...): on an AVX2 CPU, a generic fallback.");
}

}  // namespace hypatia::py
