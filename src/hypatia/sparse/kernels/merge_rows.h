// The per-slice pieces of sparse (+, -, *) sparse (merge.cpp): the branch-free scalar merge of
// two sorted slices, the slice checks and stream prefetch, and the AVX-512 block kernel for
// slices of up to 16 entries (merge_avx512.cpp), which falls back to the scalar merge.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "hypatia/sparse/kernels/elemwise.h"

namespace hypatia::sparse_kernels::merge_rows {

// op(x, y) in T: bool takes or / xor / and, half computes in float.
template <SpBinary Op, class T>
inline T apply(const T& x, const T& y) {
  if constexpr (std::is_same_v<T, half>) {
    return half(apply<Op>(static_cast<float>(x), static_cast<float>(y)));
  } else if constexpr (std::is_same_v<T, bool>) {
    if constexpr (Op == SpBinary::Add) return x || y;
    else if constexpr (Op == SpBinary::Sub) return x != y;
    else return x && y;
  } else {
    if constexpr (Op == SpBinary::Add) return static_cast<T>(x + y);
    else if constexpr (Op == SpBinary::Sub) return static_cast<T>(x - y);
    else return static_cast<T>(x * y);
  }
}

// Whether ix[b..e) is strictly increasing (sorted, no duplicates); branch-free so it vectorises.
template <class I>
inline bool strictly_increasing(const I* ix, int64_t b, int64_t e) {
  bool ok = true;
  for (int64_t k = b + 1; k < e; ++k) ok &= ix[k - 1] < ix[k];
  return ok;
}

// Whether slices ia[p, pe) and ib[q, qe) are both strictly increasing (sorted, no duplicates)
// and inside [0, inner), their ends being so: the slice check the merge makes instead of the
// boundary's O(nnz) range check (Op::checks_input_indices).
template <class I>
inline bool slices_ok(const I* ia, int64_t p, int64_t pe, const I* ib, int64_t q, int64_t qe, int64_t inner) {
  auto ends_in_range = [inner](const I* ix, int64_t b, int64_t e) {
    return e == b || (ix[b] >= 0 && static_cast<int64_t>(ix[e - 1]) < inner);
  };
  return strictly_increasing(ia, p, pe) & strictly_increasing(ib, q, qe) & ends_in_range(ia, p, pe) &
         ends_in_range(ib, q, qe);
}

// Asks for the line 16 KB past p (kBackward: before p) into L2. Each slice of a merge calls it
// on its four input streams, which then run ahead of the hardware prefetcher (A*B 37 -> 28 ms
// at one thread). A prefetch never faults, so the address is formed as an integer. Prefetch
// helpers are always_inline: GCC may judge a helper that only loads and prefetches free of side
// effects and delete its calls before inlining it (it did so to spgemm's, leaving no prefetch in
// the object).
template <bool kBackward = false, class X>
__attribute__((always_inline)) inline void ahead(const X* p) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(p);
  __builtin_prefetch(reinterpret_cast<const void*>(kBackward ? at - 16384 : at + 16384), 0, 2);
}
// ahead() on the indices and values of slices starting at a[p] and b[q].
template <bool kBackward = false, class V>
__attribute__((always_inline)) inline void ahead_slices(const V& a, int64_t p, const V& b, int64_t q) {
  ahead<kBackward>(a.indices + p);
  ahead<kBackward>(b.indices + q);
  ahead<kBackward>(a.data + p);
  ahead<kBackward>(b.data + q);
}

// Merges slices a[p, pe) and b[q, qe) (both strictly increasing), op(x, y) with the missing side
// zero, into oi/od (room for (pe - p) + (qe - q) entries): every result is written and the count
// advances past the non-zero ones only, so there is no branch on a result. Returns the count.
template <SpBinary Op, class T, class I, class J>
inline int64_t merge_slice(const T* da, const I* ia, int64_t p, int64_t pe, const T* db, const I* ib, int64_t q,
                           int64_t qe, J* oi, T* od) {
  const T zero = T(0);
  int64_t k = 0;
  auto put = [&](int64_t j, const T& r) {
    oi[k] = static_cast<J>(j);
    od[k] = r;
    k += is_nonzero(r);
  };
  while (p < pe && q < qe) {
    const I ja = ia[p], jb = ib[q];
    const bool ta = ja <= jb, tb = jb <= ja;
    const T xa = da[p], yb = db[q];  // both in range: unconditional loads, then selects
    const T x = ta ? xa : zero, y = tb ? yb : zero;
    put(ta ? ja : jb, apply<Op>(x, y));
    p += ta;
    q += tb;
  }
  for (; p < pe; ++p) put(ia[p], apply<Op>(da[p], zero));
  for (; q < qe; ++q) put(ib[q], apply<Op>(zero, db[q]));
  return k;
}

// A block merged last slice first, each slice's entries ending where the next one's begin
// (merge.cpp pairs such a block with the forward one after it, so that the two meet with no
// gap to close). merge_slice learns a slice's count only as it writes, so the slice is merged
// here first and then copied into place.
template <class J, class T>
struct BackwardStage {
  std::unique_ptr<J[]> idx;
  std::unique_ptr<T[]> val;
  int64_t room = 0;
  // Merges a[p, pe) (op) b[q, qe) into the entries ending at oi/od[end]; returns where they
  // begin.
  template <SpBinary Op, class V>
  int64_t merge(const V& a, const V& b, int64_t p, int64_t pe, int64_t q, int64_t qe, J* oi, T* od, int64_t end) {
    const int64_t need = (pe - p) + (qe - q);
    if (need > room) {
      room = std::max(need, 2 * room);
      idx = std::make_unique<J[]>(room);
      val = std::make_unique<T[]>(room);
    }
    const int64_t n = merge_slice<Op>(a.data, a.indices, p, pe, b.data, b.indices, q, qe, idx.get(), val.get());
    std::copy(idx.get(), idx.get() + n, oi + end - n);
    std::copy(val.get(), val.get() + n, od + end - n);
    return end - n;
  }
};

/// Whether merge_block_avx512 runs on this machine: the AVX2 builds run (tiled::use_avx2), the
/// AVX-512 ones were not switched off (tiled::set_avx512(false) turns this off too, so tests
/// compare both), and the CPU has AVX-512F/VL/DQ and BMI2.
bool merge_avx512_available();

/// Slices [o0, o1) of a (op) b for float32/float64 values and int32 indices in and out: writes
/// each slice's entries (at most nnz(a_o) + nnz(b_o)) from `pos` on, sets pp[o + 1] and
/// advances pos; `backward`, the last slice first with its entries ending at pos, moving pos
/// down (pp[o + 1] is still slice o's end). A slice of at most 16 entries on each side is merged with 16-lane compares;
/// longer ones, and those whose result holds a zero or (Mul) a non-finite value times an
/// implicit zero, take merge_slice, so the result is the scalar one bit for bit. Returns false, leaving the rest unwritten, at the first slice that is not
/// strictly increasing or holds an index outside [0, inner).
template <SpBinary Op, class T>
bool merge_block_avx512(const CsView<T, int32_t>& a, const CsView<T, int32_t>& b, int64_t o0, int64_t o1, int32_t* pp,
                        int32_t* oi, T* od, int64_t& pos, bool backward);

}  // namespace hypatia::sparse_kernels::merge_rows
