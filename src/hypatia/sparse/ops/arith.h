// Sparse addition and multiplication (theano.sparse.basic): AddSS, AddSSData, AddSD,
// StructuredAddSV, MulSS, MulSD, MulSV, and the column/row scalings ColScale, RowScale.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

/// AddSS(x, y): sparse + sparse -> sparse of x's format (union pattern, zero sums dropped as
/// scipy; dtypes upcast; y may be in the other format). Regular grad (gz, gz).
class AddSS final : public OpBase<AddSS> {
  HYPATIA_OP(AddSS, 2, make_node, perform, infer_shape, vjp)
};

/// AddSSData(x, y): x and y have the same pattern (same format and dtype, same nnz); adds the
/// data arrays. Structured grad.
class AddSSData final : public OpBase<AddSSData> {
  HYPATIA_OP(AddSSData, 2, make_node, perform, infer_shape, vjp)
};

/// AddSD(x, y): sparse + dense matrix -> DENSE (dtypes upcast; y may broadcast to x's shape).
/// Grad: structured for x (gz sampled at x's stored entries), gz for y.
class AddSD final : public OpBase<AddSD> {
  HYPATIA_OP(AddSD, 2, make_node, perform, infer_shape, vjp)
};

/// StructuredAddSV(x, v): v[j] added to every stored entry of column j (x's pattern kept).
/// Structured grad: (gz at x's pattern, its column sums).
class StructuredAddSV final : public OpBase<StructuredAddSV> {
  HYPATIA_OP(StructuredAddSV, 2, make_node, perform, infer_shape, vjp)
};

/// MulSS(x, y): elementwise product of two sparse matrices -> sparse of x's format
/// (intersection pattern). Regular grad (y * gz, x * gz).
class MulSS final : public OpBase<MulSS> {
  HYPATIA_OP(MulSS, 2, make_node, perform, infer_shape, vjp)
};

/// MulSD(x, y): sparse * dense -> sparse of x's format and pattern; y is 0-d, a vector (along
/// the columns), or a matrix broadcastable to x's shape. Regular grad.
class MulSD final : public OpBase<MulSD> {
  HYPATIA_OP(MulSD, 2, make_node, perform, infer_shape, vjp)
};

/// MulSV(x, v): sparse * dense vector broadcast along the columns (v[j] scales column j).
/// Regular grad: (mul_s_v(gz, v), sp_sum(x * gz, axis=0, sparse_grad=True)).
class MulSV final : public OpBase<MulSV> {
  HYPATIA_OP(MulSV, 2, make_node, perform, infer_shape, vjp)
};

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

namespace sparse_ops {
/// The structured part of a gradient g at the stored entries of the sparse x (x's format).
Var structured_grad(const Var& g, const Var& x);
/// A dense matrix gradient summed down to the shape of the dense operand y (0-d, vector, or a
/// matrix with broadcastable axes).
Var reduce_to(const Var& gz, const Var& y);
}  // namespace sparse_ops

}  // namespace hypatia
