// Rewrites added at run time: one dispatching node rewriter per phase over a mutable list.
#include "hypatia/rewrite/user_rewrites.h"

#include <atomic>
#include <map>
#include <mutex>

namespace hypatia {

namespace {

const char* const kPhases[] = {"canonicalize", "stabilize", "specialize"};

struct Registry {
  std::mutex mu;
  std::map<std::string, std::vector<NodeRewriterPtr>> by_phase;
  std::atomic<int> count{0};  // lets the dispatchers skip the lock while nothing is added
};

Registry& registry() {
  static auto* r = new Registry();  // never destroyed: rewriters may hold foreign objects
  return *r;
}

bool known_phase(const std::string& phase) {
  for (const char* p : kPhases)
    if (phase == p) return true;
  return false;
}

/// Runs the rewriters added to one phase, in the order they were added; the first that
/// applies to a node wins (the walker asks again on the rewritten graph).
class UserRewrites final : public NodeRewriter {
 public:
  explicit UserRewrites(std::string phase) : phase_(std::move(phase)) {}
  std::string name() const override { return "user_rewrites_" + phase_; }
  std::optional<std::vector<Var>> transform(FunctionGraph& fg, Apply* node) const override {
    Registry& r = registry();
    if (r.count.load(std::memory_order_acquire) == 0) return std::nullopt;
    std::vector<NodeRewriterPtr> rws;
    {
      std::lock_guard<std::mutex> lock(r.mu);
      auto it = r.by_phase.find(phase_);
      if (it == r.by_phase.end()) return std::nullopt;
      rws = it->second;
    }
    for (const NodeRewriterPtr& rw : rws) {
      if (!rw->tracks().matches(*node->op())) continue;
      auto out = rw->transform(fg, node);
      if (out && !out->empty()) return out;
    }
    return std::nullopt;
  }

 private:
  std::string phase_;
};

}  // namespace

void add_user_rewrite(const std::string& phase, NodeRewriterPtr rw) {
  if (!known_phase(phase))
    value_error("[register_rewrite] unknown phase '", phase, "'; expected canonicalize, stabilize or specialize");
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<NodeRewriterPtr>& list = r.by_phase[phase];
  for (const NodeRewriterPtr& e : list)
    if (e->name() == rw->name()) value_error("[register_rewrite] '", rw->name(), "' is already registered in ", phase);
  list.push_back(std::move(rw));
  r.count.fetch_add(1, std::memory_order_release);
}

void clear_user_rewrites() {
  Registry& r = registry();
  std::map<std::string, std::vector<NodeRewriterPtr>> old;  // dropped outside the lock
  {
    std::lock_guard<std::mutex> lock(r.mu);
    std::swap(old, r.by_phase);
    r.count.store(0, std::memory_order_release);
  }
}

void register_user_rewrites(RewriteDatabase& db, const std::string& phase) {
  db.register_rewrite("user_rewrites_" + phase, std::make_shared<UserRewrites>(phase), {"fast_run"});
}

}  // namespace hypatia
