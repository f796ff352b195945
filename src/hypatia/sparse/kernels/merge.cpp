// Two-pass sparse (+, -, *) sparse over operands of one dtype, format and index dtype (merge.h):
// pass 1 counts each slice's result and checks canonicality, pass 2 fills in nnz-balanced blocks.
#include "hypatia/sparse/kernels/merge.h"

#include <atomic>
#include <cstring>

#include <omp.h>

namespace hypatia::sparse_kernels {

namespace {

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

// Positions common to two strictly increasing lists, branch-free (the comparisons of a merge of
// random patterns are unpredictable; conditional moves are not).
template <class I>
inline int64_t common_count(const I* ia, int64_t p, int64_t pe, const I* ib, int64_t q, int64_t qe) {
  int64_t c = 0;
  while (p < pe && q < qe) {
    const I ja = ia[p], jb = ib[q];
    c += ja == jb;
    p += ja <= jb;
    q += jb <= ja;
  }
  return c;
}

// How many of x[b, e) give a non-zero product with zero (inf and nan; none for integers and
// bool): with the common positions, an upper bound of a slice's entries in a * b.
template <class T>
inline int64_t non_finite(const T* x, int64_t b, int64_t e) {
  if constexpr (std::is_integral_v<T>) {
    return 0;
  } else {
    int64_t c = 0;
    for (int64_t k = b; k < e; ++k) c += is_nonzero(apply<SpBinary::Mul>(x[k], T(0)));
    return c;
  }
}

// Merges slices a[p, pe) and b[q, qe) (both strictly increasing), op(x, y) with the missing side
// zero, and keeps the non-zero results. kWrite: stores them at oi/od (at most cap of them; the
// surplus writes of zero results go to a scratch slot); otherwise only counts.
template <SpBinary Op, bool kWrite, class T, class I, class J>
inline int64_t merge_slice(const T* da, const I* ia, int64_t p, int64_t pe, const T* db, const I* ib, int64_t q,
                           int64_t qe, J* oi, T* od, int64_t cap) {
  const T zero = T(0);
  int64_t k = 0;
  [[maybe_unused]] J scratch_i;
  [[maybe_unused]] T scratch_d;
  auto put = [&](int64_t j, const T& r) {
    if constexpr (kWrite) {
      const bool room = k < cap;
      *(room ? oi + k : &scratch_i) = static_cast<J>(j);
      *(room ? od + k : &scratch_d) = r;
    }
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

// One thread: a single pass. Slice o's result has at most nnz(a_o) + nnz(b_o) entries, which
// indptr gives without reading an index, so the output is sized by nnz(a) + nnz(b) and filled
// packed; the unused tail of the arrays is never written (for a large result, never even
// backed by memory) and the arrays returned are views of their first nnz entries.
template <SpBinary Op, class T, class I>
std::optional<SparseMatrix> run_serial(const SparseMatrix& a, const SparseMatrix& b, const CsView<T, I>& va,
                                       const CsView<T, I>& vb) {
  const int64_t outer = va.outer, bound = va.nnz + vb.nnz;
  const DType idt = index_dtype_for(std::max({a.rows(), a.cols(), bound}));
  return dispatch_index(idt, [&](auto jtag) -> std::optional<SparseMatrix> {
    using J = decltype(jtag);
    NDArray ptr(idt, {indptr_length(outer, "sparse")}), idx(idt, {bound}), data(dtype_v<T>, {bound});
    J* pp = ptr.data<J>();
    J* ix = idx.data<J>();
    T* d = data.data<T>();
    pp[0] = 0;
    int64_t pos = 0;
    for (int64_t o = 0; o < outer; ++o) {
      const int64_t p = va.begin(o), pe = va.end(o), q = vb.begin(o), qe = vb.end(o);
      // The canonicality check, fused: the slice is read here and merged next while in cache.
      if (!(strictly_increasing(va.indices, p, pe) & strictly_increasing(vb.indices, q, qe))) return std::nullopt;
      pos += merge_slice<Op, true>(va.data, va.indices, p, pe, vb.data, vb.indices, q, qe, ix + pos, d + pos,
                                   (pe - p) + (qe - q));
      pp[o + 1] = static_cast<J>(pos);
    }
    SparseMatrix r(a.format(), a.rows(), a.cols(), data.slice(0, 0, pos, 1), idx.slice(0, 0, pos, 1), ptr);
    return with_index_dtype(r, index_dtype_for(std::max({a.rows(), a.cols(), pos})));
  });
}

// Several threads: two passes over nnz-balanced blocks of slices (see binary_ss_sorted).
template <SpBinary Op, class T, class I>
std::optional<SparseMatrix> run(const SparseMatrix& a, const SparseMatrix& b) {
  const CsView<T, I> va = view_as<T, I>(a), vb = view_as<T, I>(b);
  const int64_t outer = va.outer;
  const int64_t work = va.nnz + vb.nnz;
  const int nt = (work >= kParallelWork && outer > 1) ? ::hypatia::max_threads() : 1;
  if (nt == 1) return run_serial<Op, T, I>(a, b, va, vb);
  const std::vector<int64_t> bounds = balanced_bounds(va.indptr, vb.indptr, outer, nt);
  // Pass 1: per-slice upper bounds read from the indices (the union for Add/Sub; for Mul the
  // common positions plus the one-sided infs and nans), exact unless values cancel or
  // underflow, and the canonicality check.
  std::vector<int64_t> counts(outer), block_total(nt, 0);
  std::atomic<bool> unsorted{false};
#pragma omp parallel num_threads(nt) if (nt > 1)
  for (int t = omp_get_thread_num(); t < nt; t += omp_get_num_threads()) {
    int64_t total = 0;
    bool ok = true;
    for (int64_t o = bounds[t]; o < bounds[t + 1]; ++o) {
      const int64_t p = va.begin(o), pe = va.end(o), q = vb.begin(o), qe = vb.end(o);
      ok &= strictly_increasing(va.indices, p, pe) & strictly_increasing(vb.indices, q, qe);
      int64_t c;
      if constexpr (Op == SpBinary::Mul)  // x * (implicit 0) is stored only when x is inf or nan
        c = common_count(va.indices, p, pe, vb.indices, q, qe) + non_finite(va.data, p, pe) + non_finite(vb.data, q, qe);
      else
        c = (pe - p) + (qe - q) - common_count(va.indices, p, pe, vb.indices, q, qe);
      counts[o] = c;
      total += c;
    }
    block_total[t] = total;
    if (!ok) unsorted.store(true, std::memory_order_relaxed);
  }
  if (unsorted.load()) return std::nullopt;
  std::vector<int64_t> offset(nt + 1, 0);
  for (int t = 0; t < nt; ++t) offset[t + 1] = offset[t] + block_total[t];  // no overflow: <= nnz(a) + nnz(b)
  const int64_t bound = offset[nt];
  const DType idt = index_dtype_for(std::max({a.rows(), a.cols(), bound}));
  return dispatch_index(idt, [&](auto jtag) -> SparseMatrix {
    using J = decltype(jtag);
    NDArray ptr(idt, {indptr_length(outer, "sparse")}), idx(idt, {bound}), data(dtype_v<T>, {bound});
    J* pp = ptr.data<J>();
    J* ix = idx.data<J>();
    T* d = data.data<T>();
    pp[0] = 0;
    // Pass 2: each block writes its slices from its offset on; a slice whose values cancel
    // leaves the next slice of its block to start earlier, so only whole blocks can have gaps.
    std::vector<int64_t> block_end(nt, 0);
#pragma omp parallel num_threads(nt) if (nt > 1)
    for (int t = omp_get_thread_num(); t < nt; t += omp_get_num_threads()) {
      int64_t pos = offset[t];
      for (int64_t o = bounds[t]; o < bounds[t + 1]; ++o) {
        pos += merge_slice<Op, true>(va.data, va.indices, va.begin(o), va.end(o), vb.data, vb.indices, vb.begin(o),
                                     vb.end(o), ix + pos, d + pos, counts[o]);
        pp[o + 1] = static_cast<J>(pos);
      }
      block_end[t] = pos;
    }
    int64_t n = block_end[0];
    for (int t = 1; t < nt; ++t) {  // close the gaps (values cancelled): move each block left
      const int64_t len = block_end[t] - offset[t], shift = offset[t] - n;
      if (shift > 0) {
        std::memmove(ix + n, ix + offset[t], len * sizeof(J));
        std::memmove(static_cast<void*>(d + n), d + offset[t], len * sizeof(T));
        for (int64_t o = bounds[t]; o < bounds[t + 1]; ++o) pp[o + 1] = static_cast<J>(pp[o + 1] - shift);
      }
      n += len;
    }
    if (n < bound) {  // views of the first n entries (no copy)
      idx = idx.slice(0, 0, n, 1);
      data = data.slice(0, 0, n, 1);
    }
    SparseMatrix r(a.format(), a.rows(), a.cols(), data, idx, ptr);
    return with_index_dtype(r, index_dtype_for(std::max({a.rows(), a.cols(), n})));
  });
}

}  // namespace

std::optional<SparseMatrix> binary_ss_sorted(const SparseMatrix& a, const SparseMatrix& b, SpBinary op) {
  return dispatch_value_index(a.dtype(), a.indptr().dtype(), [&](auto t, auto i) -> std::optional<SparseMatrix> {
    using T = decltype(t);
    using I = decltype(i);
    switch (op) {
      case SpBinary::Add: return run<SpBinary::Add, T, I>(a, b);
      case SpBinary::Sub: return run<SpBinary::Sub, T, I>(a, b);
      case SpBinary::Mul: return run<SpBinary::Mul, T, I>(a, b);
      default: value_error("[sparse] binary_ss_sorted: not an arithmetic op");
    }
  });
}

}  // namespace hypatia::sparse_kernels
