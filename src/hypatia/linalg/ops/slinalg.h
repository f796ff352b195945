// Theano's tensor.slinalg through LAPACK: Solve (scipy's assume_a variants and the triangular
// forms), Cholesky with CholeskyGrad, Eigvalsh with EigvalshGrad, Expm with ExpmGrad, and the
// builders solve_triangular, cho_solve and kron.
#pragma once
#include <string>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

struct SolveParams {
  std::string assume_a = "gen";  // gen | sym | pos | tri (scipy's assume_a, 'her' is 'sym' for real)
  bool lower = false;            // the triangle read by sym, pos and tri
  bool unit_diagonal = false;    // tri only: ones assumed on the diagonal
  auto fields() const { return std::tie(assume_a, lower, unit_diagonal); }
};

/// Solve(A, b): x with A.x = b; A (M,M), b (M,) or (M,N), x has b's shape. "gen" uses an LU
/// factorisation (getrf/getrs), "sym" sysv and "pos" posv (both reading only the `lower` or
/// upper triangle of A), "tri" trsm on that triangle. A singular matrix raises ValueError
/// "[Solve] ... singular ..." ("pos": "... not positive definite"). Gradient (Giles): gb =
/// solve(A^T, g), gA = -gb x^T, restricted and folded onto the triangle that was read.
class Solve final : public OpBase<Solve, SolveParams> {
  HYPATIA_OP(Solve, 2, str, make_node, perform, infer_shape, vjp)
};
/// x with a.x = b. `assume_a` is scipy's ("gen", "sym", "her", "pos") or one of Theano's
/// A_structure names: "general" and "symmetric" (both a general solve, as Theano),
/// "lower_triangular", "upper_triangular". `lower` picks the triangle "sym"/"pos" read.
Var solve(const Var& a, const Var& b, const std::string& assume_a = "gen", bool lower = false);
/// scipy.linalg.solve_triangular: trans 0 solves a x = b, 1 solves a^T x = b.
Var solve_triangular(const Var& a, const Var& b, int trans = 0, bool lower = false, bool unit_diagonal = false);
/// scipy.linalg.cho_solve((c, lower), b): x with A x = b for A = c c^T (lower) or c^T c.
Var cho_solve(const Var& c, const Var& b, bool lower = false);

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

struct LowerParams {
  bool lower = true;
  auto fields() const { return std::tie(lower); }
};
/// Eigvalsh{lower}(a) or (a, b): scipy.linalg.eigvalsh, the ascending eigenvalues of the
/// symmetric a, or of the generalized problem a v = w b v (b symmetric positive definite),
/// reading the `lower` (or upper) triangles. Gradient: EigvalshGrad.
class Eigvalsh final : public OpBase<Eigvalsh, LowerParams> {
  HYPATIA_OP(Eigvalsh, kVariadic, str, make_node, perform, infer_shape, vjp)
};
/// EigvalshGrad{lower}(a, gw) -> gA, or (a, b, gw) -> (gA, gB): gA = v diag(gw) v^T and
/// gB = -v diag(gw w) v^T, folded onto the triangle read.
class EigvalshGrad final : public OpBase<EigvalshGrad, LowerParams> {
  HYPATIA_OP(EigvalshGrad, kVariadic, str, make_node, perform, infer_shape)
};
/// Eigenvalues of a (b null) or of the pencil (a, b).
Var eigvalsh(const Var& a, const Var& b = Var(), bool lower = true);

/// Expm(A): the matrix exponential (scipy.linalg.expm; Pade 13 with scaling and squaring).
/// Gradient: ExpmGrad.
class Expm final : public OpBase<Expm, NoParams> {
  HYPATIA_OP(Expm, 1, make_node, perform, infer_shape, vjp)
};
/// ExpmGrad(A, gE): the gradient of sum(gE * expm(A)), the Frechet derivative L(A^T, gE).
class ExpmGrad final : public OpBase<ExpmGrad, NoParams> {
  HYPATIA_OP(ExpmGrad, 2, make_node, perform, infer_shape)
};
Var expm(const Var& a);

/// Theano's slinalg.kron (scipy.linalg.kron for matrices): the Kronecker product with
/// a.ndim + b.ndim - 2 dimensions (TypeError "[kron] ..." when that sum is below 3); built from
/// outer, reshape and dimshuffle, so it differentiates.
Var kron(const Var& a, const Var& b);

}  // namespace hypatia
