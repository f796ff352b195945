// IfElse: typing, lazy branches, evaluation, symbolic shapes, gradients (Theano's ifelse.py).
#include "hypatia/control/ops/ifelse.h"

#include <algorithm>

#include "hypatia/graph/op_codec_graphs.h"
#include "hypatia/sparse/sparse.h"
#include "hypatia/tensor/tensor.h"

namespace hypatia {
namespace {
// IfElse pickles its name too, which fields() leaves out (equality ignores it).
void encode_ifelse(const Op& op, ParamWriter& w) {
  const IfElseParams& p = static_cast<const IfElse&>(op).params();
  op_codec_detail::put(w, p.n_outs);
  op_codec_detail::put(w, p.as_view);
  op_codec_detail::put(w, p.name);
}
std::shared_ptr<const Op> decode_ifelse(ParamReader& r) {
  IfElseParams p;
  op_codec_detail::get(r, p.n_outs);
  op_codec_detail::get(r, p.as_view);
  op_codec_detail::get(r, p.name);
  r.finish();
  return std::make_shared<IfElse>(std::move(p));
}
const bool kIfElseCodecRegistered =
    register_custom_op_class(typeid(IfElse).name(), IfElse::kName, &encode_ifelse, &decode_ifelse);

constexpr const char* kWho = "IfElse";

// A constant (no owner) that may take the other branch's type.
bool is_free_constant(const Var& v) { return !v.owner() && v->is_constant(); }

std::string pair_error(const Var& t, const Var& e) {
  return str_cat("[IfElse] the two branches should have identical types, but they are ", t.type()->str(), " and ",
                 e.type()->str(), " respectively. This error could be raised if for example you provided a one "
                 "element list on the `then` branch but a tensor on the `else` branch");
}

// The constant `c` as a constant of type `want` (its value filtered through the type, lossy
// casts allowed: the literal was written to match the other branch); null when it cannot be.
Var constant_as(const Var& c, const TypePtr& want) {
  try {
    return make_constant(want, want->filter(*c->constant, false, true), c.name());
  } catch (const Error&) {
    return Var();
  }
}

// One (then, else) pair brought to a common type, or a TypeError naming both types.
std::pair<Var, Var> unify_pair(Var t, Var e) {
  if (!t || !e) type_error("[IfElse] a branch variable is missing (null)");
  if (same_type(t.type(), e.type())) return {t, e};
  if (is_free_constant(e) && !is_free_constant(t)) {
    if (Var c = constant_as(e, t.type())) return {t, c};
  } else if (is_free_constant(t) && !is_free_constant(e)) {
    if (Var c = constant_as(t, e.type())) return {c, e};
  } else if (is_free_constant(t) && is_free_constant(e)) {
    if (Var c = constant_as(e, t.type())) return {t, c};
    if (Var c = constant_as(t, e.type())) return {c, e};
  }
  const TensorType* tt = tensor_type(t);
  const TensorType* et = tensor_type(e);
  if (tt && et && tt->elem() == et->elem() && tt->ndim() == et->ndim()) {
    // Only the broadcastable flags differ: an axis stays broadcastable where both are.
    std::vector<bool> common(tt->ndim());
    for (int d = 0; d < tt->ndim(); ++d) common[d] = tt->broadcastable()[d] && et->broadcastable()[d];
    return {patternbroadcast(t, common), patternbroadcast(e, common)};
  }
  type_error(pair_error(t, e));
}

}  // namespace

bool ifelse_condition_true(const Value& cond) {
  const NDArray& c = as_array(cond, kWho);
  if (c.size() != 1) value_error("[IfElse] the condition must be a scalar, got shape ", shape_str(c.shape()));
  return c.item<double>() != 0.0;
}

std::string IfElse::str() const {
  std::string args = params_.name;
  if (params_.as_view) args += args.empty() ? "inplace" : ",inplace";
  return "if{" + args + "}";
}

ApplyPtr IfElse::make_node_checked(const std::vector<Var>& inputs) const {
  const int n = params_.n_outs;
  if (n < 1) value_error("[IfElse] n_outs must be at least 1, got ", n);
  if (inputs.size() != static_cast<size_t>(1 + 2 * n))
    type_error("[IfElse] expected 1 + 2 * n_outs = ", 1 + 2 * n, " inputs (cond, ", n, " then and ", n,
               " else values), got ", inputs.size());
  for (const Var& v : inputs)
    if (!v) type_error("[IfElse] an input is missing (null)");
  const Var& c = inputs[0];
  if (c.type()->kind() == TypeKind::Sparse)
    type_error("[IfElse] the condition must be a 0-d tensor (a scalar), got a sparse matrix ", c.type()->str());
  const TensorType* ct = tensor_type(c);
  if (!ct) type_error("[IfElse] the condition must be a 0-d tensor (a scalar), got ", c.type()->str());
  if (ct->ndim() != 0)
    type_error("[IfElse] the condition must be a 0-d tensor (a scalar), got ", ct->str(),
               "; use switch for an elementwise condition");
  if (is_complex(ct->elem())) type_error("[IfElse] the condition must be real, got ", ct->str());
  std::vector<TypePtr> out_types;
  for (int i = 0; i < n; ++i) {
    const Var& t = inputs[1 + i];
    const Var& e = inputs[1 + n + i];
    if (!same_type(t.type(), e.type())) type_error(pair_error(t, e));
    out_types.push_back(t.type());
  }
  return Apply::create(ptr(), inputs, out_types);
}

void IfElse::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const int n = params_.n_outs;
  const int base = ifelse_condition_true(*inputs[0]) ? 1 : 1 + n;
  for (int i = 0; i < n; ++i) {
    const Value& v = *inputs[base + i];
    if (is_empty(v)) raise(ErrorKind::Runtime, "[IfElse] the chosen branch's input ", base + i, " was not computed");
    if (params_.as_view) {
      outputs[i] = v;  // a view of the chosen input (view_map)
    } else if (const auto* a = std::get_if<NDArray>(&v)) {
      NDArray& y = prepare_output(outputs[i], a->dtype(), a->shape());  // reuses last call's buffer
      y.assign(*a);
    } else {
      outputs[i] = deep_copy(v);
    }
  }
}

ViewMap IfElse::view_map() const {
  if (!params_.as_view) return {};
  ViewMap m;
  for (int i = 0; i < params_.n_outs; ++i) m[i] = {1 + i, 1 + params_.n_outs + i};
  return m;
}

OpPtr IfElse::inplace_variant(const std::vector<int>& allowed) const {
  // A view destroys nothing, but it makes the output share a buffer with the inputs. It is
  // safe once DestroyHandler allows overwriting every branch input: then no other node
  // overwrites them (nor any alias), and nodes decided later see the view in view_map.
  if (params_.as_view) return nullptr;
  for (int i = 1; i <= 2 * params_.n_outs; ++i)
    if (std::find(allowed.begin(), allowed.end(), i) == allowed.end()) return nullptr;
  IfElseParams p = params_;
  p.as_view = true;
  return std::make_shared<IfElse>(p);
}

std::optional<LazyBranches> IfElse::lazy_branches(const Apply&) const {
  LazyBranches b;
  b.selector = 0;
  b.branches.assign(2, {});
  for (int i = 0; i < params_.n_outs; ++i) {
    b.branches[0].push_back(1 + i);
    b.branches[1].push_back(1 + params_.n_outs + i);
  }
  return b;
}

int IfElse::choose_branch(const Value& selector) const { return ifelse_condition_true(selector) ? 0 : 1; }

std::vector<std::vector<bool>> IfElse::connection_pattern(const Apply&) const {
  const int n = params_.n_outs;
  std::vector<std::vector<bool>> p(1 + 2 * n, std::vector<bool>(n, false));
  p[0].assign(n, true);  // the condition picks every output (Theano: connected)
  for (int i = 0; i < n; ++i) p[1 + i][i] = p[1 + n + i][i] = true;
  return p;
}

std::optional<std::vector<ShapeVec>> IfElse::infer_shape(const Apply& node, const std::vector<ShapeVec>& in) const {
  // Per dimension: the shared length when both branches give the same variable, else one lazy
  // ifelse over all the differing lengths (Theano's IfElse.infer_shape).
  const int n = params_.n_outs;
  std::vector<ShapeVec> out(n);
  std::vector<Var> then_dims, else_dims;
  std::vector<std::pair<int, int>> where;
  for (int i = 0; i < n; ++i) {
    const ShapeVec& ts = in[1 + i];
    const ShapeVec& es = in[1 + n + i];
    const int nd = node.out(i)->type->ndim();
    if (node.input(1 + i) == node.input(1 + n + i)) {
      out[i] = ts;
      continue;
    }
    if (static_cast<int>(ts.size()) != nd || static_cast<int>(es.size()) != nd) return std::nullopt;
    out[i] = ts;
    for (int d = 0; d < nd; ++d) {
      if (ts[d] == es[d]) continue;
      auto tc = const_int_value(ts[d]), ec = const_int_value(es[d]);
      if (tc && ec && *tc == *ec) continue;
      then_dims.push_back(ts[d]);
      else_dims.push_back(es[d]);
      where.push_back({i, d});
    }
  }
  if (!where.empty()) {
    std::vector<Var> picked = ifelse(node.input(0), then_dims, else_dims);
    for (size_t k = 0; k < where.size(); ++k) out[where[k].first][where[k].second] = picked[k];
  }
  return out;
}

Var convert_to_type(const Var& v, const TypePtr& want) {
  if (!v) return v;
  if (same_type(v.type(), want)) return v;
  const TensorType* wt = dynamic_cast<const TensorType*>(want.get());
  const SparseType* ws = dynamic_cast<const SparseType*>(want.get());
  Var x = v;
  if (wt) {
    if (sparse_type(x)) x = sparse::dense_from_sparse(x);
    const TensorType* xt = tensor_type(x);
    if (!xt || xt->ndim() != wt->ndim()) return Var();
    if (xt->elem() != wt->elem()) x = cast(x, wt->elem());
    if (tensor_type(x)->broadcastable() != wt->broadcastable()) x = patternbroadcast(x, wt->broadcastable());
  } else if (ws) {
    if (tensor_type(x)) {
      if (x.type()->ndim() != 2) return Var();
      x = sparse::sparse_from_dense(x, ws->format());
    }
    const SparseType* xs = sparse_type(x);
    if (!xs) return Var();
    if (xs->format() != ws->format()) x = sparse::as_format(x, ws->format());
    if (sparse_type(x)->elem() != ws->elem()) x = sparse::cast(x, ws->elem());
  } else {
    return Var();
  }
  return same_type(x.type(), want) ? x : Var();
}

std::vector<Var> IfElse::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  // Theano's IfElse.grad: then_i gets ifelse(c, g_i, 0), else_i gets ifelse(c, 0, g_i), the
  // zeros shaped like the branch they stand for; the condition gets a float zero (a small change
  // of it is taken to choose the same branch). Outputs without a gradient leave their branch
  // pair disconnected.
  const int n = params_.n_outs;
  const Var& c = node.input(0);
  std::vector<Var> result(1 + 2 * n, disconnected_var());
  std::vector<Var> g_then, z_then, z_else, g_else;
  std::vector<int> idx;
  for (int i = 0; i < n; ++i) {
    const Var& g = output_grads[i];
    if (!g || is_disconnected(g)) continue;
    if (is_null(g)) {
      result[1 + i] = result[1 + n + i] = g;
      continue;
    }
    const Var& t = node.input(1 + i);
    const Var& e = node.input(1 + n + i);
    Var zt = convert_to_type(t.type()->zeros_like(t), g.type());
    Var ze = convert_to_type(e.type()->zeros_like(e), g.type());
    if (!zt || !ze)
      type_error("[IfElse] cannot give the gradient ", g.type()->str(), " the type of the branches ", t.type()->str());
    idx.push_back(i);
    g_then.push_back(g);
    z_then.push_back(zt);
    z_else.push_back(ze);
  }
  if (!idx.empty()) {
    const std::string base = params_.name.empty() ? "" : params_.name + "_";
    IfElseParams pt{static_cast<int>(idx.size()), params_.as_view, base + "grad_t"};
    IfElseParams pf{static_cast<int>(idx.size()), params_.as_view, base + "grad_f"};
    if (params_.name.empty()) pt.name = pf.name = "";
    std::vector<Var> ins_t{c}, ins_f{c};
    ins_t.insert(ins_t.end(), g_then.begin(), g_then.end());
    ins_t.insert(ins_t.end(), z_then.begin(), z_then.end());
    ins_f.insert(ins_f.end(), z_else.begin(), z_else.end());
    ins_f.insert(ins_f.end(), g_then.begin(), g_then.end());
    std::vector<Var> gt = apply_op(*std::make_shared<IfElse>(pt), ins_t);
    std::vector<Var> gf = apply_op(*std::make_shared<IfElse>(pf), ins_f);
    for (size_t k = 0; k < idx.size(); ++k) {
      result[1 + idx[k]] = gt[k];
      result[1 + n + idx[k]] = gf[k];
    }
  }
  result[0] = cast(zeros_like(c), floatX());
  return result;
}

std::vector<Var> IfElse::jvp(const Apply& node, const std::vector<Var>& ev) const {
  // Theano's IfElse.R_op: the same choice over the branches' tangents (a missing one is zero).
  const int n = params_.n_outs;
  auto at = [&](int k) { return k < static_cast<int>(ev.size()) ? ev[k] : Var(); };
  std::vector<Var> result(n);
  std::vector<Var> ts, es;
  std::vector<int> idx;
  for (int i = 0; i < n; ++i) {
    Var a = at(1 + i), b = at(1 + n + i);
    if (!a && !b) continue;
    const Var& t = node.input(1 + i);
    const Var& e = node.input(1 + n + i);
    const TypePtr want = a ? a.type() : b.type();
    if (!a) a = convert_to_type(t.type()->zeros_like(t), want);
    if (!b) b = convert_to_type(e.type()->zeros_like(e), want);
    b = convert_to_type(b, a.type());
    if (!a || !b) type_error("[IfElse] the tangents of a branch pair have types that do not match");
    idx.push_back(i);
    ts.push_back(a);
    es.push_back(b);
  }
  if (idx.empty()) return result;
  std::vector<Var> ins{node.input(0)};
  ins.insert(ins.end(), ts.begin(), ts.end());
  ins.insert(ins.end(), es.begin(), es.end());
  IfElseParams p{static_cast<int>(idx.size()), params_.as_view, params_.name};
  std::vector<Var> outs = apply_op(*std::make_shared<IfElse>(p), ins);
  for (size_t k = 0; k < idx.size(); ++k) result[idx[k]] = outs[k];
  return result;
}

std::vector<Var> ifelse(const Var& cond_in, const std::vector<Var>& then_branch, const std::vector<Var>& else_branch,
                        const std::string& name) {
  if (!cond_in) type_error("[IfElse] the condition is missing (null)");
  if (cond_in.type()->kind() == TypeKind::Sparse)
    type_error("[IfElse] the condition must be a 0-d tensor (a scalar), got a sparse matrix ", cond_in.type()->str());
  Var cond = as_tensor_variable(cond_in);
  if (then_branch.size() != else_branch.size())
    value_error("[IfElse] the then branch has ", then_branch.size(), " values and the else branch ",
                else_branch.size(), "; they must have as many");
  if (then_branch.empty()) value_error("[IfElse] the branches are empty");
  const int n = static_cast<int>(then_branch.size());
  std::vector<Var> ins(1 + 2 * n);
  ins[0] = cond;
  for (int i = 0; i < n; ++i) {
    auto [t, e] = unify_pair(then_branch[i], else_branch[i]);
    ins[1 + i] = t;
    ins[1 + n + i] = e;
  }
  return apply_op(*std::make_shared<IfElse>(IfElseParams{n, false, name}), ins);
}

Var ifelse(const Var& cond, const Var& then_branch, const Var& else_branch, const std::string& name) {
  return ifelse(cond, std::vector<Var>{then_branch}, std::vector<Var>{else_branch}, name)[0];
}

}  // namespace hypatia
