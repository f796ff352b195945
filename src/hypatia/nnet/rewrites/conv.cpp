// The convolution rewrites: local_conv_1x1_to_dot and local_conv_gradinputs_to_conv (specialize phase).
#include "hypatia/nnet/rewrites/conv.h"

#include "hypatia/nnet/conv.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {

using Result = std::optional<std::vector<Var>>;
const Tracks kConvOps{{"AbstractConv2d", "AbstractConv3d", "AbstractConv2d_gradInputs", "AbstractConv3d_gradInputs"},
                      {}};

// The filters' shape where known statically: the kshp hint, then broadcastable axes (size 1),
// then a constant's shape; -1 where unknown.
std::vector<int64_t> static_kshape(const Var& kern, const ConvParams& p) {
  const int n = int(p.convdim) + 2;
  std::vector<int64_t> s(n, -1);
  if (kern->is_constant())
    if (const auto* a = std::get_if<NDArray>(kern->constant.get()))
      for (int i = 0; i < n; ++i) s[i] = a->shape(i);
  const auto& bc = tensor_type(kern)->broadcastable();
  for (int i = 0; i < n; ++i) {
    if (s[i] < 0 && bc[i]) s[i] = 1;
    if (s[i] < 0 && !p.kshp.empty()) s[i] = p.kshp[i];
  }
  return s;
}

Var with_pattern(Var v, const Var& like) {
  const auto& want = tensor_type(like)->broadcastable();
  return tensor_type(v)->broadcastable() == want ? v : patternbroadcast(v, want);
}

Result conv_1x1_to_dot(Apply* node, const ConvParams& p) {
  if (p.num_groups != 1) return std::nullopt;
  const int D = int(p.convdim);
  const std::vector<int64_t> ks = static_kshape(node->input(1), p);
  for (int i = 0; i < D; ++i)
    if (ks[2 + i] != 1 || p.subsample[i] != 1 || p.pad_lo[i] != 0 || p.pad_hi[i] != 0) return std::nullopt;
  // Full and Half pad (k - 1) * dil and ((k - 1) * dil + 1) // 2: zero for k = 1.
  const Var& x = node->input(0);
  const Var& w = node->input(1);
  std::vector<int> to_front{1, 0};
  for (int i = 0; i < D; ++i) to_front.push_back(2 + i);
  Var w2 = reshape(w, std::vector<Var>{shape_i(w, 0), shape_i(w, 1)});
  Var x2 = reshape(dimshuffle(x, to_front), std::vector<Var>{shape_i(x, 1), int64_constant(-1)});
  std::vector<Var> shp{shape_i(w, 0), shape_i(x, 0)};
  for (int i = 0; i < D; ++i) shp.push_back(shape_i(x, 2 + i));
  Var y = dimshuffle(reshape(dot(w2, x2), shp), to_front);
  const DType d = tensor_type(node->output(0))->elem();
  if (tensor_type(y)->elem() != d) y = cast(y, d);
  return std::vector<Var>{with_pattern(y, node->output(0))};
}

Result gradinputs_to_conv(Apply* node, const ConvParams& p) {
  const int D = int(p.convdim);
  const Var& w = node->input(0);
  const std::vector<int64_t> ks = static_kshape(w, p);
  if (ks[0] < 0 || ks[1] < 0 || ks[0] / p.num_groups >= ks[1]) return std::nullopt;  // only when Mg < Cg
  ConvParams q = p;
  q.filter_flip = !p.filter_flip;
  q.imshp.clear(), q.kshp.clear();  // they describe the original forward conv
  bool all_known = true;
  for (int i = 0; i < D; ++i) {
    if (p.subsample[i] != 1) return std::nullopt;
    all_known = all_known && ks[2 + i] > 0;
  }
  if (p.border == ConvBorder::Full) {
    q.border = ConvBorder::Pads;  // dk - 1 - (dk - 1) = 0: 'valid'
  } else if (p.border == ConvBorder::Pads && !all_known) {
    for (int i = 0; i < D; ++i)
      if (p.pad_lo[i] != 0 || p.pad_hi[i] != 0) return std::nullopt;
    q.border = ConvBorder::Full;  // 'valid' -> 'full'
  } else {
    if (!all_known) return std::nullopt;
    q.border = ConvBorder::Pads;
    for (int i = 0; i < D; ++i) {
      const int64_t dk = (ks[2 + i] - 1) * p.dilation[i] + 1;
      int64_t lo = p.pad_lo[i], hi = p.pad_hi[i];
      if (p.border == ConvBorder::Half) lo = hi = dk / 2;
      if (lo > dk - 1 || hi > dk - 1) return std::nullopt;  // the padding crops more than the filter reaches
      q.pad_lo[i] = dk - 1 - lo, q.pad_hi[i] = dk - 1 - hi;
    }
  }
  // (G*Mg, Cg, k...) -> (G*Cg, Mg, k...): swap the channel axes within each group.
  Var ws;
  std::vector<int> swap{1, 0};
  for (int i = 0; i < D; ++i) swap.push_back(2 + i);
  if (p.num_groups == 1) {
    ws = dimshuffle(w, swap);
  } else {
    const int64_t G = p.num_groups;
    std::vector<Var> split{int64_constant(G), int_div(shape_i(w, 0), int64_constant(G)), shape_i(w, 1)};
    std::vector<int> perm{0, 2, 1};
    std::vector<Var> merged{mul(shape_i(w, 1), int64_constant(G)), int_div(shape_i(w, 0), int64_constant(G))};
    for (int i = 0; i < D; ++i) {
      split.push_back(shape_i(w, 2 + i));
      merged.push_back(shape_i(w, 2 + i));
      perm.push_back(3 + i);
    }
    ws = reshape(dimshuffle(reshape(w, split), perm), merged);
  }
  Var y = abstract_conv(node->input(1), ws, checked_conv_params(q, "local_conv_gradinputs_to_conv"));
  const DType d = tensor_type(node->output(0))->elem();
  if (tensor_type(y)->elem() != d) y = cast(y, d);
  return std::vector<Var>{with_pattern(y, node->output(0))};
}

NodeRewriterPtr local_conv_1x1_to_dot() {
  return make_node_rewriter("local_conv_1x1_to_dot", kConvOps, [](FunctionGraph&, Apply* node) -> Result {
    const ConvParams* p = conv_params_of(*node->op());
    if (!p || conv_dir(*node->op()) != ConvDir::Forward) return std::nullopt;
    return conv_1x1_to_dot(node, *p);
  });
}

NodeRewriterPtr local_conv_gradinputs_to_conv() {
  return make_node_rewriter("local_conv_gradinputs_to_conv", kConvOps, [](FunctionGraph&, Apply* node) -> Result {
    const ConvParams* p = conv_params_of(*node->op());
    if (!p || conv_dir(*node->op()) != ConvDir::GradInputs) return std::nullopt;
    return gradinputs_to_conv(node, *p);
  });
}

}  // namespace

std::vector<NodeRewriterPtr> conv_rewriters() { return {local_conv_1x1_to_dot(), local_conv_gradinputs_to_conv()}; }

void register_nnet_conv_specialize(RewriteDatabase& db) {
  // local_conv_1x1_to_dot is opt-in (mode.including("local_conv_1x1_to_dot")): the conv
  // kernel multiplies 1x1 filters in place (no im2col), faster than the dot's two transposes.
  db.register_rewrite("local_conv_1x1_to_dot", local_conv_1x1_to_dot(), {"nnet", "conv"});
  db.register_rewrite("local_conv_gradinputs_to_conv", local_conv_gradinputs_to_conv(), {"fast_run", "nnet", "conv"});
}

}  // namespace hypatia
