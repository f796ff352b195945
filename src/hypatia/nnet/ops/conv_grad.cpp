// The abstract conv ops' gradients (each direction's vjp builds the other two ops), R_op, and the builders.
#include <memory>

#include "hypatia/nnet/conv.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {

namespace conv_impl {  // defined in ops/conv.cpp
ApplyPtr make_node(const Op& op, const ConvParams& p, ConvDir dir, const std::vector<Var>& in);
void perform(const ConvParams& p, ConvDir dir, const char* op, const Apply& node, const Value* const* inputs,
             Value* outputs);
std::optional<std::vector<ShapeVec>> infer_shape(const ConvParams& p, ConvDir dir, const Apply& node,
                                                 const std::vector<ShapeVec>& s);
std::string str(const char* name, const ConvParams& p);
}  // namespace conv_impl

namespace {

// The spatial sizes of x (a convdim-vector).
Var spatial_shape(const Var& x, const ConvParams& p) {
  std::vector<Var> s;
  for (int i = 0; i < p.convdim; ++i) s.push_back(shape_i(x, int(2 + i)));
  return make_vector(s);
}

// g with x's dtype and broadcast pattern (the gradient ops' own patterns can be narrower).
Var like(const Var& g, const Var& x) {
  const TensorType* tx = tensor_type(x);
  Var r = tensor_type(g)->elem() == tx->elem() ? g : cast(g, tx->elem());
  if (tensor_type(r)->broadcastable() != tx->broadcastable()) r = patternbroadcast(r, tx->broadcastable());
  return r;
}

Var sum_opt(const Var& a, const Var& b) { return !a ? b : (!b ? a : add(a, b)); }

std::vector<Var> vjp(const ConvParams& p, ConvDir dir, const Apply& node, const std::vector<Var>& g) {
  const Var& go = g[0];
  const int n = node.nin();
  if (!go || is_disconnected(go)) return std::vector<Var>(n, disconnected_var());
  const Var& a = node.input(0);
  const Var& b = node.input(1);
  if (dir == ConvDir::Forward) {  // (img, kern)
    Var gi = abstract_conv_grad_inputs(b, go, spatial_shape(a, p), p);
    Var gk = abstract_conv_grad_weights(a, go, spatial_shape(b, p), p);
    return {like(gi, a), like(gk, b)};
  }
  if (dir == ConvDir::GradWeights) {  // (img, top, kshape) -> W; <gW, W> = <top, conv(img, gW)>
    Var gi = abstract_conv_grad_inputs(go, b, spatial_shape(a, p), p);
    Var gt = abstract_conv(a, go, p);
    return {like(gi, a), like(gt, b), disconnected_var()};
  }
  // (kern, top, ishape) -> I; <gI, I> = <top, conv(gI, kern)>
  Var gk = abstract_conv_grad_weights(go, b, spatial_shape(a, p), p);
  Var gt = abstract_conv(go, a, p);
  return {like(gk, a), like(gt, b), disconnected_var()};
}

std::vector<Var> jvp(const ConvParams& p, ConvDir dir, const Apply& node, const std::vector<Var>& ev) {
  const Var& a = node.input(0);
  const Var& b = node.input(1);
  Var ea = ev.size() > 0 ? ev[0] : Var(), eb = ev.size() > 1 ? ev[1] : Var();
  Var r;
  if (dir == ConvDir::Forward) {
    r = sum_opt(ea ? abstract_conv(ea, b, p) : Var(), eb ? abstract_conv(a, eb, p) : Var());
  } else if (dir == ConvDir::GradWeights) {
    const Var& s = node.input(2);
    r = sum_opt(ea ? abstract_conv_grad_weights(ea, b, s, p) : Var(), eb ? abstract_conv_grad_weights(a, eb, s, p) : Var());
  } else {
    const Var& s = node.input(2);
    r = sum_opt(ea ? abstract_conv_grad_inputs(ea, b, s, p) : Var(), eb ? abstract_conv_grad_inputs(a, eb, s, p) : Var());
  }
  if (!r) return {Var()};
  const DType d = tensor_type(node.output(0))->elem();
  return {tensor_type(r)->elem() == d ? r : cast(r, d)};
}

std::vector<std::vector<bool>> connections(ConvDir dir) {
  if (dir == ConvDir::Forward) return {{true}, {true}};
  return {{true}, {true}, {false}};
}

}  // namespace

// Each class forwards to the shared implementation with its direction.
#define HYPATIA_CONV_METHODS(NAME, DIR)                                                                        \
  ApplyPtr NAME::make_node_checked(const std::vector<Var>& in) const {                                        \
    return conv_impl::make_node(*this, params_, DIR, in);                                                     \
  }                                                                                                           \
  void NAME::perform(const Apply& node, const Value* const* in, Value* out) const {                           \
    conv_impl::perform(params_, DIR, kName, node, in, out);                                                   \
  }                                                                                                           \
  std::optional<std::vector<ShapeVec>> NAME::infer_shape(const Apply& node, const std::vector<ShapeVec>& s)   \
      const {                                                                                                 \
    return conv_impl::infer_shape(params_, DIR, node, s);                                                     \
  }                                                                                                           \
  std::vector<Var> NAME::vjp(const Apply& node, const std::vector<Var>& g) const {                           \
    return hypatia::vjp(params_, DIR, node, g);                                                               \
  }                                                                                                           \
  std::vector<Var> NAME::jvp(const Apply& node, const std::vector<Var>& ev) const {                          \
    return hypatia::jvp(params_, DIR, node, ev);                                                              \
  }                                                                                                           \
  std::vector<std::vector<bool>> NAME::connection_pattern(const Apply&) const { return connections(DIR); }    \
  std::string NAME::str() const { return conv_impl::str(kName, params_); }

HYPATIA_CONV_METHODS(AbstractConv2d, ConvDir::Forward)
HYPATIA_CONV_METHODS(AbstractConv2d_gradWeights, ConvDir::GradWeights)
HYPATIA_CONV_METHODS(AbstractConv2d_gradInputs, ConvDir::GradInputs)
HYPATIA_CONV_METHODS(AbstractConv3d, ConvDir::Forward)
HYPATIA_CONV_METHODS(AbstractConv3d_gradWeights, ConvDir::GradWeights)
HYPATIA_CONV_METHODS(AbstractConv3d_gradInputs, ConvDir::GradInputs)
#undef HYPATIA_CONV_METHODS

std::optional<ConvDir> conv_dir(const Op& op) {
  const Op* o = &op;
  if (dynamic_cast<const AbstractConv2d*>(o) || dynamic_cast<const AbstractConv3d*>(o)) return ConvDir::Forward;
  if (dynamic_cast<const AbstractConv2d_gradWeights*>(o) || dynamic_cast<const AbstractConv3d_gradWeights*>(o))
    return ConvDir::GradWeights;
  if (dynamic_cast<const AbstractConv2d_gradInputs*>(o) || dynamic_cast<const AbstractConv3d_gradInputs*>(o))
    return ConvDir::GradInputs;
  return std::nullopt;
}

const ConvParams* conv_params_of(const Op& op) {
  const Op* o = &op;
  if (auto* c = dynamic_cast<const AbstractConv2d*>(o)) return &c->params();
  if (auto* c = dynamic_cast<const AbstractConv2d_gradWeights*>(o)) return &c->params();
  if (auto* c = dynamic_cast<const AbstractConv2d_gradInputs*>(o)) return &c->params();
  if (auto* c = dynamic_cast<const AbstractConv3d*>(o)) return &c->params();
  if (auto* c = dynamic_cast<const AbstractConv3d_gradWeights*>(o)) return &c->params();
  if (auto* c = dynamic_cast<const AbstractConv3d_gradInputs*>(o)) return &c->params();
  return nullptr;
}

// ---------------------------------------------------------------- builders

ConvParams make_conv_params(int convdim, const std::string& border, std::vector<int64_t> pad_lo,
                            std::vector<int64_t> pad_hi, std::vector<int64_t> subsample, std::vector<int64_t> dilation,
                            bool filter_flip, int64_t num_groups, std::vector<int64_t> imshp, std::vector<int64_t> kshp) {
  const char* op = convdim == 3 ? "AbstractConv3d" : "AbstractConv2d";
  ConvParams p;
  p.convdim = convdim;
  if (border == "full") p.border = ConvBorder::Full;
  else if (border == "half" || border == "same") p.border = ConvBorder::Half;
  else if (border == "valid") p.border = ConvBorder::Pads;
  else if (border.empty()) p.border = ConvBorder::Pads, p.pad_lo = std::move(pad_lo), p.pad_hi = std::move(pad_hi);
  else value_error("[", op, "] border_mode must be 'valid', 'full', 'half', an int or a tuple of pads, got '", border, "'");
  p.subsample = std::move(subsample);
  p.dilation = std::move(dilation);
  p.filter_flip = filter_flip;
  p.num_groups = num_groups;
  p.imshp = std::move(imshp);
  p.kshp = std::move(kshp);
  return checked_conv_params(std::move(p), op);
}

Var abstract_conv(const Var& img, const Var& kern, const ConvParams& p) {
  if (p.convdim == 3) return apply1(*std::make_shared<AbstractConv3d>(p), {img, kern});
  return apply1(*std::make_shared<AbstractConv2d>(p), {img, kern});
}

Var abstract_conv_grad_weights(const Var& img, const Var& topgrad, const Var& kshape, const ConvParams& p) {
  if (p.convdim == 3) return apply1(*std::make_shared<AbstractConv3d_gradWeights>(p), {img, topgrad, kshape});
  return apply1(*std::make_shared<AbstractConv2d_gradWeights>(p), {img, topgrad, kshape});
}

Var abstract_conv_grad_inputs(const Var& kern, const Var& topgrad, const Var& ishape, const ConvParams& p) {
  if (p.convdim == 3) return apply1(*std::make_shared<AbstractConv3d_gradInputs>(p), {kern, topgrad, ishape});
  return apply1(*std::make_shared<AbstractConv2d_gradInputs>(p), {kern, topgrad, ishape});
}

}  // namespace hypatia
