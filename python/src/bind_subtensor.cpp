// Python bindings of the tensor subtensor family: Variable.__getitem__ (numpy-style keys),
// set_subtensor, inc_subtensor, take, sparse_grad, nonzero_values.
#include "bindings.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/indexing.h"

namespace hypatia::py {
namespace {

std::string py_type_name(nb::handle h) { return nb::cast<std::string>(nb::str(h.type().attr("__name__"))); }

bool is_numpy_like(nb::handle h) { return nb::hasattr(h, "dtype") && nb::hasattr(h, "shape"); }

SliceBound bound(nb::handle h) {
  if (h.is_none()) return {};
  if (nb::isinstance<Var>(h)) return SliceBound(nb::cast<Var>(h));
  if (!PyBool_Check(h.ptr()) && !PyFloat_Check(h.ptr()) && PyIndex_Check(h.ptr())) {
    Py_ssize_t v = PyNumber_AsSsize_t(h.ptr(), PyExc_IndexError);
    if (!(v == -1 && PyErr_Occurred())) return SliceBound(static_cast<int64_t>(v));
    PyErr_Clear();
  }
  type_error("[Subtensor] slice indices must be integers, None or integer scalar variables, got ", py_type_name(h));
}

IndexEntry entry(nb::handle h) {
  if (h.is_none()) return IndexEntry::newaxis();
  if (h.ptr() == Py_Ellipsis) return IndexEntry::ellipsis();
  if (PySlice_Check(h.ptr())) {
    auto* s = reinterpret_cast<PySliceObject*>(h.ptr());
    return IndexEntry::slice(bound(s->start), bound(s->stop), bound(s->step));
  }
  if (nb::isinstance<Var>(h)) return IndexEntry::at(nb::cast<Var>(h));
  if (PyBool_Check(h.ptr())) type_error("[Subtensor] a Python bool is not a valid index (use a boolean array)");
  if (PyLong_Check(h.ptr())) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(h.ptr(), &overflow);
    if (overflow) raise(ErrorKind::Index, "[Subtensor] index out of the int64 range");
    return IndexEntry::at(static_cast<int64_t>(v));
  }
  if (PyFloat_Check(h.ptr()) || PyComplex_Check(h.ptr()) || nb::isinstance<nb::str>(h))
    type_error("[Subtensor] only integers, slices (`:`), ellipsis (`...`), None (newaxis) and integer or boolean "
               "arrays are valid indices, got ", py_type_name(h));
  if ((PyList_Check(h.ptr()) || PyTuple_Check(h.ptr())) && nb::len(h) == 0)
    return IndexEntry::at(constant(NDArray::empty(DType::Int64, {0})));
  if (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr()) || is_numpy_like(h)) return IndexEntry::at(as_var(h));
  type_error("[Subtensor] invalid index of type ", py_type_name(h));
}

std::vector<IndexEntry> entries(nb::handle key) {
  std::vector<IndexEntry> r;
  if (PyTuple_Check(key.ptr())) {
    for (auto k : key) r.push_back(entry(k));
  } else {
    r.push_back(entry(key));
  }
  return r;
}

std::optional<int> opt_axis(nb::handle axis) {
  if (axis.is_none()) return std::nullopt;
  return nb::cast<int>(axis);
}

}  // namespace

void init_subtensor(nb::module_& m) {
  m.def("set_subtensor", [](const Var& x, nb::handle y, bool, bool) { return set_subtensor(x, as_var(y)); },
        nb::arg("x"), nb::arg("y"), nb::arg("inplace") = false, nb::arg("tolerate_inplace_aliasing") = false,
        "x with the indexed part overwritten by y (x must be the result of x[idx]). ``inplace`` and ``tolerate_inplace_aliasing`` are Theano's flags (Hypatia's in-place phase decides). Raises TypeError when ``x`` is not the result of indexing or ``y`` does not fit its dtype; the compiled function raises ValueError when y's shape does not broadcast to the indexed part.");
  m.def("inc_subtensor", [](const Var& x, nb::handle y, bool, bool set_instead_of_inc, bool) {
    return inc_subtensor(x, as_var(y), set_instead_of_inc);
  }, nb::arg("x"), nb::arg("y"), nb::arg("inplace") = false, nb::arg("set_instead_of_inc") = false,
     nb::arg("tolerate_inplace_aliasing") = false,
     "x with the indexed part incremented by y; repeated advanced indices accumulate. ``inplace`` and ``tolerate_inplace_aliasing`` are Theano's flags (Hypatia's in-place phase decides); ``set_instead_of_inc`` makes it set_subtensor. Raises TypeError when ``x`` is not the result of indexing or ``y`` does not fit its dtype; the compiled function raises ValueError when y's shape does not broadcast to the indexed part.");
  m.def("take", [](nb::handle a, nb::handle indices, nb::handle axis, const std::string& mode) {
    return take(as_var(a), as_var(indices), opt_axis(axis), mode);
  }, nb::arg("a"), nb::arg("indices"), nb::arg("axis") = nb::none(), nb::arg("mode") = "raise",
        "numpy.take: elements at indices along axis (None: flattened); mode raise, wrap or clip. ``a``: the tensor. With mode 'raise' the compiled function raises IndexError for an index out of range.");
  m.def("sparse_grad", [](nb::handle v) {
    if (!nb::isinstance<Var>(v)) type_error("[sparse_grad] expected the result of x[int_vector], got ", py_type_name(v));
    return sparse_grad(nb::cast<Var>(v));
  }, nb::arg("var"), "theano.sparse_grad: the gradient of x[int_vector] w.r.t. x becomes sparse. ``var``: the result of x[int_vector]. Raises TypeError for anything else.");
  m.def("nonzero_values", [](nb::handle x) { return nonzero_values(as_var(x)); }, nb::arg("x"),
        "The non-zero elements of x, flattened. ``x``: the tensor. Raises TypeError when an operand is not a dense tensor.");
  m.def("subtensor", [](const Var& x, nb::handle key) { return subtensor(x, entries(key)); },
        "x[key] (Theano's Subtensor / AdvancedSubtensor from a Python index).");

  nb::handle cls = nb::type<Var>();
  auto method = [&](const char* name, auto&& f, const auto&... extra) {
    nb::setattr(cls, name, nb::cpp_function(f, nb::is_method(), nb::name(name), extra...));
  };
  // x[...]: each family converts the index its own way (sparse: GetItem2d/GetItemScalar/GetItemList).
  method("__getitem__", [](const Var& x, nb::handle key) {
    if (x.type()->kind() == TypeKind::Sparse) return sparse_getitem(x, key);
    return subtensor(x, entries(key));
  }, "x[key]: Theano's indexing (basic and advanced); sparse matrices take 2-d slices, a scalar pair or an "
     "integer list.");
  method("__iter__", [](const Var& x) -> Var {
    type_error("[Variable] a symbolic variable (", x->str(), ") is not iterable: its length is not known when the "
               "graph is built; index it (x[i]) instead");
  }, "Refuses: a symbolic variable has no length to iterate over (TypeError).");
  method("take", [](const Var& a, nb::handle indices, nb::handle axis, const std::string& mode) {
    return take(a, as_var(indices), opt_axis(axis), mode);
  }, nb::arg("indices"), nb::arg("axis") = nb::none(), nb::arg("mode") = "raise", "numpy.take: elements at indices along axis (None: flattened); mode raise, wrap or clip.");
  method("nonzero_values", [](const Var& x) { return nonzero_values(x); }, "The non-zero elements of x, flattened.");
}

}  // namespace hypatia::py
