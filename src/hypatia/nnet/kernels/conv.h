// Convolution kernels (forward, gradWeights, gradInputs) over im2col + OpenBLAS gemm, OpenMP over the batch.
#pragma once
#include <cstdint>

#include "hypatia/value/ndarray.h"

namespace hypatia::kernels {

/// The geometry of one N-d correlation (N <= 3), with 2-d convolutions stored as 3-d ones of
/// depth 1 so that one code path serves both. Spatial arrays run (depth, rows, columns).
/// out[b, g*Mg + m, o] = sum_{c < Cg, k} img[b, g*Cg + c, o*stride + k*dil - pad] * w[g*Mg + m, c, k]
/// (a cross-correlation: callers flip the filters for filter_flip), positions outside the
/// image reading zero.
struct ConvGeom {
  int64_t batch = 0, groups = 1;
  int64_t cin_g = 0, cout_g = 0;  // input and output channels per group
  int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, out[3] = {1, 1, 1};
  int64_t pad[3] = {0, 0, 0};  // leading pad; the trailing one follows from out
  int64_t stride[3] = {1, 1, 1}, dil[3] = {1, 1, 1};

  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t k_size() const { return k[0] * k[1] * k[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  /// 2 * batch * cout * out_size * cin_g * k_size: multiply-adds of one direction, counted twice.
  double flops() const;
};

/// out (B, M, out...) = correlation of img (B, C, in...) with w (M, Cg, k...). All three
/// C-contiguous and of one dtype (float32 or float64).
void conv_forward_kernel(const ConvGeom& g, const NDArray& img, const NDArray& w, NDArray& out);
/// dw (M, Cg, k...) = d<top, conv(img, w)>/dw: sum over the batch of top . im2col(img)^T.
void conv_grad_weights_kernel(const ConvGeom& g, const NDArray& img, const NDArray& top, NDArray& dw);
/// dimg (B, C, in...) = d<top, conv(img, w)>/dimg: col2im(w^T . top); positions no output
/// reads (a stride that skips them) get zero.
void conv_grad_inputs_kernel(const ConvGeom& g, const NDArray& w, const NDArray& top, NDArray& dimg);

/// A C-contiguous copy of w (M, C, spatial...) with its spatial axes reversed (filter_flip).
NDArray flip_filters(const NDArray& w, int spatial_dims);
/// w (G*Mg, Cg, spatial...) as (G*Cg, Mg, spatial...): the two channel axes swapped within each
/// group, the spatial axes reversed when `flip`. Turns a unit-stride gradInputs into a forward
/// correlation of topgrad.
NDArray swap_filter_channels(const NDArray& w, int64_t groups, bool flip, int spatial_dims);

}  // namespace hypatia::kernels
