// Python bindings of compiled functions and shared variables; the call path stays in C++.
#include <chrono>

#include "bindings.h"
#include "hypatia/compile/function.h"

namespace hypatia::py {

/// A compiled function as Python sees it: returns one value or a list, like theano.function.
struct PyFunction {
  FunctionPtr f;
  bool single = false;
  nb::object profile = nb::none();  // the ProfileStats of profile=True (Python side)
};

namespace {
Value shared_value_from_python(nb::handle v) {
  if (nb::isinstance<OpaqueValue>(v)) return nb::cast<OpaquePtr>(v);  // random state
  if (is_scipy_sparse(v)) return to_sparse(v);  // shared() validates it
  if (PyFloat_Check(v.ptr())) {
    DType d = DType::Float64;
    return to_ndarray(v, &d);
  }
  return to_ndarray(v);
}
}  // namespace

namespace {
nb::object optional_value(const std::optional<Value>& v) { return v ? to_python(*v) : nb::none(); }
}  // namespace

namespace {
nb::object call_function(PyFunction& pf, PyObject* args, PyObject* kwargs) {
  // Python objects become values under the GIL, each seen through its input's type;
  // Function::call then binds and checks them (Type::filter) and runs without the GIL.
  // The values die here, under the GIL, so numpy buffers are released with it held.
  Function& f = *pf.f;
  // With profiling, the whole call (conversions included) is Theano's "Time in
  // Function.__call__"; the timer adds it however the call ends.
  struct OuterTimer {
    const Function* f;
    std::chrono::steady_clock::time_point t0;  // read only when profiling
    ~OuterTimer() {
      if (f) f->add_outer_call_time(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
  } timer{f.profiling() ? &f : nullptr,
          f.profiling() ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{}};
  const int n = f.num_inputs();
  auto convert = [&](nb::handle a, int i) -> Value {
    if (i < 0 || i >= n) return Value();  // too many, or an unknown keyword: call() says so
    const In& in = f.inputs()[i];
    try {
      return to_value(a, in.variable.type().get(), in.strict);
    } catch (const Error& e) {
      f.raise_bad_argument(i, e);
    }
  };
  const size_t nargs = PyTuple_GET_SIZE(args);
  std::vector<Value> pos;
  pos.reserve(nargs);
  for (size_t i = 0; i < nargs; ++i) pos.push_back(convert(PyTuple_GET_ITEM(args, i), static_cast<int>(i)));
  std::vector<std::pair<std::string, Value>> kw;
  if (kwargs && PyDict_GET_SIZE(kwargs) != 0) {
    for (auto [k, v] : nb::borrow<nb::dict>(kwargs)) {
      std::string key = nb::cast<std::string>(k);
      kw.emplace_back(key, convert(v, f.input_position(key)));
    }
  }
  std::vector<Value> outs;
  {
    nb::gil_scoped_release release;
    outs = f.call(std::move(pos), kw);
  }
  if (pf.single) return to_python(outs[0]);
  nb::list l;
  for (const auto& o : outs) l.append(to_python(o));
  return l;
}

// Function's tp_call: a call goes straight here (no lookup of a bound __call__, no kwargs dict
// when there are no keywords, no overload dispatch), and C++ exceptions become the Python
// exceptions the registered translator gives.
PyObject* function_tp_call(PyObject* self, PyObject* args, PyObject* kwargs) noexcept {
  try {
    return call_function(*nb::inst_ptr<PyFunction>(self), args, kwargs).release().ptr();
  } catch (nb::python_error& e) {
    e.restore();
  } catch (const nb::cast_error& e) {
    PyErr_SetString(PyExc_TypeError, e.what());
  } catch (...) {
    try {
      set_python_error(std::current_exception());
    } catch (const std::exception& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    } catch (...) {
      PyErr_SetString(PyExc_RuntimeError, "[function] unknown C++ exception");
    }
  }
  return nullptr;
}

PyType_Slot function_slots[] = {{Py_tp_call, reinterpret_cast<void*>(function_tp_call)}, {0, nullptr}};
}  // namespace

void init_function(nb::module_& m) {
  nb::class_<In>(m, "In", "A function input with Theano's options (theano.In): ``variable`` with an optional ``name``, default ``value``, ``update``, ``borrow`` and the rest of Theano's flags. Raises TypeError when ``variable`` is not a Variable.")
      .def("__init__", [](In* self, nb::handle variable, std::optional<std::string> name, nb::handle value,
                          nb::handle update, std::optional<bool> mutable_, bool strict,
                          std::optional<bool> allow_downcast, bool autoname, nb::handle implicit,
                          std::optional<bool> borrow, bool shared) {
        if (!nb::isinstance<Var>(variable))
          type_error("[In] expected a Variable, got ", nb::cast<std::string>(nb::repr(variable)));
        if (nb::isinstance<Var>(value)) type_error("[In] value must be a number or an array, not a Variable");
        In* in = new (self) In(nb::cast<Var>(variable));
        if (name) in->name = *name;
        else if (!autoname) in->name = "";
        if (!value.is_none()) in->value = to_value(value, in->variable.type().get(), strict);
        if (!update.is_none()) in->update = as_var(update);
        in->mutable_ = mutable_.value_or(false);
        in->borrow = borrow.value_or(in->mutable_);
        in->strict = strict;
        in->allow_downcast = allow_downcast;
        (void)implicit;
        (void)shared;
      }, nb::arg("variable"), nb::arg("name").none() = nb::none(), nb::arg("value").none() = nb::none(),
         nb::arg("update").none() = nb::none(), nb::arg("mutable").none() = nb::none(), nb::arg("strict") = false,
         nb::arg("allow_downcast").none() = nb::none(), nb::arg("autoname") = true,
         nb::arg("implicit").none() = nb::none(), nb::arg("borrow").none() = nb::none(), nb::arg("shared") = false,
         "In(variable, name=None, value=None, update=None, mutable=None, strict=False, allow_downcast=None, "
         "autoname=True, implicit=None, borrow=None, shared=False): name is the keyword name (default: the "
         "variable's); value a default kept between calls, replaced by update after each call; mutable lets "
         "the function overwrite the caller's array; borrow (default: mutable) lets the stored value alias it; "
         "strict requires the exact type; allow_downcast permits lossy casts (implicit and shared are accepted "
         "for Theano compatibility and ignored).")
      .def_rw("variable", &In::variable, "The input variable.")
      .def_rw("name", &In::name, "The keyword name ('' : the variable's name).")
      .def_prop_ro("value", [](const In& in) { return optional_value(in.value); }, "The default value, or None.")
      .def_rw("update", &In::update, "The expression replacing the value after each call, or None.")
      .def_rw("mutable", &In::mutable_, "The function may overwrite the caller's array.")
      .def_rw("borrow", &In::borrow, "The stored value may alias the caller's array.")
      .def_rw("strict", &In::strict, "Arguments must already have the exact type.")
      .def_rw("allow_downcast", &In::allow_downcast, "Permit lossy dtype casts of arguments (None: the function's).");

  nb::class_<Out>(m, "Out", "A function output with Theano's options (theano.Out): ``variable`` and ``borrow`` (return the internal buffer instead of a copy). Raises TypeError when ``variable`` is not a Variable.")
      .def(nb::init<Var, bool>(), nb::arg("variable"), nb::arg("borrow") = false,
           "Out(variable, borrow=False): borrow=True may return memory the function still uses (no copy).")
      .def_rw("variable", &Out::variable, "The output variable.")
      .def_rw("borrow", &Out::borrow, "The result may alias the function's internal memory.");

  nb::class_<FunctionOptions>(m, "FunctionOptions", "The options of function() besides inputs and outputs (updates, givens, mode, profiling, ...), as function() fills them. Raises TypeError for an option of the wrong type.")
      .def("__init__", [](FunctionOptions* self, const std::string& mode, std::vector<std::pair<Var, Var>> updates,
                          std::vector<std::pair<Var, Var>> givens, const std::string& name,
                          const std::string& on_unused_input, std::optional<bool> allow_input_downcast,
                          bool no_default_updates, bool profile) {
        FunctionOptions* o = new (self) FunctionOptions();
        set_mode(*o, mode);
        o->updates = std::move(updates);
        o->givens = std::move(givens);
        o->name = name;
        o->on_unused_input = on_unused_input_from_name(on_unused_input);
        o->allow_input_downcast = allow_input_downcast;
        o->no_default_updates = no_default_updates;
        o->profile = profile;
      }, nb::arg("mode") = "FAST_RUN", nb::arg("updates") = std::vector<std::pair<Var, Var>>{},
         nb::arg("givens") = std::vector<std::pair<Var, Var>>{}, nb::arg("name") = "",
         nb::arg("on_unused_input") = "raise", nb::arg("allow_input_downcast").none() = nb::none(),
         nb::arg("no_default_updates") = false, nb::arg("profile") = false,
         "FunctionOptions(mode='FAST_RUN', updates=[], givens=[], name='', on_unused_input='raise', "
         "allow_input_downcast=None, no_default_updates=False, profile=False): mode is FAST_RUN, FAST_COMPILE or "
         "None, optionally with -tag exclusions; updates and givens are (variable, expression) pairs.")
      .def_prop_rw("mode", [](const FunctionOptions& o) { return mode_name(o); },
                   [](FunctionOptions& o, const std::string& m) { set_mode(o, m); }, "The mode's name.")
      .def_prop_rw("on_unused_input", [](const FunctionOptions& o) { return std::string(on_unused_input_name(o.on_unused_input)); },
                   [](FunctionOptions& o, const std::string& v) { o.on_unused_input = on_unused_input_from_name(v); },
                   "'raise', 'warn' or 'ignore'.")
      .def_rw("updates", &FunctionOptions::updates, "(shared variable, new value) pairs.")
      .def_rw("givens", &FunctionOptions::givens, "(variable, replacement) pairs.")
      .def_rw("name", &FunctionOptions::name, "The function's name.")
      .def_rw("allow_input_downcast", &FunctionOptions::allow_input_downcast, "Permit lossy casts of arguments.")
      .def_rw("no_default_updates", &FunctionOptions::no_default_updates, "Ignore shared variables' default_update.")
      .def_rw("profile", &FunctionOptions::profile, "Time every node (see Function.profile_summary).")
      .def_rw("allow_gc", &FunctionOptions::allow_gc,
              "Free intermediate results as soon as they are used (config.allow_gc); False keeps\n"
              "their buffers for the next call (faster, more memory).")
      .def_rw("debug", &FunctionOptions::debug, "DebugMode's checks (DebugOptions; enabled=False: none).")
      .def_rw("nan_guard", &FunctionOptions::nan_guard, "NanGuardMode's checks (NanGuardOptions).");

  nb::class_<PyFunction>(m, "Function",
                         "A compiled function (theano.function's result). Calling it runs the function: positional and "
                         "keyword arguments (by input name); one value or a list.",
                         nb::type_slots(function_slots))
      .def("__getitem__", [](PyFunction& pf, nb::handle key) {
        if (nb::isinstance<Var>(key)) return to_python((*pf.f)[nb::cast<Var>(key)]);
        return to_python((*pf.f)[nb::cast<std::string>(key)]);
      }, "The stored value of an input with a default (by variable or name).")
      .def("__setitem__", [](PyFunction& pf, nb::handle key, nb::handle value) {
        Value& slot = nb::isinstance<Var>(key) ? (*pf.f)[nb::cast<Var>(key)] : (*pf.f)[nb::cast<std::string>(key)];
        const In* in = nullptr;
        for (int i = 0; i < pf.f->num_inputs(); ++i)
          if (nb::isinstance<Var>(key) ? pf.f->inputs()[i].variable == nb::cast<Var>(key)
                                       : pf.f->input_name(i) == nb::cast<std::string>(key))
            in = &pf.f->inputs()[i];
        slot = deep_copy(in->variable.type()->filter(to_value(value, in->variable.type().get()), false, true));
      }, "Replaces the stored value of an input with a default.")
      .def_prop_ro("maker", [](nb::handle self) { return self; }, "The function itself (Theano's f.maker).")
      .def_prop_ro("fgraph", [](PyFunction& pf) -> const FunctionGraph& { return pf.f->fgraph(); },
                   nb::rv_policy::reference_internal, "The rewritten graph the function runs.")
      .def_prop_ro("name", [](PyFunction& pf) { return pf.f->name(); }, "The function's name.")
      .def_prop_ro("mode", [](PyFunction& pf) { return mode_name(pf.f->options()); },
                   "The mode it was compiled with, with its rewrite tags ('FAST_RUN-fusion').")
      .def_prop_ro("allow_gc", [](PyFunction& pf) { return pf.f->options().allow_gc; },
                   "Whether intermediate results are freed as soon as they are used (config.allow_gc).")
      .def_prop_ro("compile_time", [](PyFunction& pf) { return pf.f->compile_time(); }, "Seconds spent compiling.")
      .def_rw("profile", &PyFunction::profile, "The ProfileStats when compiled with profile=True, else None.")
      .def("profile_source", [](PyFunction& pf) { return profile_source(pf.f); },
           "A handle on this function's profile that ProfileStats keeps (it does not keep the Function alive "
           "as a Python object).")
      .def("profile_data", [](PyFunction& pf) { return profile_data_dict(*pf.f); },
           "The raw profile as a dict: 'nodes' (per node in run order: node, op, op_class, seconds, "
           "output_bytes), 'calls', 'peak_bytes', 'compile_time', 'compile_phases' (seconds per phase) and 'rewrite_phases' (seconds per optdb phase).")
      .def("profile_summary", [](PyFunction& pf) { return pf.f->profile_summary(); },
           "Per-node time table (compile with profile=True), most expensive node first.")
      .def("copy", [](PyFunction& pf, bool share_memory, nb::handle swap, bool delete_updates,
                      std::optional<std::string> name) {
        std::vector<std::pair<Var, Var>> pairs;
        if (!swap.is_none()) {
          nb::object items = nb::hasattr(swap, "items") ? swap.attr("items")() : nb::borrow(swap);
          for (auto kv : items) {
            nb::tuple t = nb::cast<nb::tuple>(nb::module_::import_("builtins").attr("tuple")(kv));
            if (t.size() != 2 || !nb::isinstance<Var>(t[0]) || !nb::isinstance<Var>(t[1]))
              type_error("[Function.copy] swap must map shared variables to shared variables");
            pairs.emplace_back(nb::cast<Var>(t[0]), nb::cast<Var>(t[1]));
          }
        }
        return PyFunction{pf.f->copy(share_memory, pairs, delete_updates, name), pf.single};
      }, nb::arg("share_memory") = false, nb::arg("swap").none() = nb::none(),
         nb::arg("delete_updates") = false, nb::arg("name").none() = nb::none(),
         "Theano's Function.copy: the same compiled graph with its own input defaults (or shared ones, "
         "share_memory=True); swap: (old, new) shared-variable pairs; delete_updates drops the updates.")
      .def("_pickle_spec", [](PyFunction& pf) {
        nb::list ins, outs;
        for (const In& in : pf.f->inputs())
          ins.append(nb::make_tuple(in.variable, in.name, in.value.has_value(),
                                    in.update ? nb::cast(in.update) : nb::none(), in.mutable_, in.borrow, in.strict,
                                    in.allow_downcast ? nb::cast(*in.allow_downcast) : nb::none()));
        for (const Out& o : pf.f->outputs()) outs.append(nb::make_tuple(o.variable, o.borrow));
        return nb::make_tuple(ins, outs, pf.f->options(), pf.single);
      }, "(inputs, outputs, FunctionOptions, single) the function was compiled from: each input as (variable, "
         "name, has_default, update or None, mutable, borrow, strict, allow_downcast), each output as (variable, "
         "borrow). hypatia._pickle rebuilds a pickled function from it.")
      .def_prop_ro("input_names", [](PyFunction& pf) {
        std::vector<std::string> names;
        for (int i = 0; i < pf.f->num_inputs(); ++i) names.push_back(pf.f->input_name(i));
        return names;
      }, "The keyword names of the inputs, in order.");

  m.def("compile_function", [](nb::handle inputs, nb::handle outputs, FunctionOptions opts, bool single) {
    if (!PyList_Check(inputs.ptr()) && !PyTuple_Check(inputs.ptr()))
      type_error("[function] inputs must be a list or tuple of variables, got ", nb::cast<std::string>(nb::repr(inputs)));
    std::vector<In> ins;
    for (auto i : inputs) {
      if (nb::isinstance<In>(i)) ins.push_back(nb::cast<In>(i));
      else if (nb::isinstance<Var>(i)) ins.emplace_back(nb::cast<Var>(i));
      else type_error("[function] input ", nb::cast<std::string>(nb::repr(i)), " is neither a Variable nor an In");
    }
    std::vector<Out> outs;
    for (auto o : outputs) outs.push_back(nb::isinstance<Out>(o) ? nb::cast<Out>(o) : Out(as_var(o)));
    PyFunction pf;
    pf.f = function(std::move(ins), std::move(outs), std::move(opts));
    pf.single = single;
    return pf;
  }, nb::arg("inputs"), nb::arg("outputs"), nb::arg("options"), nb::arg("single"),
     "Compiles In/Variable inputs and Out/Variable outputs with FunctionOptions; single: return one value.");

  m.def("shared", [](nb::handle value, std::optional<std::string> name, bool borrow) {
    return shared(shared_value_from_python(value), name.value_or(""), borrow);
  }, nb::arg("value"), nb::arg("name") = nb::none(), nb::arg("borrow") = false,
        "A variable whose value persists between calls and is shared by functions (theano.shared).");
  nb::setattr(nb::type<Var>(), "eval", nb::cpp_function([](const Var& v, nb::handle inputs_to_values) {
    std::vector<std::pair<Var, Value>> ins;
    if (!inputs_to_values.is_none())
      for (auto [k, val] : nb::cast<nb::dict>(inputs_to_values)) {
        Var var = nb::cast<Var>(k);
        ins.emplace_back(var, to_value(val, var.type().get()));
      }
    return to_python(eval(v, ins));
  }, nb::is_method(), nb::name("eval"), nb::arg("inputs_to_values") = nb::none(),
     "The variable's value for the given {variable: value} inputs (Theano's Variable.eval)."));
  m.def("eval", [](const Var& v, std::vector<std::pair<Var, nb::object>> inputs) {
    std::vector<std::pair<Var, Value>> ins;
    for (auto& [k, val] : inputs) ins.emplace_back(k, to_value(val, k.type().get()));
    return to_python(eval(v, ins));
  },
        "The value of a variable given (variable, value) input pairs (Variable.eval).");
}

}  // namespace hypatia::py
