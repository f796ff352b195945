// Python classes for graph objects: Type, Variable, Apply, Op, FunctionGraph.
#include <nanobind/operators.h>

#include "bindings.h"
#include "hypatia/compile/function.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/basic.h"

namespace hypatia::py {

/// Python handle for an immutable Type (compared by value).
struct PyType {
  TypePtr t;
};

namespace {
nb::object broadcastable_of(const TypePtr& t) {
  if (t->kind() != TypeKind::Tensor) return nb::none();
  nb::list l;
  for (bool b : static_cast<const TensorType&>(*t).broadcastable()) l.append(nb::bool_(b));
  return nb::tuple(l);
}
nb::object dtype_of(const TypePtr& t) {
  auto d = t->dtype();
  if (!d) return nb::none();
  return nb::str(dtype_name(*d));
}
}  // namespace

void init_graph(nb::module_& m) {
  nb::class_<PyType>(m, "Type", "A graph type (TensorType or SparseType): immutable, compared by value. Calling it makes a new variable of the type; its filter raises TypeError or ValueError for a value the type refuses.")
      .def("__str__", [](const PyType& t) { return t.t->str(); })
      .def("__repr__", [](const PyType& t) { return t.t->str(); })
      .def("__eq__", [](const PyType& a, const PyType& b) { return same_type(a.t, b.t); })
      .def("__hash__", [](const PyType& a) { return static_cast<Py_ssize_t>(a.t->hash()); })
      .def_prop_ro("dtype", [](const PyType& t) { return dtype_of(t.t); }, "The element dtype (None for types without one).")
      .def_prop_ro("broadcastable", [](const PyType& t) { return broadcastable_of(t.t); }, "The broadcastable pattern of a tensor type (None otherwise).")
      .def_prop_ro("ndim", [](const PyType& t) { return t.t->ndim(); }, "The number of dimensions (sparse: 2).")
      .def_prop_ro("format", [](const PyType& t) -> nb::object {
        if (t.t->kind() != TypeKind::Sparse) return nb::none();
        return nb::str(format_name(static_cast<const SparseType&>(*t.t).format()));
      }, "'csr' or 'csc' for a sparse type (None otherwise).")
      .def_prop_ro("kind", [](const PyType& t) {
        switch (t.t->kind()) {
          case TypeKind::Tensor: return "tensor";
          case TypeKind::Sparse: return "sparse";
          case TypeKind::Scalar: return "scalar";
          case TypeKind::Null: return "null";
          case TypeKind::Disconnected: return "disconnected";
          default: return "opaque";
        }
      }, "'tensor', 'sparse', 'scalar', 'null', 'disconnected' or 'opaque'.")
      .def("__call__", [](const PyType& t, std::optional<std::string> name) { return make_variable(t.t, name.value_or("")); },
           nb::arg("name") = nb::none(), "A new variable of this type (Theano's Type.__call__).")
      .def("filter", [](const PyType& t, nb::handle v, bool strict, bool allow_downcast) {
        return to_python(t.t->filter(to_value(v, t.t.get(), strict), strict, allow_downcast));
      }, nb::arg("value"), nb::arg("strict") = false, nb::arg("allow_downcast") = false, "Theano's Type.filter: the value checked and converted to this type (strict: exact type only; allow_downcast: permit lossy casts).")
      .def("_values_eq", [](const PyType& t, nb::handle a, nb::handle b) {
        if (t.t->kind() == TypeKind::Sparse && !(is_scipy_sparse(a) && is_scipy_sparse(b))) return false;
        return t.t->values_eq(to_value(a, t.t.get()), to_value(b, t.t.get()));
      }, nb::arg("a"), nb::arg("b"), "Type::values_eq on two values (hypatia.Type.values_eq wraps it).")
      .def("_values_eq_approx", [](const PyType& t, nb::handle a, nb::handle b, std::optional<double> rtol,
                                   std::optional<double> atol) {
        if (t.t->kind() == TypeKind::Sparse && !(is_scipy_sparse(a) && is_scipy_sparse(b))) return false;
        return t.t->values_eq_approx(to_value(a, t.t.get()), to_value(b, t.t.get()), rtol, atol);
      }, nb::arg("a"), nb::arg("b"), nb::arg("rtol") = nb::none(), nb::arg("atol") = nb::none(),
         "Type::values_eq_approx on two values (hypatia.Type.values_eq_approx wraps it).");

  m.def("_array_values_eq", [](nb::handle a, nb::handle b, bool force_same_dtype) {
    return array_values_eq(to_ndarray(a), to_ndarray(b), force_same_dtype);
  }, nb::arg("a"), nb::arg("b"), nb::arg("force_same_dtype") = true, "Theano's TensorType.values_eq on two arrays.");
  m.def("_array_values_eq_approx", [](nb::handle a, nb::handle b, bool allow_remove_inf, bool allow_remove_nan,
                                      std::optional<double> rtol, std::optional<double> atol) {
    return array_values_eq_approx(to_ndarray(a), to_ndarray(b), allow_remove_inf, allow_remove_nan, rtol, atol);
  }, nb::arg("a"), nb::arg("b"), nb::arg("allow_remove_inf") = false, nb::arg("allow_remove_nan") = false,
     nb::arg("rtol") = nb::none(), nb::arg("atol") = nb::none(), "Theano's TensorType.values_eq_approx on two arrays.");
  m.def("TensorType", [](const std::string& dtype, std::vector<bool> broadcastable) {
    return PyType{TensorType::make(dtype_from_name(dtype == "floatX" ? dtype_name(floatX()) : dtype), std::move(broadcastable))};
  }, nb::arg("dtype"), nb::arg("broadcastable"), "Theano's TensorType(dtype, broadcastable).");
  m.def("SparseType", [](const std::string& format, const std::string& dtype) {
    return PyType{SparseType::make(format_from_name(format), dtype_from_name(dtype))};
  }, nb::arg("format"), nb::arg("dtype"), "Theano's SparseType(format, dtype): format 'csr' or 'csc'.");

  nb::class_<PyOp>(m, "Op", "An op: what a node computes (compared by its parameters); call it on inputs to build a node, which raises TypeError when the inputs' types do not fit the op.")
      .def("__str__", [](const PyOp& o) { return o.op->str(); })
      .def("__repr__", [](const PyOp& o) { return o.op->str(); })
      .def_prop_ro("name", [](const PyOp& o) { return o.op->name(); }, "The op's class name (e.g. 'Dot').")
      .def_prop_ro("_class_key", [](const PyOp& o) { return std::string(typeid(*o.op).name()); },
                   "The op's C++ class (its typeid name, as _core.op_class_keys lists it): what isinstance "
                   "compares against Theano's op classes.")
      .def("__eq__", [](const PyOp& a, const PyOp& b) { return a.op->equals(*b.op); })
      .def("__hash__", [](const PyOp& a) { return static_cast<Py_ssize_t>(a.op->hash()); })
      .def("__call__", [](const PyOp& o, nb::args args, nb::kwargs kwargs) {
        std::vector<Var> ins = op_call_inputs(*o.op, args, kwargs);
        std::vector<Var> outs = apply_op(*o.op, ins);
        after_op_call(*o.op, ins);
        if (outs.size() == 1) return nb::cast(outs[0]);
        return nb::cast(outs);
      }, "Applies the op: inputs by position or by Theano's make_node names; constants (numbers, "
         "numpy arrays, scipy csr/csc matrices) are accepted wherever a variable is.")
      .def("make_node", [](const PyOp& o, nb::args args, nb::kwargs kwargs) {
        std::vector<Var> ins = op_call_inputs(*o.op, args, kwargs);
        PyApply node{o.op->make_node(ins)};
        after_op_call(*o.op, ins);
        return node;
      }, "The Apply node of the op on these inputs (same conventions as calling the op).")
      .def_prop_ro("view_map", [](const PyOp& o) { return o.op->view_map(); }, "{output: [input]}: outputs that are views of inputs.")
      .def_prop_ro("destroy_map", [](const PyOp& o) { return o.op->destroy_map(); }, "{output: [input]}: outputs computed by overwriting inputs.");

  nb::class_<PyApply>(m, "Apply", "A node of a graph: an op applied to input variables, with its outputs. Apply(op, inputs, outputs) raises TypeError when op is not a hypatia.Op with a perform method or the inputs are not Variables.")
      .def("__init__", [](PyApply* self, nb::handle op, nb::handle inputs, nb::handle outputs) {
        new (self) PyApply{apply_from_python(op, inputs, outputs)};
      }, nb::arg("op"), nb::arg("inputs"), nb::arg("outputs"),
         "Apply(op, inputs, outputs): the node of a Python op (a hypatia.Op subclass) on input Variables; "
         "its outputs are new variables of the given outputs' types (theano.Apply in make_node).")
      .def_prop_ro("op", [](const PyApply& a) { return op_to_python(a.node->op()); }, "The op this node applies.")
      .def_prop_ro("inputs", [](const PyApply& a) { return a.node->inputs(); }, "The input variables.")
      .def_prop_ro("outputs", [](const PyApply& a) { return a.node->outputs(); }, "The output variables.")
      .def_prop_ro("nin", [](const PyApply& a) { return a.node->nin(); }, "The number of inputs.")
      .def_prop_ro("nout", [](const PyApply& a) { return a.node->nout(); }, "The number of outputs.")
      .def("out", [](const PyApply& a) { return a.node->output(0); }, "The single output of the node.")
      .def("__str__", [](const PyApply& a) { return node_str(*a.node); })
      .def("__repr__", [](const PyApply& a) { return node_str(*a.node); })
      .def("__eq__", [](const PyApply& a, const PyApply& b) { return a.node == b.node; })
      .def("__hash__", [](const PyApply& a) { return reinterpret_cast<Py_ssize_t>(a.node.get()); });

  nb::class_<Var>(m, "Variable", "A symbolic variable: a graph input, constant, shared variable or a node's output. "
                              "Operators and methods build new graph nodes (Theano's TensorVariable/SparseVariable); they raise TypeError for operands whose types do not combine.")
      .def_prop_rw("name",
                   [](const Var& v) -> nb::object { if (v->name.empty()) return nb::none(); return nb::str(v->name.c_str()); },
                   [](const Var& v, std::optional<std::string> n) { v->name = n.value_or(""); }, "The variable's name ('' when unnamed).")
      .def_prop_ro("type", [](const Var& v) { return PyType{v.type()}; }, "The variable's Type.")
      .def_prop_ro("dtype", [](const Var& v) { return dtype_of(v.type()); }, "The element dtype.")
      .def_prop_ro("ndim", [](const Var& v) { return v.type()->ndim(); }, "The number of dimensions.")
      .def_prop_ro("broadcastable", [](const Var& v) { return broadcastable_of(v.type()); }, "The broadcastable pattern (tensors).")
      .def_prop_ro("owner", [](const Var& v) -> nb::object {
        if (!v->owner) return nb::none();
        return nb::cast(PyApply{v->owner->shared_from_this()});
      }, "The Apply computing this variable (None for inputs).")
      .def_prop_ro("index", [](const Var& v) { return v->index; }, "The position among its owner's outputs.")
      .def_prop_ro("data", [](const Var& v) -> nb::object {
        if (!v->is_constant()) return nb::none();
        return to_python(*v->constant);
      }, "The value of a constant (None otherwise).")
      .def_prop_ro("is_constant", [](const Var& v) { return v->is_constant(); }, "True for constants.")
      .def_prop_ro("is_shared", [](const Var& v) { return v->is_shared(); }, "True for shared variables.")
      .def_prop_ro("auto_name", [](const Var& v) { return str_cat("auto_", v->id); }, "Theano's automatic name (e.g. 'auto_12'), from the creation order.")
      .def("__str__", [](const Var& v) { return v->str(); })
      .def("__repr__", [](const Var& v) { return v->str(); })
      .def("__eq__", [](const Var& a, nb::handle b) {
        return nb::isinstance<Var>(b) && nb::cast<Var>(b) == a;
      })
      .def("__hash__", [](const Var& v) { return reinterpret_cast<Py_ssize_t>(v.get()); })
      .def("clone", [](const Var& v) {
        Var c = make_variable(v.type(), v->name);
        c->constant = v->constant;
        return c;
      }, "A new variable of the same type and name, not connected to any graph.")
      .def("get_value", [](const Var& v, bool borrow, bool) {
        // Without the GIL while waiting for the container's lock: a call updating it may be
        // running a Python op, which needs the GIL to finish and release the lock.
        Value val;
        {
          nb::gil_scoped_release release;
          val = get_value(v, borrow);
        }
        return to_python(val);
      },
           nb::arg("borrow") = false, nb::arg("return_internal_type") = false,
           "Current value of a shared variable (a copy unless borrow=True).")
      .def("set_value", [](const Var& v, nb::handle value, bool borrow) {
        Value val = to_value(value, v.type().get());
        nb::gil_scoped_release release;  // as get_value
        set_value(v, std::move(val), borrow);
      }, nb::arg("value"), nb::arg("borrow") = false, "Replaces a shared variable's value (copied unless borrow=True).");

  nb::class_<FunctionGraph>(m, "FunctionGraph", "Theano's FunctionGraph: a graph between given inputs and outputs, which rewrites edit. FunctionGraph(inputs, outputs, clone=True) raises MissingInputError when an output needs a variable that is not among the inputs.")
      .def("__init__", [](FunctionGraph* self, std::vector<Var> inputs, std::vector<Var> outputs, bool clone) {
        new (self) FunctionGraph(inputs, outputs, clone);
      }, nb::arg("inputs"), nb::arg("outputs"), nb::arg("clone") = true,
           "FunctionGraph(inputs, outputs, clone=True): clone copies the graph so edits leave the original alone.")
      .def_prop_ro("inputs", [](const FunctionGraph& g) { return g.inputs(); }, "The graph's input variables.")
      .def_prop_ro("outputs", [](const FunctionGraph& g) { return g.outputs(); }, "The graph's output variables.")
      .def("toposort", [](const FunctionGraph& g) {
        std::vector<PyApply> out;
        for (Apply* n : g.toposort()) out.push_back(PyApply{n->shared_from_this()});
        return out;
      }, "The nodes in an order where each comes after the nodes computing its inputs.")
      .def_prop_ro("apply_nodes", [](const FunctionGraph& g) {
        nb::set s;
        for (Apply* n : g.apply_nodes()) s.add(nb::cast(PyApply{n->shared_from_this()}));
        return s;
      }, "Every node of the graph.")
      .def("clients", [](const FunctionGraph& g, const Var& v) {
        nb::list l;
        for (const Client& c : g.clients(v.get())) {
          if (c.node) l.append(nb::make_tuple(PyApply{c.node->shared_from_this()}, c.index));
          else l.append(nb::make_tuple("output", c.index));
        }
        return l;
      }, "The (node, input index) pairs that read a variable.")
      .def("replace", [](FunctionGraph& g, const Var& old, const Var& neu, const std::string& reason) {
        g.replace(old, neu, reason);
      }, nb::arg("r"), nb::arg("new_r"), nb::arg("reason") = "", "Replaces a variable by another of the same type everywhere in the graph.")
      .def("replace_validate", [](FunctionGraph& g, const Var& old, const Var& neu, const std::string& reason) {
        return g.replace_validate({{old, neu}}, reason);
      }, nb::arg("r"), nb::arg("new_r"), nb::arg("reason") = "", "replace, then checks the graph is still valid (undone on failure).");

  m.def("graph_inputs", [](std::vector<Var> outs) { return graph_inputs(outs); },
        "The root variables (no owner) the given outputs depend on.");
  m.def("ancestors", [](std::vector<Var> outs) { return ancestors(outs); },
        "Every variable the given outputs depend on, themselves included.");
  m.def("clone_replace", [](std::vector<Var> outs, std::vector<std::pair<Var, Var>> repl) {
    VarMap r;
    for (auto& [a, b] : repl) r[a.get()] = b;
    return clone_replace(outs, r);
  },
        "A copy of the output graph with variables replaced per the (old, new) pairs (theano.clone).");
}

}  // namespace hypatia::py
