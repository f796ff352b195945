// _core.blas_info(): which BLAS runs the dense products (config.blas, import-time warning); OpenMP settings.
#include "bindings.h"
#include "hypatia/util/blas_info.h"
#include "hypatia/link/exception_verbosity.h"
#include "hypatia/util/parallel.h"
#include "hypatia/value/buffer_cache.h"
#include "hypatia/scalar/vector_math.h"

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
  m.def("set_openmp", [](bool on) { set_openmp(on); }, nb::arg("enabled"),
        "Lets kernels use several OpenMP threads (True) or one (False): config.openmp.\n"
        "Applies to every thread's calls at once.");
  m.def("openmp_enabled", [] { return openmp_enabled(); }, "Whether kernels may use several OpenMP threads.");
  m.def("max_threads", [] { return max_threads(); },
        "Threads a parallel kernel uses now: OpenMP's maximum when config.openmp is on, else 1.");
  m.def("set_elemwise_minsize", [](int64_t n) { set_elemwise_minsize(n); }, nb::arg("n"),
        "Element count from which fused elementwise loops run in parallel\n"
        "(config.openmp_elemwise_minsize); ValueError below 1.");
  m.def("set_buffer_cache_limit", [](int64_t nbytes) {
    if (nbytes < 0) value_error("[config] buffer_cache_limit must be >= 0 bytes, got ", nbytes);
    set_buffer_cache_limit(static_cast<size_t>(nbytes));
  }, nb::arg("nbytes"),
        "Bytes of freed large buffers (1 MiB or more) kept for the next allocation of the same size\n"
        "(config.buffer_cache_limit; 0 frees them at once). A function called in a loop then gets\n"
        "its big outputs and temporaries back already mapped, instead of faulting fresh pages in\n"
        "on every call. Lowering it frees cached buffers down to the new limit.");
  m.def("buffer_cache_bytes", [] { return static_cast<int64_t>(buffer_cache_bytes()); },
        "Bytes of freed buffers the cache holds now, waiting for reuse.");
  m.def("elemwise_minsize", [] { return elemwise_minsize(); },
        "Element count from which fused elementwise loops run in parallel.");
  m.def("set_exception_verbosity", [](const std::string& v) {
    if (v != "low" && v != "high") value_error("[config] exception_verbosity must be 'low' or 'high', got '", v, "'");
    set_exception_verbosity_high(v == "high");
  }, nb::arg("verbosity"),
        "Sets config.exception_verbosity: 'low' (a runtime error names the node, its input shapes\n"
        "and types) or 'high' (it adds a debugprint of the node with types).");
  m.def("vector_math_backend", [] { return std::string(vector_math::backend()); },
        "The kernels behind elementwise exp, log, tanh, sigmoid and softplus on float32/float64:\n"
        "'avx512+sleef', 'avx2+sleef' ('+sleef' absent when built without SLEEF) or 'scalar'.");
  m.def("set_vector_math_isa", [](const std::string& want) {
    using vector_math::Isa;
    if (want != "avx512" && want != "avx2" && want != "scalar")
      value_error("[set_vector_math_isa] expected 'avx512', 'avx2' or 'scalar', got '", want, "'");
    vector_math::set_isa(want == "avx512" ? Isa::Avx512 : want == "avx2" ? Isa::Avx2 : Isa::Scalar);
    return std::string(vector_math::backend());
  }, nb::arg("isa"),
        "Caps the instruction set of the elementwise exp/log/tanh/sigmoid/softplus kernels\n"
        "('avx512', 'avx2' or 'scalar'; the best the CPU supports at most) and returns the backend\n"
        "now in use; 'scalar' also runs the flat elementwise loops (comparisons, maximum, clip, ...)\n"
        "in their baseline x86-64 build rather than their AVX2 one. For benchmarks and tests\n"
        "comparing the paths; not while other threads compute. Raises ValueError on another name.");
  m.def("is_generic_blas_core", [](const std::string& core) { return is_generic_blas_core(core); },
        nb::arg("core"),
        "Whether `core` (case-insensitive) names an OpenBLAS kernel set written before AVX2\n"
        "(Prescott, Core2, Nehalem, Sandybridge, ...): on an AVX2 CPU, a generic fallback.");
}

}  // namespace hypatia::py
