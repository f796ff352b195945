// SparseMatrix: the runtime CSR/CSC value, described in outer/inner terms so both formats share code.
#pragma once
#include <string>

#include "hypatia/value/ndarray.h"

namespace hypatia {

enum class SparseFormat : uint8_t { CSR, CSC };
const char* format_name(SparseFormat f);  // "csr" / "csc"
SparseFormat format_from_name(const std::string& s);  // raises TypeError on anything else

/// A compressed sparse matrix. For CSR the outer dimension is rows and `indices` hold column
/// numbers; for CSC the outer dimension is columns and `indices` hold row numbers. `data`,
/// `indices` and `indptr` are 1-d NDArrays (zero-copy with scipy's arrays when dtypes allow);
/// indices/indptr are int32 when they fit and int64 otherwise, and both are accepted.
class SparseMatrix {
 public:
  SparseMatrix() = default;
  /// Wraps the given arrays without copying; call validate() when they come from a user.
  SparseMatrix(SparseFormat format, int64_t rows, int64_t cols, NDArray data, NDArray indices,
               NDArray indptr);
  /// An empty (all-zero) matrix with int32 indices.
  static SparseMatrix zeros(SparseFormat format, int64_t rows, int64_t cols, DType dtype);
  /// Builds a compressed matrix from a dense 2-d array, keeping only non-zero values.
  /// (from_dense and to_dense stay members: the graph layer compares sparse values densely.)
  static SparseMatrix from_dense(const NDArray& dense, SparseFormat format);

  bool defined() const { return data_.defined(); }
  SparseFormat format() const { return format_; }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  Shape shape() const { return {rows_, cols_}; }
  int64_t outer_size() const { return format_ == SparseFormat::CSR ? rows_ : cols_; }
  int64_t inner_size() const { return format_ == SparseFormat::CSR ? cols_ : rows_; }
  DType dtype() const { return data_.dtype(); }
  int64_t nnz() const;  // stored entries, explicit zeros included (indptr[outer])
  const NDArray& data() const { return data_; }
  const NDArray& indices() const { return indices_; }
  const NDArray& indptr() const { return indptr_; }

  /// Raises ValueError naming the problem: wrong array ranks/lengths, a non-monotone indptr or
  /// one not starting at 0, out-of-range indices, non-integer index arrays.
  void validate() const;
  /// The same checks with messages starting "[op]" (ops validate what they build or receive).
  void validate(const std::string& op) const;
  /// validate's checks without the O(nnz) index range check: ranks, dtypes, lengths, contiguity
  /// and a non-decreasing indptr from 0 to nnz (O(outer)). A kernel may then read data[0, nnz)
  /// by indptr safely, but must check an index before any read or write that it steers
  /// (indices_in_range), or call validate_indices. Without `check_steps`, the O(1) checks only
  /// (indptr's length, its first entry 0 and its last within data and indices): a kernel must
  /// then check each slice's bounds, 0 <= indptr[o] <= indptr[o + 1] <= nnz, before reading it
  /// (Op::checks_input_steps), and raise through validate_structure when one fails.
  void validate_structure(const std::string& op, bool check_steps = true) const;
  /// The index range check alone (after validate_structure): every stored index in [0, inner_size()).
  void validate_indices(const std::string& op) const;

  // ---- conversions (new matrices; the original is unchanged) ----
  // Structure queries and the other conversions (sorted indices, format changes, transposes,
  // zeros removed) are sparse kernels: sparse_kernels::has_sorted_indices, convert_format, ...
  SparseMatrix copy() const;
  SparseMatrix astype(DType dtype) const;
  NDArray to_dense() const;  // sums duplicates like scipy's toarray()

 private:
  SparseFormat format_ = SparseFormat::CSR;
  int64_t rows_ = 0, cols_ = 0;
  NDArray data_, indices_, indptr_;
};

/// Reads element i of an int32 or int64 index array.
inline int64_t index_at(const NDArray& a, int64_t i) {
  return a.dtype() == DType::Int32 ? a.data<int32_t>()[i] : a.data<int64_t>()[i];
}

}  // namespace hypatia
