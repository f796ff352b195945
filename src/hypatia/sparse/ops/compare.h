// Sparse comparisons (theano.sparse.basic's EqualSS, LessThanSD, ...): sparse-sparse gives a
// sparse bool matrix, sparse-dense a dense bool matrix (DECISIONS.md item 1), as scipy.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/sparse/kernels/elemwise.h"

namespace hypatia {

struct SparseCompareParams {
  sparse_kernels::SpBinary op = sparse_kernels::SpBinary::Eq;
  auto fields() const { return std::tie(op); }
};

/// Theano's class name of a comparison: "Equal", "NotEqual", "LessThan", "GreaterThan",
/// "LessEqual", "GreaterEqual".
std::string sparse_compare_name(sparse_kernels::SpBinary op);

/// x (op) y for two sparse matrices of the same shape -> sparse bool in x's format, computed as
/// scipy does (==, <=, >= as the complement of !=, >, <). Not differentiable (zero gradients).
class CompareSS final : public OpBase<CompareSS, SparseCompareParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return sparse_compare_name(params_.op) + "SS"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

/// x (op) y for a sparse x and a dense y broadcastable to x's shape -> dense bool matrix
/// (scipy's x.toarray() (op) y, computed without densifying x). Zero gradients.
class CompareSD final : public OpBase<CompareSD, SparseCompareParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return sparse_compare_name(params_.op) + "SD"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

}  // namespace hypatia
