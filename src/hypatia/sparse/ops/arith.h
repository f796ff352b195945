// Sparse addition and multiplication (theano.sparse.basic): AddSS, AddSSData, AddSD,
// StructuredAddSV, MulSS, MulSD, MulSV, and the column/row scalings ColScale, RowScale.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

#define HYPATIA_SPARSE_BINARY_OP(Cls, Name)                                                                    \
  class Cls final : public OpBase<Cls, NoParams> {                                                            \
   public:                                                                                                    \
    using OpBase::OpBase;                                                                                     \
    std::string name() const override { return Name; }                                                        \
    ApplyPtr make_node(const std::vector<Var>& inputs) const override;                                        \
    void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;               \
    std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override; \
    std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;             \
  };

/// AddSS(x, y): sparse + sparse -> sparse of x's format (union pattern, zero sums dropped as
/// scipy; dtypes upcast; y may be in the other format). Regular grad (gz, gz).
HYPATIA_SPARSE_BINARY_OP(AddSS, "AddSS")
/// AddSSData(x, y): x and y have the same pattern (same format and dtype, same nnz); adds the
/// data arrays. Structured grad.
HYPATIA_SPARSE_BINARY_OP(AddSSData, "AddSSData")
/// AddSD(x, y): sparse + dense matrix -> DENSE (dtypes upcast; y may broadcast to x's shape).
/// Grad: structured for x (gz sampled at x's stored entries), gz for y.
HYPATIA_SPARSE_BINARY_OP(AddSD, "AddSD")
/// StructuredAddSV(x, v): v[j] added to every stored entry of column j (x's pattern kept).
/// Structured grad: (gz at x's pattern, its column sums).
HYPATIA_SPARSE_BINARY_OP(StructuredAddSV, "StructuredAddSV")
/// MulSS(x, y): elementwise product of two sparse matrices -> sparse of x's format
/// (intersection pattern). Regular grad (y * gz, x * gz).
HYPATIA_SPARSE_BINARY_OP(MulSS, "MulSS")
/// MulSD(x, y): sparse * dense -> sparse of x's format and pattern; y is 0-d, a vector (along
/// the columns), or a matrix broadcastable to x's shape. Regular grad.
HYPATIA_SPARSE_BINARY_OP(MulSD, "MulSD")
/// MulSV(x, v): sparse * dense vector broadcast along the columns (v[j] scales column j).
/// Regular grad: (mul_s_v(gz, v), sp_sum(x * gz, axis=0, sparse_grad=True)).
HYPATIA_SPARSE_BINARY_OP(MulSV, "MulSV")
/// ColScale(x, s): column j of x multiplied by s[j] (Theano's ColScaleCSC, for both formats).
/// Structured grad: (col_scale(gz at x's pattern, s), sp_sum(x * gz, axis=0)).
HYPATIA_SPARSE_BINARY_OP(ColScale, "ColScaleCSC")
/// RowScale(x, s): row i of x multiplied by s[i] (Theano's RowScaleCSC, for both formats).
/// Structured grad: (row_scale(gz at x's pattern, s), sp_sum(x * gz, axis=1)).
HYPATIA_SPARSE_BINARY_OP(RowScale, "RowScaleCSC")

#undef HYPATIA_SPARSE_BINARY_OP

namespace sparse_ops {
/// The structured part of a gradient g at the stored entries of the sparse x (x's format).
Var structured_grad(const Var& g, const Var& x);
/// A dense matrix gradient summed down to the shape of the dense operand y (0-d, vector, or a
/// matrix with broadcastable axes).
Var reduce_to(const Var& gz, const Var& y);
}  // namespace sparse_ops

}  // namespace hypatia
