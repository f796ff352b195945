// blas_info(): asks the linked OpenBLAS for its core, configuration and threads.
#include "hypatia/util/blas_info.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

// OpenBLAS's own queries (both HYPATIA_BLAS choices are OpenBLAS builds), declared here rather
// than taken from <cblas.h>, which on a system may be another vendor's. They are strong
// references on purpose: with weak ones the linker may drop the BLAS from a program that calls
// nothing else of it, and the report would then describe no BLAS at all.
#ifdef HYPATIA_BLAS_SCIPY_OPENBLAS
#define HYPATIA_OPENBLAS(name) scipy_openblas_##name
#else
#define HYPATIA_OPENBLAS(name) openblas_##name
#endif
extern "C" {
char* HYPATIA_OPENBLAS(get_corename)(void);
char* HYPATIA_OPENBLAS(get_config)(void);
int HYPATIA_OPENBLAS(get_num_threads)(void);
int HYPATIA_OPENBLAS(get_parallel)(void);
}

namespace hypatia {

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");  // also checks that the OS saves the AVX state
#else
  return false;
#endif
}

bool is_generic_blas_core(std::string_view core) {
  static constexpr std::array<std::string_view, 21> kGeneric = {
      "generic",     "katmai",   "coppermine", "northwood",    "prescott",  "banias",
      "core2",       "penryn",   "dunnington", "nehalem",      "atom",      "sandybridge",
      "athlon",      "opteron",  "opteron_sse3", "barcelona",  "bobcat",    "bulldozer",
      "piledriver",  "steamroller", "x86_64_generic"};
  std::string lower(core);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!lower.empty() && std::isspace(static_cast<unsigned char>(lower.back()))) lower.pop_back();
  return std::find(kGeneric.begin(), kGeneric.end(), lower) != kGeneric.end();
}

BlasInfo blas_info() {
  BlasInfo info;
#ifdef HYPATIA_BLAS_SCIPY_OPENBLAS
  info.build = "scipy-openblas";
#else
  info.build = "system";
#endif
  auto text = [](const char* s) { return std::string(s ? s : "unknown"); };
  info.core = text(HYPATIA_OPENBLAS(get_corename)());
  info.config = text(HYPATIA_OPENBLAS(get_config)());
  info.num_threads = HYPATIA_OPENBLAS(get_num_threads)();
  static constexpr const char* kModes[] = {"sequential", "pthreads", "openmp"};
  const int mode = HYPATIA_OPENBLAS(get_parallel)();
  info.threading = mode >= 0 && mode <= 2 ? kModes[mode] : "unknown";
  const char* forced = std::getenv("OPENBLAS_CORETYPE");
  info.forced_core = forced ? forced : "";
  info.cpu_has_avx2 = cpu_has_avx2();
  info.generic_fallback = info.cpu_has_avx2 && is_generic_blas_core(info.core);
  return info;
}

}  // namespace hypatia
