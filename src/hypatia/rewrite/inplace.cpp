// The generic in-place phase: DestroyHandler's safety rules and the rewriter that applies
// Op::inplace_variant (Theano's DestroyHandler + inplace optimizers, kept simple).
#include "hypatia/rewrite/inplace.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <ostream>
#include <queue>
#include <unordered_map>

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

// Walks the family (the variables sharing a buffer) of input `i` of `node` from its root and
// collects the other nodes that read a member's data (or overwrite it). What aliases `node`'s
// own outputs is not followed: it is the value after `node`. False when a member is a graph
// output or `node` reads the family through another input too.
bool family_readers(const FunctionGraph& fg, Apply* node, int i, std::vector<Apply*>& readers) {
  Variable* v = node->input(i).get();
  Variable* r = DestroyHandler::root(v);
  if (!r) return false;
  std::vector<Variable*> stack{r};
  std::unordered_set<Variable*> family{r};
  while (!stack.empty()) {
    Variable* m = stack.back();
    stack.pop_back();
    if (!fg.contains(m)) return false;
    for (const Client& c : fg.clients(m)) {
      if (!c.node) return false;  // a graph output: the caller would see it change
      if (c.node == node) {
        if (m != v || c.index != i) return false;  // the node reads the family twice
        continue;
      }
      bool destroys = false;
      std::vector<int> outs = outputs_aliasing(*c.node, c.index, &destroys);
      if ((outs.empty() || destroys) && std::find(readers.begin(), readers.end(), c.node) == readers.end())
        readers.push_back(c.node);
      for (int o : outs) {
        Variable* w = c.node->out(o);
        if (family.insert(w).second) stack.push_back(w);
      }
    }
  }
  return true;
}

// Every node that depends on `node`, through the graph or through `orderings` (a before b).
std::unordered_set<const Apply*> descendants_of(const FunctionGraph& fg, const Apply* node,
                                                const std::vector<std::pair<Apply*, Apply*>>& orderings) {
  std::unordered_set<const Apply*> seen;
  std::vector<const Apply*> stack{node};
  while (!stack.empty()) {
    const Apply* n = stack.back();
    stack.pop_back();
    auto visit = [&](const Apply* next) {
      if (next && seen.insert(next).second) stack.push_back(next);
    };
    for (int o = 0; o < n->nout(); ++o)
      for (const Client& c : fg.clients(n->out(o))) visit(c.node);
    for (const auto& [a, b] : orderings)
      if (a == n) visit(b);
  }
  return seen;
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
    // A graph input: only one the graph's owner replaces by this node's output after the
    // call (update_mapping: a shared variable a function updates, a value a loop carries).
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
  std::vector<Apply*> readers;
  if (!family_readers(fg_, node, i, readers)) return false;
  // Readers that come first anyway need nothing; the others are scheduled before the node
  // (destroy_orderings), which is possible when none of them depends on it, counting the
  // orderings already imposed by other destroyers.
  std::unordered_set<const Apply*> before = ancestors_of(node);
  std::vector<Apply*> later;
  for (Apply* r2 : readers)
    if (!before.count(r2)) later.push_back(r2);
  if (later.empty()) return true;
  std::unordered_set<const Apply*> after = descendants_of(fg_, node, destroy_orderings(fg_));
  for (Apply* r2 : later)
    if (after.count(r2)) return false;
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

std::vector<std::pair<Apply*, Apply*>> destroy_orderings(const FunctionGraph& fg) {
  std::vector<std::pair<Apply*, Apply*>> r;
  for (Apply* d : fg.apply_nodes()) {
    const ViewMap dm = d->op()->destroy_map();
    if (dm.empty()) continue;
    std::optional<std::unordered_set<const Apply*>> before;
    for (const auto& [o, ins] : dm)
      for (int i : ins) {
        std::vector<Apply*> readers;
        family_readers(fg, d, i, readers);
        for (Apply* reader : readers) {
          if (!before) before = ancestors_of(d);
          if (!before->count(reader)) r.emplace_back(reader, d);
        }
      }
  }
  return r;
}

std::vector<Apply*> destroy_aware_toposort(const FunctionGraph& fg) {
  std::vector<Apply*> order = fg.toposort();
  const std::vector<std::pair<Apply*, Apply*>> extra = destroy_orderings(fg);
  // Nodes that overwrite a graph input (an updated shared variable) run as late as the graph
  // allows: after every node that does not need them, so a call that fails elsewhere leaves
  // the shared values as they were (docs/design.md, "In-place updates").
  std::vector<char> late(order.size(), 0);
  bool any_late = false;
  for (size_t k = 0; k < order.size(); ++k)
    for (const auto& [o, ins] : order[k]->op()->destroy_map())
      for (int i : ins) {
        Variable* r = DestroyHandler::root(order[k]->input(i).get());
        if (r && !r->owner && !r->is_constant()) late[k] = 1, any_late = true;
      }
  if (extra.empty() && !any_late) return order;
  // Kahn's algorithm over the graph edges plus `extra`, taking ready nodes in their
  // toposort position (the late ones only when nothing else is ready), so the schedule only
  // moves what the orderings and the rule above require.
  std::unordered_map<const Apply*, size_t> pos;
  for (size_t k = 0; k < order.size(); ++k) pos[order[k]] = k;
  std::vector<std::vector<size_t>> succ(order.size());
  std::vector<int> indeg(order.size(), 0);
  auto edge = [&](const Apply* a, const Apply* b) {
    succ[pos.at(a)].push_back(pos.at(b));
    ++indeg[pos.at(b)];
  };
  for (Apply* n : order)
    for (const Var& in : n->inputs())
      if (in->owner) edge(in->owner, n);
  for (const auto& [a, b] : extra) edge(a, b);
  using Queue = std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>>;
  Queue ready, ready_late;
  auto push = [&](size_t k) { (late[k] ? ready_late : ready).push(k); };
  for (size_t k = 0; k < order.size(); ++k)
    if (indeg[k] == 0) push(k);
  std::vector<Apply*> out;
  while (!ready.empty() || !ready_late.empty()) {
    Queue& q = ready.empty() ? ready_late : ready;
    size_t k = q.top();
    q.pop();
    out.push_back(order[k]);
    for (size_t s : succ[k])
      if (--indeg[s] == 0) push(s);
  }
  if (out.size() != order.size())
    throw Error(ErrorKind::Runtime, "[inplace] the destroy orderings of this graph form a cycle");
  return out;
}

GraphRewriterPtr inplace_rewriter() { return std::make_shared<InplacePhase>(); }

}  // namespace hypatia
