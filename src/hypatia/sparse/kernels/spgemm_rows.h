// One row of a sparse x sparse product (spgemm.cpp): expand-sort-combine for a short row, dense
// sums or slots and a radix sort for a long one; and the gather prefetches.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "hypatia/sparse/kernels/sort_distinct.h"
#include "hypatia/value/sparse_view.h"

namespace hypatia::sparse_kernels::spgemm_rows {

// always_inline: as a plain inline helper that only loads and prefetches, GCC 12 judged it free
// of side effects and deleted its calls before inlining it (the object held no prefetch at all).
__attribute__((always_inline)) inline void prefetch_at(const void* base, int64_t bytes) {
  __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(base) + static_cast<uintptr_t>(bytes)), 0, 3);
}

/// Software prefetches for the rows of b that a's entry k + 8 will read (its indptr entry was
/// asked for 8 entries earlier, at k + 16): each of a's entries starts a fresh random row of b,
/// and without them every row waits on its own chain of misses (indptr, then indices, then
/// values). Entries at or past k_end are not prefetched. A prefetch never faults, so addresses
/// past the ends are formed as integers.
template <class T, class I>
__attribute__((always_inline)) inline void prefetch_rows(const CsView<T, I>& va, const CsView<T, I>& vb, int64_t k,
                                                         int64_t k_end, bool values) {
  constexpr int64_t si = sizeof(I), st = sizeof(T);
  if (k + 16 < k_end) prefetch_at(vb.indptr, si * va.index(k + 16));
  if (k + 8 < k_end) {
    const int64_t j = va.index(k + 8), b0 = vb.begin(j), n = vb.end(j) - b0;
    prefetch_at(vb.indices, si * b0);
    if (n * si > 64) prefetch_at(vb.indices, si * (b0 + n - 1));
    if (values) {
      prefetch_at(vb.data, st * b0);
      if (n * st > 64) prefetch_at(vb.data, st * (b0 + n - 1));
    }
  }
}

/// The products a row of the result sums: for each stored entry of the row of a, the length of
/// the row of b it names (an upper bound on the row's entries, exact when no column repeats).
template <class T, class I>
inline int64_t row_products(const CsView<T, I>& va, const CsView<T, I>& vb, int64_t o) {
  int64_t n = 0;
  for (int64_t k = va.begin(o), ke = va.end(o); k < ke; ++k) n += vb.end(va.index(k)) - vb.begin(va.index(k));
  return n;
}

/// Rows with at most this many products, over at most kPackedCols columns, are built by
/// expand-sort-combine: each product's column and its place in the row packed into one int32 key.
inline constexpr int64_t kShortRow = kRankSortMax;
inline constexpr int64_t kPackedCols = int64_t{1} << 23;

/// A long row sums into a dense array of b's inner extent (acc[c] += product, no test, no list)
/// and reads its columns off that array, all of it, when b's inner extent is at most this many
/// times the row's products: a scan of 8 or 16 columns per AVX-512 compare is cheaper than the
/// stamp test and the first-touch list that the accumulator slots spend on every product.
inline constexpr int64_t kDenseSpan = 16;
/// Value types summed in the dense array: all but the complex ones, for which 0 + x can differ
/// from x in the sign of a zero part (a real type's -0.0 is dropped either way).
template <class T>
inline constexpr bool kDenseSums = !std::is_same_v<T, complex64> && !std::is_same_v<T, complex128>;

/// Reads a row's columns off its dense sums acc[0, inner) with AVX-512: the non-zero sums and
/// their columns written packed to ov/oc, every sum reset to zero; returns the row's length, or
/// -1 when AVX-512 is not in use (tiled::use_avx512()). Whole registers are stored, so up to
/// kReadOffSlack entries past the row's length may be written: oc/ov need that much room.
inline constexpr int64_t kReadOffSlack = 16;
int64_t read_off_avx512(float* acc, int64_t inner, int32_t* oc, float* ov);
int64_t read_off_avx512(double* acc, int64_t inner, int32_t* oc, double* ov);
int64_t read_off_avx512(float* acc, int64_t inner, int64_t* oc, float* ov);
int64_t read_off_avx512(double* acc, int64_t inner, int64_t* oc, double* ov);

/// Column accumulator entry (one per column of b, per thread): the row stamp the column last got
/// and the column's place in the row's list. S is uint32_t whenever the stamps and the inner
/// extent fit, halving what every product touches at random.
template <class S>
struct Slot {
  S stamp;
  S pos;
};

/// The combine step of a short row with AVX-512, for float32/float64 values and int32 output
/// indices: runs of one column of the sorted keys summed in key order, exact zeros dropped,
/// written to oc/ov (as the scalar loop of product_row does, bit for bit). Returns the row's
/// length, or -1 when AVX-512 is not in use (tiled::use_avx512()).
int64_t combine_runs_avx512(const int32_t* keys, int32_t n, const float* vals, int32_t* oc, float* ov);
int64_t combine_runs_avx512(const int32_t* keys, int32_t n, const double* vals, int32_t* oc, double* ov);

/// One thread's scratch for building rows. `slot` is sized to b's inner extent and created only
/// when a long row needs it; stamps are never cleared (each row has its own).
template <class T, class S>
struct RowScratch {
  std::vector<int32_t> keys, keys_tmp;  // packed keys of a short row, and the sort's room
  std::unique_ptr<T[]> vals;            // products (short row) or sums (long row) by place
  std::unique_ptr<Slot<S>[]> slot;
  std::unique_ptr<T[]> acc;     // dense sums by column (kDenseSpan), all zero between rows
  std::vector<int64_t> perm;  // sort_distinct's permutation (int64 columns over a span past 2^32)
  std::vector<uint64_t> sort_tmp, radix_tmp;  // a long row's packed columns, and the radix sort's room

  /// Room for rows of up to `longest` products; `long_rows` when some row takes the accumulator.
  RowScratch(int64_t inner, int64_t longest, bool long_rows, int index_bits)
      : keys(std::min(longest, kShortRow)), keys_tmp(std::min(longest, kShortRow)),
        vals(new T[std::max<int64_t>(longest, 1)]) {
    if (!long_rows) return;
    if constexpr (kDenseSums<T>)
      if (inner <= kDenseSpan * longest) acc.reset(new T[inner]), std::fill_n(acc.get(), inner, T(0));
    slot.reset(new Slot<S>[inner]);
    for (int64_t c = 0; c < inner; ++c) slot[c].stamp = std::numeric_limits<S>::max();
    if (index_bits == 64) perm.resize(longest);
    sort_tmp.resize(longest);
    radix_tmp.resize(longest);
  }
};

/// Row o of the product, canonical with exact zeros dropped, written to oc/ov (room for its
/// distinct columns plus kReadOffSlack); returns its length.
/// Short rows (n <= kShortRow products, b's inner extent below kPackedCols): every product is
/// listed with the key (column << 8 | place), the keys are sorted (distinct by their place), and
/// runs of one column are summed in place order. Long rows over an inner extent of at most
/// kDenseSpan times their products: dense sums by column, all read off in order. Other long
/// rows: Gustavson's accumulator, columns listed as first touched, then sorted by radix
/// (radix_sort_high). All sum a column's products in the order of a's entries and then b's, so
/// they give the same bits. [k_pf, k_end): entries the prefetches may look ahead to.
template <class T, class I, class S, class J>
int64_t product_row(const CsView<T, I>& va, const CsView<T, I>& vb, int64_t o, int64_t n_products, int64_t k_end,
                    RowScratch<T, S>& sc, J* oc, T* ov) {
  T* vals = sc.vals.get();
  if (n_products <= kShortRow && vb.inner <= kPackedCols) {
    int32_t* keys = sc.keys.data();
    int32_t n = 0;
    for (int64_t k = va.begin(o), ke = va.end(o); k < ke; ++k) {
      prefetch_rows(va, vb, k, k_end, true);
      const int64_t j = va.index(k);
      const T av = va.data[k];
      for (int64_t q = vb.begin(j), qe = vb.end(j); q < qe; ++q, ++n) {
        keys[n] = static_cast<int32_t>(vb.index(q) << 8) | n;
        vals[n] = multiply(av, vb.data[q]);
      }
    }
    sort_keys(keys, n, sc.keys_tmp.data());
    if constexpr (std::is_same_v<J, int32_t> && (std::is_same_v<T, float> || std::is_same_v<T, double>)) {
      const int64_t w = combine_runs_avx512(keys, n, vals, oc, ov);
      if (w >= 0) return w;
    }
    int64_t w = 0;
    for (int32_t i = 0; i < n;) {
      const int32_t c = keys[i] >> 8;
      T s = vals[keys[i] & 0xFF];
      for (++i; i < n && (keys[i] >> 8) == c; ++i) accumulate(s, vals[keys[i] & 0xFF]);
      oc[w] = static_cast<J>(c);
      ov[w] = s;
      w += is_nonzero(s) ? 1 : 0;
    }
    return w;
  }
  if constexpr (kDenseSums<T>) {
    if (sc.acc && vb.inner <= kDenseSpan * n_products) {
      T* acc = sc.acc.get();
      for (int64_t k = va.begin(o), ke = va.end(o); k < ke; ++k) {
        prefetch_rows(va, vb, k, k_end, true);
        const int64_t j = va.index(k);
        const T av = va.data[k];
        for (int64_t q = vb.begin(j), qe = vb.end(j); q < qe; ++q) accumulate(acc[vb.index(q)], multiply(av, vb.data[q]));
      }
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
        const int64_t w = read_off_avx512(acc, vb.inner, oc, ov);
        if (w >= 0) return w;
      }
      int64_t w = 0;
      for (int64_t c = 0; c < vb.inner; ++c) {
        if (is_nonzero(acc[c])) oc[w] = static_cast<J>(c), ov[w++] = acc[c];
        acc[c] = T(0);
      }
      return w;
    }
  }
  Slot<S>* slot = sc.slot.get();
  const S mark = static_cast<S>(o);
  int64_t n = 0, lo = std::numeric_limits<int64_t>::max(), hi = -1;
  for (int64_t k = va.begin(o), ke = va.end(o); k < ke; ++k) {
    prefetch_rows(va, vb, k, k_end, true);
    const int64_t j = va.index(k);
    const T av = va.data[k];
    for (int64_t q = vb.begin(j), qe = vb.end(j); q < qe; ++q) {
      const int64_t c = vb.index(q);
      Slot<S>& sl = slot[c];
      if (sl.stamp != mark) {
        sl.stamp = mark;
        sl.pos = static_cast<S>(n);
        vals[n] = multiply(av, vb.data[q]);
        oc[n++] = static_cast<J>(c);
        lo = std::min(lo, c);
        hi = std::max(hi, c);
      } else {
        accumulate(vals[sl.pos], multiply(av, vb.data[q]));
      }
    }
  }
  if (n == 0) return 0;
  // The columns in order: each less the row's lowest, with its place in the row below, sorted
  // by radix (two passes for a span of up to 2^16 columns, three up to 2^24); the sums follow
  // by place. Int32 columns always fit; a span of int64 columns past 2^32 (never, with a slot
  // per column, on any machine with less than 32 GB a thread) takes sort_distinct.
  constexpr int64_t k32 = int64_t{1} << 32;
  if (sizeof(J) == 4 || (hi - lo < k32 && n < k32)) {
    uint64_t* keys = sc.sort_tmp.data();
    for (int64_t q = 0; q < n; ++q) keys[q] = (static_cast<uint64_t>(oc[q] - lo) << 32) | static_cast<uint64_t>(q);
    const int width = 64 - __builtin_clzll(static_cast<uint64_t>(hi - lo) | 1);
    keys = radix_sort_high(keys, sc.radix_tmp.data(), n, width);
    int64_t w = 0;
    for (int64_t q = 0; q < n; ++q) {
      const T v = vals[keys[q] & 0xFFFFFFFFu];
      oc[w] = static_cast<J>(lo + static_cast<int64_t>(keys[q] >> 32));
      ov[w] = v;
      w += is_nonzero(v) ? 1 : 0;
    }
    return w;
  }
  if constexpr (sizeof(J) == 8) {
    int64_t* perm = sc.perm.data();
    sort_distinct(oc, n, perm, sc.sort_tmp.data());
    int64_t w = 0;
    for (int64_t q = 0; q < n; ++q) {
      const T v = vals[perm[q]];
      oc[w] = oc[q];
      ov[w] = v;
      w += is_nonzero(v) ? 1 : 0;
    }
    return w;
  }
  return 0;  // unreachable: int32 columns always take the radix sort
}

}  // namespace hypatia::sparse_kernels::spgemm_rows
