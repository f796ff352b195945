// TensorType and ScalarType: printing, equality, and checking runtime values (filter).
#include "hypatia/tensor/tensor_type.h"

#include <algorithm>

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

bool TensorType::values_eq_approx(const Value& a, const Value& b, double rtol, double atol) const {
  if (!is_array(a) || !is_array(b)) return false;
  const auto& x = std::get<NDArray>(a);
  const auto& y = std::get<NDArray>(b);
  if (x.shape() != y.shape()) return false;
  return allclose(x, y, rtol, atol);
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

}  // namespace hypatia
