// Sparse direct solves over SuiteSparse (UMFPACK LU, CHOLMOD Cholesky/LDL^T) and the two
// structured products spsolve's gradients need.
#pragma once
#include <memory>
#include <string>

#include "hypatia/value/ndarray.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia::sparse_kernels {

/// spsolve's assume_a. General: UMFPACK LU of A. Positive ('pos'): CHOLMOD LL^T of the
/// symmetric matrix S(A) read from A's upper triangle (scipy.linalg.solve's lower=False);
/// entries below the diagonal are ignored. Symmetric ('sym'): CHOLMOD LDL^T (no pivoting) of S(A).
enum class SolveKind : int { General = 0, Positive = 1, Symmetric = 2 };
/// 'gen' / 'pos' / 'sym'; ValueError "[who] assume_a must be ..." for anything else.
SolveKind solve_kind_from_name(const std::string& name, const std::string& who);
const char* solve_kind_name(SolveKind kind);

/// A factorisation of a square sparse matrix. Immutable once built: solve() is const and keeps
/// its workspace per call, so several threads (concurrent calls of one function) may solve with
/// one factor at once. Holds the normalised copy of A (int64, sorted, duplicates summed, double)
/// that UMFPACK's solves read, which is also what two factors are compared by.
class SparseFactor {
 public:
  /// Factorises a (any real dtype; solved in double). ValueError "[who] ..." when a is not
  /// square, has a NaN/inf entry, is singular (UMFPACK) or not positive definite ('pos');
  /// MemoryError when SuiteSparse runs out of memory.
  static std::shared_ptr<const SparseFactor> factorize(const SparseMatrix& a, SolveKind kind, const std::string& who);
  ~SparseFactor();
  SparseFactor(const SparseFactor&) = delete;
  SparseFactor& operator=(const SparseFactor&) = delete;

  int64_t n() const;
  SolveKind kind() const;
  /// x with M x = b (trans: M^T x = b), M = A ('gen') or S(A); b is (n,) or (n, k) of any real
  /// dtype, the result has b's shape and dtype `out`. ValueError when b's length is not n.
  NDArray solve(const NDArray& b, bool trans, DType out, const std::string& who) const;
  /// Whether both factor the same matrix the same way (same kind, format, pattern and values).
  bool same_matrix(const SparseFactor& other) const;
  std::string repr() const;

  struct Impl;

 private:
  explicit SparseFactor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The structured gradient of x = M(a)^{-1} b w.r.t. a's stored entries, given u = M^{-T} g:
/// a matrix with a's structure (format, indices, explicit zeros, duplicates) and dtype whose
/// entry (i, j) is -u_i . x_j ('gen'), or for the symmetric kinds -(u_i . x_j + u_j . x_i) above
/// the diagonal, -u_i . x_i on it and 0 below (S(a) reads only the upper triangle). u and x are
/// (n,) or (n, k); "." sums over the k columns. Of duplicate entries the first carries the
/// value and the others 0, so that the dense form (duplicates summed) is the gradient.
SparseMatrix solve_grad_a(const SparseMatrix& a, const NDArray& u, const NDArray& x, SolveKind kind);

/// y = M(a) v, or M(a)^T v when trans (M as above: a, or S(a) for the symmetric kinds); v is
/// (n,) or (n, k), y has v's shape and dtype `out`. Used by spsolve's R-op (dA x).
NDArray solve_matvec(const SparseMatrix& a, const NDArray& v, SolveKind kind, bool trans, DType out);

}  // namespace hypatia::sparse_kernels
