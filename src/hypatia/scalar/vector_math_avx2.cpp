// vector_math's AVX2+FMA kernels (this file alone is compiled with -mavx2 -mfma; called only on CPUs that have it).
#define HYPATIA_VM_KERNEL_BODY  // the templates below, for this ISA
#include "hypatia/scalar/vector_math_kernels.h"

#ifdef HYPATIA_VM_X86
#include <immintrin.h>
#ifdef HYPATIA_USE_SLEEF
#include <sleef.h>
#endif
// glibc's libmvec, x86-64 vector ABI "d" (AVX2): declared here because glibc exposes them to
// the compiler only under -ffast-math.
extern "C" {
__m256d _ZGVdN4v_exp(__m256d);
__m256d _ZGVdN4v_log(__m256d);
__m256d _ZGVdN4v_tanh(__m256d);
__m256d _ZGVdN4v_log1p(__m256d);
__m256 _ZGVdN8v_expf(__m256);
__m256 _ZGVdN8v_logf(__m256);
__m256 _ZGVdN8v_tanhf(__m256);
__m256 _ZGVdN8v_log1pf(__m256);
}

namespace hypatia::vector_math::detail {
namespace {
struct PD {
  using S = double;
  using V = __m256d;
  typedef double VU __attribute__((vector_size(32), aligned(8), may_alias));
  static constexpr double kSmall = 0x1p-53;
#ifdef HYPATIA_USE_SLEEF
  static V exp(V v) { return Sleef_expd4_u10avx2(v); }
  static V log(V v) { return Sleef_logd4_u10avx2(v); }
#else
  static V exp(V v) { return _ZGVdN4v_exp(v); }
  static V log(V v) { return _ZGVdN4v_log(v); }
#endif
  // softplus's e^-|x| by libmvec: SLEEF's exp followed by libmvec's log1p measured 8-13 ns per
  // element on AVX2 (time lost around the calls), libmvec's pair 3 ns, for 2.1 -> 2.8 ulps.
  static V exp_nonpositive(V v) { return _ZGVdN4v_exp(v); }
  static V tanh(V v) { return _ZGVdN4v_tanh(v); }
#ifdef HYPATIA_USE_SLEEF
  static V pow(V x, V y) { return Sleef_powd4_u10avx2(x, y); }
#else
  static V pow(V x, V y) { return pow_by_lanes<V, S, 4>(x, y); }  // libmvec's pow is not declared
#endif
  static V log1p(V v) { return _ZGVdN4v_log1p(v); }
};
struct PF {
  using S = float;
  using V = __m256;
  typedef float VU __attribute__((vector_size(32), aligned(4), may_alias));
  static constexpr float kSmall = 0x1p-24f;
#ifdef HYPATIA_USE_SLEEF
  static V exp(V v) { return Sleef_expf8_u10avx2(v); }
  static V log(V v) { return Sleef_logf8_u10avx2(v); }
#else
  static V exp(V v) { return _ZGVdN8v_expf(v); }
  static V log(V v) { return _ZGVdN8v_logf(v); }
#endif
  static V exp_nonpositive(V v) { return exp(v); }
  static V tanh(V v) { return _ZGVdN8v_tanhf(v); }
#ifdef HYPATIA_USE_SLEEF
  static V pow(V x, V y) { return Sleef_powf8_u10avx2(x, y); }
#else
  static V pow(V x, V y) { return pow_by_lanes<V, S, 8>(x, y); }  // libmvec's pow is not declared
#endif
  static V log1p(V v) { return _ZGVdN8v_log1pf(v); }
};
}  // namespace
const Table* avx2_table() { return make_table<PD, PF>(); }
}  // namespace hypatia::vector_math::detail
#else
namespace hypatia::vector_math::detail {
const Table* avx2_table() { return nullptr; }
}  // namespace hypatia::vector_math::detail
#endif
