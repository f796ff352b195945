// Which BLAS runs Hypatia's dense products, and whether it fell back to generic kernels.
#pragma once

#include <string>
#include <string_view>

namespace hypatia {

// The BLAS behind dense products as it reports itself at run time. An OpenBLAS older than the
// CPU does not recognise it and picks a generic kernel set (Debian 12's 0.3.21 picks "Prescott"
// on recent Xeons), which runs dense products several times slower than the CPU allows.
// `generic_fallback` flags that case so callers (the Python package at import) can warn.
struct BlasInfo {
  std::string build;      // the HYPATIA_BLAS the library was built with: "system" or "scipy-openblas"
  std::string core;       // OpenBLAS's kernel set (openblas_get_corename), "unknown" if not reported
  std::string config;     // OpenBLAS's version and build flags (openblas_get_config)
  std::string threading;  // "sequential", "pthreads", "openmp" or "unknown"
  int num_threads = 0;    // threads OpenBLAS uses for one product
  bool cpu_has_avx2 = false;
  // OPENBLAS_CORETYPE ("" when unset): the core the environment asks for instead of OpenBLAS's
  // detection. Some machines preset it because older OpenBLAS builds misbehave on their CPU;
  // Hypatia never overrides it. An OpenBLAS that does not know the name detects as usual.
  std::string forced_core;
  bool generic_fallback = false;  // cpu_has_avx2 && is_generic_blas_core(core)
};

// Queries the linked BLAS (cheap; safe to call at any time, from any thread).
BlasInfo blas_info();

// True when `core` (compared case-insensitively) names an OpenBLAS kernel set written before
// AVX2: Prescott, Core2, Penryn, Dunnington, Nehalem, Atom, Sandybridge, the pre-Zen AMD cores,
// or OpenBLAS's "Generic". On a CPU that has AVX2 such a core means the BLAS did not know the
// CPU. Names it does not list (Haswell, SkylakeX, Cooperlake, SapphireRapids, Zen, newer names,
// "unknown" from a BLAS that does not say) count as tuned, so they never warn.
bool is_generic_blas_core(std::string_view core);

// Whether this CPU and its OS support AVX2 (false off x86).
bool cpu_has_avx2();

}  // namespace hypatia
