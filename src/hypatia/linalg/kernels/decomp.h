// Dense decompositions through LAPACK: eigh/eig, SVD, QR, least squares, the pseudo-inverse, the
// matrix exponential, and the eigensystem gradients. float32 and float64; inputs may be strided.
#pragma once
#include <string>
#include <vector>

#include "hypatia/value/ndarray.h"

namespace hypatia::kernels {

/// Eigenvalues (ascending) and, with `vectors`, orthonormal eigenvectors (columns) of the
/// symmetric matrix a, reading only its lower (or upper) triangle (syevd). `b` non-null: the
/// generalized problem a v = w b v with b symmetric positive definite (sygvd; v is b-normal);
/// ValueError "[who] ..." when b is not positive definite. Returns {w} or {w, v}.
std::vector<NDArray> eigh(const NDArray& a, const NDArray* b, bool lower, bool vectors, const char* who);

/// Eigenvalues and right eigenvectors (unit columns) of a general square matrix (geev). Real
/// results only: a matrix with complex eigenvalues raises ValueError "[who] ...".
std::vector<NDArray> eig(const NDArray& a, const char* who);

/// numpy.linalg.svd: {u, s, vt} (or {s} without `compute_uv`) of an (M, N) matrix (gesdd);
/// u is (M, M) and vt (N, N) with `full_matrices`, else (M, K) and (K, N), K = min(M, N).
std::vector<NDArray> svd(const NDArray& a, bool full_matrices, bool compute_uv, const char* who);

/// numpy.linalg.qr: mode "reduced" {q (M,K), r (K,N)}, "complete" {q (M,M), r (M,N)}, "r" {r (K,N)},
/// "raw" {h (N,M), tau (K,)} (geqrf + orgqr).
std::vector<NDArray> qr(const NDArray& a, const std::string& mode, const char* who);

/// numpy.linalg.lstsq through gelsd: {x, residuals, rank (int64 0-d), s}. rcond < 0 takes
/// numpy's default eps * max(M, N). residuals hold the squared 2-norms of the columns of
/// b - a x when a has full column rank and M > N, and are empty otherwise.
std::vector<NDArray> lstsq(const NDArray& a, const NDArray& b, double rcond, const char* who);

/// numpy.linalg.pinv: V diag(1/s) U^T over the singular values above rcond * max(s).
NDArray pinv(const NDArray& a, double rcond, const char* who);

/// scipy.linalg.expm: scaling and squaring with the degree-13 Pade approximant (Higham 2005),
/// computed in float64 and returned in a's dtype.
NDArray expm(const NDArray& a, const char* who);
/// The gradient of sum(g * expm(a)) with respect to a: the Frechet derivative L(a^T, g), read
/// from the upper-right block of expm([[a^T, g], [0, a^T]]).
NDArray expm_grad(const NDArray& a, const NDArray& g, const char* who);

/// Theano's EighGrad: the gradient of eigh(a) given the eigenpairs (w, v) and the output
/// gradients (gw, gv; either may be null for zero), folded onto the triangle eigh reads:
/// sym = v diag(gw) v^T + v K^T v^T with K[m,n] = (v^T gv)[m,n] / (w[n] - w[m]) off the diagonal.
NDArray eigh_grad(const NDArray& w, const NDArray& v, const NDArray* gw, const NDArray* gv, bool lower);

/// Theano's EighGrad fold: tril(g) + triu(g, 1)^T (lower) or triu(g) + tril(g, -1)^T: the
/// gradient of a function that reads only one triangle of a symmetric argument.
NDArray fold_triangle(const NDArray& g, bool lower);

/// The gradient of the reduced QR factorisation a = q r (M >= N) given the output gradients dq
/// and dr (either may be null for zero): (dq + q copyltu(M)) r^-T with M = r dr^T - dq^T q.
/// ValueError "[who] ..." for a wide matrix (M < N).
NDArray qr_grad(const NDArray& q, const NDArray& r, const NDArray* dq, const NDArray* dr, const char* who);

}  // namespace hypatia::kernels
