// Structure-preserving unary sparse ops: Cast, Transpose, Neg, Remove0, EnsureSortedIndices.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

struct SparseCastParams {
  DType dtype = DType::Float64;
  auto fields() const { return std::tie(dtype); }
};

/// Cast{dtype}: same format, stored values cast. Regular grad (Theano's sparse Cast.grad).
class SparseCast final : public OpBase<SparseCast, SparseCastParams> {
  HYPATIA_OP(Cast, 1, make_node, perform, infer_shape, vjp, jvp, str)
};

namespace sparse {
/// Cast{dtype}: same format, new dtype. Complex to real keeps the real parts (numpy). Regular grad.
Var cast(const Var& x, DType dtype);
}  // namespace sparse

/// Transpose: the other format over the same arrays (no copy; the output views the input).
class SparseTranspose final : public OpBase<SparseTranspose> {
  HYPATIA_OP(Transpose, 1, make_node, perform, infer_shape, vjp, jvp)
  ViewMap view_map() const override { return {{0, {0}}}; }
};

namespace sparse {
/// Transpose: swaps the format (csr <-> csc) without copying. Regular grad.
Var transpose(const Var& x);
}  // namespace sparse

/// Neg: -x (stored values negated). Regular grad.
class SparseNeg final : public OpBase<SparseNeg> {
  HYPATIA_OP(Neg, 1, make_node, perform, infer_shape, vjp, jvp)
};

namespace sparse {
/// Neg: -x on the stored values. Regular grad. TypeError for bool.
Var neg(const Var& x);
}  // namespace sparse

/// Remove0: explicit zeros dropped. Regular grad (the output gradient).
class Remove0 final : public OpBase<Remove0> {
  HYPATIA_OP(Remove0, 1, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override { return "Remove0{inplace=False}"; }
};

namespace sparse {
/// Remove0: x without explicit zeros. Regular grad.
Var remove0(const Var& x);
}  // namespace sparse

/// EnsureSortedIndices: indices sorted within each outer slice. Regular grad.
class EnsureSortedIndices final : public OpBase<EnsureSortedIndices> {
  HYPATIA_OP(EnsureSortedIndices, 1, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override { return "EnsureSortedIndices{inplace=False}"; }
};

namespace sparse {
/// EnsureSortedIndices: indices sorted within each row (csr) / column (csc). Regular grad.
Var ensure_sorted_indices(const Var& x);
/// ensure_sorted_indices(remove0(x)).
Var clean(const Var& x);
}  // namespace sparse

}  // namespace hypatia
