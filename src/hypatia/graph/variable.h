// Variable, Constant, shared variables and Apply: the nodes of a symbolic graph.
#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hypatia/graph/type.h"

namespace hypatia {

class Apply;
class Op;
using OpPtr = std::shared_ptr<const Op>;

/// The storage behind a shared variable (theano.shared): one value that every compiled
/// function using the variable reads and may update. Functions may run in several threads at
/// once, so `value` is read and written under `mu`: a function that updates the container
/// holds `mu` from reading the old value until the new one is in place (no update is lost),
/// and readers copy the value (a handle, not the data) under `mu` (no torn value). Never
/// destroy a value while holding `mu`: releasing a Python-owned buffer takes the GIL, and a
/// thread holding the GIL may be waiting for `mu`.
struct SharedContainer {
  std::mutex mu;
  Value value;
  /// A copy of the current value's handle, taken under the lock.
  Value get() {
    std::lock_guard<std::mutex> lock(mu);
    return value;
  }
  /// Installs `v`; the old value is handed back so the caller drops it outside the lock.
  Value exchange(Value v) {
    std::lock_guard<std::mutex> lock(mu);
    std::swap(value, v);
    return v;
  }
};

/// One level of the user's stack when a variable was created (Theano's tag.trace entries).
struct TraceFrame {
  std::string file;
  int line = 0;
  std::string function;
};
/// The user's stack, outermost level first, when a variable was created (config.traceback.limit
/// levels): runtime errors print it so the user finds the line that built the failing node.
using CreationTrace = std::vector<TraceFrame>;

/// A node for one value in a graph: its type, the Apply that computes it (none for inputs,
/// constants and shared variables), and its position among that Apply's outputs.
class Variable : public std::enable_shared_from_this<Variable> {
 public:
  explicit Variable(TypePtr t, std::string n = "") : type(std::move(t)), name(std::move(n)), id(next_id()) {}
  TypePtr type;
  Apply* owner = nullptr;  // owned by the Apply when set; see Var for lifetime
  int index = 0;
  std::string name;
  std::shared_ptr<const Value> constant;       // set for constants: immutable data
  std::shared_ptr<SharedContainer> container;  // set for shared variables
  /// For shared variables: the update a function applies when the caller gives none
  /// (Theano's default_update; random streams advance their state this way). The update
  /// usually reads the variable itself, so holding it directly would make the variable own
  /// itself (a leak). It is stored over a stand-in for the variable; see set_default_update.
  struct DefaultUpdate {
    std::shared_ptr<Variable> expr;       // the update with the variable replaced by `self`
    std::shared_ptr<Variable> self;       // the stand-in
    std::weak_ptr<Variable> original;     // the expression as given, while someone holds it
  } default_update;
  uint64_t id;                                 // creation order; stable ids for printing
  /// Where the user's code created it (null when no trace hook is installed, or while
  /// compiling: rewritten variables take the trace of the variable they replace).
  std::shared_ptr<const CreationTrace> trace;

  bool is_constant() const { return constant != nullptr; }
  bool is_shared() const { return container != nullptr; }
  /// Theano's short name: the name if set, else e.g. "TensorConstant{2.0}" or "<TensorType(float64, matrix)>".
  std::string str() const;

 private:
  static uint64_t next_id() {
    static std::atomic<uint64_t> n{0};
    return ++n;
  }
};

/// A handle to a Variable that keeps it (and everything it was computed from) alive.
/// Outputs of an Apply are owned by the Apply; their handles share the Apply's ownership
/// (shared_ptr aliasing), so there are no reference cycles.
class Var {
 public:
  Var() = default;
  explicit Var(std::shared_ptr<Variable> p) : p_(std::move(p)) {}
  /// A handle to a variable that already exists in a graph.
  static Var from(Variable* v);

  Variable* get() const { return p_.get(); }
  Variable* operator->() const { return p_.get(); }
  explicit operator bool() const { return p_ != nullptr; }
  bool operator==(const Var& o) const { return p_ == o.p_; }
  const std::shared_ptr<Variable>& ptr() const { return p_; }
  const TypePtr& type() const { return p_->type; }
  Apply* owner() const { return p_->owner; }
  const std::string& name() const { return p_->name; }
  /// Sets the name and returns the handle, for chaining: `auto y = (x + 1).named("y");`
  Var named(std::string n) const {
    p_->name = std::move(n);
    return *this;
  }

 private:
  std::shared_ptr<Variable> p_;
};

struct VarHash {
  size_t operator()(const Var& v) const { return std::hash<const void*>()(v.get()); }
};

/// Offers `op` to the type of each operand that is not a tensor, in order, and returns the
/// first non-null result (Type::apply_operator); null when none handles it, so the tensor
/// builder that asked builds the dense op. This is how `sparse + dense` reaches the sparse
/// family without the tensor family including it.
Var dispatch_operator(Operator op, const std::vector<Var>& args, const OperatorOptions& opts = {});

/// Sets (or, with a null `update`, clears) the default update of a shared variable. The
/// expression is kept over a stand-in for the variable itself, so no reference cycle forms.
void set_default_update(const Var& shared_var, const Var& update);
/// The default update of a shared variable (null when it has none): the expression given to
/// set_default_update while anyone still holds it, else an equivalent rebuilt over the variable.
Var get_default_update(const Var& shared_var);

/// The hook that captures the creation trace of new variables (the Python package installs
/// one that walks the interpreter's frames; an empty function removes it). Without one,
/// variables get no trace and the check costs one atomic load. Inside a CreationTraceSuspend
/// (compiling) the hook is called with `compiling` true only when `during_compile` was set
/// (Theano's traceback.compile_limit > 0); otherwise those variables get no trace.
using CreationTraceHook = std::function<std::shared_ptr<const CreationTrace>(bool compiling)>;
void set_creation_trace_hook(CreationTraceHook hook, bool during_compile = false);
std::shared_ptr<const CreationTrace> capture_creation_trace();
/// Theano's "Backtrace when the node is created" text of a trace ("" for none).
std::string format_creation_trace(const CreationTrace& trace);

/// No creation traces are captured in this thread while one exists (compilation: Theano's
/// traceback.compile_limit = 0; the rewrites copy the replaced variable's trace instead).
class CreationTraceSuspend {
 public:
  CreationTraceSuspend();
  ~CreationTraceSuspend();
  CreationTraceSuspend(const CreationTraceSuspend&) = delete;
  CreationTraceSuspend& operator=(const CreationTraceSuspend&) = delete;
};

/// Creates a fresh input variable of the given type.
Var make_variable(TypePtr type, std::string name = "");
/// Creates a constant: a variable with immutable data, checked by `type`.
Var make_constant(TypePtr type, Value value, std::string name = "");
/// Creates a variable of DisconnectedType (the gradient of an unrelated output).
Var disconnected_var();
/// Creates a variable of NullType carrying the reason the gradient does not exist.
Var null_var(std::string why);
bool is_disconnected(const Var& v);
bool is_null(const Var& v);

/// One application of an Op to input variables, producing output variables.
class Apply : public std::enable_shared_from_this<Apply> {
 public:
  /// Builds the node and its outputs; ops call this from make_node.
  static std::shared_ptr<Apply> create(OpPtr op, std::vector<Var> inputs,
                                       const std::vector<TypePtr>& output_types);
  ~Apply();
  Apply(const Apply&) = delete;
  Apply& operator=(const Apply&) = delete;

  const OpPtr& op() const { return op_; }
  const std::vector<Var>& inputs() const { return inputs_; }
  const Var& input(int i) const { return inputs_[i]; }
  int nin() const { return static_cast<int>(inputs_.size()); }
  int nout() const { return static_cast<int>(outputs_.size()); }
  Var output(int i) const;
  std::vector<Var> outputs() const;
  Variable* out(int i) const { return outputs_[i].get(); }
  /// Replaces input i in place. Only a FunctionGraph that owns a cloned graph does this.
  void set_input(int i, Var v) { inputs_[i] = std::move(v); }
  /// A new node with the same op on new inputs. The op's make_node rebuilds it, so output
  /// types follow the new inputs; with strict=true the output types must stay the same.
  std::shared_ptr<Apply> clone_with_new_inputs(const std::vector<Var>& inputs, bool strict = true) const;

 private:
  Apply() = default;
  OpPtr op_;
  std::vector<Var> inputs_;
  std::vector<std::unique_ptr<Variable>> outputs_;
};
using ApplyPtr = std::shared_ptr<Apply>;

}  // namespace hypatia
