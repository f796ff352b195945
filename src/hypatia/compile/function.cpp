// Function: compilation (givens, shared inputs, updates, rewriting, linking) and the call path.
#include "hypatia/compile/function.h"
#include "hypatia/util/warning.h"
#include "hypatia/graph/test_value.h"

#include <chrono>
#include <algorithm>
#include <iostream>
#include <unordered_set>

#include "hypatia/compile/pipeline.h"
#include "hypatia/rewrite/inplace.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/ops/random.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

namespace {
std::string in_name(const In& in) { return in.name.empty() ? in.variable->name : in.name; }
}  // namespace

void set_mode(FunctionOptions& opts, const std::string& mode) {
  ModeSpec spec = parse_mode(mode);
  opts.mode = spec.base == "FAST_RUN" ? Mode::FastRun : spec.base == "FAST_COMPILE" ? Mode::FastCompile : Mode::None;
  opts.excluding = std::move(spec.excluding);
  opts.including = std::move(spec.including);
  opts.requiring = std::move(spec.requiring);
}

std::string mode_name(const FunctionOptions& opts) {
  std::string s = opts.mode == Mode::FastRun ? "FAST_RUN" : opts.mode == Mode::FastCompile ? "FAST_COMPILE" : "None";
  for (const auto& t : opts.excluding) s += "-" + t;
  for (const auto& t : opts.including) s += "+" + t;
  for (const auto& t : opts.requiring) s += "&" + t;
  return s;
}

OnUnusedInput on_unused_input_from_name(const std::string& name) {
  if (name == "raise") return OnUnusedInput::Raise;
  if (name == "warn") return OnUnusedInput::Warn;
  if (name == "ignore") return OnUnusedInput::Ignore;
  value_error("[function] on_unused_input must be 'raise', 'warn' or 'ignore', got '", name, "'");
}

const char* on_unused_input_name(OnUnusedInput v) {
  return v == OnUnusedInput::Raise ? "raise" : v == OnUnusedInput::Warn ? "warn" : "ignore";
}

Function::Function(std::vector<In> inputs, std::vector<Out> outputs, FunctionOptions options)
    : inputs_(std::move(inputs)), outputs_(std::move(outputs)), options_(std::move(options)) {
  auto t0 = std::chrono::steady_clock::now();
  TestValueSuspend no_test_values;  // compiling rewrites graphs already checked when built
  CreationTraceSuspend no_traces;   // traceback.compile_limit = 0: rewrites copy the user's traces
  const std::string who = "[function]";
  // 1. Explicit inputs: variables (not shared, not constant), each given once. An input
  // computed by other variables cuts the graph there, as in Theano: it is replaced by a root
  // of the same type, and what it was computed from is not needed.
  std::unordered_set<Variable*> explicit_vars;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Var& v = inputs_[i].variable;
    if (!v) type_error(who, " input ", i, " is None");
    if (v->is_shared())
      type_error(who, " cannot use a shared variable (", v->str(), ") as explicit input. Consider substituting a non-shared variable via the `givens` parameter");
    if (v->is_constant()) type_error(who, " input ", i, " is a constant (", v->str(), "); constants cannot be function inputs");
    if (!explicit_vars.insert(v.get()).second) value_error(who, " variable ", v->str(), " is used twice as an input");
    if (inputs_[i].update && !inputs_[i].value)
      value_error(who, " input ", in_name(inputs_[i]), " has an update but no value; In(update=...) needs value=...");
  }
  // 2. Gather the expressions to compute: outputs, then shared updates, then In updates.
  std::vector<Var> exprs;
  for (const auto& o : outputs_) {
    if (!o.variable) type_error(who, " an output is None");
    exprs.push_back(o.variable);
  }
  std::unordered_set<Variable*> updated;
  for (const auto& [target, expr] : options_.updates) {
    if (!target->is_shared())
      type_error(who, " update target ", target->str(), " must be a shared variable");
    if (!updated.insert(target.get()).second)
      value_error(who, " this shared variable already has an update expression: ", target->str());
    if (!same_type(target.type(), expr.type()))
      type_error(who, " an update must have the same type as the original shared variable (shared_var=",
                 target->str(), ", shared_var.type=", target.type()->str(), ", update_val=", expr->str(),
                 ", update_val.type=", expr.type()->str(), "). If the difference is related to the broadcast pattern, you can call the tensor.unbroadcast(var, axis_to_unbroadcast[, ...]) function to remove broadcastable dimensions.");
    exprs.push_back(expr);
  }
  for (const auto& in : inputs_)
    if (in.update) {
      if (!same_type(in.variable.type(), in.update.type()))
        type_error(who, " the update of input ", in_name(in), " has type ", in.update.type()->str(), ", expected ", in.variable.type()->str());
      exprs.push_back(in.update);
    }
  // 3. Givens replace variables before anything else looks at the graph; so do the cuts at
  // non-root inputs. Default updates added below get the same replacements, so a draw whose
  // size depends on a replaced variable advances its state from the replaced graph.
  VarMap repl;
  for (const auto& [old, neu] : options_.givens) {
    if (!same_type(old.type(), neu.type()))
      type_error(who, " givens: cannot replace ", old->str(), " (", old.type()->str(), ") by ", neu->str(), " (", neu.type()->str(), ")");
    repl[old.get()] = neu;
  }
  std::vector<Var> fg_inputs;
  for (auto& in : inputs_) {
    Var root = in.variable;
    if (root->owner) {
      root = make_variable(root.type(), root->name);
      repl[in.variable.get()] = root;
    }
    fg_inputs.push_back(root);
  }
  auto apply_repl = [&](std::vector<Var> vs) { return repl.empty() ? vs : clone_replace(vs, repl); };
  exprs = apply_repl(std::move(exprs));
  // Shared variables with a default update (random state, say) get it unless the caller gave
  // one; the new updates may read further shared variables, so repeat until nothing is added.
  if (!options_.no_default_updates) {
    for (size_t scanned = 0;;) {
      std::vector<Var> roots = graph_inputs(exprs);
      bool added = false;
      for (const auto& v : roots) {
        if (!v->is_shared() || updated.count(v.get()) || repl.count(v.get())) continue;
        Var upd = get_default_update(v);
        if (!upd || !same_type(v.type(), upd.type())) continue;
        upd = apply_repl({upd})[0];
        updated.insert(v.get());
        // exprs holds outputs, then shared updates, then In updates: keep that order.
        exprs.insert(exprs.begin() + static_cast<std::ptrdiff_t>(outputs_.size() + options_.updates.size()), upd);
        options_.updates.emplace_back(v, upd);
        added = true;
      }
      if (!added || ++scanned > 100) break;
    }
  }
  // 4. Unused inputs.
  std::vector<Var> all_inputs = graph_inputs(exprs);
  std::unordered_set<Variable*> used;
  for (const auto& v : all_inputs) used.insert(v.get());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (used.count(fg_inputs[i].get()) || options_.on_unused_input == OnUnusedInput::Ignore) continue;
    std::string msg = str_cat(who, " hypatia.function was asked to create a function computing outputs given certain inputs, but the provided input variable at index ", i,
                              " is not part of the computational graph needed to compute the outputs: ", inputs_[i].variable->str(),
                              ".\nTo make this error into a warning, you can pass the parameter on_unused_input='warn' to hypatia.function. To disable it completely, use on_unused_input='ignore'.");
    if (options_.on_unused_input == OnUnusedInput::Warn) warn(msg);
    else raise(ErrorKind::UnusedInput, msg);
  }
  // 5. The graph: explicit inputs, then every shared variable it reads.
  std::vector<Var> shared_vars;
  for (const auto& v : all_inputs)
    if (v->is_shared() && !explicit_vars.count(v.get())) shared_vars.push_back(v);
  for (const auto& update : options_.updates) {
    const Var& target = update.first;  // not a structured binding: clang 14 cannot capture those
    if (std::none_of(shared_vars.begin(), shared_vars.end(), [&](const Var& s) { return s == target; }))
      shared_vars.push_back(target);
  }
  fg_inputs.insert(fg_inputs.end(), shared_vars.begin(), shared_vars.end());
  fgraph_ = std::make_shared<FunctionGraph>(fg_inputs, exprs, true);
  // Which output replaces which shared input: the in-place phase may let the node computing
  // an update overwrite the old value's buffer (docs/design.md, "In-place updates").
  {
    std::map<int, int> mapping;
    for (size_t k = 0; k < options_.updates.size(); ++k) {
      const Var& target = options_.updates[k].first;
      auto it = std::find(shared_vars.begin(), shared_vars.end(), target);
      mapping[static_cast<int>(outputs_.size() + k)] = static_cast<int>(inputs_.size() + (it - shared_vars.begin()));
    }
    fgraph_->set_update_mapping(std::move(mapping));
  }
  auto lap = [t = std::chrono::steady_clock::now()]() mutable {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - t).count();
    t = now;
    return s;
  };
  compile_phases_["graph"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (options_.debug.enabled) debug_ = std::make_shared<DebugChecker>(*fgraph_, options_.debug);
  if (options_.nan_guard.enabled()) nan_guard_ = std::make_shared<NanGuard>(options_.nan_guard);
  optimize_graph(*fgraph_, mode_name(options_), options_.profile ? &rewrite_phases_ : nullptr);
  compile_phases_["rewrite"] = lap();
  vm_ = std::make_shared<VM>(*fgraph_, options_.allow_gc);
  if (options_.profile) vm_->set_profiling(true);
  // 6. Slots and containers.
  for (size_t i = 0; i < inputs_.size(); ++i) {
    input_slots_.push_back(vm_->slot_of(fgraph_->inputs()[i].get()));
    std::shared_ptr<SharedContainer> c;
    if (inputs_[i].value) {
      c = std::make_shared<SharedContainer>();
      Value v = inputs_[i].variable.type()->filter(*inputs_[i].value, inputs_[i].strict, true);
      c->value = inputs_[i].borrow ? v : deep_copy(v);
    }
    defaults_.push_back(c);
  }
  for (size_t k = 0; k < shared_vars.size(); ++k)
    shared_slots_.push_back({vm_->slot_of(fgraph_->inputs()[inputs_.size() + k].get()), shared_vars[k]->container});
  for (const auto& o : fgraph_->outputs()) output_slots_.push_back(vm_->slot_of(o.get()));
  int pos = static_cast<int>(outputs_.size());
  for (const auto& [target, expr] : options_.updates) update_targets_.push_back({pos++, target->container});
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (inputs_[i].update) update_targets_.push_back({pos++, defaults_[i]});
  for (const auto& [pos_, c] : update_targets_) locked_.push_back(c.get());
  std::sort(locked_.begin(), locked_.end());
  locked_.erase(std::unique(locked_.begin(), locked_.end()), locked_.end());
  protected_slots_ = input_slots_;
  for (const auto& [s, c] : shared_slots_) protected_slots_.push_back(s);
  // Graph inputs some node overwrites. The in-place phase only picks shared variables this
  // function updates (locked during the call); an in-place op a user applied directly to an
  // input or to another shared variable gets a private copy on every call.
  for (Variable* root : destroyed_graph_inputs(*fgraph_)) {
    const bool updated = root->is_shared() && std::binary_search(locked_.begin(), locked_.end(), root->container.get());
    destroyed_slots_.push_back({vm_->slot_of(root), updated});
  }
  for (const auto& [out_pos, c] : update_targets_) {
    int own = -1;  // the slot of the shared value this update replaces, when it is overwritten in place
    for (const auto& [s, sc] : shared_slots_)
      for (const auto& [ds, updated] : destroyed_slots_)
        if (sc == c && ds == s && updated) own = s;
    update_own_slot_.push_back(own);
  }
  // An input whose every consumer checks the indices it reads needs only the O(outer) checks at
  // the boundary. Not when some node overwrites a graph input (an index error would strike
  // after that update began), when the input is also an output (the caller would get an
  // unchecked value back), or under DebugMode (its reference run takes the unoptimised graph).
  for (const In& in : inputs_) tensor_types_.push_back(dynamic_cast<const TensorType*>(in.variable.type().get()));
  defer_checks_.assign(inputs_.size(), 0);
  if (destroyed_slots_.empty() && !debug_) {
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const Variable* v = fgraph_->inputs()[i].get();
      bool ok = true, steps = true;
      for (const auto& o : fgraph_->outputs()) ok &= o.get() != v;
      for (const Client& c : fgraph_->clients(v)) {  // a null node is the graph output slot
        ok &= c.node && c.node->op()->checks_input_indices(*c.node, c.index);
        steps &= c.node && c.node->op()->checks_input_steps(*c.node, c.index);
      }
      defer_checks_[i] = ok ? (steps ? 2 : 1) : 0;
    }
  }
  compile_time_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  compile_phases_["link"] = compile_time_ - compile_phases_["graph"] - compile_phases_["rewrite"];
}


/// What one call needs besides the function itself: its VM frame and which inputs it was
/// given. Pooled, so a thread's next call reuses the frame's buffers.
struct Function::CallState {
  std::unique_ptr<VM::Frame> frame;
  std::vector<char> given;
};

Function::~Function() { delete cached_state_.exchange(nullptr); }

std::unique_ptr<Function::CallState> Function::acquire_state() {
  if (CallState* c = cached_state_.exchange(nullptr, std::memory_order_acquire)) return std::unique_ptr<CallState>(c);
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!pool_.empty()) {
      auto st = std::move(pool_.back());
      pool_.pop_back();
      return st;
    }
  }
  auto st = std::make_unique<CallState>();
  st->frame = vm_->make_frame();
  st->given.assign(inputs_.size(), 0);
  return st;
}

void Function::release_state(std::unique_ptr<CallState> st) {
  CallState* expected = nullptr;
  if (cached_state_.compare_exchange_strong(expected, st.get(), std::memory_order_release)) {
    (void)st.release();
    return;
  }
  std::lock_guard<std::mutex> lock(pool_mu_);
  pool_.push_back(std::move(st));
}

std::string Function::input_name(int i) const { return in_name(inputs_.at(i)); }

int Function::input_position(const std::string& name) const {
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (input_name(static_cast<int>(i)) == name) return static_cast<int>(i);
  return -1;
}

void Function::check_arg_into(int i, const Value& arg, Value* movable, Value& slot) const {
  const In& in = inputs_[i];
  bool downcast = in.allow_downcast.value_or(options_.allow_input_downcast.value_or(false));
  try {
    const Type& t = *in.variable.type();
    const bool defer = defer_checks_[i] != 0, defer_steps = defer_checks_[i] == 2;
    if (t.filter_keeps(arg, in.strict, downcast, defer, defer_steps)) {
      if (movable) slot = std::move(*movable);
      else slot = arg;
      return;
    }
    slot = defer ? t.filter_deferring_checks(arg, in.strict, downcast, defer_steps) : t.filter(arg, in.strict, downcast);
  } catch (const Error& e) {
    raise_bad_argument(i, e);
  }
}

void Function::raise_bad_argument(int i, const Error& e) const {
  throw Error(e.kind(), str_cat("[function] bad input argument with name \"", input_name(i), "\" to function",
                                options_.name.empty() ? "" : " with name \"" + options_.name + "\"",
                                " at index ", i, " (0-based): ", e.what()));
}

void Function::bind(const std::vector<Value>& args, std::vector<Value>* movable,
                    const std::vector<std::pair<std::string, Value>>& kwargs, CallState& st) const {
  const int n = num_inputs();
  if (static_cast<int>(args.size()) > n)
    type_error("[function] ", options_.name.empty() ? "function" : options_.name, " takes at most ", n,
               " argument(s) (", args.size(), " given)");
  std::fill(st.given.begin(), st.given.end(), 0);
  auto set = [&](int i, const Value& v, Value* own) {
    Value& slot = st.frame->slot(input_slots_[i]);
    st.given[i] = 1;
    // An array the filter would return as it is (its dtype, rank and broadcastable dimensions
    // of length 1): copied straight into the slot.
    if (const TensorType* t = tensor_types_[i]) {
      if (const auto* a = std::get_if<NDArray>(&v); a && a->dtype() == t->elem() && a->ndim() == t->ndim()) {
        bool ok = true;
        for (int d = 0; d < a->ndim(); ++d) ok &= !t->broadcastable()[d] || a->shape(d) == 1;
        if (ok) {
          if (own) slot = std::move(*own);
          else slot.emplace<NDArray>(*a);
          return;
        }
      }
    }
    check_arg_into(i, v, own, slot);
  };
  for (size_t i = 0; i < args.size(); ++i) set(static_cast<int>(i), args[i], movable ? &(*movable)[i] : nullptr);
  for (const auto& [k, arg] : kwargs) {
    int i = input_position(k);
    if (i < 0) type_error("[function] unknown keyword argument '", k, "'");
    if (st.given[i]) type_error("[function] got multiple values for argument '", k, "'");
    set(i, arg, nullptr);
  }
  for (int i = 0; i < n; ++i)
    if (!st.given[i] && !defaults_[i])
      type_error("[function] missing required input: ", input_name(i).empty() ? str_cat("argument ", i) : input_name(i),
                 " (index ", i, ")");
}

namespace {
// Holds the locks of the containers a call updates, taken in one global order (by address)
// so that two functions updating overlapping sets cannot deadlock.
class UpdateLocks {
 public:
  explicit UpdateLocks(const std::vector<SharedContainer*>& cs) : cs_(cs) {
    for (SharedContainer* c : cs_) c->mu.lock();
  }
  ~UpdateLocks() {
    for (auto it = cs_.rbegin(); it != cs_.rend(); ++it) (*it)->mu.unlock();
  }
  UpdateLocks(const UpdateLocks&) = delete;
  UpdateLocks& operator=(const UpdateLocks&) = delete;
  bool holds(const SharedContainer* c) const { return std::binary_search(cs_.begin(), cs_.end(), c); }

 private:
  const std::vector<SharedContainer*>& cs_;
};

// A stored sparse value may have been edited in place since it was checked (a borrowed
// shared matrix whose indices the caller changed): check it before any kernel reads it.
void validate_stored(const Value& v, const char* what, const std::string& name) {
  const auto* m = std::get_if<SparseMatrix>(&v);
  if (!m) return;
  try {
    m->validate();
  } catch (const Error& e) {
    throw Error(e.kind(), str_cat("[function] the ", what, " ", name, " is not a valid sparse matrix: ", e.what()));
  }
}
}  // namespace

std::vector<Value> Function::operator()(const std::vector<Value>& args) { return call(args, {}); }

Function::CallTimes Function::call_times() const {
  std::lock_guard<std::mutex> lock(times_mu_);
  CallTimes t;
  t.call = call_seconds_;
  t.outer = outer_recorded_ ? outer_seconds_ : call_seconds_;
  t.run = vm_->profile_data().run_seconds;
  return t;
}

void Function::add_outer_call_time(double seconds) const {
  if (!options_.profile) return;
  std::lock_guard<std::mutex> lock(times_mu_);
  outer_seconds_ += seconds;
  outer_recorded_ = true;
}

std::vector<Value> Function::call(const std::vector<Value>& args,
                                  const std::vector<std::pair<std::string, Value>>& kwargs) {
  return call_timed(args, nullptr, kwargs);
}

std::vector<Value> Function::call(std::vector<Value>&& args, const std::vector<std::pair<std::string, Value>>& kwargs) {
  return call_timed(args, &args, kwargs);
}

std::vector<Value> Function::call_timed(const std::vector<Value>& args, std::vector<Value>* movable,
                                        const std::vector<std::pair<std::string, Value>>& kwargs) {
  if (options_.profile) {
    const auto t0 = std::chrono::steady_clock::now();
    struct Timer {  // adds the call's time however it ends
      const Function& f;
      std::chrono::steady_clock::time_point t0;
      ~Timer() {
        const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::lock_guard<std::mutex> lock(f.times_mu_);
        f.call_seconds_ += dt;
      }
    } timer{*this, t0};
    return call_unprofiled(args, movable, kwargs);
  }
  return call_unprofiled(args, movable, kwargs);
}

std::vector<Value> Function::call_unprofiled(const std::vector<Value>& args, std::vector<Value>* movable,
                                             const std::vector<std::pair<std::string, Value>>& kwargs) {
  const int n = num_inputs();
  std::unique_ptr<CallState> st = acquire_state();
  VM::Frame& frame = *st->frame;
  auto clear_inputs = [&] {
    // Arguments moved in go back to the caller, to be destroyed there: a Python caller holds
    // the GIL, which releasing a numpy array's buffer takes.
    if (movable)
      for (size_t i = 0; i < input_slots_.size() && i < movable->size(); ++i) {
        Value& v = frame.slot(input_slots_[i]);
        if (!std::holds_alternative<std::monostate>(v)) (*movable)[i] = std::move(v);
      }
    for (int s : input_slots_) frame.slot(s) = std::monostate{};
    for (const auto& [s, c] : shared_slots_) frame.slot(s) = std::monostate{};
  };
  std::vector<Value> results(outputs_.size());
  // Old values replaced by updates: destroyed only after the locks are released (releasing a
  // numpy-owned buffer takes the GIL; see SharedContainer).
  std::vector<Value> replaced(update_targets_.size());
  try {
    bind(args, movable, kwargs, *st);  // checked arguments straight into the frame's input slots
    // Values this call only reads are snapshotted before the update locks are taken, so a
    // thread never waits for one container while holding another out of order.
    auto is_locked = [&](const SharedContainer* c) { return std::binary_search(locked_.begin(), locked_.end(), c); };
    for (int i = 0; i < n; ++i)
      if (!st->given[i] && !is_locked(defaults_[i].get())) frame.slot(input_slots_[i]) = defaults_[i]->get();
    for (const auto& [s, c] : shared_slots_)
      if (!is_locked(c.get())) frame.slot(s) = c->get();
    UpdateLocks locks(locked_);
    for (int i = 0; i < n; ++i)
      if (!st->given[i] && locks.holds(defaults_[i].get())) frame.slot(input_slots_[i]) = defaults_[i]->value;
    for (const auto& [s, c] : shared_slots_)
      if (locks.holds(c.get())) frame.slot(s) = c->value;
    for (int i = 0; i < n; ++i)
      if (!st->given[i]) validate_stored(frame.slot(input_slots_[i]), "default value of", in_name(inputs_[i]));
    for (size_t k = 0; k < shared_slots_.size(); ++k)
      validate_stored(frame.slot(shared_slots_[k].first), "shared variable", fgraph_->inputs()[inputs_.size() + k]->str());
    // A shared value that a node overwrites (its update, computed in place) must be this
    // call's alone: its container is locked, so only a handle taken before the lock (another
    // call's snapshot, a borrowed get_value) can share the buffer. Then work on a copy, and
    // the readers keep the old value intact.
    for (const auto& [s, updated] : destroyed_slots_) {
      Value& v = frame.slot(s);
      const auto* a = std::get_if<NDArray>(&v);
      const bool sole = a && a->buffer() && a->buffer()->owned() && a->buffer().use_count() == 2;  // container + slot
      if (!updated || !sole) v = deep_copy(v);
    }
    if (debug_) debug_->run(*fgraph_, *vm_, frame);
    else vm_->run(frame, nan_guard_.get());
    // Outputs: hand over computed values; copy anything that could alias caller-visible memory.
    // An update computed in place into its own shared value's buffer may keep it (own slot).
    auto aliases_visible = [&](const Value& v, int slot, size_t upto) {
      const int own = upto >= outputs_.size() ? update_own_slot_[upto - outputs_.size()] : -1;
      for (int s : protected_slots_)
        if (s != own && (s == slot || may_share_memory(v, frame.slot(s)))) return true;
      for (size_t k = 0; k < upto; ++k)
        if (output_slots_[k] == slot) return true;
      return false;
    };
    std::vector<Value> update_vals(update_targets_.size());
    for (size_t k = 0; k < output_slots_.size(); ++k) {
      int slot = output_slots_[k];
      Value& src = frame.slot(slot);
      bool is_output = k < outputs_.size();
      bool borrow = is_output && outputs_[k].borrow;
      bool constant = fgraph_->outputs()[k]->is_constant();
      Value v;
      if (constant || aliases_visible(src, slot, k)) {
        v = borrow ? src : deep_copy(src);
      } else {
        // A later output or update of the same slot needs its own copy, so only move the last use.
        bool reused = false;
        for (size_t j = k + 1; j < output_slots_.size(); ++j) reused |= output_slots_[j] == slot;
        v = reused ? src : std::move(src);
        if (reused && !borrow) v = deep_copy(v);
      }
      if (is_output) results[k] = std::move(v);
      else update_vals[k - outputs_.size()] = std::move(v);
    }
    // Every output is computed: apply the updates, all under the locks, so no other call
    // sees some of them and not others, and none is lost.
    for (size_t k = 0; k < update_targets_.size(); ++k) {
      replaced[k] = std::move(update_targets_[k].second->value);
      update_targets_[k].second->value = std::move(update_vals[k]);
    }
  } catch (...) {
    clear_inputs();
    release_state(std::move(st));
    throw;
  }
  clear_inputs();
  release_state(std::move(st));
  return results;
}

Value& Function::operator[](const std::string& name) {
  int i = input_position(name);
  if (i < 0 || !defaults_[i]) value_error("[function] no input with a stored value is named '", name, "'");
  return defaults_[i]->value;
}

Value& Function::operator[](const Var& var) {
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (inputs_[i].variable == var) {
      if (!defaults_[i]) value_error("[function] input ", var->str(), " has no stored value");
      return defaults_[i]->value;
    }
  value_error("[function] ", var->str(), " is not an input of this function");
}

FunctionPtr Function::copy(bool share_memory, const std::vector<std::pair<Var, Var>>& swap, bool delete_updates,
                           const std::optional<std::string>& name) const {
  std::shared_ptr<Function> f(new Function());
  f->inputs_ = inputs_;
  f->outputs_ = outputs_;
  f->options_ = options_;
  if (name) f->options_.name = *name;
  f->fgraph_ = fgraph_;
  f->vm_ = vm_;
  f->input_slots_ = input_slots_;
  f->shared_slots_ = shared_slots_;
  f->output_slots_ = output_slots_;
  f->update_targets_ = update_targets_;
  f->protected_slots_ = protected_slots_;
  f->destroyed_slots_ = destroyed_slots_;
  f->update_own_slot_ = update_own_slot_;
  f->defer_checks_ = defer_checks_;
  f->tensor_types_ = tensor_types_;
  f->compile_time_ = compile_time_;
  f->compile_phases_ = compile_phases_;
  f->rewrite_phases_ = rewrite_phases_;
  f->debug_ = debug_;
  f->nan_guard_ = nan_guard_;
  for (const auto& c : defaults_) {
    if (!c || share_memory) {
      f->defaults_.push_back(c);
      continue;
    }
    auto own = std::make_shared<SharedContainer>();
    own->value = deep_copy(c->get());
    f->defaults_.push_back(own);
  }
  for (auto& t : f->update_targets_)
    for (size_t i = 0; i < defaults_.size(); ++i)
      if (t.second == defaults_[i]) t.second = f->defaults_[i];
  for (const auto& [old, neu] : swap) {
    if (!old || !neu || !old->is_shared() || !neu->is_shared())
      type_error("[Function.copy] swap needs (shared variable, shared variable) pairs, got ", old ? old->str() : "None",
                 " -> ", neu ? neu->str() : "None");
    if (!same_type(old.type(), neu.type()))
      type_error("[Function.copy] swap: ", old->str(), " has type ", old.type()->str(), " but its replacement ",
                 neu->str(), " has type ", neu.type()->str());
    bool found = false;
    for (auto& sc : f->shared_slots_)
      if (sc.second == old->container) {
        sc.second = neu->container;
        found = true;
      }
    for (auto& t : f->update_targets_)
      if (t.second == old->container) t.second = neu->container;
    if (!found) value_error("[Function.copy] swap: ", old->str(), " is not a shared variable this function uses");
  }
  if (delete_updates) {
    f->update_targets_.clear();
    f->update_own_slot_.clear();
    f->output_slots_.resize(outputs_.size());
    for (auto& d : f->destroyed_slots_) d.second = false;  // no update owns a buffer: nodes get copies
    f->options_.updates.clear();
    for (auto& in : f->inputs_) in.update = Var();
  }
  for (const auto& t : f->update_targets_) f->locked_.push_back(t.second.get());
  std::sort(f->locked_.begin(), f->locked_.end());
  f->locked_.erase(std::unique(f->locked_.begin(), f->locked_.end()), f->locked_.end());
  return f;
}

FunctionPtr function(std::vector<In> inputs, std::vector<Out> outputs, FunctionOptions options) {
  return std::make_shared<Function>(std::move(inputs), std::move(outputs), std::move(options));
}

Var shared(const Value& value, std::string name, bool borrow) {
  TypePtr type;
  if (const auto* a = std::get_if<NDArray>(&value)) {
    type = TensorType::make(a->dtype(), std::vector<bool>(a->ndim(), false));
  } else if (const auto* s = std::get_if<SparseMatrix>(&value)) {
    s->validate("shared");
    type = SparseType::make(s->format(), s->dtype());
  } else if (const auto* o = std::get_if<OpaquePtr>(&value); o && std::dynamic_pointer_cast<RandomStateValue>(*o)) {
    type = RandomStateType::make();
  } else {
    type_error("[shared] expected an array, a sparse matrix or a random state, got ", value_repr(value));
  }
  return make_shared_variable(value, std::move(type), std::move(name), borrow);
}

Value eval(const Var& var, const std::vector<std::pair<Var, Value>>& inputs) {
  std::vector<In> ins;
  std::vector<Value> args;
  for (const auto& [k, v] : inputs) {
    ins.emplace_back(k);
    args.push_back(v);
  }
  FunctionOptions opts;
  opts.on_unused_input = OnUnusedInput::Ignore;
  Function f(ins, {Out(var)}, opts);
  return f(args)[0];
}

}  // namespace hypatia
