// OpFromGraph: inner graph, implicit inputs, pooled VM execution, shapes, gradients and R_ops as OpFromGraphs.
#include "hypatia/control/ops/op_from_graph.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "hypatia/grad/grad.h"
#include "hypatia/link/vm.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/rewrites/util.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// Idle VM frames; perform takes one per call and gives it back.
struct OpFromGraph::Pool {
  std::mutex mu;
  std::vector<std::unique_ptr<VM::Frame>> frames;
};

namespace {

// `v` as a variable of type `t` where only the dtype or the broadcastable flags differ (an
// output gradient computed elsewhere, a constant argument); TypeError naming `who` otherwise.
Var conform(const Var& v, const TypePtr& t, const std::string& who, const char* what, size_t i) {
  if (same_type(v.type(), t)) return v;
  const auto* want = dynamic_cast<const TensorType*>(t.get());
  const auto* have = dynamic_cast<const TensorType*>(v.type().get());
  if (want && have && want->ndim() == have->ndim()) {
    Var r = v;
    if (want->dtype() != have->dtype()) {
      if (v->is_constant()) {
        r = make_constant(t, t->filter(*v->constant, false, false));
        return r;
      }
      r = cast(r, *want->dtype());
    }
    r = patternbroadcast(r, want->broadcastable());
    if (same_type(r.type(), t)) return r;
  }
  type_error(who, " ", what, " ", i, ": expected type ", t->str(), ", got ", v.type()->str());
}

std::vector<Var> concat(std::vector<Var> a, const std::vector<Var>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

OfgOverride OfgOverride::from_op(std::shared_ptr<const Op> op) {
  OfgOverride o;
  o.whole = [op](const std::vector<Var>& inputs, const std::vector<Var>& extra) {
    return apply_op(*op, concat(inputs, extra));
  };
  return o;
}

std::vector<std::vector<bool>> io_connection_pattern(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  const size_t n = inputs.size();
  std::unordered_map<const Variable*, std::vector<bool>> conn;
  for (size_t i = 0; i < n; ++i) {
    auto& c = conn[inputs[i].get()];
    c.assign(n, false);
    c[i] = true;
  }
  for (Apply* node : io_toposort(inputs, outputs)) {
    auto pat = node->op()->connection_pattern(*node);
    for (int o = 0; o < node->nout(); ++o) {
      std::vector<bool> c(n, false);
      for (int i = 0; i < node->nin(); ++i) {
        auto it = conn.find(node->input(i).get());
        if (it == conn.end()) continue;
        bool linked = i < static_cast<int>(pat.size()) && o < static_cast<int>(pat[i].size()) ? pat[i][o] : true;
        if (!linked) continue;
        for (size_t k = 0; k < n; ++k) c[k] = c[k] || it->second[k];
      }
      conn[node->out(o)] = std::move(c);
    }
  }
  std::vector<std::vector<bool>> r(n, std::vector<bool>(outputs.size(), false));
  for (size_t o = 0; o < outputs.size(); ++o) {
    auto it = conn.find(outputs[o].get());
    if (it == conn.end()) continue;
    for (size_t i = 0; i < n; ++i) r[i][o] = it->second[i];
  }
  return r;
}

OpFromGraph::OpFromGraph(const std::vector<Var>& inputs, const std::vector<Var>& outputs, OpFromGraphOptions options)
    : opts_(std::move(options)) {
  const std::string w = who();
  if (outputs.empty()) type_error(w, " expected at least one output");
  std::unordered_set<Variable*> seen;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) type_error(w, " input ", i, " is None; inputs and outputs must be Variable instances");
    if (inputs[i]->is_constant())
      type_error(w, " input ", i, " is a constant (", inputs[i]->str(), "); inputs must be non-constant variables");
    if (!seen.insert(inputs[i].get()).second) type_error(w, " variable ", inputs[i]->str(), " is given twice as an input");
  }
  for (size_t o = 0; o < outputs.size(); ++o)
    if (!outputs[o]) type_error(w, " output ", o, " is None; inputs and outputs must be Variable instances");
  n_explicit_ = static_cast<int>(inputs.size());
  // Free variables of the outputs (shared variables, inputs the caller did not list) become
  // implicit inputs, in the order graph_inputs finds them.
  for (const Var& r : graph_inputs(outputs, inputs))
    if (!r->is_constant() && !seen.count(r.get())) {
      seen.insert(r.get());
      implicit_.push_back(r);
    }
  VarMap repl;
  std::vector<Var> locals;
  for (const Var& v : concat(inputs, implicit_)) {
    Var l = make_variable(v.type(), v->name);
    repl[v.get()] = l;
    locals.push_back(l);
  }
  fg_ = std::make_shared<FunctionGraph>(locals, clone_replace(outputs, repl), true);
  const int nin = static_cast<int>(locals.size());
  const int nout = static_cast<int>(outputs.size());
  if (!opts_.grad_overrides.per.empty() && static_cast<int>(opts_.grad_overrides.per.size()) != n_explicit_)
    type_error(w, " grad_overrides as a list needs one entry per input (", n_explicit_, "), got ",
               opts_.grad_overrides.per.size());
  if (!opts_.rop_overrides.per.empty() && static_cast<int>(opts_.rop_overrides.per.size()) != nout)
    type_error(w, " rop_overrides as a list needs one entry per output (", nout, "), got ", opts_.rop_overrides.per.size());
  pattern_ = io_connection_pattern(fg_->inputs(), fg_->outputs());
  if (opts_.connection_pattern) {
    const auto& given = *opts_.connection_pattern;
    if (static_cast<int>(given.size()) != n_explicit_ && static_cast<int>(given.size()) != nin)
      type_error(w, " connection_pattern needs one row per input (", n_explicit_, "), got ", given.size());
    for (size_t i = 0; i < given.size(); ++i) {
      if (static_cast<int>(given[i].size()) != nout)
        type_error(w, " connection_pattern row ", i, " needs one entry per output (", nout, "), got ", given[i].size());
      pattern_[i] = given[i];
    }
  }
  for (size_t i = 0; i < opts_.grad_overrides.per.size(); ++i)
    if (opts_.grad_overrides.per[i].kind == OfgOverrideEntry::Kind::Disconnected) pattern_[i].assign(nout, false);
  build_vm();
  // Overrides are called once, now, and dropped: the derivative ops they give are cached, and
  // the op keeps no user callable (a Python function would hold its module alive through it).
  grad_overridden_ = !opts_.grad_overrides.is_default();
  rop_overridden_ = !opts_.rop_overrides.is_default();
  if (grad_overridden_) grad_derivative();
  if (rop_overridden_) rop_derivative(std::vector<bool>(nin, true));
  opts_.grad_overrides = {};
  opts_.rop_overrides = {};
}

OpFromGraph::OpFromGraph(const OpFromGraph& base, FunctionGraphPtr inner)
    : fg_(std::move(inner)), n_explicit_(base.n_explicit_), implicit_(base.implicit_), opts_(base.opts_),
      pattern_(base.pattern_), grad_overridden_(base.grad_overridden_), rop_overridden_(base.rop_overridden_) {
  {
    std::lock_guard<std::mutex> lock(base.cache_mu_);
    if (base.grad_cache_) grad_cache_ = std::make_unique<Derivative>(*base.grad_cache_);
    rop_cache_ = base.rop_cache_;
  }
  if (fg_->inputs().size() != base.fg_->inputs().size() || fg_->outputs().size() != base.fg_->outputs().size())
    value_error(who(), " with_inner_graphs: the new graph has ", fg_->inputs().size(), " inputs and ",
                fg_->outputs().size(), " outputs, expected ", base.fg_->inputs().size(), " and ", base.fg_->outputs().size());
  build_vm();
}

OpFromGraph::OpFromGraph(const OfgState& st) : fg_(st.inner), n_explicit_(st.n_explicit), implicit_(st.implicit) {
  opts_.inline_ = st.inline_;
  opts_.name = st.name;
  const std::string w = who();
  if (!fg_) value_error(w, " state: expected an inner graph");
  const int nin = static_cast<int>(fg_->inputs().size());
  const int nout = static_cast<int>(fg_->outputs().size());
  if (n_explicit_ < 0 || n_explicit_ + static_cast<int>(implicit_.size()) != nin)
    value_error(w, " state: ", n_explicit_, " explicit and ", implicit_.size(), " implicit inputs do not match the inner graph's ", nin);
  pattern_ = st.pattern;
  bool pattern_ok = static_cast<int>(pattern_.size()) == nin;
  for (const auto& row : pattern_) pattern_ok = pattern_ok && static_cast<int>(row.size()) == nout;
  if (!pattern_ok) value_error(w, " state: the connection pattern must be ", nin, " x ", nout);
  auto restore = [&](const OfgDerivativeState& d, size_t n_results, const char* what) {
    Derivative r;
    r.op = d.op;
    r.index = d.index;
    const auto* dofg = dynamic_cast<const OpFromGraph*>(d.op.get());
    const int nops = dofg ? static_cast<int>(dofg->inner().outputs().size()) : d.op ? INT32_MAX : 0;
    size_t nulls = 0;
    for (int k : r.index) {
      if (k >= nops || k < -2) value_error(w, " state: ", what, " derivative index ", k, " is out of range");
      if (k == -2) ++nulls;
    }
    if (r.index.size() != n_results || nulls != d.null_reasons.size())
      value_error(w, " state: the ", what, " derivative has ", r.index.size(), " results and ", d.null_reasons.size(),
                  " null reasons, expected ", n_results, " and ", nulls);
    for (const std::string& why : d.null_reasons) r.nulls.push_back(null_var(why));
    return r;
  };
  if (st.grad) {
    grad_overridden_ = true;
    grad_cache_ = std::make_unique<Derivative>(restore(*st.grad, nin, "grad"));
  }
  if (st.rop) {
    rop_overridden_ = true;
    rop_cache_.emplace(std::vector<bool>(nin, true), restore(*st.rop, nout, "R_op"));
  }
  build_vm();
}

OfgState OpFromGraph::state() const {
  OfgState st;
  st.inner = fg_;
  st.n_explicit = n_explicit_;
  st.implicit = implicit_;
  st.inline_ = opts_.inline_;
  st.name = opts_.name;
  st.pattern = pattern_;
  auto save = [](const Derivative& d) {
    OfgDerivativeState r{d.op, d.index, {}};
    for (const Var& v : d.nulls) r.null_reasons.push_back(static_cast<const NullType&>(*v.type()).why());
    return r;
  };
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (grad_overridden_ && grad_cache_) st.grad = save(*grad_cache_);
  if (rop_overridden_) {
    auto it = rop_cache_.find(std::vector<bool>(fg_->inputs().size(), true));
    if (it != rop_cache_.end()) st.rop = save(it->second);
  }
  return st;
}

OpFromGraph::~OpFromGraph() = default;

void OpFromGraph::build_vm() {
  vm_ = std::make_unique<VM>(*fg_, true);
  pool_ = std::make_unique<Pool>();
  in_slots_.clear();
  out_slots_.clear();
  for (const Var& v : fg_->inputs()) in_slots_.push_back(vm_->slot_of(v.get()));
  for (const Var& v : fg_->outputs()) out_slots_.push_back(vm_->slot_of(v.get()));
}

std::string OpFromGraph::who() const { return "[" + (opts_.name.empty() ? std::string("OpFromGraph") : opts_.name) + "]"; }

std::string OpFromGraph::str() const {
  return str_cat(opts_.name.empty() ? "OpFromGraph" : opts_.name, "{inline=", opts_.inline_ ? "True" : "False", "}");
}

ApplyPtr OpFromGraph::make_node(const std::vector<Var>& inputs) const {
  const std::string w = who();
  // The explicit inputs (the implicit ones are appended), or all of them as a node holds them
  // (how a pickled or copied graph rebuilds the node, whatever replaced the implicit inputs).
  const int n_all = n_explicit_ + static_cast<int>(implicit_.size());
  const bool given_all = static_cast<int>(inputs.size()) == n_all && !implicit_.empty();
  if (static_cast<int>(inputs.size()) != n_explicit_ && !given_all)
    type_error(w, " expected ", n_explicit_, n_explicit_ == 1 ? " input" : " inputs", ", got ", inputs.size());
  std::vector<Var> all;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) type_error(w, " input ", i, " is None");
    all.push_back(conform(inputs[i], fg_->inputs()[i].type(), w, "input", i));
  }
  if (!given_all) all.insert(all.end(), implicit_.begin(), implicit_.end());
  std::vector<TypePtr> types;
  for (const Var& o : fg_->outputs()) types.push_back(o.type());
  return Apply::create(ptr(), all, types);
}

void OpFromGraph::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  std::unique_ptr<VM::Frame> f;
  {
    std::lock_guard<std::mutex> lock(pool_->mu);
    if (!pool_->frames.empty()) {
      f = std::move(pool_->frames.back());
      pool_->frames.pop_back();
    }
  }
  if (!f) f = vm_->make_frame();
  const size_t nin = in_slots_.size();
  auto give_back = [&] {
    for (int s : in_slots_) f->slot(s) = std::monostate{};
    std::lock_guard<std::mutex> lock(pool_->mu);
    pool_->frames.push_back(std::move(f));
  };
  try {
    for (size_t i = 0; i < nin; ++i) f->slot(in_slots_[i]) = *inputs[i];
    vm_->run(*f);
    for (size_t j = 0; j < out_slots_.size(); ++j) {
      const int s = out_slots_[j];
      Value& src = f->slot(s);
      // An output must not alias an input, an inner constant, or another output.
      bool copy = fg_->outputs()[j]->is_constant() ||
                  std::find(in_slots_.begin(), in_slots_.end(), s) != in_slots_.end();
      for (size_t i = 0; i < nin && !copy; ++i) copy = may_share_memory(src, *inputs[i]);
      for (size_t k = j + 1; k < out_slots_.size() && !copy; ++k) copy = out_slots_[k] == s;
      if (copy) outputs[j] = deep_copy(src);
      else outputs[j] = std::move(src);
    }
  } catch (...) {
    give_back();
    throw;
  }
  give_back();
}

std::optional<std::vector<ShapeVec>> OpFromGraph::infer_shape(const Apply& node,
                                                               const std::vector<ShapeVec>& input_shapes) const {
  // Walk the inner graph with each node's infer_shape, starting from the outer input shapes;
  // what remains of inner inputs (shapes that depend on values) is replaced by the outer inputs.
  std::unordered_map<const Variable*, ShapeVec> shapes;
  for (size_t i = 0; i < fg_->inputs().size() && i < input_shapes.size(); ++i)
    shapes[fg_->inputs()[i].get()] = input_shapes[i];
  for (Apply* n : fg_->toposort()) {
    std::vector<ShapeVec> ins = tensor_rewrites::symbolic_input_shapes(*n);
    bool known = true;
    for (int i = 0; i < n->nin(); ++i) {
      const Var& x = n->input(i);
      if (x->is_constant()) continue;
      auto it = shapes.find(x.get());
      if (it == shapes.end()) known = false;
      else ins[i] = it->second;
    }
    if (!known) continue;
    std::optional<std::vector<ShapeVec>> out;
    try {
      out = n->op()->infer_shape(*n, ins);
    } catch (const std::exception&) {
      out = std::nullopt;
    }
    if (!out || static_cast<int>(out->size()) != n->nout()) continue;
    for (int o = 0; o < n->nout(); ++o) shapes[n->out(o)] = (*out)[o];
  }
  std::vector<Var> flat;
  std::vector<size_t> sizes;
  for (const Var& o : fg_->outputs()) {
    ShapeVec s;
    auto it = shapes.find(o.get());
    if (it == shapes.end() && !o->is_constant()) return std::nullopt;
    if (it != shapes.end()) s = it->second;
    else {
      for (int d = 0; d < o.type()->ndim(); ++d) s.push_back(shape_i(o, d));
    }
    for (const Var& e : s)
      if (!e) return std::nullopt;
    sizes.push_back(s.size());
    flat.insert(flat.end(), s.begin(), s.end());
  }
  VarMap repl;
  for (size_t i = 0; i < fg_->inputs().size(); ++i) repl[fg_->inputs()[i].get()] = node.input(static_cast<int>(i));
  std::vector<Var> outer = flat.empty() ? flat : clone_replace(flat, repl);
  std::vector<ShapeVec> r;
  size_t k = 0;
  for (size_t sz : sizes) {
    r.emplace_back(outer.begin() + static_cast<std::ptrdiff_t>(k), outer.begin() + static_cast<std::ptrdiff_t>(k + sz));
    k += sz;
  }
  return r;
}

OpFromGraph::Derivative OpFromGraph::wrap(const std::vector<Var>& extra, const std::vector<Var>& results) const {
  Derivative d;
  std::vector<Var> real;
  for (const Var& r : results) {
    if (!r || is_disconnected(r)) {
      d.index.push_back(-1);
    } else if (is_null(r)) {
      d.index.push_back(-2);
      d.nulls.push_back(r);
    } else {
      d.index.push_back(static_cast<int>(real.size()));
      real.push_back(r);
    }
  }
  if (!real.empty()) {
    OpFromGraphOptions o;
    o.inline_ = opts_.inline_;
    d.op = std::make_shared<OpFromGraph>(concat(fg_->inputs(), extra), real, o);
  }
  return d;
}

const OpFromGraph::Derivative& OpFromGraph::grad_derivative() const {
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (grad_cache_) return *grad_cache_;
  const std::vector<Var>& ins = fg_->inputs();
  const std::vector<Var>& outs = fg_->outputs();
  const int nin = static_cast<int>(ins.size());
  std::vector<Var> gs;
  for (const Var& o : outs) gs.push_back(make_variable(o.type(), o->name.empty() ? "" : o->name + "_grad"));
  std::optional<std::vector<Var>> defaults;
  auto default_grads = [&]() -> const std::vector<Var>& {
    if (!defaults) {
      GradOptions o;
      for (size_t k = 0; k < outs.size(); ++k) o.known_grads.emplace_back(outs[k], gs[k]);
      o.disconnected_inputs = OnDisconnected::Ignore;
      o.return_disconnected = ReturnDisconnected::Disconnected;
      o.null_gradients = OnNullGradient::Return;
      o.add_names = false;
      defaults = grad(Var(), ins, o);
    }
    return *defaults;
  };
  std::vector<Var> results(nin);
  const OfgOverride& ov = opts_.grad_overrides;
  if (ov.whole) {
    std::vector<Var> r = ov.whole(ins, gs);
    if (static_cast<int>(r.size()) != n_explicit_ && static_cast<int>(r.size()) != nin)
      type_error(who(), " grad_overrides returned ", r.size(), " gradients, expected one per input (", n_explicit_, ")");
    for (int i = 0; i < nin; ++i) results[i] = i < static_cast<int>(r.size()) ? r[i] : default_grads()[i];
  } else {
    for (int i = 0; i < nin; ++i) {
      const OfgOverrideEntry* e = i < static_cast<int>(ov.per.size()) ? &ov.per[i] : nullptr;
      using K = OfgOverrideEntry::Kind;
      if (!e || e->kind == K::Default) results[i] = default_grads()[i];
      else if (e->kind == K::Callable) results[i] = e->fn(ins, gs);
      else if (e->kind == K::Null) results[i] = null_var(str_cat(who(), " the gradient of input ", i, " is NullType (grad_overrides)"));
      else results[i] = disconnected_var();
    }
  }
  grad_cache_ = std::make_unique<Derivative>(wrap(gs, results));
  return *grad_cache_;
}

std::vector<Var> OpFromGraph::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const int nin = node.nin(), nout = node.nout();
  std::vector<bool> usable(nout);
  std::vector<Var> extra(nout);
  for (int o = 0; o < nout; ++o) {
    const Var& g = output_grads[o];
    usable[o] = g && !is_disconnected(g) && !is_null(g);
    Var out = node.output(o);
    extra[o] = usable[o] ? conform(g, out.type(), who(), "output gradient", o) : out.type()->zeros_like(out, false);
  }
  std::vector<Var> r(nin);
  bool any = std::find(usable.begin(), usable.end(), true) != usable.end();
  if (!any) {
    for (auto& v : r) v = disconnected_var();
    return r;
  }
  const Derivative& d = grad_derivative();
  std::vector<Var> outs;
  if (d.op) outs = apply_op(*d.op, concat(node.inputs(), extra));
  size_t null_k = 0;
  for (int i = 0; i < nin; ++i) {
    const int k = d.index[i];
    r[i] = k >= 0 ? outs[k] : k == -2 ? d.nulls[null_k++] : disconnected_var();
    bool connected = false;
    for (int o = 0; o < nout; ++o) connected = connected || (pattern_[i][o] && usable[o]);
    if (!connected) r[i] = disconnected_var();
  }
  return r;
}

const OpFromGraph::Derivative& OpFromGraph::rop_derivative(const std::vector<bool>& has_ep) const {
  std::lock_guard<std::mutex> lock(cache_mu_);
  auto it = rop_cache_.find(has_ep);
  if (it != rop_cache_.end()) return it->second;
  const std::vector<Var>& ins = fg_->inputs();
  const std::vector<Var>& outs = fg_->outputs();
  const int nout = static_cast<int>(outs.size());
  std::vector<Var> eps, wrt, full(ins.size());
  for (size_t i = 0; i < ins.size(); ++i) {
    if (has_ep[i]) {
      Var e = make_variable(ins[i].type(), ins[i]->name.empty() ? "" : ins[i]->name + "_ep");
      eps.push_back(e);
      wrt.push_back(ins[i]);
      full[i] = e;
    } else {
      try {
        full[i] = ins[i].type()->zeros_like(ins[i], false);
      } catch (const Error&) {
        full[i] = Var();  // no zero tangent for this type (random state): none given
      }
    }
  }
  std::optional<std::vector<Var>> defaults;
  auto default_rops = [&]() -> const std::vector<Var>& {
    if (!defaults) {
      RopOptions o;
      o.disconnected_outputs = OnDisconnected::Ignore;
      o.return_disconnected = ReturnDisconnected::None;
      defaults = wrt.empty() ? std::vector<Var>(nout) : Rop(outs, wrt, eps, o);
    }
    return *defaults;
  };
  std::vector<Var> results(nout);
  const OfgOverride& ov = opts_.rop_overrides;
  if (ov.whole) {
    std::vector<Var> r = ov.whole(ins, full);
    if (static_cast<int>(r.size()) != nout)
      type_error(who(), " rop_overrides returned ", r.size(), " results, expected one per output (", nout, ")");
    results = r;
  } else {
    for (int o = 0; o < nout; ++o) {
      const OfgOverrideEntry* e = o < static_cast<int>(ov.per.size()) ? &ov.per[o] : nullptr;
      using K = OfgOverrideEntry::Kind;
      if (!e || e->kind == K::Default) results[o] = default_rops()[o];
      else if (e->kind == K::Callable) results[o] = e->fn(ins, full);
      else if (e->kind == K::Null) results[o] = null_var(str_cat(who(), " the R_op of output ", o, " is NullType (rop_overrides)"));
      else results[o] = outs[o].type()->zeros_like(outs[o], false);
    }
  }
  return rop_cache_.emplace(has_ep, wrap(eps, results)).first->second;
}

std::vector<Var> OpFromGraph::jvp(const Apply& node, const std::vector<Var>& eval_points) const {
  const int nin = node.nin();
  std::vector<bool> has_ep(nin);
  std::vector<Var> extra;
  for (int i = 0; i < nin; ++i) {
    const Var& e = i < static_cast<int>(eval_points.size()) ? eval_points[i] : Var();
    has_ep[i] = e && !is_disconnected(e) && !is_null(e);
    if (has_ep[i]) {
      extra.push_back(conform(e, node.input(i).type(), who(), "eval point", i));
    } else if (rop_overridden_) {
      // The override was built with an eval point for every input: a missing one is zero.
      has_ep[i] = true;
      Var x = node.input(i);
      try {
        extra.push_back(x.type()->zeros_like(x, false));
      } catch (const Error&) {
        type_error(who(), " rop_overrides: input ", i, " (", x.type()->str(), ") has no eval point and no zero tangent");
      }
    }
  }
  const Derivative& d = rop_derivative(has_ep);
  std::vector<Var> outs;
  if (d.op) outs = apply_op(*d.op, concat(node.inputs(), extra));
  std::vector<Var> r(node.nout());
  size_t null_k = 0;
  for (int o = 0; o < node.nout(); ++o) {
    const int k = d.index[o];
    r[o] = k >= 0 ? outs[k] : k == -2 ? d.nulls[null_k++] : Var();
  }
  return r;
}

std::vector<std::vector<bool>> OpFromGraph::connection_pattern(const Apply&) const { return pattern_; }

bool OpFromGraph::constant_foldable(const Apply&) const {
  for (Apply* n : fg_->apply_nodes())
    if (!n->op()->constant_foldable(*n)) return false;
  return true;
}

OpPtr OpFromGraph::with_inner_graphs(const std::vector<FunctionGraphPtr>& graphs) const {
  if (graphs.size() != 1) value_error(who(), " with_inner_graphs expects one graph, got ", graphs.size());
  return std::make_shared<OpFromGraph>(*this, graphs[0]);
}

std::vector<Var> OpFromGraph::expand(const std::vector<Var>& inputs) const {
  if (inputs.size() != fg_->inputs().size())
    value_error(who(), " expand: expected ", fg_->inputs().size(), " inputs, got ", inputs.size());
  VarMap repl;
  for (size_t i = 0; i < inputs.size(); ++i) repl[fg_->inputs()[i].get()] = inputs[i];
  return clone_replace(fg_->outputs(), repl);
}

std::shared_ptr<const OpFromGraph> op_from_graph(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                                                 OpFromGraphOptions options) {
  return std::make_shared<const OpFromGraph>(inputs, outputs, std::move(options));
}

}  // namespace hypatia
