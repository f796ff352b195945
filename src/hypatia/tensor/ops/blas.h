// Explicit BLAS ops (Theano's tensor.blas): Gemm, Gemv and Ger through CBLAS. The specialize
// rewrites in tensor/rewrites/blas.cpp introduce them; the in-place phase turns Gemm and Gemv
// into their {inplace} forms, which accumulate into the first operand's buffer.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// inplace: the output is accumulated into input 0's buffer (destroy_map {0: [0]}); only the
/// in-place phase (rewrite/inplace.h) chooses it.
struct BlasInplaceParams {
  bool inplace = false;
  auto fields() const { return std::tie(inplace); }
};

/// gemm(Z, a, X, Y, b) = b*Z + a*dot(X, Y): Z, X, Y matrices and a, b 0-d, all of one float
/// dtype (float32 or float64). Printed "Gemm{no_inplace}" or "Gemm{inplace}".
class Gemm final : public OpBase<Gemm, BlasInplaceParams> {
  HYPATIA_OP(Gemm, 5, make_node, perform, infer_shape, vjp, inplace_variant)
  std::string str() const override { return params_.inplace ? "Gemm{inplace}" : "Gemm{no_inplace}"; }
  ViewMap destroy_map() const override { return params_.inplace ? ViewMap{{0, {0}}} : ViewMap{}; }
};

/// gemv(y, alpha, A, x, beta) = beta*y + alpha*dot(A, x): y, x vectors, A a matrix. Printed
/// "Gemv{no_inplace}" or "Gemv{inplace}".
class Gemv final : public OpBase<Gemv, BlasInplaceParams> {
  HYPATIA_OP(Gemv, 5, make_node, perform, infer_shape, vjp, inplace_variant)
  std::string str() const override { return params_.inplace ? "Gemv{inplace}" : "Gemv{no_inplace}"; }
  ViewMap destroy_map() const override { return params_.inplace ? ViewMap{{0, {0}}} : ViewMap{}; }
};

/// ger(A, alpha, x, y) = A + alpha*outer(x, y). Printed "Ger{non-destructive}".
class Ger final : public OpBase<Ger, NoParams> {
  HYPATIA_OP(Ger, 4, make_node, perform, infer_shape, vjp)
  std::string str() const override { return "Ger{non-destructive}"; }
};
/// The explicit BLAS ops (normally introduced by FAST_RUN's rewrites).
Var gemm(const Var& z, const Var& a, const Var& x, const Var& y, const Var& b);
Var gemv(const Var& y, const Var& alpha, const Var& a, const Var& x, const Var& beta);
Var ger(const Var& a, const Var& alpha, const Var& x, const Var& y);

/// Theano's BatchedDot: out[i] = dot(x[i], y[i]) for x, y of 2 or 3 dims with equal batch
/// sizes ((B,M,K)x(B,K,N) -> (B,M,N), (B,M,K)x(B,K) -> (B,M), (B,K)x(B,K,N) -> (B,N),
/// (B,K)x(B,K) -> (B,)). A loop of per-batch gemm/gemv, OpenMP over large batches.
class BatchedDot final : public OpBase<BatchedDot, NoParams> {
  HYPATIA_OP(BatchedDot, 2, make_node, perform, infer_shape, vjp)
};

}  // namespace hypatia
