// Stabilization rewrites: forms that overflow, underflow or cancel (1/(1+exp(-x)), log(sigmoid),
// log(1+x), exp(x)-1, and the products the gradient of these builds) become stable ops.
#include "hypatia/tensor/rewrites/stabilize.h"

#include "hypatia/value/ndarray.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/nnet.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {

using Result = std::optional<std::vector<Var>>;
const Tracks kElemwise{{"Elemwise"}, {}};

// ---------------------------------------------------------------- matching helpers

std::optional<ScalarOpId> scalar_of(const Var& v) {
  if (!v || !v.owner()) return std::nullopt;
  const auto* e = dynamic_cast<const Elemwise*>(v.owner()->op().get());
  if (!e) return std::nullopt;
  return e->scalar_op();
}
Var input(const Var& v, int i) { return v.owner()->input(i); }

/// v without the DimShuffles Elemwise inserts to left-pad a lower-rank operand ({x,x,0,1}).
/// Rewrites match through them; with_type_of restores the rank from the other operands.
Var unpad(Var v) {
  while (v && v.owner()) {
    const auto* ds = dynamic_cast<const DimShuffle*>(v.owner()->op().get());
    if (!ds) break;
    const auto& order = ds->params().new_order;
    size_t k = 0;
    while (k < order.size() && order[k] < 0) ++k;
    bool pad = k > 0;
    for (size_t i = k; i < order.size(); ++i) pad = pad && order[i] == static_cast<int>(i - k);
    if (!pad || static_cast<int>(order.size() - k) != input(v, 0).type()->ndim()) break;
    v = input(v, 0);
  }
  return v;
}
bool is_op(const Var& v, ScalarOpId id) { return scalar_of(v) == id; }

/// The constant behind v (looking through DimShuffles, which only add broadcast axes or
/// permute), or null.
const NDArray* constant_array(const Var& v) {
  Var c = v;
  while (c.owner() && c.owner()->op()->name() == "DimShuffle") c = input(c, 0);
  if (!c->is_constant()) return nullptr;
  return std::get_if<NDArray>(c->constant.get());
}

/// Whether v is a constant (of any dtype and shape) whose every element equals `value`.
bool is_constant_value(const Var& v, double value) {
  const NDArray* a = constant_array(v);
  if (!a || a->size() == 0 || is_complex(a->dtype())) return false;
  NDArray d = a->astype(DType::Float64);
  for (int64_t i = 0; i < d.size(); ++i)
    if (d.data<double>()[i] != value) return false;
  return true;
}

/// Structural equality: the same variable, equal constants, or equal ops over equal inputs.
/// (Rewrites build fresh nodes, e.g. neg(x) twice, that the merge phase has not unified yet.)
bool same_expr(const Var& a, const Var& b, int depth = 24) {
  if (a == b) return true;
  if (depth == 0 || !a || !b) return false;
  if (a->is_constant() && b->is_constant()) {
    const auto* x = std::get_if<NDArray>(a->constant.get());
    const auto* y = std::get_if<NDArray>(b->constant.get());
    if (!x || !y || x->dtype() != y->dtype() || x->shape() != y->shape() || is_complex(x->dtype())) return false;
    if (!a.type()->equals(*b.type())) return false;
    NDArray dx = x->astype(DType::Float64), dy = y->astype(DType::Float64);
    for (int64_t i = 0; i < dx.size(); ++i)
      if (dx.data<double>()[i] != dy.data<double>()[i]) return false;
    return true;
  }
  Apply* p = a.owner();
  Apply* q = b.owner();
  if (!p || !q || a->index != b->index || p->nin() != q->nin() || !p->op()->equals(*q->op())) return false;
  for (int i = 0; i < p->nin(); ++i)
    if (!same_expr(p->input(i), q->input(i), depth - 1)) return false;
  return true;
}

/// -x without double negations: neg(neg(y)) is y.
Var neg_of(const Var& x) { return is_op(x, ScalarOpId::Neg) ? input(x, 0) : neg(x); }
/// Whether a == -b or b == -a.
bool is_neg_pair(const Var& a, const Var& b) {
  return (is_op(a, ScalarOpId::Neg) && same_expr(input(a, 0), b)) ||
         (is_op(b, ScalarOpId::Neg) && same_expr(input(b, 0), a));
}

/// For v = 1 + y or y + 1 (the 1 a constant of any dtype/shape): {y, the constant}.
std::optional<std::pair<Var, Var>> one_plus(const Var& v_in) {
  const Var v = unpad(v_in);
  if (!is_op(v, ScalarOpId::Add)) return std::nullopt;
  for (int i = 0; i < 2; ++i)
    if (is_constant_value(input(v, i), 1.0)) return std::pair{unpad(input(v, 1 - i)), input(v, i)};
  return std::nullopt;
}

/// Gives r the type of `orig`: broadcasts it against `models` (the operands a rewrite dropped)
/// where it lost axes, then casts. nullopt when the type still differs.
std::optional<Var> with_type_of(Var r, const Var& orig, const std::vector<Var>& models) {
  const TensorType& ot = *tensor_type(orig);
  auto bc = [](const Var& v) { return tensor_type(v)->broadcastable(); };
  const int nd = tensor_type(r)->ndim();
  if (nd < ot.ndim()) {  // a lower rank only: left-pad as Elemwise does (later rewrites see through it)
    std::vector<int> pat(ot.ndim() - nd, -1);
    for (int i = 0; i < nd; ++i) pat.push_back(i);
    Var padded = dimshuffle(r, pat);
    if (bc(padded) == ot.broadcastable()) r = padded;
  }
  for (const Var& m : models) {
    if (bc(r) == ot.broadcastable()) break;
    if (!m || !tensor_type(m) || tensor_type(m)->ndim() > ot.ndim()) continue;
    Var t = fill(m, r);
    if (bc(t) != bc(r)) r = t;
  }
  if (tensor_type(r)->elem() != ot.elem()) r = cast(r, ot.elem());
  if (bc(r) != ot.broadcastable() || tensor_type(r)->elem() != ot.elem()) return std::nullopt;
  return r;
}

Result one(std::optional<Var> v) {
  if (!v) return std::nullopt;
  return std::vector<Var>{*v};
}

// ---------------------------------------------------------------- rewrites

// 1 / (1 + exp(x)) -> sigmoid(-x), so 1 / (1 + exp(-x)) -> sigmoid(x); valid for every x (the
// two agree in exact arithmetic; sigmoid does not overflow to 1/inf or round to exactly 1).
NodeRewriterPtr local_sigm_to_sigmoid() {
  return make_node_rewriter("local_sigm_to_sigmoid", kElemwise, [](FunctionGraph&, Apply* node) -> Result {
    Var out = node->output(0);
    if (!is_op(out, ScalarOpId::TrueDiv) || !is_constant_value(node->input(0), 1.0)) return std::nullopt;
    auto op = one_plus(node->input(1));
    if (!op || !is_op(op->first, ScalarOpId::Exp)) return std::nullopt;
    return one(with_type_of(sigmoid(neg_of(input(op->first, 0))), out, {node->input(0), op->second, node->input(1)}));
  });
}

// exp(x) / (1 + exp(x)) -> sigmoid(x); valid for every x (the left side is inf/inf = nan for
// large x).
NodeRewriterPtr local_exp_over_1_plus_exp() {
  return make_node_rewriter("local_exp_over_1_plus_exp", kElemwise, [](FunctionGraph&, Apply* node) -> Result {
    Var out = node->output(0);
    const Var num = unpad(node->input(0));
    if (!is_op(out, ScalarOpId::TrueDiv) || !is_op(num, ScalarOpId::Exp)) return std::nullopt;
    auto op = one_plus(node->input(1));
    if (!op || !is_op(op->first, ScalarOpId::Exp)) return std::nullopt;
    Var x = input(num, 0);
    if (!same_expr(x, input(op->first, 0))) return std::nullopt;
    return one(with_type_of(sigmoid(x), out, {node->input(0), node->input(1)}));
  });
}

// 1 - sigmoid(x) -> sigmoid(-x); valid for every x (keeps the tiny values 1 - s rounds to 0).
NodeRewriterPtr local_1_minus_sigmoid() {
  return make_node_rewriter("local_1_minus_sigmoid", kElemwise, [](FunctionGraph&, Apply* node) -> Result {
    Var out = node->output(0);
    if (!is_op(out, ScalarOpId::Sub) || !is_constant_value(node->input(0), 1.0)) return std::nullopt;
    const Var s = unpad(node->input(1));
    if (!is_op(s, ScalarOpId::Sigmoid)) return std::nullopt;
    return one(with_type_of(sigmoid(neg_of(input(s, 0))), out, {node->input(0), node->input(1)}));
  });
}

// log(sigmoid(x)) -> -softplus(-x); valid for every x (log(0) = -inf where sigmoid underflows).
NodeRewriterPtr local_log_sigmoid() {
  return make_node_rewriter("local_log_sigmoid", kElemwise, [](FunctionGraph&, Apply* node) -> Result {
    Var out = node->output(0);
    if (!is_op(out, ScalarOpId::Log)) return std::nullopt;
    const Var s = unpad(node->input(0));
    if (!is_op(s, ScalarOpId::Sigmoid)) return std::nullopt;
    return one(with_type_of(neg(softplus(neg_of(input(s, 0)))), out, {node->input(0)}));
  });
}

// log(1 + exp(x)) -> softplus(x), log1p(exp(x)) -> softplus(x); valid for every x (exp
// overflows for x > 709 in float64, 88 in float32).
NodeRewriterPtr local_log_1_plus_exp() {
  return make_node_rewriter("local_log_1_plus_exp", kElemwise, [](FunctionGraph&, Apply* node) -> Result {
    Var out = node->output(0);
    Var e;
    std::vector<Var> models;
    if (is_op(out, ScalarOpId::Log1p)) {
      e = unpad(node->input(0));
    } else if (is_op(out, ScalarOpId::Log)) {
      auto op = one_plus(node->input(0));
      if (!op) return std::nullopt;
      e = op->first;
      models.push_back(op->second);
    }
    if (!is_op(e, ScalarOpId::Exp)) return std::nullopt;
    models.push_back(node->input(0));
    return one(with_type_of(softplus(input(e, 0)), out, models));
  });
}

// log(softmax(x)) -> log_softmax(x); valid for every x (softmax underflows to 0 for logits far
// below the row maximum, and log(0) = -inf).
NodeRewriterPtr local_log_softmax() {
  return make_node_rewriter("local_log_softmax", kElemwise, [](FunctionGraph&, Apply* node) -> Result {
    Var out = node->output(0);
    if (!is_op(out, ScalarOpId::Log)) return std::nullopt;
    const Var s = unpad(node->input(0));
    const Softmax* sm = softmax_op_of(s);
    if (!sm || sm->is_log()) return std::nullopt;
    return one(with_type_of(log_softmax(input(s, 0)), out, {node->input(0)}));
  });
}

// log(1 + x) -> log1p(x), log(1 - x) -> log1p(-x); valid for every x (1 + x rounds tiny x
// away). Left to the rewrites above when x is exp(.) or sigmoid(.), which do better.
NodeRewriterPtr local_log1p() {
  return make_node_rewriter("local_log1p", kElemwise, [](FunctionGraph&, Apply* node) -> Result {
    Var out = node->output(0);
    if (!is_op(out, ScalarOpId::Log)) return std::nullopt;
    const Var& arg = node->input(0);
    Var x, c;
    if (auto op = one_plus(arg)) {
      x = op->first, c = op->second;
    } else if (is_op(arg, ScalarOpId::Sub) && is_constant_value(input(arg, 0), 1.0)) {
      x = unpad(input(arg, 1)), c = input(arg, 0);
      if (is_op(x, ScalarOpId::Sigmoid)) return std::nullopt;  // local_1_minus_sigmoid
      x = neg_of(x);
    } else {
      return std::nullopt;
    }
    if (is_op(x, ScalarOpId::Exp) || is_discrete(x)) return std::nullopt;
    return one(with_type_of(log1p(x), out, {c}));
  });
}

// exp(x) - 1 -> expm1(x); valid for every x (exp(x) - 1 cancels for tiny x).
NodeRewriterPtr local_expm1() {
  return make_node_rewriter("local_expm1", kElemwise, [](FunctionGraph&, Apply* node) -> Result {
    Var out = node->output(0);
    const Var e = unpad(node->input(0));
    if (!is_op(out, ScalarOpId::Sub) || !is_op(e, ScalarOpId::Exp) || !is_constant_value(node->input(1), 1.0))
      return std::nullopt;
    return one(with_type_of(expm1(input(e, 0)), out, {node->input(0), node->input(1)}));
  });
}

// A product tree: sign * prod(num) / prod(den), read through float mul, true_div and neg.
struct MulTree {
  bool negative = false;
  std::vector<Var> num, den;
  std::vector<Var> leaves;  // every leaf, to restore broadcasting of dropped factors
};

void parse_mul_tree(const Var& v, bool in_den, MulTree& t, int depth) {
  auto sid = scalar_of(v);
  const bool inner = depth < 64 && sid && is_float(tensor_type(v)->elem()) &&
                     (*sid == ScalarOpId::Mul || *sid == ScalarOpId::TrueDiv || *sid == ScalarOpId::Neg);
  if (!inner) {
    (in_den ? t.den : t.num).push_back(unpad(v));
    t.leaves.push_back(v);
    return;
  }
  if (*sid == ScalarOpId::Neg) {
    t.negative = !t.negative;
    return parse_mul_tree(input(v, 0), in_den, t, depth + 1);
  }
  parse_mul_tree(input(v, 0), in_den, t, depth + 1);
  parse_mul_tree(input(v, 1), *sid == ScalarOpId::TrueDiv ? !in_den : in_den, t, depth + 1);
}

/// One simplification step of the tree; false when none applies.
bool simplify_mul_tree(MulTree& t) {
  // a / (1 + exp(x)) -> a * sigmoid(-x)
  for (size_t i = 0; i < t.den.size(); ++i) {
    auto op = one_plus(t.den[i]);
    if (op && is_op(op->first, ScalarOpId::Exp)) {
      t.num.push_back(sigmoid(neg_of(input(op->first, 0))));
      t.den.erase(t.den.begin() + static_cast<long>(i));
      return true;
    }
  }
  // exp(x) * sigmoid(-x) -> sigmoid(x)
  for (size_t i = 0; i < t.num.size(); ++i) {
    if (!is_op(t.num[i], ScalarOpId::Exp)) continue;
    Var x = input(t.num[i], 0);
    for (size_t j = 0; j < t.num.size(); ++j) {
      if (j == i || !is_op(t.num[j], ScalarOpId::Sigmoid) || !is_neg_pair(x, input(t.num[j], 0))) continue;
      t.num[i] = sigmoid(x);
      t.num.erase(t.num.begin() + static_cast<long>(j));
      return true;
    }
  }
  // a * s / s -> a, for a factor s shared by numerator and denominator
  for (size_t i = 0; i < t.num.size(); ++i)
    for (size_t j = 0; j < t.den.size(); ++j)
      if (same_expr(t.num[i], t.den[j])) {
        t.num.erase(t.num.begin() + static_cast<long>(i));
        t.den.erase(t.den.begin() + static_cast<long>(j));
        return true;
      }
  return false;
}

// In a product of factors (mul, true_div and neg trees, as the gradient of log(sigmoid(x))
// and of 1/(1+exp(x)) builds them):
//   a / (1 + exp(x))      -> a * sigmoid(-x)
//   exp(x) * sigmoid(-x)  -> sigmoid(x)
//   a * s / s             -> a
// Valid where the cancelled factors s are finite and nonzero (as Theano's mul/div
// canonicalizer); the right sides stay finite where exp overflows or sigmoid saturates.
NodeRewriterPtr local_sigm_times_exp() {
  return make_node_rewriter("local_sigm_times_exp", kElemwise, [](FunctionGraph&, Apply* node) -> Result {
    Var out = node->output(0);
    auto sid = scalar_of(out);
    if (!sid || (*sid != ScalarOpId::Mul && *sid != ScalarOpId::TrueDiv && *sid != ScalarOpId::Neg)) return std::nullopt;
    if (!is_float(tensor_type(out)->elem())) return std::nullopt;
    MulTree t;
    parse_mul_tree(out, false, t, 0);
    bool changed = false;
    for (int step = 0; step < 64 && simplify_mul_tree(t); ++step) changed = true;
    if (!changed) return std::nullopt;
    Var r;
    for (const Var& f : t.num)
      if (!is_constant_value(f, 1.0) || t.num.size() == 1) r = r ? mul(r, f) : f;
    if (!r) r = constant_int(1);
    Var d;
    for (const Var& f : t.den) d = d ? mul(d, f) : f;
    if (d) r = true_div(r, d);
    if (t.negative) r = neg(r);
    return one(with_type_of(r, out, t.leaves));
  });
}

/// Whether some denominator factor of `term` equals one of `factors`.
bool divides_by_one_of(const Var& term, const std::vector<Var>& factors) {
  MulTree t;
  parse_mul_tree(term, false, t, 0);
  for (const Var& d : t.den)
    for (const Var& f : factors)
      if (same_expr(d, f)) return true;
  return false;
}

// (u + v) * rest -> u * rest + v * rest (and u - v alike), fired only when a factor of rest
// cancels a divisor of u or v, as in the gradient of log(p) + log(1 - p) for p = sigmoid(x):
// (a / p + b / (1 - p)) * p * (1 - p) becomes a (1 - p) + b p after local_sigm_times_exp,
// with no division by a sigmoid that underflows to 0. Valid where those factors are finite.
NodeRewriterPtr local_mul_distribute_to_cancel() {
  return make_node_rewriter("local_mul_distribute_to_cancel", kElemwise, [](FunctionGraph&, Apply* node) -> Result {
    Var out = node->output(0);
    auto sid = scalar_of(out);
    if (!sid || (*sid != ScalarOpId::Mul && *sid != ScalarOpId::TrueDiv) || !is_float(tensor_type(out)->elem()))
      return std::nullopt;
    MulTree t;
    parse_mul_tree(out, false, t, 0);
    for (size_t k = 0; k < t.num.size(); ++k) {
      const Var& s = t.num[k];
      const bool is_add = is_op(s, ScalarOpId::Add);
      if ((!is_add && !is_op(s, ScalarOpId::Sub)) || !is_float(tensor_type(s)->elem())) continue;
      std::vector<Var> rest(t.num);
      rest.erase(rest.begin() + static_cast<long>(k));
      if (!divides_by_one_of(input(s, 0), rest) && !divides_by_one_of(input(s, 1), rest)) continue;
      auto times_rest = [&](Var r) {
        for (const Var& f : rest) r = mul(r, f);
        for (const Var& f : t.den) r = true_div(r, f);
        return r;
      };
      Var r = is_add ? add(times_rest(input(s, 0)), times_rest(input(s, 1)))
                     : sub(times_rest(input(s, 0)), times_rest(input(s, 1)));
      if (t.negative) r = neg(r);
      return one(with_type_of(r, out, t.leaves));
    }
    return std::nullopt;
  });
}

}  // namespace

std::vector<NodeRewriterPtr> tensor_stabilize_rewriters() {
  return {local_sigm_to_sigmoid(), local_exp_over_1_plus_exp(), local_1_minus_sigmoid(), local_log_sigmoid(),
          local_log_1_plus_exp(),  local_log1p(),               local_expm1(),           local_sigm_times_exp(),
          local_mul_distribute_to_cancel(), local_log_softmax()};
}

void register_tensor_stabilize(RewriteDatabase& db) {
  for (const NodeRewriterPtr& rw : tensor_stabilize_rewriters())
    db.register_rewrite(rw->name(), rw, {"fast_run", "stabilize"});
}

}  // namespace hypatia
