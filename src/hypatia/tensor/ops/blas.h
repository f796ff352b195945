// Explicit BLAS ops (Theano's tensor.blas): Gemm, Gemv and Ger through CBLAS. They are not
// inplace here: the output is a fresh copy of the accumulated operand, so no destroy_map is
// needed. The specialize rewrites in tensor/rewrites/blas.cpp introduce them.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// gemm(Z, a, X, Y, b) = b*Z + a*dot(X, Y): Z, X, Y matrices and a, b 0-d, all of one float
/// dtype (float32 or float64). Printed "Gemm{no_inplace}".
class Gemm final : public OpBase<Gemm, NoParams> {
  HYPATIA_OP(Gemm, 5, make_node, perform, infer_shape, vjp)
  std::string str() const override { return "Gemm{no_inplace}"; }
};

/// gemv(y, alpha, A, x, beta) = beta*y + alpha*dot(A, x): y, x vectors, A a matrix. Printed
/// "Gemv{no_inplace}".
class Gemv final : public OpBase<Gemv, NoParams> {
  HYPATIA_OP(Gemv, 5, make_node, perform, infer_shape, vjp)
  std::string str() const override { return "Gemv{no_inplace}"; }
};

/// ger(A, alpha, x, y) = A + alpha*outer(x, y). Printed "Ger{non-destructive}".
class Ger final : public OpBase<Ger, NoParams> {
  HYPATIA_OP(Ger, 4, make_node, perform, infer_shape, vjp)
  std::string str() const override { return "Ger{non-destructive}"; }
};

/// Theano's BatchedDot: out[i] = dot(x[i], y[i]) for x, y of 2 or 3 dims with equal batch
/// sizes ((B,M,K)x(B,K,N) -> (B,M,N), (B,M,K)x(B,K) -> (B,M), (B,K)x(B,K,N) -> (B,N),
/// (B,K)x(B,K) -> (B,)). A loop of per-batch gemm/gemv, OpenMP over large batches.
class BatchedDot final : public OpBase<BatchedDot, NoParams> {
  HYPATIA_OP(BatchedDot, 2, make_node, perform, infer_shape, vjp)
};

}  // namespace hypatia
