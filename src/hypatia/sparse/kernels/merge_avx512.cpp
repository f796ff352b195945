// AVX-512 merge of short sorted slices for sparse (+, -, *) sparse (merge_rows.h): each slice of
// up to 16 entries per side is matched by 16 broadcast compares instead of a merge loop.
#include "hypatia/sparse/kernels/merge_rows.h"

#include <algorithm>

#include "hypatia/sparse/kernels/sort_network.h"
#include "hypatia/sparse/kernels/spmm_tiled.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define HYP_MERGE512 __attribute__((target("avx2,fma,avx512f,avx512vl,avx512dq,bmi,bmi2,popcnt")))
#define HYP_HAVE_MERGE512 1
// GCC 12's AVX-512 intrinsics pass an undefined register as the unused merge source of their
// unmasked forms, which -Wmaybe-uninitialized reports at every use.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#else
#define HYP_HAVE_MERGE512 0
#endif

namespace hypatia::sparse_kernels::merge_rows {

#if HYP_HAVE_MERGE512
namespace {

#define HYP_INLINE inline __attribute__((always_inline))

// One slice's 16 index lanes, the slots past its end holding INT32_MAX (never a valid index, so
// never equal to or below one: int32 output indices mean the inner size is at most INT32_MAX,
// as merge.cpp picks them from the shape).
struct Lanes {
  __mmask16 valid;
  __m512i idx;
};

HYP_MERGE512 HYP_INLINE Lanes load_lanes(const int32_t* ix, int64_t n) {
  const __mmask16 k = static_cast<__mmask16>(_bzhi_u32(0xFFFFu, static_cast<unsigned>(n)));
  return {k, _mm512_mask_loadu_epi32(_mm512_set1_epi32(INT32_MAX), k, ix)};
}

// Lanes n..15 of lo then 0..n-1 of hi (valignd; the zero-masked form, as GCC's plain one
// reads an undefined register).
template <int N>
HYP_MERGE512 HYP_INLINE __m512i align_by(__m512i hi, __m512i lo) { return _mm512_maskz_alignr_epi32(0xFFFF, hi, lo, N); }
#define align(HI, LO, N) align_by<N>(HI, LO)

// Whether the valid lanes strictly increase (the slice is canonical) and lie in [0, inner)
// (`limit`: inner as unsigned, at most 2^31, so that a negative index fails too).
HYP_MERGE512 HYP_INLINE bool increasing(const Lanes& l, __m512i limit) {
  const __m512i next = align(_mm512_set1_epi32(INT32_MAX), l.idx, 1);
  const __mmask16 pairs = static_cast<__mmask16>(l.valid >> 1);
  return (_mm512_mask_cmplt_epi32_mask(pairs, l.idx, next) == pairs) &
         (_mm512_mask_cmplt_epu32_mask(l.valid, l.idx, limit) == l.valid);
}

// Lane i: how many bits of m lie below bit i.
HYP_MERGE512 HYP_INLINE __m512i bits_below(__mmask16 m) {
  const __m512i z = _mm512_setzero_si512();
  __m512i v = align(_mm512_maskz_mov_epi32(m, _mm512_set1_epi32(1)), z, 15);
  v = _mm512_add_epi32(v, align(v, z, 15));
  v = _mm512_add_epi32(v, align(v, z, 14));
  v = _mm512_add_epi32(v, align(v, z, 12));
  return _mm512_add_epi32(v, align(v, z, 8));
}

// The matches of a's lanes in b: mask of a's lanes found in b and, for each, the b lane (jidx).
// With kRanks, also each of a's lanes' count of b's lanes below it (ca) and b's matched lanes
// (mb), which place a union's entries. One compare per b lane: ge counts b's lanes at or below
// each a lane; as b is sorted, the last of them is the only one that can equal it.
template <bool kRanks>
struct Match {
  __mmask16 ma = 0, mb = 0;
  __m512i jidx, ca;
};
template <bool kRanks>
HYP_MERGE512 HYP_INLINE Match<kRanks> match(const Lanes& a, const Lanes& b) {
  alignas(64) int32_t bb[16];
  _mm512_store_si512(bb, b.idx);
  const __m512i minus1 = _mm512_set1_epi32(-1);
  __m512i ge = _mm512_setzero_si512();
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i)
    ge = _mm512_mask_sub_epi32(ge, _mm512_cmpge_epi32_mask(a.idx, _mm512_set1_epi32(bb[i])), ge, minus1);
  Match<kRanks> m;
  // ge - 1 is -1 (lane 15 once masked to 4 bits) where no b lane is at or below: b's lane 15 is
  // then above a's, so it cannot match.
  m.jidx = _mm512_add_epi32(ge, minus1);
  m.ma = _mm512_mask_cmpeq_epi32_mask(a.valid, a.idx, _mm512_maskz_permutexvar_epi32(0xFFFF, m.jidx, b.idx));
  if constexpr (kRanks) {
    m.ca = _mm512_mask_add_epi32(ge, m.ma, ge, minus1);
    // b's matched lanes: those a's matched lanes point at.
    m.mb = static_cast<__mmask16>(_mm512_mask_reduce_or_epi32(m.ma, _mm512_sllv_epi32(_mm512_set1_epi32(1), m.jidx)));
  }
  return m;
}

HYP_MERGE512 HYP_INLINE __m512i iota16() { return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15); }

// 16 values of T: one register of float, two of double (lanes 0-7 and 8-15).
template <class T>
struct Vals;
template <>
struct Vals<float> {
  __m512 v;
  HYP_MERGE512 HYP_INLINE static Vals load(__mmask16 k, const float* p) { return {_mm512_maskz_loadu_ps(k, p)}; }
  // Lane i takes lane jidx[i] of o.
  HYP_MERGE512 HYP_INLINE static Vals permute(const Vals& o, __m512i jidx) { return {_mm512_maskz_permutexvar_ps(0xFFFF, jidx, o.v)}; }
  HYP_MERGE512 HYP_INLINE static Vals zero_unless(__mmask16 k, const Vals& o) { return {_mm512_maskz_mov_ps(k, o.v)}; }
  template <SpBinary Op>
  HYP_MERGE512 HYP_INLINE static Vals apply(const Vals& x, const Vals& y) {
    if constexpr (Op == SpBinary::Add) return {_mm512_add_ps(x.v, y.v)};
    else if constexpr (Op == SpBinary::Sub) return {_mm512_sub_ps(x.v, y.v)};
    else return {_mm512_mul_ps(x.v, y.v)};
  }
  HYP_MERGE512 HYP_INLINE __mmask16 zeros() const { return _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_EQ_OQ); }
  HYP_MERGE512 HYP_INLINE __mmask16 non_finite() const { return _mm512_fpclass_ps_mask(v, 0x99); }
  HYP_MERGE512 HYP_INLINE void compress_store(float* p, __mmask16 k) const { _mm512_mask_compressstoreu_ps(p, k, v); }
  // Writes the u entries of a union at p: entry s is the next of `from_a` (in lane order) where
  // bit s of `m` is set, else the next of `from_b`'s lanes in `only_b`.
  HYP_MERGE512 HYP_INLINE static void place(const Vals& from_a, const Vals& from_b, __mmask16 only_b, uint32_t m, int u,
                                            float* p) {
    const __m512 b = _mm512_maskz_compress_ps(only_b, from_b.v);
    const __mmask16 lo = static_cast<__mmask16>(m), hi = static_cast<__mmask16>(m >> 16);
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>(_bzhi_u32(0xFFFFu, static_cast<unsigned>(std::min(u, 16)))),
                          _mm512_mask_expand_ps(_mm512_maskz_expand_ps(static_cast<__mmask16>(~lo), b), lo, from_a.v));
    if (u > 16) {
      const int ca = __builtin_popcount(lo);
      const __m512 as = _mm512_maskz_permutexvar_ps(0xFFFF, _mm512_add_epi32(iota16(), _mm512_set1_epi32(ca)), from_a.v);
      const __m512 bs = _mm512_maskz_permutexvar_ps(0xFFFF, _mm512_add_epi32(iota16(), _mm512_set1_epi32(16 - ca)), b);
      _mm512_mask_storeu_ps(p + 16, static_cast<__mmask16>(_bzhi_u32(0xFFFFu, static_cast<unsigned>(u - 16))),
                            _mm512_mask_expand_ps(_mm512_maskz_expand_ps(static_cast<__mmask16>(~hi), bs), hi, as));
    }
  }
};
template <>
struct Vals<double> {
  __m512d lo, hi;
  HYP_MERGE512 HYP_INLINE static Vals load(__mmask16 k, const double* p) {
    return {_mm512_maskz_loadu_pd(static_cast<__mmask8>(k), p), _mm512_maskz_loadu_pd(static_cast<__mmask8>(k >> 8), p + 8)};
  }
  HYP_MERGE512 HYP_INLINE static Vals permute(const Vals& o, __m512i jidx) {
    const __m512i j0 = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(jidx)), j1 = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(jidx, 1));
    return {_mm512_permutex2var_pd(o.lo, j0, o.hi), _mm512_permutex2var_pd(o.lo, j1, o.hi)};
  }
  HYP_MERGE512 HYP_INLINE static Vals zero_unless(__mmask16 k, const Vals& o) {
    return {_mm512_maskz_mov_pd(static_cast<__mmask8>(k), o.lo), _mm512_maskz_mov_pd(static_cast<__mmask8>(k >> 8), o.hi)};
  }
  template <SpBinary Op>
  HYP_MERGE512 HYP_INLINE static Vals apply(const Vals& x, const Vals& y) {
    if constexpr (Op == SpBinary::Add) return {_mm512_add_pd(x.lo, y.lo), _mm512_add_pd(x.hi, y.hi)};
    else if constexpr (Op == SpBinary::Sub) return {_mm512_sub_pd(x.lo, y.lo), _mm512_sub_pd(x.hi, y.hi)};
    else return {_mm512_mul_pd(x.lo, y.lo), _mm512_mul_pd(x.hi, y.hi)};
  }
  HYP_MERGE512 HYP_INLINE static __mmask16 join(__mmask8 a, __mmask8 b) {
    return static_cast<__mmask16>(static_cast<unsigned>(a) | (static_cast<unsigned>(b) << 8));
  }
  HYP_MERGE512 HYP_INLINE __mmask16 zeros() const {
    const __m512d z = _mm512_setzero_pd();
    return join(_mm512_cmp_pd_mask(lo, z, _CMP_EQ_OQ), _mm512_cmp_pd_mask(hi, z, _CMP_EQ_OQ));
  }
  HYP_MERGE512 HYP_INLINE __mmask16 non_finite() const {
    return join(_mm512_fpclass_pd_mask(lo, 0x99), _mm512_fpclass_pd_mask(hi, 0x99));
  }
  HYP_MERGE512 HYP_INLINE void compress_store(double* p, __mmask16 k) const {
    _mm512_mask_compressstoreu_pd(p, static_cast<__mmask8>(k), lo);
    _mm512_mask_compressstoreu_pd(p + __builtin_popcount(k & 0xFFu), static_cast<__mmask8>(k >> 8), hi);
  }
  // As Vals<float>::place, in four registers of 8: output register r takes its entries from
  // a's lanes past those placed before it and b's compressed lanes likewise.
  HYP_MERGE512 HYP_INLINE static void place(const Vals& from_a, const Vals& from_b, __mmask16 only_b, uint32_t m, int u,
                                            double* p) {
    const int c0 = __builtin_popcount(only_b & 0xFFu);
    const __m512d cl = _mm512_maskz_compress_pd(static_cast<__mmask8>(only_b), from_b.lo);
    const __m512d ch = _mm512_maskz_compress_pd(static_cast<__mmask8>(only_b >> 8), from_b.hi);
    const __m512i i8 = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7), c0v = _mm512_set1_epi64(c0);
    // b's own lanes contiguous in (bl, bh): lanes below c0 from cl, the rest from ch.
    const __m512i from_ch = _mm512_add_epi64(_mm512_sub_epi64(i8, c0v), _mm512_set1_epi64(8));
    const __m512d bl = _mm512_permutex2var_pd(cl, _mm512_mask_blend_epi64(_mm512_cmplt_epi64_mask(i8, c0v), from_ch, i8), ch);
    const __m512d bh = _mm512_permutex2var_pd(cl, _mm512_add_epi64(from_ch, _mm512_set1_epi64(8)), ch);
    int ca = 0;
    for (int r = 0; r < 4 && 8 * r < u; ++r) {
      const __mmask8 mr = static_cast<__mmask8>(m >> (8 * r));
      const __m512d as = _mm512_permutex2var_pd(from_a.lo, _mm512_add_epi64(i8, _mm512_set1_epi64(ca)), from_a.hi);
      const __m512d bs = _mm512_permutex2var_pd(bl, _mm512_add_epi64(i8, _mm512_set1_epi64(8 * r - ca)), bh);
      const __mmask8 n = static_cast<__mmask8>(_bzhi_u32(0xFFu, static_cast<unsigned>(std::min(u - 8 * r, 8))));
      _mm512_mask_storeu_pd(p + 8 * r, n, _mm512_mask_expand_pd(_mm512_maskz_expand_pd(static_cast<__mmask8>(~mr), bs), mr, as));
      ca += __builtin_popcount(mr);
    }
  }
};

// Writes slice a[p, p + na) (op) b[q, q + nb) (both canonical, at most 16 each) into oi/od when
// its result has no zero (and, for Mul, no inf or nan meets an implicit zero): from pos on, or
// (kBackward) ending at pos, moving pos past what it wrote. Returns how many entries it wrote,
// or -1 (nothing written, pos unchanged) for the scalar merge to take the slice. The count is
// known before the first store, so a backward block needs no staging.
template <SpBinary Op, class T, bool kBackward>
HYP_MERGE512 HYP_INLINE int64_t merge_short(const Lanes& a, const Lanes& b, const T* da, const T* db, int32_t* oi_base,
                                            T* od_base, int64_t& pos) {
  auto at = [&](int64_t n) {  // where n entries go; moves pos past them
    const int64_t w = kBackward ? pos - n : pos;
    pos = kBackward ? w : pos + n;
    return w;
  };
  const Vals<T> x = Vals<T>::load(a.valid, da), y = Vals<T>::load(b.valid, db);
  if constexpr (Op == SpBinary::Mul) {
    // Only common positions are kept: a lane of either side alone gives x * 0, which is zero
    // unless x is inf or nan (then the scalar merge stores the nan).
    if ((x.non_finite() & a.valid) | (y.non_finite() & b.valid)) return -1;
    const Match<false> m = match<false>(a, b);
    const Vals<T> r = Vals<T>::template apply<Op>(x, Vals<T>::permute(y, m.jidx));
    const __mmask16 keep = m.ma & static_cast<__mmask16>(~r.zeros());
    const int64_t n = __builtin_popcount(keep), w = at(n);
    _mm512_mask_compressstoreu_epi32(oi_base + w, keep, a.idx);
    r.compress_store(od_base + w, keep);
    return n;
  } else {
    const Match<true> m = match<true>(a, b);
    const __mmask16 bonly = static_cast<__mmask16>(b.valid & ~m.mb);
    // a's lanes: op(x, matched y or 0); b's own lanes: op(0, y), as the scalar merge computes.
    const Vals<T> ra = Vals<T>::template apply<Op>(x, Vals<T>::zero_unless(m.ma, Vals<T>::permute(y, m.jidx)));
    const Vals<T> rb = Vals<T>::template apply<Op>(Vals<T>::zero_unless(0, y), y);
    if ((ra.zeros() & a.valid) | (rb.zeros() & bonly)) return -1;
    const int64_t n = __builtin_popcount(a.valid) + __builtin_popcount(bonly);
    // Entry positions in the union: a lane's own rank plus the other side's lanes below it,
    // less the matched ones (counted on both sides). Bit s of `from_a` says entry s is a's.
    const __m512i pa = _mm512_sub_epi32(_mm512_add_epi32(iota16(), m.ca), bits_below(m.ma));
    const uint32_t from_a = static_cast<uint32_t>(_mm512_mask_reduce_or_epi32(a.valid, _mm512_sllv_epi32(_mm512_set1_epi32(1), pa)));
    const int u = static_cast<int>(n);
    const int64_t w = at(n);
    // Indices, then values, placed by expanding each side's lanes into its entries; the
    // indices move as the bits of 16 floats (compress, expand and permutes only move data).
    Vals<float>::place({_mm512_castsi512_ps(a.idx)}, {_mm512_castsi512_ps(b.idx)}, bonly, from_a, u,
                       reinterpret_cast<float*>(oi_base + w));
    Vals<T>::place(ra, rb, bonly, from_a, u, od_base + w);
    return n;
  }
}

// Inner extents up to this take union_network: an index shifted left 5 bits stays an int32.
constexpr int64_t kNetworkInner = int64_t{1} << 26;

// The values of a union's entries, register q of 8 (double) or 16 (float) lanes of the packed
// entries `t` (two registers of 16: slot | next slot << 8 | 1 << 16 when the next entry holds the same column): a's
// value or zero, op'd with b's (its own, or the next entry's for a column in both, or zero), as
// the scalar merge computes op(x, y), op(x, 0) and op(0, y).
template <SpBinary Op>
HYP_MERGE512 HYP_INLINE __m512d union_values(const Vals<double>& x, const Vals<double>& y, const __m512i* t, int q) {
  const __m512i h = t[q / 2];
  const __m512i s = _mm512_cvtepi32_epi64(q % 2 ? _mm512_extracti64x4_epi64(h, 1) : _mm512_castsi512_si256(h));
  const __mmask8 from_b = _mm512_test_epi64_mask(s, _mm512_set1_epi64(16));
  const __mmask8 pair = _mm512_test_epi64_mask(s, _mm512_set1_epi64(1 << 16));
  const __m512d va = _mm512_permutex2var_pd(x.lo, s, x.hi), vb = _mm512_permutex2var_pd(y.lo, s, y.hi);
  const __m512d vn = _mm512_permutex2var_pd(y.lo, _mm512_srli_epi64(s, 8), y.hi);
  const Vals<double> ap{_mm512_maskz_mov_pd(static_cast<__mmask8>(~from_b), va), {}};
  const Vals<double> bp{_mm512_mask_mov_pd(_mm512_maskz_mov_pd(pair, vn), from_b, vb), {}};
  return Vals<double>::template apply<Op>(ap, bp).lo;
}
template <SpBinary Op>
HYP_MERGE512 HYP_INLINE __m512 union_values(const Vals<float>& x, const Vals<float>& y, const __m512i* t, int q) {
  const __m512i s = t[q];
  const __mmask16 from_b = _mm512_test_epi32_mask(s, _mm512_set1_epi32(16));
  const __mmask16 pair = _mm512_test_epi32_mask(s, _mm512_set1_epi32(1 << 16));
  const __m512 v = _mm512_permutex2var_ps(x.v, s, y.v), vn = _mm512_permutex2var_ps(x.v, _mm512_srli_epi32(s, 8), y.v);
  const Vals<float> ap{_mm512_maskz_mov_ps(static_cast<__mmask16>(~from_b), v)};
  const Vals<float> bp{_mm512_mask_mov_ps(_mm512_maskz_mov_ps(pair, vn), from_b, v)};
  return Vals<float>::template apply<Op>(ap, bp).v;
}
HYP_MERGE512 HYP_INLINE __mmask16 zero_lanes(__m512d v) { return _mm512_cmp_pd_mask(v, _mm512_setzero_pd(), _CMP_EQ_OQ); }
HYP_MERGE512 HYP_INLINE __mmask16 zero_lanes(__m512 v) { return _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_EQ_OQ); }
HYP_MERGE512 HYP_INLINE void store_lanes(double* p, int n, __m512d v) {
  _mm512_mask_storeu_pd(p, static_cast<__mmask8>(_bzhi_u32(0xFFu, static_cast<unsigned>(n))), v);
}
HYP_MERGE512 HYP_INLINE void store_lanes(float* p, int n, __m512 v) {
  _mm512_mask_storeu_ps(p, static_cast<__mmask16>(_bzhi_u32(0xFFFFu, static_cast<unsigned>(n))), v);
}

// Add or Sub of two short slices (as merge_short) by a bitonic merge (sort_network.h): each
// index, shifted left 5 bits, carries its lane below (a's 0-15, b's 16-31); b's keys reversed
// make the pair one bitonic sequence, and a single merge sorts the 32 keys. A column in both
// sides is then two neighbouring keys, a's first, and the second is dropped. About half the
// vector work of matching by 16 compares and placing by expands. Indices below kNetworkInner.
template <SpBinary Op, class T, bool kBackward>
HYP_MERGE512 HYP_INLINE int64_t union_network(const Lanes& a, const Lanes& b, const T* da, const T* db, int32_t* oi_base,
                                              T* od_base, int64_t& pos) {
  const __m512i lane = iota16(), pad = _mm512_set1_epi32(INT32_MAX);
  __m512i v[2];
  v[0] = _mm512_mask_or_epi32(pad, a.valid, _mm512_slli_epi32(a.idx, 5), lane);
  const __m512i kb = _mm512_mask_or_epi32(pad, b.valid, _mm512_slli_epi32(b.idx, 5), _mm512_add_epi32(lane, _mm512_set1_epi32(16)));
  v[1] = _mm512_maskz_permutexvar_epi32(0xFFFF, _mm512_setr_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), kb);
  sort_network::merge<0, 1, true>(v);
  const uint32_t valid = _bzhi_u32(~0u, static_cast<unsigned>(__builtin_popcount(a.valid) + __builtin_popcount(b.valid)));
  const __m512i c0 = _mm512_srli_epi32(v[0], 5), c1 = _mm512_srli_epi32(v[1], 5);
  const uint32_t same = static_cast<uint32_t>(_mm512_cmpeq_epi32_mask(c0, align(c1, c0, 1))) |
                        static_cast<uint32_t>(_mm512_cmpeq_epi32_mask(c1, align(_mm512_set1_epi32(-1), c1, 1))) << 16;
  const uint32_t pair = same & (valid >> 1), keep = valid & ~(pair << 1);
  // Each kept entry packed as slot | next slot << 8 | pair flag << 16, and its column.
  const __m512i m31 = _mm512_set1_epi32(31), flag = _mm512_set1_epi32(1 << 16);
  const __m512i s0 = _mm512_and_si512(v[0], m31), s1 = _mm512_and_si512(v[1], m31);
  __m512i t0 = _mm512_or_si512(s0, _mm512_slli_epi32(align(s1, s0, 1), 8));
  __m512i t1 = _mm512_or_si512(s1, _mm512_slli_epi32(align(_mm512_setzero_si512(), s1, 1), 8));
  t0 = _mm512_mask_or_epi32(t0, static_cast<__mmask16>(pair), t0, flag);
  t1 = _mm512_mask_or_epi32(t1, static_cast<__mmask16>(pair >> 16), t1, flag);
  const __mmask16 k0 = static_cast<__mmask16>(keep), k1 = static_cast<__mmask16>(keep >> 16);
  const int n0 = __builtin_popcount(k0), n = n0 + __builtin_popcount(k1);
  // The kept entries packed into two registers (in registers: stored and reloaded at an offset,
  // each reload waited for the two stores it straddled).
  const __m512i p0 = _mm512_maskz_compress_epi32(k0, t0), p1 = _mm512_maskz_compress_epi32(k1, t1);
  const __mmask16 past = static_cast<__mmask16>(~_bzhi_u32(0xFFFFu, static_cast<unsigned>(n0)));
  const __m512i from_p1 = _mm512_add_epi32(lane, _mm512_set1_epi32(16 - n0));
  const __m512i t[2] = {_mm512_mask_expand_epi32(p0, past, p1), _mm512_maskz_permutexvar_epi32(0xFFFF, from_p1, p1)};
  const Vals<T> x = Vals<T>::load(a.valid, da), y = Vals<T>::load(b.valid, db);
  constexpr int L = 64 / sizeof(T);
  using R = decltype(union_values<Op>(x, y, t, 0));
  R r[32 / L];
  __mmask16 zero = 0;
#pragma GCC unroll 4
  for (int q = 0; q < 32 / L; ++q)
    if (q * L < n) {
      r[q] = union_values<Op>(x, y, t, q);
      zero |= static_cast<__mmask16>(zero_lanes(r[q]) & _bzhi_u32(0xFFFFu, static_cast<unsigned>(n - q * L)));
    }
  if (zero) return -1;  // the scalar merge drops it
  const int64_t w = kBackward ? pos - n : pos;
  pos = kBackward ? w : pos + n;
  _mm512_mask_storeu_epi32(oi_base + w, static_cast<__mmask16>(~past), _mm512_maskz_compress_epi32(k0, c0));
  _mm512_mask_storeu_epi32(oi_base + w + n0, static_cast<__mmask16>(_bzhi_u32(0xFFFFu, static_cast<unsigned>(n - n0))),
                           _mm512_maskz_compress_epi32(k1, c1));
#pragma GCC unroll 4
  for (int q = 0; q < 32 / L; ++q)
    if (q * L < n) store_lanes(od_base + w + q * L, n - q * L, r[q]);
  return n;
}

template <SpBinary Op, class T, bool kBackward>
HYP_MERGE512 bool merge_block(const CsView<T, int32_t>& a, const CsView<T, int32_t>& b, int64_t o0, int64_t o1,
                              int32_t* pp, int32_t* oi, T* od, int64_t& pos_io) {
  int64_t pos = pos_io;
  const int64_t inner = a.inner;
  const bool network = inner <= kNetworkInner;
  const __m512i limit = _mm512_set1_epi32(static_cast<int32_t>(static_cast<uint32_t>(std::min<int64_t>(inner, int64_t{1} << 31))));
  BackwardStage<int32_t, T> stage;
  for (int64_t k = o0; k < o1; ++k) {
    const int64_t o = kBackward ? o0 + o1 - 1 - k : k;
    const int64_t p = a.begin(o), pe = a.end(o), q = b.begin(o), qe = b.end(o);
    ahead_slices<kBackward>(a, p, b, q);
    if (kBackward) pp[o + 1] = static_cast<int32_t>(pos);
    int64_t n = -1;
    if (pe - p <= 16 && qe - q <= 16) {
      const Lanes la = load_lanes(a.indices + p, pe - p), lb = load_lanes(b.indices + q, qe - q);
      if (!(increasing(la, limit) & increasing(lb, limit))) return false;
      if (Op != SpBinary::Mul && network)
        n = union_network<Op, T, kBackward>(la, lb, a.data + p, b.data + q, oi, od, pos);
      else
        n = merge_short<Op, T, kBackward>(la, lb, a.data + p, b.data + q, oi, od, pos);
    } else if (!slices_ok(a.indices, p, pe, b.indices, q, qe, inner)) {
      return false;
    }
    if (n < 0) {
      if constexpr (kBackward) pos = stage.template merge<Op>(a, b, p, pe, q, qe, oi, od, pos);
      else pos += merge_slice<Op>(a.data, a.indices, p, pe, b.data, b.indices, q, qe, oi + pos, od + pos);
    }
    if (!kBackward) pp[o + 1] = static_cast<int32_t>(pos);
  }
  pos_io = pos;
  return true;
}

bool cpu_has_merge512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
}

}  // namespace

bool merge_avx512_available() {
  static const bool cpu = cpu_has_merge512();
  return cpu && tiled::use_avx512();
}

template <SpBinary Op, class T>
bool merge_block_avx512(const CsView<T, int32_t>& a, const CsView<T, int32_t>& b, int64_t o0, int64_t o1, int32_t* pp,
                        int32_t* oi, T* od, int64_t& pos, bool backward) {
  return backward ? merge_block<Op, T, true>(a, b, o0, o1, pp, oi, od, pos)
                  : merge_block<Op, T, false>(a, b, o0, o1, pp, oi, od, pos);
}

#else  // no AVX-512 build: never available, so never called

bool merge_avx512_available() { return false; }

template <SpBinary Op, class T>
bool merge_block_avx512(const CsView<T, int32_t>&, const CsView<T, int32_t>&, int64_t, int64_t, int32_t*, int32_t*, T*,
                        int64_t&, bool) {
  return false;
}

#endif

#define HYP_MERGE512_INSTANTIATE(OP, T)                                                                                  \
  template bool merge_block_avx512<OP, T>(const CsView<T, int32_t>&, const CsView<T, int32_t>&, int64_t, int64_t,      \
                                          int32_t*, int32_t*, T*, int64_t&, bool);
HYP_MERGE512_INSTANTIATE(SpBinary::Add, float)
HYP_MERGE512_INSTANTIATE(SpBinary::Sub, float)
HYP_MERGE512_INSTANTIATE(SpBinary::Mul, float)
HYP_MERGE512_INSTANTIATE(SpBinary::Add, double)
HYP_MERGE512_INSTANTIATE(SpBinary::Sub, double)
HYP_MERGE512_INSTANTIATE(SpBinary::Mul, double)

}  // namespace hypatia::sparse_kernels::merge_rows
