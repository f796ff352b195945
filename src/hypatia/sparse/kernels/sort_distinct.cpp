// sort_distinct (sort_distinct.h): AVX-512 rank sort of up to 256 distinct int32 keys, else std::sort;
// both report where each sorted key came from.
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

// Ranks of the keys in lanes [a, a + 16 * V) among all n keys: each key scattered to tmp and its
// position to perm at its rank. V vectors of keys and V of ranks stay in registers while every
// key is broadcast against them once.
template <int V, bool kPerm>
HYP_SORT512 inline void rank_block(const int32_t* x, int64_t n, int64_t a, int32_t* tmp, int32_t* perm) {
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
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int v = 0; v < V; ++v) {
    _mm512_mask_i32scatter_epi32(tmp, live[v], rank[v], key[v], 4);
    if constexpr (kPerm) {
      const __m512i pos = _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int32_t>(a + 16 * v)));
      _mm512_mask_i32scatter_epi32(perm, live[v], rank[v], pos, 4);
    }
  }
}

// Each key of x[0, n) written to out at its rank (out must not overlap x), in blocks of up to 128
// keys, each with exactly as many vectors as it has keys for: every key is broadcast once per
// block. With kPerm, perm[rank] is the key's position in x.
template <bool kPerm>
HYP_SORT512 void rank_into(const int32_t* x, int64_t n, int32_t* out, int32_t* perm) {
  for (int64_t a = 0; a < n; a += 128) {
    switch (std::min<int64_t>(8, (n - a + 15) / 16)) {
      case 1: rank_block<1, kPerm>(x, n, a, out, perm); break;
      case 2: rank_block<2, kPerm>(x, n, a, out, perm); break;
      case 3: rank_block<3, kPerm>(x, n, a, out, perm); break;
      case 4: rank_block<4, kPerm>(x, n, a, out, perm); break;
      case 5: rank_block<5, kPerm>(x, n, a, out, perm); break;
      case 6: rank_block<6, kPerm>(x, n, a, out, perm); break;
      case 7: rank_block<7, kPerm>(x, n, a, out, perm); break;
      default: rank_block<8, kPerm>(x, n, a, out, perm); break;
    }
  }
}

HYP_SORT512 void rank_sort(int32_t* x, int64_t n, int32_t* tmp, int32_t* perm) {
  rank_into<true>(x, n, tmp, perm);
  std::memcpy(x, tmp, static_cast<size_t>(n) * sizeof(int32_t));
}

// Keys are first split by value into kBuckets buckets (equal parts of [min, max], each vector's
// keys compressed into their bucket's stretch of tmp), and each bucket rank-sorted back into x:
// the rank sort's n^2 / 16 compares drop to about n^2 / (16 kBuckets) when the keys spread (a
// product row's columns), and stay n^2 / 16 at worst (every key in one bucket). Short lists skip
// the split.
constexpr int kBuckets = 4;
constexpr int64_t kBucketFrom = 48;
// Which bucket each live lane of k falls in: bucket b holds keys at or above pivot b - 1 and
// below pivot b.
HYP_SORT512 inline void bucket_masks(__mmask16 m, __m512i k, const __m512i* pivot, __mmask16* out) {
  __mmask16 below = m;
  for (int b = 0; b + 1 < kBuckets; ++b) {
    const __mmask16 ge = _mm512_mask_cmpge_epi32_mask(m, k, pivot[b]);
    out[b] = static_cast<__mmask16>(below & ~ge);
    below = ge;
  }
  out[kBuckets - 1] = below;
}
HYP_SORT512 void bucket_rank_sort(int32_t* x, int64_t n, int32_t* tmp) {
  if (n < kBucketFrom) {
    rank_into<false>(x, n, tmp, nullptr);
    std::memcpy(x, tmp, static_cast<size_t>(n) * sizeof(int32_t));
    return;
  }
  auto live = [n](int64_t at) {
    const int64_t left = n - at;
    return left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
  };
  __m512i lo = _mm512_set1_epi32(INT32_MAX), hi = _mm512_set1_epi32(INT32_MIN);
  for (int64_t at = 0; at < n; at += 16) {
    const __mmask16 m = live(at);
    const __m512i k = _mm512_maskz_loadu_epi32(m, x + at);
    lo = _mm512_mask_min_epi32(lo, m, lo, k);
    hi = _mm512_mask_max_epi32(hi, m, hi, k);
  }
  const int64_t kmin = _mm512_reduce_min_epi32(lo), span = static_cast<int64_t>(_mm512_reduce_max_epi32(hi)) - kmin + 1;
  __m512i pivot[kBuckets - 1];
  for (int b = 0; b + 1 < kBuckets; ++b) pivot[b] = _mm512_set1_epi32(static_cast<int32_t>(kmin + span * (b + 1) / kBuckets));
  int64_t start[kBuckets + 1] = {}, fill[kBuckets];
  for (int64_t at = 0; at < n; at += 16) {
    const __mmask16 m = live(at);
    __mmask16 bm[kBuckets];
    bucket_masks(m, _mm512_maskz_loadu_epi32(m, x + at), pivot, bm);
    for (int b = 0; b < kBuckets; ++b) start[b + 1] += __builtin_popcount(bm[b]);
  }
  for (int b = 0; b < kBuckets; ++b) start[b + 1] += start[b], fill[b] = start[b];
  for (int64_t at = 0; at < n; at += 16) {
    const __mmask16 m = live(at);
    const __m512i k = _mm512_maskz_loadu_epi32(m, x + at);
    __mmask16 bm[kBuckets];
    bucket_masks(m, k, pivot, bm);
    for (int b = 0; b < kBuckets; ++b) {
      _mm512_mask_compressstoreu_epi32(tmp + fill[b], bm[b], k);
      fill[b] += __builtin_popcount(bm[b]);
    }
  }
  for (int b = 0; b < kBuckets; ++b) rank_into<false>(tmp + start[b], start[b + 1] - start[b], x + start[b], nullptr);
}

#endif

}  // namespace

void sort_distinct(int32_t* x, int64_t n, int32_t* perm, uint64_t* tmp) {
  if (n == 1) perm[0] = 0;
  if (n < 2) return;
#if HYP_HAVE_SORT512
  if (n <= kRankSortMax && tiled::use_avx512()) return rank_sort(x, n, reinterpret_cast<int32_t*>(tmp), perm);
#endif
  // Key and position in one word (the key's sign bit flipped, so unsigned order is signed order).
  for (int64_t i = 0; i < n; ++i)
    tmp[i] = (static_cast<uint64_t>(static_cast<uint32_t>(x[i]) ^ 0x80000000u) << 32) | static_cast<uint64_t>(i);
  std::sort(tmp, tmp + n);
  for (int64_t r = 0; r < n; ++r) {
    perm[r] = static_cast<int32_t>(tmp[r] & 0xFFFFFFFFu);
    x[r] = static_cast<int32_t>(static_cast<uint32_t>(tmp[r] >> 32) ^ 0x80000000u);
  }
}

void sort_keys(int32_t* x, int64_t n, int32_t* tmp) {
  if (n < 2) return;
#if HYP_HAVE_SORT512
  if (n <= kRankSortMax && tiled::use_avx512()) return bucket_rank_sort(x, n, tmp);
#endif
  std::sort(x, x + n);
}

void sort_distinct(int64_t* x, int64_t n, int64_t* perm, uint64_t* tmp) {
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  std::sort(perm, perm + n, [x](int64_t a, int64_t b) { return x[a] < x[b]; });
  for (int64_t r = 0; r < n; ++r) tmp[r] = static_cast<uint64_t>(x[perm[r]]);
  for (int64_t r = 0; r < n; ++r) x[r] = static_cast<int64_t>(tmp[r]);
}

}  // namespace hypatia::sparse_kernels
