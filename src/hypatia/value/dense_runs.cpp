// keep_nonzero_runs (dense_runs.h): a portable or-reduction scan and an AVX-512 compress scan.
#include "hypatia/value/dense_runs.h"

#include <cstring>
#include <type_traits>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HYP_RUNS512 __attribute__((target("avx2,avx512f,avx512vl,avx512dq,popcnt")))
#define HYP_HAVE_RUNS512 1
// GCC 12's unmasked AVX-512 intrinsics read an undefined register (see merge_avx512.cpp).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#else
#define HYP_HAVE_RUNS512 0
#endif

namespace hypatia::sparse_kernels {

namespace {

// The line 16 KB ahead of p, into L2 (measured best of 1-32 KB; prefetchnta was 40 % slower). A
// prefetch never faults, so the address past the end is formed as an integer. always_inline, as
// every prefetch helper (see merge_rows.h's ahead()).
__attribute__((always_inline)) inline void ahead(const void* p) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p) + 16384;
  __builtin_prefetch(reinterpret_cast<const void*>(a), 0, 2);
}

template <class T, class B>
int64_t portable_runs(const T* x, int64_t n, GrowBuf<B>& gi, GrowBuf<T>& gd) {
  // A run of 16 is all zero when the or of their bit patterns, shifted past the sign, is 0 (+-0
  // are zero, NaN is not, as x != 0 says). An integer or-reduction vectorises; a float compare
  // per element does not.
  using U = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;
  typedef U UV __attribute__((vector_size(32)));  // 32 bytes: 4 doubles or 8 floats
  constexpr int per = 32 / sizeof(T), nv = 16 / per;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    ahead(x + i);
    if constexpr (sizeof(T) == 8) ahead(x + i + 8);
    UV acc{};
    for (int w = 0; w < nv; ++w) {
      UV bits;
      std::memcpy(&bits, x + i + w * per, sizeof(UV));
      acc |= bits << 1;
    }
    U any = 0;
    for (int l = 0; l < per; ++l) any |= acc[l];
    if (any == 0) continue;
    // Every element is written and the count advances past the non-zero ones only: no branch
    // per element (about one run in six holds one at 1 %).
    B* ri = gi.room(16);
    T* rd = gd.room(16);
    int64_t c = 0;
    for (int u = 0; u < 16; ++u) {
      ri[c] = static_cast<B>(i + u);
      rd[c] = x[i + u];
      c += x[i + u] != T(0);
    }
    gi.n += c;
    gd.n += c;
  }
  return i;
}

#if HYP_HAVE_RUNS512

// 16 consecutive positions from i: the index vector a kept run compresses.
HYP_RUNS512 inline __m512i positions(int64_t i) {
  return _mm512_add_epi32(_mm512_set1_epi32(static_cast<int32_t>(i)),
                          _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

// Compress into a register and store the whole register (room(16) holds it): a compress with a
// memory destination is slower on most cores.
HYP_RUNS512 int64_t avx512_runs(const double* x, int64_t n, GrowBuf<int32_t>& gi, GrowBuf<double>& gd) {
  const __m512d zero = _mm512_setzero_pd();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    ahead(x + i);
    ahead(x + i + 8);
    const __m512d v0 = _mm512_loadu_pd(x + i), v1 = _mm512_loadu_pd(x + i + 8);
    const __mmask8 m0 = _mm512_cmp_pd_mask(v0, zero, _CMP_NEQ_UQ), m1 = _mm512_cmp_pd_mask(v1, zero, _CMP_NEQ_UQ);
    const __mmask16 m = static_cast<__mmask16>(m0 | (static_cast<unsigned>(m1) << 8));
    if (m == 0) continue;
    int32_t* ri = gi.room(16);
    double* rd = gd.room(16);
    const int c0 = __builtin_popcount(m0);
    _mm512_storeu_si512(ri, _mm512_maskz_compress_epi32(m, positions(i)));
    _mm512_storeu_pd(rd, _mm512_maskz_compress_pd(m0, v0));
    _mm512_storeu_pd(rd + c0, _mm512_maskz_compress_pd(m1, v1));
    const int c = __builtin_popcount(m);
    gi.n += c;
    gd.n += c;
  }
  return i;
}

HYP_RUNS512 int64_t avx512_runs(const float* x, int64_t n, GrowBuf<int32_t>& gi, GrowBuf<float>& gd) {
  const __m512 zero = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    ahead(x + i);
    const __m512 v = _mm512_loadu_ps(x + i);
    const __mmask16 m = _mm512_cmp_ps_mask(v, zero, _CMP_NEQ_UQ);
    if (m == 0) continue;
    int32_t* ri = gi.room(16);
    float* rd = gd.room(16);
    _mm512_storeu_si512(ri, _mm512_maskz_compress_epi32(m, positions(i)));
    _mm512_storeu_ps(rd, _mm512_maskz_compress_ps(m, v));
    const int c = __builtin_popcount(m);
    gi.n += c;
    gd.n += c;
  }
  return i;
}

bool cpu_has_runs512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("popcnt");
}

#else

bool cpu_has_runs512() { return false; }

#endif

bool g_runs512 = cpu_has_runs512();

}  // namespace

bool dense_runs_avx512() { return g_runs512; }
void set_dense_runs_avx512(bool enabled) { g_runs512 = enabled && cpu_has_runs512(); }

template <class T, class B>
int64_t keep_nonzero_runs(const T* x, int64_t n, GrowBuf<B>& idx, GrowBuf<T>& val) {
#if HYP_HAVE_RUNS512
  if constexpr (std::is_same_v<B, int32_t>)
    if (g_runs512) return avx512_runs(x, n, idx, val);
#endif
  return portable_runs(x, n, idx, val);
}

template int64_t keep_nonzero_runs(const float*, int64_t, GrowBuf<int32_t>&, GrowBuf<float>&);
template int64_t keep_nonzero_runs(const double*, int64_t, GrowBuf<int32_t>&, GrowBuf<double>&);
template int64_t keep_nonzero_runs(const float*, int64_t, GrowBuf<int64_t>&, GrowBuf<float>&);
template int64_t keep_nonzero_runs(const double*, int64_t, GrowBuf<int64_t>&, GrowBuf<double>&);

}  // namespace hypatia::sparse_kernels
