// SamplingDot (an SDDMM: p * (x . y^T) at p's stored entries) and SampleSparse, the pattern
// sampling its gradients use.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

/// SamplingDot(x, y, p): x (m x K), y (n x K) dense (or two vectors, K = 1), p sparse (m x n);
/// sparse output of p's format and dtype upcast(x, y, p). Grads: true gradient for x and y,
/// structured for p (DECISIONS.md item 4).
class SamplingDot final : public OpBase<SamplingDot, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "SamplingDot"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

struct SampleSparseParams {
  bool scale = false;
  auto fields() const { return std::tie(scale); }
};

/// SampleSparse{scale}(pattern, g): pattern's structure, g's values there (g sparse of any
/// format with duplicates summed, or dense), times pattern's values when scale.
class SampleSparse final : public OpBase<SampleSparse, SampleSparseParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "SampleSparse"; }
  std::string str() const override { return params_.scale ? "SampleSparse{scale}" : "SampleSparse"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

}  // namespace hypatia
