// Native sparse kernels: pure functions over SparseMatrix/NDArray values, written once in
// outer/inner terms so CSR and CSC share every loop (see README.md in this folder). The views,
// dispatch and dense <-> compressed conversions they build on live in value/sparse_view.h.
#pragma once
#include "hypatia/value/sparse_view.h"

namespace hypatia::sparse_kernels {

// ---- format and layout ----
/// The same matrix in `format` (a copy; O(nnz + outer + inner)). Parallel counting sort: the
/// result has sorted indices whenever... always (entries of each new outer slice come in
/// increasing old-outer order); duplicates are kept. Same format: returns m unchanged.
SparseMatrix convert_format(const SparseMatrix& m, SparseFormat format);
/// The transpose as a reinterpretation: CSR of A is CSC of A^T with the same arrays (no copy).
SparseMatrix transpose(const SparseMatrix& m);

// ---- structure ----
bool has_sorted_indices(const SparseMatrix& m);
bool has_canonical_format(const SparseMatrix& m);  // sorted, no duplicates
bool has_explicit_zeros(const SparseMatrix& m);
/// Indices sorted within each outer slice (stable: duplicates keep their order); a copy.
SparseMatrix sort_indices(const SparseMatrix& m);
/// Canonical form: sorted indices with duplicates summed (sums that are zero are kept, as scipy).
SparseMatrix sum_duplicates(const SparseMatrix& m);
/// Stored zeros removed; order of the remaining entries kept (scipy's eliminate_zeros).
SparseMatrix remove_zeros(const SparseMatrix& m);
/// A copy with every array freshly allocated (data trimmed to nnz).
SparseMatrix deep_copy(const SparseMatrix& m);
/// The matrix with data cast to dtype (indices/indptr shared).
SparseMatrix astype(const SparseMatrix& m, DType dtype);

// ---- sampling ----
/// The dense values at the stored positions of `pattern`: out[k] = dense[row(k), col(k)]
/// (dense's dtype). The structured-gradient kernel (Theano's mul(sp_ones_like(x), gz)).
NDArray gather_dense(const SparseMatrix& pattern, const NDArray& dense);
/// The main diagonal (length min(rows, cols)), duplicates summed.
NDArray diagonal(const SparseMatrix& m);
/// For each stored entry of `pattern` (data order), the value of `values` at that position,
/// duplicates in `values` summed; values must have pattern's shape (any format). Theano's CSMGrad.
NDArray gather_sparse(const SparseMatrix& pattern, const SparseMatrix& values);

}  // namespace hypatia::sparse_kernels
