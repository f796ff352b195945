// Dot: matrix/vector products of 1-d and 2-d tensors (Theano's `dot`), via CBLAS.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// Theano's Dot, printed "dot": matrix.matrix, matrix.vector, vector.matrix, vector.vector.
class Dot final : public OpBase<Dot, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Dot"; }
  std::string str() const override { return "dot"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,
                                                   const std::vector<ShapeVec>& input_shapes) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

}  // namespace hypatia
