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

/// Transpose: the other format over the same arrays (no copy; the output views the input).
class SparseTranspose final : public OpBase<SparseTranspose> {
  HYPATIA_OP(Transpose, 1, make_node, perform, infer_shape, vjp, jvp)
  ViewMap view_map() const override { return {{0, {0}}}; }
};

/// Neg: -x (stored values negated). Regular grad.
class SparseNeg final : public OpBase<SparseNeg> {
  HYPATIA_OP(Neg, 1, make_node, perform, infer_shape, vjp, jvp)
};

/// Remove0: explicit zeros dropped. Regular grad (the output gradient).
class Remove0 final : public OpBase<Remove0> {
  HYPATIA_OP(Remove0, 1, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override { return "Remove0{inplace=False}"; }
};

/// EnsureSortedIndices: indices sorted within each outer slice. Regular grad.
class EnsureSortedIndices final : public OpBase<EnsureSortedIndices> {
  HYPATIA_OP(EnsureSortedIndices, 1, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override { return "EnsureSortedIndices{inplace=False}"; }
};

}  // namespace hypatia
