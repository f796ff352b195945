// Sparse (+, -, *) sparse over operands of one dtype, format and index dtype (merge.h): one pass
// over nnz-balanced blocks of slices, each written from its upper bound, then moved left.
#include "hypatia/sparse/kernels/merge.h"

#include <atomic>
#include <cstring>

#include "hypatia/sparse/kernels/merge_rows.h"

#include <omp.h>

namespace hypatia::sparse_kernels {

namespace {

using namespace merge_rows;

// Merges slices [o0, o1) into oi/od from pos (slice o at most nnz(a_o) + nnz(b_o) entries),
// setting pp[o + 1] and advancing pos; false at the first slice that is not canonical or holds
// an index outside [0, inner). Float32/float64 values with int32 indices in and out take the
// AVX-512 block kernel where the CPU has it; the rest the scalar merge, each slice checked and
// merged while in cache.
template <SpBinary Op, class T, class I, class J>
bool merge_range(const CsView<T, I>& va, const CsView<T, I>& vb, int64_t o0, int64_t o1, J* pp, J* oi, T* od,
                 int64_t& pos) {
  if constexpr (std::is_same_v<I, int32_t> && std::is_same_v<J, int32_t> &&
                (std::is_same_v<T, float> || std::is_same_v<T, double>)) {
    if (merge_avx512_available()) return merge_block_avx512<Op, T>(va, vb, o0, o1, pp, oi, od, pos);
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
// without reading an index, so the output is sized by nnz(a) + nnz(b). Each thread merges an
// nnz-balanced block of slices from that block's bound, (indptr_a + indptr_b)[first slice];
// then each block after the first moves left to close the gap, from the second on (its target
// lies past all earlier blocks' data). At one thread nothing moves. The unused tail of the
// arrays is never written (for a large result, never even backed by memory) and the arrays
// returned are views of their first nnz entries.
template <SpBinary Op, class T, class I>
std::optional<SparseMatrix> run(const SparseMatrix& a, const SparseMatrix& b) {
  const CsView<T, I> va = view_as<T, I>(a), vb = view_as<T, I>(b);
  const int64_t outer = va.outer, bound = va.nnz + vb.nnz;
  const int nt = (bound >= kParallelWork && outer > 1) ? ::hypatia::max_threads() : 1;
  const std::vector<int64_t> bounds = nt > 1 ? balanced_bounds(va.indptr, vb.indptr, outer, nt) : std::vector<int64_t>{0, outer};
  const DType idt = index_dtype_for(std::max({a.rows(), a.cols(), bound}));
  return dispatch_index(idt, [&](auto jtag) -> std::optional<SparseMatrix> {
    using J = decltype(jtag);
    NDArray ptr(idt, {indptr_length(outer, "sparse")}), idx(idt, {bound}), data(dtype_v<T>, {bound});
    J* pp = ptr.data<J>();
    J* ix = idx.data<J>();
    T* d = data.data<T>();
    pp[0] = 0;
    std::vector<int64_t> start(nt), len(nt, 0);
    std::atomic<bool> unsorted{false};
#pragma omp parallel num_threads(nt) if (nt > 1)
    for (int t = omp_get_thread_num(); t < nt; t += omp_get_num_threads()) {
      start[t] = static_cast<int64_t>(va.indptr[bounds[t]]) + static_cast<int64_t>(vb.indptr[bounds[t]]);
      int64_t pos = start[t];
      if (!merge_range<Op>(va, vb, bounds[t], bounds[t + 1], pp, ix, d, pos)) unsorted.store(true, std::memory_order_relaxed);
      len[t] = pos - start[t];
    }
    if (unsorted.load()) return std::nullopt;
    int64_t n = len[0];
    for (int t = 1; t < nt; ++t) {  // close the gaps: each block moves left behind the ones before
      const int64_t shift = start[t] - n;
      if (shift > 0) {
        move_left(ix, start[t], n, len[t], nt);
        move_left(d, start[t], n, len[t], nt);
        const int64_t o0 = bounds[t], o1 = bounds[t + 1];
#pragma omp parallel for num_threads(nt) if (o1 - o0 >= kParallelWork)
        for (int64_t o = o0; o < o1; ++o) pp[o + 1] = static_cast<J>(pp[o + 1] - shift);
      }
      n += len[t];
    }
    SparseMatrix r(a.format(), a.rows(), a.cols(), data.slice(0, 0, n, 1), idx.slice(0, 0, n, 1), ptr);
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
