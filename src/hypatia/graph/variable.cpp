// Variables, constants and Apply nodes, including iterative teardown of deep graphs.
#include "hypatia/graph/variable.h"

#include <atomic>
#include <fstream>
#include <memory>
#include <mutex>

#include "hypatia/graph/op.h"
#include "hypatia/graph/print.h"
#include "hypatia/graph/test_value.h"
#include "hypatia/graph/traversal.h"
#include "hypatia/graph/variable_hook.h"

namespace hypatia {

Value NullType::filter(const Value&, bool, bool) const {
  type_error("[NullType] a null (undefined) gradient has no value: ", why_);
}
Value DisconnectedType::filter(const Value&, bool, bool) const {
  type_error("[DisconnectedType] a disconnected gradient has no value");
}

Var Type::apply_operator(Operator, const std::vector<Var>&, const OperatorOptions&) const { return {}; }

Var dispatch_operator(Operator op, const std::vector<Var>& args, const OperatorOptions& opts) {
  for (const Var& a : args) {
    if (!a || a.type()->kind() == TypeKind::Tensor) continue;
    if (Var r = a.type()->apply_operator(op, args, opts)) return r;
  }
  return {};
}

bool Type::values_eq(const Value& a, const Value& b) const {
  if (is_array(a) && is_array(b)) {
    const auto& x = std::get<NDArray>(a);
    const auto& y = std::get<NDArray>(b);
    return x.shape() == y.shape() && x.dtype() == y.dtype() && allclose(x, y, 0.0, 0.0, true);
  }
  return values_eq_approx(a, b, 0.0, 0.0);
}

bool Type::values_eq_approx(const Value& a, const Value& b, std::optional<double> rtol, std::optional<double> atol) const {
  const double r = rtol.value_or(1e-5), t = atol.value_or(1e-8);
  if (is_array(a) && is_array(b)) {
    const auto& x = std::get<NDArray>(a);
    const auto& y = std::get<NDArray>(b);
    return x.shape() == y.shape() && allclose(x, y, r, t);
  }
  if (is_sparse(a) && is_sparse(b)) {
    const auto& x = std::get<SparseMatrix>(a);
    const auto& y = std::get<SparseMatrix>(b);
    return x.shape() == y.shape() && allclose(x.to_dense(), y.to_dense(), r, t);
  }
  return false;
}

Var Var::from(Variable* v) {
  if (v->owner) return Var(std::shared_ptr<Variable>(v->owner->shared_from_this(), v));
  return Var(v->shared_from_this());
}

std::string Variable::str() const {
  if (!name.empty()) return name;
  if (constant) {
    // One element prints as Python/numpy str does ("2.0", not repr's "2."), as Theano shows it.
    std::string r = constant_value_str(*constant);
    if (r.empty()) r = value_repr(*constant);
    if (r.rfind("array(", 0) == 0) r = r.substr(6, r.size() - 7);
    const char* prefix = type->kind() == TypeKind::Sparse ? "SparseConstant" : type->kind() == TypeKind::Scalar ? "ScalarConstant" : "TensorConstant";
    if (r.size() > 40) return str_cat(prefix, "{...}");
    return str_cat(prefix, "{", r, "}");
  }
  if (owner) {
    if (owner->nout() == 1) return str_cat(owner->op()->str(), ".0");
    return str_cat(owner->op()->str(), ".", index);
  }
  return str_cat("<", type->str(), ">");
}

void set_default_update(const Var& v, const Var& update) {
  if (!update) {
    v->default_update = {};
    return;
  }
  Var self = make_variable(v.type(), v->name);
  Var expr = clone_replace({update}, VarMap{{v.get(), self}})[0];
  v->default_update = {expr.ptr(), self.ptr(), update.ptr()};
}

Var get_default_update(const Var& v) {
  auto& d = v->default_update;
  if (!d.expr) return {};
  if (auto live = d.original.lock()) return Var(live);
  Var rebuilt = clone_replace({Var(d.expr)}, VarMap{{d.self.get(), v}})[0];
  d.original = rebuilt.ptr();
  return rebuilt;
}

namespace {
std::mutex g_hook_mu;
std::shared_ptr<const VariableTypeHook> g_hook;
std::atomic<bool> g_has_hook{false};
}  // namespace

void set_variable_type_hook(VariableTypeHook hook) {
  std::lock_guard<std::mutex> lock(g_hook_mu);
  g_hook = hook ? std::make_shared<const VariableTypeHook>(std::move(hook)) : nullptr;
  g_has_hook.store(g_hook != nullptr, std::memory_order_release);
}

void run_variable_type_hook(const TypePtr& type) {
  if (!g_has_hook.load(std::memory_order_acquire)) return;
  std::shared_ptr<const VariableTypeHook> h;
  {
    std::lock_guard<std::mutex> lock(g_hook_mu);
    h = g_hook;
  }
  if (h) (*h)(type);
}

namespace {
std::mutex g_trace_mu;
std::shared_ptr<const CreationTraceHook> g_trace_hook;
std::atomic<bool> g_has_trace_hook{false};
std::atomic<bool> g_trace_during_compile{false};
thread_local int t_trace_suspended = 0;
}  // namespace

void set_creation_trace_hook(CreationTraceHook hook, bool during_compile) {
  std::lock_guard<std::mutex> lock(g_trace_mu);
  g_trace_hook = hook ? std::make_shared<const CreationTraceHook>(std::move(hook)) : nullptr;
  g_has_trace_hook.store(g_trace_hook != nullptr, std::memory_order_release);
  g_trace_during_compile.store(during_compile, std::memory_order_release);
}

std::shared_ptr<const CreationTrace> capture_creation_trace() {
  if (!g_has_trace_hook.load(std::memory_order_acquire)) return nullptr;
  const bool compiling = t_trace_suspended > 0;
  if (compiling && !g_trace_during_compile.load(std::memory_order_acquire)) return nullptr;
  std::shared_ptr<const CreationTraceHook> h;
  {
    std::lock_guard<std::mutex> lock(g_trace_mu);
    h = g_trace_hook;
  }
  return h ? (*h)(compiling) : nullptr;
}

namespace {
/// Line `n` (1-based) of a source file, stripped; "" when it cannot be read.
std::string source_line(const std::string& file, int n) {
  std::ifstream in(file);
  std::string line;
  for (int i = 0; i < n && std::getline(in, line); ++i) {
  }
  if (!in) return "";
  const size_t b = line.find_first_not_of(" \t"), e = line.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : line.substr(b, e - b + 1);
}
}  // namespace

std::string format_creation_trace(const CreationTrace& trace) {
  std::string out;
  for (const TraceFrame& f : trace) {
    out += str_cat("  File \"", f.file, "\", line ", f.line, ", in ", f.function, "\n");
    const std::string text = source_line(f.file, f.line);
    if (!text.empty()) out += str_cat("    ", text, "\n");
  }
  return out;
}

CreationTraceSuspend::CreationTraceSuspend() { ++t_trace_suspended; }
CreationTraceSuspend::~CreationTraceSuspend() { --t_trace_suspended; }

Var make_variable(TypePtr type, std::string name) {
  run_variable_type_hook(type);
  auto var = std::make_shared<Variable>(std::move(type), std::move(name));
  var->trace = capture_creation_trace();
  return Var(var);
}

Var make_constant(TypePtr type, Value value, std::string name) {
  run_variable_type_hook(type);
  Value v = type->filter(value, false, true);
  auto var = std::make_shared<Variable>(std::move(type), std::move(name));
  var->constant = std::make_shared<const Value>(std::move(v));
  var->trace = capture_creation_trace();
  return Var(var);
}

Var disconnected_var() {
  static const TypePtr t = std::make_shared<DisconnectedType>();
  return make_variable(t);
}

Var null_var(std::string why) { return make_variable(std::make_shared<NullType>(std::move(why))); }

bool is_disconnected(const Var& v) { return v && v.type()->kind() == TypeKind::Disconnected; }
bool is_null(const Var& v) { return v && v.type()->kind() == TypeKind::Null; }

ApplyPtr Apply::create(OpPtr op, std::vector<Var> inputs, const std::vector<TypePtr>& output_types) {
  for (const TypePtr& t : output_types) run_variable_type_hook(t);
  auto node = std::shared_ptr<Apply>(new Apply());
  node->op_ = std::move(op);
  node->inputs_ = std::move(inputs);
  std::shared_ptr<const CreationTrace> trace = output_types.empty() ? nullptr : capture_creation_trace();
  for (size_t i = 0; i < output_types.size(); ++i) {
    auto v = std::make_unique<Variable>(output_types[i]);
    v->trace = trace;
    v->owner = node.get();
    v->index = static_cast<int>(i);
    node->outputs_.push_back(std::move(v));
  }
  compute_test_values(*node);  // config.compute_test_value (graph/test_value.h); off by default
  return node;
}

namespace {
// Destroying a long chain of nodes recursively would overflow the stack (a 100k-node chain
// is a normal graph for us), so ~Apply parks its inputs here and the outermost call drains them.
thread_local std::vector<Var>* g_graveyard = nullptr;
}  // namespace

Apply::~Apply() {
  if (g_graveyard) {
    for (auto& v : inputs_) g_graveyard->push_back(std::move(v));
    return;
  }
  std::vector<Var> pending = std::move(inputs_);
  g_graveyard = &pending;
  while (!pending.empty()) {
    Var v = std::move(pending.back());
    pending.pop_back();
    v = Var();  // may run ~Apply of v's owner, which appends to `pending`
  }
  g_graveyard = nullptr;
}

Var Apply::output(int i) const {
  auto self = const_cast<Apply*>(this)->shared_from_this();
  return Var(std::shared_ptr<Variable>(self, outputs_[i].get()));
}

std::vector<Var> Apply::outputs() const {
  std::vector<Var> out;
  out.reserve(outputs_.size());
  for (int i = 0; i < nout(); ++i) out.push_back(output(i));
  return out;
}

ApplyPtr Apply::clone_with_new_inputs(const std::vector<Var>& inputs, bool strict) const {
  ApplyPtr node = op_->make_node(inputs);
  if (strict) {
    for (int i = 0; i < nout(); ++i)
      if (!same_type(node->out(i)->type, outputs_[i]->type))
        type_error("[", op_->str(), "] clone_with_new_inputs changed output ", i, " from ",
                   outputs_[i]->type->str(), " to ", node->out(i)->type->str());
  }
  for (int i = 0; i < nout(); ++i) {
    node->outputs_[i]->name = outputs_[i]->name;
    if (outputs_[i]->trace) node->outputs_[i]->trace = outputs_[i]->trace;
  }
  return node;
}

std::optional<std::vector<ShapeVec>> Op::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::nullopt;
}

std::vector<Var> Op::vjp(const Apply& node, const std::vector<Var>&) const {
  std::vector<Var> out;
  for (int i = 0; i < node.nin(); ++i) out.push_back(grad_not_implemented(*this, i));
  return out;
}

std::vector<Var> Op::jvp(const Apply&, const std::vector<Var>&) const {
  raise(ErrorKind::NotImplemented, "[", str(), "] R_op (jvp) is not implemented for this op");
}

std::vector<std::vector<bool>> Op::connection_pattern(const Apply& node) const {
  return std::vector<std::vector<bool>>(node.nin(), std::vector<bool>(node.nout(), true));
}

std::vector<Var> apply_op(const Op& op, const std::vector<Var>& inputs) {
  return op.make_node(inputs)->outputs();
}

Var apply1(const Op& op, const std::vector<Var>& inputs) {
  ApplyPtr node = op.make_node(inputs);
  HYPATIA_ASSERT(node->nout() == 1);
  return node->output(0);
}

Var grad_undefined(const Op& op, int i, const std::string& comment) {
  return null_var(str_cat("This variable is Null because the grad method for input ", i, " (",
                          op.str(), ") is mathematically undefined. ", comment));
}

Var grad_not_implemented(const Op& op, int i, const std::string& comment) {
  return null_var(str_cat("This variable is Null because the grad method for input ", i, " (",
                          op.str(), ") is not implemented. ", comment));
}

}  // namespace hypatia
