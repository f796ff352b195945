// Stabilize rewrites of 1-hot softmax losses: -log(softmax(x))[arange(n), y] (and the form
// indexing before the log, with softmax(x + b) too) becomes CrossentropySoftmaxArgmax1HotWithBias,
// and the gradient graphs built for them become CrossentropySoftmax1HotWithBiasDx or the
// cancelled SoftmaxGrad form, so that values and gradients stay finite for any finite logits.
#include "hypatia/nnet/rewrites/losses.h"

#include <unordered_set>

#include "hypatia/nnet/ops/losses.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/advanced_subtensor.h"
#include "hypatia/tensor/ops/creation.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/nnet.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/value/ndarray.h"

namespace hypatia {
namespace {

using Result = std::optional<std::vector<Var>>;

template <class T>
const T* op_of(const Var& v) {
  if (!v || !v.owner()) return nullptr;
  return dynamic_cast<const T*>(v.owner()->op().get());
}
Var in(const Var& v, int i) { return v.owner()->input(i); }
std::optional<ScalarOpId> scalar_of(const Var& v) {
  const auto* e = op_of<Elemwise>(v);
  return e ? std::optional<ScalarOpId>(e->scalar_op()) : std::nullopt;
}

/// v without DimShuffles that only add broadcastable axes in front ({x,0}, {x,x,0,1}).
Var unpad(Var v) {
  while (const auto* ds = op_of<DimShuffle>(v)) {
    const auto& order = ds->params().new_order;
    size_t k = 0;
    while (k < order.size() && order[k] < 0) ++k;
    bool pad = true;
    for (size_t i = k; i < order.size(); ++i) pad = pad && order[i] == static_cast<int>(i - k);
    if (!pad || static_cast<int>(order.size() - k) != in(v, 0).type()->ndim()) break;
    v = in(v, 0);
  }
  return v;
}

/// The scalar value of a constant (through DimShuffles), if it is one with a single value.
std::optional<double> constant_scalar(Var v) {
  while (op_of<DimShuffle>(v)) v = in(v, 0);
  if (!v || !v->is_constant()) return std::nullopt;
  const auto* a = std::get_if<NDArray>(v->constant.get());
  if (!a || a->size() == 0 || is_complex(a->dtype())) return std::nullopt;
  NDArray d = a->astype(DType::Float64);
  for (int64_t i = 1; i < d.size(); ++i)
    if (d.data<double>()[i] != d.data<double>()[0]) return std::nullopt;
  return d.data<double>()[0];
}

/// Whether v is all zeros: a zero constant, Alloc of one, or fill/second(model, 0).
bool is_zeros(const Var& v) {
  if (auto c = constant_scalar(v)) return *c == 0;
  if (v.owner() && v.owner()->op()->name() == "Alloc") return is_zeros(in(v, 0));
  if (scalar_of(v) == ScalarOpId::Second) return is_zeros(in(v, 1));
  if (scalar_of(v) && v.owner()->nin() == 1 && v.owner()->op()->str().rfind("Elemwise{Cast{", 0) == 0)
    return is_zeros(in(v, 0));
  return false;
}

/// The variable whose axis-0 length the int scalar `n` is, read through Shape_i{0},
/// Subtensor{0}(Shape(v)) and Subtensor{0}(MakeVector(...)) (canonicalize's form of the
/// shape of a vector), or null.
Var length_of(Var n, int depth = 0) {
  if (!n || !n.owner() || depth > 8) return Var();
  const std::string s = n.owner()->op()->str();
  if (s == "Shape_i{0}") return in(n, 0);
  if (s == "Subtensor{0}") {
    Var src = in(n, 0);
    while (src.owner() && src.owner()->op()->name() == "Rebroadcast") src = in(src, 0);
    if (!src.owner()) return Var();
    if (src.owner()->op()->name() == "Shape") return in(src, 0);
    if (src.owner()->op()->name() == "MakeVector" && src.owner()->nin() > 0) return length_of(in(src, 0), depth + 1);
  }
  return Var();
}

/// Whether two variables are the same, or the same op over the same inputs.
bool same(const Var& a, const Var& b, int depth = 6) {
  if (a == b) return true;
  if (!a || !b || depth == 0 || !a.owner() || !b.owner() || a->index != b->index) return false;
  Apply* p = a.owner();
  Apply* q = b.owner();
  if (p->nin() != q->nin() || !p->op()->equals(*q->op())) return false;
  for (int i = 0; i < p->nin(); ++i)
    if (!same(p->input(i), q->input(i), depth - 1)) return false;
  return true;
}

/// The logits (x, b) of a softmax input z: z = x + b for b a vector broadcast over the rows
/// (either order), else (z, zeros).
std::pair<Var, Var> logits_and_bias(const Var& z) {
  if (scalar_of(z) == ScalarOpId::Add && z.owner()->nin() == 2) {
    for (int i = 0; i < 2; ++i) {
      const Var b = unpad(in(z, 1 - i));
      const Var x = in(z, i);
      if (tensor_type(b)->ndim() == 1 && tensor_type(x)->ndim() == 2 && is_float(tensor_type(b)->elem()) &&
          tensor_type(x)->elem() == tensor_type(z)->elem() && tensor_type(b)->elem() == tensor_type(z)->elem())
        return {x, b};
    }
  }
  return {z, alloc(cast(constant(0.0), tensor_type(z)->elem()), {shape_i(z, 1)})};
}

/// The (x, b) of a softmax-of-logits variable: Softmax(z) or SoftmaxWithBias(x, b).
std::optional<std::pair<Var, Var>> softmax_logits(const Var& sm) {
  if (const Softmax* s = softmax_op_of(sm); s && !s->is_log() && tensor_type(sm)->ndim() == 2)
    return logits_and_bias(in(sm, 0));
  if (op_of<SoftmaxWithBias>(sm)) return std::pair{in(sm, 0), in(sm, 1)};
  return std::nullopt;
}

/// The same for a log-softmax: LogSoftmax(z) or log(Softmax(z)/SoftmaxWithBias).
std::optional<std::pair<Var, Var>> log_softmax_logits(const Var& l) {
  if (const Softmax* s = softmax_op_of(l); s && s->is_log() && tensor_type(l)->ndim() == 2)
    return logits_and_bias(in(l, 0));
  if (scalar_of(l) == ScalarOpId::Log) return softmax_logits(unpad(in(l, 0)));
  return std::nullopt;
}

/// For v = M[arange(n), y] (an AdvancedSubtensor of a matrix by two integer vectors, the first
/// arange(0, n, 1) with n the length of M's rows, of y, or of a variable in `rows_like`):
/// {M, y}.
std::optional<std::pair<Var, Var>> rows_indexed(const Var& v, const std::vector<Var>& rows_like) {
  const auto* adv = op_of<AdvancedSubtensor>(v);
  if (!adv || v.owner()->nin() != 3) return std::nullopt;
  const auto items = adv->items();
  if (items.size() != 2) return std::nullopt;
  const Var m = in(v, 0), ar = in(v, 1), y = in(v, 2);
  if (tensor_type(m)->ndim() != 2 || tensor_type(y)->ndim() != 1 || !is_int(tensor_type(y)->elem())) return std::nullopt;
  if (tensor_type(ar)->ndim() != 1 || !op_of<ARange>(ar)) return std::nullopt;
  if (constant_scalar(in(ar, 0)) != 0.0 || constant_scalar(in(ar, 2)) != 1.0) return std::nullopt;
  const Var of = length_of(in(ar, 1));
  if (!of) return std::nullopt;
  bool ok = same(of, m) || same(of, y);
  for (const Var& r : rows_like) ok = ok || same(of, r);
  if (!ok) return std::nullopt;
  return std::pair{m, y};
}

/// For v = AdvancedIncSubtensor{inc}(zeros, g, arange(n), y) as rows_indexed: {g, y}.
std::optional<std::pair<Var, Var>> rows_incremented(const Var& v, const std::vector<Var>& rows_like) {
  const auto* adv = op_of<AdvancedIncSubtensor>(v);
  if (!adv || v.owner()->nin() != 4 || adv->params().set_instead_of_inc || adv->items().size() != 2) return std::nullopt;
  if (!is_zeros(in(v, 0))) return std::nullopt;
  // Reuse the index check of AdvancedSubtensor over the same zeros and indices.
  const Var probe = apply1(*std::make_shared<AdvancedSubtensor>(AdvancedSubtensorParams{adv->params().idx}),
                           {in(v, 0), in(v, 2), in(v, 3)});
  std::vector<Var> like = rows_like;
  like.push_back(in(v, 0));
  auto r = rows_indexed(probe, like);
  if (!r) return std::nullopt;
  return std::pair{in(v, 1), in(v, 3)};
}

/// A per-row gradient as a vector (a scalar or a broadcast row becomes a length-1 vector,
/// which CrossentropySoftmax1HotWithBiasDx broadcasts).
std::optional<Var> as_row_vector(Var g) {
  g = unpad(g);
  const int nd = tensor_type(g)->ndim();
  if (nd == 1) return g;
  if (nd == 0) return dimshuffle(g, {-1});
  return std::nullopt;
}

// M[arange(n), y] for M = log_softmax(x + b) (or log(softmax(x + b))) -> -nll of
// CrossentropySoftmaxArgmax1HotWithBias(x, b, y). Valid for every x (the fused op computes
// the log-sum-exp); the arange must span the rows (checked structurally, as Theano).
NodeRewriterPtr local_advanced_indexing_crossentropy_onehot() {
  return make_node_rewriter("local_advanced_indexing_crossentropy_onehot", Tracks{{"AdvancedSubtensor"}, {}},
                            [](FunctionGraph&, Apply* node) -> Result {
    const Var out = node->output(0);
    const Var l = node->input(0);
    auto xb = log_softmax_logits(l);
    if (!xb) return std::nullopt;
    auto idx = rows_indexed(out, {xb->first, in(l, 0)});
    if (!idx) return std::nullopt;
    Var nll = crossentropy_softmax_argmax_1hot_with_bias(xb->first, xb->second, idx->second)[0];
    return std::vector<Var>{neg(nll)};
  });
}

// log(softmax(x + b)[arange(n), y]) -> -nll of CrossentropySoftmaxArgmax1HotWithBias(x, b, y).
// Valid for every x (the indexed softmax underflows to 0 for logits far below the row's
// maximum, and log(0) = -inf).
NodeRewriterPtr local_log_advanced_indexing_softmax() {
  return make_node_rewriter("local_log_advanced_indexing_softmax", Tracks{{"Elemwise"}, {}},
                            [](FunctionGraph&, Apply* node) -> Result {
    const Var out = node->output(0);
    if (scalar_of(out) != ScalarOpId::Log) return std::nullopt;
    const Var p = node->input(0);
    if (!op_of<AdvancedSubtensor>(p)) return std::nullopt;
    auto xb = softmax_logits(in(p, 0));
    if (!xb) return std::nullopt;
    auto idx = rows_indexed(p, {xb->first});
    if (!idx) return std::nullopt;
    Var nll = crossentropy_softmax_argmax_1hot_with_bias(xb->first, xb->second, idx->second)[0];
    if (tensor_type(nll)->elem() != tensor_type(out)->elem()) return std::nullopt;
    return std::vector<Var>{neg(nll)};
  });
}

// SoftmaxGrad(A / sm, sm) -> A - sum(A, -1) * sm (the softmax cancels), and when
// A = AdvancedIncSubtensor(zeros, g, arange(n), y) -> CrossentropySoftmax1HotWithBiasDx(-g, sm, y).
// This is the gradient of -log(softmax(x))[arange(n), y]. Valid where sm is nonzero; the right
// sides stay finite where sm underflows to 0 (the left side is then 0/0).
NodeRewriterPtr local_softmax_grad_div_softmax() {
  return make_node_rewriter("local_softmax_grad_div_softmax", Tracks{{"SoftmaxGrad"}, {}},
                            [](FunctionGraph&, Apply* node) -> Result {
    const Var dy = node->input(0), sm = node->input(1);
    if (scalar_of(dy) != ScalarOpId::TrueDiv || !same(unpad(in(dy, 1)), sm)) return std::nullopt;
    const Var a = in(dy, 0);
    const Var out = node->output(0);
    if (auto xb = softmax_logits(sm); xb && tensor_type(a)->ndim() == 2) {
      if (auto gy = rows_incremented(a, {sm, xb->first, in(sm, 0)})) {
        if (auto g = as_row_vector(gy->first)) {
          Var dx = crossentropy_softmax_1hot_with_bias_dx(neg(*g), sm, gy->second);
          if (tensor_type(dx)->elem() == tensor_type(out)->elem()) return std::vector<Var>{dx};
        }
      }
    }
    const int last = tensor_type(sm)->ndim() - 1;
    Var r = sub(a, mul(sum(a, std::vector<int>{last}, true), sm));
    if (tensor_type(r)->elem() != tensor_type(out)->elem()) r = cast(r, tensor_type(out)->elem());
    return std::vector<Var>{r};
  });
}

// SoftmaxGrad(AdvancedIncSubtensor(zeros, g / sm[arange(n), y], arange(n), y), sm) ->
// CrossentropySoftmax1HotWithBiasDx(-g, sm, y): the gradient of -log(softmax(x)[arange(n), y]).
// Valid where sm[i, y[i]] is nonzero; the right side stays finite where it underflows.
NodeRewriterPtr local_advanced_indexing_crossentropy_onehot_grad() {
  return make_node_rewriter("local_advanced_indexing_crossentropy_onehot_grad", Tracks{{"SoftmaxGrad"}, {}},
                            [](FunctionGraph&, Apply* node) -> Result {
    const Var dy = node->input(0), sm = node->input(1);
    auto xb = softmax_logits(sm);
    if (!xb || tensor_type(dy)->ndim() != 2) return std::nullopt;
    const std::vector<Var> rows_like{sm, xb->first, in(sm, 0)};
    auto gy = rows_incremented(dy, rows_like);
    if (!gy) return std::nullopt;
    const Var q = unpad(gy->first);
    if (scalar_of(q) != ScalarOpId::TrueDiv) return std::nullopt;
    auto p = rows_indexed(unpad(in(q, 1)), rows_like);
    if (!p || !same(p->first, sm) || !same(p->second, gy->second)) return std::nullopt;
    auto g = as_row_vector(in(q, 0));
    if (!g) return std::nullopt;
    Var dx = crossentropy_softmax_1hot_with_bias_dx(neg(*g), sm, gy->second);
    if (tensor_type(dx)->elem() != tensor_type(node->output(0))->elem()) return std::nullopt;
    return std::vector<Var>{dx};
  });
}

/// Whether `node` is among the ancestors of v.
bool depends_on(const Var& v, const Apply* node) {
  std::vector<Apply*> stack;
  std::unordered_set<const Apply*> seen;
  if (v.owner()) stack.push_back(v.owner());
  while (!stack.empty()) {
    Apply* n = stack.back();
    stack.pop_back();
    if (n == node) return true;
    if (!seen.insert(n).second) continue;
    for (const Var& i : n->inputs())
      if (i.owner()) stack.push_back(i.owner());
  }
  return false;
}

// softmax(x + b) (Softmax or SoftmaxWithBias) -> the sm output of a
// CrossentropySoftmaxArgmax1HotWithBias(x, b, y) node of the same graph (Theano's
// graph_merge_softmax_with_crossentropy_softmax): the softmax is computed once for the loss and
// its gradient. Valid always (the same values); skipped when y depends on the softmax.
NodeRewriterPtr local_merge_softmax_with_crossentropy_softmax() {
  return make_node_rewriter("local_merge_softmax_with_crossentropy_softmax", Tracks{{"Softmax", "SoftmaxWithBias"}, {}},
                            [](FunctionGraph& fg, Apply* node) -> Result {
    const Var sm = node->output(0);
    auto xb = softmax_logits(sm);
    if (!xb) return std::nullopt;
    for (const Client& c : fg.clients(xb->first.get())) {
      if (!c.node || c.index != 0 || !dynamic_cast<const CrossentropySoftmaxArgmax1HotWithBias*>(c.node->op().get()))
        continue;
      const Var b = c.node->input(1);
      if (!(same(b, xb->second) || (is_zeros(b) && is_zeros(xb->second)))) continue;
      if (depends_on(c.node->input(2), node)) continue;
      const Var r = c.node->output(1);
      if (!r.type()->equals(*sm.type())) continue;
      return std::vector<Var>{r};
    }
    return std::nullopt;
  });
}

}  // namespace

std::vector<NodeRewriterPtr> nnet_stabilize_rewriters() {
  return {local_advanced_indexing_crossentropy_onehot(), local_log_advanced_indexing_softmax(),
          local_softmax_grad_div_softmax(), local_advanced_indexing_crossentropy_onehot_grad(),
          local_merge_softmax_with_crossentropy_softmax()};
}

void register_nnet_stabilize(RewriteDatabase& db) {
  for (const NodeRewriterPtr& rw : nnet_stabilize_rewriters()) db.register_rewrite(rw->name(), rw, {"fast_run", "stabilize"});
}

}  // namespace hypatia
