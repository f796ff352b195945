// Iterative graph walks: deep chains (10^5 nodes) must not hit recursion limits.
#include "hypatia/graph/traversal.h"

#include <unordered_set>

namespace hypatia {

namespace {
// Post-order DFS over variables with an explicit stack. visit(var) is called once per variable
// after all of its owner's inputs were visited.
template <class F>
void post_order(const std::vector<Var>& outputs, const std::unordered_set<Variable*>& blockers, F&& visit) {
  std::unordered_set<Variable*> done;
  std::vector<std::pair<Variable*, bool>> stack;
  for (auto it = outputs.rbegin(); it != outputs.rend(); ++it) stack.push_back({it->get(), false});
  while (!stack.empty()) {
    auto [v, expanded] = stack.back();
    stack.pop_back();
    if (done.count(v)) continue;
    if (expanded || !v->owner || blockers.count(v)) {
      done.insert(v);
      visit(v);
      continue;
    }
    stack.push_back({v, true});
    const auto& ins = v->owner->inputs();
    for (auto it = ins.rbegin(); it != ins.rend(); ++it)
      if (!done.count(it->get())) stack.push_back({it->get(), false});
  }
}
std::unordered_set<Variable*> as_set(const std::vector<Var>& vs) {
  std::unordered_set<Variable*> s;
  for (const auto& v : vs) s.insert(v.get());
  return s;
}
}  // namespace

std::vector<Var> ancestors(const std::vector<Var>& outputs, const std::vector<Var>& blockers) {
  std::vector<Var> out;
  post_order(outputs, as_set(blockers), [&](Variable* v) { out.push_back(Var::from(v)); });
  return out;
}

std::vector<Var> graph_inputs(const std::vector<Var>& outputs, const std::vector<Var>& blockers) {
  auto b = as_set(blockers);
  std::vector<Var> out;
  post_order(outputs, b, [&](Variable* v) {
    if (!v->owner || b.count(v)) out.push_back(Var::from(v));
  });
  return out;
}

std::vector<Apply*> io_toposort(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  std::vector<Apply*> order;
  std::unordered_set<Apply*> seen;
  post_order(outputs, as_set(inputs), [&](Variable* v) {
    if (v->owner && seen.insert(v->owner).second) {
      // A node is complete once any of its outputs is visited: its inputs were all visited.
      order.push_back(v->owner);
    }
  });
  return order;
}

std::vector<Var> clone_replace(const std::vector<Var>& outputs, const VarMap& replace, VarMap* equiv_out) {
  VarMap equiv = replace;
  std::vector<Var> blockers;
  for (const auto& [k, v] : replace) blockers.push_back(Var::from(k));
  post_order(outputs, as_set(blockers), [&](Variable* v) {
    if (equiv.count(v)) return;
    if (!v->owner) {
      equiv[v] = Var::from(v);
      return;
    }
    Apply* node = v->owner;
    std::vector<Var> new_inputs;
    bool changed = false;
    for (const auto& in : node->inputs()) {
      new_inputs.push_back(equiv.at(in.get()));
      changed |= !(new_inputs.back() == in);
    }
    if (!changed) {
      for (int i = 0; i < node->nout(); ++i) equiv[node->out(i)] = node->output(i);
      return;
    }
    ApplyPtr nn = node->clone_with_new_inputs(new_inputs, false);
    for (int i = 0; i < node->nout(); ++i) equiv[node->out(i)] = nn->output(i);
  });
  std::vector<Var> out;
  for (const auto& o : outputs) out.push_back(equiv.at(o.get()));
  if (equiv_out) *equiv_out = std::move(equiv);
  return out;
}

bool depends_on(const Var& var, const std::vector<Var>& candidates) {
  auto c = as_set(candidates);
  bool found = false;
  post_order({var}, {}, [&](Variable* v) { found |= c.count(v) > 0; });
  return found;
}

}  // namespace hypatia
