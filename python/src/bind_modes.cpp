// Bindings of the checking modes: DebugOptions, NanGuardOptions and the raw profile of a function.
#include "bindings.h"

#include <string_view>
#include "hypatia/compile/function.h"
#include "hypatia/graph/test_value.h"

namespace hypatia::py {

namespace {
// (message marker, exception class); classes are kept for the life of the process.
std::vector<std::pair<std::string, PyObject*>> g_check_errors;
}  // namespace

PyObject* check_error_class(const char* what, PyObject* fallback) {
  const std::string_view msg(what);
  for (const auto& [marker, cls] : g_check_errors)
    if (msg.find(marker) != std::string_view::npos) return cls;
  return fallback;
}

nb::dict profile_data_dict(const Function& f) {
  const VM::ProfileData d = f.profile_data();
  nb::list nodes;
  const auto& thunks = f.vm().thunks();
  for (size_t k = 0; k < thunks.size(); ++k) {
    nb::dict n;
    const std::string op = thunks[k].op->str();
    n["node"] = node_str(*thunks[k].node);
    n["op"] = op;
    n["op_class"] = op.substr(0, op.find('{'));
    n["seconds"] = k < d.seconds.size() ? d.seconds[k] : 0.0;
    n["output_bytes"] = k < d.output_bytes.size() ? d.output_bytes[k] : int64_t{0};
    nodes.append(n);
  }
  nb::dict phases;
  for (const auto& [name, s] : f.compile_phases()) phases[name.c_str()] = s;
  nb::dict rewrites;
  for (const auto& [name, s] : f.rewrite_phases()) rewrites[name.c_str()] = s;
  nb::dict out;
  out["rewrite_phases"] = rewrites;
  out["nodes"] = nodes;
  out["calls"] = d.calls;
  out["peak_bytes"] = d.peak_bytes;
  out["compile_time"] = f.compile_time();
  const Function::CallTimes times = f.call_times();
  out["call_time"] = times.outer;
  out["fn_time"] = times.call;
  out["vm_time"] = times.run;
  out["compile_phases"] = phases;
  return out;
}

/// What ProfileStats keeps of a profiled function: the C++ function only, so that the Python
/// Function -> ProfileStats -> source chain holds no cycle.
struct ProfileSource {
  std::shared_ptr<const Function> f;
};

nb::object profile_source(const std::shared_ptr<const Function>& f) { return nb::cast(ProfileSource{f}); }

namespace {
TestValueMode test_value_mode_from(const std::string& s) {
  if (s == "off") return TestValueMode::Off;
  if (s == "ignore") return TestValueMode::Ignore;
  if (s == "warn") return TestValueMode::Warn;
  if (s == "raise") return TestValueMode::Raise;
  if (s == "pdb") return TestValueMode::Pdb;
  value_error("[compute_test_value] unknown value '", s, "'; expected 'off', 'ignore', 'warn', 'raise' or 'pdb'");
}
}  // namespace

void init_modes(nb::module_& m) {
  m.def("set_test_value_hooks", [](nb::handle mode, nb::handle report, nb::handle location) {
    // The callables live as long as the process; they are only called by a thread holding the GIL
    // (a node built from C++ threads without it sees the mode as 'off').
    for (nb::handle h : {mode, report, location}) Py_INCREF(h.ptr());
    TestValueHooks hooks;
    hooks.mode = [mode]() {
      if (!Py_IsInitialized() || !PyGILState_Check()) return TestValueMode::Off;
      return test_value_mode_from(nb::cast<std::string>(mode()));
    };
    hooks.report = [report](TestValueMode md, const std::string& msg) {
      if (PyGILState_Check()) report(md == TestValueMode::Pdb ? "pdb" : "warn", msg);
    };
    hooks.location = [location]() -> std::string {
      if (!PyGILState_Check()) return "";
      return nb::cast<std::string>(location());
    };
    set_test_value_hooks(std::move(hooks));
  }, nb::arg("mode"), nb::arg("report"), nb::arg("location"),
        "Installs the test-value hooks: mode() returns config.compute_test_value, report(kind, message) warns or "
        "enters the debugger for a missing test value, location() names the user's line building a node.");
  m.def("get_test_value", [](const Var& v) -> nb::object {
    auto tv = get_test_value(v);
    return tv ? to_python(*tv) : nb::none();
  }, nb::arg("var"), "The test value of a variable (its tag's, a constant's, a shared variable's value), or None.");
  m.def("set_test_value", [](const Var& v, nb::handle value) {
    if (value.is_none()) return set_test_value(v, nullptr);
    Value tv;
    try {
      tv = v.type()->filter(to_value(value, v.type().get(), false), false, false);
    } catch (const Error& e) {
      raise(e.kind(), "[test_value] the test value of ", v->str(), " must fit its type ", v.type()->str(), ": ", e.what());
    }
    set_test_value(v, std::make_shared<const Value>(std::move(tv)));
  }, nb::arg("var"), nb::arg("value"), "Sets (None: clears) a variable's test value, checked by its type.");
  nb::class_<ProfileSource>(m, "ProfileSource", "A profiled function's raw profile, as ProfileStats reads it.")
      .def("data", [](const ProfileSource& s) { return profile_data_dict(*s.f); },
           "The profile as a dict (see Function.profile_data).")
      .def_prop_ro("name", [](const ProfileSource& s) { return s.f->name(); }, "The function's name.");
  m.def("register_check_error", [](const std::string& marker, nb::handle cls) {
    Py_INCREF(cls.ptr());
    g_check_errors.emplace_back(marker, cls.ptr());
  }, nb::arg("marker"), nb::arg("cls"),
        "Raise `cls` (a ValueError subclass) instead of ValueError for errors whose message contains `marker` "
        "(DebugMode's \"[DebugMode] BadOptimization:\" and the like).");
  nb::class_<DebugOptions>(m, "DebugOptions",
                           "DebugMode's checks (Theano's DebugMode and config.DebugMode.*): which run on every call.")
      .def(nb::init<>(), "All checks on, but not enabled (enabled=False).")
      .def_rw("enabled", &DebugOptions::enabled, "Run the checks at all.")
      .def_rw("check_optimized", &DebugOptions::check_optimized, "Each rewritten variable agrees with the unoptimised graph.")
      .def_rw("check_destroy_map", &DebugOptions::check_destroy_map, "No op writes into an input outside its destroy_map.")
      .def_rw("check_view_map", &DebugOptions::check_view_map, "No output aliases an input outside view_map/destroy_map.")
      .def_rw("check_shapes", &DebugOptions::check_shapes, "infer_shape agrees with the real output shapes.")
      .def_rw("check_values", &DebugOptions::check_values, "Outputs fit their types; sparse outputs are valid matrices.")
      .def_rw("check_finite", &DebugOptions::check_finite, "Float outputs hold no NaN or inf.")
      .def_rw("reruns", &DebugOptions::reruns, "How many reruns are compared with the first run (non-determinism).")
      .def_rw("rtol", &DebugOptions::rtol, "Relative tolerance (< 0: 1e-5 for float64, 1e-3 for float32).")
      .def_rw("atol", &DebugOptions::atol, "Absolute tolerance (< 0: 1e-8 for float64, 1e-5 for float32).")
      .def_rw("preallocated", &DebugOptions::preallocated,
              "Output buffers each node is rerun with: initial, previous, c_contiguous, f_contiguous, strided, "
              "wrong_size or ALL (config.DebugMode.check_preallocated_output).")
      .def_rw("preallocated_ndim", &DebugOptions::preallocated_ndim, "Inner-most dimensions 'strided' buffers stride over.")
      .def_rw("check_strides", &DebugOptions::check_strides,
              "Compare output strides with a rerun on C-contiguous inputs: 0 off, 1 warn, 2 raise.")
      .def_rw("warn_input_not_reused", &DebugOptions::warn_input_not_reused,
              "Warn when an in-place node wrote a new buffer although it could overwrite its input.");
  nb::class_<NanGuardOptions>(m, "NanGuardOptions", "NanGuardMode's checks: which values stop a call.")
      .def(nb::init<>(), "No check on.")
      .def_rw("nan_is_error", &NanGuardOptions::nan_is_error, "NaN in a node's input or output is an error.")
      .def_rw("inf_is_error", &NanGuardOptions::inf_is_error, "Inf in a node's input or output is an error.")
      .def_rw("big_is_error", &NanGuardOptions::big_is_error, "An absolute value above big_threshold is an error.")
      .def_rw("big_threshold", &NanGuardOptions::big_threshold, "The largest magnitude allowed (1e10, as Theano).");
}

}  // namespace hypatia::py
