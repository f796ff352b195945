// Python bindings of the control family's OpFromGraph and Print, and of clone and subgraph_grad.
#include "bindings.h"
#include "hypatia/control/ops/op_from_graph.h"
#include "hypatia/control/ops/print.h"
#include "hypatia/graph/clone.h"
#include "hypatia/grad/subgraph_grad.h"

namespace hypatia::py {

namespace {

// A Python callable kept by a native op: released under the GIL whichever thread drops it.
std::shared_ptr<nb::object> keep(nb::handle fn) {
  return std::shared_ptr<nb::object>(new nb::object(nb::borrow(fn)), [](nb::object* p) {
    nb::gil_scoped_acquire gil;
    delete p;
  });
}

nb::list var_list(const std::vector<Var>& vs) {
  nb::list l;
  for (const auto& v : vs) l.append(v ? nb::cast(v) : nb::none());
  return l;
}

std::vector<Var> call_derivative(const std::shared_ptr<nb::object>& fn, const std::vector<Var>& ins,
                                 const std::vector<Var>& extra, const char* who) {
  nb::gil_scoped_acquire gil;
  nb::object r = (*fn)(var_list(ins), var_list(extra));
  std::vector<Var> out;
  if (nb::isinstance<Var>(r)) return {nb::cast<Var>(r)};
  if (!PyList_Check(r.ptr()) && !PyTuple_Check(r.ptr()))
    type_error("[", who, "] an override must return a list of variables, got ", nb::cast<std::string>(nb::repr(r)));
  for (auto v : r) out.push_back(v.is_none() ? Var() : as_var(v));
  return out;
}

// Theano's grad_overrides / rop_overrides from Python: 'default', an op, a callable, or a list
// of 'default' / 'null' / 'disconnected' / op / callable (builders.py maps NullType and
// DisconnectedType instances to 'null' and 'disconnected').
OfgOverride to_override(nb::handle h, const char* who) {
  OfgOverride o;
  if (h.is_none() || (nb::isinstance<nb::str>(h) && nb::cast<std::string>(h) == "default")) return o;
  if (nb::isinstance<PyOp>(h)) return OfgOverride::from_op(nb::cast<PyOp>(h).op);
  if (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr())) {
    for (auto e : h) {
      OfgOverrideEntry entry;
      using K = OfgOverrideEntry::Kind;
      if (e.is_none()) {
        entry.kind = K::Null;
      } else if (nb::isinstance<nb::str>(e)) {
        std::string s = nb::cast<std::string>(e);
        if (s == "default") entry.kind = K::Default;
        else if (s == "null") entry.kind = K::Null;
        else if (s == "disconnected") entry.kind = K::Disconnected;
        else value_error("[", who, "] unknown override entry '", s, "'; expected 'default', a callable, an OpFromGraph, NullType() or DisconnectedType()");
      } else if (nb::isinstance<PyOp>(e)) {
        OpPtr op = nb::cast<PyOp>(e).op;
        entry.kind = K::Callable;
        entry.fn = [op](const std::vector<Var>& ins, const std::vector<Var>& extra) {
          std::vector<Var> all = ins;
          all.insert(all.end(), extra.begin(), extra.end());
          return apply_op(*op, all).at(0);
        };
      } else if (PyCallable_Check(e.ptr())) {
        auto fn = keep(e);
        std::string w = who;
        entry.kind = K::Callable;
        entry.fn = [fn, w](const std::vector<Var>& ins, const std::vector<Var>& extra) {
          std::vector<Var> r = call_derivative(fn, ins, extra, w.c_str());
          if (r.size() != 1) type_error("[", w, "] a per-entry override must return one variable, got ", r.size());
          return r[0];
        };
      } else {
        type_error("[", who, "] override entries must be 'default', callables, OpFromGraph instances, NullType() or DisconnectedType()");
      }
      o.per.push_back(std::move(entry));
    }
    return o;
  }
  if (PyCallable_Check(h.ptr())) {
    auto fn = keep(h);
    std::string w = who;
    o.whole = [fn, w](const std::vector<Var>& ins, const std::vector<Var>& extra) {
      return call_derivative(fn, ins, extra, w.c_str());
    };
    return o;
  }
  type_error("[", who, "] overrides must be 'default', an OpFromGraph, a callable or a list, got ",
             nb::cast<std::string>(nb::repr(h)));
}

// Print's Python printer as a named callable, so pickling can get the Python object back
// (std::function::target) and save it with the op.
struct PyPrinter {
  std::shared_ptr<nb::object> fn;
  void operator()(const PrintOp&, const Value& x) const {
    nb::gil_scoped_acquire gil;
    try {
      (*fn)(to_python(x));
    } catch (nb::python_error& e) {
      std::string msg = e.what();
      raise(ErrorKind::Runtime, "[Print] the print function raised: ", msg);
    }
  }
};

nb::object derivative_state(const std::optional<OfgDerivativeState>& d) {
  if (!d) return nb::none();
  return nb::make_tuple(d->op ? op_to_python(d->op) : nb::none(), d->index, d->null_reasons);
}

std::optional<OfgDerivativeState> derivative_from(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  auto t = nb::cast<nb::tuple>(h);
  if (t.size() != 3) type_error("[OpFromGraph] a saved derivative is (op, index, null reasons), got ", nb::cast<std::string>(nb::repr(h)));
  OfgDerivativeState d;
  if (!t[0].is_none()) d.op = nb::cast<PyOp>(t[0]).op;
  d.index = nb::cast<std::vector<int>>(t[1]);
  d.null_reasons = nb::cast<std::vector<std::string>>(t[2]);
  return d;
}

const OpFromGraph& as_ofg(const PyOp& op) {
  const auto* o = dynamic_cast<const OpFromGraph*>(op.op.get());
  if (!o) type_error("[OpFromGraph] expected an OpFromGraph op, got ", op.op->str());
  return *o;
}

}  // namespace

void init_control(nb::module_& m) {
  m.def("op_from_graph", [](std::vector<Var> inputs, std::vector<Var> outputs, bool inline_, nb::handle grad_overrides,
                            nb::handle rop_overrides, std::optional<std::vector<std::vector<bool>>> connection_pattern,
                            std::optional<std::string> name) {
    OpFromGraphOptions o;
    o.inline_ = inline_;
    o.grad_overrides = to_override(grad_overrides, "OpFromGraph");
    o.rop_overrides = to_override(rop_overrides, "OpFromGraph");
    o.connection_pattern = std::move(connection_pattern);
    o.name = name.value_or("");
    return PyOp{op_from_graph(inputs, outputs, std::move(o))};
  }, nb::arg("inputs"), nb::arg("outputs"), nb::arg("inline") = false, nb::arg("grad_overrides").none() = nb::none(),
     nb::arg("rop_overrides").none() = nb::none(), nb::arg("connection_pattern").none() = nb::none(),
     nb::arg("name").none() = nb::none(),
        "theano.compile.builders.OpFromGraph as a native op (hypatia.OpFromGraph wraps it).");
  m.def("ofg_inner", [](const PyOp& op) -> const FunctionGraph& { return as_ofg(op).inner(); },
        nb::rv_policy::reference_internal, "The inner FunctionGraph of an OpFromGraph op.");
  m.def("ofg_implicit_inputs", [](const PyOp& op) { return as_ofg(op).implicit_inputs(); },
        "The implicit inputs (shared and other free variables) an OpFromGraph appends to its nodes.");
  m.def("ofg_is_inline", [](const PyOp& op) { return as_ofg(op).is_inline(); }, "Whether the OpFromGraph is inlined.");
  m.def("print_op", [](const std::string& message, std::vector<std::string> attrs, nb::handle fn) {
    PrintFn pf;
    if (!fn.is_none()) pf = PyPrinter{keep(fn)};
    return PyOp{std::make_shared<PrintOp>(message, std::move(attrs), std::move(pf))};
  }, nb::arg("message"), nb::arg("attrs"), nb::arg("fn").none() = nb::none(),
        "A Print op (theano.printing.Print); fn(value) is called each time it runs (hypatia.printing.Print wraps it).");
  m.def("print_state", [](const PyOp& op) {
    const auto* p = dynamic_cast<const PrintOp*>(op.op.get());
    if (!p) type_error("[Print] expected a Print op, got ", op.op->str());
    const PyPrinter* py = p->printer().target<PyPrinter>();
    return nb::make_tuple(p->message(), p->attrs(), py ? *py->fn : nb::none(), p->has_custom_printer() && !py);
  }, nb::arg("op"),
        "(message, attrs, Python printer or None, whether a native custom printer is set) of a Print op, for pickling.");
  m.def("is_print_op", [](const PyOp& op) { return dynamic_cast<const PrintOp*>(op.op.get()) != nullptr; },
        nb::arg("op"), "Whether the op is a Print.");
  m.def("is_ofg", [](const PyOp& op) { return dynamic_cast<const OpFromGraph*>(op.op.get()) != nullptr; },
        nb::arg("op"), "Whether the op is an OpFromGraph.");
  m.def("op_identity", [](const PyOp& op) { return reinterpret_cast<uintptr_t>(op.op.get()); }, nb::arg("op"),
        "The address of the native op: equal for two handles of one op (pickling keeps shared ops shared).");
  m.def("ofg_state", [](const PyOp& op) {
    OfgState st = as_ofg(op).state();
    return nb::make_tuple(std::const_pointer_cast<FunctionGraph>(st.inner), st.n_explicit, st.implicit, st.inline_,
                          st.name, st.pattern, derivative_state(st.grad), derivative_state(st.rop));
  }, nb::arg("op"),
        "(inner FunctionGraph, explicit input count, implicit inputs, inline, name, connection pattern, grad, R_op) "
        "of an OpFromGraph; grad and R_op are (op, index, null reasons) when overrides built them, else None.");
  m.def("ofg_from_state", [](std::shared_ptr<FunctionGraph> inner, int n_explicit, std::vector<Var> implicit, bool inline_,
                             std::string name, std::vector<std::vector<bool>> pattern, nb::handle grad, nb::handle rop) {
    OfgState st;
    st.inner = std::move(inner);
    st.n_explicit = n_explicit;
    st.implicit = std::move(implicit);
    st.inline_ = inline_;
    st.name = std::move(name);
    st.pattern = std::move(pattern);
    st.grad = derivative_from(grad);
    st.rop = derivative_from(rop);
    return PyOp{std::make_shared<OpFromGraph>(st)};
  }, nb::arg("inner"), nb::arg("n_explicit"), nb::arg("implicit"), nb::arg("inline"), nb::arg("name"),
     nb::arg("pattern"), nb::arg("grad").none(), nb::arg("rop").none(),
        "The OpFromGraph ofg_state described (ValueError when the parts do not fit together).");
  m.def("clone", [](std::vector<Var> outputs, std::vector<std::pair<Var, Var>> replace, bool strict, bool share_inputs) {
    return clone(outputs, replace, strict, share_inputs);
  }, nb::arg("outputs"), nb::arg("replace"), nb::arg("strict") = true, nb::arg("share_inputs") = true,
        "theano.clone: a copy of the graph with replacements (hypatia.clone wraps it).");
  m.def("subgraph_grad", [](std::vector<Var> wrt, std::vector<Var> end, std::vector<std::pair<Var, Var>> start,
                            std::optional<Var> cost) {
    SubgraphGradResult r = subgraph_grad(wrt, end, start, cost.value_or(Var()));
    return nb::make_tuple(var_list(r.wrt_grads), var_list(r.end_grads), var_list(r.start_grads), var_list(r.cost_grads));
  }, nb::arg("wrt"), nb::arg("end"), nb::arg("start"), nb::arg("cost").none(),
        "theano.gradient.subgraph_grad: (wrt grads, end grads, start grads, cost grads).");
}

}  // namespace hypatia::py
