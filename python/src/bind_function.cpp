// Python bindings of compiled functions and shared variables; the call path stays in C++.
#include "bindings.h"
#include "hypatia/compile/function.h"

namespace hypatia::py {

/// A compiled function as Python sees it: returns one value or a list, like theano.function.
struct PyFunction {
  FunctionPtr f;
  bool single = false;
  std::vector<TypePtr> in_types;
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

void init_function(nb::module_& m) {
  nb::class_<PyFunction>(m, "Function")
      .def("__call__", [](PyFunction& pf, nb::args args, nb::kwargs kwargs) -> nb::object {
        std::vector<Value> vals;
        vals.reserve(nb::len(args));
        const size_t n = pf.in_types.size();
        size_t i = 0;
        auto convert = [&](nb::handle a, size_t pos, const Type* t) {
          try {
            return to_value(a, t, pf.f->inputs()[pos].strict);
          } catch (const Error& e) {
            const In& in = pf.f->inputs()[pos];
            throw Error(e.kind(), str_cat("[function] bad input argument with name \"",
                                          in.name.empty() ? in.variable->name : in.name, "\" at index ", pos,
                                          " (0-based): ", e.what()));
          }
        };
        for (auto a : args) {
          vals.push_back(i < n ? convert(a, i, pf.in_types[i].get()) : to_value(a, nullptr));
          ++i;
        }
        std::vector<std::pair<std::string, Value>> kw;
        for (auto [k, v] : kwargs) {
          std::string key = nb::cast<std::string>(k);
          size_t pos = n;
          for (size_t j = 0; j < n; ++j) {
            const In& in = pf.f->inputs()[j];
            if ((in.name.empty() ? in.variable->name : in.name) == key) pos = j;
          }
          kw.emplace_back(key, pos < n ? convert(v, pos, pf.in_types[pos].get()) : to_value(v, nullptr));
        }
        std::vector<Value> outs;
        {
          nb::gil_scoped_release release;
          outs = pf.f->call(vals, kw);
        }
        if (pf.single) return to_python(outs[0]);
        nb::list l;
        for (const auto& o : outs) l.append(to_python(o));
        return l;
      })
      .def("__getitem__", [](PyFunction& pf, nb::handle key) {
        if (nb::isinstance<Var>(key)) return to_python((*pf.f)[nb::cast<Var>(key)]);
        return to_python((*pf.f)[nb::cast<std::string>(key)]);
      })
      .def("__setitem__", [](PyFunction& pf, nb::handle key, nb::handle value) {
        Value& slot = nb::isinstance<Var>(key) ? (*pf.f)[nb::cast<Var>(key)] : (*pf.f)[nb::cast<std::string>(key)];
        const In* in = nullptr;
        for (const auto& i : pf.f->inputs())
          if (nb::isinstance<Var>(key) ? i.variable == nb::cast<Var>(key)
                                       : (i.name.empty() ? i.variable->name : i.name) == nb::cast<std::string>(key))
            in = &i;
        slot = deep_copy(in->variable.type()->filter(to_value(value, in->variable.type().get()), false, true));
      })
      .def_prop_ro("maker", [](nb::handle self) { return self; })
      .def_prop_ro("fgraph", [](PyFunction& pf) -> const FunctionGraph& { return pf.f->fgraph(); }, nb::rv_policy::reference_internal)
      .def_prop_ro("name", [](PyFunction& pf) { return pf.f->name(); })
      .def_prop_ro("compile_time", [](PyFunction& pf) { return pf.f->compile_time(); })
      .def("profile_summary", [](PyFunction& pf) { return pf.f->profile_summary(); },
           "Per-node time table (compile with profile=True), most expensive node first.")
      .def_prop_ro("input_names", [](PyFunction& pf) {
        std::vector<std::string> names;
        for (const auto& i : pf.f->inputs()) names.push_back(i.name.empty() ? i.variable->name : i.name);
        return names;
      });

  m.def("compile_function",
        [](nb::list inputs, nb::list outputs, std::vector<std::pair<Var, Var>> updates,
           std::vector<std::pair<Var, Var>> givens, const std::string& mode, const std::string& name,
           const std::string& on_unused_input, std::optional<bool> allow_input_downcast, bool single,
           bool no_default_updates, bool profile) {
          std::vector<In> ins;
          for (auto spec : inputs) {
            // (variable, name, value, update, mutable, borrow, strict, allow_downcast)
            nb::tuple t = nb::cast<nb::tuple>(spec);
            In in(nb::cast<Var>(t[0]));
            if (!t[1].is_none()) in.name = nb::cast<std::string>(t[1]);
            if (!t[3].is_none()) in.update = as_var(t[3]);
            if (!t[2].is_none()) in.value = to_value(t[2], in.variable.type().get(), nb::cast<bool>(t[6]));
            in.mutable_ = nb::cast<bool>(t[4]);
            in.borrow = nb::cast<bool>(t[5]);
            in.strict = nb::cast<bool>(t[6]);
            if (!t[7].is_none()) in.allow_downcast = nb::cast<bool>(t[7]);
            ins.push_back(std::move(in));
          }
          std::vector<Out> outs;
          for (auto spec : outputs) {
            nb::tuple t = nb::cast<nb::tuple>(spec);
            outs.emplace_back(as_var(t[0]), nb::cast<bool>(t[1]));
          }
          FunctionOptions opts;
          opts.updates = std::move(updates);
          opts.givens = std::move(givens);
          opts.mode = mode;
          opts.name = name;
          opts.on_unused_input = on_unused_input;
          opts.allow_input_downcast = allow_input_downcast;
          opts.no_default_updates = no_default_updates;
          opts.profile = profile;
          PyFunction pf;
          pf.f = function(std::move(ins), std::move(outs), std::move(opts));
          pf.single = single;
          for (const auto& in : pf.f->inputs()) pf.in_types.push_back(in.variable.type());
          return pf;
        });

  m.def("shared", [](nb::handle value, std::optional<std::string> name, bool borrow) {
    return shared(shared_value_from_python(value), name.value_or(""), borrow);
  }, nb::arg("value"), nb::arg("name") = nb::none(), nb::arg("borrow") = false);
  m.def("eval", [](const Var& v, std::vector<std::pair<Var, nb::object>> inputs) {
    std::vector<std::pair<Var, Value>> ins;
    for (auto& [k, val] : inputs) ins.emplace_back(k, to_value(val, k.type().get()));
    return to_python(eval(v, ins));
  });
}

}  // namespace hypatia::py
