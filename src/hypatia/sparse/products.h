// Builders of the sparse products (theano.sparse's dot family). Every builder checks its inputs
// and raises TypeError starting "[OpName]". A dense operand may be a matrix or a vector
// (docs/semantics.md, "Products with sparse operands"): a vector operand gives a dense vector output.
#pragma once
#include "hypatia/graph/op.h"

namespace hypatia::sparse {

/// StructuredDot(x, y): x sparse (m x k), y dense (k x n matrix or k vector) -> dense, or y
/// sparse -> sparse in x's format. Structured grad w.r.t. x (only its stored entries, computed
/// by StructuredDotGradCSR/CSC as a sampled product), regular grad w.r.t. y. A dense x with a
/// sparse y is computed as Theano does, (y^T . x^T)^T, so y's gradient is the structured one
/// (a dense vector x gives a dense vector). Two dense operands: TypeError.
Var structured_dot(const Var& x, const Var& y);
/// Theano's sparse.dot (op Dot): one operand sparse, the other sparse or dense, either order.
/// The output is always dense, even for two sparse operands (the reference's Dot; use
/// structured_dot for a sparse product of two sparse matrices). Regular grads (a sparse input
/// gets the whole gradient, in its format).
Var dot(const Var& x, const Var& y);
/// TrueDot{grad_preserves_dense}(x, y): x sparse, y sparse or dense; the output is sparse (x's
/// format), or a dense vector when y is a vector. Regular grads; a dense y gets a dense grad
/// unless grad_preserves_dense is false.
Var true_dot(const Var& x, const Var& y, bool grad_preserves_dense = true);
/// SamplingDot(x, y, p) = p * (x . y^T) at p's stored entries: x (m x K) and y (n x K) dense
/// (or both vectors, K = 1), p sparse (m x n). Sparse output of p's format. Grads: the true
/// gradient for x and y, structured for p (docs/semantics.md, "Gradients of sparse inputs").
Var sampling_dot(const Var& x, const Var& y, const Var& p);
/// Usmm(alpha, x, y, z) = z + alpha * (x . y): alpha a scalar, x and/or y sparse, z dense (the
/// output's rank). Dense output. Inserted by the local_usmm rewrite; usable directly.
Var usmm(const Var& alpha, const Var& x, const Var& y, const Var& z);
/// UsmmCscDense{inplace}(alpha, x, y, z): Usmm for csc x and dense y whose output has z's dtype;
/// with inplace, z's buffer is overwritten (destroy_map {0: [3]}). Only rewrites insert it.
Var usmm_csc_dense(const Var& alpha, const Var& x, const Var& y, const Var& z, bool inplace);
/// Theano's structured_dot_grad(a, b, g): the gradient of structured_dot(a, b) w.r.t. a, at a's
/// stored entries only: entry (i, j) holds dot(g[i, :], b[j, :]) (an SDDMM). Built as Theano
/// builds it: CSR/CSC(StructuredDotGradCSR/CSC(indices, indptr, b, g), indices, indptr, shape)
/// from csm_properties(a). Sparse, a's format, g's dtype.
Var structured_dot_grad(const Var& a, const Var& b, const Var& g);
/// SampleSparse{scale}(pattern, g): pattern's structure holding g's values there (g sparse of
/// any format, duplicates summed, or dense), times pattern's values when scale. The building
/// block of sampling_dot's gradients (pattern * gz without densifying gz).
Var sample_sparse(const Var& pattern, const Var& g, bool scale);

}  // namespace hypatia::sparse
