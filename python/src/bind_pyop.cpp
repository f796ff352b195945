// Ops written in Python: PythonOp, the C++ op that runs a hypatia.Op subclass's methods (taking the GIL only for them).
#include <algorithm>
#include <mutex>
#include <unordered_set>

#include "bindings.h"
#include "hypatia/rewrite/user_rewrites.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/rewrites/rewrites.h"

namespace hypatia::py {

namespace {

class PythonOp;
// Every live PythonOp. A graph holding a Python op makes a reference cycle that Python's
// collector cannot see (module globals -> variable -> node -> op -> its class's methods ->
// module globals); at exit, before modules are torn down, the ops drop their Python objects
// (release_python_ops), so the graphs are freed as the modules are cleared.
std::mutex g_live_mu;
std::unordered_set<PythonOp*>& live_ops() {
  static auto* s = new std::unordered_set<PythonOp*>();
  return *s;
}

std::string py_type_name(nb::handle h) { return nb::type_name(h.type()).c_str(); }
std::string py_str(nb::handle h) { return nb::cast<std::string>(nb::str(h)); }

// A method the op defines (an attribute set to None counts as absent, as as_op's infer_shape).
bool has_method(nb::handle obj, const char* name) { return nb::hasattr(obj, name) && !obj.attr(name).is_none(); }

// A Python exception raised by a Python op's perform, waiting for the exception translator:
// the VM turns it into a hypatia::Error with the node's context, and the translator raises the
// same Python type again with that context (Theano's raise_with_op). One per thread, since a
// call raises in the thread that made it. Touched only with the GIL held.
struct Pending {
  std::string prefix;        // the message the Error starts with
  PyObject* exc = nullptr;   // owned; a raw pointer so that thread exit never releases it without the GIL
};
thread_local Pending t_pending;

void clear_pending() {
  PyObject* old = t_pending.exc;
  t_pending.exc = nullptr;
  Py_XDECREF(old);
}

void set_pending(std::string prefix, nb::handle exc) {
  PyObject* old = t_pending.exc;
  t_pending.exc = exc.ptr();
  Py_XINCREF(t_pending.exc);
  t_pending.prefix = std::move(prefix);
  Py_XDECREF(old);
}

ErrorKind kind_of(const nb::python_error& e) {
  if (e.matches(PyExc_TypeError)) return ErrorKind::Type;
  if (e.matches(PyExc_ValueError)) return ErrorKind::Value;
  if (e.matches(PyExc_IndexError)) return ErrorKind::Index;
  if (e.matches(PyExc_NotImplementedError)) return ErrorKind::NotImplemented;
  if (e.matches(PyExc_MemoryError)) return ErrorKind::Memory;
  return ErrorKind::Runtime;
}

ViewMap view_map_attr(nb::handle obj, const char* attr, const std::string& who) {
  ViewMap m;
  if (!nb::hasattr(obj, attr)) return m;
  nb::object d = obj.attr(attr);
  if (d.is_none()) return m;
  if (!PyDict_Check(d.ptr())) type_error("[", who, "] ", attr, " must be a dict {output: [inputs]}, got ", py_type_name(d));
  for (auto [k, v] : nb::borrow<nb::dict>(d)) {
    if (!PyLong_Check(k.ptr()) || !(PyList_Check(v.ptr()) || PyTuple_Check(v.ptr())))
      type_error("[", who, "] ", attr, " must map output indices to lists of input indices, got ", py_str(nb::repr(d)));
    std::vector<int>& ins = m[nb::cast<int>(k)];
    for (auto i : v) {
      if (!PyLong_Check(i.ptr()))
        type_error("[", who, "] ", attr, " must map output indices to lists of input indices, got ", py_str(nb::repr(d)));
      ins.push_back(nb::cast<int>(i));
    }
  }
  return m;
}

bool lists(const ViewMap& m, int out, int in) {
  auto it = m.find(out);
  return it != m.end() && std::find(it->second.begin(), it->second.end(), in) != it->second.end();
}

nb::list var_list(const std::vector<Var>& vs) {
  nb::list l;
  for (const Var& v : vs) l.append(v ? nb::cast(v) : nb::none());
  return l;
}

PyApply py_node(const Apply& node) { return PyApply{std::const_pointer_cast<Apply>(node.shared_from_this())}; }

/// The C++ side of an op written in Python (a hypatia.Op subclass): every Op method calls the
/// Python object's method of Theano's name, with the GIL taken for that call only, so the VM
/// runs the rest of a graph without it. Identity (equals/hash), the printed name and the
/// view/destroy maps are read once, when the node is made: ops are immutable.
class PythonOp final : public Op {
 public:
  explicit PythonOp(nb::handle obj) : obj_(obj.ptr()) {
    name_ = nb::cast<std::string>(obj.type().attr("__name__"));
    str_ = py_str(obj);
    Py_hash_t h = PyObject_Hash(obj.ptr());
    if (h == -1) {
      PyErr_Clear();
      type_error("[", name_, "] a Python op must be hashable (define __props__, or __eq__ with __hash__)");
    }
    hash_ = static_cast<size_t>(h);
    view_ = view_map_attr(obj, "view_map", name_);
    destroy_ = view_map_attr(obj, "destroy_map", name_);
    // Last: a constructor that threw runs no destructor.
    Py_INCREF(obj_);
    std::lock_guard<std::mutex> lock(g_live_mu);
    live_ops().insert(this);
  }
  PythonOp(const PythonOp&) = delete;
  PythonOp& operator=(const PythonOp&) = delete;
  /// Ops outlive the Python calls that made them and may die in a thread without the GIL.
  ~PythonOp() override {
    {
      std::lock_guard<std::mutex> lock(g_live_mu);
      live_ops().erase(this);
    }
    // At interpreter exit the object may already be gone; leaking the reference is then correct.
    if (!Py_IsInitialized() || _Py_IsFinalizing()) return;
    nb::gil_scoped_acquire gil;
    Py_XDECREF(obj_);
  }
  /// The Python op (null once released at exit). Read with the GIL held.
  nb::handle object() const { return obj_; }
  /// Hands the Python object over (at exit); the caller drops it. With the GIL held.
  PyObject* release_object() {
    PyObject* o = obj_;
    obj_ = nullptr;
    return o;
  }

  std::string name() const override { return name_; }
  std::string str() const override { return str_; }
  bool equals(const Op& other) const override {
    const auto* o = dynamic_cast<const PythonOp*>(&other);
    if (!o) return false;
    if (o->obj_ == obj_) return true;
    if (!obj_ || !o->obj_) return false;
    if (o->hash_ != hash_) return false;
    nb::gil_scoped_acquire gil;
    int r = PyObject_RichCompareBool(obj_, o->obj_, Py_EQ);
    if (r < 0) PyErr_Clear();
    return r == 1;
  }
  size_t hash() const override { return hash_; }

  /// Rebuilding a node (clone, rewrites) calls the Python make_node.
  ApplyPtr make_node(const std::vector<Var>& inputs) const override {
    nb::gil_scoped_acquire gil;
    nb::object r = obj().attr("make_node")(*nb::tuple(var_list(inputs)));
    if (!nb::isinstance<PyApply>(r))
      type_error("[", name_, "] make_node must return an Apply (hypatia.Apply(op, inputs, outputs)), got ", py_type_name(r));
    return nb::cast<PyApply&>(r).node;
  }

  void check_maps(int nin, int nout) const {
    for (const ViewMap* m : {&view_, &destroy_})
      for (const auto& [o, ins] : *m) {
        if (o < 0 || o >= nout)
          value_error("[", name_, "] ", m == &view_ ? "view_map" : "destroy_map", " names output ", o, " of ", nout);
        for (int i : ins)
          if (i < 0 || i >= nin)
            value_error("[", name_, "] ", m == &view_ ? "view_map" : "destroy_map", " names input ", i, " of ", nin);
      }
  }

  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override {
    nb::gil_scoped_acquire gil;
    // A record no translator consumed (an error constant folding swallowed) is stale: no other
    // Python node runs in this thread between a perform that raises and the translator.
    clear_pending();
    const int nin = node.nin(), nout = node.nout();
    nb::list ins, storage;
    for (int i = 0; i < nin; ++i) {
      nb::object v = to_python(*inputs[i]);
      // An input the op does not declare it destroys is read-only: writing to it would corrupt
      // other nodes' values (numpy raises "assignment destination is read-only").
      bool destroyed = false;
      for (int o = 0; o < nout; ++o) destroyed |= lists(destroy_, o, i);
      if (!destroyed && is_array(*inputs[i])) nb::setattr(v.attr("flags"), "writeable", nb::bool_(false));
      if (!destroyed && is_sparse(*inputs[i]))
        for (const char* part : {"data", "indices", "indptr"})
          nb::setattr(v.attr(part).attr("flags"), "writeable", nb::bool_(false));
      ins.append(v);
    }
    for (int o = 0; o < nout; ++o) {
      nb::list cell;
      cell.append(nb::none());
      storage.append(cell);
    }
    try {
      obj().attr("perform")(py_node(node), ins, storage);
    } catch (nb::python_error& e) {
      std::string msg = str_cat("[", str_, "] perform raised ", py_type_name(e.value()), ": ", py_str(e.value()));
      set_pending(msg, e.value());
      throw Error(kind_of(e), msg);
    }
    if (static_cast<int>(nb::len(storage)) != nout)
      value_error("[", str_, "] perform changed the length of output_storage (", nout, " outputs)");
    std::vector<Value> results(nout);
    for (int o = 0; o < nout; ++o) {
      nb::object cell = storage[o];
      if (!PyList_Check(cell.ptr()) || nb::len(cell) != 1)
        value_error("[", str_, "] perform replaced output_storage[", o, "]; store the output in output_storage[", o,
                    "][0]");
      nb::object v = cell[0];
      const TypePtr& t = node.out(o)->type;
      if (v.is_none()) value_error("[", str_, "] perform stored no value for output ", o, " (output_storage[", o, "][0] is None)");
      Value val;
      try {
        val = t->filter(to_value(v, t.get()), false, false);
      } catch (const Error& e) {
        throw Error(e.kind(), str_cat("[", str_, "] perform stored a bad value for output ", o, " of type ", t->str(),
                                      ": ", e.what()));
      } catch (nb::python_error& e) {
        type_error("[", str_, "] perform stored a bad value for output ", o, " of type ", t->str(), ": a ",
                   py_type_name(v), " (", py_str(e.value()), ")");
      }
      // An output aliasing an input it does not declare in view_map/destroy_map (or another
      // output) is copied: the VM may reuse or free the other buffer.
      bool alias = false;
      for (int i = 0; i < nin && !alias; ++i)
        alias = !lists(view_, o, i) && !lists(destroy_, o, i) && may_share_memory(val, *inputs[i]);
      for (int k = 0; k < o && !alias; ++k) alias = may_share_memory(val, results[k]);
      results[o] = alias ? deep_copy(val) : std::move(val);
    }
    for (int o = 0; o < nout; ++o) outputs[o] = std::move(results[o]);  // old values die here, with the GIL
  }

  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& shapes) const override {
    nb::gil_scoped_acquire gil;
    if (!has_method(obj(), "infer_shape")) return std::nullopt;
    nb::list py_shapes;
    for (const ShapeVec& s : shapes) py_shapes.append(nb::tuple(var_list(s)));
    nb::object r;
    try {
      r = obj().attr("infer_shape")(py_node(node), py_shapes);
    } catch (nb::python_error& e) {
      // Callers treat a failed inference as an unknown shape (Theano warns and carries on).
      raise(kind_of(e), "[", str_, "] infer_shape raised ", py_type_name(e.value()), ": ", py_str(e.value()));
    }
    if (r.is_none()) return std::nullopt;
    if (!PySequence_Check(r.ptr()) || static_cast<int>(nb::len(r)) != node.nout())
      type_error("[", str_, "] infer_shape must return one shape per output (", node.nout(), "), got ", py_str(nb::repr(r)));
    std::vector<ShapeVec> out;
    for (int o = 0; o < node.nout(); ++o) {
      nb::object s = r[o];
      if (!PySequence_Check(s.ptr()) || static_cast<int>(nb::len(s)) != node.out(o)->type->ndim())
        type_error("[", str_, "] infer_shape must return ", node.out(o)->type->ndim(), " lengths for output ", o, ", got ",
                   py_str(nb::repr(s)));
      ShapeVec sv;
      for (auto e : s) {
        Var d = as_var(e);
        auto dt = d.type()->dtype();
        if (d.type()->ndim() != 0 || !dt || !(is_int(*dt) || *dt == DType::UInt8 || *dt == DType::UInt16 || *dt == DType::UInt32))
          type_error("[", str_, "] infer_shape returned ", d->str(), " of type ", d.type()->str(), " as a length of output ", o,
                     "; lengths are integer scalars");
        sv.push_back(*dt == DType::Int64 ? d : cast(d, DType::Int64));
      }
      out.push_back(std::move(sv));
    }
    return out;
  }

  /// Theano's L_op(inputs, outputs, output_grads) (hypatia.Op's default calls grad(inputs, output_grads)).
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override {
    nb::gil_scoped_acquire gil;
    nb::handle o = obj();
    nb::object r;
    if (has_method(o, "L_op")) r = o.attr("L_op")(var_list(node.inputs()), var_list(node.outputs()), var_list(output_grads));
    else if (has_method(o, "grad")) r = o.attr("grad")(var_list(node.inputs()), var_list(output_grads));
    else return Op::vjp(node, output_grads);
    return vars_of(r, node.nin(), "grad", "inputs");
  }
  /// Theano's R_op(inputs, eval_points): None marks an input without a direction.
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override {
    nb::gil_scoped_acquire gil;
    if (!has_method(obj(), "R_op")) return Op::jvp(node, eval_points);
    nb::object r = obj().attr("R_op")(var_list(node.inputs()), var_list(eval_points));
    return vars_of(r, node.nout(), "R_op", "outputs");
  }
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override {
    nb::gil_scoped_acquire gil;
    if (!has_method(obj(), "connection_pattern")) return Op::connection_pattern(node);
    nb::object r = obj().attr("connection_pattern")(py_node(node));
    std::vector<std::vector<bool>> pat;
    bool ok = PySequence_Check(r.ptr()) && static_cast<int>(nb::len(r)) == node.nin();
    for (size_t i = 0; ok && i < nb::len(r); ++i) {
      nb::object row = r[i];
      ok = PySequence_Check(row.ptr()) && static_cast<int>(nb::len(row)) == node.nout();
      if (!ok) break;
      std::vector<bool> b;
      for (auto x : row) b.push_back(PyObject_IsTrue(x.ptr()) == 1);
      pat.push_back(std::move(b));
    }
    if (!ok)
      type_error("[", str_, "] connection_pattern must return one list of ", node.nout(), " bools per input (", node.nin(),
                 "), got ", py_str(nb::repr(r)));
    return pat;
  }
  ViewMap view_map() const override { return view_; }
  ViewMap destroy_map() const override { return destroy_; }
  /// Theano's do_constant_folding(node).
  bool constant_foldable(const Apply& node) const override {
    nb::gil_scoped_acquire gil;
    if (!has_method(obj(), "do_constant_folding")) return true;
    return nb::cast<bool>(nb::bool_(obj().attr("do_constant_folding")(py_node(node))));
  }

 private:
  // A list of n variables (None for none) from a Python grad or R_op.
  std::vector<Var> vars_of(nb::handle r, int n, const char* method, const char* what) const {
    if (!(PyList_Check(r.ptr()) || PyTuple_Check(r.ptr())) || static_cast<int>(nb::len(r)) != n)
      type_error("[", str_, "] ", method, " must return a list of ", n, " variables (one per ", what,
                 "), got ", py_str(nb::repr(r)));
    std::vector<Var> out;
    for (auto v : r) out.push_back(v.is_none() ? Var() : as_var(v));
    return out;
  }

  // The Python object, for a method called with the GIL held.
  nb::handle obj() const {
    if (!obj_) raise(ErrorKind::Runtime, "[", name_, "] the Python op was released at interpreter exit");
    return obj_;
  }

  PyObject* obj_;  // owned; touched with the GIL held
  std::string name_, str_;
  size_t hash_ = 0;
  ViewMap view_, destroy_;
};

/// A local rewrite written in Python (hypatia.gof.local_optimizer): transform(node) returns
/// False/None or one replacement per output. Runs with the GIL (compiles hold it anyway).
class PythonRewriter final : public NodeRewriter {
 public:
  PythonRewriter(nb::handle lopt, std::string name, std::vector<std::string> op_names)
      : obj_(lopt.ptr()), name_(std::move(name)) {
    tracks_.op_names = std::move(op_names);
    Py_INCREF(obj_);
  }
  PythonRewriter(const PythonRewriter&) = delete;
  PythonRewriter& operator=(const PythonRewriter&) = delete;
  ~PythonRewriter() override {
    if (!Py_IsInitialized() || _Py_IsFinalizing()) return;
    nb::gil_scoped_acquire gil;
    Py_DECREF(obj_);
  }
  std::string name() const override { return name_; }
  Tracks tracks() const override { return tracks_; }
  std::optional<std::vector<Var>> transform(FunctionGraph&, Apply* node) const override {
    nb::gil_scoped_acquire gil;
    nb::handle lopt(obj_);
    if (!nb::cast<bool>(nb::bool_(lopt.attr("applies_to")(op_to_python(node->op()))))) return std::nullopt;
    nb::object r = lopt.attr("transform")(PyApply{node->shared_from_this()});
    if (r.is_none() || (PyBool_Check(r.ptr()) && !nb::cast<bool>(r))) return std::nullopt;
    if (PyDict_Check(r.ptr())) {  // {old output: replacement}, as later Theano versions allow
      std::vector<Var> out(node->nout());
      for (auto [k, v] : nb::borrow<nb::dict>(r)) {
        Var old = nb::cast<Var>(k);
        for (int i = 0; i < node->nout(); ++i)
          if (node->out(i) == old.get()) out[i] = as_var(v);
      }
      return out;
    }
    if (!(PyList_Check(r.ptr()) || PyTuple_Check(r.ptr())) || static_cast<int>(nb::len(r)) != node->nout())
      type_error("[", name_, "] a local rewrite returns False or a list of ", node->nout(),
                 " replacements (one per output), got ", py_str(nb::repr(r)));
    std::vector<Var> out;
    for (auto v : r) out.push_back(v.is_none() ? Var() : as_var(v));
    return out;
  }

 private:
  PyObject* obj_;
  std::string name_;
  Tracks tracks_;
};

}  // namespace

nb::object op_to_python(const OpPtr& op) {
  if (const auto* p = dynamic_cast<const PythonOp*>(op.get())) return p->object() ? nb::borrow(p->object()) : nb::none();
  return nb::cast(PyOp{op});
}

ApplyPtr apply_from_python(nb::handle op, nb::handle inputs, nb::handle outputs) {
  if (nb::isinstance<PyOp>(op))
    type_error("[Apply] ", py_str(op), " is a native op: call it on its inputs (op(x)) to build its node");
  if (!nb::hasattr(op, "perform"))
    type_error("[Apply] op must be a hypatia.Op subclass instance with a perform method, got ", py_type_name(op));
  auto vars = [&](nb::handle seq, const char* what) {
    if (!(PyList_Check(seq.ptr()) || PyTuple_Check(seq.ptr())))
      type_error("[Apply] ", what, " must be a list of Variables, got ", py_type_name(seq));
    std::vector<Var> vs;
    for (auto v : seq) {
      if (!nb::isinstance<Var>(v))
        type_error("[Apply] ", what, " must be Variables (use hypatia.tensor.as_tensor_variable), got ", py_type_name(v));
      vs.push_back(nb::cast<Var>(v));
    }
    return vs;
  };
  std::vector<Var> ins = vars(inputs, "inputs"), outs = vars(outputs, "outputs");
  auto adapter = std::make_shared<PythonOp>(op);
  adapter->check_maps(static_cast<int>(ins.size()), static_cast<int>(outs.size()));
  std::vector<TypePtr> types;
  for (const Var& o : outs) types.push_back(o.type());
  ApplyPtr node = Apply::create(adapter, ins, types);
  for (size_t i = 0; i < outs.size(); ++i) node->out(static_cast<int>(i))->name = outs[i]->name;
  return node;
}

bool restore_python_error(const Error& e) {
  if (!t_pending.exc) return false;
  nb::object orig = nb::steal(t_pending.exc);
  t_pending.exc = nullptr;
  const std::string prefix = std::move(t_pending.prefix);
  const std::string what = e.what();
  if (what.compare(0, prefix.size(), prefix) != 0) return false;  // a stale record: another error
  const std::string context = what.substr(prefix.size());
  // Theano's raise_with_op: the same exception type, its message followed by the node's context,
  // and the original traceback. Types whose constructor wants more than a message keep the
  // original object, with the context as a note.
  nb::object tb = nb::steal(PyException_GetTraceback(orig.ptr()));
  nb::object exc;
  try {
    exc = orig.type()(nb::str((py_str(orig) + context).c_str()));
    if (!PyExceptionInstance_Check(exc.ptr())) exc = nb::object();
  } catch (nb::python_error&) {
    exc = nb::object();
  }
  if (!exc.is_valid()) {
    exc = orig;
    if (nb::hasattr(exc, "add_note")) {
      try {
        exc.attr("add_note")(nb::str(context.c_str()));
      } catch (nb::python_error&) {
      }
    }
  }
  if (tb.is_valid()) PyException_SetTraceback(exc.ptr(), tb.ptr());
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  return true;
}

namespace {
void release_python_ops() {
  std::vector<PyObject*> objs;
  {
    std::lock_guard<std::mutex> lock(g_live_mu);
    for (PythonOp* op : live_ops())
      if (PyObject* o = op->release_object()) objs.push_back(o);
  }
  for (PyObject* o : objs) Py_DECREF(o);  // may free graphs and so other PythonOps: outside the lock
  clear_user_rewrites();
  clear_pending();
}
}  // namespace

void init_pyop(nb::module_& m) {
  nb::module_::import_("atexit").attr("register")(nb::cpp_function(&release_python_ops));
  m.def("_null_grad", [](const std::string& why) { return null_var(why); }, nb::arg("why"),
        "A NullType variable: a gradient that is undefined or not implemented, saying why (grad_undefined).");
  m.def("_register_rewrite", [](const std::string& phase, nb::handle lopt, const std::string& name,
                                 std::vector<std::string> op_names) {
    add_user_rewrite(phase, std::make_shared<PythonRewriter>(lopt, name, std::move(op_names)));
  }, nb::arg("phase"), nb::arg("lopt"), nb::arg("name"), nb::arg("op_names"),
        "Adds a Python local rewrite (applies_to(op), transform(node)) to a phase of the standard pipeline; "
        "op_names (class names) pre-select the nodes it sees, [] for every node.");
  m.def("_scalar_constant_value", [](nb::handle v) -> std::optional<double> { return scalar_constant_value(as_var(v)); },
        nb::arg("v"), "The value of a constant whose entries all equal one number (seen through DimShuffles), else None.");
  m.def("_disconnected", []() { return disconnected_var(); },
        "A DisconnectedType variable: the gradient of an input that does not influence the output.");
}

}  // namespace hypatia::py
