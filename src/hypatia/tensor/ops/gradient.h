// Gradient-modifying identities (theano.gradient): zero_grad, disconnected_grad, grad_clip,
// grad_scale, consider_constant. Each returns its input unchanged in the forward pass (a view)
// and changes only what flows backwards (vjp) and forwards in Rop (jvp).
#pragma once
#include "hypatia/graph/op.h"

namespace hypatia {

/// Base of the identity ops below: the output has the input's type and is a view of it.
template <class Derived, class Params>
class GradIdentityOp : public hypatia::OpBase<Derived, Params> {
 public:
  using hypatia::OpBase<Derived, Params>::OpBase;
  /// Lets HYPATIA_OP's `using OpBase::OpBase` in the ops below inherit this class's constructors.
  using OpBase = GradIdentityOp;
  HYPATIA_OP_METHODS(make_node, perform, infer_shape)
  ViewMap view_map() const override { return {{0, {0}}}; }
};

/// Backward: zeros like the output gradient. Rop: zeros.
class ZeroGradOp final : public GradIdentityOp<ZeroGradOp, NoParams> {
  HYPATIA_OP(ZeroGrad, 1, vjp, jvp)
};

/// Backward: disconnected (connection_pattern [[false]]), so grad stops here. Rop: no direction.
class DisconnectedGradOp final : public GradIdentityOp<DisconnectedGradOp, NoParams> {
  HYPATIA_OP(DisconnectedGrad, 1, vjp, jvp)
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override { return {{false}}; }
};

/// Deprecated Theano op kept for compatibility: behaves as ZeroGradOp.
class ConsiderConstantOp final : public GradIdentityOp<ConsiderConstantOp, NoParams> {
  HYPATIA_OP(ConsiderConstant, 1, vjp, jvp)
};

struct GradClipParams {
  double lower = 0, upper = 0;
  auto fields() const { return std::tie(lower, upper); }
};
/// Backward: the output gradient clipped elementwise to [lower, upper]. Rop: identity.
class GradClipOp final : public GradIdentityOp<GradClipOp, GradClipParams> {
  HYPATIA_OP(GradClip, 1, str, vjp, jvp)
};

struct GradScaleParams {
  double multiplier = 1;
  auto fields() const { return std::tie(multiplier); }
};
/// Backward: the output gradient times `multiplier`. Rop: identity.
class GradScaleOp final : public GradIdentityOp<GradScaleOp, GradScaleParams> {
  HYPATIA_OP(GradScale, 1, str, vjp, jvp)
};

struct ClipParams {
  double lower = 0, upper = 0;
  auto fields() const { return std::tie(lower, upper); }
};
/// Elementwise clip of a dense tensor to [lower, upper] with constant bounds (used by
/// GradClipOp's gradient). Gradient: g where lower <= x <= upper, else 0.
class ClipConstOp final : public OpBase<ClipConstOp, ClipParams> {
  HYPATIA_OP(ClipConst, 1, str, make_node, perform, infer_shape, vjp, jvp)
};

/// theano.gradient.zero_grad: x in the forward pass; its gradient is zero (the graph below x
/// is still walked, so inputs stay connected).
Var zero_grad(const Var& x);
/// theano.gradient.disconnected_grad: x in the forward pass; nothing is back-propagated
/// through it, and inputs reached only through it are disconnected.
Var disconnected_grad(const Var& x);
/// theano.gradient.grad_clip: x in the forward pass; the gradient through it is clipped to
/// [lower_bound, upper_bound]. Raises ValueError when lower_bound > upper_bound.
Var grad_clip(const Var& x, double lower_bound, double upper_bound);
/// theano.gradient.grad_scale: x in the forward pass; the gradient through it is scaled.
Var grad_scale(const Var& x, double multiplier);
/// theano.gradient.consider_constant (deprecated in Theano): as zero_grad.
Var consider_constant(const Var& x);
/// Elementwise clip with constant bounds (a dense tensor op).
Var clip_const(const Var& x, double lower, double upper);

}  // namespace hypatia
