// Sparse comparisons (theano.sparse.basic's EqualSS, LessThanSD, ...): sparse-sparse gives a
// sparse bool matrix, sparse-dense a dense bool matrix (docs/semantics.md, "Dtypes and constants"), as scipy.
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
  HYPATIA_OP(CompareSS, 2, make_node, perform, infer_shape, vjp)
  std::string name() const override { return sparse_compare_name(params_.op) + "SS"; }
};

/// x (op) y for a sparse x and a dense y broadcastable to x's shape -> dense bool matrix
/// (scipy's x.toarray() (op) y, computed without densifying x). Zero gradients.
class CompareSD final : public OpBase<CompareSD, SparseCompareParams> {
  HYPATIA_OP(CompareSD, 2, make_node, perform, infer_shape, vjp)
  std::string name() const override { return sparse_compare_name(params_.op) + "SD"; }
};

namespace sparse {
// ---- comparisons (sparse bool if both sparse, dense bool otherwise) ----
Var eq(const Var& x, const Var& y);
Var neq(const Var& x, const Var& y);
Var lt(const Var& x, const Var& y);
Var gt(const Var& x, const Var& y);
Var le(const Var& x, const Var& y);
Var ge(const Var& x, const Var& y);
}  // namespace sparse

}  // namespace hypatia
