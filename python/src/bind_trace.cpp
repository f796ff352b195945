// Creation traces (Theano's tag.trace and config.traceback.limit): the hook that records where user code built each variable.
#include <atomic>
#include <mutex>

#include "bindings.h"

namespace hypatia::py {

namespace {

std::atomic<int> g_limit{0};
std::atomic<int> g_compile_limit{0};
std::mutex g_dir_mu;
std::string g_package_dir;  // frames in files under it are the package's own, not the user's

bool own_file(const std::string& file) {
  std::lock_guard<std::mutex> lock(g_dir_mu);
  return !g_package_dir.empty() && file.compare(0, g_package_dir.size(), g_package_dir) == 0;
}

/// The user's frames (outermost first, at most `limit`; -1: all) of the calling Python thread.
/// Threads that do not hold the GIL (native code building graphs off the interpreter) get none.
std::shared_ptr<const CreationTrace> capture(bool compiling) {
  const int limit = (compiling ? g_compile_limit : g_limit).load(std::memory_order_relaxed);
  if (limit == 0 || !Py_IsInitialized() || !PyGILState_Check()) return nullptr;
  CreationTrace innermost_first;
  PyFrameObject* f = PyEval_GetFrame();  // borrowed
  Py_XINCREF(f);
  while (f && (limit < 0 || static_cast<int>(innermost_first.size()) < limit)) {
    PyCodeObject* code = PyFrame_GetCode(f);  // new reference
    const char* file = PyUnicode_AsUTF8(code->co_filename);
    const char* func = PyUnicode_AsUTF8(code->co_name);
    if (file && func && !own_file(file)) innermost_first.push_back(TraceFrame{file, PyFrame_GetLineNumber(f), func});
    if (!file || !func) PyErr_Clear();
    Py_DECREF(code);
    PyFrameObject* back = PyFrame_GetBack(f);  // new reference
    Py_DECREF(f);
    f = back;
  }
  Py_XDECREF(f);
  if (innermost_first.empty()) return nullptr;
  return std::make_shared<const CreationTrace>(innermost_first.rbegin(), innermost_first.rend());
}

}  // namespace

void init_trace(nb::module_& m) {
  set_creation_trace_hook(&capture);
  m.def("set_traceback_compile_limit", [](int limit) {
    if (limit < -1) value_error("[config] traceback.compile_limit must be -1 (all levels) or >= 0, got ", limit);
    g_compile_limit.store(limit, std::memory_order_relaxed);
    set_creation_trace_hook(&capture, limit != 0);
  }, nb::arg("limit"),
        "Sets config.traceback.compile_limit: levels recorded for variables made while compiling (0: none; "
        "rewritten variables then inherit the trace of the variable they replace).");
  m.def("set_traceback_limit", [](int limit) {
    if (limit < -1) value_error("[config] traceback.limit must be -1 (all levels) or >= 0, got ", limit);
    g_limit.store(limit, std::memory_order_relaxed);
  }, nb::arg("limit"),
        "Sets config.traceback.limit: how many levels of the user's stack each new variable records (0: none, -1: all).");
  m.def("set_trace_package_dir", [](const std::string& dir) {
    std::lock_guard<std::mutex> lock(g_dir_mu);
    g_package_dir = dir;
  }, nb::arg("dir"), "The package folder whose frames creation traces skip (they are Hypatia's, not the user's).");
  m.def("creation_trace", [](const Var& v) {
    nb::list frames;
    if (v && v->trace)
      for (const TraceFrame& f : *v->trace) frames.append(nb::make_tuple(f.file, f.line, f.function));
    return frames;
  }, nb::arg("var"), "(file, line, function) of each recorded level where the variable was created, outermost first.");
}

}  // namespace hypatia::py
