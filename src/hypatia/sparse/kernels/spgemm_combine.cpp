// The combine step of a short product row (spgemm_rows.h) with AVX-512: 16 sorted keys at a time
// when no column repeats among them, run by run otherwise.
#include "hypatia/sparse/kernels/spgemm_rows.h"

#include "hypatia/sparse/kernels/spmm_tiled.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HYP_COMBINE512 __attribute__((target("avx2,avx512f,avx512vl,avx512dq,popcnt")))
#define HYP_HAVE_COMBINE512 1
// GCC 12's unmasked AVX-512 intrinsics read an undefined register (see merge_avx512.cpp).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#else
#define HYP_HAVE_COMBINE512 0
#endif

namespace hypatia::sparse_kernels::spgemm_rows {

namespace {

#if HYP_HAVE_COMBINE512
// The values of 16 keys' places, their non-zero lanes stored packed at ov (16 floats, or two
// registers of 8 doubles); returns how many were stored.
HYP_COMBINE512 inline int store_values(const float* vals, __m512i place, __mmask16 m, float* ov, __mmask16& nz) {
  const __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, place, vals, 4);
  nz = _mm512_mask_cmp_ps_mask(m, v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  _mm512_mask_compressstoreu_ps(ov, nz, v);
  return __builtin_popcount(nz);
}
HYP_COMBINE512 inline int store_values(const double* vals, __m512i place, __mmask16 m, double* ov, __mmask16& nz) {
  const __mmask8 m0 = static_cast<__mmask8>(m), m1 = static_cast<__mmask8>(m >> 8);
  const __m512d v0 = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), m0, _mm512_castsi512_si256(place), vals, 8);
  const __m512d v1 = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), m1, _mm512_extracti64x4_epi64(place, 1), vals, 8);
  const __mmask8 z0 = _mm512_mask_cmp_pd_mask(m0, v0, _mm512_setzero_pd(), _CMP_NEQ_UQ);
  const __mmask8 z1 = _mm512_mask_cmp_pd_mask(m1, v1, _mm512_setzero_pd(), _CMP_NEQ_UQ);
  _mm512_mask_compressstoreu_pd(ov, z0, v0);
  _mm512_mask_compressstoreu_pd(ov + __builtin_popcount(z0), z1, v1);
  nz = static_cast<__mmask16>(z0 | (static_cast<unsigned>(z1) << 8));
  return __builtin_popcount(nz);
}

template <class T>
HYP_COMBINE512 int64_t combine(const int32_t* keys, int32_t n, const T* vals, int32_t* oc, T* ov) {
  int64_t w = 0;
  int32_t i = 0;
  const __m512i low = _mm512_set1_epi32(0xFF);
  while (i < n) {
    const int32_t left = n - i;
    const __mmask16 m = static_cast<__mmask16>(left >= 16 ? 0xFFFF : (1u << left) - 1);
    // Lane l's key and the key after it (lanes past the end: -1, a column no key has).
    const __mmask16 mn = static_cast<__mmask16>(left - 1 >= 16 ? 0xFFFF : (1u << (left - 1)) - 1);
    const __m512i k = _mm512_maskz_loadu_epi32(m, keys + i);
    const __m512i kn = _mm512_mask_loadu_epi32(_mm512_set1_epi32(-256), mn, keys + i + 1);
    const __m512i c = _mm512_srai_epi32(k, 8);
    if (_mm512_mask_cmpeq_epi32_mask(m, c, _mm512_srai_epi32(kn, 8)) == 0) {
      __mmask16 nz;
      const int stored = store_values(vals, _mm512_and_si512(k, low), m, ov + w, nz);
      _mm512_mask_compressstoreu_epi32(oc + w, nz, c);
      w += stored;
      i += left >= 16 ? 16 : left;
      continue;
    }
    // A column repeats: these lanes run by run, the last run to its end.
    for (const int32_t stop = std::min(n, i + 16); i < stop;) {
      const int32_t col = keys[i] >> 8;
      T s = vals[keys[i] & 0xFF];
      for (++i; i < n && (keys[i] >> 8) == col; ++i) s += vals[keys[i] & 0xFF];
      oc[w] = col;
      ov[w] = s;
      w += s != T(0) ? 1 : 0;
    }
  }
  return w;
}

// A row's dense sums read off in order, 512 bits at a time: the lanes that are not zero (NaN
// included) compressed out with their columns, and the sums reset to zero. The compress is done
// in registers and stored whole (kReadOffSlack entries may be written past the row's end): a
// compress straight to memory is many times slower, and a branch on an all-zero register
// mispredicts about a quarter of the time in a row of 15 % density. Only the non-zero lanes are
// reset (a line with none is not written back); a -0.0 left behind adds nothing to the next
// row's sum (-0.0 + x is x, bit for bit).
template <class T, class J>
HYP_COMBINE512 int64_t read_off(T* acc, int64_t inner, J* oc, T* ov) {
  constexpr int L = 64 / sizeof(T);  // lanes of a value register: 16 or 8
  int64_t w = 0;
  for (int64_t c = 0; c < inner; c += L) {
    const int left = static_cast<int>(std::min<int64_t>(L, inner - c));
    const unsigned lanes = (1u << left) - 1;
    unsigned nz;
    if constexpr (std::is_same_v<T, float>) {
      const __m512 v = _mm512_maskz_loadu_ps(static_cast<__mmask16>(lanes), acc + c);
      nz = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
      _mm512_storeu_ps(ov + w, _mm512_maskz_compress_ps(static_cast<__mmask16>(nz), v));
      _mm512_mask_storeu_ps(acc + c, static_cast<__mmask16>(nz), _mm512_setzero_ps());
    } else {
      const __m512d v = _mm512_maskz_loadu_pd(static_cast<__mmask8>(lanes), acc + c);
      nz = _mm512_cmp_pd_mask(v, _mm512_setzero_pd(), _CMP_NEQ_UQ);
      _mm512_storeu_pd(ov + w, _mm512_maskz_compress_pd(static_cast<__mmask8>(nz), v));
      _mm512_mask_storeu_pd(acc + c, static_cast<__mmask8>(nz), _mm512_setzero_pd());
    }
    if constexpr (sizeof(J) == 4 && L == 16) {
      const __m512i col = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int32_t>(c)),
                                           _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
      _mm512_storeu_si512(oc + w, _mm512_maskz_compress_epi32(static_cast<__mmask16>(nz), col));
    } else if constexpr (sizeof(J) == 4) {
      const __m256i col = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int32_t>(c)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(oc + w), _mm256_maskz_compress_epi32(static_cast<__mmask8>(nz), col));
    } else {  // int64 columns: 8 a register
      const __m512i c0 = _mm512_add_epi64(_mm512_set1_epi64(c), _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
      _mm512_storeu_si512(oc + w, _mm512_maskz_compress_epi64(static_cast<__mmask8>(nz), c0));
      if constexpr (L == 16)
        _mm512_storeu_si512(oc + w + __builtin_popcount(nz & 0xFF),
                            _mm512_maskz_compress_epi64(static_cast<__mmask8>(nz >> 8), _mm512_add_epi64(c0, _mm512_set1_epi64(8))));
    }
    w += __builtin_popcount(nz);
  }
  return w;
}
#endif

}  // namespace

namespace {
template <class T, class J>
int64_t read_off_if_avx512(T* acc, int64_t inner, J* oc, T* ov) {
#if HYP_HAVE_COMBINE512
  if (tiled::use_avx512()) return read_off(acc, inner, oc, ov);
#endif
  return -1;
}
}  // namespace

int64_t read_off_avx512(float* acc, int64_t inner, int32_t* oc, float* ov) { return read_off_if_avx512(acc, inner, oc, ov); }
int64_t read_off_avx512(float* acc, int64_t inner, int64_t* oc, float* ov) { return read_off_if_avx512(acc, inner, oc, ov); }
int64_t read_off_avx512(double* acc, int64_t inner, int32_t* oc, double* ov) { return read_off_if_avx512(acc, inner, oc, ov); }
int64_t read_off_avx512(double* acc, int64_t inner, int64_t* oc, double* ov) { return read_off_if_avx512(acc, inner, oc, ov); }

int64_t combine_runs_avx512(const int32_t* keys, int32_t n, const float* vals, int32_t* oc, float* ov) {
#if HYP_HAVE_COMBINE512
  if (tiled::use_avx512()) return combine(keys, n, vals, oc, ov);
#endif
  return -1;
}
int64_t combine_runs_avx512(const int32_t* keys, int32_t n, const double* vals, int32_t* oc, double* ov) {
#if HYP_HAVE_COMBINE512
  if (tiled::use_avx512()) return combine(keys, n, vals, oc, ov);
#endif
  return -1;
}

}  // namespace hypatia::sparse_kernels::spgemm_rows
