// Sliding-window ops (theano.tensor.nnet.neighbours): Images2Neibs and its adjoint
// Images2NeibsGrad, with the builders images2neibs and neibs2images.
#pragma once
#include <string>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// neib_shape (c, d) and neib_step (rows, columns; empty means neib_shape: disjoint patches) as
/// constants, and the mode: "valid", "ignore_borders", "wrap_centered", "half" or "full".
struct NeibsParams {
  std::vector<int64_t> neib_shape, neib_step;
  std::string mode = "valid";
  auto fields() const { return std::tie(neib_shape, neib_step, mode); }
};

/// Checks and completes the parameters: two positive values each, a known mode, odd
/// neib_shape for wrap_centered. ValueError "[Images2Neibs] ..." otherwise.
NeibsParams checked_neibs_params(NeibsParams p);

/// (N, C, H, W) images -> (N*C*gc*gd, c*d) patches, one row per patch in (n, channel, patch
/// row, patch column) order, each patch flattened row-major. Patch counts per mode as Theano:
/// valid needs (H - c) % step == 0 (half: (H - c%2), full: (H + c - 2)), ignore_borders drops the
/// rest, wrap_centered takes ceil(H / step) patches centred on the pixels and wraps around.
class Images2Neibs final : public OpBase<Images2Neibs, NeibsParams> {
  HYPATIA_OP(Images2Neibs, 1, make_node, perform, infer_shape, vjp, str)
};

/// The adjoint (gradient) of Images2Neibs: inputs (neibs, original 4-D shape), each patch entry
/// added back at the pixel it came from. With disjoint patches (step = shape) and a mode that
/// covers each pixel at most once, this is the inverse: Theano's neibs2images.
class Images2NeibsGrad final : public OpBase<Images2NeibsGrad, NeibsParams> {
  HYPATIA_OP(Images2NeibsGrad, 2, make_node, perform, infer_shape, vjp, connection_pattern, str)
};

// ---- builders (theano.tensor.nnet.neighbours) ----
/// Images2Neibs(neib_shape, neib_step, mode)(ten4).
Var images2neibs(const Var& ten4, const std::vector<int64_t>& neib_shape, const std::vector<int64_t>& neib_step = {},
                 const std::string& mode = "valid");
/// Images2NeibsGrad(neib_shape, neib_step, mode)(neibs, shape): the general adjoint.
Var images2neibs_grad(const Var& neibs, const Var& shape, const std::vector<int64_t>& neib_shape,
                      const std::vector<int64_t>& neib_step, const std::string& mode);
/// theano's neibs2images: the images whose disjoint patches (step = neib_shape) are `neibs`.
/// Modes "valid", "ignore_borders" (uncovered pixels are 0), "half" and "full" (each pixel in
/// one patch); "wrap_centered" repeats pixels, so it has no inverse: ValueError.
Var neibs2images(const Var& neibs, const std::vector<int64_t>& neib_shape, const Var& original_shape,
                 const std::string& mode = "valid");

}  // namespace hypatia
