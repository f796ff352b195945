// Construction from and access to the compressed arrays: CSM, CSMProperties, CSMGrad, SparseNnz.
#pragma once
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

/// SparseNnz(x) -> the number of stored entries of x (explicit zeros included) as an int64
/// scalar, read in O(1) from indptr. Not in Theano: it is what CSMProperties' shape rule needs
/// for the lengths of data and indices, which only the value knows. Not differentiable.
class SparseNnz final : public OpBase<SparseNnz> {
  HYPATIA_OP(SparseNnz, 1, make_node, perform, infer_shape, vjp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}}; }
};

/// CSMGrad(x_data, x_indices, x_indptr, x_shape, g_data, g_indices, g_indptr, g_shape) -> the
/// gradient w.r.t. x_data: g's value (duplicates summed) at each stored position of x. Both
/// matrices are read in the format given by the op's parameter. No grad of its own.
class CSMGrad final : public OpBase<CSMGrad, SparseFormatParams> {
  HYPATIA_OP(CSMGrad, 8, make_node, perform, infer_shape, vjp, str)
};

}  // namespace hypatia
