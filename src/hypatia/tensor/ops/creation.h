// Creation ops: Eye, Tri, ARange, and the diagonal pair ExtractDiag / AllocDiag.
#pragma once
#include <optional>
#include <vector>
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
/// n x m identity-like matrix with ones on diagonal k (m null: square). Any may be symbolic.
Var eye(const Var& n, const Var& m = Var(), const Var& k = Var(), std::optional<DType> dtype = std::nullopt);
/// eye shaped like the matrix x, of x's dtype.
Var identity_like(const Var& x);

/// Tri{dtype}(N, M, k): ones at and below diagonal k (numpy.tri).
class Tri final : public OpBase<Tri, DTypeParams> {
  HYPATIA_OP(Tri, 3, str, make_node, perform, infer_shape, vjp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}, {false}, {false}}; }
};
/// N x M lower-triangular ones (below and on diagonal k). M null: square.
Var tri(const Var& N, const Var& M = Var(), const Var& k = Var(), std::optional<DType> dtype = std::nullopt);
Var tril(const Var& x, int k = 0);
Var triu(const Var& x, int k = 0);

/// ARange{dtype}(start, stop, step): numpy.arange.
class ARange final : public OpBase<ARange, DTypeParams> {
  HYPATIA_OP(ARange, 3, str, make_node, perform, infer_shape, vjp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}, {true}}; }
};
/// numpy.arange; dtype defaults to int64 for integer arguments, floatX otherwise.
Var arange(const Var& start, const Var& stop = Var(), const Var& step = Var(), std::optional<DType> dtype = std::nullopt);

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
/// vector -> square matrix with the vector on diagonal k; matrix -> its diagonal k.
Var diag(const Var& x, int k = 0);
Var diagonal(const Var& x, int offset = 0, int axis1 = 0, int axis2 = 1);
Var trace(const Var& x);

// ---- builders: creation ----
/// dtype defaults to floatX.
Var zeros(const std::vector<Var>& shape, std::optional<DType> dtype = std::nullopt);
Var ones(const std::vector<Var>& shape, std::optional<DType> dtype = std::nullopt);
Var zeros_like(const Var& x, std::optional<DType> dtype);
Var ones_like(const Var& x, std::optional<DType> dtype);

}  // namespace hypatia
