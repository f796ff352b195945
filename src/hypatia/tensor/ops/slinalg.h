// Theano's tensor.slinalg basics: Solve and Cholesky (with CholeskyGrad), through LAPACK.
#pragma once
#include <string>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

struct SolveParams {
  std::string a_structure = "general";  // general | symmetric | lower_triangular | upper_triangular
  auto fields() const { return std::tie(a_structure); }
};

/// Solve(A, b): x with A.x = b; A (M,M), b (M,) or (M,N), x has b's shape. "general" and
/// "symmetric" use an LU factorisation (getrf/getrs), the triangular forms trsm. A singular
/// matrix raises ValueError "[Solve] singular matrix ...". Gradient (Giles): gb = solve(A^T, g),
/// gA = -gb x^T (the A gradient of the triangular structures is not implemented).
class Solve final : public OpBase<Solve, SolveParams> {
  HYPATIA_OP(Solve, 2, make_node, perform, infer_shape, vjp)
  std::string str() const override { return "Solve{" + params_.a_structure + "}"; }
};
/// x with a.x = b; `structure` is "general", "symmetric" (solved as general),
/// "lower_triangular" or "upper_triangular".
Var solve(const Var& a, const Var& b, const std::string& structure = "general");

struct CholeskyParams {
  bool lower = true;
  bool nan_on_error = false;  // on_error='nan'
  auto fields() const { return std::tie(lower, nan_on_error); }
};

/// Cholesky(X): L with L.L^T = X (lower) or U with U^T.U = X. Reads only that triangle of X.
/// A matrix that is not positive definite raises ValueError "[Cholesky] ..." (or gives NaNs
/// with on_error='nan'). Gradient: CholeskyGrad (Murray's blocked formula).
class Cholesky final : public OpBase<Cholesky, CholeskyParams> {
  HYPATIA_OP(Cholesky, 1, make_node, perform, infer_shape, vjp)
};
/// Cholesky factor; on_error "raise" (ValueError) or "nan" (a NaN matrix).
Var cholesky(const Var& a, bool lower = true, const std::string& on_error = "raise");

/// CholeskyGrad(X, L, dL): the gradient of Cholesky with respect to X. No gradient itself.
class CholeskyGrad final : public OpBase<CholeskyGrad, CholeskyParams> {
  HYPATIA_OP(CholeskyGrad, 3, make_node, perform, infer_shape)
};

}  // namespace hypatia
