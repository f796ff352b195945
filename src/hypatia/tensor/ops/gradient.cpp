// Gradient-modifying identity ops (theano.gradient: zero_grad, disconnected_grad, grad_clip, ...) and ClipConst.
#include "hypatia/tensor/ops/gradient.h"

#include <algorithm>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

template <class Derived, class Params>
ApplyPtr GradIdentityOp<Derived, Params>::make_node_checked(const std::vector<Var>& inputs) const {
  if (!inputs[0]) type_error("[", this->name(), "] expected an input variable, got none");
  return Apply::create(this->ptr(), inputs, {inputs[0].type()});
}

template <class Derived, class Params>
void GradIdentityOp<Derived, Params>::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = *inputs[0];  // a view: shares the input's buffer (declared in view_map)
}

template <class Derived, class Params>
std::optional<std::vector<ShapeVec>> GradIdentityOp<Derived, Params>::infer_shape(
    const Apply&, const std::vector<ShapeVec>& input_shapes) const {
  return std::vector<ShapeVec>{input_shapes[0]};
}

template class GradIdentityOp<ZeroGradOp, NoParams>;
template class GradIdentityOp<DisconnectedGradOp, NoParams>;
template class GradIdentityOp<ConsiderConstantOp, NoParams>;
template class GradIdentityOp<GradClipOp, GradClipParams>;
template class GradIdentityOp<GradScaleOp, GradScaleParams>;

namespace {
Var zeros_for(const Var& g, const Var& x) { return is_disconnected(g) || !g ? zeros_like(x) : zeros_like(g); }
}  // namespace

// ---- ZeroGrad ----
std::vector<Var> ZeroGradOp::vjp(const Apply& node, const std::vector<Var>& g) const {
  return {zeros_for(g[0], node.input(0))};
}
std::vector<Var> ZeroGradOp::jvp(const Apply& node, const std::vector<Var>& ep) const {
  return {zeros_for(ep[0], node.input(0))};
}

// ---- DisconnectedGrad ----
std::vector<Var> DisconnectedGradOp::vjp(const Apply&, const std::vector<Var>&) const { return {disconnected_var()}; }
std::vector<Var> DisconnectedGradOp::jvp(const Apply&, const std::vector<Var>&) const { return {Var()}; }

// ---- ConsiderConstant ----
std::vector<Var> ConsiderConstantOp::vjp(const Apply& node, const std::vector<Var>& g) const {
  return {zeros_for(g[0], node.input(0))};
}
std::vector<Var> ConsiderConstantOp::jvp(const Apply& node, const std::vector<Var>& ep) const {
  return {zeros_for(ep[0], node.input(0))};
}

// ---- GradClip ----
std::string GradClipOp::str() const { return str_cat("GradClip{", params_.lower, ", ", params_.upper, "}"); }
std::vector<Var> GradClipOp::vjp(const Apply&, const std::vector<Var>& g) const {
  if (is_disconnected(g[0])) return {disconnected_var()};
  return {clip_const(g[0], params_.lower, params_.upper)};
}
std::vector<Var> GradClipOp::jvp(const Apply&, const std::vector<Var>& ep) const { return {ep[0]}; }

// ---- GradScale ----
std::string GradScaleOp::str() const { return str_cat("GradScale{", params_.multiplier, "}"); }
std::vector<Var> GradScaleOp::vjp(const Apply&, const std::vector<Var>& g) const {
  if (is_disconnected(g[0])) return {disconnected_var()};
  Var m = constant(NDArray::full(*g[0].type()->dtype(), {}, params_.multiplier));
  return {mul(g[0], m)};
}
std::vector<Var> GradScaleOp::jvp(const Apply&, const std::vector<Var>& ep) const { return {ep[0]}; }

// ---- ClipConst ----
std::string ClipConstOp::str() const { return str_cat("ClipConst{", params_.lower, ", ", params_.upper, "}"); }

ApplyPtr ClipConstOp::make_node_checked(const std::vector<Var>& inputs) const {
  if (!inputs[0]) type_error("[", kName, "] expected an input variable, got none");
  const TensorType& t = expect_tensor(inputs[0], kName);
  if (is_complex(t.elem())) type_error("[", kName, "] complex inputs cannot be clipped (", t.str(), ")");
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void ClipConstOp::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  NDArray& out = prepare_output(outputs[0], x.dtype(), x.shape());
  out.assign(x);
  const int64_t n = out.size();
  dispatch_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, complex64> || std::is_same_v<T, complex128>) {
      type_error("[", kName, "] complex inputs cannot be clipped");
    } else if constexpr (std::is_same_v<T, bool>) {
      // nothing sensible to clip
    } else {
      T* p = out.data<T>();
      const double lo = params_.lower, hi = params_.upper;
      for (int64_t i = 0; i < n; ++i) {
        double v = static_cast<double>(p[i]);
        if (v < lo) p[i] = static_cast<T>(lo);
        else if (v > hi) p[i] = static_cast<T>(hi);
      }
    }
  });
}

std::optional<std::vector<ShapeVec>> ClipConstOp::infer_shape(const Apply&,
                                                              const std::vector<ShapeVec>& input_shapes) const {
  return std::vector<ShapeVec>{input_shapes[0]};
}

std::vector<Var> ClipConstOp::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (is_disconnected(g[0])) return {disconnected_var()};
  const Var& x = node.input(0);
  DType d = *g[0].type()->dtype();
  Var lo = constant(NDArray::full(*x.type()->dtype(), {}, params_.lower));
  Var hi = constant(NDArray::full(*x.type()->dtype(), {}, params_.upper));
  Var mask = mul(cast(ge(x, lo), d), cast(le(x, hi), d));
  return {mul(g[0], mask)};
}

std::vector<Var> ClipConstOp::jvp(const Apply& node, const std::vector<Var>& ep) const {
  if (!ep[0]) return {Var()};
  const Var& x = node.input(0);
  DType d = *ep[0].type()->dtype();
  Var lo = constant(NDArray::full(*x.type()->dtype(), {}, params_.lower));
  Var hi = constant(NDArray::full(*x.type()->dtype(), {}, params_.upper));
  return {mul(ep[0], mul(cast(ge(x, lo), d), cast(le(x, hi), d)))};
}

// ---- public helpers ----
Var zero_grad(const Var& x) {
  return apply1(*std::make_shared<ZeroGradOp>(), {x});
}
Var disconnected_grad(const Var& x) { return apply1(*std::make_shared<DisconnectedGradOp>(), {x}); }
Var consider_constant(const Var& x) { return apply1(*std::make_shared<ConsiderConstantOp>(), {x}); }
Var grad_clip(const Var& x, double lower_bound, double upper_bound) {
  if (lower_bound > upper_bound)
    value_error("[grad_clip] lower_bound (", lower_bound, ") must be <= upper_bound (", upper_bound, ")");
  return apply1(*std::make_shared<GradClipOp>(GradClipParams{lower_bound, upper_bound}), {x});
}
Var grad_scale(const Var& x, double multiplier) {
  return apply1(*std::make_shared<GradScaleOp>(GradScaleParams{multiplier}), {x});
}
Var clip_const(const Var& x, double lower, double upper) {
  return apply1(*std::make_shared<ClipConstOp>(ClipParams{lower, upper}), {x});
}

}  // namespace hypatia
