// AVX-512 sums of the outer slices of a compressed matrix (row_sums.h).
#include "hypatia/sparse/kernels/row_sums.h"

#include <omp.h>

#include <vector>

#include "hypatia/sparse/kernels/merge.h"
#include "hypatia/sparse/kernels/spmm_tiled.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define HYP_SUM512 __attribute__((target("avx2,fma,avx512f,avx512vl,avx512dq,bmi,bmi2")))
#define HYP_HAVE_SUM512 1
// GCC 12's unmasked AVX-512 intrinsics read an undefined register (see merge_avx512.cpp).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#else
#define HYP_HAVE_SUM512 0
#endif

namespace hypatia::sparse_kernels {

#if HYP_HAVE_SUM512
namespace {

// 64 bytes of T: 8 doubles or 16 floats.
template <class T>
struct Lane;
template <>
struct Lane<double> {
  static constexpr int n = 8;
  using V = __m512d;
  HYP_SUM512 static V zero() { return _mm512_setzero_pd(); }
  HYP_SUM512 static V load(const double* p) { return _mm512_loadu_pd(p); }
  HYP_SUM512 static V load_first(const double* p, int64_t k) {  // the first k (0..8) of p
    return _mm512_maskz_loadu_pd(static_cast<__mmask8>(_bzhi_u32(0xFFu, static_cast<unsigned>(k))), p);
  }
  HYP_SUM512 static V add(V a, V b) { return _mm512_add_pd(a, b); }
  HYP_SUM512 static double total(V a) { return _mm512_reduce_add_pd(a); }
};
template <>
struct Lane<float> {
  static constexpr int n = 16;
  using V = __m512;
  HYP_SUM512 static V zero() { return _mm512_setzero_ps(); }
  HYP_SUM512 static V load(const float* p) { return _mm512_loadu_ps(p); }
  HYP_SUM512 static V load_first(const float* p, int64_t k) {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>(_bzhi_u32(0xFFFFu, static_cast<unsigned>(k))), p);
  }
  HYP_SUM512 static V add(V a, V b) { return _mm512_add_ps(a, b); }
  HYP_SUM512 static float total(V a) { return _mm512_reduce_add_ps(a); }
};

template <class T, class I>
HYP_SUM512 bool sums(const T* d, const I* ptr, int64_t o0, int64_t o1, int64_t nnz, T* out) {
  using L = Lane<T>;
  constexpr int n = L::n;
  bool bad = false;
  for (int64_t o = o0; o < o1; ++o) {
    // A slice outside [0, nnz] (indptr steps down somewhere) is read as empty, and reported.
    const int64_t b0 = static_cast<int64_t>(ptr[o]), e0 = static_cast<int64_t>(ptr[o + 1]);
    const bool ok = (b0 >= 0) & (b0 <= e0) & (e0 <= nnz);
    bad |= !ok;
    const int64_t b = ok ? b0 : 0, len = ok ? e0 - b0 : 0;
    // The values 16 KB ahead into L2: one read stream alone does not keep enough lines in
    // flight (see from_dense). A prefetch never faults: the address is formed as an integer.
    const uintptr_t ahead = reinterpret_cast<uintptr_t>(d + b) + 16384;
    __builtin_prefetch(reinterpret_cast<const void*>(ahead), 0, 2);
    __builtin_prefetch(reinterpret_cast<const void*>(ahead + 64), 0, 2);
    typename L::V acc;
    if (len <= 2 * n) {  // the common case: two masked loads (the second often empty)
      const int64_t first = len < n ? len : n;
      acc = L::add(L::load_first(d + b, first), L::load_first(d + b + n, len - first));
    } else {
      acc = L::zero();
      int64_t k = b;
      for (; k + n <= b + len; k += n) acc = L::add(acc, L::load(d + k));
      acc = L::add(acc, L::load_first(d + k, b + len - k));
    }
    out[o] = L::total(acc);
  }
  return !bad;
}

}  // namespace

bool slice_sums_avx512_available() {
  static const bool cpu = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("bmi2");
  }();
  return cpu && tiled::use_avx512();
}

template <class T, class I>
bool slice_sums_avx512(const T* data, const I* indptr, int64_t outer, T* out, int nt) {
  // balanced_bounds' searches assume a non-decreasing indptr; on one that is not, the blocks
  // are only unbalanced (each bound still lies in [0, outer]).
  const std::vector<int64_t> bounds =
      nt > 1 ? balanced_bounds(indptr, static_cast<const I*>(nullptr), outer, nt) : std::vector<int64_t>{0, outer};
  const int64_t nnz = static_cast<int64_t>(indptr[outer]);
  bool ok = true;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1) reduction(& : ok)
  for (int t = 0; t < nt; ++t) ok &= sums(data, indptr, bounds[t], bounds[t + 1], nnz, out);
  return ok;
}

#else

bool slice_sums_avx512_available() { return false; }
template <class T, class I>
bool slice_sums_avx512(const T*, const I*, int64_t, T*, int) {
  return true;
}

#endif

template bool slice_sums_avx512<float, int32_t>(const float*, const int32_t*, int64_t, float*, int);
template bool slice_sums_avx512<float, int64_t>(const float*, const int64_t*, int64_t, float*, int);
template bool slice_sums_avx512<double, int32_t>(const double*, const int32_t*, int64_t, double*, int);
template bool slice_sums_avx512<double, int64_t>(const double*, const int64_t*, int64_t, double*, int);

}  // namespace hypatia::sparse_kernels
