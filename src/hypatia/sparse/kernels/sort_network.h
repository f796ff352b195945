// A bitonic sorting network over 1 to 16 AVX-512 registers of int32 keys (sort_distinct.cpp's
// sort_keys): branch-free, fully unrolled by templates, for callers compiled with AVX-512 enabled.
#pragma once
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include <cstdint>

// Every helper is inlined into one AVX-512 function per register count, so the keys stay in
// registers from the load to the store.
#define HYP_NET_INLINE __attribute__((target("avx2,avx512f,avx512vl"), always_inline)) inline

namespace hypatia::sparse_kernels::sort_network {

/// Which lanes take the larger key at the step of a bitonic sort that builds runs of k lanes and
/// compares lanes j apart: a lane with bit j set takes the larger key in a run sorted upward
/// (bit k clear), the smaller one in a run sorted downward. The network sorts downward when
/// `up` is false by flipping every comparator.
constexpr __mmask16 larger_lanes(int k, int j, bool up) {
  unsigned m = 0;
  for (int i = 0; i < 16; ++i)
    if (((i & j) != 0) != ((i & k) != 0)) m |= 1u << i;
  return static_cast<__mmask16>(up ? m : ~m & 0xFFFFu);
}

/// The key of the lane J apart (lane i ^ J): in-lane shuffles for J = 1, 2 and 128-bit block
/// swaps for J = 4, 8, cheaper than a full permute.
template <int J>
HYP_NET_INLINE __m512i partner(__m512i v) {
  if constexpr (J == 1) return _mm512_maskz_shuffle_epi32(0xFFFF, v, _MM_PERM_CDAB);
  else if constexpr (J == 2) return _mm512_maskz_shuffle_epi32(0xFFFF, v, _MM_PERM_BADC);
  else if constexpr (J == 4) return _mm512_maskz_shuffle_i64x2(0xFF, v, v, _MM_SHUFFLE(2, 3, 0, 1));
  else return _mm512_maskz_shuffle_i64x2(0xFF, v, v, _MM_SHUFFLE(1, 0, 3, 2));
}

/// One compare-exchange step within a register: min of each lane pair J apart, and the max into
/// the lanes larger_lanes(K, J, Up) names.
template <int K, int J, bool Up>
HYP_NET_INLINE __m512i step(__m512i v) {
  const __m512i t = partner<J>(v);
  return _mm512_mask_max_epi32(_mm512_maskz_min_epi32(0xFFFF, v, t), larger_lanes(K, J, Up), v, t);
}

/// Sorts the 16 lanes of one register (10 steps).
template <bool Up>
HYP_NET_INLINE __m512i sort16(__m512i v) {
  v = step<2, 1, Up>(v);
  v = step<4, 2, Up>(v);
  v = step<4, 1, Up>(v);
  v = step<8, 4, Up>(v);
  v = step<8, 2, Up>(v);
  v = step<8, 1, Up>(v);
  v = step<16, 8, Up>(v);
  v = step<16, 4, Up>(v);
  v = step<16, 2, Up>(v);
  return step<16, 1, Up>(v);
}

/// Sorts one register whose lanes form a bitonic sequence (4 steps).
template <bool Up>
HYP_NET_INLINE __m512i merge16(__m512i v) {
  v = step<16, 8, Up>(v);
  v = step<16, 4, Up>(v);
  v = step<16, 2, Up>(v);
  return step<16, 1, Up>(v);
}

/// Compare-exchange of registers S + X - 1 ... S with the registers W above them (the smaller
/// keys stay below when sorting upward), unrolled by recursion.
template <int S, int W, int X, bool Up>
HYP_NET_INLINE void exchange(__m512i* v) {
  if constexpr (X > 0) {
    const __m512i a = v[S + X - 1], b = v[S + X - 1 + W];
    v[S + X - 1] = Up ? _mm512_maskz_min_epi32(0xFFFF, a, b) : _mm512_maskz_max_epi32(0xFFFF, a, b);
    v[S + X - 1 + W] = Up ? _mm512_maskz_max_epi32(0xFFFF, a, b) : _mm512_maskz_min_epi32(0xFFFF, a, b);
    exchange<S, W, X - 1, Up>(v);
  }
}

/// Registers [S, S + 2W) hold a bitonic sequence (an upward run, then a downward one): sorts
/// them upward or downward, comparing registers W apart, then W/2, ..., then within each.
template <int S, int W, bool Up>
HYP_NET_INLINE void merge(__m512i* v) {
  if constexpr (W == 0) {
    v[S] = merge16<Up>(v[S]);
  } else {
    exchange<S, W, W, Up>(v);
    merge<S, W / 2, Up>(v);
    if constexpr (W > 1) merge<S + W, W / 2, Up>(v);
    else v[S + 1] = merge16<Up>(v[S + 1]);
  }
}

/// Sorts registers [S, S + N) as one list of 16 N keys (N a power of two): the first half
/// upward and the second downward, so that together they are bitonic, then merged. Alternating
/// the directions saves reversing a half before each merge.
template <int S, int N, bool Up>
HYP_NET_INLINE void sort(__m512i* v) {
  if constexpr (N == 1) {
    v[S] = sort16<Up>(v[S]);
  } else {
    sort<S, N / 2, true>(v);
    sort<S + N / 2, N / 2, false>(v);
    merge<S, N / 2, Up>(v);
  }
}

}  // namespace hypatia::sparse_kernels::sort_network

#undef HYP_NET_INLINE
#endif
