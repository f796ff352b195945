// Sparse x sparse product (spmm.h's spgemm): Gustavson's rows in two passes, symbolic then numeric.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include <omp.h>

#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/kernels/merge.h"
#include "hypatia/sparse/kernels/sort_distinct.h"
#include "hypatia/sparse/kernels/spmm.h"
#include "hypatia/util/parallel.h"

namespace hypatia::sparse_kernels {

namespace {

// One thread's scratch. Sized to b's inner extent: the row stamp each column last got, so that
// nothing is cleared between rows or passes (S is uint32_t whenever the 2 * outer stamps and the
// inner extent fit, halving what every product touches at random): alone for the symbolic pass,
// and beside the column's place in the row's list in one slot for the numeric pass (8 bytes with
// 32-bit stamps: 100k columns fit 800 KB, where a slot that held the sum took 1.6 MB). Sized to
// the longest row of the result: the row's sums in first-touched order, and the sort's room.
template <class S>
struct Slot {
  S stamp;
  S pos;
};
template <class T, class S>
struct Scratch {
  std::vector<S> stamp;
  std::unique_ptr<Slot<S>[]> slot;
  std::unique_ptr<T[]> sums;  // not a std::vector: vector<bool> has no data()
  std::vector<int32_t> perm32;  // the sort's permutation, for 32-bit and 64-bit output indices
  std::vector<int64_t> perm64;
  std::vector<uint64_t> sort_tmp;
  explicit Scratch(int64_t inner) : stamp(inner, std::numeric_limits<S>::max()), slot(new Slot<S>[inner]) {
    for (int64_t c = 0; c < inner; ++c) slot[c].stamp = std::numeric_limits<S>::max();
  }
  void size_rows(int64_t longest, int index_bits) {
    sums.reset(new T[std::max<int64_t>(longest, 1)]);
    if (index_bits == 32) perm32.resize(longest);
    else perm64.resize(longest);
    sort_tmp.resize(longest);
  }
};

// always_inline: as a plain inline helper that only loads and prefetches, GCC 12 judged it free
// of side effects and deleted its calls before inlining it (the object held no prefetch at all).
__attribute__((always_inline)) inline void prefetch_at(const void* base, int64_t bytes) {
  __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(base) + static_cast<uintptr_t>(bytes)), 0, 3);
}

// Software prefetches for the rows of b that a's entry k + 8 will read (its indptr entry was
// asked for 8 entries earlier, at k + 16): each of a's entries starts a fresh random row of b,
// and without them every row waits on its own chain of misses (indptr, then indices, then
// values). A prefetch never faults, so addresses past the ends are formed as integers.
template <class T, class I>
__attribute__((always_inline)) inline void prefetch_rows(const CsView<T, I>& va, const CsView<T, I>& vb, int64_t k, int64_t k_end, bool values) {
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

// The product in CSR terms over views of one dtype and index dtype (for CSC the caller swaps
// the operands). Bounds of a row of b are read into locals before its loop: the output indices
// may share their type with b's indptr, and the compiler would otherwise reload them per entry.
template <class T, class I, class S>
SparseMatrix product(const CsView<T, I>& va, const CsView<T, I>& vb, int64_t rows, int64_t cols, int nt,
                     SparseFormat f) {
  const int64_t outer = va.outer, inner = vb.inner;
  std::vector<std::unique_ptr<Scratch<T, S>>> scratch(nt);
  for (auto& s : scratch) s = std::make_unique<Scratch<T, S>>(inner);
  const int64_t k_end = outer > 0 ? va.end(outer - 1) : 0;

  // Pass 1, symbolic: how many distinct columns each row of the result touches. Exact
  // offsets let pass 2 write straight into the output: no per-thread buffers that grow by
  // doubling, fault fresh pages in and are copied once more at the end (a third of the
  // time of the one-pass version at 200k^2, 10/row).
  std::vector<int64_t> off(outer + 1, 0);
  const std::vector<int64_t> b1 = balanced_bounds(va.indptr, static_cast<const I*>(nullptr), outer, nt);
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
  for (int t = 0; t < nt; ++t) {
    S* stamp = scratch[t]->stamp.data();
    for (int64_t o = b1[t]; o < b1[t + 1]; ++o) {
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
      off[o + 1] = n;
    }
  }
  for (int64_t o = 0; o < outer; ++o) off[o + 1] += off[o];
  const int64_t total = off[outer];
  const DType idt = index_dtype_for(rows, cols, total);
  NDArray idx(idt, {total}), data(dtype_v<T>, {total});
  std::vector<int64_t> kept(outer);

  int64_t longest = 0;
  for (int64_t o = 0; o < outer; ++o) longest = std::max(longest, off[o + 1] - off[o]);
  for (auto& s : scratch) s->size_rows(longest, idt == DType::Int32 ? 32 : 64);

  // Pass 2, numeric: a row's columns are listed in its output slot as first touched, with their
  // sums beside them in the thread's scratch (in L1), then sorted in place; the non-zero sums
  // are written in the sorted order through the sort's permutation. The sums are not looked up
  // by column again: that second pass of random reads was a third of the numeric pass.
  dispatch_index(idt, [&](auto itag) {
    using J = decltype(itag);
    using P = std::conditional_t<sizeof(J) == 4, int32_t, int64_t>;
    J* ix = idx.data<J>();
    T* d = data.data<T>();
    const std::vector<int64_t> b2 = balanced_bounds(off.data(), static_cast<const int64_t*>(nullptr), outer, nt);
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (int t = 0; t < nt; ++t) {
      Slot<S>* slot = scratch[t]->slot.get();
      T* sums = scratch[t]->sums.get();
      P* perm = nullptr;
      if constexpr (sizeof(P) == 4) perm = scratch[t]->perm32.data();
      else perm = scratch[t]->perm64.data();
      for (int64_t o = b2[t]; o < b2[t + 1]; ++o) {
        const S mark = static_cast<S>(outer + o);  // pass 1 left stamps below outer
        J* row = ix + off[o];
        int64_t n = 0;
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
              sums[n] = multiply(av, vb.data[q]);
              row[n++] = static_cast<J>(c);
            } else {
              accumulate(sums[sl.pos], multiply(av, vb.data[q]));
            }
          }
        }
        sort_distinct(row, n, perm, scratch[t]->sort_tmp.data());
        T* vals = d + off[o];
        int64_t w = 0;
        for (int64_t q = 0; q < n; ++q) {
          const T v = sums[perm[q]];
          row[w] = row[q];
          vals[w] = v;
          w += is_nonzero(v) ? 1 : 0;
        }
        kept[o] = w;
      }
    }
    // Exact cancellations left gaps: close them (rare, so one sequential move).
    int64_t at = 0;
    for (int64_t o = 0; o < outer; ++o) {
      if (at != off[o] && kept[o] > 0) {
        std::memmove(ix + at, ix + off[o], kept[o] * sizeof(J));
        std::memmove(d + at, d + off[o], kept[o] * sizeof(T));
      }
      at += kept[o];
    }
  });
  NDArray ptr(idt, {indptr_length(outer, "dot")});
  const int64_t nnz = counts_to_indptr(kept, ptr);
  if (nnz != total) {
    idx = idx.slice(0, 0, nnz, 1);
    data = data.slice(0, 0, nnz, 1);
  }
  return SparseMatrix(f, rows, cols, data, idx, ptr);
}

}  // namespace

SparseMatrix spgemm(const SparseMatrix& a_in, const SparseMatrix& b_in) {
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
  const int64_t rows = a_in.rows(), cols = b_in.cols();
  return visit(A, [&](auto va) {
    using T = value_t<decltype(va)>;
    using I = index_t<decltype(va)>;
    const CsView<T, I> vb = view_as<T, I>(B);
    const int nt = va.outer > 1 && va.nnz + vb.nnz >= kParallelWork ? ::hypatia::max_threads() : 1;
    // Scratch sizes are checked (and allocated) before the parallel regions, so that a
    // MemoryError is raised on the calling thread.
    checked_nbytes(vb.inner, sizeof(Slot<uint64_t>) + sizeof(uint64_t), {vb.inner}, dtype_name(dtype_v<T>), "dot");
    constexpr int64_t u32 = std::numeric_limits<uint32_t>::max();
    if (2 * va.outer < u32 && vb.inner < u32)
      return product<T, I, uint32_t>(va, vb, rows, cols, nt, f);
    return product<T, I, uint64_t>(va, vb, rows, cols, nt, f);
  });
}

}  // namespace hypatia::sparse_kernels
