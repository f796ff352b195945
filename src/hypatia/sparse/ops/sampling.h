// SamplingDot (an SDDMM: p * (x . y^T) at p's stored entries) and SampleSparse, the pattern
// sampling its gradients use.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

/// SamplingDot(x, y, p): x (m x K), y (n x K) dense (or two vectors, K = 1), p sparse (m x n);
/// sparse output of p's format and dtype upcast(x, y, p). Grads: true gradient for x and y,
/// structured for p (docs/semantics.md, "Gradients of sparse inputs").
class SamplingDot final : public OpBase<SamplingDot> {
  HYPATIA_OP(SamplingDot, 3, make_node, perform, infer_shape, vjp, checks_input_indices)
};

namespace sparse {
/// SamplingDot(x, y, p) = p * (x . y^T) at p's stored entries: x (m x K) and y (n x K) dense
/// (or both vectors, K = 1), p sparse (m x n). Sparse output of p's format. Grads: the true
/// gradient for x and y, structured for p (docs/semantics.md, "Gradients of sparse inputs").
Var sampling_dot(const Var& x, const Var& y, const Var& p);
}  // namespace sparse

struct SampleSparseParams {
  bool scale = false;
  auto fields() const { return std::tie(scale); }
};

/// SampleSparse{scale}(pattern, g): pattern's structure, g's values there (g sparse of any
/// format with duplicates summed, or dense), times pattern's values when scale.
class SampleSparse final : public OpBase<SampleSparse, SampleSparseParams> {
  HYPATIA_OP(SampleSparse, 2, make_node, perform, infer_shape, vjp)
  std::string str() const override { return params_.scale ? "SampleSparse{scale}" : "SampleSparse"; }
};

namespace sparse {
/// SampleSparse{scale}(pattern, g): pattern's structure holding g's values there (g sparse of
/// any format, duplicates summed, or dense), times pattern's values when scale. The building
/// block of sampling_dot's gradients (pattern * gz without densifying gz).
Var sample_sparse(const Var& pattern, const Var& g, bool scale);
}  // namespace sparse

}  // namespace hypatia
