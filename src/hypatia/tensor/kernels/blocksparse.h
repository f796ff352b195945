// Block-sparse GEMV/GER kernels over CBLAS, parallel with OpenMP.
#pragma once
#include "hypatia/value/ndarray.h"

namespace hypatia::kernels {

/// out[b, j] += sum_i h[b, i] . W[iIdx[b, i], oIdx[b, j]]. out and h C-contiguous of out's dtype
/// (float32/float64); W of that dtype with any strides (blocks with a unit stride in either of
/// the last two axes go to CBLAS uncopied); indices int64 C-contiguous and already in range.
void sparse_block_gemv_kernel(NDArray& out, const NDArray& W, const NDArray& h, const NDArray& iIdx,
                              const NDArray& oIdx);

/// out[xIdx[b, i], yIdx[b, j]] += alpha * outer(x[b, i], y[b, j]); out, x, y C-contiguous of one
/// float dtype, indices int64 in range. Parallel over distinct output block pairs (no races).
void sparse_block_outer_kernel(NDArray& out, const NDArray& x, const NDArray& y, const NDArray& xIdx,
                               const NDArray& yIdx, double alpha);

}  // namespace hypatia::kernels
