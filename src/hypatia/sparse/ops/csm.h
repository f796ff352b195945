// Construction from and access to the compressed arrays: CSM, CSMProperties, CSMGrad, SparseNnz.
#pragma once
#include <vector>

#include "hypatia/sparse/ops/convert.h"

namespace hypatia {

/// CSM{format}(data, indices, indptr, shape) -> sparse matrix (Theano's CSM without kmap). The
/// arrays are copied and validated. Regular grad w.r.t. data (CSMGrad); the integer inputs are
/// disconnected.
class CSM final : public OpBase<CSM, SparseFormatParams> {
  HYPATIA_OP(CSM, 4, make_node, perform, infer_shape, vjp, jvp, str)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override {
    return {{true}, {false}, {false}, {false}};
  }
};

namespace sparse {
/// CSM{format}(data, indices, indptr, shape): a matrix from its compressed arrays (integer
/// vectors; shape has 2 entries). The arrays are validated at run time (ValueError "[CSM] ...").
/// Regular grad w.r.t. data through CSMGrad.
Var csm(SparseFormat format, const Var& data, const Var& indices, const Var& indptr, const Var& shape);
Var CSR(const Var& data, const Var& indices, const Var& indptr, const Var& shape);
Var CSC(const Var& data, const Var& indices, const Var& indptr, const Var& shape);
/// Ones at the stored positions of x (x's dtype and format); built as Theano does, from
/// csm_properties and CSM, so the grad is regular.
Var sp_ones_like(const Var& x);
/// An all-zero matrix of x's shape, format and dtype (no stored entries).
Var sp_zeros_like(const Var& x);
}  // namespace sparse

/// CSMProperties(x) -> (data, indices, indptr, shape). data views x's data (first nnz entries);
/// indices/indptr are int32; shape is int64. Regular grad. Unlike Theano it has a shape rule,
/// so that shapes computed from its outputs need not run it: data and indices have nnz(x)
/// entries (SparseNnz), indptr has x's outer length + 1, shape has 2.
class CSMProperties final : public OpBase<CSMProperties> {
  HYPATIA_OP(CSMProperties, 1, make_node, perform, infer_shape, vjp, jvp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true, false, false, false}}; }
  // data, indices and indptr may be x's own arrays (int32 ones are not converted).
  ViewMap view_map() const override { return {{0, {0}}, {1, {0}}, {2, {0}}}; }
};

namespace sparse {
/// CSMProperties: (data, indices, indptr, shape) of x. data has x's dtype and holds nnz values;
/// indices and indptr are int32 (Theano's ivector; ValueError if a value does not fit); shape is
/// int64 (as Shape). Regular grad (w.r.t. data only).
std::vector<Var> csm_properties(const Var& x);
Var csm_data(const Var& x);
Var csm_indices(const Var& x);
Var csm_indptr(const Var& x);
Var csm_shape(const Var& x);
}  // namespace sparse

/// SparseNnz(x) -> the number of stored entries of x (explicit zeros included) as an int64
/// scalar, read in O(1) from indptr. Not in Theano: it is what CSMProperties' shape rule needs
/// for the lengths of data and indices, which only the value knows. Not differentiable.
class SparseNnz final : public OpBase<SparseNnz> {
  HYPATIA_OP(SparseNnz, 1, make_node, perform, infer_shape, vjp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}}; }
};

namespace sparse {
/// SparseNnz: the number of stored entries of x (explicit zeros included), an int64 scalar
/// (what x.size gives; the length of csm_data(x)).
Var nnz(const Var& x);
}  // namespace sparse

/// CSMGrad(x_data, x_indices, x_indptr, x_shape, g_data, g_indices, g_indptr, g_shape) -> the
/// gradient w.r.t. x_data: g's value (duplicates summed) at each stored position of x. Both
/// matrices are read in the format given by the op's parameter. No grad of its own.
class CSMGrad final : public OpBase<CSMGrad, SparseFormatParams> {
  HYPATIA_OP(CSMGrad, 8, make_node, perform, infer_shape, vjp, str)
};

namespace sparse {
/// CSMGrad(x_data, x_indices, x_indptr, x_shape, g_data, g_indices, g_indptr, g_shape): for each
/// stored entry of x, the value of g (same format as x, duplicates summed) at its position.
Var csm_grad(const std::vector<Var>& inputs);
}  // namespace sparse

}  // namespace hypatia
