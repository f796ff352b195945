// C++ errors -> Python exceptions by kind (TypeError, ValueError, MemoryError, Theano's named errors).
#include "bindings.h"
#include "hypatia/util/warning.h"

namespace hypatia::py {

namespace {
PyObject* g_disconnected = nullptr;
PyObject* g_nulltype = nullptr;
PyObject* g_missing = nullptr;
PyObject* g_unused = nullptr;
}  // namespace

void set_python_error(const std::exception_ptr& p) {
  try {
    std::rethrow_exception(p);
  } catch (const Error& e) {
    if (restore_python_error(e)) return;  // a Python op's own exception, with the node context
    PyObject* cls = PyExc_RuntimeError;
    switch (e.kind()) {
      case ErrorKind::Type: cls = PyExc_TypeError; break;
      case ErrorKind::Value: cls = check_error_class(e.what(), PyExc_ValueError); break;
      case ErrorKind::Index: cls = PyExc_IndexError; break;
      case ErrorKind::NotImplemented: cls = PyExc_NotImplementedError; break;
      case ErrorKind::Runtime: cls = PyExc_RuntimeError; break;
      case ErrorKind::DisconnectedInput: cls = g_disconnected; break;
      case ErrorKind::NullTypeGrad: cls = g_nulltype; break;
      case ErrorKind::MissingInput: cls = g_missing; break;
      case ErrorKind::UnusedInput: cls = g_unused; break;
      case ErrorKind::Memory: cls = PyExc_MemoryError; break;
    }
    PyErr_SetString(cls, e.what());
  } catch (const std::bad_alloc& e) {
    // Raised outside a compiled function's nodes (those are wrapped by the VM): still MemoryError.
    PyErr_SetString(PyExc_MemoryError, as_error(e, "hypatia").what());
  } catch (const std::length_error& e) {
    PyErr_SetString(PyExc_MemoryError, as_error(e, "hypatia").what());
  }
}

void init_errors(nb::module_& m) {
  // The core's warnings become Python UserWarnings (filterable; an "error" filter raises).
  set_warning_handler([](const std::string& msg) {
    if (!Py_IsInitialized()) return;
    nb::gil_scoped_acquire gil;
    if (PyErr_WarnEx(PyExc_UserWarning, msg.c_str(), 1) < 0) throw nb::python_error();
  });
  g_disconnected = PyErr_NewException("hypatia._core.DisconnectedInputError", PyExc_ValueError, nullptr);
  g_nulltype = PyErr_NewException("hypatia._core.NullTypeGradError", PyExc_TypeError, nullptr);
  g_missing = PyErr_NewException("hypatia._core.MissingInputError", PyExc_Exception, nullptr);
  g_unused = PyErr_NewException("hypatia._core.UnusedInputError", PyExc_Exception, nullptr);
  auto doc = [](PyObject* cls, const char* text) { nb::setattr(nb::handle(cls), "__doc__", nb::str(text)); };
  doc(g_disconnected, "grad: a wrt variable the cost does not depend on (disconnected_inputs='raise').");
  doc(g_nulltype, "grad: a gradient that is undefined or not implemented was needed. Raised (a TypeError subclass) "
                 "by grad with null_gradients='raise' when the cost's gradient w.r.t. a wrt variable goes through "
                 "such a gradient (grad_undefined, grad_not_implemented); the message gives the reason recorded there.");
  doc(g_missing, "function: an output depends on a variable that is not an input.");
  doc(g_unused, "function: an explicit input no output uses (on_unused_input='raise').");
  m.attr("DisconnectedInputError") = nb::handle(g_disconnected);
  m.attr("NullTypeGradError") = nb::handle(g_nulltype);
  m.attr("MissingInputError") = nb::handle(g_missing);
  m.attr("UnusedInputError") = nb::handle(g_unused);
  nb::register_exception_translator([](const std::exception_ptr& p, void*) { set_python_error(p); });
}

}  // namespace hypatia::py
