// Pooling kernels (Theano's signal.pool): forward, max/average gradients and the max gradient's
// adjoint, over C-contiguous float32/float64 arrays viewed as (planes, d0, d1, d2).
#pragma once
#include <cstdint>

#include "hypatia/value/ndarray.h"

namespace hypatia::kernels {

/// What each pooling window computes (Theano's Pool modes).
enum class PoolMode { Max, Sum, AverageIncPad, AverageExcPad };

/// The geometry of one pooling: every array is viewed as `planes` independent images of
/// in[0] x in[1] x in[2] pixels pooled to out[0] x out[1] x out[2]. 2-D pooling uses a leading
/// spatial axis of length 1 (ws 1, stride 1, pad 0). Window o along axis k covers padded
/// positions [o*stride, min(o*stride + ws, in + 2*pad)); pixels outside the image are padding.
struct PoolGeom {
  int64_t planes = 0;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1};
  int64_t ws[3] = {1, 1, 1}, stride[3] = {1, 1, 1}, pad[3] = {0, 0, 0};
  PoolMode mode = PoolMode::Max;
};

/// The number of windows along one axis (Theano's Pool.out_shape): with ignore_border only
/// whole windows, else partial windows at the end too.
int64_t pool_out_len(int64_t len, int64_t ws, int64_t stride, int64_t pad, bool ignore_border);

/// z[p, o] = max / sum / mean over window o of x[p]. Max and sum skip padding; average_inc_pad
/// divides by the window's size with its padding, average_exc_pad by its pixels in the image.
/// An empty window gives 0. Parallel over planes; no allocation.
void pool_forward(const NDArray& x, NDArray& z, const PoolGeom& g);

/// gx = the gradient of max pooling: gz[o] added to every pixel of window o equal to z[o].
void max_pool_grad(const NDArray& x, const NDArray& z, const NDArray& gz, NDArray& gx, const PoolGeom& g);

/// gx = the gradient of sum/average pooling: gz[o] / (window o's divisor) added to its pixels.
void average_pool_grad(const NDArray& gz, NDArray& gx, const PoolGeom& g);

/// ggz[o] = sum of ggx over the pixels of window o equal to z[o]: the adjoint of max_pool_grad
/// in gz (Theano's DownsampleFactorMaxGradGrad), which is also max pooling's R_op.
void max_pool_grad_grad(const NDArray& x, const NDArray& z, const NDArray& ggx, NDArray& ggz, const PoolGeom& g);

}  // namespace hypatia::kernels
