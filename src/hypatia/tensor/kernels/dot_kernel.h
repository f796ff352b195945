// Matrix/vector products over NDArrays: CBLAS for float32/float64, plain loops for other dtypes.
#pragma once
#include "hypatia/value/ndarray.h"

namespace hypatia::kernels {

/// out = a . b for 1-d/2-d a and b of out's dtype (matrix.matrix, matrix.vector, vector.matrix,
/// vector.vector). Shapes must already be checked; `out` is C-contiguous of the result shape.
void dot_kernel(const NDArray& a, const NDArray& b, NDArray& out);

/// out = alpha * a.b + beta * out for float32/float64 `out` (C-contiguous, holding the previous
/// value when beta != 0) and 1-d/2-d a, b of out's dtype: gemm, gemv or scaled dot. Transposed
/// (strided) operands go to CBLAS with CblasTrans, without copies.
void gemm_kernel(double alpha, const NDArray& a, const NDArray& b, double beta, NDArray& out);

/// out += alpha * outer(x, y) (cblas ?ger); out is a C-contiguous float32/float64 matrix.
void ger_kernel(double alpha, const NDArray& x, const NDArray& y, NDArray& out);

/// out[i] = a[i] . b[i] for every i along axis 0 (a, b of 2 or 3 dims; shapes checked);
/// OpenMP over the batch when it has many small products.
void batched_dot_kernel(const NDArray& a, const NDArray& b, NDArray& out);

}  // namespace hypatia::kernels
