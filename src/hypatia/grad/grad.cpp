// The gradient driver: Theano's _populate_var_to_app_to_idx / _populate_grad_dict, made iterative.
#include "hypatia/grad/grad.h"
#include "hypatia/util/warning.h"

#include <algorithm>
#include <iostream>
#include <unordered_map>
#include <unordered_set>

#include "hypatia/graph/traversal.h"

namespace hypatia {

namespace {

bool is_discrete_var(const Var& v) {
  auto d = v.type()->dtype();
  return d && (is_int(*d) || is_bool(*d));
}

/// Theano's _float_zeros_like: the zero gradient of x, as x's type makes it.
Var float_zeros_like(const Var& x) { return x.type()->zeros_like(x, true); }

/// Theano's _float_ones_like: the seed gradient of the cost.
Var float_ones_like(const Var& x) { return x.type()->ones_like(x); }

/// Whether two variables are of one kind, so a gradient of one converts to the other's dtype.
bool same_kind(const Var& a, const Var& b) { return a.type()->kind() == b.type()->kind(); }

struct PtrPairHash {
  size_t operator()(const std::pair<const void*, const void*>& p) const {
    return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
  }
};

/// For each variable, the nodes that use it as a *true* parent (per connection_pattern), and
/// at which input positions; in first-seen order so that gradient sums are deterministic.
struct Consumers {
  std::vector<Apply*> apps;
  std::vector<std::vector<int>> idx;
};

class GradBuilder {
 public:
  GradBuilder(const GradOptions& o) : opts_(o) {}

  const std::vector<std::vector<bool>>& pattern(Apply* node) {
    auto it = patterns_.find(node);
    if (it != patterns_.end()) return it->second;
    auto p = node->op()->connection_pattern(*node);
    if (static_cast<int>(p.size()) != node->nin())
      raise(ErrorKind::Runtime, "[grad] ", node->op()->str(), ".connection_pattern returned ", p.size(),
            " rows for ", node->nin(), " inputs");
    for (auto& row : p)
      if (static_cast<int>(row.size()) != node->nout())
        raise(ErrorKind::Runtime, "[grad] ", node->op()->str(), ".connection_pattern returned a row of ",
              row.size(), " entries for ", node->nout(), " outputs");
    return patterns_.emplace(node, std::move(p)).first->second;
  }

  /// Theano's _populate_var_to_app_to_idx, with explicit stacks.
  void populate(const std::vector<Var>& outputs, const std::vector<Var>& wrt) {
    std::unordered_set<Variable*> constants;
    for (const auto& c : opts_.consider_constant) constants.insert(c.get());
    std::unordered_set<Variable*> accounted;
    std::unordered_map<std::pair<const void*, const void*>, size_t, PtrPairHash> pos;
    std::vector<Variable*> stack;
    for (auto it = outputs.rbegin(); it != outputs.rend(); ++it) stack.push_back(it->get());
    while (!stack.empty()) {
      Variable* var = stack.back();
      stack.pop_back();
      if (!accounted.insert(var).second) continue;
      if (var->is_constant() || constants.count(var) || !var->owner) continue;
      Apply* app = var->owner;
      const auto& pat = pattern(app);
      for (int i = app->nin() - 1; i >= 0; --i) {
        if (!pat[i][var->index]) continue;
        Variable* ipt = app->input(i).get();
        auto [it, fresh] = v2a_.try_emplace(ipt);
        if (fresh) order_.push_back(ipt);
        Consumers& c = it->second;
        auto key = std::make_pair(static_cast<const void*>(ipt), static_cast<const void*>(app));
        auto p = pos.find(key);
        size_t k;
        if (p == pos.end()) {
          k = c.apps.size();
          c.apps.push_back(app);
          c.idx.emplace_back();
          pos.emplace(key, k);
        } else {
          k = p->second;
        }
        auto& idx = c.idx[k];
        if (std::find(idx.begin(), idx.end(), i) == idx.end()) idx.push_back(i);
        stack.push_back(ipt);
      }
    }
    // Keep only the variables that have a wrt as a true ancestor.
    std::unordered_set<Variable*> visited;
    for (const auto& w : wrt) stack.push_back(w.get());
    while (!stack.empty()) {
      Variable* var = stack.back();
      stack.pop_back();
      if (visited.count(var)) continue;
      auto it = v2a_.find(var);
      if (it == v2a_.end()) continue;
      visited.insert(var);
      const Consumers& c = it->second;
      for (size_t k = 0; k < c.apps.size(); ++k) {
        Apply* app = c.apps[k];
        const auto& pat = pattern(app);
        for (int idx : c.idx[k])
          for (int o = 0; o < app->nout(); ++o)
            if (pat[idx][o]) stack.push_back(app->out(o));
      }
    }
    std::vector<Variable*> kept;
    for (Variable* v : order_) {
      if (visited.count(v)) kept.push_back(v);
      else v2a_.erase(v);
    }
    order_ = std::move(kept);
  }

  /// The nodes whose gradient terms are needed, each after every node consuming its outputs.
  std::vector<Apply*> backward_order() {
    std::unordered_set<Apply*> relevant;
    std::vector<Apply*> roots;
    for (Variable* v : order_)
      for (Apply* a : v2a_.at(v).apps)
        if (relevant.insert(a).second) roots.push_back(a);
    std::vector<Apply*> order;
    std::unordered_set<Apply*> done;
    std::vector<std::pair<Apply*, bool>> stack;
    for (Apply* r : roots) {
      stack.push_back({r, false});
      while (!stack.empty()) {
        auto [node, expanded] = stack.back();
        stack.pop_back();
        if (done.count(node)) continue;
        if (expanded) {
          done.insert(node);
          order.push_back(node);
          continue;
        }
        stack.push_back({node, true});
        for (int o = 0; o < node->nout(); ++o) {
          auto it = v2a_.find(node->out(o));
          if (it == v2a_.end()) continue;
          for (Apply* c : it->second.apps)
            if (!done.count(c)) stack.push_back({c, false});
        }
      }
    }
    return order;
  }

  bool connected(Variable* v) const { return v2a_.count(v) > 0; }

  void set_grad(Variable* v, Var g) { grad_dict_[v] = std::move(g); }
  bool has_grad(Variable* v) const { return grad_dict_.count(v) > 0; }

  /// Theano's access_grad_cache: the sum of the terms of every consumer (all computed already).
  Var access_grad(Variable* var) {
    auto found = grad_dict_.find(var);
    if (found != grad_dict_.end()) return found->second;
    Var result;
    auto it = v2a_.find(var);
    if (it != v2a_.end()) {
      std::vector<Var> terms;
      Var null_term;
      const Consumers& c = it->second;
      for (size_t k = 0; k < c.apps.size(); ++k) {
        const auto& tv = terms_.at(c.apps[k]);
        for (int idx : c.idx[k]) {
          const Var& term = tv[idx];
          if (is_null(term)) {
            if (!null_term) null_term = term;
            continue;
          }
          if (is_disconnected(term)) continue;
          if (term.type()->ndim() != var->type->ndim())
            value_error("[grad] ", c.apps[k]->op()->str(), ".vjp returned a term with ", term.type()->ndim(),
                        " dimensions, but ", var->type->ndim(), " are required.");
          terms.push_back(term);
        }
      }
      if (null_term) {
        result = null_term;
      } else if (!terms.empty()) {
        result = terms[0];
        for (size_t i = 1; i < terms.size(); ++i) result = result.type()->add_grad(result, terms[i]);
      } else {
        result = disconnected_var();
      }
      if (!cost_name_.empty() && !var->name.empty() && !is_null(result) && !is_disconnected(result))
        result.named(str_cat("(d", cost_name_, "/d", var->name, ")"));
    } else {
      result = disconnected_var();
    }
    grad_dict_[var] = result;
    return result;
  }

  /// Theano's access_term_cache for one node whose output gradients are all final.
  void compute_terms(Apply* node) {
    const int nin = node->nin(), nout = node->nout();
    const Op& op = *node->op();
    std::vector<Var> ograds(nout);
    bool any_connected = false;
    for (int o = 0; o < nout; ++o) {
      ograds[o] = access_grad(node->out(o));
      if (!is_disconnected(ograds[o])) any_connected = true;
    }
    std::vector<Var> igrads(nin);
    if (!any_connected) {
      for (auto& g : igrads) g = disconnected_var();
      terms_[node] = std::move(igrads);
      return;
    }
    const auto& pat = pattern(node);
    std::vector<bool> ograd_null(nout);
    bool any_usable = false;
    for (int o = 0; o < nout; ++o) {
      ograd_null[o] = is_null(ograds[o]);
      if (!ograd_null[o] && !is_disconnected(ograds[o])) any_usable = true;
    }
    std::vector<bool> inputs_connected(nin, false);
    for (int i = 0; i < nin; ++i)
      for (int o = 0; o < nout; ++o)
        if (pat[i][o] && !is_disconnected(ograds[o])) inputs_connected[i] = true;

    if (any_usable) {
      // Output gradients handed to the op: cast to the output's dtype for inexact outputs;
      // null gradients become disconnected (their inputs get the null below).
      std::vector<Var> new_ograds(nout);
      for (int o = 0; o < nout; ++o) {
        Var g = ograds[o];
        if (ograd_null[o]) {
          g = disconnected_var();
        } else if (!is_disconnected(g) && g.type()->kind() == node->out(o)->type->kind()) {
          auto od = node->out(o)->type->dtype();
          auto gd = g.type()->dtype();
          if (od && gd && is_inexact(*od) && *od != *gd) g = g.type()->cast_grad(g, *od);
        }
        new_ograds[o] = g;
      }
      igrads = op.vjp(*node, new_ograds);
      if (static_cast<int>(igrads.size()) != nin)
        raise(ErrorKind::Runtime, "[grad] ", op.str(), ".vjp returned ", igrads.size(), " gradients for ", nin,
              " inputs");
      for (int i = 0; i < nin; ++i)
        if (!igrads[i])
          type_error("[grad] ", op.str(), ".vjp returned a null Var for input ", i,
                     "; return zeros_like(input), disconnected_var(), or a NullType variable made with "
                     "grad_undefined / grad_not_implemented instead.");
    } else {
      for (auto& g : igrads) g = disconnected_var();
    }
    for (int i = 0; i < nin; ++i) {
      // Propagate null gradients to every input connected to a null output gradient.
      // (The op saw a disconnected gradient in their place, so its answer is overridden.)
      for (int o = 0; o < nout; ++o)
        if (ograd_null[o] && pat[i][o]) {
          igrads[i] = ograds[o];
          break;
        }
      Var& term = igrads[i];
      const Var& ipt = node->input(i);
      if (is_disconnected(term)) continue;
      if (!inputs_connected[i])
        type_error("[grad] ", op.str(), ".vjp returned ", term->str(), " of type ", term.type()->str(),
                   " for input ", i,
                   ". Expected DisconnectedType instance based on the output of the op's connection_pattern "
                   "method.");
      if (is_null(term)) continue;
      if (is_discrete_var(ipt)) {
        // Discrete inputs: the gradient is zero (Theano's behaviour for integer inputs).
        term = float_zeros_like(ipt);
        continue;
      }
      check_term(op, i, ipt, term);
    }
    terms_[node] = std::move(igrads);
  }

  std::string cost_name_;

 private:
  /// The term must be a gradient for `ipt`: same rank, an inexact dtype (cast to ipt's).
  void check_term(const Op& op, int i, const Var& ipt, Var& term) {
    if (!ipt.type()->mixes_grad_with(*term.type()) && !term.type()->mixes_grad_with(*ipt.type()))
      type_error("[grad] ", op.str(), ".vjp returned a gradient of type ", term.type()->str(), " for input ", i,
                 " of type ", ipt.type()->str());
    if (term.type()->ndim() != ipt.type()->ndim())
      value_error("[grad] ", op.str(), ".vjp returned a term with ", term.type()->ndim(), " dimensions, but ",
                  ipt.type()->ndim(), " are required (input ", i, ").");
    auto td = term.type()->dtype();
    auto id = ipt.type()->dtype();
    if (td && !is_inexact(*td))
      type_error("[grad] ", op.str(), ".vjp illegally returned an integer-valued variable. (Input index ", i,
                 ", dtype ", dtype_name(*td), ")");
    if (td && id && *td != *id && same_kind(term, ipt)) term = term.type()->cast_grad(term, *id);
  }

  const GradOptions& opts_;
  std::unordered_map<Apply*, std::vector<std::vector<bool>>> patterns_;
  std::unordered_map<Variable*, Consumers> v2a_;
  std::vector<Variable*> order_;
  std::unordered_map<Variable*, Var> grad_dict_;
  std::unordered_map<Apply*, std::vector<Var>> terms_;
};

[[noreturn]] void bad_choice(const char* who, const char* what, std::string_view value,
                             std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* a : allowed) list += str_cat(list.empty() ? "" : ", ", "'", a, "'");
  value_error("[", who, "] Invalid value for keyword '", what, "': '", value, "'; valid values are ", list, ".");
}

std::string disconnected_message(const Var& var) {
  return str_cat(
      "grad method was asked to compute the gradient with respect to a variable that is not part of the "
      "computational graph of the cost, or is used only by a non-differentiable operator: ",
      var->str());
}

}  // namespace

OnDisconnected on_disconnected_from(std::string_view s, const char* who, const char* keyword) {
  if (s == "raise") return OnDisconnected::Raise;
  if (s == "warn") return OnDisconnected::Warn;
  if (s == "ignore") return OnDisconnected::Ignore;
  bad_choice(who, keyword, s, {"ignore", "warn", "raise"});
}

ReturnDisconnected return_disconnected_from(std::string_view s, const char* who, bool accept_lowercase) {
  if (s == "zero") return ReturnDisconnected::Zero;
  if (s == "None" || (accept_lowercase && s == "none")) return ReturnDisconnected::None;
  if (s == "Disconnected" || (accept_lowercase && s == "disconnected")) return ReturnDisconnected::Disconnected;
  if (accept_lowercase) bad_choice(who, "return_disconnected", s, {"zero", "None", "none", "Disconnected", "disconnected"});
  bad_choice(who, "return_disconnected", s, {"zero", "None", "Disconnected"});
}

OnNullGradient on_null_gradient_from(std::string_view s, const char* who) {
  if (s == "raise") return OnNullGradient::Raise;
  if (s == "return") return OnNullGradient::Return;
  bad_choice(who, "null_gradients", s, {"raise", "return"});
}

std::vector<Var> grad(const Var& cost, const std::vector<Var>& wrt, const GradOptions& opts) {
  if (!cost && opts.known_grads.empty()) value_error("[grad] cost and known_grads can't both be None.");
  if (cost) {
    if (is_null(cost))
      value_error("[grad] Can't differentiate a NaN cost. cost is NaN because ",
                  static_cast<const NullType&>(*cost.type()).why());
    if (cost.type()->kind() != TypeKind::Tensor || cost.type()->ndim() != 0)
      type_error("[grad] cost must be a scalar (0-d tensor), got ", cost.type()->str());
  }
  for (size_t i = 0; i < wrt.size(); ++i)
    if (!wrt[i]) type_error("[grad] wrt[", i, "] is a null Var; expected a variable");
  for (const auto& c : opts.consider_constant)
    if (!c) type_error("[grad] Elements of consider_constant must be variables, got a null Var");

  GradBuilder b(opts);
  if (opts.add_names && cost && !cost.name().empty()) b.cost_name_ = cost.name();

  std::vector<Var> outputs;
  if (cost) outputs.push_back(cost);
  for (const auto& [var, g] : opts.known_grads) {
    if (!var) type_error("[grad] known_grads has a null variable as key");
    if (!g) type_error("[grad] known_grads: the gradient of ", var->str(), " is a null Var");
    if (!is_null(g) && !is_disconnected(g)) {
      auto d = g.type()->dtype();
      if (!d || !is_inexact(*d))
        type_error("[grad] Gradients must always be NullType, DisconnectedType, or continuous, but grad was given "
                   "a known_grad of type ",
                   g.type()->str());
    }
    outputs.push_back(var);
  }
  b.populate(outputs, wrt);

  // Seed gradients: the cost's (1 unless known), known gradients, and consider_constant cuts.
  if (cost) {
    Var g_cost;
    for (const auto& [var, g] : opts.known_grads)
      if (var == cost) g_cost = g;
    b.set_grad(cost.get(), g_cost ? g_cost : float_ones_like(cost));
  }
  for (const auto& [var, g] : opts.known_grads) b.set_grad(var.get(), g);
  for (const auto& c : opts.consider_constant)
    if (!b.has_grad(c.get())) b.set_grad(c.get(), disconnected_var());

  auto handle_disconnected = [&](const Var& var) {
    if (opts.disconnected_inputs == OnDisconnected::Ignore) return;
    std::string msg = disconnected_message(var);
    if (opts.disconnected_inputs == OnDisconnected::Warn) {
      warn(msg);
      return;
    }
    raise(ErrorKind::DisconnectedInput, "[grad] ", msg);
  };
  std::unordered_set<Variable*> reported;
  for (const auto& w : wrt)
    if (!b.connected(w.get()) && !b.has_grad(w.get()) && reported.insert(w.get()).second) handle_disconnected(w);

  for (Apply* node : b.backward_order()) b.compute_terms(node);

  std::vector<Var> rval;
  rval.reserve(wrt.size());
  for (const auto& w : wrt) {
    Var g = b.access_grad(w.get());
    if (is_null(g)) {
      if (opts.null_gradients == OnNullGradient::Raise)
        raise(ErrorKind::NullTypeGrad, "[grad] tensor.grad encountered a NaN. ",
              static_cast<const NullType&>(*g.type()).why());
    } else if (is_disconnected(g)) {
      if (reported.insert(w.get()).second) handle_disconnected(w);
      if (opts.return_disconnected == ReturnDisconnected::Zero) g = float_zeros_like(w);
      else if (opts.return_disconnected == ReturnDisconnected::None) g = Var();
    }
    rval.push_back(g);
  }
  return rval;
}


std::vector<Var> Lop(const std::vector<Var>& f, const std::vector<Var>& wrt, const std::vector<Var>& eval_points,
                     const GradOptions& opts) {
  if (f.size() != eval_points.size())
    value_error("[Lop] f has ", f.size(), " variables but eval_points has ", eval_points.size());
  GradOptions o = opts;
  o.known_grads.clear();
  for (size_t i = 0; i < f.size(); ++i) {
    if (!f[i] || !eval_points[i]) type_error("[Lop] f[", i, "] and eval_points[", i, "] must be variables");
    Var ep = eval_points[i];
    auto fd = f[i].type()->dtype();
    auto ed = ep.type()->dtype();
    if (same_kind(ep, f[i]) && fd && ed && is_inexact(*fd) && *fd != *ed) ep = ep.type()->cast_grad(ep, *fd);
    o.known_grads.push_back({f[i], ep});
  }
  return grad(Var(), wrt, o);
}


std::vector<Var> Rop(const std::vector<Var>& f, const std::vector<Var>& wrt, const std::vector<Var>& eval_points,
                     const RopOptions& opts) {
  if (wrt.size() != eval_points.size())
    value_error("[Rop] wrt has ", wrt.size(), " variables but eval_points has ", eval_points.size());
  std::unordered_map<Variable*, Var> tangent;  // variable -> its directional derivative
  for (size_t i = 0; i < wrt.size(); ++i) {
    if (!wrt[i] || !eval_points[i]) type_error("[Rop] wrt[", i, "] and eval_points[", i, "] must be variables");
    if (wrt[i].type()->ndim() != eval_points[i].type()->ndim())
      value_error("[Rop] Element ", i, " of wrt/eval_point have mismatched dimensionality: ",
                  wrt[i].type()->ndim(), " versus ", eval_points[i].type()->ndim());
    tangent.emplace(wrt[i].get(), eval_points[i]);
  }
  for (const auto& out : f)
    if (!out) type_error("[Rop] f contains a null Var");
  // Forward pass over the nodes between wrt and f (stopping at wrt), in dependency order.
  std::vector<Apply*> order = io_toposort(wrt, f);
  for (Apply* node : order) {
    std::vector<Var> eps(node->nin());
    bool any = false;
    for (int i = 0; i < node->nin(); ++i) {
      const Var& x = node->input(i);
      auto it = tangent.find(x.get());
      if (it == tangent.end() || !it->second || is_disconnected(it->second)) continue;
      Var ep = it->second;
      auto xd = x.type()->dtype();
      auto ed = ep.type()->dtype();
      if (same_kind(x, ep) && xd && ed && *xd != *ed) ep = ep.type()->cast_grad(ep, *xd);
      eps[i] = ep;
      any = true;
    }
    if (!any) continue;
    // As Theano's Rop: a float tensor input without a direction gets zeros_like(input) (so
    // jvp always sees a full set for float tensors); others (integer, sparse) get a null Var.
    for (int i = 0; i < node->nin(); ++i) {
      const Var& x = node->input(i);
      if (!eps[i] && x.type()->zero_tangent_when_missing(x)) eps[i] = x.type()->zeros_like(x, false);
    }
    std::vector<Var> outs = node->op()->jvp(*node, eps);
    if (static_cast<int>(outs.size()) != node->nout())
      raise(ErrorKind::Runtime, "[Rop] ", node->op()->str(), ".jvp returned ", outs.size(), " results for ",
            node->nout(), " outputs");
    for (int o = 0; o < node->nout(); ++o)
      if (outs[o]) tangent[node->out(o)] = outs[o];
  }
  std::vector<Var> rval;
  for (const auto& out : f) {
    auto it = tangent.find(out.get());
    if (it != tangent.end() && it->second && !is_disconnected(it->second)) {
      rval.push_back(it->second);
      continue;
    }
    std::string msg = str_cat(
        "Rop method was asked to compute the gradient with respect to a variable that is not part of the "
        "computational graph of variables in wrt, or is used only by a non-differentiable operator: ",
        out->str());
    if (opts.disconnected_outputs == OnDisconnected::Raise) raise(ErrorKind::DisconnectedInput, "[Rop] ", msg);
    if (opts.disconnected_outputs == OnDisconnected::Warn) warn(msg);
    if (opts.return_disconnected == ReturnDisconnected::Zero) rval.push_back(out.type()->zeros_like(out, false));
    else if (opts.return_disconnected == ReturnDisconnected::None) rval.push_back(Var());
    else rval.push_back(disconnected_var());
  }
  return rval;
}


}  // namespace hypatia
