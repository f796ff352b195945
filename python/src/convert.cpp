// numpy/scipy <-> NDArray/SparseMatrix without copies where layouts allow.
#include "convert.h"

#include <algorithm>
#include <bit>

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
  if (PyObject_CheckBuffer(obj.ptr()) && !PyBytes_Check(obj.ptr())) return array_from_buffer(obj);
  // Lists, tuples and other array-likes go through numpy.asarray.
  nb::object arr = dtype ? numpy_module().attr("asarray")(obj, numpy_dtype(*dtype)) : numpy_module().attr("asarray")(obj);
  return array_from_buffer(arr);
}

bool is_scipy_sparse(nb::handle obj) {
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
  std::string fmt = nb::cast<std::string>(obj.attr("format"));
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
  // The capsule owns a copy of the NDArray handle, keeping the buffer alive.
  auto* keep = new NDArray(a);
  nb::capsule owner(keep, [](void* p) noexcept { delete static_cast<NDArray*>(p); });
  std::vector<size_t> shape(a.shape().begin(), a.shape().end());
  std::vector<int64_t> strides(a.ndim());
  const int isz = itemsize(a.dtype());
  bool aligned = true;
  for (int i = 0; i < a.ndim(); ++i) {
    aligned &= a.strides()[i] % isz == 0;
    strides[i] = a.strides()[i] / isz;
  }
  if (!aligned) return to_numpy(a.copy());
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

}  // namespace hypatia::py
