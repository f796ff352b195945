// Diagonals: SquareDiagonal (dense vector -> square csc matrix) and Diag (its inverse).
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

/// SquareDiagonal(v): the n x n csc matrix with v on the diagonal (all n entries stored).
class SquareDiagonal final : public OpBase<SquareDiagonal> {
  HYPATIA_OP(SquareDiagonal, 1, make_node, perform, infer_shape, vjp, jvp)
};

namespace sparse {
/// SquareDiagonal: the square csc matrix with the dense vector v on its diagonal (every entry
/// of v stored, zeros included, as Theano). Regular grad (diag of the output gradient).
Var square_diagonal(const Var& v);
}  // namespace sparse

/// Diag(x): the diagonal of a square sparse matrix as a dense vector (duplicates summed).
class SparseDiag final : public OpBase<SparseDiag> {
  HYPATIA_OP(Diag, 1, make_node, perform, infer_shape, vjp, jvp)
};

namespace sparse {
/// Diag: the main diagonal of a square sparse matrix as a dense vector (ValueError "[Diag] ..."
/// for a non-square matrix). Regular grad.
Var diag(const Var& x);
}  // namespace sparse

}  // namespace hypatia
