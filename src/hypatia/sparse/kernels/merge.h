// One-pass sparse (+, -, *) sparse over operands that share dtype, format and index dtype: the
// fast path of binary_ss (elemwise.cpp), parallel in nnz-balanced row blocks.
#pragma once
#include <optional>
#include <vector>

#include "hypatia/sparse/kernels/elemwise.h"

namespace hypatia::sparse_kernels {

/// Splits [0, outer) into nt contiguous blocks of nearly equal cost, the cost of slice o being
/// its entries in both operands plus one (empty slices still cost a visit). Returns nt + 1
/// bounds. Skewed row lengths stay balanced, which schedule(static) over rows does not.
template <class I>
std::vector<int64_t> balanced_bounds(const I* pa, const I* pb, int64_t outer, int nt) {
  std::vector<int64_t> bounds(nt + 1, outer);
  bounds[0] = 0;
  auto cost = [&](int64_t o) {  // cumulative cost of slices [0, o)
    // In wrapping arithmetic: the row sums split an indptr whose steps they have yet to check
    // (Op::checks_input_steps), where a bad entry must give only an unbalanced split, not an
    // overflow.
    return static_cast<int64_t>(static_cast<uint64_t>(pa[o]) + (pb ? static_cast<uint64_t>(pb[o]) : 0) +
                                static_cast<uint64_t>(o));
  };
  const int64_t total = cost(outer);
  for (int t = 1; t < nt; ++t) {
    const int64_t target = static_cast<int64_t>(static_cast<__int128>(total) * t / nt);
    int64_t lo = bounds[t - 1], hi = outer;  // first o with cost(o) >= target
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (cost(mid) < target) lo = mid + 1;
      else hi = mid;
    }
    bounds[t] = lo;
  }
  return bounds;
}

/// a (op) b for op in {Add, Sub, Mul} when a and b both have dtype `a.dtype()`, the same format,
/// and all four index arrays one dtype. Each slice is checked as it is merged: canonical
/// (sorted, no duplicates) with its indices in [0, inner); nullopt when one is not, and the
/// caller then checks the indices (raising on a bad one), canonicalises and calls again. Results equal to zero are dropped (scipy's csr_binop_csr); the result is
/// canonical with scipy's index dtype for its shape and nnz, and the same at any thread count.
/// Slices of up to 16 entries a side take the AVX-512 kernel where the CPU has it (merge_rows.h).
/// `blocks` (0: one per thread) sets how many nnz-balanced blocks the slices split into, the
/// threads taking them in turn: tests pass more blocks than threads to exercise pairs of blocks
/// and the runs between pairs without raising OpenMP's thread count.
std::optional<SparseMatrix> binary_ss_sorted(const SparseMatrix& a, const SparseMatrix& b, SpBinary op, int blocks = 0);

}  // namespace hypatia::sparse_kernels
