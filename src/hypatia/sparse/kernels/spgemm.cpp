// Sparse x sparse product (spmm.h's spgemm): Gustavson's rows in one pass into an upper-bound
// output, or two (symbolic, then numeric) when sampled rows say the result would fill too little of it.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include <omp.h>

#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/kernels/merge.h"
#include "hypatia/sparse/kernels/paired_runs.h"
#include "hypatia/sparse/kernels/spgemm_rows.h"
#include "hypatia/sparse/kernels/spmm.h"
#include "hypatia/util/parallel.h"

namespace hypatia::sparse_kernels {

namespace {

using namespace spgemm_rows;

// The one-pass product's output is sized by the products (each row's upper bound), so a product
// whose columns repeat many times over would reserve far more than it returns. It is taken when
// the products number at most kOnePassExpansion per stored entry of the operands, or when rows
// sampled in proportion to their products (kFillSamples of them) say the result would fill at
// least kOnePassFill of that output: the symbolic pass, which reads every row of b a second
// time, then costs more than the room it saves (10k^2, 40/row each: 102 -> 82 ms).
constexpr int64_t kOnePassExpansion = 8;
constexpr int kFillSamples = 128, kFillSamplesMin = 16;
constexpr double kFillWork = 64;
constexpr double kOnePassFill = 0.5;
// Products a one-pass block stages before it streams them out (48 KB of int32 + float64), and
// the most rows it stages at once (empty rows take no room).
constexpr int64_t kChunkEntries = 4096;
constexpr int64_t kChunkRows = 4096;

// Each row's product count (prefix sums, outer + 1 values) and the longest row's.
template <class T, class I>
std::vector<int64_t> product_offsets(const CsView<T, I>& va, const CsView<T, I>& vb, int nt, int64_t& longest) {
  const int64_t outer = va.outer;
  std::vector<int64_t> ub(outer + 1, 0);
  int64_t lmax = 0;
#pragma omp parallel for num_threads(nt) schedule(static) reduction(max : lmax) if (nt > 1)
  for (int64_t o = 0; o < outer; ++o) {
    ub[o + 1] = row_products(va, vb, o);
    lmax = std::max(lmax, ub[o + 1]);
  }
  for (int64_t o = 0; o < outer; ++o) ub[o + 1] += ub[o];
  longest = lmax;
  return ub;
}

// Scratch for each block (or thread), made on the calling thread (a MemoryError is raised there).
template <class T, class S>
std::vector<std::unique_ptr<RowScratch<T, S>>> make_scratch(int nt, int64_t inner, int64_t longest, bool long_rows,
                                                           DType idt) {
  std::vector<std::unique_ptr<RowScratch<T, S>>> sc(nt);
  for (auto& s : sc) s = std::make_unique<RowScratch<T, S>>(inner, longest, long_rows, idt == DType::Int32 ? 32 : 64);
  return sc;
}

// Writes the product's rows. Row o has at most bound[o + 1] - bound[o] entries (its products in
// one pass, its distinct columns after the symbolic pass), so the output is sized by `bound`
// and the rows are written as they are finished, in blocks balanced by products (ub) that the
// threads take in pairs (paired_runs.h): at two threads nothing moves, and rows that drop exact
// zeros leave no gap to close. Every block builds its rows forward, in chunks staged in cache
// and streamed out (their lines are never read in), so the prefetches run ahead in the order
// rows are read; a block written backward places each chunk below the last.
template <class T, class I, class S>
SparseMatrix write_rows(const CsView<T, I>& va, const CsView<T, I>& vb, int64_t rows, int64_t cols, int threads,
                        int nt, SparseFormat f, const std::vector<int64_t>& ub, const std::vector<int64_t>& bound,
                        int64_t longest, bool long_rows) {
  const int64_t outer = va.outer, total = bound[outer];
  const DType idt = index_dtype_for(rows, cols, total);
  auto scratch = make_scratch<T, S>(nt, vb.inner, longest, long_rows, idt);  // one per block
  const std::vector<int64_t> bounds =
      nt > 1 ? balanced_bounds(ub.data(), static_cast<const int64_t*>(nullptr), outer, nt) : std::vector<int64_t>{0, outer};
  // Each block builds its rows in chunks staged in cache (rows whose bounds fit, at least one
  // row) and streams each chunk out (stream_copy), after the last (forward) or below it (backward).
  const int64_t chunk_cap = std::max<int64_t>(longest, kChunkEntries);
  return dispatch_index(idt, [&](auto jtag) {
    using J = decltype(jtag);
    NDArray ptr(idt, {indptr_length(outer, "dot")}), idx(idt, {total}), data(dtype_v<T>, {total});
    J* pp = ptr.data<J>();
    J* ix = idx.data<J>();
    T* d = data.data<T>();
    pp[0] = 0;
    std::vector<std::vector<J>> stage_c(nt);
    std::vector<std::unique_ptr<T[]>> stage_v(nt);
    std::vector<std::vector<int64_t>> stage_ends(nt);  // each staged row's end in the stage
    for (int t = 0; t < nt; ++t)
      stage_c[t].resize(chunk_cap + kReadOffSlack), stage_v[t].reset(new T[chunk_cap + kReadOffSlack]),
          stage_ends[t].resize(kChunkRows);
    const PairedRuns w = write_paired(threads, bounds, pp, ix, d, [&](int64_t o) { return bound[o]; },
                                      [&](int t, int64_t o0, int64_t o1, int64_t& pos, bool back) {
      RowScratch<T, S>& sc = *scratch[t];
      J* cc = stage_c[t].data();
      T* cv = stage_v[t].get();
      int64_t* ends = stage_ends[t].data();
      // Rows [b, e) built into the stage, then streamed out after pos (forward) or below it.
      auto chunk = [&](int64_t b, int64_t e) {
        const int64_t k_end = va.begin(back ? e : o1);  // forward: the next chunk's rows are read next
        int64_t n = 0;
        for (int64_t o = b; o < e; ++o) {
          n += product_row<T, I, S, J>(va, vb, o, ub[o + 1] - ub[o], k_end, sc, cc + n, cv + n);
          ends[o - b] = n;
        }
        const int64_t at = back ? pos - n : pos;
        stream_copy(ix + at, cc, n);
        stream_copy(d + at, cv, n);
        for (int64_t o = b; o < e; ++o) pp[o + 1] = static_cast<J>(at + ends[o - b]);
        pos = back ? at : at + n;
      };
      if (back) {
        for (int64_t e = o1; e > o0;) {
          int64_t b = e - 1;
          while (b > o0 && e - b < kChunkRows && bound[e] - bound[b - 1] <= chunk_cap) --b;
          chunk(b, e);
          e = b;
        }
      } else {
        for (int64_t b = o0; b < o1;) {
          int64_t e = b + 1;
          while (e < o1 && e - b < kChunkRows && bound[e + 1] - bound[b] <= chunk_cap) ++e;
          chunk(b, e);
          b = e;
        }
      }
      stream_fence();
      return true;
    });
    const int64_t base = w.base, n = w.n;
    NDArray rd = data.slice(0, base, base + n, 1), ri = idx.slice(0, base, base + n, 1);
    // A result that fills less than half its arrays (columns that repeat, or sums that cancel)
    // is copied out, so that it does not hold the rest for as long as it lives.
    if (2 * n < total) rd = rd.copy(), ri = ri.copy();
    SparseMatrix r(f, rows, cols, rd, ri, ptr);
    return with_index_dtype(r, index_dtype_for(rows, cols, n));
  });
}

// The distinct columns of row o (the symbolic pass's count); stamp holds `inner` marks, none
// equal to o on entry.
template <class T, class I, class S>
int64_t distinct_columns(const CsView<T, I>& va, const CsView<T, I>& vb, int64_t o, int64_t k_end, S* stamp) {
  const S mark = static_cast<S>(o);
  int64_t n = 0;
  for (int64_t k = va.begin(o), ke = va.end(o); k < ke; ++k) {
    prefetch_rows(va, vb, k, k_end, false);
    const int64_t j = va.index(k);
    for (int64_t q = vb.begin(j), qe = vb.end(j); q < qe; ++q) {
      const int64_t c = vb.index(q);
      n += stamp[c] != mark;
      stamp[c] = mark;
    }
  }
  return n;
}

// The fraction of an output sized by the products that the result would fill (its entries
// over its products), estimated from up to kFillSamples rows drawn in proportion to their
// products (the rows holding evenly spaced products), so that the rows that dominate the output
// dominate the estimate: the mean of their distinct columns over their products. The sample
// reads at most 1/kFillWork of the products (a row drawn this way holds sum(p^2) / sum(p) of
// them on average); where that leaves fewer than kFillSamplesMin rows (a few rows hold most
// products), no estimate is made and 0 is returned (two passes, as without one).
template <class T, class I, class S>
double sampled_fill(const CsView<T, I>& va, const CsView<T, I>& vb, const std::vector<int64_t>& ub) {
  const int64_t outer = va.outer, total = ub[outer];
  if (total == 0) return 1.0;
  double squares = 0;
  for (int64_t o = 0; o < outer; ++o) squares += static_cast<double>(ub[o + 1] - ub[o]) * static_cast<double>(ub[o + 1] - ub[o]);
  const double per_row = squares / static_cast<double>(total);
  const int m = static_cast<int>(std::min<double>(kFillSamples, static_cast<double>(total) / (kFillWork * per_row)));
  if (m < kFillSamplesMin) return 0.0;
  std::vector<S> stamp(vb.inner, std::numeric_limits<S>::max());
  double sum = 0;
  int64_t last = -1, distinct = 0;
  for (int i = 0; i < m; ++i) {
    const int64_t at = static_cast<int64_t>((i + 0.5) * static_cast<double>(total) / m);
    const int64_t o = std::upper_bound(ub.begin(), ub.end(), std::min(at, total - 1)) - ub.begin() - 1;
    if (o != last) distinct = distinct_columns(va, vb, o, va.end(o), stamp.data()), last = o;
    sum += static_cast<double>(distinct) / static_cast<double>(ub[o + 1] - ub[o]);
  }
  return sum / m;
}

// The passes Auto takes (kOnePassExpansion, kOnePassFill).
template <class T, class I, class S>
SpgemmPasses auto_passes(const CsView<T, I>& va, const CsView<T, I>& vb, const std::vector<int64_t>& ub) {
  const bool one = ub[va.outer] <= kOnePassExpansion * (va.nnz + vb.nnz) + 65536 ||
                   sampled_fill<T, I, S>(va, vb, ub) >= kOnePassFill;
  return one ? SpgemmPasses::One : SpgemmPasses::Two;
}

// Two passes, for products whose columns repeat many times over. Pass 1, symbolic: how many
// distinct columns each row of the result touches. Pass 2 writes the rows (write_rows) into an
// output of the result's size.
template <class T, class I, class S>
SparseMatrix product_two_pass(const CsView<T, I>& va, const CsView<T, I>& vb, int64_t rows, int64_t cols, int nt,
                              int nb, SparseFormat f, const std::vector<int64_t>& ub, int64_t longest, bool long_rows) {
  const int64_t outer = va.outer;
  const int64_t k_end = outer > 0 ? va.end(outer - 1) : 0;
  std::vector<int64_t> off(outer + 1, 0);
  {
    std::vector<std::vector<S>> stamps(nt);
    for (auto& s : stamps) s.assign(vb.inner, std::numeric_limits<S>::max());
    const std::vector<int64_t> b1 = balanced_bounds(ub.data(), static_cast<const int64_t*>(nullptr), outer, nt);
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (int t = 0; t < nt; ++t)
      for (int64_t o = b1[t]; o < b1[t + 1]; ++o) off[o + 1] = distinct_columns(va, vb, o, k_end, stamps[t].data());
  }
  for (int64_t o = 0; o < outer; ++o) off[o + 1] += off[o];
  return write_rows<T, I, S>(va, vb, rows, cols, nt, nb, f, ub, off, longest, long_rows);
}

template <class T, class I, class S>
SparseMatrix product(const CsView<T, I>& va, const CsView<T, I>& vb, int64_t rows, int64_t cols, int nt,
                     SparseFormat f, SpgemmPasses passes, int blocks) {
  int64_t longest = 0;
  const std::vector<int64_t> ub = product_offsets(va, vb, nt, longest);
  const bool long_rows = longest > kShortRow || vb.inner > kPackedCols;
  if (passes == SpgemmPasses::Auto) passes = auto_passes<T, I, S>(va, vb, ub);
  const int nb = blocks > 0 ? static_cast<int>(std::min<int64_t>(blocks, std::max<int64_t>(va.outer, 1))) : nt;
  if (passes == SpgemmPasses::Two) return product_two_pass<T, I, S>(va, vb, rows, cols, nt, nb, f, ub, longest, long_rows);
  return write_rows<T, I, S>(va, vb, rows, cols, nt, nb, f, ub, ub, longest, long_rows);
}

// The operands as spgemm reads them, passed to fn(va, vb, S{}): a and b in a's format, with one
// index dtype, and the CSC case as the CSR product of the transposes; S is the accumulator's
// stamp type. Errors (shapes, scratch sizes) are raised here, on the calling thread.
template <class Fn>
auto with_operands(const SparseMatrix& a_in, const SparseMatrix& b_in, Fn&& fn) {
  if (a_in.cols() != b_in.rows())
    value_error("[dot] shapes ", shape_str(a_in.shape()), " and ", shape_str(b_in.shape()), " not aligned");
  const SparseFormat f = a_in.format();
  const SparseMatrix b_f = convert_format(b_in, f);
  // CSR: row o of the result combines the rows of b named by row o of a. CSC: the same on the
  // transposes (C^T = B^T A^T, and CSC arrays of M are CSR arrays of M^T), so A = b, B = a.
  const SparseMatrix& A0 = f == SparseFormat::CSR ? a_in : b_f;
  const SparseMatrix& B0 = f == SparseFormat::CSR ? b_f : a_in;
  const SparseMatrix A = A0.indices().dtype() == A0.indptr().dtype() ? A0 : common_index_dtype(A0);
  const DType aidt = A.indptr().dtype();
  const SparseMatrix B = B0.indices().dtype() == aidt && B0.indptr().dtype() == aidt
                             ? B0
                             : SparseMatrix(B0.format(), B0.rows(), B0.cols(), B0.data(), B0.indices().astype(aidt),
                                            B0.indptr().astype(aidt));
  return visit(A, [&](auto va) {
    using T = value_t<decltype(va)>;
    using I = index_t<decltype(va)>;
    const CsView<T, I> vb = view_as<T, I>(B);
    // Scratch sizes are checked (and allocated) before the parallel regions, so that a
    // MemoryError is raised on the calling thread.
    checked_nbytes(vb.inner, sizeof(Slot<uint64_t>) + sizeof(uint64_t), {vb.inner}, dtype_name(dtype_v<T>), "dot");
    constexpr int64_t u32 = std::numeric_limits<uint32_t>::max();
    if (va.outer < u32 && vb.inner < u32) return fn(va, vb, uint32_t{});
    return fn(va, vb, uint64_t{});
  });
}

}  // namespace

SparseMatrix spgemm(const SparseMatrix& a, const SparseMatrix& b, SpgemmPasses passes, int blocks) {
  const SparseFormat f = a.format();
  const int64_t rows = a.rows(), cols = b.cols();
  return with_operands(a, b, [&](const auto& va, const auto& vb, auto stamp) {
    using T = value_t<decltype(va)>;
    using I = index_t<decltype(va)>;
    const int nt = va.outer > 1 && va.nnz + vb.nnz >= kParallelWork ? ::hypatia::max_threads() : 1;
    return product<T, I, decltype(stamp)>(va, vb, rows, cols, nt, f, passes, blocks);
  });
}

SpgemmPasses spgemm_auto_passes(const SparseMatrix& a, const SparseMatrix& b) {
  return with_operands(a, b, [&](const auto& va, const auto& vb, auto stamp) {
    using T = value_t<decltype(va)>;
    using I = index_t<decltype(va)>;
    int64_t longest = 0;
    return auto_passes<T, I, decltype(stamp)>(va, vb, product_offsets(va, vb, 1, longest));
  });
}

}  // namespace hypatia::sparse_kernels
