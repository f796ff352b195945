// sort_distinct (sort_distinct.h): AVX-512 rank sort of up to 256 distinct int32 keys, else std::sort.
#include "hypatia/sparse/kernels/sort_distinct.h"

#include <algorithm>
#include <cstring>

#include "hypatia/sparse/kernels/spmm_tiled.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HYP_SORT512 __attribute__((target("avx2,avx512f,avx512vl")))
#define HYP_HAVE_SORT512 1
// GCC 12's unmasked AVX-512 intrinsics read an undefined register (see merge_avx512.cpp).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#else
#define HYP_HAVE_SORT512 0
#endif

namespace hypatia::sparse_kernels {

namespace {

#if HYP_HAVE_SORT512

// Ranks of the keys in lanes [a, a + 16 * V) among all n keys, scattered to tmp. V vectors of
// keys and V of ranks stay in registers while every key is broadcast against them once.
template <int V>
HYP_SORT512 inline void rank_block(const int32_t* x, int64_t n, int64_t a, int32_t* tmp) {
  __m512i key[V], rank[V];
  __mmask16 live[V];
  for (int v = 0; v < V; ++v) {
    const int64_t at = a + 16 * v;
    const int64_t left = n - at;
    live[v] = left >= 16 ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1);
    key[v] = _mm512_maskz_loadu_epi32(live[v], x + at);
    rank[v] = _mm512_setzero_si512();
  }
  const __m512i one = _mm512_set1_epi32(1);
  for (int64_t b = 0; b < n; ++b) {
    const __m512i k = _mm512_set1_epi32(x[b]);
    for (int v = 0; v < V; ++v) rank[v] = _mm512_mask_add_epi32(rank[v], _mm512_cmpgt_epi32_mask(key[v], k), rank[v], one);
  }
  for (int v = 0; v < V; ++v) _mm512_mask_i32scatter_epi32(tmp, live[v], rank[v], key[v], 4);
}

// Blocks of up to 128 keys, each with exactly as many vectors as it has keys for: every key is
// broadcast once per block.
HYP_SORT512 void rank_sort(int32_t* x, int64_t n, int32_t* tmp) {
  for (int64_t a = 0; a < n; a += 128) {
    switch (std::min<int64_t>(8, (n - a + 15) / 16)) {
      case 1: rank_block<1>(x, n, a, tmp); break;
      case 2: rank_block<2>(x, n, a, tmp); break;
      case 3: rank_block<3>(x, n, a, tmp); break;
      case 4: rank_block<4>(x, n, a, tmp); break;
      case 5: rank_block<5>(x, n, a, tmp); break;
      case 6: rank_block<6>(x, n, a, tmp); break;
      case 7: rank_block<7>(x, n, a, tmp); break;
      default: rank_block<8>(x, n, a, tmp); break;
    }
  }
  std::memcpy(x, tmp, static_cast<size_t>(n) * sizeof(int32_t));
}

#endif

}  // namespace

void sort_distinct(int32_t* x, int64_t n, int32_t* tmp) {
  if (n < 2) return;
#if HYP_HAVE_SORT512
  if (n <= kRankSortMax && tiled::use_avx512()) return rank_sort(x, n, tmp);
#endif
  (void)tmp;
  std::sort(x, x + n);
}

void sort_distinct(int64_t* x, int64_t n) { std::sort(x, x + n); }

}  // namespace hypatia::sparse_kernels
