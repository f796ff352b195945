// VM: slot layout, buffer recycling, and node execution with Theano-style error context.
#include "hypatia/link/vm.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <optional>
#include <queue>

#include "hypatia/graph/print.h"
#include "hypatia/link/exception_verbosity.h"
#include "hypatia/rewrite/inplace.h"

namespace hypatia {

namespace {
std::atomic<bool> g_exception_verbosity_high{false};
}  // namespace

void set_exception_verbosity_high(bool high) { g_exception_verbosity_high.store(high, std::memory_order_relaxed); }
bool exception_verbosity_high() { return g_exception_verbosity_high.load(std::memory_order_relaxed); }

std::string node_str(const Apply& node) {
  std::string s = node.op()->str() + "(";
  for (int i = 0; i < node.nin(); ++i) s += str_cat(i ? ", " : "", node.input(i)->str());
  return s + ")";
}

int64_t value_nbytes(const Value& v) {
  if (const auto* a = std::get_if<NDArray>(&v)) return a->nbytes();
  if (const auto* m = std::get_if<SparseMatrix>(&v))
    return m->data().nbytes() + m->indices().nbytes() + m->indptr().nbytes();
  return 0;
}

VM::VM(const FunctionGraph& fg, bool allow_gc) : allow_gc_(allow_gc) {
  auto slot_for = [&](const Variable* v) {
    auto it = slot_index_.find(v);
    if (it != slot_index_.end()) return it->second;
    int s = static_cast<int>(slot_index_.size());
    slot_index_[v] = s;
    return s;
  };
  for (const auto& in : fg.inputs()) slot_for(in.get());
  // In-place nodes may need readers of the value they overwrite to run first.
  std::vector<Apply*> order = destroy_aware_toposort(fg);
  std::vector<std::vector<std::pair<const Apply*, int>>> node_guards;
  plan_lazy(fg, order, node_guards);
  for (Apply* node : order) {
    Thunk t{node->op().get(), node, {}, {}, {}};
    for (const auto& in : node->inputs()) t.in_slots.push_back(slot_for(in.get()));
    for (int i = 0; i < node->nout(); ++i) t.out_slots.push_back(slot_for(node->out(i)));
    thunks_.push_back(std::move(t));
  }
  for (const auto& o : fg.outputs()) slot_for(o.get());
  constants_.resize(slot_index_.size());
  // Constants are filled once per frame and kept.
  std::vector<bool> keep(constants_.size(), false);
  for (const auto& [v, s] : slot_index_) {
    if (v->is_constant()) {
      constants_[s] = *v->constant;
      keep[s] = true;
    }
    if (!v->owner) keep[s] = true;  // inputs and shared values are refilled per call
  }
  for (const auto& o : fg.outputs()) keep[slot_index_.at(o.get())] = true;
  // Each intermediate is released after the last thunk that reads it.
  std::vector<int> last_use(constants_.size(), -1);
  for (size_t k = 0; k < thunks_.size(); ++k)
    for (int s : thunks_[k].in_slots) last_use[s] = static_cast<int>(k);
  for (size_t s = 0; s < constants_.size(); ++s)
    if (!keep[s] && last_use[s] >= 0) thunks_[last_use[s]].free_after.push_back(static_cast<int>(s));
  for (const auto& t : thunks_) max_in_ = std::max(max_in_, t.in_slots.size());
  if (!node_guards.empty()) {
    guards_.resize(thunks_.size());
    for (size_t k = 0; k < thunks_.size(); ++k)
      for (const auto& [lazy, branch] : node_guards[k]) {
        const int sel = lazy->op()->lazy_branches(*lazy)->selector;
        guards_[k].push_back({lazy->op().get(), slot_index_.at(lazy->input(sel).get()), branch});
      }
  }
}

void VM::plan_lazy(const FunctionGraph& fg, std::vector<Apply*>& order,
                   std::vector<std::vector<std::pair<const Apply*, int>>>& node_guards) const {
  using GuardSet = std::vector<std::pair<const Apply*, int>>;  // sorted
  // Per lazy node, the branch of each input (-1: the selector, an input of no branch, or one
  // that several branches read).
  std::unordered_map<const Apply*, std::vector<int>> branch_of;
  for (Apply* node : order) {
    std::optional<LazyBranches> lb = node->op()->lazy_branches(*node);
    if (!lb) continue;
    std::vector<int> b(node->nin(), -1);
    std::vector<int> seen(node->nin(), 0);
    for (size_t br = 0; br < lb->branches.size(); ++br)
      for (int i : lb->branches[br])
        if (i >= 0 && i < node->nin() && i != lb->selector) b[i] = seen[i]++ ? -1 : static_cast<int>(br);
    branch_of.emplace(node, std::move(b));
  }
  if (branch_of.empty()) return;
  // Guards, clients first: a variable needed by an output needs nothing; otherwise the
  // guards common to all its clients, each client contributing its own guards plus, for a
  // lazy client reading the variable through one branch only, that branch.
  std::unordered_map<const Apply*, GuardSet> guard;
  bool any = false;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Apply* node = *it;
    std::optional<GuardSet> acc;
    for (int o = 0; o < node->nout() && !(acc && acc->empty()); ++o) {
      Variable* v = node->out(o);
      for (const Client& c : fg.clients(v)) {
        if (!c.node) {
          acc = GuardSet{};
          break;
        }
        GuardSet s = guard.at(c.node);
        auto lb = branch_of.find(c.node);
        if (lb != branch_of.end()) {
          int br = -2;  // the branch through which c.node reads v (-1: not a single branch)
          for (int i = 0; i < c.node->nin(); ++i)
            if (c.node->input(i).get() == v) br = br == -2 || br == lb->second[i] ? lb->second[i] : -1;
          if (br >= 0) {
            s.emplace_back(c.node, br);
            std::sort(s.begin(), s.end());
          }
        }
        if (!acc) {
          acc = std::move(s);
        } else {
          GuardSet both;
          std::set_intersection(acc->begin(), acc->end(), s.begin(), s.end(), std::back_inserter(both));
          acc = std::move(both);
        }
        if (acc->empty()) break;
      }
    }
    GuardSet g = acc.value_or(GuardSet{});  // a node nobody reads runs (as before)
    any |= !g.empty();
    guard.emplace(node, std::move(g));
  }
  if (!any) return;
  // Reorder: Kahn's algorithm over the graph edges, destroy_orderings and "the selector of
  // each guard before the guarded node", taking ready nodes in their current position so that
  // only what these edges require moves.
  std::unordered_map<const Apply*, size_t> pos;
  for (size_t k = 0; k < order.size(); ++k) pos[order[k]] = k;
  std::vector<std::vector<size_t>> succ(order.size());
  std::vector<int> indeg(order.size(), 0);
  auto edge = [&](const Apply* a, const Apply* b) {
    succ[pos.at(a)].push_back(pos.at(b));
    ++indeg[pos.at(b)];
  };
  for (Apply* n : order) {
    for (const Var& in : n->inputs())
      if (in->owner) edge(in->owner, n);
    for (const auto& [lazy, br] : guard.at(n)) {
      const Variable* sel = lazy->input(lazy->op()->lazy_branches(*lazy)->selector).get();
      if (sel->owner && sel->owner != n) edge(sel->owner, n);
    }
  }
  for (const auto& [a, b] : destroy_orderings(fg)) edge(a, b);
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t k = 0; k < order.size(); ++k)
    if (indeg[k] == 0) ready.push(k);
  std::vector<Apply*> out;
  while (!ready.empty()) {
    size_t k = ready.top();
    ready.pop();
    out.push_back(order[k]);
    for (size_t j : succ[k])
      if (--indeg[j] == 0) ready.push(j);
  }
  if (out.size() != order.size()) return;  // a cycle through destroy_orderings: run everything
  order = std::move(out);
  node_guards.resize(order.size());
  for (size_t k = 0; k < order.size(); ++k) node_guards[k] = guard.at(order[k]);
}

bool VM::wanted(const Frame& f, size_t k) const {
  for (const Guard& g : guards_[k]) {
    const Value& sel = f.slots[g.selector_slot];
    if (is_empty(sel)) return false;
    try {
      if (g.op->choose_branch(sel) != g.branch) return false;
    } catch (const std::exception&) {
      return true;  // a bad selector: the lazy node itself reports it
    }
  }
  return true;
}

int VM::slot_of(const Variable* v) const {
  auto it = slot_index_.find(v);
  return it == slot_index_.end() ? -1 : it->second;
}

std::unique_ptr<VM::Frame> VM::make_frame() const {
  auto f = std::make_unique<Frame>();
  f->slots = constants_;
  f->memo.resize(constants_.size());
  f->in_ptrs.resize(max_in_);
  if (profile_) f->seconds.assign(thunks_.size(), 0.0);
  return f;
}

void VM::set_profiling(bool on) {
  std::lock_guard<std::mutex> lock(profile_mu_);
  profile_ = on;
  thunk_seconds_.assign(thunks_.size(), 0.0);
  thunk_bytes_.assign(thunks_.size(), 0);
  peak_bytes_ = 0;
  calls_ = 0;
  run_seconds_ = 0;
}

VM::ProfileData VM::profile_data() const {
  std::lock_guard<std::mutex> lock(profile_mu_);
  return {thunk_seconds_, thunk_bytes_, calls_, peak_bytes_, run_seconds_};
}

void VM::prepare_outputs(Frame& f, const Thunk& t) const {
  for (int s : t.out_slots) {
    Frame::Memo& m = f.memo[s];
    if (!m.parked || !is_empty(f.slots[s])) continue;
    f.slots[s] = NDArray(m.dtype, m.shape, NDArray::c_strides(m.shape, itemsize(m.dtype)), 0, std::move(m.parked));
    m.parked.reset();
  }
}

void VM::release(Frame& f, int s) const {
  Value& v = f.slots[s];
  if (profile_) f.alive_bytes -= value_nbytes(v);
  if (auto* a = std::get_if<NDArray>(&v)) {
    Frame::Memo& m = f.memo[s];
    if (a->buffer().use_count() == 1 && a->buffer()->owned() && a->offset() == 0 && a->is_c_contiguous()) {
      m.dtype = a->dtype();
      m.shape = a->shape();
      m.parked = a->buffer();
    }
  }
  v = std::monostate{};
}

std::string VM::profile_summary() const {
  std::lock_guard<std::mutex> lock(profile_mu_);
  if (!profile_) return "profiling is off (compile with profile=True)\n";
  double total = std::accumulate(thunk_seconds_.begin(), thunk_seconds_.end(), 0.0);
  std::vector<size_t> order(thunks_.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return thunk_seconds_[a] > thunk_seconds_[b]; });
  std::string out = str_cat("Function profile: ", calls_, " calls, ", total * 1e3, " ms in nodes\n",
                            "  <% time> <ms per call> <node>\n");
  for (size_t k : order) {
    char line[64];
    std::snprintf(line, sizeof line, "  %6.1f%%  %10.4f  ", total > 0 ? 100.0 * thunk_seconds_[k] / total : 0.0,
                  calls_ ? 1e3 * thunk_seconds_[k] / static_cast<double>(calls_) : 0.0);
    out += line + node_str(*thunks_[k].node) + "\n";
  }
  return out;
}

void VM::run(Frame& f, NodeObserver* obs) const {
  const auto t0 = profile_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  if (guards_.empty()) run_thunks<false>(f, obs);
  else run_thunks<true>(f, obs);
  if (profile_) {
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::lock_guard<std::mutex> lock(profile_mu_);
    run_seconds_ += dt;
  }
}

template <bool kLazy>
void VM::run_thunks(Frame& f, NodeObserver* obs) const {
  std::vector<Value>& slots = f.slots;
  if (profile_ && f.seconds.size() != thunks_.size()) f.seconds.assign(thunks_.size(), 0.0);
  if constexpr (kLazy) f.skipped = 0;
  f.alive_bytes = f.peak_bytes = 0;
  std::vector<Value> before;
  std::vector<const Value*> out_ptrs;
  std::vector<int64_t> out_bytes(profile_ ? thunks_.size() : 0, 0);
  for (size_t k = 0; k < thunks_.size(); ++k) {
    const Thunk& t = thunks_[k];
    if constexpr (kLazy) {
      if (!guards_[k].empty() && !wanted(f, k)) {
        // Not needed on this call: no stale value may stand for its results, and what it
        // alone still read is released as if it had run.
        ++f.skipped;
        for (int s : t.out_slots) slots[s] = std::monostate{};
        if (allow_gc_)
          for (int s : t.free_after) release(f, s);
        continue;
      }
    }
    const auto t0 = profile_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    for (size_t i = 0; i < t.in_slots.size(); ++i) f.in_ptrs[i] = &slots[t.in_slots[i]];
    if (allow_gc_) prepare_outputs(f, t);
    Value* outs = &slots[t.out_slots[0]];
    // Output slots are contiguous only when allocated together; gather otherwise.
    bool contiguous = true;
    for (size_t i = 1; i < t.out_slots.size(); ++i) contiguous &= t.out_slots[i] == t.out_slots[0] + static_cast<int>(i);
    if (obs && obs->wants_input_copies()) {
      before.clear();
      for (size_t i = 0; i < t.in_slots.size(); ++i) before.push_back(deep_copy(*f.in_ptrs[i]));
    }
    try {
      if (contiguous) {
        t.op->perform(*t.node, f.in_ptrs.data(), outs);
      } else {
        std::vector<Value> tmp(t.out_slots.size());
        for (size_t i = 0; i < tmp.size(); ++i) tmp[i] = std::move(slots[t.out_slots[i]]);
        t.op->perform(*t.node, f.in_ptrs.data(), tmp.data());
        for (size_t i = 0; i < tmp.size(); ++i) slots[t.out_slots[i]] = std::move(tmp[i]);
      }
      if (obs) {
        out_ptrs.clear();
        for (int s : t.out_slots) out_ptrs.push_back(&slots[s]);
        obs->after(*t.node, before, f.in_ptrs.data(), out_ptrs);
      }
    } catch (const std::exception& e) {
      std::string shapes = "[", types = "[";
      for (size_t i = 0; i < t.in_slots.size(); ++i) {
        shapes += str_cat(i ? ", " : "", shape_str(value_shape(slots[t.in_slots[i]])));
        types += str_cat(i ? ", " : "", t.node->input(static_cast<int>(i)).type()->str());
      }
      // Keeps an Error's kind; std::bad_alloc / std::length_error become MemoryError (as_error).
      const Error err = as_error(e, t.op->str());
      const ErrorKind kind = err.kind();
      // Drop partial results so the next call starts clean.
      for (const Thunk& u : thunks_)
        for (int s : u.out_slots) slots[s] = std::monostate{};
      std::string detail;
      const auto& trace = t.node->nout() > 0 ? t.node->out(0)->trace : nullptr;
      if (trace && !trace->empty()) {
        detail += str_cat("\nBacktrace when the node is created (use Hypatia flag traceback.limit=N to make it longer):\n",
                          format_creation_trace(*trace));
      } else if (!exception_verbosity_high()) {
        detail += "\nHINT: this node has no creation trace; from Python, the flag traceback.limit (default 8) records one.";
      }
      if (exception_verbosity_high()) {
        detail += str_cat("\nDebugprint of the apply node:\n", debugprint(t.node->outputs(), -1, true));
      } else {
        detail += "\nHINT: Use the Hypatia flag 'exception_verbosity=high' for a debugprint of this apply node.";
      }
      throw Error(kind, str_cat(err.what(), "\nApply node that caused the error: ", node_str(*t.node),
                                "\nInputs shapes: ", shapes, "]\nInputs types: ", types, "]", detail));
    }
    if (profile_) {
      f.seconds[k] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      for (int s : t.out_slots) {
        const int64_t b = value_nbytes(slots[s]);
        out_bytes[k] += b;
        f.alive_bytes += b;
      }
      f.peak_bytes = std::max(f.peak_bytes, f.alive_bytes);
    }
    if (allow_gc_)
      for (int s : t.free_after) release(f, s);
  }
  if (profile_) {
    std::lock_guard<std::mutex> lock(profile_mu_);
    ++calls_;
    for (size_t k = 0; k < thunks_.size(); ++k) {
      thunk_seconds_[k] += f.seconds[k];
      thunk_bytes_[k] = std::max(thunk_bytes_[k], out_bytes[k]);
    }
    peak_bytes_ = std::max(peak_bytes_, f.peak_bytes);
    std::fill(f.seconds.begin(), f.seconds.end(), 0.0);
  }
}

}  // namespace hypatia
