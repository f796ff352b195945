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
  // The gradient algebra (graph/type.h): tensor zeros/ones/add, casts to the variable's dtype.
  Var zeros_like(const Var& x, bool float_dtype = true) const override;
  Var ones_like(const Var& x) const override;
  Var add_grad(const Var& a, const Var& b) const override;
  Var cast_grad(const Var& g, DType dtype) const override;
  bool zero_tangent_when_missing(const Var& x) const override;
  /// Theano's TensorType.values_eq (array_values_eq with force_same_dtype).
  bool values_eq(const Value& a, const Value& b) const override;
  /// Theano's TensorType.values_eq_approx (array_values_eq_approx, no inf/NaN removal).
  bool values_eq_approx(const Value& a, const Value& b, std::optional<double> rtol = std::nullopt,
                        std::optional<double> atol = std::nullopt) const override;
  std::optional<DType> dtype() const override { return dtype_; }
  int ndim() const override { return static_cast<int>(broadcastable_.size()); }
  DType elem() const { return dtype_; }
  const std::vector<bool>& broadcastable() const { return broadcastable_; }

 private:
  DType dtype_;
  std::vector<bool> broadcastable_;
};
using TensorTypePtr = std::shared_ptr<const TensorType>;

/// Theano's TensorType.values_eq: same shape (and dtype when force_same_dtype) and equal
/// values, NaNs at the same positions counting as equal.
bool array_values_eq(const NDArray& a, const NDArray& b, bool force_same_dtype = true);
/// Theano's tensor values_eq_approx: same shape and dtype; discrete dtypes compare exactly;
/// continuous ones with numpy.allclose at Theano's per-dtype tolerances (float16: 1e-3/1e-3,
/// float32/complex64: 1e-5/1e-5, else numpy's 1e-5/1e-8) unless rtol/atol are given. Where
/// allclose fails, NaNs in both at the same positions and infinities of the same sign count as
/// equal; allow_remove_nan / allow_remove_inf accept any value of b where a has a NaN / an inf.
bool array_values_eq_approx(const NDArray& a, const NDArray& b, bool allow_remove_inf = false,
                            bool allow_remove_nan = false, std::optional<double> rtol = std::nullopt,
                            std::optional<double> atol = std::nullopt);
/// Theano's _get_atol_rtol: the default (atol, rtol) for comparing arrays of these dtypes.
std::pair<double, double> default_atol_rtol(DType a, DType b);

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
