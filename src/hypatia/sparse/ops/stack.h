// HStack / VStack: scipy.sparse.hstack / vstack of sparse blocks.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

struct StackParams {
  SparseFormat format = SparseFormat::CSC;
  DType dtype = DType::Float64;
  auto fields() const { return std::tie(format, dtype); }
};

/// HStack{format, dtype}(*blocks): the blocks side by side (same number of rows, else
/// ValueError at run time). Regular grad: the matching column block of the output gradient.
class HStack final : public OpBase<HStack, StackParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "HStack"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

/// VStack{format, dtype}(*blocks): the blocks one under the other (same number of columns).
class VStack final : public OpBase<VStack, StackParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "VStack"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

}  // namespace hypatia
