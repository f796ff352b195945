// The ifelse rewrites (Theano's ifelse.py optimizations): constant conditions, identical
// branches, nested and sibling ifs on one condition, common elementwise ops.
#include "hypatia/control/rewrites/ifelse.h"

#include <algorithm>
#include <ostream>
#include <unordered_set>

#include "hypatia/control/ops/ifelse.h"
#include "hypatia/tensor/rewrites/util.h"

namespace hypatia {
namespace ifelse_rewrites {
namespace {

using tensor_rewrites::Result;
using tensor_rewrites::tracks_of;

const std::vector<std::string> kTags = {"fast_run", "fast_compile", "ifelse"};

const IfElse* ifelse_of(const Apply* node) { return node ? dynamic_cast<const IfElse*>(node->op().get()) : nullptr; }

// A new IfElse like `op` (name, as_view) over cond and the given pairs.
std::vector<Var> rebuild(const IfElse& op, const Var& cond, const std::vector<Var>& ts, const std::vector<Var>& es) {
  std::vector<Var> ins{cond};
  ins.insert(ins.end(), ts.begin(), ts.end());
  ins.insert(ins.end(), es.begin(), es.end());
  IfElseParams p = op.params();
  p.n_outs = static_cast<int>(ts.size());
  return apply_op(*std::make_shared<IfElse>(p), ins);
}

void split(const Apply* node, int n, std::vector<Var>& ts, std::vector<Var>& es) {
  ts.assign(node->inputs().begin() + 1, node->inputs().begin() + 1 + n);
  es.assign(node->inputs().begin() + 1 + n, node->inputs().end());
}

/// local_ifelse_constant_condition: a constant condition chooses the branch at compile time.
Result local_ifelse_constant_condition(FunctionGraph&, Apply* node) {
  const IfElse* op = ifelse_of(node);
  const Var& c = node->input(0);
  if (!op || c.owner() || !c->is_constant()) return std::nullopt;
  const int n = op->n_outs();
  const int base = ifelse_condition_true(*c->constant) ? 1 : 1 + n;
  return std::vector<Var>(node->inputs().begin() + base, node->inputs().begin() + base + n);
}

/// local_ifelse_remove_identical (Theano's cond_remove_identical): ifelse(c, x, x) is x, and a
/// (then, else) pair listed twice needs one output.
Result local_ifelse_remove_identical(FunctionGraph&, Apply* node) {
  const IfElse* op = ifelse_of(node);
  if (!op) return std::nullopt;
  const int n = op->n_outs();
  std::vector<Var> ts, es;
  split(node, n, ts, es);
  std::vector<int> slot(n, -1);  // output i -> kept pair index; -2: the branches agree
  std::vector<Var> kt, ke;
  for (int i = 0; i < n; ++i) {
    if (ts[i] == es[i]) {
      slot[i] = -2;
      continue;
    }
    for (size_t k = 0; k < kt.size(); ++k)
      if (kt[k] == ts[i] && ke[k] == es[i]) slot[i] = static_cast<int>(k);
    if (slot[i] == -1) {
      slot[i] = static_cast<int>(kt.size());
      kt.push_back(ts[i]);
      ke.push_back(es[i]);
    }
  }
  if (static_cast<int>(kt.size()) == n) return std::nullopt;
  std::vector<Var> outs = kt.empty() ? std::vector<Var>{} : rebuild(*op, node->input(0), kt, ke);
  std::vector<Var> r(n);
  for (int i = 0; i < n; ++i) r[i] = slot[i] == -2 ? ts[i] : outs[slot[i]];
  return r;
}

/// local_ifelse_merge_nested (Theano's cond_merge_ifs_true / _false): inside the then branch of
/// c, an ifelse on c itself always takes its then branch (likewise for else).
Result local_ifelse_merge_nested(FunctionGraph&, Apply* node) {
  const IfElse* op = ifelse_of(node);
  if (!op) return std::nullopt;
  const int n = op->n_outs();
  const Var& c = node->input(0);
  std::vector<Var> ts, es;
  split(node, n, ts, es);
  bool changed = false;
  for (int i = 0; i < n; ++i) {
    for (int side = 0; side < 2; ++side) {
      Var& v = side == 0 ? ts[i] : es[i];
      Apply* inner = v.owner();
      const IfElse* iop = ifelse_of(inner);
      if (!iop || !(inner->input(0) == c)) continue;
      const int m = iop->n_outs();
      v = inner->input(side == 0 ? 1 + v->index : 1 + m + v->index);
      changed = true;
    }
  }
  if (!changed) return std::nullopt;
  return rebuild(*op, c, ts, es);
}

/// local_ifelse_lift_elemwise: ifelse(c, f(a, y), f(b, y)) -> f(ifelse(c, a, b), y).
Result local_ifelse_lift_elemwise(FunctionGraph& fg, Apply* node) {
  const IfElse* op = ifelse_of(node);
  if (!op) return std::nullopt;
  const int n = op->n_outs();
  std::vector<Var> ts, es;
  split(node, n, ts, es);
  for (int i = 0; i < n; ++i) {
    Apply* t = ts[i].owner();
    Apply* e = es[i].owner();
    if (!t || !e || t == e || t->nout() != 1 || e->nout() != 1 || t->nin() != e->nin()) continue;
    if (!dynamic_cast<const Elemwise*>(t->op().get()) || !t->op()->equals(*e->op())) continue;
    if (!t->op()->destroy_map().empty()) continue;
    // The ifelse must be the only reader of both, or f would run twice.
    auto only_here = [&](const Var& v) {
      for (const Client& cl : fg.clients(v.get()))
        if (cl.node != node) return false;
      return true;
    };
    if (!only_here(ts[i]) || !only_here(es[i])) continue;
    int diff = -1, ndiff = 0;
    for (int k = 0; k < t->nin(); ++k)
      if (!(t->input(k) == e->input(k))) diff = k, ++ndiff;
    if (ndiff != 1 || !same_type(t->input(diff).type(), e->input(diff).type())) continue;
    ts[i] = t->input(diff);
    es[i] = e->input(diff);
    std::vector<Var> outs = rebuild(*op, node->input(0), ts, es);
    std::vector<Var> ins = t->inputs();
    ins[diff] = outs[i];
    Var lifted = t->clone_with_new_inputs(ins, false)->output(0);
    if (!same_type(lifted.type(), node->output(i).type())) return std::nullopt;
    outs[i] = lifted;
    return outs;
  }
  return std::nullopt;
}

// Whether `b` depends on `a` (a is among b's ancestors).
bool depends_on(const Apply* b, const Apply* a) {
  std::unordered_set<const Apply*> seen;
  std::vector<const Apply*> stack{b};
  while (!stack.empty()) {
    const Apply* x = stack.back();
    stack.pop_back();
    for (const Var& in : x->inputs()) {
      const Apply* o = in.owner();
      if (!o) continue;
      if (o == a) return true;
      if (seen.insert(o).second) stack.push_back(o);
    }
  }
  return false;
}

/// local_ifelse_merge_ifs (Theano's cond_merge_ifs): sibling ifelse nodes on one condition
/// become one node. A whole-graph pass, since it replaces two nodes at once.
class MergeIfs final : public GraphRewriter {
 public:
  std::string name() const override { return "local_ifelse_merge_ifs"; }
  bool apply(FunctionGraph& fg) const override {
    bool changed = false;
    for (bool again = true; again;) {
      again = false;
      std::vector<Apply*> ifs;
      for (Apply* node : fg.toposort())
        if (ifelse_of(node)) ifs.push_back(node);
      for (size_t a = 0; a < ifs.size() && !again; ++a)
        for (size_t b = a + 1; b < ifs.size() && !again; ++b) {
          Apply* x = ifs[a];
          Apply* y = ifs[b];
          const IfElse* ox = ifelse_of(x);
          const IfElse* oy = ifelse_of(y);
          if (!(x->input(0) == y->input(0)) || ox->as_view() != oy->as_view()) continue;
          if (depends_on(y, x) || depends_on(x, y)) continue;
          std::vector<Var> tx, ex, ty, ey;
          split(x, ox->n_outs(), tx, ex);
          split(y, oy->n_outs(), ty, ey);
          tx.insert(tx.end(), ty.begin(), ty.end());
          ex.insert(ex.end(), ey.begin(), ey.end());
          IfElseParams p = ox->params();
          if (p.name.empty()) p.name = oy->params().name;
          std::vector<Var> outs = rebuild(IfElse(p), x->input(0), tx, ex);
          std::vector<std::pair<Var, Var>> pairs;
          for (int i = 0; i < x->nout(); ++i) pairs.emplace_back(x->output(i), outs[i]);
          for (int i = 0; i < y->nout(); ++i) pairs.emplace_back(y->output(i), outs[x->nout() + i]);
          if (fg.replace_validate(pairs, "local_ifelse_merge_ifs")) changed = again = true;
        }
    }
    return changed;
  }
};

}  // namespace
}  // namespace ifelse_rewrites

void register_ifelse_canonicalize(RewriteDatabase& canonicalize) {
  using namespace ifelse_rewrites;
  canonicalize.add("local_ifelse_constant_condition", tracks_of<IfElse>(), local_ifelse_constant_condition, kTags);
  canonicalize.add("local_ifelse_remove_identical", tracks_of<IfElse>(), local_ifelse_remove_identical, kTags);
  canonicalize.add("local_ifelse_merge_nested", tracks_of<IfElse>(), local_ifelse_merge_nested, kTags);
  canonicalize.add("local_ifelse_lift_elemwise", tracks_of<IfElse>(), local_ifelse_lift_elemwise, kTags);
  canonicalize.register_rewrite("local_ifelse_merge_ifs", std::make_shared<MergeIfs>(), kTags);
}

}  // namespace hypatia
