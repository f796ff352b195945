// TensorType: dtype plus static broadcastable flags, Theano's type of dense tensor variables.
#pragma once
#include <vector>

#include "hypatia/graph/type.h"
#include "hypatia/graph/variable.h"

namespace hypatia {

/// A dense tensor type. broadcastable[i] == true fixes axis i to length 1 at graph-build time,
/// which is what lets elementwise ops broadcast it (Theano's static broadcasting).
class TensorType final : public Type {
 public:
  TensorType(DType dtype, std::vector<bool> broadcastable)
      : dtype_(dtype), broadcastable_(std::move(broadcastable)) {}
  static std::shared_ptr<const TensorType> make(DType dtype, std::vector<bool> broadcastable) {
    return std::make_shared<const TensorType>(dtype, std::move(broadcastable));
  }
  TypeKind kind() const override { return TypeKind::Tensor; }
  std::string str() const override;
  bool equals(const Type& other) const override;
  size_t hash() const override;
  Value filter(const Value& v, bool strict = false, bool allow_downcast = false) const override;
  bool values_eq_approx(const Value& a, const Value& b, double rtol, double atol) const override;
  std::optional<DType> dtype() const override { return dtype_; }
  int ndim() const override { return static_cast<int>(broadcastable_.size()); }
  DType elem() const { return dtype_; }
  const std::vector<bool>& broadcastable() const { return broadcastable_; }

 private:
  DType dtype_;
  std::vector<bool> broadcastable_;
};
using TensorTypePtr = std::shared_ptr<const TensorType>;

/// The TensorType of v, or nullptr when v is not a tensor.
const TensorType* tensor_type(const Var& v);
/// Like tensor_type but raises TypeError "[who] expected a tensor, got ...".
const TensorType& expect_tensor(const Var& v, const char* who);

/// Theano's scalar type, used by scalar ops; values are 0-d arrays.
class ScalarType final : public Type {
 public:
  explicit ScalarType(DType d) : dtype_(d) {}
  TypeKind kind() const override { return TypeKind::Scalar; }
  std::string str() const override { return dtype_name(dtype_); }
  bool equals(const Type& o) const override { return o.kind() == TypeKind::Scalar && *o.dtype() == dtype_; }
  size_t hash() const override { return 0x5343414c ^ static_cast<size_t>(dtype_); }
  Value filter(const Value& v, bool strict = false, bool allow_downcast = false) const override;
  std::optional<DType> dtype() const override { return dtype_; }

 private:
  DType dtype_;
};

}  // namespace hypatia
