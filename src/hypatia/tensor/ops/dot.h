// Dot: matrix/vector products of 1-d and 2-d tensors (Theano's `dot`), via CBLAS.
#pragma once
#include <vector>
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// Theano's Dot, printed "dot": matrix.matrix, matrix.vector, vector.matrix, vector.vector.
class Dot final : public OpBase<Dot, NoParams> {
  HYPATIA_OP(Dot, 2, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override { return "dot"; }
};
/// matrix.matrix, matrix.vector, vector.matrix and vector.vector through CBLAS; N-d operands sum
/// over the last axis of a and the second-to-last of b (tensordot, see tensor/linalg.h).
/// A sparse operand goes to its family (Theano's theano.dot / __dot__: sparse.structured_dot).
Var dot(const Var& a, const Var& b);
/// x @ y and x.dot(y): dot for dense operands; a sparse operand's family decides (the sparse
/// family builds its regular Dot, a dense result with regular gradients).
Var matmul(const Var& a, const Var& b);

// ---- builders: tensordot, batched products, outer ----
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

}  // namespace hypatia
