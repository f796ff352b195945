// function(): compiles inputs/outputs/updates/givens into a callable Function (Theano's theano.function).
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hypatia/compile/debug_mode.h"
#include "hypatia/compile/nan_guard.h"
#include "hypatia/link/vm.h"
#include "hypatia/graph/shared.h"

namespace hypatia {

class TensorType;

/// A function input with Theano's options (theano.In).
struct In {
  In(Var v) : variable(std::move(v)) {}  // NOLINT: a plain variable is an In with defaults
  Var variable;
  std::string name;            // keyword name; defaults to the variable's name
  std::optional<Value> value;  // default value, kept in a container the function owns
  Var update;                  // expression replacing the container's value after each call
  bool mutable_ = false;       // the function may overwrite the caller's array
  bool borrow = false;         // the container may hold the caller's array without a copy
  bool strict = false;         // the argument must already have the exact type
  std::optional<bool> allow_downcast;
};

/// A function output with Theano's options (theano.Out).
struct Out {
  Out(Var v, bool b = false) : variable(std::move(v)), borrow(b) {}  // NOLINT
  Var variable;
  bool borrow = false;  // may return memory the function still uses (saves a copy)
};

/// Which rewrites a function gets (Theano's modes): all of the standard ones, the cheap ones,
/// or none (the graph as built).
enum class Mode { FastRun, FastCompile, None };
/// What function() does with an explicit input that no output depends on.
enum class OnUnusedInput { Raise, Warn, Ignore };

struct FunctionOptions {
  std::vector<std::pair<Var, Var>> updates;  // (shared variable, new value expression)
  std::vector<std::pair<Var, Var>> givens;   // (variable, replacement) substituted before compiling
  Mode mode = Mode::FastRun;
  std::vector<std::string> excluding;        // rewrite tags left out (Theano's mode.excluding)
  std::vector<std::string> including;        // rewrite tags added (Theano's mode.including)
  std::vector<std::string> requiring;        // tags every selected rewrite must carry (mode.requiring)
  std::string name;
  OnUnusedInput on_unused_input = OnUnusedInput::Raise;
  std::optional<bool> allow_input_downcast;
  bool allow_gc = true;
  /// Ignore the default_update of shared variables (all, as Theano's no_default_updates=True).
  bool no_default_updates = false;
  /// Time every node (Theano's profile=True); see Function::profile_summary().
  bool profile = false;
  /// DebugMode's checks on every call (debug.enabled; compile/debug_mode.h).
  DebugOptions debug;
  /// NanGuardMode's checks on every call (compile/nan_guard.h).
  NanGuardOptions nan_guard;
};

/// Theano's mode names: "FAST_RUN", "FAST_COMPILE" or "None", optionally followed by "-tag"s
/// that exclude the rewrites carrying those tags ("FAST_RUN-fusion"), "+tag"s that include
/// them and "&tag"s that require them (see parse_mode); sets opts.mode, opts.excluding,
/// opts.including and opts.requiring. ValueError naming the choices otherwise.
void set_mode(FunctionOptions& opts, const std::string& mode);
/// The name set_mode accepts for the options' mode and exclusions ("FAST_RUN-fusion").
std::string mode_name(const FunctionOptions& opts);
/// "raise", "warn" or "ignore"; ValueError otherwise.
OnUnusedInput on_unused_input_from_name(const std::string& name);
const char* on_unused_input_name(OnUnusedInput v);

/// A compiled function. Calls check and convert arguments, run the VM, return the outputs
/// (never aliasing inputs or shared storage unless borrowed) and then apply all updates.
///
/// Calls may come from several threads at once (beyond Theano, whose functions are not
/// thread-safe): each call runs on its own VM frame taken from a pool, so concurrent calls
/// give the results sequential calls would. A function that updates shared variables (or
/// In(update=...) values) holds those containers' locks from reading their old values to
/// writing the new ones, so concurrent updates of one variable are serialised and none is
/// lost; shared variables it only reads are snapshotted under their lock.
///
/// In-place updates (Theano's): when the node computing a shared variable's update may
/// overwrite the old value (rewrite/inplace.h), the call does so under the container's lock
/// and stores the same buffer back; if any other handle to that buffer exists (a concurrent
/// reader's snapshot, a borrowed get_value), the call overwrites a private copy instead, so
/// readers never see a half-written value. Outputs never alias the stored value unless
/// borrowed.
class Function {
 public:
  Function(std::vector<In> inputs, std::vector<Out> outputs, FunctionOptions options);
  ~Function();
  /// Positional call; missing trailing arguments take their defaults.
  std::vector<Value> operator()(const std::vector<Value>& args);
  /// Call with positional and keyword arguments (keywords name inputs).
  std::vector<Value> call(const std::vector<Value>& args, const std::vector<std::pair<std::string, Value>>& kwargs);
  /// The same, taking the positional arguments' values: each one the boundary keeps as it is
  /// is moved into the call rather than copied (a copy of an array's descriptor is two
  /// allocations; the Python binding hands over the values it has just converted). They are
  /// moved back into `args` when the call ends, however it ends, so that the caller releases
  /// them (the binding, under the GIL that releasing a numpy array's buffer needs).
  std::vector<Value> call(std::vector<Value>&& args, const std::vector<std::pair<std::string, Value>>& kwargs);
  /// The keyword name of input i: its In name, else its variable's name.
  std::string input_name(int i) const;
  /// The position of the input with keyword name `name`; -1 when there is none.
  int input_position(const std::string& name) const;
  /// Raises `e` (a failed conversion or check of argument i) as the error every bad argument
  /// gives: "[function] bad input argument with name ... at index i (0-based): ...". Bindings
  /// that convert arguments themselves (Python) use it, so the wording lives here only.
  [[noreturn]] void raise_bad_argument(int i, const Error& e) const;
  /// Value kept for an input with a default (f[s] in Theano); raises if the input has none.
  /// The reference is not synchronised with calls running in other threads.
  Value& operator[](const std::string& name);
  Value& operator[](const Var& var);
  const FunctionGraph& fgraph() const { return *fgraph_; }
  const std::string& name() const { return options_.name; }
  /// The options it was compiled with (mode, allow_gc, ...).
  const FunctionOptions& options() const { return options_; }
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  int num_outputs() const { return static_cast<int>(outputs_.size()); }
  const std::vector<In>& inputs() const { return inputs_; }
  const std::vector<Out>& outputs() const { return outputs_; }
  /// Seconds spent compiling (graph copy, rewrites and linking).
  double compile_time() const { return compile_time_; }
  bool profiling() const { return options_.profile; }
  /// Per-node times when compiled with profile=true, most expensive first.
  std::string profile_summary() const { return vm_->profile_summary(); }
  /// Where profiled calls spend their time outside the nodes (Theano's "Time in
  /// Function.__call__" and "Time in Function.fn.__call__"): `outer` is what a binding's call
  /// took, argument conversion and result wrapping included (it records it with
  /// add_outer_call_time; equal to `call` for C++ callers), `call` is Function::call (binding,
  /// checking, the run, updates), `run` the VM runs.
  struct CallTimes {
    double outer = 0, call = 0, run = 0;
  };
  CallTimes call_times() const;
  /// Adds a binding's measured time of one call (profiling only; ignored otherwise).
  void add_outer_call_time(double seconds) const;
  /// The per-node profile (VM::ProfileData; thunks in run order, see vm().thunks()).
  VM::ProfileData profile_data() const { return vm_->profile_data(); }
  const VM& vm() const { return *vm_; }
  /// Compile time by phase in seconds: "graph" (checks and the graph copy), "rewrite" (the
  /// optdb) and "link" (the VM and the containers).
  const std::map<std::string, double>& compile_phases() const { return compile_phases_; }
  /// With profile on, the seconds of each optdb phase (merge1, canonicalize, ...,
  /// inner_graphs); empty otherwise (config.profile_optimizer).
  const std::map<std::string, double>& rewrite_phases() const { return rewrite_phases_; }
  /// Theano's Function.copy: a function running the same compiled graph (nothing is
  /// recompiled; the graph and VM are shared, read-only). With share_memory=false the copy
  /// has its own containers for inputs with default values (copies of their current values);
  /// with true it shares them with this function. Shared variables stay shared either way,
  /// except those in `swap` ((old, new) pairs of shared variables of the same type): the copy
  /// reads and updates `new` where this function uses `old`. delete_updates drops every
  /// update (shared and In(update=...)). `name` renames the copy. TypeError/ValueError
  /// "[Function.copy] ..." for a bad swap.
  std::shared_ptr<Function> copy(bool share_memory = false, const std::vector<std::pair<Var, Var>>& swap = {},
                                 bool delete_updates = false, const std::optional<std::string>& name = std::nullopt) const;

 private:
  Function() = default;  // copy() fills every member
  struct CallState;  // a VM frame and the per-call bookkeeping, pooled across calls
  /// Matches positional and keyword arguments to the inputs and checks each one
  /// (Type::filter) into the call state's input slots. Every failure is a TypeError/ValueError
  /// naming the function; a bad value says "bad input argument with name ... at index ..."
  /// (raise_bad_argument).
  /// `movable`: args itself, when the caller gave its values up (they are moved, not copied).
  void bind(const std::vector<Value>& args, std::vector<Value>* movable,
            const std::vector<std::pair<std::string, Value>>& kwargs, CallState& st) const;
  /// Checks argument i (Type::filter, or filter_deferring_checks) into `slot`: moved from
  /// *movable (the caller's own copy of arg) or copied when the filter keeps it as it is.
  void check_arg_into(int i, const Value& arg, Value* movable, Value& slot) const;
  std::unique_ptr<CallState> acquire_state();
  void release_state(std::unique_ptr<CallState> st);

  std::vector<In> inputs_;
  std::vector<Out> outputs_;
  FunctionOptions options_;
  std::shared_ptr<FunctionGraph> fgraph_;  // shared with copies (read-only after construction)
  std::shared_ptr<VM> vm_;
  std::vector<int> input_slots_;                     // slot of each explicit input
  std::vector<std::shared_ptr<SharedContainer>> defaults_;  // per explicit input (null when none)
  std::vector<std::pair<int, std::shared_ptr<SharedContainer>>> shared_slots_;
  std::vector<int> output_slots_;
  // Updates: fgraph output index -> container to write.
  std::vector<std::pair<int, std::shared_ptr<SharedContainer>>> update_targets_;
  std::vector<SharedContainer*> locked_;  // containers this function updates, in lock order
  std::vector<int> protected_slots_;  // input and shared slots: outputs must not alias them
  // Input and shared slots some node overwrites, and whether that is a shared variable this
  // function updates (overwritten in place when the call holds its only handle).
  std::vector<std::pair<int, bool>> destroyed_slots_;
  std::vector<int> update_own_slot_;  // per update: its target's slot when in destroyed_slots_, else -1
  // Per explicit input: 1 when its O(nnz) index check is left to its consumers, every one of
  // which checks the indices it reads (Op::checks_input_indices) and writes a fresh output; 2
  // when they also check indptr's steps (Op::checks_input_steps), so its O(outer) check goes too.
  std::vector<char> defer_checks_;
  // Per explicit input: its TensorType (null for other types), so that an array already of that
  // dtype and rank goes into its slot without the filter's round trip through a temporary.
  std::vector<const TensorType*> tensor_types_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<CallState>> pool_;  // idle call states beyond the cached one
  // One idle call state taken and returned without the lock (an exchange each way): the
  // common case of one caller at a time.
  std::atomic<CallState*> cached_state_{nullptr};
  std::vector<Value> call_unprofiled(const std::vector<Value>& args, std::vector<Value>* movable,
                                     const std::vector<std::pair<std::string, Value>>& kwargs);
  std::vector<Value> call_timed(const std::vector<Value>& args, std::vector<Value>* movable,
                                const std::vector<std::pair<std::string, Value>>& kwargs);
  double compile_time_ = 0;
  mutable std::mutex times_mu_;  // guards the call times below (profiling only)
  mutable double outer_seconds_ = 0, call_seconds_ = 0;
  mutable bool outer_recorded_ = false;
  std::map<std::string, double> compile_phases_;
  std::map<std::string, double> rewrite_phases_;
  std::shared_ptr<DebugChecker> debug_;  // DebugMode (null unless options_.debug.enabled)
  std::shared_ptr<NanGuard> nan_guard_;  // NanGuardMode (null unless options_.nan_guard.enabled())
};
using FunctionPtr = std::shared_ptr<Function>;

/// Compiles a function (theano.function).
FunctionPtr function(std::vector<In> inputs, std::vector<Out> outputs, FunctionOptions options = {});

/// Creates a shared variable holding `value` (theano.shared), its type inferred from the
/// value: a dense array gives a TensorType with no broadcastable axes (as in Theano), a
/// sparse matrix a SparseType, a generator state a RandomStateType. The value is copied
/// unless borrow.
Var shared(const Value& value, std::string name = "", bool borrow = false);
/// Evaluates `var` with the given input values (Variable.eval).
Value eval(const Var& var, const std::vector<std::pair<Var, Value>>& inputs = {});

}  // namespace hypatia
