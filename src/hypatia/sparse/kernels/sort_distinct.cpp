// Sorts for the rows of a sparse product (sort_distinct.h): sort_keys by a bitonic network
// (sort_network.h), radix_sort_high by LSD radix, sort_distinct by std::sort of an index.
#include "hypatia/sparse/kernels/sort_distinct.h"

#include <algorithm>
#include <cstring>

#include "hypatia/sparse/kernels/sort_network.h"
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

// Ranks of the keys in lanes [a, a + 16 * V) among all n keys: each key scattered to tmp at its
// rank. V vectors of keys and V of ranks stay in registers while every key is broadcast against
// them once.
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

// Up to 16 * R keys loaded into R registers (the lanes past n hold INT32_MAX, which sort last),
// sorted by the bitonic network, and the first n stored back.
template <int R>
HYP_SORT512 void network_sort(int32_t* x, int64_t n) {
  __m512i v[R];
  __mmask16 live[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    const int64_t left = n - 16 * r;
    live[r] = left >= 16 ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1);
    v[r] = _mm512_mask_loadu_epi32(_mm512_set1_epi32(INT32_MAX), live[r], x + 16 * r);
  }
  sort_network::sort<0, R, true>(v);
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) _mm512_mask_storeu_epi32(x + 16 * r, live[r], v[r]);
}

// Short lists take the rank sort (a few broadcasts and compares), longer ones the network with
// as many registers as they fill: for a product row's 100 keys, 8 registers sort in about 60 %
// of the time the rank sort took after splitting the keys into four buckets by value.
constexpr int64_t kNetworkFrom = 12;
static_assert(kRankSortMax <= 16 * 16, "the network takes at most 16 registers");
HYP_SORT512 void sort_keys_avx512(int32_t* x, int64_t n, int32_t* tmp) {
  if (n < kNetworkFrom) {  // at most 11 keys: one block of one register
    rank_block<1>(x, n, 0, tmp);
    std::memcpy(x, tmp, static_cast<size_t>(n) * sizeof(int32_t));
  } else if (n <= 16) {
    network_sort<1>(x, n);
  } else if (n <= 32) {
    network_sort<2>(x, n);
  } else if (n <= 64) {
    network_sort<4>(x, n);
  } else if (n <= 128) {
    network_sort<8>(x, n);
  } else {
    network_sort<16>(x, n);
  }
}

#endif

}  // namespace

void sort_keys(int32_t* x, int64_t n, int32_t* tmp) {
  if (n < 2) return;
#if HYP_HAVE_SORT512
  if (n <= kRankSortMax && tiled::use_avx512()) return sort_keys_avx512(x, n, tmp);
#endif
  std::sort(x, x + n);
}

uint64_t* radix_sort_high(uint64_t* a, uint64_t* tmp, int64_t n, int width) {
  const int passes = (width + 7) / 8, digit = (width + passes - 1) / passes;
  const uint64_t mask = (uint64_t{1} << digit) - 1;
  uint32_t count[4][256];
  for (int p = 0; p < passes; ++p) std::fill_n(count[p], mask + 1, 0u);
  for (int64_t q = 0; q < n; ++q) {  // every pass's digits counted in one read
    const uint64_t key = a[q] >> 32;
    for (int p = 0; p < passes; ++p) ++count[p][(key >> (p * digit)) & mask];
  }
  for (int p = 0; p < passes; ++p) {
    uint32_t sum = 0;
    for (uint64_t d = 0; d <= mask; ++d) {
      const uint32_t c = count[p][d];
      count[p][d] = sum;
      sum += c;
    }
    const int shift = 32 + p * digit;
    for (int64_t q = 0; q < n; ++q) tmp[count[p][(a[q] >> shift) & mask]++] = a[q];
    std::swap(a, tmp);
  }
  return a;
}

void sort_distinct(int64_t* x, int64_t n, int64_t* perm, uint64_t* tmp) {
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  std::sort(perm, perm + n, [x](int64_t a, int64_t b) { return x[a] < x[b]; });
  for (int64_t r = 0; r < n; ++r) tmp[r] = static_cast<uint64_t>(x[perm[r]]);
  for (int64_t r = 0; r < n; ++r) x[r] = static_cast<int64_t>(tmp[r]);
}

}  // namespace hypatia::sparse_kernels
