// Pooling ops (theano.tensor.signal.pool): Pool, MaxPoolGrad, AveragePoolGrad and
// DownsampleFactorMaxGradGrad, with the builders pool_2d, pool_3d and max_pool_2d_same_size.
#pragma once
#include <string>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// The parameters every pooling op shares (Theano passes ws/stride/pad as inputs; here they
/// are compile-time constants, so the ops merge and print them). Pooling runs over the last
/// `ndim` (2 or 3) axes; any leading axes are independent planes. `mode` is "max", "sum",
/// "average_inc_pad" or "average_exc_pad".
struct PoolParams {
  int64_t ndim = 2;
  std::vector<int64_t> ws, stride, pad;
  bool ignore_border = false;
  std::string mode = "max";
  auto fields() const { return std::tie(ndim, ws, stride, pad, ignore_border, mode); }
};

/// Checks and completes pooling parameters: ndim 2 or 3, ws of ndim values >= 1, stride
/// (empty: ws) >= 1, pad (empty: zeros) with 0 <= pad < ws and only with ignore_border, a known
/// mode ("max_deterministic" reads as "max"). ValueError "[Pool] ..." otherwise.
PoolParams checked_pool_params(PoolParams p);

/// Pool over the last ndim axes of x (float32/float64, ndim >= params.ndim).
class Pool final : public OpBase<Pool, PoolParams> {
  HYPATIA_OP(Pool, 1, make_node, perform, infer_shape, vjp, jvp, str)
};

/// The gradient of max pooling: inputs (x, z = Pool(x), gz); gz flows to every pixel of a
/// window equal to the window's maximum. Its own gradient w.r.t. gz is
/// DownsampleFactorMaxGradGrad (x and z get zeros: it is piecewise constant in them).
class MaxPoolGrad final : public OpBase<MaxPoolGrad, PoolParams> {
  HYPATIA_OP(MaxPoolGrad, 3, make_node, perform, infer_shape, vjp, str)
};

/// The gradient of sum/average pooling: inputs (x, gz), x only for its shape; linear in gz,
/// so its gradient w.r.t. gz is Pool with the same mode.
class AveragePoolGrad final : public OpBase<AveragePoolGrad, PoolParams> {
  HYPATIA_OP(AveragePoolGrad, 2, make_node, perform, infer_shape, vjp, str)
};

/// Inputs (x, z = Pool(x), ggx): per window, the sum of ggx over the pixels equal to the
/// maximum. The adjoint of MaxPoolGrad in gz, and max pooling's R_op (jvp).
class DownsampleFactorMaxGradGrad final : public OpBase<DownsampleFactorMaxGradGrad, PoolParams> {
  HYPATIA_OP(DownsampleFactorMaxGradGrad, 3, make_node, perform, infer_shape, vjp, str)
};

// ---- builders (theano.tensor.signal.pool) ----
/// Pool(params)(x) after checked_pool_params.
Var pool(const Var& x, const PoolParams& params);
/// theano.tensor.signal.pool.pool_2d over the last two axes; empty stride means ws, empty pad
/// means zeros.
Var pool_2d(const Var& x, const std::vector<int64_t>& ws, bool ignore_border, const std::vector<int64_t>& stride = {},
            const std::vector<int64_t>& pad = {}, const std::string& mode = "max");
/// theano.tensor.signal.pool.pool_3d over the last three axes.
Var pool_3d(const Var& x, const std::vector<int64_t>& ws, bool ignore_border, const std::vector<int64_t>& stride = {},
            const std::vector<int64_t>& pad = {}, const std::string& mode = "max");
/// theano.tensor.signal.pool.max_pool_2d_same_size: x with every pixel that is not the maximum
/// of its (non-overlapping, ignore_border) patch set to zero: MaxPoolGrad(x, z, z).
Var max_pool_2d_same_size(const Var& x, const std::vector<int64_t>& patch_size);
/// The gradient ops on their own (Theano's MaxPoolGrad, AveragePoolGrad,
/// DownsampleFactorMaxGradGrad called directly).
Var max_pool_grad(const Var& x, const Var& z, const Var& gz, const PoolParams& params);
Var average_pool_grad(const Var& x, const Var& gz, const PoolParams& params);
Var max_pool_grad_grad(const Var& x, const Var& z, const Var& ggx, const PoolParams& params);

}  // namespace hypatia
