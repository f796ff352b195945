// TensorType and ScalarType: printing, equality, and checking runtime values (filter).
#include "hypatia/tensor/tensor_type.h"

#include <algorithm>
#include <cmath>

#include "hypatia/tensor/basic.h"
#include "hypatia/util/hash.h"

namespace hypatia {

std::string TensorType::str() const {
  const auto& b = broadcastable_;
  std::string kind;
  if (b.empty()) kind = "scalar";
  else if (b.size() == 1 && !b[0]) kind = "vector";
  else if (b.size() == 2 && !b[0] && !b[1]) kind = "matrix";
  else if (b.size() == 2 && b[0] && !b[1]) kind = "row";
  else if (b.size() == 2 && !b[0] && b[1]) kind = "col";
  else if (b.size() >= 3 && std::none_of(b.begin(), b.end(), [](bool x) { return x; })) kind = str_cat(b.size(), "D");
  else {
    kind = "(";
    for (size_t i = 0; i < b.size(); ++i) kind += str_cat(i ? ", " : "", b[i] ? "True" : "False");
    if (b.size() == 1) kind += ",";
    kind += ")";
  }
  return str_cat("TensorType(", dtype_name(dtype_), ", ", kind, ")");
}

bool TensorType::equals(const Type& other) const {
  if (other.kind() != TypeKind::Tensor) return false;
  const auto& o = static_cast<const TensorType&>(other);
  return o.dtype_ == dtype_ && o.broadcastable_ == broadcastable_;
}

size_t TensorType::hash() const {
  return hash_combine(static_cast<size_t>(dtype_) + 1, std::hash<std::vector<bool>>()(broadcastable_));
}

Value TensorType::filter(const Value& v, bool strict, bool allow_downcast) const {
  const NDArray* a = std::get_if<NDArray>(&v);
  if (!a) {
    if (is_sparse(v))
      type_error("[", str(), "] expected a dense array, got a sparse matrix; use sparse.dense_from_sparse (x.toarray()) to convert");
    type_error("[", str(), "] expected an array value, got ", value_repr(v));
  }
  if (a->ndim() != ndim())
    type_error("[", str(), "] wrong number of dimensions: expected ", ndim(), ", got ", a->ndim(),
               " with shape ", shape_str(a->shape()));
  for (int i = 0; i < ndim(); ++i)
    if (broadcastable_[i] && a->shape(i) != 1)
      value_error("[", str(), "] non-unit value on shape on a broadcastable dimension: shape ",
                  shape_str(a->shape()), ", dimension ", i, " must have length 1");
  if (a->dtype() == dtype_) return v;
  if (strict)
    type_error("[", str(), "] expected an array of dtype ", dtype_name(dtype_), ", got ", dtype_name(a->dtype()),
               " (strict=True forbids conversion)");
  if (allow_downcast || can_cast_safe(a->dtype(), dtype_)) return a->astype(dtype_);
  type_error("[", str(), "] cannot store a value of dtype ", dtype_name(a->dtype()),
             " without risking loss of precision. If you do not mind this loss, you can: 1) explicitly cast your data to ",
             dtype_name(dtype_), ", or 2) set \"allow_input_downcast=True\" when calling \"function\".");
}

namespace {

bool has_nan(complex128 v) { return std::isnan(v.real()) || std::isnan(v.imag()); }
bool has_inf(complex128 v) { return std::isinf(v.real()) || std::isinf(v.imag()); }

// ok(a[i], b[i]) for every element of two arrays of the same shape, read as complex128 (exact
// for every dtype except 64-bit integers beyond 2^53; equal discrete dtypes compare bytewise).
template <class F>
bool all_pairs(const NDArray& a, const NDArray& b, F ok) {
  NDArray x = a.astype(DType::Complex128), y = b.astype(DType::Complex128);
  const complex128* px = x.data<complex128>();
  const complex128* py = y.data<complex128>();
  for (int64_t i = 0; i < x.size(); ++i)
    if (!ok(px[i], py[i])) return false;
  return true;
}

bool same_bytes(const NDArray& a, const NDArray& b) {
  NDArray x = a.contiguous(), y = b.contiguous();
  const auto* px = static_cast<const unsigned char*>(x.raw());
  const auto* py = static_cast<const unsigned char*>(y.raw());
  return std::equal(px, px + x.nbytes(), py);
}

}  // namespace

std::pair<double, double> default_atol_rtol(DType a, DType b) {
  if (a == DType::Float16 || b == DType::Float16) return {1e-3, 1e-3};
  auto narrow = [](DType d) { return d == DType::Float32 || d == DType::Complex64; };
  if (narrow(a) || narrow(b)) return {1e-5, 1e-5};
  return {1e-8, 1.0000000000000001e-05};
}

bool array_values_eq(const NDArray& a, const NDArray& b, bool force_same_dtype) {
  if (a.shape() != b.shape()) return false;
  if (force_same_dtype && a.dtype() != b.dtype()) return false;
  if (a.dtype() == b.dtype() && !is_inexact(a.dtype())) return same_bytes(a, b);
  return all_pairs(a, b, [](complex128 u, complex128 v) {
    const bool nu = has_nan(u), nv = has_nan(v);
    if (nu || nv) return nu && nv;
    return u == v;
  });
}

bool array_values_eq_approx(const NDArray& a, const NDArray& b, bool allow_remove_inf, bool allow_remove_nan,
                            std::optional<double> rtol, std::optional<double> atol) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  if (!is_inexact(a.dtype())) return array_values_eq(a, b, true);
  const auto [atol0, rtol0] = default_atol_rtol(a.dtype(), b.dtype());
  const double rt = rtol.value_or(rtol0), at = atol.value_or(atol0);
  return all_pairs(a, b, [&](complex128 u, complex128 v) {
    const bool nu = has_nan(u), nv = has_nan(v);
    if (nu || nv) return (nu && nv) || (allow_remove_nan && nu);
    const bool iu = has_inf(u), iv = has_inf(v);
    if (iu || iv) return u == v || (allow_remove_inf && iu);
    return std::abs(u - v) <= at + rt * std::abs(v);
  });
}

bool TensorType::values_eq(const Value& a, const Value& b) const {
  if (!is_array(a) || !is_array(b)) return false;
  return array_values_eq(std::get<NDArray>(a), std::get<NDArray>(b), true);
}

bool TensorType::values_eq_approx(const Value& a, const Value& b, std::optional<double> rtol,
                                  std::optional<double> atol) const {
  if (!is_array(a) || !is_array(b)) return false;
  return array_values_eq_approx(std::get<NDArray>(a), std::get<NDArray>(b), false, false, rtol, atol);
}

const TensorType* tensor_type(const Var& v) {
  if (!v || v.type()->kind() != TypeKind::Tensor) return nullptr;
  return static_cast<const TensorType*>(v.type().get());
}

const TensorType& expect_tensor(const Var& v, const char* who) {
  const TensorType* t = tensor_type(v);
  if (!t) type_error("[", who, "] expected a tensor variable, got ", v ? v.type()->str() : "None");
  return *t;
}

Value ScalarType::filter(const Value& v, bool strict, bool allow_downcast) const {
  const NDArray* a = std::get_if<NDArray>(&v);
  if (!a || a->size() != 1) type_error("[", str(), "] expected a scalar value");
  if (a->dtype() == dtype_ && a->ndim() == 0) return v;
  if (strict && a->dtype() != dtype_) type_error("[", str(), "] expected dtype ", dtype_name(dtype_));
  if (!allow_downcast && !can_cast_safe(a->dtype(), dtype_))
    type_error("[", str(), "] cannot store a value of dtype ", dtype_name(a->dtype()), " without loss of precision");
  return a->reshape({}).astype(dtype_);
}

// ---------------------------------------------------------------- gradient algebra

Var TensorType::zeros_like(const Var& x, bool float_dtype) const {
  Var z = hypatia::zeros_like(x);
  return float_dtype && !is_inexact(dtype_) ? cast(z, floatX()) : z;
}

Var TensorType::ones_like(const Var& x) const {
  Var o = hypatia::ones_like(x);
  return is_inexact(dtype_) ? o : cast(o, floatX());
}

Var TensorType::add_grad(const Var& a, const Var& b) const {
  // A term of another family (a sparse gradient of a dense variable) adds with that family's add.
  for (const Var* t : {&a, &b})
    if (t->type()->kind() != TypeKind::Tensor) return t->type()->add_grad(a, b);
  return add(a, b);
}

Var TensorType::cast_grad(const Var& g, DType d) const { return dtype_ == d ? g : cast(g, d); }

bool TensorType::zero_tangent_when_missing(const Var&) const { return is_inexact(dtype_); }

}  // namespace hypatia
