// Vectorised tanh and exp: libmvec's AVX2 entry points, chosen once at run time.
#include "hypatia/scalar/vector_math.h"

#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__) && defined(HYPATIA_USE_MVEC)
#include <immintrin.h>
#define HYPATIA_HAVE_MVEC 1
// glibc's libmvec (x86_64 vector ABI, AVX2 variants "d"): declared here because glibc exposes
// them to the compiler only under -ffast-math.
// The target attribute on the declarations tells the compiler (clang insists) that the ymm
// arguments travel in registers, as libmvec expects.
extern "C" {
__attribute__((target("avx2,fma"))) __m256d _ZGVdN4v_tanh(__m256d);
__attribute__((target("avx2,fma"))) __m256 _ZGVdN8v_tanhf(__m256);
__attribute__((target("avx2,fma"))) __m256d _ZGVdN4v_exp(__m256d);
__attribute__((target("avx2,fma"))) __m256 _ZGVdN8v_expf(__m256);
}
#endif

namespace hypatia::vector_math {

namespace {

#ifdef HYPATIA_HAVE_MVEC
const bool kAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

template <class Fn>
__attribute__((target("avx2,fma"))) void run_pd(const double* a, double* o, int64_t n, Fn f) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(o + i, f(_mm256_loadu_pd(a + i)));
  if (i < n) {  // the tail through one padded vector, so it rounds like the rest
    alignas(32) double buf[4] = {0, 0, 0, 0};
    for (int64_t k = i; k < n; ++k) buf[k - i] = a[k];
    _mm256_store_pd(buf, f(_mm256_load_pd(buf)));
    for (int64_t k = i; k < n; ++k) o[k] = buf[k - i];
  }
}

template <class Fn>
__attribute__((target("avx2,fma"))) void run_ps(const float* a, float* o, int64_t n, Fn f) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(o + i, f(_mm256_loadu_ps(a + i)));
  if (i < n) {
    alignas(32) float buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t k = i; k < n; ++k) buf[k - i] = a[k];
    _mm256_store_ps(buf, f(_mm256_load_ps(buf)));
    for (int64_t k = i; k < n; ++k) o[k] = buf[k - i];
  }
}

__attribute__((target("avx2,fma"))) __m256d tanh4(__m256d v) { return _ZGVdN4v_tanh(v); }
__attribute__((target("avx2,fma"))) __m256 tanh8(__m256 v) { return _ZGVdN8v_tanhf(v); }
__attribute__((target("avx2,fma"))) __m256d exp4(__m256d v) { return _ZGVdN4v_exp(v); }
__attribute__((target("avx2,fma"))) __m256 exp8(__m256 v) { return _ZGVdN8v_expf(v); }
#else
const bool kAvx2 = false;
#endif

template <class T, class F>
void scalar_loop(const T* a, T* o, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
}

}  // namespace

bool vectorised() { return kAvx2; }

#ifdef HYPATIA_HAVE_MVEC
#define HYPATIA_VM_DISPATCH(VEC, RUN, SCALAR) \
  if (kAvx2) return RUN(a, o, n, VEC);        \
  scalar_loop(a, o, n, SCALAR)
#else
#define HYPATIA_VM_DISPATCH(VEC, RUN, SCALAR) scalar_loop(a, o, n, SCALAR)
#endif

void tanh(const double* a, double* o, int64_t n) { HYPATIA_VM_DISPATCH(tanh4, run_pd, [](double x) { return std::tanh(x); }); }
void tanh(const float* a, float* o, int64_t n) { HYPATIA_VM_DISPATCH(tanh8, run_ps, [](float x) { return std::tanh(x); }); }
void exp(const double* a, double* o, int64_t n) { HYPATIA_VM_DISPATCH(exp4, run_pd, [](double x) { return std::exp(x); }); }
void exp(const float* a, float* o, int64_t n) { HYPATIA_VM_DISPATCH(exp8, run_ps, [](float x) { return std::exp(x); }); }

}  // namespace hypatia::vector_math
