// Theano's tensor.nlinalg basics: MatrixInverse and Det, through LAPACK.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// inv(X) of a square float matrix (integer inputs are cast to float64 by the builder).
/// A singular matrix raises ValueError "[MatrixInverse] singular matrix ...".
/// Gradient: -X^-T g X^-T (the manual's formula misses the minus sign); R_op: -X^-1 V X^-1.
class MatrixInverse final : public OpBase<MatrixInverse, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "MatrixInverse"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

/// det(X) of a square float matrix, a 0-d result. Gradient: g * det(X) * inv(X)^T.
class Det final : public OpBase<Det, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Det"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

/// Checks a float32/float64 matrix input of a linalg op (TypeError "[who] ..." otherwise).
const TensorType& check_float_matrix(const Var& v, const char* who);

}  // namespace hypatia
