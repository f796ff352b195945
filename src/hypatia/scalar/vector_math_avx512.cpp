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
  static V exp(V v) { return exp_poly(v); }
#ifdef HYPATIA_USE_SLEEF
  static V log(V v) { return Sleef_logd8_u10avx512f(v); }
#else
  static V log(V v) { return _ZGVeN8v_log(v); }
#endif
  static V tanh(V v) { return _ZGVeN8v_tanh(v); }
#ifdef HYPATIA_USE_SLEEF
  static V pow(V x, V y) { return Sleef_powd8_u10avx512f(x, y); }
#else
  static V pow(V x, V y) { return pow_by_lanes<V, S, 8>(x, y); }  // libmvec's pow is not declared
#endif
  static V log1p(V v) { return _ZGVeN8v_log1p(v); }
  static V exp_nonpositive(V x) { return exp_poly(x); }
  // e^x, inline (exp, and softplus's e^-|x|): x = n ln2 + r with |r| <= ln2/2 (Cody-Waite, ln2 in
  // two parts, the first exact times any n here), e^r by its Taylor polynomial of degree 13
  // (truncation < 5e-18; Estrin for the small terms, Horner for 1 + r + r^2/2 + r^3/6), then
  // 2^n by scalef, which rounds a subnormal result once, gives 0 below -745 and inf past
  // 709.78. x is clamped to [-746, 710] first (the results there are already 0 and inf);
  // NaN passes (the clamps compare false). Measured 0.5x SLEEF's time at <= 1 ulp
  // (tests/cpp/scalar/test_vector_math.cpp): numpy's speed, where SLEEF's exp took 1.8x.
  static V exp_poly(V x) {
    const V lo = {-746, -746, -746, -746, -746, -746, -746, -746}, hi = {710, 710, 710, 710, 710, 710, 710, 710};
    x = x < lo ? lo : x;
    x = x > hi ? hi : x;
    auto c = [](double v) { return _mm512_set1_pd(v); };
    const V n = _mm512_maskz_roundscale_pd(0xFF, x * c(0x1.71547652b82fep0), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    V r = _mm512_fnmadd_pd(n, c(0x1.62e42fee00000p-1), x);
    r = _mm512_fnmadd_pd(n, c(0x1.a39ef35793c76p-33), r);
    const V r2 = r * r, r4 = r2 * r2;
    const V q0 = _mm512_fmadd_pd(c(1.0 / 120), r, c(1.0 / 24)), q1 = _mm512_fmadd_pd(c(1.0 / 5040), r, c(1.0 / 720));
    const V q2 = _mm512_fmadd_pd(c(1.0 / 362880), r, c(1.0 / 40320));
    const V q3 = _mm512_fmadd_pd(c(1.0 / 39916800), r, c(1.0 / 3628800));
    const V q4 = _mm512_fmadd_pd(c(1.0 / 6227020800), r, c(1.0 / 479001600));
    const V s0 = _mm512_fmadd_pd(q1, r2, q0), s1 = _mm512_fmadd_pd(q3, r2, q2);
    const V e = _mm512_fmadd_pd(_mm512_fmadd_pd(q4, r4, s1), r4, s0);  // sum over k >= 4 of r^(k-4)/k!
    V p = _mm512_fmadd_pd(e, r, c(1.0 / 6));
    p = _mm512_fmadd_pd(p, r, c(0.5));
    p = _mm512_fmadd_pd(p, r, c(1.0));
    p = _mm512_fmadd_pd(p, r, c(1.0));
    return _mm512_maskz_scalef_pd(0xFF, p, n);  // maskz: GCC 12's unmasked form reads an undefined register
  }
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
  static V exp_nonpositive(V v) { return exp(v); }
  static V tanh(V v) { return _ZGVeN16v_tanhf(v); }
#ifdef HYPATIA_USE_SLEEF
  static V pow(V x, V y) { return Sleef_powf16_u10avx512f(x, y); }
#else
  static V pow(V x, V y) { return pow_by_lanes<V, S, 16>(x, y); }  // libmvec's pow is not declared
#endif
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
