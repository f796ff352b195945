// Sparse products: sparse x dense (SpMV/SpMM), dense x sparse, sparse x sparse (Gustavson) and
// sampled dense-dense products (SDDMM). Written once in outer/inner terms (README.md) for both
// formats; every value dtype; int32/int64 indices; unsorted indices, duplicates, explicit zeros.
#pragma once
#include "hypatia/value/sparse_view.h"

namespace hypatia::sparse_kernels {

/// The matrix with its stored values cast to `dtype` (the structure arrays are shared, no copy;
/// m itself when it already has that dtype).
SparseMatrix with_dtype(const SparseMatrix& m, DType dtype);

/// out (+)= alpha * a . b (alpha: a size-1 array, read as a's dtype; null for 1) for a sparse (m x k) and a dense b: a matrix (k x n) or a vector (k),
/// any strides. `out` must be a C-contiguous array of shape (m, n) or (m) and of a's dtype, which
/// b must share too (callers cast first). Without `accumulate`, out is overwritten.
/// CSR: parallel over output rows. CSC (a scatter): parallel over blocks of output columns when
/// there are enough of them, else over per-thread partial outputs that are then summed by rows.
/// Every stored index of a is checked before the row of b (or out) it names is touched, fused
/// into the kernel's pass where it can be (the function boundary leaves that check to it): a bad
/// one raises ValueError "[who] index ... out of range", with out partly written.
void spmm(const SparseMatrix& a, const NDArray& b, NDArray& out, bool accumulate = false,
          const NDArray* alpha = nullptr, const char* who = "structured_dot");

/// out = x . b for a dense x (m x k matrix or k vector, any strides) and a sparse b (k x n);
/// out is C-contiguous (m, n) or (n), x's and b's dtype. Parallel over the rows of x (each
/// writes its own output row), or over the outer slices of b when x is a vector and b is CSC.
void dense_spmm(const NDArray& x, const SparseMatrix& b, NDArray& out);

/// How spgemm builds its result. One: a single numeric pass into an output sized by the products
/// (each row's upper bound), rows written as they finish. Two: a symbolic pass first sizes each
/// row exactly. Auto takes One when the products number at most eight per stored entry of the
/// operands, or when rows sampled in proportion to their products say the result would fill at
/// least half of a products-sized output; else Two (columns repeating many times over would
/// reserve far more than the result holds). Either way, a result that fills less than half its
/// arrays is copied into arrays of its size.
enum class SpgemmPasses { Auto, One, Two };

/// The sparse product a . b (Gustavson's rows; spgemm.cpp), in a's format; b is converted to a's
/// format when needed; a and b must share a dtype. A row of up to 256 products is built by
/// expand-sort-combine in L1, a longer one with a dense accumulator per thread. Indices of the
/// result are sorted; sums that are exactly zero are dropped (as scipy); a column's products are
/// summed in the order of a's entries, then b's, so every path and thread count gives the same
/// bits. `passes` and `blocks` (row blocks of the writing pass, 0: one per thread; the
/// threads take them in turn) are for tests and benchmarks.
SparseMatrix spgemm(const SparseMatrix& a, const SparseMatrix& b, SpgemmPasses passes = SpgemmPasses::Auto,
                    int blocks = 0);
/// The passes spgemm's Auto takes for a . b (One or Two), for tests and benchmarks: the choice
/// changes the time and the room a product takes, never its result.
SpgemmPasses spgemm_auto_passes(const SparseMatrix& a, const SparseMatrix& b);

/// Sampled dense-dense product: for each stored entry k of `pattern` at (i, j),
/// out[k] = dot(x[i, :], y[j, :]) (times pattern's value when scale_by_pattern). x is (rows x K),
/// y (cols x K), any strides; a vector x or y is read as a K = 1 matrix (x[i] * y[j]). All of
/// out's dtype (callers cast). Returns the data array (length nnz, pattern's data order).
/// pattern's indices are checked as spmm's are (ValueError "[who] ...").
NDArray sddmm(const SparseMatrix& pattern, const NDArray& x, const NDArray& y, bool scale_by_pattern, DType dtype,
              const char* who = "sampling_dot");
/// sddmm into a caller's C-contiguous array `out` of `dtype` and length pattern.nnz() (an op's
/// output buffer kept from the previous call, see prepare_output), instead of a fresh one.
void sddmm_into(const SparseMatrix& pattern, const NDArray& x, const NDArray& y, bool scale_by_pattern, DType dtype,
                NDArray& out, const char* who = "sampling_dot");

}  // namespace hypatia::sparse_kernels
