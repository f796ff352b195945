// Tensor rewrites of the canonicalize phase: useless fills and sinking fills, mul/add/neg/sub/pow
// simplification, DimShuffle composition, and shapes read from Shape_i and infer_shape.
#include <exception>

#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/rewrites/rewrites.h"
#include "hypatia/tensor/shape.h"
#include "hypatia/tensor/rewrites/util.h"

namespace hypatia {
namespace tensor_rewrites {

/// Shared by local_pow_canonicalize (exponents 0 and 1) and local_pow_specialize (also 2, 0.5, -1).
Result rewrite_pow(Apply* node, bool specialize);

namespace {

const std::vector<std::string> kTags = {"fast_run", "tensor"};

// ---- fill ----

/// local_useless_fill: fill(model, v) -> v, valid when v already has the output's type. The
/// output then has v's dtype and broadcastable pattern, so its shape is v's shape (the model
/// can only agree with it or raise a shape error, which this drops, as Theano does).
Result local_useless_fill(FunctionGraph&, Apply* node) {
  if (!elemwise_of(node, ScalarOpId::Second)) return std::nullopt;
  const Var& v = node->input(1);
  if (!same_type(v.type(), node->out(0)->type)) return std::nullopt;
  return one(v);
}

/// Whether some client of `v` is an Elemwise other than fill, which local_fill_sink can push
/// the fill through.
bool has_sinkable_client(const FunctionGraph& fg, const Var& v) {
  for (const Client& c : fg.clients(v.get()))
    if (c.node && dynamic_cast<const Elemwise*>(c.node->op().get()) && !elemwise_of(c.node, ScalarOpId::Second))
      return true;
  return false;
}

/// local_fill_to_alloc: fill(model, v) -> alloc(v, shape(model)), valid when v is broadcast by
/// the model (otherwise local_useless_fill applies). Each axis takes the model's length, v's
/// length where only v has one, or 1 where both are broadcastable, so the output keeps its
/// type and the model's values are no longer needed, only its shape. Waits while an
/// elementwise client can absorb the fill (local_fill_sink), as fills sink better than allocs.
Result local_fill_to_alloc(FunctionGraph& fg, Apply* node) {
  if (!elemwise_of(node, ScalarOpId::Second)) return std::nullopt;
  const Var& model = node->input(0);
  const Var& v = node->input(1);
  Var out = node->output(0);
  if (same_type(v.type(), out.type()) || has_sinkable_client(fg, out)) return std::nullopt;
  const auto& obc = ttype(out).broadcastable();
  const auto& mbc = ttype(model).broadcastable();
  std::vector<Var> dims;
  for (size_t d = 0; d < obc.size(); ++d) {
    if (obc[d]) dims.push_back(int64_constant(1));
    else if (!mbc[d]) dims.push_back(shape_i(model, static_cast<int>(d)));
    else dims.push_back(shape_i(v, static_cast<int>(d)));
  }
  return one(alloc(v, dims));
}

/// local_fill_sink: f(fill(a, b), c) -> fill(a, f(b, c)) for an elementwise f other than fill,
/// valid always: fill(a, b) has b's dtype and the broadcast of a's and b's shapes, so f sees
/// the same values, and the outer fill restores the shape. The outer fill is left out when
/// the model's broadcastable pattern equals the result's (the shapes then agree).
Result local_fill_sink(FunctionGraph&, Apply* node) {
  const auto* op = dynamic_cast<const Elemwise*>(node->op().get());
  if (!op || op->scalar_op() == ScalarOpId::Second) return std::nullopt;
  std::vector<Var> models, inputs;
  for (const Var& in : node->inputs()) {
    if (computed_by(in, ScalarOpId::Second)) {
      models.push_back(in.owner()->input(0));
      inputs.push_back(in.owner()->input(1));
    } else {
      inputs.push_back(in);
    }
  }
  if (models.empty()) return std::nullopt;
  Var c = apply1(*op, inputs);
  for (const Var& m : models)
    if (!(m.type()->ndim() == c.type()->ndim() && same_broadcastable(m, c))) c = fill(m, c);
  if (!same_type(c.type(), node->out(0)->type)) return std::nullopt;
  return one(c);
}

// ---- mul / add / sub / neg ----

/// The other input of a binary `node` when input `i` is a constant equal to `value`.
std::optional<Var> other_if_constant(Apply* node, int i, double value) {
  if (scalar_constant_value(node->input(i)) != std::optional<double>(value)) return std::nullopt;
  return node->input(1 - i);
}

/// `x` in place of `out` when x has out's broadcastable pattern (cast to out's dtype).
Result same_pattern(const Var& x, const Var& out) {
  if (x.type()->ndim() != out.type()->ndim() || !same_broadcastable(x, out)) return std::nullopt;
  return one(cast_to(x, dtype_of(out)));
}

/// `v` as a root constant: v itself, or a DimShuffle of a constant folded on the spot.
std::optional<Var> as_constant(const Var& v) {
  if (is_root_constant(v)) return v;
  Var x = v;
  while (x.owner() && dynamic_cast<const DimShuffle*>(x.owner()->op().get())) x = x.owner()->input(0);
  if (x == v || !is_root_constant(x)) return std::nullopt;
  Var c = fold_now(v);
  if (!is_root_constant(c)) return std::nullopt;
  return c;
}

/// Splits input `v` of a mul of dtype `d` into constant factors and other factors. A mul
/// input of dtype d with a single client contributes its own factors (one level: inner muls
/// were visited first and already hold their constant as the first input).
void mul_factors(const FunctionGraph& fg, const Var& v, DType d, std::vector<Var>& consts, std::vector<Var>& rest) {
  if (auto c = as_constant(v)) {
    consts.push_back(*c);
    return;
  }
  if (computed_by(v, ScalarOpId::Mul) && dtype_of(v) == d && fg.clients(v.get()).size() == 1) {
    for (const Var& in : v.owner()->inputs()) {
      if (auto c = as_constant(in)) consts.push_back(*c);
      else rest.push_back(in);
    }
    return;
  }
  rest.push_back(v);
}

/// local_mul_canonizer (lite): a mul of muls with constant factors -> mul(C, rest), where C is
/// the product of the constants in the output dtype, placed first; with C == 1 it is dropped.
/// Each node looks one level down, so constants bubble up a chain in linear time.
/// 2 * (3 * x) -> 6 * x, x * 2 -> 2 * x, mul(2.0f, x_float64) -> mul(2.0, x). Valid when the
/// inner muls have the output's dtype (they compute in it already, so converting the constants
/// to it changes nothing) and the result keeps the output's broadcastable pattern; float
/// products are reassociated (rounding may differ in the last place, as in Theano).
Result local_mul_canonizer(FunctionGraph& fg, Apply* node) {
  if (!elemwise_of(node, ScalarOpId::Mul)) return std::nullopt;
  Var out = node->output(0);
  const DType d = dtype_of(out);
  if (d == DType::Bool || d == DType::Float16) return std::nullopt;
  std::vector<Var> consts, rest;
  for (const Var& in : node->inputs()) mul_factors(fg, in, d, consts, rest);
  if (consts.empty() || rest.empty()) return std::nullopt;  // nothing to do / constant folding's job
  // Already canonical: one constant of the output dtype, first input of the top mul. Rebuilding
  // it would only recreate the same node; a constant 1 may still be dropped.
  if (consts.size() == 1 && node->input(0) == consts[0] && dtype_of(consts[0]) == d) {
    if (scalar_constant_value(consts[0]) != std::optional<double>(1.0)) return std::nullopt;
    return same_pattern(node->input(1), out);
  }
  Var c = cast_to(consts[0], d);
  for (size_t i = 1; i < consts.size(); ++i) c = fold_now(mul(c, cast_to(consts[i], d)));
  if (!is_root_constant(c)) return std::nullopt;
  Var r = rest[0];
  for (size_t i = 1; i < rest.size(); ++i) r = mul(r, rest[i]);
  if (scalar_constant_value(c) == std::optional<double>(1.0) && c.type()->ndim() <= r.type()->ndim()) {
    // Multiplying by ones only broadcasts; drop it when the pattern is already the output's.
    Var dropped = cast_to(r, d);
    if (dropped.type()->ndim() == out.type()->ndim() && same_broadcastable(dropped, out)) return one(dropped);
  }
  Var res = mul(c, r);
  if (!same_type(res.type(), out.type())) return std::nullopt;
  return one(res);
}

/// local_mul_by_one: mul(1, x) -> x and mul(x, 1) -> x (cast to the output dtype), valid when
/// x has the output's broadcastable pattern (the ones then do not change the shape).
Result local_mul_by_one(FunctionGraph&, Apply* node) {
  if (!elemwise_of(node, ScalarOpId::Mul) || dtype_of(node->output(0)) == DType::Bool) return std::nullopt;
  for (int i = 0; i < 2; ++i)
    if (auto x = other_if_constant(node, i, 1.0))
      if (auto r = same_pattern(*x, node->output(0))) return r;
  return std::nullopt;
}

/// local_add_zero: add(0, x), add(x, 0), sub(x, 0) -> x (cast to the output dtype), valid when
/// x has the output's broadcastable pattern. (-0.0 + 0 is +0.0 while the result is -0.0; the
/// two compare equal.)
Result local_add_zero(FunctionGraph&, Apply* node) {
  const bool is_add = elemwise_of(node, ScalarOpId::Add) != nullptr;
  if (!is_add && !elemwise_of(node, ScalarOpId::Sub)) return std::nullopt;
  if (dtype_of(node->output(0)) == DType::Bool) return std::nullopt;
  for (int i = is_add ? 0 : 1; i < 2; ++i)
    if (auto x = other_if_constant(node, i, 0.0))
      if (auto r = same_pattern(*x, node->output(0))) return r;
  return std::nullopt;
}

/// local_neg_neg: -(-x) -> x, valid always (negation keeps the type; integer negation wraps
/// and is its own inverse).
Result local_neg_neg(FunctionGraph&, Apply* node) {
  if (!elemwise_of(node, ScalarOpId::Neg) || !computed_by(node->input(0), ScalarOpId::Neg)) return std::nullopt;
  Var x = node->input(0).owner()->input(0);
  if (!same_type(x.type(), node->out(0)->type)) return std::nullopt;
  return one(x);
}

/// local_sub_self: x - x -> zeros_like(x), valid for finite x (inf - inf and nan - nan are nan;
/// Theano's add canonizer makes the same assumption).
Result local_sub_self(FunctionGraph&, Apply* node) {
  if (!elemwise_of(node, ScalarOpId::Sub) || !(node->input(0) == node->input(1))) return std::nullopt;
  Var z = fill(node->input(0), scalar_constant(dtype_of(node->output(0)), 0.0));
  if (!same_type(z.type(), node->out(0)->type)) return std::nullopt;
  return one(z);
}

/// local_pow_canonicalize: x ** 0 -> ones_like(x), x ** 1 -> x (in the output dtype), valid
/// when x has the output's broadcastable pattern (std::pow(nan, 0) is 1 too).
Result local_pow_canonicalize(FunctionGraph&, Apply* node) { return rewrite_pow(node, false); }

// ---- DimShuffle ----

const DimShuffle* dimshuffle_of(const Apply* node) { return dynamic_cast<const DimShuffle*>(node->op().get()); }

bool is_identity(const std::vector<int>& order, int ndim) {
  if (static_cast<int>(order.size()) != ndim) return false;
  for (int i = 0; i < ndim; ++i)
    if (order[i] != i) return false;
  return true;
}

/// local_useless_dimshuffle: DimShuffle{0,1,...,n-1}(x) -> x, valid always (the identity
/// pattern keeps every axis in place).
Result local_useless_dimshuffle(FunctionGraph&, Apply* node) {
  const DimShuffle* op = dimshuffle_of(node);
  if (!op || !is_identity(op->params().new_order, node->input(0).type()->ndim())) return std::nullopt;
  return one(node->input(0));
}

/// local_dimshuffle_dimshuffle: DimShuffle{p2}(DimShuffle{p1}(x)) -> DimShuffle{p}(x) with
/// p[i] = p1[p2[i]] ('x' stays 'x'), or x when p is the identity. Valid always: axes dropped by
/// either are broadcastable axes of x or inserted ones. The result is a view only when both were.
Result local_dimshuffle_dimshuffle(FunctionGraph&, Apply* node) {
  const DimShuffle* outer = dimshuffle_of(node);
  if (!outer || !node->input(0).owner()) return std::nullopt;
  const DimShuffle* inner = dimshuffle_of(node->input(0).owner());
  if (!inner) return std::nullopt;
  const Var& x = node->input(0).owner()->input(0);
  const auto& p1 = inner->params().new_order;
  std::vector<int> p;
  for (int k : outer->params().new_order) p.push_back(k < 0 ? -1 : p1[k]);
  Var r = is_identity(p, x.type()->ndim())
              ? x
              : apply1(*std::make_shared<DimShuffle>(
                           DimShuffleParams{p, inner->params().inplace && outer->params().inplace}),
                       {x});
  if (!same_type(r.type(), node->out(0)->type)) return std::nullopt;
  return one(r);
}

// ---- shapes ----

/// local_shape_to_shape_i: Shape(x) -> MakeVector(Shape_i{0}(x), ..., Shape_i{n-1}(x)), and
/// the empty int64 vector for a 0-d x, so that each length can be simplified on its own. For a
/// 1-d x the one-element MakeVector is broadcastable, so it is unbroadcast to keep Shape's type.
Result local_shape_to_shape_i(FunctionGraph&, Apply* node) {
  if (!dynamic_cast<const ShapeOp*>(node->op().get())) return std::nullopt;
  const Var& x = node->input(0);
  const int nd = x.type()->ndim();
  Var r;
  if (nd == 0) {
    r = constant(NDArray(DType::Int64, {0}));
  } else {
    std::vector<Var> dims;
    for (int d = 0; d < nd; ++d) dims.push_back(shape_i(x, d));
    r = make_vector(dims);
    if (nd == 1) r = patternbroadcast(r, {false});
  }
  if (!same_type(r.type(), node->out(0)->type)) return std::nullopt;
  return one(r);
}

/// local_reshape_reshape: Reshape(Reshape(x, s1), s2) -> Reshape(x, s2), valid always: both
/// keep the number of elements and their C order (a bad s1 no longer raises).
Result local_reshape_reshape(FunctionGraph&, Apply* node) {
  if (!dynamic_cast<const Reshape*>(node->op().get())) return std::nullopt;
  Apply* inner = node->input(0).owner();
  if (!inner || !dynamic_cast<const Reshape*>(inner->op().get())) return std::nullopt;
  Var r = apply1(*node->op(), {inner->input(0), node->input(1)});
  if (!same_type(r.type(), node->out(0)->type)) return std::nullopt;
  return one(r);
}

}  // namespace
}  // namespace tensor_rewrites

void register_tensor_canonicalize(RewriteDatabase& db) {
  using namespace tensor_rewrites;
  auto add = [&](const char* name, Tracks t, TransformFn fn) { db.add(name, std::move(t), std::move(fn), kTags); };
  const Tracks ew = tracks_of<Elemwise>();
  add("local_useless_fill", ew, local_useless_fill);
  add("local_fill_sink", ew, local_fill_sink);
  add("local_fill_to_alloc", ew, local_fill_to_alloc);
  add("local_mul_by_one", ew, local_mul_by_one);
  add("local_mul_canonizer", ew, local_mul_canonizer);
  add("local_add_zero", ew, local_add_zero);
  add("local_neg_neg", ew, local_neg_neg);
  add("local_sub_self", ew, local_sub_self);
  add("local_pow_canonicalize", ew, local_pow_canonicalize);
  add("local_useless_dimshuffle", tracks_of<DimShuffle>(), local_useless_dimshuffle);
  add("local_dimshuffle_dimshuffle", tracks_of<DimShuffle>(), local_dimshuffle_dimshuffle);
  add("local_shape_to_shape_i", tracks_of<ShapeOp>(), local_shape_to_shape_i);
  add("local_reshape_reshape", tracks_of<Reshape>(), local_reshape_reshape);
}

}  // namespace hypatia
