// Sparse (+, -, *) sparse over operands of one dtype, format and index dtype (merge.h): one pass
// over nnz-balanced blocks of slices, each written from its upper bound, then moved left.
#include "hypatia/sparse/kernels/merge.h"

#include <algorithm>
#include <cstring>

#include "hypatia/sparse/kernels/merge_rows.h"
#include "hypatia/sparse/kernels/paired_runs.h"

namespace hypatia::sparse_kernels {

namespace {

using namespace merge_rows;

// Merges slices [o0, o1) into oi/od from pos (slice o at most nnz(a_o) + nnz(b_o) entries),
// setting pp[o + 1] and advancing pos; `backward`, the last slice first, its entries ending at
// pos, moving pos down. False at the first slice that is not canonical or holds an index outside
// [0, inner). Float32/float64 values with int32 indices in and out take the AVX-512 block kernel
// where the CPU has it; the rest the scalar merge, each slice checked and merged while in cache.
template <SpBinary Op, class T, class I, class J>
bool merge_range(const CsView<T, I>& va, const CsView<T, I>& vb, int64_t o0, int64_t o1, J* pp, J* oi, T* od,
                 int64_t& pos, bool backward) {
  if constexpr (std::is_same_v<I, int32_t> && std::is_same_v<J, int32_t> &&
                (std::is_same_v<T, float> || std::is_same_v<T, double>)) {
    if (merge_avx512_available()) return merge_block_avx512<Op, T>(va, vb, o0, o1, pp, oi, od, pos, backward);
  }
  if (backward) {
    BackwardStage<J, T> stage;
    for (int64_t o = o1 - 1; o >= o0; --o) {
      const int64_t p = va.begin(o), pe = va.end(o), q = vb.begin(o), qe = vb.end(o);
      ahead_slices<true>(va, p, vb, q);
      if (!slices_ok(va.indices, p, pe, vb.indices, q, qe, va.inner)) return false;
      pp[o + 1] = static_cast<J>(pos);
      pos = stage.template merge<Op>(va, vb, p, pe, q, qe, oi, od, pos);
    }
    return true;
  }
  for (int64_t o = o0; o < o1; ++o) {
    const int64_t p = va.begin(o), pe = va.end(o), q = vb.begin(o), qe = vb.end(o);
    ahead_slices(va, p, vb, q);
    if (!slices_ok(va.indices, p, pe, vb.indices, q, qe, va.inner)) return false;
    pos += merge_slice<Op>(va.data, va.indices, p, pe, vb.data, vb.indices, q, qe, oi + pos, od + pos);
    pp[o + 1] = static_cast<J>(pos);
  }
  return true;
}

// One pass. Slice o's result has at most nnz(a_o) + nnz(b_o) entries, which indptr gives
// without reading an index, so the output is sized by nnz(a) + nnz(b), and block t's entries
// fit below its successor's bound, (indptr_a + indptr_b)[first slice of t + 1]. The threads take
// nnz-balanced blocks in pairs: the first of a pair merges backward, ending at that bound, the
// second forward from it, so a pair's entries meet with no gap. At two threads the result is
// then one run, and the arrays returned are views of it, wherever it begins; only indptr is
// shifted. More pairs move left behind the first to close the gaps between them (each target
// lies past all earlier pairs' data). The arrays' unused head and tail are never written (for a
// large result, never even backed by memory).
template <SpBinary Op, class T, class I>
std::optional<SparseMatrix> run(const SparseMatrix& a, const SparseMatrix& b, int blocks) {
  const CsView<T, I> va = view_as<T, I>(a), vb = view_as<T, I>(b);
  const int64_t outer = va.outer, bound = va.nnz + vb.nnz;
  const int threads = (bound >= kParallelWork && outer > 1) ? ::hypatia::max_threads() : 1;
  const int nt = blocks > 0 ? static_cast<int>(std::min<int64_t>(blocks, std::max<int64_t>(outer, 1))) : threads;
  const std::vector<int64_t> bounds = nt > 1 ? balanced_bounds(va.indptr, vb.indptr, outer, nt) : std::vector<int64_t>{0, outer};
  const DType idt = index_dtype_for(std::max({a.rows(), a.cols(), bound}));
  auto bound_at = [&](int64_t o) { return static_cast<int64_t>(va.indptr[o]) + static_cast<int64_t>(vb.indptr[o]); };
  return dispatch_index(idt, [&](auto jtag) -> std::optional<SparseMatrix> {
    using J = decltype(jtag);
    NDArray ptr(idt, {indptr_length(outer, "sparse")}), idx(idt, {bound}), data(dtype_v<T>, {bound});
    J* pp = ptr.data<J>();
    J* ix = idx.data<J>();
    T* d = data.data<T>();
    pp[0] = 0;
    const PairedRuns w = write_paired(threads, bounds, pp, ix, d, bound_at,
                                      [&](int, int64_t o0, int64_t o1, int64_t& pos, bool back) {
                                        return merge_range<Op>(va, vb, o0, o1, pp, ix, d, pos, back);
                                      });
    if (!w.ok) return std::nullopt;
    const int64_t base = w.base, n = w.n;
    SparseMatrix r(a.format(), a.rows(), a.cols(), data.slice(0, base, base + n, 1), idx.slice(0, base, base + n, 1), ptr);
    return with_index_dtype(r, index_dtype_for(std::max({a.rows(), a.cols(), n})));
  });
}

}  // namespace

std::optional<SparseMatrix> binary_ss_sorted(const SparseMatrix& a, const SparseMatrix& b, SpBinary op, int blocks) {
  return dispatch_value_index(a.dtype(), a.indptr().dtype(), [&](auto t, auto i) -> std::optional<SparseMatrix> {
    using T = decltype(t);
    using I = decltype(i);
    switch (op) {
      case SpBinary::Add: return run<SpBinary::Add, T, I>(a, b, blocks);
      case SpBinary::Sub: return run<SpBinary::Sub, T, I>(a, b, blocks);
      case SpBinary::Mul: return run<SpBinary::Mul, T, I>(a, b, blocks);
      default: value_error("[sparse] binary_ss_sorted: not an arithmetic op");
    }
  });
}

}  // namespace hypatia::sparse_kernels
