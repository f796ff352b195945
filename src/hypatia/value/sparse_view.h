// Typed views of compressed matrices, (value dtype x index dtype) dispatch, the outer-loop
// parallel helper that every sparse kernel is written with, and the dense <-> compressed
// conversions. They sit in the value layer because SparseMatrix's own to_dense/from_dense (which
// the graph layer compares values with) need them; the sparse kernels build on this header.
#pragma once
#include <optional>
#include <algorithm>
#include <cstdint>
#include <exception>
#include <type_traits>
#include <vector>

#include "hypatia/value/sparse_matrix.h"
#include "hypatia/util/checked_size.h"
#include "hypatia/util/parallel.h"

namespace hypatia::sparse_kernels {

/// Work (stored entries, or dense elements) below which kernels run single-threaded: starting
/// an OpenMP team costs more than it saves on small matrices (the target machines have 2 cores).
inline constexpr int64_t kParallelWork = 1 << 16;

/// A read-only typed view of a compressed matrix in outer/inner terms (CSR: outer = rows,
/// inner = columns; CSC: the reverse). Entries of outer slice `o` are positions
/// [begin(o), end(o)) of `data`/`indices`; indices may be unsorted and may repeat.
template <class T, class I>
struct CsView {
  using value_type = T;
  using index_type = I;
  SparseFormat format;
  int64_t rows = 0, cols = 0, outer = 0, inner = 0, nnz = 0;
  const T* data = nullptr;
  const I* indices = nullptr;
  const I* indptr = nullptr;
  int64_t begin(int64_t o) const { return static_cast<int64_t>(indptr[o]); }
  int64_t end(int64_t o) const { return static_cast<int64_t>(indptr[o + 1]); }
  int64_t index(int64_t k) const { return static_cast<int64_t>(indices[k]); }
  /// (row, col) of stored entry k of outer slice o.
  int64_t row(int64_t o, int64_t k) const { return format == SparseFormat::CSR ? o : index(k); }
  int64_t col(int64_t o, int64_t k) const { return format == SparseFormat::CSR ? index(k) : o; }
};

/// The value and index types of a view, for kernels' generic lambdas: `using T = value_t<decltype(v)>;`.
template <class V>
using value_t = typename std::remove_cvref_t<V>::value_type;
template <class V>
using index_t = typename std::remove_cvref_t<V>::index_type;

/// A typed view of a matrix whose value dtype (T) and index dtype (I, of both indices and
/// indptr) the caller already knows: no dispatch, no check.
template <class T, class I>
CsView<T, I> view_as(const SparseMatrix& m) {
  CsView<T, I> v;
  v.format = m.format();
  v.rows = m.rows();
  v.cols = m.cols();
  v.outer = m.outer_size();
  v.inner = m.inner_size();
  v.data = m.data().template data<T>();
  v.indices = m.indices().template data<I>();
  v.indptr = m.indptr().template data<I>();
  v.nnz = v.indptr[v.outer];
  return v;
}

/// Calls f(I{}) with I = int32_t or int64_t for an index dtype; TypeError for anything else.
template <class F>
decltype(auto) dispatch_index(DType d, F&& f) {
  if (d == DType::Int32) return f(int32_t{});
  if (d == DType::Int64) return f(int64_t{});
  type_error("[sparse] index arrays must be int32 or int64, got ", dtype_name(d));
}

/// Calls f(T{}, I{}) for a value dtype and an index dtype: the one dispatch every sparse kernel
/// uses, so that each kernel body is written once for all 14 x 2 combinations.
template <class F>
decltype(auto) dispatch_value_index(DType value, DType index, F&& f) {
  return dispatch_dtype(value, [&](auto t) -> decltype(auto) {
    return dispatch_index(index, [&](auto i) -> decltype(auto) { return f(t, i); });
  });
}

/// The matrix with indices and indptr of one common dtype (int64 when they differ; a copy
/// only in that rare case). Kernels call this through visit().
SparseMatrix common_index_dtype(const SparseMatrix& m);

/// Calls f(CsView<T, I>) for the matrix's value and index dtypes.
/// The matrix is not copied when its index arrays already share a dtype: a copy costs six
/// allocations (each array's shape and strides), a sixth of a small call's.
template <class F>
decltype(auto) visit(const SparseMatrix& m_in, F&& f) {
  std::optional<SparseMatrix> converted;
  const SparseMatrix& m =
      m_in.indices().dtype() == m_in.indptr().dtype() ? m_in : converted.emplace(common_index_dtype(m_in));
  return dispatch_value_index(m.dtype(), m.indptr().dtype(), [&](auto t, auto i) -> decltype(auto) {
    return f(view_as<decltype(t), decltype(i)>(m));
  });
}

/// Carries an exception out of an OpenMP region: one escaping a region (or a thread of it)
/// terminates the process, so region bodies run under capture() and the first exception is
/// rethrown after the region by rethrow(). Not on the hot path: try costs nothing until a throw.
class RegionErrors {
 public:
  template <class F>
  void capture(F&& f) noexcept {
    try {
      f();
    } catch (...) {
#pragma omp critical(hypatia_region_errors)
      if (!first_) first_ = std::current_exception();
    }
  }
  void rethrow() const {
    if (first_) std::rethrow_exception(first_);
  }

 private:
  std::exception_ptr first_;
};

/// Runs body(o) for o in [0, outer), in parallel over the outer dimension when `work` (the
/// total cost, e.g. nnz or rows*cols) is at least kParallelWork. Bodies must write only to
/// outer slice o of their outputs (or to per-o locations), which CSR/CSC layouts make natural.
/// An exception from a body (std::bad_alloc, a user error) is rethrown after the loop.
template <class F>
void parallel_outer(int64_t outer, int64_t work, F&& body) {
  RegionErrors errors;
#pragma omp parallel for schedule(static) if (work >= kParallelWork && outer > 1) num_threads(::hypatia::max_threads())
  for (int64_t o = 0; o < outer; ++o) errors.capture([&] { body(o); });
  errors.rethrow();
}

/// a * b for work estimates (never allocation sizes): saturates at INT64_MAX instead of
/// overflowing, which is all a "large enough to parallelise?" test needs.
inline int64_t work_mul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

/// The sum of per-slice entry counts (a result's nnz), checked: ValueError naming the op when it
/// overflows int64, which a result that is never materialised slice by slice (a complement
/// pattern, say) can reach.
inline int64_t checked_total(const std::vector<int64_t>& counts, const std::string& op) {
  int64_t total = 0;
  for (int64_t c : counts)
    if (__builtin_add_overflow(total, c, &total))
      value_error("[", op, "] the result would have more than 2**63 - 1 stored entries");
  return total;
}

/// outer + 1, the length of an indptr array, checked (ValueError naming the op on overflow).
inline int64_t indptr_length(int64_t outer, const std::string& op) {
  return checked_add(outer, 1, op, "the indptr array of a matrix with outer size " + std::to_string(outer));
}

/// int32 when every value up to max_value fits, int64 otherwise (docs/semantics.md, "Sparse values at the boundary").
inline DType index_dtype_for(int64_t max_value) { return max_value <= INT32_MAX ? DType::Int32 : DType::Int64; }
/// The index dtype scipy would pick for a matrix of this shape and nnz.
inline DType index_dtype_for(int64_t rows, int64_t cols, int64_t nnz) {
  return index_dtype_for(std::max({rows, cols, nnz}));
}

/// An indptr array of dtype `idt` from per-outer counts: indptr[0] = 0, indptr[o+1] = sum of
/// counts[0..o]. Returns nnz.
int64_t counts_to_indptr(const std::vector<int64_t>& counts, NDArray& indptr);

/// A new matrix with the structure (format, shape, indices, indptr) of `pattern` and the given
/// data (length nnz): the helper for every op that maps stored values. The index arrays are
/// copied (so the result owns all its memory) unless share_structure, in which case an op must
/// declare the aliasing in its view_map.
SparseMatrix with_data(const SparseMatrix& pattern, NDArray data, bool share_structure = false);

/// data[:nnz] as a contiguous array (scipy allows data/indices longer than nnz).
NDArray stored_data(const SparseMatrix& m);

/// Typed element access to an int32/int64 index array being filled.
template <class I>
I* index_ptr(NDArray& a) { return a.data<I>(); }

/// Adds b into a for every dtype (bool: logical or; half through float), as sums of duplicates need.
template <class T>
inline void accumulate(T& a, const T& b) {
  if constexpr (std::is_same_v<T, bool>) a = a || b;
  else if constexpr (std::is_same_v<T, half>) a = half(static_cast<float>(a) + static_cast<float>(b));
  else a = static_cast<T>(a + b);
}

/// a * b for every dtype (bool: logical and; half through float), as products of stored values need.
template <class T>
inline T multiply(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, bool>) return a && b;
  else if constexpr (std::is_same_v<T, half>) return half(static_cast<float>(a) * static_cast<float>(b));
  else return static_cast<T>(a * b);
}

template <class T>
inline bool is_nonzero(const T& v) { return scalar_cast<bool>(v); }

// ---- dense <-> compressed ----
/// The dense (C-contiguous) matrix; duplicates are summed as scipy's toarray() does.
NDArray to_dense(const SparseMatrix& m);
/// Adds the stored entries of m into `out` (a C-contiguous rows x cols array of m's dtype).
void add_into_dense(const SparseMatrix& m, NDArray& out);
/// The compressed matrix of a 2-d array (any strides), keeping only non-zero values; indices
/// are sorted and int32 unless the sizes need int64.
SparseMatrix from_dense(const NDArray& dense, SparseFormat format);

}  // namespace hypatia::sparse_kernels
