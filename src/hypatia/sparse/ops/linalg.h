// Sparse linear solves (sparse.linalg.spsolve): SpFactor, SpSolve and the two structured ops of
// their gradients, SpSolveGradA and SpSolveMatvec, over SuiteSparse (sparse/kernels/solve.h).
#pragma once
#include <memory>
#include <string>

#include "hypatia/graph/op.h"
#include "hypatia/graph/type.h"
#include "hypatia/sparse/kernels/solve.h"

namespace hypatia {

/// The graph type of a sparse factorisation (SpFactor's output). Its values are
/// SparseFactorValue: immutable, so clone() shares the factor. Two values are equal when they
/// factor the same matrix (same kind, pattern and values).
class SpFactorType final : public Type {
 public:
  static std::shared_ptr<const SpFactorType> make();
  TypeKind kind() const override { return TypeKind::Opaque; }
  std::string str() const override { return "SpFactorType"; }
  bool equals(const Type& o) const override { return dynamic_cast<const SpFactorType*>(&o) != nullptr; }
  size_t hash() const override { return 0x53504641; }
  Value filter(const Value& v, bool strict = false, bool allow_downcast = false) const override;
  bool values_eq(const Value& a, const Value& b) const override { return values_eq_approx(a, b, std::nullopt, std::nullopt); }
  bool values_eq_approx(const Value& a, const Value& b, std::optional<double> rtol,
                        std::optional<double> atol) const override;
};

/// The runtime value of SpFactorType: a shared, immutable sparse_kernels::SparseFactor.
class SparseFactorValue final : public OpaqueValue {
 public:
  explicit SparseFactorValue(std::shared_ptr<const sparse_kernels::SparseFactor> f) : factor(std::move(f)) {}
  std::shared_ptr<OpaqueValue> clone() const override { return std::make_shared<SparseFactorValue>(factor); }
  std::string repr() const override { return factor->repr(); }
  std::shared_ptr<const sparse_kernels::SparseFactor> factor;
};

struct SpFactorParams {
  std::string assume_a = "gen";  // 'gen' | 'pos' | 'sym' (sparse_kernels::SolveKind)
  auto fields() const { return std::tie(assume_a); }
};

/// SpFactor{assume_a}(A): the factorisation of the square sparse matrix A (UMFPACK LU for 'gen',
/// CHOLMOD for 'pos'/'sym' of S(A), the symmetric matrix of A's upper triangle). A graph value
/// of its own so that one factorisation serves the forward solve, the gradient's transposed
/// solve and the R-op's solve of one call (they all read this node's output), and every
/// spsolve of the same A (merge). ValueError "[SpSolve] ..." for a non-square, singular or
/// (for 'pos') not positive definite A. Not constant-folded (an opaque value).
class SpFactor final : public OpBase<SpFactor, SpFactorParams> {
  HYPATIA_OP(SpFactor, 1, make_node, perform, infer_shape, vjp, jvp, connection_pattern, str, constant_foldable)
};

struct SpSolveParams {
  std::string assume_a = "gen";
  bool trans = false;  // solve M^T x = b (only 'gen' uses it: S(A) is symmetric)
  auto fields() const { return std::tie(assume_a, trans); }
};

/// SpSolve{assume_a, trans}(A, F, b): x with M x = b (M^T x = b when trans), M = A ('gen') or
/// S(A), F = SpFactor{assume_a}(A); b a dense vector or matrix of A's dtype (float32 inputs
/// are solved in double and rounded back). Gradients: gb = M^{-T} g (a solve with F),
/// gA = SpSolveGradA(A, gb, x) (structured: A's stored entries only), F disconnected.
/// R-op: dx = M^{-1} (db - dM x).
class SpSolve final : public OpBase<SpSolve, SpSolveParams> {
  HYPATIA_OP(SpSolve, 3, make_node, perform, infer_shape, vjp, jvp, connection_pattern, str)
};

/// SpSolveGradA{assume_a}(A, u, x): the structured gradient of spsolve w.r.t. A (see
/// sparse_kernels::solve_grad_a): A's structure, entries -u_i . x_j (symmetrised on S(A)'s
/// triangle for 'pos'/'sym'). Its gradients are SpSolveMatvec products; A only gives the pattern.
class SpSolveGradA final : public OpBase<SpSolveGradA, SpFactorParams> {
  HYPATIA_OP(SpSolveGradA, 3, make_node, perform, infer_shape, vjp, connection_pattern, str)
};

/// SpSolveMatvec{assume_a, trans}(A, v): M v (M^T v when trans) with M = A or S(A); dense
/// output of A's dtype and v's shape. The dM x of SpSolve's R-op, and the gradient of SpSolveGradA.
class SpSolveMatvec final : public OpBase<SpSolveMatvec, SpSolveParams> {
  HYPATIA_OP(SpSolveMatvec, 2, make_node, perform, infer_shape, vjp, str)
};

namespace sparse {
/// scipy.sparse.linalg.spsolve inside a differentiable graph: x with A x = b for a square
/// CSR/CSC sparse A and a dense vector or matrix b (x has b's shape). assume_a: 'gen' (UMFPACK
/// LU, any non-singular A), 'pos' (CHOLMOD Cholesky of the symmetric positive definite matrix
/// given by A's upper triangle, as scipy.linalg.solve's lower=False: entries below the
/// diagonal are ignored and get zero gradient) or 'sym' (CHOLMOD LDL^T of that symmetric
/// matrix, without pivoting). Dtype: float32 when both inputs are at most float32, float64
/// otherwise (integers -> float64); complex raises TypeError. Builds SpSolve(A, SpFactor(A), b).
Var spsolve(const Var& a, const Var& b, const std::string& assume_a = "gen");
}  // namespace sparse

}  // namespace hypatia
