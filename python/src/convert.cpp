// numpy/scipy <-> NDArray/SparseMatrix without copies where layouts allow.
#include "convert.h"

#include <deque>

#include <algorithm>
#include <bit>
#include <optional>

#include <nanobind/ndarray.h>
#include <nanobind/stl/shared_ptr.h>

#include "hypatia/tensor/tensor_type.h"
#include "hypatia/sparse/sparse_type.h"

namespace hypatia::py {

namespace {

// The dtype of a buffer-protocol format string, and whether its bytes are in the opposite order
// to this machine's ('>' / '!' on a little-endian machine, '<' on a big-endian one).
bool dtype_from_format(const char* fmt, Py_ssize_t itemsize, DType* out, bool* swapped) {
  std::string f(fmt ? fmt : "B");
  constexpr bool little = std::endian::native == std::endian::little;
  *swapped = false;
  if (!f.empty() && (f[0] == '<' || f[0] == '>' || f[0] == '!' || f[0] == '=' || f[0] == '@' || f[0] == '|')) {
    *swapped = little ? (f[0] == '>' || f[0] == '!') : f[0] == '<';
    f = f.substr(1);
  }
  if (f == "?") { *out = DType::Bool; return true; }
  if (f == "e") { *out = DType::Float16; return true; }
  if (f == "f") { *out = DType::Float32; return true; }
  if (f == "d") { *out = DType::Float64; return true; }
  if (f == "Zf") { *out = DType::Complex64; return true; }
  if (f == "Zd") { *out = DType::Complex128; return true; }
  bool is_signed = f == "b" || f == "h" || f == "i" || f == "l" || f == "q" || f == "n";
  bool is_uns = f == "B" || f == "H" || f == "I" || f == "L" || f == "Q" || f == "N";
  if (!is_signed && !is_uns) return false;
  switch (itemsize) {
    case 1: *out = is_signed ? DType::Int8 : DType::UInt8; return true;
    case 2: *out = is_signed ? DType::Int16 : DType::UInt16; return true;
    case 4: *out = is_signed ? DType::Int32 : DType::UInt32; return true;
    case 8: *out = is_signed ? DType::Int64 : DType::UInt64; return true;
  }
  return false;
}

// A native-order copy of an array whose elements are stored byte-swapped (a big-endian numpy
// array on a little-endian machine): numpy and scipy accept those, so the boundary converts them.
// Complex numbers swap each of their two parts.
// Bytes move as bytes (no value conversion), so every bit pattern, NaN payloads included, survives.
NDArray to_native_order(const NDArray& swapped) {
  NDArray out(swapped.dtype(), swapped.shape());
  const int isz = itemsize(out.dtype());
  const int part = is_complex(out.dtype()) ? isz / 2 : isz;
  const auto* src = static_cast<const unsigned char*>(swapped.raw());
  auto* dst = static_cast<unsigned char*>(out.raw());
  strided_for_each<1>(swapped.shape(), {swapped.strides().data()}, [&](int64_t off) {
    for (int h = 0; h < isz; h += part) std::reverse_copy(src + off + h, src + off + h + part, dst + h);
    dst += isz;
  });
  return out;
}

// Holds a Py_buffer (and so the exporting object) until the last NDArray using it is gone.
struct BufferHold {
  Py_buffer view;
  ~BufferHold() {
    // At interpreter exit the exporter may already be gone; leaking the view is then correct.
    if (!Py_IsInitialized() || _Py_IsFinalizing()) return;
    nb::gil_scoped_acquire gil;
    PyBuffer_Release(&view);
  }
};

// numpy's C API, reached at run time through its `_ARRAY_API` capsule (no numpy headers at build
// time, so the extension builds without numpy and runs with numpy 1.x or 2.x). Only what the
// call path needs: the slots below and the public PyArrayObject/PyArray_Descr prefixes, all
// frozen by numpy's ABI (numpy/_core/include/numpy/__multiarray_api.h: PyArray_Type 2,
// PyArray_DescrFromType 45, PyArray_NewFromDescr 94, PyArray_SetBaseObject 282).
struct NpyArrayFields {  // PyArrayObject_fields, up to `descr`
  PyObject_HEAD
  char* data;
  int nd;
  Py_ssize_t* dimensions;
  Py_ssize_t* strides;
  PyObject* base;
  PyObject* descr;
  int flags;
};
struct NpyDescrPrefix {  // PyArray_Descr, up to `type_num` (same offsets in numpy 1.x and 2.x)
  PyObject_HEAD
  PyTypeObject* typeobj;
  char kind, type, byteorder, flags_or_former_flags;
  int type_num;
};
struct NumpyApi {
  void** table = nullptr;
  PyTypeObject* array_type = nullptr;
  PyObject* (*descr_from_type)(int) = nullptr;
  PyObject* (*new_from_descr)(PyTypeObject*, PyObject*, int, const Py_ssize_t*, const Py_ssize_t*, void*, int,
                              PyObject*) = nullptr;
  int (*set_base_object)(PyObject*, PyObject*) = nullptr;
};
constexpr int kNpyWriteable = 0x0400;

// Loaded once (under the GIL) and leaked with the module; null members when numpy's capsule
// is missing, and the callers then take the generic paths.
const NumpyApi& numpy_api() {
  static const NumpyApi api = [] {
    NumpyApi a;
    PyObject* mod = PyImport_ImportModule("numpy._core._multiarray_umath");
    if (!mod) {
      PyErr_Clear();
      mod = PyImport_ImportModule("numpy.core._multiarray_umath");
    }
    if (!mod) {
      PyErr_Clear();
      return a;
    }
    PyObject* cap = PyObject_GetAttrString(mod, "_ARRAY_API");
    Py_DECREF(mod);
    if (!cap || !PyCapsule_CheckExact(cap)) {
      PyErr_Clear();
      Py_XDECREF(cap);
      return a;
    }
    a.table = static_cast<void**>(PyCapsule_GetPointer(cap, nullptr));
    Py_DECREF(cap);  // numpy's module keeps the capsule (and the table) alive
    if (!a.table) {
      PyErr_Clear();
      return a;
    }
    a.array_type = static_cast<PyTypeObject*>(a.table[2]);
    a.descr_from_type = reinterpret_cast<decltype(a.descr_from_type)>(a.table[45]);
    a.new_from_descr = reinterpret_cast<decltype(a.new_from_descr)>(a.table[94]);
    a.set_base_object = reinterpret_cast<decltype(a.set_base_object)>(a.table[282]);
    return a;
  }();
  return api;
}

// numpy's type numbers (NPY_TYPES, ABI-stable); int64 is C long on LP64 systems.
int npy_type_num(DType d) {
  constexpr bool lp64 = sizeof(long) == 8;
  switch (d) {
    case DType::Bool: return 0;
    case DType::Int8: return 1;
    case DType::UInt8: return 2;
    case DType::Int16: return 3;
    case DType::UInt16: return 4;
    case DType::Int32: return 5;
    case DType::UInt32: return 6;
    case DType::Int64: return lp64 ? 7 : 9;
    case DType::UInt64: return lp64 ? 8 : 10;
    case DType::Float32: return 11;
    case DType::Float64: return 12;
    case DType::Complex64: return 14;
    case DType::Complex128: return 15;
    case DType::Float16: return 23;
  }
  return -1;
}

bool dtype_from_npy(int num, DType* out) {
  constexpr bool lp64 = sizeof(long) == 8;
  switch (num) {
    case 0: *out = DType::Bool; return true;
    case 1: *out = DType::Int8; return true;
    case 2: *out = DType::UInt8; return true;
    case 3: *out = DType::Int16; return true;
    case 4: *out = DType::UInt16; return true;
    case 5: *out = DType::Int32; return true;
    case 6: *out = DType::UInt32; return true;
    case 7: *out = lp64 ? DType::Int64 : DType::Int32; return true;
    case 8: *out = lp64 ? DType::UInt64 : DType::UInt32; return true;
    case 9: *out = DType::Int64; return true;
    case 10: *out = DType::UInt64; return true;
    case 11: *out = DType::Float32; return true;
    case 12: *out = DType::Float64; return true;
    case 14: *out = DType::Complex64; return true;
    case 15: *out = DType::Complex128; return true;
    case 23: *out = DType::Float16; return true;
  }
  return false;
}

// Drops the reference to a numpy array that an NDArray's Buffer kept (numpy_array_view), under
// the GIL (not at all once the interpreter is finalizing), from any thread.
void release_reference(void* p) {
  if (!Py_IsInitialized() || _Py_IsFinalizing()) return;
  nb::gil_scoped_acquire gil;
  Py_DECREF(static_cast<PyObject*>(p));
}

// An exact numpy.ndarray of a native-order dtype Hypatia has, viewed without the buffer
// protocol (its fields are read directly; the array is kept alive by a reference). Anything
// else (subclasses, byte-swapped or structured dtypes) returns nullopt: the buffer path.
std::optional<NDArray> numpy_array_view(PyObject* obj) {
  const NumpyApi& api = numpy_api();
  if (!api.array_type || Py_TYPE(obj) != api.array_type) return std::nullopt;
  const auto* a = reinterpret_cast<const NpyArrayFields*>(obj);
  const auto* descr = reinterpret_cast<const NpyDescrPrefix*>(a->descr);
  DType dt;
  if (descr->byteorder == '>' || !dtype_from_npy(descr->type_num, &dt)) return std::nullopt;
  const int isz = itemsize(dt);
  Shape shape(a->dimensions, a->dimensions + a->nd);
  std::vector<int64_t> strides(a->strides, a->strides + a->nd);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  auto buf = Buffer::wrap(a->data, static_cast<size_t>(n) * static_cast<size_t>(isz), obj, release_reference);
  Py_INCREF(obj);  // after the wrap, which may throw: the Buffer now owns this reference
  return NDArray(dt, std::move(shape), std::move(strides), 0, std::move(buf));
}

// Cached module attributes are leaked on purpose: destroying them after the interpreter has
// shut down (static destructors run at exit) would touch a dead interpreter.
nb::handle numpy_module() {
  static nb::handle np = nb::module_::import_("numpy").release();
  return np;
}

}  // namespace

nb::object numpy_dtype(DType d) { return numpy_module().attr("dtype")(dtype_name(d)); }

NDArray array_from_buffer(nb::handle obj) {
  auto hold = std::make_shared<BufferHold>();
  if (PyObject_GetBuffer(obj.ptr(), &hold->view, PyBUF_RECORDS_RO) != 0) {
    PyErr_Clear();
    type_error("[hypatia] expected an array, got an object of type ", nb::type_name(obj.type()).c_str());
  }
  Py_buffer& v = hold->view;
  DType dt;
  bool swapped = false;
  if (!dtype_from_format(v.format, v.itemsize, &dt, &swapped)) {
    std::string f = v.format ? v.format : "?";
    type_error("[hypatia] unsupported array element format '", f, "'");
  }
  Shape shape(v.shape, v.shape + v.ndim);
  std::vector<int64_t> strides(v.strides, v.strides + v.ndim);
  // The Buffer spans the whole exported region; negative strides are handled by the offset.
  auto buf = Buffer::wrap(v.buf, static_cast<size_t>(v.len), hold);
  NDArray a(dt, shape, strides, 0, buf);
  return swapped ? to_native_order(a) : a;
}

NDArray to_ndarray(nb::handle obj, const DType* dtype) {
  if (PyFloat_Check(obj.ptr()) || PyLong_Check(obj.ptr()) || PyBool_Check(obj.ptr()) || PyComplex_Check(obj.ptr())) {
    DType d;
    if (dtype) d = *dtype;
    else if (PyBool_Check(obj.ptr())) d = DType::Bool;
    else if (PyLong_Check(obj.ptr())) d = DType::Int64;
    else if (PyFloat_Check(obj.ptr())) d = DType::Float64;
    else d = DType::Complex128;
    if (PyComplex_Check(obj.ptr())) {
      Py_complex c = PyComplex_AsCComplex(obj.ptr());
      return NDArray::full_complex(d, {}, complex128(c.real, c.imag));
    }
    if (PyLong_Check(obj.ptr()) && !PyBool_Check(obj.ptr())) {
      int overflow = 0;
      long long x = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
      if (overflow) value_error("[hypatia] Python integer out of int64 range");
      if (is_int(d) || is_bool(d)) {
        NDArray a(d, {});
        dispatch_dtype(d, [&](auto tag) { *a.data<decltype(tag)>() = scalar_cast<decltype(tag)>(static_cast<int64_t>(x)); });
        if (a.item<int64_t>() != x)
          type_error("[hypatia] the Python integer ", x, " does not fit in ", dtype_name(d));
        return a;
      }
      return NDArray::full(d, {}, static_cast<double>(x));
    }
    double x = PyFloat_AsDouble(obj.ptr());
    if (dtype && (is_int(d) || is_bool(d)) && !PyBool_Check(obj.ptr()))
      type_error("[hypatia] cannot convert the Python float ", x, " to ", dtype_name(d), " without losing precision");
    return NDArray::full(d, {}, x);
  }
  if (auto a = numpy_array_view(obj.ptr())) return std::move(*a);
  if (PyObject_CheckBuffer(obj.ptr()) && !PyBytes_Check(obj.ptr())) return array_from_buffer(obj);
  // Lists, tuples and other array-likes go through numpy.asarray.
  nb::object arr = dtype ? numpy_module().attr("asarray")(obj, numpy_dtype(*dtype)) : numpy_module().attr("asarray")(obj);
  return array_from_buffer(arr);
}

namespace {
// The scipy classes whose format is fixed by the class (csr/csc matrices and arrays), cached by
// type once seen: an argument of one of them needs no issparse() call and no `format` lookup.
// Used under the GIL only; the types are kept alive (leaked) with the cache.
std::vector<std::pair<PyTypeObject*, const char*>>& sparse_format_cache() {
  static auto* cache = new std::vector<std::pair<PyTypeObject*, const char*>>();
  return *cache;
}

const char* known_sparse_format(PyTypeObject* t) {
  for (const auto& [k, f] : sparse_format_cache())
    if (k == t) return f;
  return nullptr;
}

void remember_sparse_format(nb::handle obj, const std::string& fmt) {
  PyTypeObject* t = Py_TYPE(obj.ptr());
  if ((fmt != "csr" && fmt != "csc") || known_sparse_format(t)) return;
  const std::string name = t->tp_name ? t->tp_name : "";
  if (name != "csr_matrix" && name != "csc_matrix" && name != "csr_array" && name != "csc_array") return;
  nb::object mod = nb::borrow(obj.type()).attr("__module__");
  if (!nb::isinstance<nb::str>(mod) || nb::cast<std::string>(mod).rfind("scipy.sparse", 0) != 0) return;
  Py_INCREF(reinterpret_cast<PyObject*>(t));
  sparse_format_cache().emplace_back(t, fmt == "csr" ? "csr" : "csc");
}
}  // namespace

bool is_scipy_sparse(nb::handle obj) {
  if (known_sparse_format(Py_TYPE(obj.ptr()))) return true;
  static nb::handle issparse;
  if (!issparse.is_valid()) {
    try {
      issparse = nb::object(nb::module_::import_("scipy.sparse").attr("issparse")).release();
    } catch (...) {
      return false;
    }
  }
  return nb::cast<bool>(issparse(obj));
}

SparseMatrix to_sparse(nb::handle obj, const char* target) {
  const char* known = known_sparse_format(Py_TYPE(obj.ptr()));
  std::string fmt = known ? known : nb::cast<std::string>(obj.attr("format"));
  if (!known) remember_sparse_format(obj, fmt);
  nb::object m = nb::borrow(obj);
  if (fmt != "csr" && fmt != "csc") {
    // coo, bsr, lil, dok, dia: scipy converts (coo sums its duplicates as it does).
    m = obj.attr("asformat")(target);
    fmt = target;
  }
  nb::tuple shape = nb::cast<nb::tuple>(m.attr("shape"));
  SparseMatrix s(format_from_name(fmt), nb::cast<int64_t>(shape[0]), nb::cast<int64_t>(shape[1]),
                 to_ndarray(m.attr("data")), to_ndarray(m.attr("indices")), to_ndarray(m.attr("indptr")));
  return s;
}

namespace {
// The Python half of Theano's SparseType.filter (docs/semantics.md, "Sparse values at the boundary"); SparseType::filter does
// the rest (format and dtype conversion, validation). scipy csr/csc matrices and arrays pass
// through (zero-copy); the formats only scipy knows (coo, bsr, lil, dok, dia) convert to the
// declared format here, unless strict; anything else becomes a dense array for filter to convert.
Value sparse_input(nb::handle obj, const SparseType& t, bool strict) {
  const char* target = format_name(t.format());
  if (known_sparse_format(Py_TYPE(obj.ptr()))) return to_sparse(obj, target);  // csr/csc: strict or not
  if (is_scipy_sparse(obj)) {
    const std::string fmt = nb::cast<std::string>(obj.attr("format"));
    if (strict && fmt != "csr" && fmt != "csc")
      type_error("[", t.str(), "] a strict input takes only a ", target, " matrix of dtype ", dtype_name(t.elem()),
                 ", got a ", nb::type_name(obj.type()).c_str(), " (", fmt, " format)");
    return to_sparse(obj, target);
  }
  if (strict)
    type_error("[", t.str(), "] a strict input takes only a ", target, " matrix of dtype ", dtype_name(t.elem()),
               ", got an object of type ", nb::type_name(obj.type()).c_str());
  // Lists become arrays by numpy's rules, then the dtype rules apply (scipy's csr_matrix(list)).
  return to_ndarray(obj);
}
}  // namespace

Value to_value(nb::handle obj, const Type* expected, bool strict) {
  // The common arguments first, without the generic checks (an isinstance against the opaque
  // classes, a Python call to scipy.sparse.issparse): a numpy array or a Python number for a
  // tensor input (numpy scalars such as numpy.float64 are Python floats).
  if (!expected || expected->kind() == TypeKind::Tensor) {
    PyObject* p = obj.ptr();
    if (auto a = numpy_array_view(p)) return std::move(*a);
    // Python numbers take the input's dtype (Theano accepts `f(2.5)` for a float32 input), as
    // below; a numpy.float64 (a float subclass with the buffer protocol) stays float64.
    if (PyFloat_CheckExact(p) || PyLong_CheckExact(p) || PyBool_Check(p)) {
      if (expected && expected->dtype()) {
        DType d = *expected->dtype();
        return to_ndarray(obj, &d);
      }
      return to_ndarray(obj);
    }
    if (PyFloat_Check(p)) return to_ndarray(obj);
  }
  // Opaque runtime state (random generators) passes through as is; its type checks it.
  if (nb::isinstance<OpaqueValue>(obj)) return nb::cast<OpaquePtr>(obj);
  if (expected && expected->kind() == TypeKind::Opaque)
    type_error("[", expected->str(), "] expected a ", expected->str(), " value, got ", nb::type_name(obj.type()).c_str());
  if (expected && expected->kind() == TypeKind::Sparse)
    return sparse_input(obj, static_cast<const SparseType&>(*expected), strict);
  if (is_scipy_sparse(obj)) return to_sparse(obj);
  // Python numbers and lists become arrays of the expected dtype directly (Theano accepts
  // `f(2.5)` for a float32 input); numpy arrays keep their dtype and go through filter.
  if (expected && expected->dtype() && !PyObject_CheckBuffer(obj.ptr())) {
    DType d = *expected->dtype();
    return to_ndarray(obj, &d);
  }
  return to_ndarray(obj);
}

nb::object to_numpy(const NDArray& a) {
  // Straight through numpy's C API where it is available: a numpy array over the buffer whose
  // base is a capsule owning a copy of the NDArray handle (no copy of the data, no Python call).
  const NumpyApi& api = numpy_api();
  const int isz = itemsize(a.dtype());
  bool aligned = true;
  for (int i = 0; i < a.ndim(); ++i) aligned &= a.strides()[i] % isz == 0;
  if (!aligned) return to_numpy(a.copy());
  if (api.new_from_descr && a.ndim() <= 64) {
    PyObject* descr = api.descr_from_type(npy_type_num(a.dtype()));
    if (!descr) throw nb::python_error();
    static_assert(sizeof(Py_ssize_t) == sizeof(int64_t));
    PyObject* arr = api.new_from_descr(api.array_type, descr, a.ndim(), reinterpret_cast<const Py_ssize_t*>(a.shape().data()),
                                       reinterpret_cast<const Py_ssize_t*>(a.strides().data()), a.raw(), kNpyWriteable,
                                       nullptr);  // steals descr
    if (!arr) throw nb::python_error();
    nb::object result = nb::steal(arr);
    PyObject* cap = PyCapsule_New(new NDArray(a), nullptr, [](PyObject* c) {
      delete static_cast<NDArray*>(PyCapsule_GetPointer(c, nullptr));
    });
    if (!cap) throw nb::python_error();
    if (api.set_base_object(arr, cap) != 0) throw nb::python_error();  // steals cap
    return result;
  }
  // The capsule owns a copy of the NDArray handle, keeping the buffer alive.
  auto* keep = new NDArray(a);
  nb::capsule owner(keep, [](void* p) noexcept { delete static_cast<NDArray*>(p); });
  std::vector<size_t> shape(a.shape().begin(), a.shape().end());
  std::vector<int64_t> strides(a.ndim());
  for (int i = 0; i < a.ndim(); ++i) strides[i] = a.strides()[i] / isz;
  nb::dlpack::dtype dt;
  switch (a.dtype()) {
    case DType::Bool: dt = nb::dtype<bool>(); break;
    case DType::Int8: dt = nb::dtype<int8_t>(); break;
    case DType::Int16: dt = nb::dtype<int16_t>(); break;
    case DType::Int32: dt = nb::dtype<int32_t>(); break;
    case DType::Int64: dt = nb::dtype<int64_t>(); break;
    case DType::UInt8: dt = nb::dtype<uint8_t>(); break;
    case DType::UInt16: dt = nb::dtype<uint16_t>(); break;
    case DType::UInt32: dt = nb::dtype<uint32_t>(); break;
    case DType::UInt64: dt = nb::dtype<uint64_t>(); break;
    case DType::Float16: dt = {static_cast<uint8_t>(nb::dlpack::dtype_code::Float), 16, 1}; break;
    case DType::Float32: dt = nb::dtype<float>(); break;
    case DType::Float64: dt = nb::dtype<double>(); break;
    case DType::Complex64: dt = nb::dtype<std::complex<float>>(); break;
    case DType::Complex128: dt = nb::dtype<std::complex<double>>(); break;
  }
  nb::ndarray<nb::numpy> out(a.raw(), static_cast<size_t>(a.ndim()), shape.data(), owner, strides.data(), dt);
  return nb::cast(out, nb::rv_policy::reference);
}

nb::object to_python(const Value& v) {
  if (const auto* a = std::get_if<NDArray>(&v)) return to_numpy(*a);
  if (const auto* s = std::get_if<SparseMatrix>(&v)) {
    nb::object sp = nb::module_::import_("scipy.sparse");
    nb::object cls = sp.attr(s->format() == SparseFormat::CSR ? "csr_matrix" : "csc_matrix");
    return cls(nb::make_tuple(to_numpy(s->data()), to_numpy(s->indices()), to_numpy(s->indptr())),
               nb::arg("shape") = nb::make_tuple(s->rows(), s->cols()), nb::arg("copy") = false);
  }
  if (std::holds_alternative<std::monostate>(v)) return nb::none();
  if (const auto* o = std::get_if<OpaquePtr>(&v); o && *o) {
    // The registered Python class of the value (RandomState, ...); its repr otherwise.
    try {
      return nb::cast(*o);
    } catch (const nb::cast_error&) {
    }
  }
  return nb::cast(value_repr(v));
}

const char* joined_doc(const char* doc, const char* extra) {
  static std::deque<std::string> kept;  // a deque never moves its elements
  kept.push_back(std::string(doc) + extra);
  return kept.back().c_str();
}

}  // namespace hypatia::py
