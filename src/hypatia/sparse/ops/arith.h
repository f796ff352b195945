// Sparse addition and multiplication (theano.sparse.basic): AddSS, AddSSData, AddSD,
// StructuredAddSV, MulSS, MulSD, MulSV, and the column/row scalings ColScale, RowScale.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

/// AddSS(x, y): sparse + sparse -> sparse of x's format (union pattern, zero sums dropped as
/// scipy; dtypes upcast; y may be in the other format). Regular grad (gz, gz).
class AddSS final : public OpBase<AddSS> {
  HYPATIA_OP(AddSS, 2, make_node, perform, infer_shape, vjp, checks_input_indices)
};

namespace sparse {
Var add_s_s(const Var& x, const Var& y);
}  // namespace sparse

/// AddSSData(x, y): x and y have the same pattern (same format and dtype, same nnz); adds the
/// data arrays. Structured grad.
class AddSSData final : public OpBase<AddSSData> {
  HYPATIA_OP(AddSSData, 2, make_node, perform, infer_shape, vjp)
};

namespace sparse {
/// AddSSData: x and y share one sparsity pattern; their data are added. Structured grad.
Var add_s_s_data(const Var& x, const Var& y);
}  // namespace sparse

/// AddSD(x, y): sparse + dense matrix -> DENSE (dtypes upcast; y may broadcast to x's shape).
/// Grad: structured for x (gz sampled at x's stored entries), gz for y.
class AddSD final : public OpBase<AddSD> {
  HYPATIA_OP(AddSD, 2, make_node, perform, infer_shape, vjp)
};

namespace sparse {
Var add_s_d(const Var& x, const Var& y);
/// x + y, at least one sparse: AddSS (sparse + sparse -> sparse) or AddSD (-> dense).
Var add(const Var& x, const Var& y);
/// x - y, at least one sparse: x + (-y) as Theano (sparse - sparse -> sparse, else dense).
Var sub(const Var& x, const Var& y);
}  // namespace sparse

/// StructuredAddSV(x, v): v[j] added to every stored entry of column j (x's pattern kept).
/// Structured grad: (gz at x's pattern, its column sums).
class StructuredAddSV final : public OpBase<StructuredAddSV> {
  HYPATIA_OP(StructuredAddSV, 2, make_node, perform, infer_shape, vjp)
};

namespace sparse {
/// StructuredAddSV: v[j] added to the stored entries of column j. Structured grad.
Var structured_add_s_v(const Var& x, const Var& v);
}  // namespace sparse

/// MulSS(x, y): elementwise product of two sparse matrices -> sparse of x's format
/// (intersection pattern). Regular grad (y * gz, x * gz).
class MulSS final : public OpBase<MulSS> {
  HYPATIA_OP(MulSS, 2, make_node, perform, infer_shape, vjp, checks_input_indices)
};

namespace sparse {
Var mul_s_s(const Var& x, const Var& y);
}  // namespace sparse

/// MulSD(x, y): sparse * dense -> sparse of x's format and pattern; y is 0-d, a vector (along
/// the columns), or a matrix broadcastable to x's shape. Regular grad.
class MulSD final : public OpBase<MulSD> {
  HYPATIA_OP(MulSD, 2, make_node, perform, infer_shape, vjp)
};

namespace sparse {
Var mul_s_d(const Var& x, const Var& y);
/// x * y elementwise, at least one sparse: MulSS, MulSD (dense 0-d, vector or matrix
/// broadcastable to x's shape) -> sparse. Regular grad.
Var mul(const Var& x, const Var& y);
/// x / y with x sparse: x * (1 / y), sparse. A 0-d constant y is inverted at build time with
/// Python's float rule (so `x / 2` keeps a float32 x float32). A sparse divisor is a TypeError:
/// it would divide by the implicit zeros.
Var true_div(const Var& x, const Var& y);
}  // namespace sparse

/// MulSV(x, v): sparse * dense vector broadcast along the columns (v[j] scales column j).
/// Regular grad: (mul_s_v(gz, v), sp_sum(x * gz, axis=0, sparse_grad=True)).
class MulSV final : public OpBase<MulSV> {
  HYPATIA_OP(MulSV, 2, make_node, perform, infer_shape, vjp)
};

namespace sparse {
Var mul_s_v(const Var& x, const Var& v);
}  // namespace sparse

/// ColScale(x, s): column j of x multiplied by s[j] (Theano's ColScaleCSC, for both formats).
/// Structured grad: (col_scale(gz at x's pattern, s), sp_sum(x * gz, axis=0)).
class ColScale final : public OpBase<ColScale> {
  HYPATIA_OP(ColScaleCSC, 2, make_node, perform, infer_shape, vjp)
};

/// RowScale(x, s): row i of x multiplied by s[i] (Theano's RowScaleCSC, for both formats).
/// Structured grad: (row_scale(gz at x's pattern, s), sp_sum(x * gz, axis=1)).
class RowScale final : public OpBase<RowScale> {
  HYPATIA_OP(RowScaleCSC, 2, make_node, perform, infer_shape, vjp)
};

namespace sparse {
/// Column j scaled by s[j] / row i by s[i]. Structured grad.
Var col_scale(const Var& x, const Var& s);
Var row_scale(const Var& x, const Var& s);
}  // namespace sparse

namespace sparse_ops {
/// The structured part of a gradient g at the stored entries of the sparse x (x's format).
Var structured_grad(const Var& g, const Var& x);
/// A dense matrix gradient summed down to the shape of the dense operand y (0-d, vector, or a
/// matrix with broadcastable axes).
Var reduce_to(const Var& gz, const Var& y);
}  // namespace sparse_ops

}  // namespace hypatia
