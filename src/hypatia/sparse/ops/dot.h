// Sparse matrix products: StructuredDot (+ StructuredDotGradCSR/CSC), Dot (theano.sparse.dot)
// and TrueDot. Kernels: sparse_kernels::spmm / dense_spmm / spgemm / sddmm.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

/// sparse . (dense matrix | dense vector | sparse); structured grad w.r.t. the sparse operand.
class StructuredDot final : public OpBase<StructuredDot> {
  HYPATIA_OP(StructuredDot, 2, make_node, perform, infer_shape, vjp, jvp, checks_input_indices)
};

namespace sparse {
/// StructuredDot(x, y): x sparse (m x k), y dense (k x n matrix or k vector) -> dense, or y
/// sparse -> sparse in x's format. Structured grad w.r.t. x (only its stored entries, computed
/// by StructuredDotGradCSR/CSC as a sampled product), regular grad w.r.t. y. A dense x with a
/// sparse y is computed as Theano does, (y^T . x^T)^T, so y's gradient is the structured one
/// (a dense vector x gives a dense vector). Two dense operands: TypeError.
Var structured_dot(const Var& x, const Var& y);
}  // namespace sparse

struct StructuredDotGradParams {
  SparseFormat format = SparseFormat::CSR;
  auto fields() const { return std::tie(format); }
};

/// Theano's StructuredDotGradCSR/CSC(a_indices, a_indptr, b, g_ab): the data vector of the
/// structured gradient of structured_dot(a, b) w.r.t. a, given a's structure only. Entry k,
/// stored at (i, j) by (a_indices, a_indptr), is dot(g_ab[i, :], b[j, :]) (an SDDMM); entries
/// past a_indptr[-1] are 0. The output is a dense vector of g_ab's dtype and a_indices' length;
/// sparse::structured_dot_grad wraps it in CSR/CSC(data, indices, indptr, shape) as Theano does.
/// b and g_ab are dense matrices (or both vectors). Printed after the format (Theano's classes).
class StructuredDotGrad final : public OpBase<StructuredDotGrad, StructuredDotGradParams> {
  HYPATIA_OP(StructuredDotGrad, 4, make_node, perform, infer_shape, vjp)
  std::string name() const override {
    return params_.format == SparseFormat::CSR ? "StructuredDotGradCSR" : "StructuredDotGradCSC";
  }
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override {
    return {{false}, {false}, {true}, {true}};
  }
};

namespace sparse {
/// Theano's structured_dot_grad(a, b, g): the gradient of structured_dot(a, b) w.r.t. a, at a's
/// stored entries only: entry (i, j) holds dot(g[i, :], b[j, :]) (an SDDMM). Built as Theano
/// builds it: CSR/CSC(StructuredDotGradCSR/CSC(indices, indptr, b, g), indices, indptr, shape)
/// from csm_properties(a). Sparse, a's format, g's dtype.
Var structured_dot_grad(const Var& a, const Var& b, const Var& g);
}  // namespace sparse

/// theano.sparse.basic.Dot: one operand sparse, the other sparse or dense (matrix or vector),
/// either order. Regular grads. (C++ name SparseDot: the tensor module owns `Dot`.)
class SparseDot final : public OpBase<SparseDot> {
  HYPATIA_OP(Dot, 2, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override { return "SparseDot"; }
};

namespace sparse {
/// Theano's sparse.dot (op Dot): one operand sparse, the other sparse or dense, either order.
/// The output is always dense, even for two sparse operands (the reference's Dot; use
/// structured_dot for a sparse product of two sparse matrices). Regular grads (a sparse input
/// gets the whole gradient, in its format).
Var dot(const Var& x, const Var& y);
}  // namespace sparse

struct TrueDotParams {
  bool grad_preserves_dense = true;
  auto fields() const { return std::tie(grad_preserves_dense); }
};

/// sparse . (sparse | dense) with a sparse output (x's format); a dense vector y gives a dense
/// vector. Regular grads.
class TrueDot final : public OpBase<TrueDot, TrueDotParams> {
  HYPATIA_OP(TrueDot, 2, make_node, perform, infer_shape, vjp, str)
};

namespace sparse {
/// TrueDot{grad_preserves_dense}(x, y): x sparse, y sparse or dense; the output is sparse (x's
/// format), or a dense vector when y is a vector. Regular grads; a dense y gets a dense grad
/// unless grad_preserves_dense is false.
Var true_dot(const Var& x, const Var& y, bool grad_preserves_dense = true);
}  // namespace sparse

namespace sparse_ops {
/// The regular gradients (gx, gy) of x . y for any mix of sparse/dense matrix/vector operands
/// given the output gradient g (dense or sparse); each has its input's type (format, dtype).
std::vector<Var> dot_grads(const Var& x, const Var& y, const Var& g);
/// A gradient `g` shaped as the input `like` (sparse of its format and dtype for a sparse
/// input, dense of its dtype otherwise; zeros for discrete inputs).
Var fit_grad(const Var& g, const Var& like);
/// Computes x . y into `out` (reusing its buffer when possible); ValueError "[who] ..." when the
/// shapes are not aligned.
void dot_into(const Value& x, const Value& y, DType d, const std::string& who, Value& out);
/// Runtime x . y for values of any mix (at least one sparse), in dtype d: a dense NDArray when
/// an operand is dense, a SparseMatrix of x's format when both are sparse.
Value dot_values(const Value& x, const Value& y, DType d, const std::string& who);
}  // namespace sparse_ops

}  // namespace hypatia
