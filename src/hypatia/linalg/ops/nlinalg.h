// Theano's tensor.nlinalg: inverse, pseudo-inverse, determinant, eigensystems, SVD, QR and
// least squares through LAPACK, plus the builders composed of them (norm, tensorinv, ...).
#pragma once
#include <optional>
#include <string>
#include <variant>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// inv(X) of a square float matrix (integer inputs are cast to float64 by the builder).
/// A singular matrix raises ValueError "[MatrixInverse] singular matrix ...".
/// Gradient: -X^-T g X^-T (the manual's formula misses the minus sign); R_op: -X^-1 V X^-1.
class MatrixInverse final : public OpBase<MatrixInverse, NoParams> {
  HYPATIA_OP(MatrixInverse, 1, make_node, perform, infer_shape, vjp, jvp)
};

/// det(X) of a square float matrix, a 0-d result. Gradient: g * det(X) * inv(X)^T.
class Det final : public OpBase<Det, NoParams> {
  HYPATIA_OP(Det, 1, make_node, perform, infer_shape, vjp)
};

struct PinvParams {
  double rcond = 1e-15;
  auto fields() const { return std::tie(rcond); }
};
/// MatrixPinv: numpy.linalg.pinv of an (M, N) matrix, (N, M). Works for any shape, unlike
/// MatrixInverse. Gradient: the manual's formula (valid where the rank does not change).
class MatrixPinv final : public OpBase<MatrixPinv, PinvParams> {
  HYPATIA_OP(MatrixPinv, 1, make_node, perform, infer_shape, vjp)
};

/// Eig: (w, v), the real eigenvalues and unit right eigenvectors (columns) of a square matrix,
/// as numpy.linalg.eig. Complex eigenvalues raise ValueError "[Eig] ..." (Theano silently drops
/// their imaginary parts). No gradient (Theano has none).
class Eig final : public OpBase<Eig, NoParams> {
  HYPATIA_OP(Eig, 1, make_node, perform, infer_shape)
};

struct UploParams {
  std::string uplo = "L";
  auto fields() const { return std::tie(uplo); }
};
/// Eigh{UPLO}: (w, v) of a symmetric matrix, w ascending, reading only the UPLO triangle
/// (numpy.linalg.eigh). Gradient: EighGrad (the manual's perturbation formula).
class Eigh final : public OpBase<Eigh, UploParams> {
  HYPATIA_OP(Eigh, 1, str, make_node, perform, infer_shape, vjp)
};
/// EighGrad{UPLO}(x, w, v, gw, gv): the gradient of Eigh, nonzero only on the triangle Eigh reads.
class EighGrad final : public OpBase<EighGrad, UploParams> {
  HYPATIA_OP(EighGrad, 5, str, make_node, perform, infer_shape)
};

struct SVDParams {
  bool full_matrices = true;
  bool compute_uv = true;
  auto fields() const { return std::tie(full_matrices, compute_uv); }
};
/// SVD{full_matrices, compute_uv}: numpy.linalg.svd, outputs (u, s, vt) or (s). Gradient: of s
/// always; of u and vt with full_matrices=False (Townsend's formula, distinct singular values).
class SVD final : public OpBase<SVD, SVDParams> {
  HYPATIA_OP(SVD, 1, str, make_node, perform, infer_shape, vjp)
};

struct QRParams {
  std::string mode = "reduced";
  auto fields() const { return std::tie(mode); }
};
/// QRFull{mode}: numpy.linalg.qr with mode 'reduced' or 'complete' (q, r) or 'raw' (h, tau).
/// Gradient in 'reduced' mode (and 'complete' for square inputs) for M >= N, raising
/// ValueError "[QRFull] ..." at run time for a wide matrix.
class QRFull final : public OpBase<QRFull, QRParams> {
  HYPATIA_OP(QRFull, 1, str, make_node, perform, infer_shape, vjp)
};
/// QRIncomplete{mode}: numpy.linalg.qr(a, 'r'), R only; gradient as QRFull's.
class QRIncomplete final : public OpBase<QRIncomplete, QRParams> {
  HYPATIA_OP(QRIncomplete, 1, str, make_node, perform, infer_shape, vjp)
};

/// QRGrad(q, r, dq, dr): the gradient of the reduced QR of a tall or square matrix (the
/// kernel's formula); dq/dr may be zeros. ValueError "[QRGrad] ..." for a wide matrix.
class QRGrad final : public OpBase<QRGrad, NoParams> {
  HYPATIA_OP(QRGrad, 4, make_node, perform, infer_shape)
};

/// Lstsq(a, b, rcond): numpy.linalg.lstsq, outputs (x, residuals, rank, s); x has b's ndim.
/// rcond < 0 takes numpy's default eps * max(M, N). No gradient.
class Lstsq final : public OpBase<Lstsq, NoParams> {
  HYPATIA_OP(Lstsq, 3, make_node, perform)
};

/// Checks a float32/float64 matrix input of a linalg op (TypeError "[who] ..." otherwise).
const TensorType& check_float_matrix(const Var& v, const char* who);

/// The common float dtype of the operands (integers become float64, as numpy.linalg); TypeError
/// "[linalg]" for complex. Shared by the nlinalg and slinalg builders.
DType linalg_float_dtype(const std::vector<Var>& vs);
/// `v` as a tensor cast to linalg_float_dtype({v}).
Var as_linalg_float(const Var& v);

// ---- builders ----
Var matrix_inverse(const Var& a);
Var det(const Var& a);
Var pinv(const Var& a, double rcond = 1e-15);
/// {w, v}
std::vector<Var> eig(const Var& a);
/// {w, v}; uplo "L" or "U".
std::vector<Var> eigh(const Var& a, const std::string& uplo = "L");
/// {u, s, vt}, or {s} without compute_uv.
std::vector<Var> svd(const Var& a, bool full_matrices = true, bool compute_uv = true);
/// numpy.linalg.qr: {q, r}, {r} ('r') or {h, tau} ('raw').
std::vector<Var> qr(const Var& a, const std::string& mode = "reduced");
/// {x, residuals, rank, s}; rcond null or negative: numpy's default.
std::vector<Var> lstsq(const Var& a, const Var& b, const Var& rcond = Var());
/// A0 . A1 . ... . An (at least one matrix).
Var matrix_dot(const std::vector<Var>& args);
/// M^n for a Python int n (n < 0: inverse first), by repeated squaring.
Var matrix_power(const Var& m, int n);
/// numpy.linalg.norm without axis: ord is null (2-norm / Frobenius), a number (inf, -inf, p for
/// vectors; 1, -1, 2, -2, inf, -inf for matrices) or a string ("fro", "nuc", "inf", "-inf").
using NormOrd = std::variant<std::monostate, double, std::string>;
Var linalg_norm(const Var& x, const NormOrd& ord);  // named apart from the reduction norm(x, L)
/// numpy.linalg.tensorinv: shape a.shape[ind:] + a.shape[:ind].
Var tensorinv(const Var& a, int ind = 2);
/// numpy.linalg.tensorsolve: x with tensordot(a, x, x.ndim) = b.
Var tensorsolve(const Var& a, const Var& b, const std::optional<std::vector<int>>& axes = std::nullopt);

}  // namespace hypatia
