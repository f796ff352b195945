// Creation ops: Eye, Tri, ARange, and the diagonal pair ExtractDiag / AllocDiag.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

struct DTypeParams {
  DType dtype = DType::Float64;
  auto fields() const { return std::tie(dtype); }
};

/// Eye{dtype}(n, m, k): n x m with ones on diagonal k (Theano's Eye).
class Eye final : public OpBase<Eye, DTypeParams> {
  HYPATIA_OP(Eye, 3, str, make_node, perform, infer_shape, vjp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}, {false}, {false}}; }
};

/// Tri{dtype}(N, M, k): ones at and below diagonal k (numpy.tri).
class Tri final : public OpBase<Tri, DTypeParams> {
  HYPATIA_OP(Tri, 3, str, make_node, perform, infer_shape, vjp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}, {false}, {false}}; }
};

/// ARange{dtype}(start, stop, step): numpy.arange.
class ARange final : public OpBase<ARange, DTypeParams> {
  HYPATIA_OP(ARange, 3, str, make_node, perform, infer_shape, vjp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}, {true}}; }
};

struct DiagParams {
  int offset = 0;
  int axis1 = 0;
  int axis2 = 1;
  auto fields() const { return std::tie(offset, axis1, axis2); }
};

/// ExtractDiag{offset, axis1, axis2}(x): numpy.diagonal (a fresh array); the diagonal becomes
/// the last axis.
class ExtractDiag final : public OpBase<ExtractDiag, DiagParams> {
  HYPATIA_OP(ExtractDiag, 1, str, make_node, perform, infer_shape, vjp, jvp)
};

/// AllocDiag{offset, axis1, axis2}(d, shape): zeros of `shape` with diagonal `offset` (of
/// axes axis1, axis2) set to d, whose last axis runs along the diagonal. The inverse of
/// ExtractDiag; diag(vector) is AllocDiag onto a square matrix.
class AllocDiag final : public OpBase<AllocDiag, DiagParams> {
  HYPATIA_OP(AllocDiag, 2, str, make_node, perform, infer_shape, vjp, jvp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
};

}  // namespace hypatia
