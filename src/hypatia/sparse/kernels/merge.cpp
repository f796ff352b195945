// Sparse (+, -, *) sparse over operands of one dtype, format and index dtype (merge.h): one pass
// over nnz-balanced blocks of slices, each written from its upper bound, then moved left.
#include "hypatia/sparse/kernels/merge.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "hypatia/sparse/kernels/merge_rows.h"

#include <omp.h>

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

// Moves x[from, from + len) to x[to, to + len), to < from, with nt threads: in rounds of
// from - to elements, each round's source lying wholly past its destination, so the pieces of
// a round can be copied in parallel. A short shift (many rounds) is one memmove.
template <class X>
void move_left(X* x, int64_t from, int64_t to, int64_t len, int nt) {
  const int64_t shift = from - to;
  if (shift <= 0 || len <= 0) return;
  if (nt <= 1 || shift * 8 < len || len < kParallelWork) {
    std::memmove(static_cast<void*>(x + to), x + from, len * sizeof(X));
    return;
  }
  for (int64_t off = 0; off < len; off += shift) {
    const int64_t n = std::min(shift, len - off), piece = (n + nt - 1) / nt;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int t = 0; t < nt; ++t) {
      const int64_t b = std::min(n, t * piece), e = std::min(n, b + piece);
      if (e > b) std::memcpy(static_cast<void*>(x + to + off + b), x + from + off + b, (e - b) * sizeof(X));
    }
  }
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
  auto backward = [nt](int t) { return t % 2 == 0 && t + 1 < nt; };
  auto bound_at = [&](int64_t o) { return static_cast<int64_t>(va.indptr[o]) + static_cast<int64_t>(vb.indptr[o]); };
  return dispatch_index(idt, [&](auto jtag) -> std::optional<SparseMatrix> {
    using J = decltype(jtag);
    NDArray ptr(idt, {indptr_length(outer, "sparse")}), idx(idt, {bound}), data(dtype_v<T>, {bound});
    J* pp = ptr.data<J>();
    J* ix = idx.data<J>();
    T* d = data.data<T>();
    pp[0] = 0;
    std::vector<int64_t> first(nt), len(nt, 0);  // where block t's entries begin, and how many
    std::atomic<bool> unsorted{false};
#pragma omp parallel num_threads(threads) if (threads > 1)
    for (int t = omp_get_thread_num(); t < nt; t += omp_get_num_threads()) {
      const bool back = backward(t);
      const int64_t from = bound_at(bounds[back ? t + 1 : t]);
      int64_t pos = from;
      if (!merge_range<Op>(va, vb, bounds[t], bounds[t + 1], pp, ix, d, pos, back)) unsorted.store(true, std::memory_order_relaxed);
      first[t] = back ? pos : from;
      len[t] = back ? from - pos : pos - from;
    }
    if (unsorted.load()) return std::nullopt;
    // Each pair (or a last lone block) is one run; runs after the first move left behind it, and
    // every slice end drops by its run's move plus the first run's start.
    const int64_t base = first[0];
    int64_t n = 0;
    std::vector<int64_t> drop(nt, 0);
    for (int t = 0; t < nt; t += 2) {
      const int64_t run_len = len[t] + (t + 1 < nt ? len[t + 1] : 0);
      move_left(ix, first[t], base + n, run_len, threads);
      move_left(d, first[t], base + n, run_len, threads);
      drop[t] = first[t] - n;
      if (t + 1 < nt) drop[t + 1] = drop[t];
      n += run_len;
    }
    for (int t = 0; t < nt; ++t) {
      if (drop[t] == 0) continue;
      const int64_t o0 = bounds[t], o1 = bounds[t + 1], shift = drop[t];
#pragma omp parallel for num_threads(threads) if (threads > 1 && o1 - o0 >= kParallelWork)
      for (int64_t o = o0; o < o1; ++o) pp[o + 1] = static_cast<J>(pp[o + 1] - shift);
    }
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
