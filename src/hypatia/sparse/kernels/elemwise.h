// Elementwise sparse arithmetic kernels: sparse (op) sparse, sparse (op) dense, values mapped with a
// broadcast dense operand, and sums. Written once in outer/inner terms (see README.md).
#pragma once
#include "hypatia/value/sparse_view.h"

namespace hypatia::sparse_kernels {

/// Binary elementwise operations of the sparse arithmetic ops.
enum class SpBinary { Add, Sub, Mul, Eq, Ne, Lt, Gt, Le, Ge };

inline bool is_comparison(SpBinary op) { return op >= SpBinary::Eq; }

/// a (op) b for two sparse matrices of the same shape, scipy's csr_binop_csr: the union of the
/// patterns is visited, results equal to zero are dropped, and the result is canonical (sorted
/// indices, no duplicates) in a's format (b may be in either format; inputs may be unsorted or
/// hold duplicates/explicit zeros). Both operands are converted to `dtype` first; arithmetic ops
/// return `dtype`, comparisons bool. Eq/Le/Ge are computed as scipy does, as the complement of
/// Ne/Gt/Lt (so every position where they hold is stored, implicit zeros included). Arithmetic
/// ops check both operands' indices themselves, raising ValueError "[who] index ... out of
/// range" on a bad one; comparisons expect checked operands.
SparseMatrix binary_ss(const SparseMatrix& a, const SparseMatrix& b, SpBinary op, DType dtype, const char* who = "sparse");

/// The dense result of a (op) y where y is dense and broadcastable to a's shape (0-d, (N,),
/// (1,N), (M,1) or (M,N)), computed without densifying a: each element starts as op(0, y) and
/// the stored entries (duplicates summed) are then applied. Add/Sub return `dtype`;
/// comparisons compare in `dtype` and return bool. Sub is a - y.
NDArray binary_sd(const SparseMatrix& a, const NDArray& y, SpBinary op, DType dtype);

/// Value maps with a broadcast dense operand (same structure as a; explicit zeros kept).
enum class SpMap { Mul, Add };
/// data[k] = a[k] (op) y[row(k), col(k)], with y broadcastable to a's shape as in binary_sd;
/// computed in and returned as `dtype`. MulSD, MulSV, col/row scaling and StructuredAddSV.
SparseMatrix map_dense(const SparseMatrix& a, const NDArray& y, SpMap op, DType dtype);

/// Sum of the stored values (duplicates and explicit zeros included) in `dtype`: axis -1 gives a
/// 0-d array, axis 0 a vector of length cols, axis 1 a vector of length rows. Only the sum over
/// the outer axis reads the indices: it checks each before scattering by it ("[who] ...").
NDArray sum(const SparseMatrix& a, int axis, DType dtype, const char* who = "sp_sum");

/// m with indices and indptr of index dtype `idt` (m itself when they already are).
SparseMatrix with_index_dtype(const SparseMatrix& m, DType idt);

}  // namespace hypatia::sparse_kernels
