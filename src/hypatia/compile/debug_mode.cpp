// DebugMode: the equivalence tracker, the reference run of the unoptimised graph, and per-node checks.
#include "hypatia/compile/debug_mode.h"

#include <algorithm>
#include <unordered_map>

#include "hypatia/compile/function.h"
#include "hypatia/compile/nan_guard.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/util/warning.h"

namespace hypatia {

std::pair<double, double> debug_tolerance(DType dtype, const DebugOptions& o) {
  const bool low = dtype == DType::Float32 || dtype == DType::Float16;
  return {o.rtol >= 0 ? o.rtol : low ? 1e-3 : 1e-5, o.atol >= 0 ? o.atol : low ? 1e-5 : 1e-8};
}

namespace {

NDArray dense(const Value& v) { return is_sparse(v) ? std::get<SparseMatrix>(v).to_dense() : std::get<NDArray>(v); }
bool comparable(const Value& v) { return is_array(v) || is_sparse(v); }
DType dtype_of(const Value& v) { return is_sparse(v) ? std::get<SparseMatrix>(v).dtype() : std::get<NDArray>(v).dtype(); }

/// Whether a and b hold the same numbers within (rtol, atol); NaNs equal each other.
bool close(const Value& a, const Value& b, double rtol, double atol) {
  if (!comparable(a) || !comparable(b)) return true;
  NDArray x = dense(a), y = dense(b);
  return x.shape() == y.shape() && allclose(x, y, rtol, atol, true);
}

/// Exact equality, stored structure included for sparse matrices.
bool identical(const Value& a, const Value& b) {
  if (is_sparse(a) && is_sparse(b)) {
    const auto &x = std::get<SparseMatrix>(a), &y = std::get<SparseMatrix>(b);
    return x.shape() == y.shape() && x.nnz() == y.nnz() && close(x.data(), y.data(), 0, 0) &&
           close(x.indices(), y.indices(), 0, 0) && close(x.indptr(), y.indptr(), 0, 0);
  }
  return close(a, b, 0, 0);
}

/// Whether the numbers of a and b may share memory: a dense array, or a sparse matrix's data.
/// Sparse index arrays are never written in place, so ops may share them between input and
/// output without a view_map (docs/semantics.md).
bool numbers_may_alias(const Value& a, const Value& b) {
  auto numbers = [](const Value& v) -> const NDArray& { return is_sparse(v) ? std::get<SparseMatrix>(v).data() : std::get<NDArray>(v); };
  return numbers(a).may_share_memory(numbers(b));
}

/// InvalidValue when an output's dtype or rank is not its type's: checked after every node of
/// both runs, before any other node reads the value (a float32 buffer read as float64 would be
/// read past its end).
void check_output_types(const Apply& node, const std::vector<const Value*>& outputs) {
  for (size_t k = 0; k < outputs.size(); ++k) {
    const Value& v = *outputs[k];
    if (is_empty(v) || !comparable(v)) continue;
    const TypePtr& t = node.out(static_cast<int>(k))->type;
    const DType d = dtype_of(v);
    const int nd = static_cast<int>(value_shape(v).size());
    if ((t->dtype() && *t->dtype() != d) || nd != t->ndim())
      value_error("[DebugMode] InvalidValue: output ", k, " of node ", node_str(node), " is a ", dtype_name(d), " value with ", nd,
                  " dimensions; expected a value of its type ", t->str());
  }
}

std::string brief(const Value& v);

/// The reference run of the unoptimised graph: only the output types are checked there.
class TypeGuard : public NodeObserver {
 public:
  void after(const Apply& node, const std::vector<Value>&, const Value* const* inputs,
             const std::vector<const Value*>& outputs) override {
    try {
      check_output_types(node, outputs);
    } catch (const Error& e) {
      std::string vals;
      for (int i = 0; i < node.nin(); ++i) vals += str_cat(i ? ", " : "", brief(*inputs[i]));
      throw Error(e.kind(), str_cat(e.what(), "\nInputs values: [", vals, "]"));
    }
  }
};

std::string brief(const Value& v) {
  std::string s = value_repr(v);
  return s.size() > 400 ? s.substr(0, 400) + " ..." : s;
}

}  // namespace

/// Records, for each variable of the graph being rewritten, the variable of the unoptimised
/// copy it replaces (transitively) and the rewrite that made the replacement.
struct DebugChecker::Tracker : Feature {
  struct Entry {
    Var keep;  // holds the key alive, so its address is never reused by another variable
    Var orig;
    std::string reason;
  };
  std::unordered_map<Variable*, Entry> map;
  void on_change_input(FunctionGraph&, Apply*, int, const Var& old, const Var& neu, const std::string& reason) override {
    auto it = map.find(old.get());
    if (it == map.end() || map.count(neu.get())) return;
    // The chain of rewrites from the original variable to this one, first to last.
    std::string chain = it->second.reason;
    if (!reason.empty()) chain = chain.empty() ? reason : chain + " -> " + reason;
    Entry e{neu, it->second.orig, chain.empty() ? "?" : chain};
    map.emplace(neu.get(), std::move(e));
  }
};

struct DebugChecker::Impl {
  DebugOptions opts;
  std::unique_ptr<FunctionGraph> orig;
  std::unique_ptr<VM> orig_vm;
  std::shared_ptr<Tracker> tracker;
  std::mutex mu;
  struct ShapeFn {
    FunctionPtr fn;              // null when the op has no infer_shape or it cannot be evaluated
    std::vector<int> args;       // the node inputs the function takes (the non-constant ones)
    std::vector<int> out_ndim;   // per output, how many of the function's outputs are its shape
  };
  std::unordered_map<const Apply*, ShapeFn> shape_fns;

  const ShapeFn& shape_fn(const Apply& node);
};

const DebugChecker::Impl::ShapeFn& DebugChecker::Impl::shape_fn(const Apply& node) {
  auto it = shape_fns.find(&node);
  if (it != shape_fns.end()) return it->second;
  ShapeFn sf;
  try {
    // The node rebuilt on fresh inputs (constants kept: ops read axes and the like from
    // them), its infer_shape over their symbolic shapes, compiled without rewrites.
    std::vector<Var> ins;
    std::vector<In> fn_ins;
    std::vector<ShapeVec> shapes;
    for (int i = 0; i < node.nin(); ++i) {
      const Var& x = node.input(i);
      Var v = x->is_constant() ? x : make_variable(x.type(), x->name);
      if (!x->is_constant()) {
        fn_ins.emplace_back(v);
        sf.args.push_back(i);
      }
      ShapeVec s;
      for (int d = 0; d < x.type()->ndim(); ++d) s.push_back(shape_i(v, d));
      shapes.push_back(std::move(s));
      ins.push_back(v);
    }
    ApplyPtr copy = node.clone_with_new_inputs(ins, false);
    if (auto inferred = node.op()->infer_shape(*copy, shapes)) {
      std::vector<Out> outs;
      for (const ShapeVec& s : *inferred) {
        sf.out_ndim.push_back(static_cast<int>(s.size()));
        for (const Var& d : s) outs.emplace_back(d);
      }
      FunctionOptions fo;
      fo.mode = Mode::None;
      fo.on_unused_input = OnUnusedInput::Ignore;
      sf.fn = function(fn_ins, outs, fo);
    }
  } catch (const Error&) {
    sf.fn = nullptr;  // infer_shape not available for this node: nothing to compare
  }
  return shape_fns.emplace(&node, std::move(sf)).first->second;
}

namespace {

/// Checks each node of the first run (and records its outputs), or compares a rerun's nodes
/// with the recording.
class CheckObserver : public NodeObserver {
 public:
  CheckObserver(DebugChecker::Impl& impl, DebugChecker::Tracker& tracker, VM::Frame* ref,
                std::vector<std::vector<Value>>* record, bool rerun)
      : impl_(impl), tracker_(tracker), ref_(ref), record_(record), rerun_(rerun) {}
  bool wants_input_copies() const override { return !rerun_; }
  void after(const Apply& node, const std::vector<Value>& before, const Value* const* inputs,
             const std::vector<const Value*>& outputs) override {
    if (rerun_) {
      if (pos_ >= record_->size()) return;
      const std::vector<Value>& first = (*record_)[pos_++];
      for (size_t k = 0; k < outputs.size() && k < first.size(); ++k)
        if (!same_result(*outputs[k], first[k]))
          value_error("[DebugMode] BadThunkOutput: output ", k, " of node ", node_str(node),
                      " differs between two runs of the graph on the same inputs; expected equal results (within DebugMode's tolerance)\n first run: ",
                      brief(first[k]), "\n rerun:     ", brief(*outputs[k]));
      return;
    }
    try {
      check(node, before, inputs, outputs);
    } catch (const Error& e) {
      // The offending node's input values (as they were before it ran) follow the message;
      // the VM then adds the node, its input shapes and types.
      std::string vals;
      for (size_t i = 0; i < before.size(); ++i) vals += str_cat(i ? ", " : "", brief(before[i]));
      throw Error(e.kind(), str_cat(e.what(), "\nInputs values: [", vals, "]"));
    }
    std::vector<Value> copies;
    for (const Value* v : outputs) copies.push_back(deep_copy(*v));
    record_->push_back(std::move(copies));
  }

 private:
  void check(const Apply& node, const std::vector<Value>& before, const Value* const* inputs,
             const std::vector<const Value*>& outputs) {
    const DebugOptions& o = impl_.opts;
    if (o.check_values) check_values(node, outputs);
    if (o.check_destroy_map) check_destroy_map(node, before, inputs);
    if (o.check_view_map) check_view_map(node, inputs, outputs);
    if (o.check_shapes) check_shapes(node, before, outputs);
    for (int r = 0; r < o.reruns; ++r) check_rerun(node, before, outputs);
    if (!o.preallocated.empty()) check_preallocated(node, before, outputs);
    if (o.check_strides > 0) check_strides(node, before, outputs);
    if (o.warn_input_not_reused) check_input_reused(node, before, inputs, outputs);
    if (o.check_optimized && ref_) check_optimized(node, outputs);
  }

  /// perform on fresh copies of the node's original inputs, with `outs` as its output slots.
  void perform_again(const Apply& node, const std::vector<Value>& before, std::vector<Value>& outs) {
    std::vector<Value> ins;
    for (const Value& v : before) ins.push_back(deep_copy(v));
    std::vector<const Value*> ptrs;
    for (const Value& v : ins) ptrs.push_back(&v);
    node.op()->perform(node, ptrs.data(), outs.data());
  }

  bool can_rerun(const Apply& node, const std::vector<Value>& before) const {
    return before.size() == static_cast<size_t>(node.nin()) && !node.op()->lazy_branches(node);
  }

  /// An array of `shape` laid out as `kind` asks, filled with values a correct op overwrites
  /// (NaN for floats, a large number for integers).
  NDArray garbage(DType dtype, const Shape& shape, const std::string& kind) const {
    const double junk = is_float(dtype) || is_complex(dtype) ? std::nan("") : 77;
    if (kind == "f_contiguous") {
      Shape rev(shape.rbegin(), shape.rend());
      return NDArray::full(dtype, rev, junk).transpose();
    }
    if (kind == "strided") {
      const int nd = static_cast<int>(shape.size());
      const int from = std::max(0, nd - impl_.opts.preallocated_ndim);
      Shape big = shape;
      for (int d = from; d < nd; ++d) big[d] = 2 * shape[d] + 1;
      NDArray a = NDArray::full(dtype, big, junk);
      for (int d = from; d < nd; ++d) a = a.slice(d, 1, 1 + 2 * shape[d], 2);
      return a;
    }
    return NDArray::full(dtype, shape, junk);  // c_contiguous, and wrong_size's shapes
  }

  /// Theano's check_preallocated_output: the node run again with each kind of output buffer
  /// already in its slots must give the first run's results.
  void check_preallocated(const Apply& node, const std::vector<Value>& before, const std::vector<const Value*>& outputs) {
    if (!can_rerun(node, before)) return;
    std::vector<std::string> kinds;
    for (const std::string& k : impl_.opts.preallocated) {
      if (k == "ALL") kinds = {"initial", "previous", "c_contiguous", "f_contiguous", "strided", "wrong_size_plus", "wrong_size_minus"};
      else if (k == "wrong_size") { kinds.push_back("wrong_size_plus"); kinds.push_back("wrong_size_minus"); }
      else kinds.push_back(k);
    }
    for (const std::string& kind : kinds) {
      std::vector<Value> outs(outputs.size());
      for (size_t k = 0; k < outputs.size(); ++k) {
        const Value& first = *outputs[k];
        if (kind == "previous") outs[k] = deep_copy(first);
        else if (kind == "initial" || !is_array(first)) continue;
        else {
          const NDArray& a = std::get<NDArray>(first);
          Shape s = a.shape();
          if (kind == "wrong_size_plus") for (auto& d : s) d += 1;
          if (kind == "wrong_size_minus") for (auto& d : s) d = std::max<int64_t>(0, d - 1);
          outs[k] = garbage(a.dtype(), s, kind.rfind("wrong_size", 0) == 0 ? "c_contiguous" : kind);
        }
      }
      perform_again(node, before, outs);
      for (size_t k = 0; k < outputs.size(); ++k)
        if (!same_result(*outputs[k], outs[k]))
          value_error("[DebugMode] BadThunkOutput: output ", k, " of node ", node_str(node), " changes when its output slot already holds a '",
                      kind, "' buffer (check_preallocated_output); expected the same result as with a fresh buffer\n fresh:        ",
                      brief(*outputs[k]), "\n preallocated: ", brief(outs[k]));
    }
  }

  /// Theano's check_strides: outputs keep their layout when the node reruns on C-contiguous
  /// copies of its inputs (views follow their input's layout, so they are exempt).
  void check_strides(const Apply& node, const std::vector<Value>& before, const std::vector<const Value*>& outputs) {
    if (!can_rerun(node, before)) return;
    const ViewMap views = node.op()->view_map(), destroys = node.op()->destroy_map();
    std::vector<Value> outs(outputs.size());
    perform_again(node, before, outs);
    for (size_t k = 0; k < outputs.size(); ++k) {
      const int o = static_cast<int>(k);
      if (views.count(o) || destroys.count(o) || !is_array(*outputs[k]) || !is_array(outs[k])) continue;
      const NDArray &a = std::get<NDArray>(*outputs[k]), &b = std::get<NDArray>(outs[k]);
      if (a.size() <= 1 || a.shape() != b.shape() || a.strides() == b.strides()) continue;
      std::string msg = str_cat("[DebugMode] BadStrides: output ", k, " of node ", node_str(node), " has strides ", shape_str(a.strides()),
                                " but ", shape_str(b.strides()), " when rerun on C-contiguous copies of its inputs; expected the same layout");
      if (impl_.opts.check_strides >= 2) value_error(msg);
      warn(msg);
    }
  }

  /// Theano's warn_input_not_reused: an in-place node that could overwrite its input (an
  /// array Hypatia allocated, of the output's dtype and shape) but returned another buffer.
  void check_input_reused(const Apply& node, const std::vector<Value>& before, const Value* const* inputs,
                          const std::vector<const Value*>& outputs) {
    for (const auto& [o, ins] : node.op()->destroy_map()) {
      if (o < 0 || o >= static_cast<int>(outputs.size()) || !is_array(*outputs[o])) continue;
      const NDArray& out = std::get<NDArray>(*outputs[o]);
      for (int i : ins) {
        if (i < 0 || i >= node.nin() || i >= static_cast<int>(before.size()) || !is_array(before[i])) continue;
        const NDArray& orig = std::get<NDArray>(before[i]);
        // `before` holds copies: judge on the copy whether the real input was overwritable.
        if (orig.shape() != out.shape() || orig.dtype() != out.dtype() || !orig.is_c_contiguous()) continue;
        if (!is_array(*inputs[i]) || !overwritable(std::get<NDArray>(*inputs[i]), out.dtype())) continue;
        if (!out.may_share_memory(std::get<NDArray>(*inputs[i])))
          warn(str_cat("[DebugMode] input ", i, " of node ", node_str(node), " is marked as destroyed (destroy_map) and could be "
                       "overwritten, but the output was written to a new buffer; the in-place variant gains nothing here"));
      }
    }
  }

  /// Two runs' results agree: same shape, numbers within the dtype's tolerance (BLAS may round
  /// differently for differently laid out copies of the same inputs).
  bool same_result(const Value& a, const Value& b) const {
    if (!comparable(a) || !comparable(b)) return true;
    if (is_sparse(a) != is_sparse(b)) return false;
    const auto [rtol, atol] = debug_tolerance(dtype_of(a), impl_.opts);
    return close(a, b, is_float(dtype_of(a)) ? rtol : 0, is_float(dtype_of(a)) ? atol : 0);
  }

  void check_values(const Apply& node, const std::vector<const Value*>& outputs) {
    check_output_types(node, outputs);
    for (size_t k = 0; k < outputs.size(); ++k) {
      const Value& v = *outputs[k];
      if (is_empty(v)) continue;
      if (const auto* m = std::get_if<SparseMatrix>(&v)) {
        try {
          m->validate();
        } catch (const Error& e) {
          value_error("[DebugMode] InvalidValue: output ", k, " of node ", node_str(node),
                      " is not a valid sparse matrix; expected consistent indptr/indices/data: ", e.what());
        }
      }
      if (impl_.opts.check_finite) {
        NanGuardOptions no;
        no.nan_is_error = no.inf_is_error = true;
        if (comparable(v) && !nan_guard_problem(v, no).empty())
          value_error("[DebugMode] InvalidValue: output ", k, " of node ", node_str(node), " holds ", nan_guard_problem(v, no),
                      "; expected finite values (DebugMode(check_finite=False) allows them)");
      }
    }
  }

  void check_destroy_map(const Apply& node, const std::vector<Value>& before, const Value* const* inputs) {
    std::vector<bool> destroyed(node.nin(), false);
    for (const auto& [o, ins] : node.op()->destroy_map())
      for (int i : ins)
        if (i >= 0 && i < node.nin()) destroyed[i] = true;
    for (int i = 0; i < node.nin() && i < static_cast<int>(before.size()); ++i)
      if (!destroyed[i] && !identical(before[i], *inputs[i]))
        value_error("[DebugMode] BadDestroyMap: node ", node_str(node), " wrote into its input ", i, " (", node.input(i)->str(),
                    "), which its destroy_map does not declare; expected perform to leave the input unchanged\n before: ",
                    brief(before[i]), "\n after:  ", brief(*inputs[i]));
  }

  void check_view_map(const Apply& node, const Value* const* inputs, const std::vector<const Value*>& outputs) {
    const ViewMap views = node.op()->view_map(), destroys = node.op()->destroy_map();
    auto declared = [](const ViewMap& m, int o, int i) {
      auto it = m.find(o);
      return it != m.end() && std::find(it->second.begin(), it->second.end(), i) != it->second.end();
    };
    for (size_t k = 0; k < outputs.size(); ++k)
      for (int i = 0; i < node.nin(); ++i) {
        const int o = static_cast<int>(k);
        if (declared(views, o, i) || declared(destroys, o, i) || !comparable(*outputs[k]) || !comparable(*inputs[i])) continue;
        if (numbers_may_alias(*outputs[k], *inputs[i]))
          value_error("[DebugMode] BadViewMap: output ", k, " of node ", node_str(node), " shares memory with input ", i, " (",
                      node.input(i)->str(), "), which neither its view_map nor its destroy_map declares; expected a fresh output");
      }
  }

  /// Runs the node again on copies of its original inputs: the outputs must be identical
  /// (Theano's BadThunkOutput), which also catches ops that depend on their output buffers.
  void check_rerun(const Apply& node, const std::vector<Value>& before, const std::vector<const Value*>& outputs) {
    if (!can_rerun(node, before)) return;
    std::vector<Value> again(outputs.size());
    perform_again(node, before, again);
    for (size_t k = 0; k < outputs.size(); ++k)
      if (!same_result(*outputs[k], again[k]))
        value_error("[DebugMode] BadThunkOutput: output ", k, " of node ", node_str(node),
                    " differs between two runs on the same inputs; expected equal results (within DebugMode's tolerance)\n first run: ", brief(*outputs[k]),
                    "\n rerun:     ", brief(again[k]));
  }

  void check_shapes(const Apply& node, const std::vector<Value>& before, const std::vector<const Value*>& outputs) {
    const auto& sf = impl_.shape_fn(node);
    if (!sf.fn) return;
    std::vector<Value> args;
    for (int i : sf.args) {
      if (i >= static_cast<int>(before.size()) || is_empty(before[i])) return;  // a lazy op's branch not taken
      args.push_back(deep_copy(before[i]));
    }
    std::vector<Value> dims = (*sf.fn)(args);
    size_t pos = 0;
    for (size_t k = 0; k < outputs.size() && k < sf.out_ndim.size(); ++k) {
      Shape inferred;
      for (int d = 0; d < sf.out_ndim[k]; ++d) inferred.push_back(std::get<NDArray>(dims[pos++]).astype(DType::Int64).item<int64_t>());
      if (!comparable(*outputs[k])) continue;
      const Shape real = value_shape(*outputs[k]);
      if (real != inferred)
        value_error("[DebugMode] BadShape: infer_shape of node ", node_str(node), " gives ", shape_str(inferred), " for output ", k,
                    ", but perform produced shape ", shape_str(real), "; expected them to agree");
    }
  }

  void check_optimized(const Apply& node, const std::vector<const Value*>& outputs) {
    for (size_t k = 0; k < outputs.size(); ++k) {
      Variable* v = node.out(static_cast<int>(k));
      auto it = tracker_.map.find(v);
      if (it == tracker_.map.end() || it->second.reason.empty()) continue;  // not a replacement
      const int slot = impl_.orig_vm->slot_of(it->second.orig.get());
      if (slot < 0) continue;
      const Value& want = ref_->slot(slot);
      const Value& got = *outputs[k];
      if (is_empty(want) || !comparable(got)) continue;
      const auto [rtol, atol] = debug_tolerance(is_sparse(got) ? std::get<SparseMatrix>(got).dtype() : std::get<NDArray>(got).dtype(), impl_.opts);
      if (!close(got, want, rtol, atol))
        value_error("[DebugMode] BadOptimization: output ", k, " of node ", node_str(node), " (introduced by the rewrites '", it->second.reason,
                    "' for ", it->second.orig->str(), ") differs from the unoptimised graph; expected values within rtol=", rtol,
                    ", atol=", atol, "\n optimised:   ", brief(got), "\n unoptimised: ", brief(want));
    }
  }

  DebugChecker::Impl& impl_;
  DebugChecker::Tracker& tracker_;
  VM::Frame* ref_;
  std::vector<std::vector<Value>>* record_;
  bool rerun_;
  size_t pos_ = 0;
};

}  // namespace

DebugChecker::DebugChecker(FunctionGraph& fg, DebugOptions opts) : impl_(std::make_unique<Impl>()) {
  impl_->opts = opts;
  impl_->orig = std::make_unique<FunctionGraph>(fg.inputs(), fg.outputs(), true);
  impl_->orig_vm = std::make_unique<VM>(*impl_->orig, false);
  impl_->tracker = std::make_shared<Tracker>();
  for (const auto& [v, copy] : impl_->orig->equiv()) impl_->tracker->map.emplace(v, Tracker::Entry{Var::from(v), copy, ""});
  fg.attach_feature(impl_->tracker);
}

DebugChecker::~DebugChecker() = default;

void DebugChecker::run(const FunctionGraph& fg, const VM& vm, VM::Frame& frame) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<Value> ins;
  for (const Var& in : fg.inputs()) {
    const int s = vm.slot_of(in.get());
    ins.push_back(s < 0 ? Value{} : deep_copy(frame.slot(s)));
  }
  std::unique_ptr<VM::Frame> ref;
  if (impl_->opts.check_optimized) {
    ref = impl_->orig_vm->make_frame();
    for (size_t i = 0; i < ins.size(); ++i) {
      const int s = impl_->orig_vm->slot_of(impl_->orig->inputs()[i].get());
      if (s >= 0) ref->slot(s) = deep_copy(ins[i]);
    }
    TypeGuard guard;
    impl_->orig_vm->run(*ref, &guard);
  }
  std::vector<std::vector<Value>> record;
  CheckObserver first(*impl_, *impl_->tracker, ref.get(), &record, false);
  vm.run(frame, &first);
  for (int r = 0; r < impl_->opts.reruns; ++r) {
    std::unique_ptr<VM::Frame> again = vm.make_frame();
    for (size_t i = 0; i < ins.size(); ++i) {
      const int s = vm.slot_of(fg.inputs()[i].get());
      if (s >= 0) again->slot(s) = deep_copy(ins[i]);
    }
    CheckObserver cmp(*impl_, *impl_->tracker, nullptr, &record, true);
    vm.run(*again, &cmp);
  }
}

}  // namespace hypatia
