// Dense factorisations through LAPACK (the routines OpenBLAS bundles): inverse, determinant,
// linear solves (general, symmetric, positive definite, triangular), Cholesky and its gradient. float32 and float64 only; inputs may be strided.
#pragma once
#include <string>

#include "hypatia/value/ndarray.h"

namespace hypatia::kernels {

/// inv(a) of a square matrix (getrf + getri). ValueError "[who] ..." when a is singular.
NDArray matrix_inverse(const NDArray& a, const char* who);
/// det(a) of a square matrix through an LU factorisation (0 for an exactly singular matrix),
/// as a 0-d array of a's dtype.
NDArray det(const NDArray& a);
/// x with a x = b, a square, b of shape (M,) or (M, N). `assume` picks the routine, as scipy's
/// assume_a: "gen" (getrf + getrs), "sym" (sysv) and "pos" (posv) read only the `lower` (or
/// upper) triangle of a, "tri" solves with that triangle (trsm; ones on the diagonal with
/// `unit_diagonal`). ValueError "[who] ..." when a is singular ("pos": not positive definite).
NDArray solve(const NDArray& a, const NDArray& b, const std::string& assume, bool lower, bool unit_diagonal,
              const char* who);
/// The Cholesky factor (lower: L with L L^T = a, reading a's lower triangle; upper: U with
/// U^T U = a, reading its upper triangle). ValueError "[who] ..." when not positive definite,
/// or an all-NaN matrix when `nan_on_error`.
NDArray cholesky(const NDArray& a, bool lower, bool nan_on_error, const char* who);
/// The gradient of cholesky with respect to a (Murray 2016, blocked form, as Theano's
/// CholeskyGrad): `l` the factor, `dl` the gradient of the factor.
NDArray cholesky_grad(const NDArray& l, const NDArray& dl, bool lower);

}  // namespace hypatia::kernels
