// The generic in-place phase: DestroyHandler's safety rules and the rewriter that applies
// Op::inplace_variant (Theano's DestroyHandler + inplace optimizers, kept simple).
#include "hypatia/rewrite/inplace.h"

#include <algorithm>
#include <optional>
#include <ostream>

#include "hypatia/graph/op.h"

namespace hypatia {

namespace {

// The inputs that output `o` of `op` aliases, by view or by destruction.
std::vector<int> aliased_inputs(const Op& op, int o) {
  std::vector<int> r;
  for (const ViewMap& m : {op.view_map(), op.destroy_map()}) {
    auto it = m.find(o);
    if (it != m.end()) r.insert(r.end(), it->second.begin(), it->second.end());
  }
  return r;
}

// Outputs of `node` that alias its input `i`; `*destroys` tells whether one of them does so by
// overwriting it (as opposed to a pure view).
std::vector<int> outputs_aliasing(const Apply& node, int i, bool* destroys) {
  std::vector<int> outs;
  *destroys = false;
  const Op& op = *node.op();
  for (const auto& [o, ins] : op.view_map())
    if (std::find(ins.begin(), ins.end(), i) != ins.end()) outs.push_back(o);
  for (const auto& [o, ins] : op.destroy_map())
    if (std::find(ins.begin(), ins.end(), i) != ins.end()) outs.push_back(o), *destroys = true;
  return outs;
}

// Every node `node` depends on (its strict ancestors).
std::unordered_set<const Apply*> ancestors_of(const Apply* node) {
  std::unordered_set<const Apply*> seen;
  std::vector<const Apply*> stack{node};
  while (!stack.empty()) {
    const Apply* n = stack.back();
    stack.pop_back();
    for (const Var& in : n->inputs())
      if (in->owner && seen.insert(in->owner).second) stack.push_back(in->owner);
  }
  return seen;
}

bool is_graph_output(const FunctionGraph& fg, const Variable* v) {
  for (const Client& c : fg.clients(v))
    if (!c.node) return true;
  return false;
}

class InplacePhase final : public GraphRewriter {
 public:
  std::string name() const override { return "inplace"; }
  bool apply(FunctionGraph& fg) const override {
    bool changed = false;
    for (Apply* node : fg.toposort()) {
      if (!fg.contains(node)) continue;
      const Op& op = *node->op();
      if (!op.destroy_map().empty()) continue;  // already overwrites something
      DestroyHandler dh(fg);
      std::vector<int> allowed = dh.destroyable_inputs(node);
      if (allowed.empty()) continue;
      OpPtr variant = op.inplace_variant(allowed);
      if (!variant) continue;
      // The variant may only destroy what it was offered.
      bool ok = true;
      for (const auto& [o, ins] : variant->destroy_map())
        for (int i : ins) ok &= std::find(allowed.begin(), allowed.end(), i) != allowed.end();
      HYPATIA_ASSERT(ok && "inplace_variant destroys an input it was not offered");
      if (!ok) continue;
      std::vector<Var> outs = apply_op(*variant, node->inputs());
      if (outs.size() != static_cast<size_t>(node->nout())) continue;
      std::vector<std::pair<Var, Var>> pairs;
      for (int o = 0; o < node->nout(); ++o) {
        if (!same_type(outs[o].type(), node->output(o).type())) ok = false;
        pairs.emplace_back(node->output(o), outs[o]);
      }
      if (ok && fg.replace_validate(pairs, "inplace")) changed = true;
    }
    return changed;
  }
  void print(std::ostream& os, int indent) const override {
    os << std::string(static_cast<size_t>(indent), ' ') << "inplace (generic: Op::inplace_variant where DestroyHandler allows)\n";
  }
};

}  // namespace

Variable* DestroyHandler::root(Variable* v) {
  while (v->owner) {
    std::vector<int> ins = aliased_inputs(*v->owner->op(), v->index);
    if (ins.empty()) return v;
    if (ins.size() != 1) return nullptr;
    v = v->owner->input(ins[0]).get();
  }
  return v;
}

bool DestroyHandler::can_destroy(Apply* node, int i) const {
  Variable* v = node->input(i).get();
  Variable* r = root(v);
  if (!r || v->is_constant() || r->is_constant()) return false;
  if (!r->owner) {
    // A graph input: only a shared variable this function updates, by this node's output.
    if (!r->is_shared()) return false;
    const auto& ins = fg_.inputs();
    auto it = std::find_if(ins.begin(), ins.end(), [&](const Var& x) { return x.get() == r; });
    if (it == ins.end()) return false;
    const int k = static_cast<int>(it - ins.begin());
    bool computes_update = false;
    for (const auto& [out, in] : fg_.update_mapping()) {
      if (in != k) continue;
      const Variable* upd = fg_.outputs()[static_cast<size_t>(out)].get();
      for (int o = 0; o < node->nout(); ++o) computes_update |= node->out(o) == upd;
    }
    if (!computes_update) return false;
  }
  // Walk the family from the root and check every reader.
  std::optional<std::unordered_set<const Apply*>> before;  // N's ancestors, computed on demand
  std::vector<Variable*> stack{r};
  std::unordered_set<Variable*> family{r};
  while (!stack.empty()) {
    Variable* m = stack.back();
    stack.pop_back();
    if (!fg_.contains(m)) return false;
    for (const Client& c : fg_.clients(m)) {
      if (!c.node) return false;  // a graph output: the caller would see it change
      if (c.node == node) {
        if (m != v || c.index != i) return false;  // N reads the family twice
        continue;
      }
      bool destroys = false;
      std::vector<int> outs = outputs_aliasing(*c.node, c.index, &destroys);
      if (outs.empty() || destroys) {  // reads (or overwrites) the data: must be done before N
        if (!before) before = ancestors_of(node);
        if (!before->count(c.node)) return false;
      }
      for (int o : outs) {
        Variable* w = c.node->out(o);
        if (family.insert(w).second) stack.push_back(w);
      }
    }
  }
  return true;
}

std::vector<int> DestroyHandler::destroyable_inputs(Apply* node) const {
  std::vector<int> r;
  for (int i = 0; i < node->nin(); ++i) {
    bool fits = false;
    for (int o = 0; o < node->nout(); ++o) fits |= same_type(node->input(i).type(), node->output(o).type());
    if (fits && can_destroy(node, i)) r.push_back(i);
  }
  return r;
}

std::vector<Variable*> destroyed_graph_inputs(const FunctionGraph& fg) {
  std::vector<Variable*> r;
  for (Apply* node : fg.apply_nodes())
    for (const auto& [o, ins] : node->op()->destroy_map())
      for (int i : ins) {
        Variable* root = DestroyHandler::root(node->input(i).get());
        if (root && !root->owner && std::find(r.begin(), r.end(), root) == r.end()) r.push_back(root);
      }
  return r;
}

GraphRewriterPtr inplace_rewriter() { return std::make_shared<InplacePhase>(); }

}  // namespace hypatia
