// Builders of the linear-algebra family: tensordot, batched products, outer, the explicit BLAS
// ops, and the nlinalg/slinalg basics (inverse, determinant, solve, Cholesky).
#pragma once
#include <string>
#include <vector>

#include "hypatia/graph/op.h"

namespace hypatia {

/// numpy/Theano tensordot: sums the last `axes` axes of a against the first `axes` of b.
/// axes = 0 is the outer product. Built as transpose + reshape + one Dot.
Var tensordot(const Var& a, const Var& b, int axes = 2);
/// tensordot over paired axis lists (negative axes count from the end); the result has a's
/// free axes followed by b's.
Var tensordot(const Var& a, const Var& b, const std::vector<int>& a_axes, const std::vector<int>& b_axes);
/// Theano's batched_dot: out[i] = dot(x[i], y[i]). 1-d operands multiply elementwise along the
/// batch; operands of more than 3 dims go through batched_tensordot.
Var batched_dot(const Var& x, const Var& y);
/// batched_tensordot: an int i sums [x.ndim-i, x.ndim) of x against [1, i+1) of y; axis 0 is
/// the batch and is never summed.
Var batched_tensordot(const Var& x, const Var& y, int axes = 2);
Var batched_tensordot(const Var& x, const Var& y, const std::vector<int>& x_axes, const std::vector<int>& y_axes);
/// outer(x, y): vector x vector -> matrix (higher-rank operands are flattened first).
Var outer(const Var& x, const Var& y);

/// The explicit BLAS ops (normally introduced by FAST_RUN's rewrites).
Var gemm(const Var& z, const Var& a, const Var& x, const Var& y, const Var& b);
Var gemv(const Var& y, const Var& alpha, const Var& a, const Var& x, const Var& beta);
Var ger(const Var& a, const Var& alpha, const Var& x, const Var& y);

// ---- nlinalg ----
Var matrix_inverse(const Var& a);
Var det(const Var& a);
// ---- slinalg ----
/// x with a.x = b; `structure` is "general", "symmetric" (solved as general),
/// "lower_triangular" or "upper_triangular".
Var solve(const Var& a, const Var& b, const std::string& structure = "general");
/// Cholesky factor; on_error "raise" (ValueError) or "nan" (a NaN matrix).
Var cholesky(const Var& a, bool lower = true, const std::string& on_error = "raise");

}  // namespace hypatia
