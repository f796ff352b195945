// Matrix/vector products over NDArrays: CBLAS for float32/float64, plain loops for other dtypes.
#pragma once
#include "hypatia/runtime/ndarray.h"

namespace hypatia::kernels {

/// out = a . b for 1-d/2-d a and b of out's dtype (matrix.matrix, matrix.vector, vector.matrix,
/// vector.vector). Shapes must already be checked; `out` is C-contiguous of the result shape.
void dot_kernel(const NDArray& a, const NDArray& b, NDArray& out);

}  // namespace hypatia::kernels
