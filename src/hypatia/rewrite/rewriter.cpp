// Rewriter drivers: committing a node rewrite, walking the graph, and iterating to a fixpoint.
#include "hypatia/rewrite/rewriter.h"

#include <algorithm>
#include <deque>
#include <iostream>
#include <unordered_set>

namespace hypatia {

namespace {

/// Reports a rewrite that was dropped for being malformed. Silent in release builds: the
/// graph stays correct, only an optimisation is lost.
template <class... Args>
void debug_report([[maybe_unused]] const Args&... args) {
#ifndef NDEBUG
  std::cerr << str_cat("[rewrite] ", args...) << "\n";
#endif
}

class FunctionNodeRewriter final : public NodeRewriter {
 public:
  FunctionNodeRewriter(std::string name, Tracks tracks, TransformFn fn)
      : name_(std::move(name)), tracks_(std::move(tracks)), fn_(std::move(fn)) {}
  std::string name() const override { return name_; }
  Tracks tracks() const override { return tracks_; }
  std::optional<std::vector<Var>> transform(FunctionGraph& fg, Apply* node) const override { return fn_(fg, node); }

 private:
  std::string name_;
  Tracks tracks_;
  TransformFn fn_;
};

/// Runs `rw` on `node` and commits the result; `replacements` receives the new variables.
bool try_rewrite(FunctionGraph& fg, Apply* node, const NodeRewriter& rw, std::vector<Var>* replacements) {
  std::optional<std::vector<Var>> res = rw.transform(fg, node);
  if (!res || res->empty()) return false;
  if (static_cast<int>(res->size()) != node->nout()) {
    debug_report(rw.name(), " returned ", res->size(), " replacements for ", node->op()->str(), " with ",
                 node->nout(), " outputs; skipped");
    return false;
  }
  std::vector<std::pair<Var, Var>> pairs;
  for (int i = 0; i < node->nout(); ++i) {
    const Var& neu = (*res)[i];
    if (!neu) continue;
    Var old = node->output(i);
    if (old == neu || fg.clients(old.get()).empty()) continue;
    if (!same_type(old.type(), neu.type())) {
      debug_report(rw.name(), " would replace output ", i, " of ", node->op()->str(), " (", old.type()->str(),
                   ") by a ", neu.type()->str(), "; skipped");
      return false;
    }
    pairs.emplace_back(std::move(old), neu);
  }
  if (pairs.empty()) return false;
  if (!fg.replace_validate(pairs, rw.name())) return false;
  if (replacements)
    for (const auto& p : pairs) replacements->push_back(p.second);
  return true;
}

}  // namespace

bool Tracks::matches(const Op& op) const {
  if (everything()) return true;
  if (!op_types.empty() && std::find(op_types.begin(), op_types.end(), std::type_index(typeid(op))) != op_types.end())
    return true;
  if (!op_names.empty()) {
    std::string n = op.name();
    if (std::find(op_names.begin(), op_names.end(), n) != op_names.end()) return true;
  }
  return false;
}

NodeRewriterPtr make_node_rewriter(std::string name, Tracks tracks, TransformFn fn) {
  return std::make_shared<FunctionNodeRewriter>(std::move(name), std::move(tracks), std::move(fn));
}

bool apply_node_rewriter(FunctionGraph& fg, Apply* node, const NodeRewriter& rw) {
  return try_rewrite(fg, node, rw, nullptr);
}

void GraphRewriter::print(std::ostream& os, int indent) const { os << std::string(indent, ' ') << name() << "\n"; }

// ---- walking ----

WalkingGraphRewriter::WalkingGraphRewriter(std::string name, std::vector<NodeRewriterPtr> rewriters, Order order,
                                           bool ignore_newtrees)
    : name_(std::move(name)), rewriters_(std::move(rewriters)), order_(order), ignore_newtrees_(ignore_newtrees) {
  for (const auto& rw : rewriters_) tracks_.push_back(rw->tracks());
}

bool WalkingGraphRewriter::apply(FunctionGraph& fg) const {
  if (rewriters_.empty()) return false;
  // Every node ever queued stays alive until the walk ends, so a pruned node's address can't
  // be reused by a new node that would then be mistaken for one already known.
  std::vector<ApplyPtr> keepalive;
  std::unordered_set<Apply*> known;
  std::deque<Apply*> queue;
  std::vector<Apply*> order = fg.toposort();
  if (order_ == Order::OutToIn) std::reverse(order.begin(), order.end());
  for (Apply* n : order) {
    keepalive.push_back(n->shared_from_this());
    known.insert(n);
    queue.push_back(n);
  }
  // Safety cap against rewrites that keep recreating each other's input.
  const size_t max_rewrites = 100 * (order.size() + 10);
  size_t rewrites = 0;
  bool changed = false;
  while (!queue.empty()) {
    Apply* node = queue.front();
    queue.pop_front();
    if (!fg.contains(node)) continue;
    for (size_t r = 0; r < rewriters_.size(); ++r) {
      const auto& rw = rewriters_[r];
      if (!tracks_[r].matches(*node->op())) continue;
      std::vector<Var> repl;
      if (!try_rewrite(fg, node, *rw, &repl)) continue;
      changed = true;
      if (++rewrites > max_rewrites) {
#ifndef NDEBUG
        std::cerr << "[rewrite] " << name_ << " stopped after " << rewrites << " rewrites (last: " << rw->name() << ")\n";
#endif
        return true;
      }
      if (!ignore_newtrees_) {
        // New nodes of the replacement, inputs first (post-order restricted to unknown nodes).
        std::vector<Apply*> fresh;
        std::vector<std::pair<Apply*, bool>> stack;
        for (const auto& v : repl)
          if (v->owner && fg.contains(v->owner) && !known.count(v->owner)) stack.push_back({v->owner, false});
        while (!stack.empty()) {
          auto [n, expanded] = stack.back();
          stack.pop_back();
          if (expanded) {
            fresh.push_back(n);
            continue;
          }
          if (known.count(n)) continue;
          known.insert(n);
          keepalive.push_back(n->shared_from_this());
          stack.push_back({n, true});
          for (const auto& in : n->inputs())
            if (in->owner && fg.contains(in->owner) && !known.count(in->owner)) stack.push_back({in->owner, false});
        }
        if (order_ == Order::InToOut) {
          for (auto it = fresh.rbegin(); it != fresh.rend(); ++it) queue.push_front(*it);
        } else {
          for (Apply* n : fresh) queue.push_front(n);
        }
      }
      if (!fg.contains(node)) break;
    }
  }
  return changed;
}

void WalkingGraphRewriter::print(std::ostream& os, int indent) const {
  os << std::string(indent, ' ') << name_ << " (" << (order_ == Order::InToOut ? "in2out" : "out2in") << "):";
  for (size_t i = 0; i < rewriters_.size(); ++i) os << (i ? ", " : " ") << rewriters_[i]->name();
  os << "\n";
}

GraphRewriterPtr in2out(std::string name, std::vector<NodeRewriterPtr> rewriters, bool ignore_newtrees) {
  return std::make_shared<WalkingGraphRewriter>(std::move(name), std::move(rewriters),
                                                WalkingGraphRewriter::Order::InToOut, ignore_newtrees);
}

GraphRewriterPtr out2in(std::string name, std::vector<NodeRewriterPtr> rewriters, bool ignore_newtrees) {
  return std::make_shared<WalkingGraphRewriter>(std::move(name), std::move(rewriters),
                                                WalkingGraphRewriter::Order::OutToIn, ignore_newtrees);
}

// ---- equilibrium ----

EquilibriumGraphRewriter::EquilibriumGraphRewriter(std::string name, std::vector<NodeRewriterPtr> node_rewriters,
                                                   std::vector<GraphRewriterPtr> graph_rewriters, int max_rounds)
    : name_(std::move(name)),
      node_rewriters_(std::move(node_rewriters)),
      graph_rewriters_(std::move(graph_rewriters)),
      max_rounds_(std::max(1, max_rounds)) {}

bool EquilibriumGraphRewriter::apply(FunctionGraph& fg) const { return apply(fg, nullptr); }

bool EquilibriumGraphRewriter::apply(FunctionGraph& fg, int* rounds) const {
  WalkingGraphRewriter walker(name_, node_rewriters_, WalkingGraphRewriter::Order::InToOut);
  bool any = false;
  for (int round = 1; round <= max_rounds_; ++round) {
    bool changed = false;
    for (const auto& g : graph_rewriters_) changed |= g->apply(fg);
    changed |= walker.apply(fg);
    if (rounds) *rounds = round;
    if (!changed) return any;
    any = true;
  }
  debug_report(name_, " did not reach a fixpoint in ", max_rounds_, " rounds");
  return any;
}

void EquilibriumGraphRewriter::print(std::ostream& os, int indent) const {
  os << std::string(indent, ' ') << name_ << " (equilibrium, at most " << max_rounds_ << " rounds)\n";
  for (const auto& g : graph_rewriters_) g->print(os, indent + 2);
  for (const auto& n : node_rewriters_) os << std::string(indent + 2, ' ') << n->name() << "\n";
}

bool SequentialGraphRewriter::apply(FunctionGraph& fg) const {
  bool changed = false;
  for (const auto& r : rewriters_) changed |= r->apply(fg);
  return changed;
}

void SequentialGraphRewriter::print(std::ostream& os, int indent) const {
  os << std::string(indent, ' ') << name_ << " (sequence)\n";
  for (const auto& r : rewriters_) r->print(os, indent + 2);
}

}  // namespace hypatia
