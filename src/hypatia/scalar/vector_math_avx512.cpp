// vector_math's AVX-512F kernels (this file alone is compiled with -mavx512f; called only on CPUs that have it).
#define HYPATIA_VM_KERNEL_BODY  // the templates below, for this ISA
#include "hypatia/scalar/vector_math_kernels.h"

#ifdef HYPATIA_VM_X86
#include <immintrin.h>
#ifdef HYPATIA_USE_SLEEF
#include <sleef.h>
#endif
// glibc's libmvec, x86-64 vector ABI "e" (AVX-512): declared here because glibc exposes them to
// the compiler only under -ffast-math.
extern "C" {
__m512d _ZGVeN8v_exp(__m512d);
__m512d _ZGVeN8v_log(__m512d);
__m512d _ZGVeN8v_tanh(__m512d);
__m512d _ZGVeN8v_log1p(__m512d);
__m512 _ZGVeN16v_expf(__m512);
__m512 _ZGVeN16v_logf(__m512);
__m512 _ZGVeN16v_tanhf(__m512);
__m512 _ZGVeN16v_log1pf(__m512);
}

namespace hypatia::vector_math::detail {
namespace {
struct PD {
  using S = double;
  using V = __m512d;
  typedef double VU __attribute__((vector_size(64), aligned(8), may_alias));
  static constexpr double kSmall = 0x1p-53;
#ifdef HYPATIA_USE_SLEEF
  static V exp(V v) { return Sleef_expd8_u10avx512f(v); }
  static V log(V v) { return Sleef_logd8_u10avx512f(v); }
#else
  static V exp(V v) { return _ZGVeN8v_exp(v); }
  static V log(V v) { return _ZGVeN8v_log(v); }
#endif
  static V tanh(V v) { return _ZGVeN8v_tanh(v); }
  static V log1p(V v) { return _ZGVeN8v_log1p(v); }
};
struct PF {
  using S = float;
  using V = __m512;
  typedef float VU __attribute__((vector_size(64), aligned(4), may_alias));
  static constexpr float kSmall = 0x1p-24f;
#ifdef HYPATIA_USE_SLEEF
  static V exp(V v) { return Sleef_expf16_u10avx512f(v); }
  static V log(V v) { return Sleef_logf16_u10avx512f(v); }
#else
  static V exp(V v) { return _ZGVeN16v_expf(v); }
  static V log(V v) { return _ZGVeN16v_logf(v); }
#endif
  static V tanh(V v) { return _ZGVeN16v_tanhf(v); }
  static V log1p(V v) { return _ZGVeN16v_log1pf(v); }
};
}  // namespace
const Table* avx512_table() { return make_table<PD, PF>(); }
}  // namespace hypatia::vector_math::detail
#else
namespace hypatia::vector_math::detail {
const Table* avx512_table() { return nullptr; }
}  // namespace hypatia::vector_math::detail
#endif
