// Diagonals: SquareDiagonal (dense vector -> square csc matrix) and Diag (its inverse).
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

/// SquareDiagonal(v): the n x n csc matrix with v on the diagonal (all n entries stored).
class SquareDiagonal final : public OpBase<SquareDiagonal, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "SquareDiagonal"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

/// Diag(x): the diagonal of a square sparse matrix as a dense vector (duplicates summed).
class SparseDiag final : public OpBase<SparseDiag, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Diag"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

}  // namespace hypatia
