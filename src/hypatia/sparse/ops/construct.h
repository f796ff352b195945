// ConstructSparseFromList: the sparse gradient of x[int_vector] (theano.sparse_grad).
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

struct ConstructSparseFromListParams {
  DType dtype = DType::Float64;  // x's dtype: the output's
  auto fields() const { return std::tie(dtype); }
};

/// ConstructSparseFromList(x_shape, values, ilist): the x_shape[0] x x_shape[1] csc matrix
/// whose row ilist[k] holds values[k, :] (values cast to the output dtype; repeated rows are
/// stored twice and add up when read). As in Theano the node takes shape(x), not x, so x
/// need not be kept alive. Regular grad: w.r.t. values, g[ilist]; shape and ilist disconnected.
class ConstructSparseFromList final : public OpBase<ConstructSparseFromList, ConstructSparseFromListParams> {
  HYPATIA_OP(ConstructSparseFromList, 3, make_node, perform, infer_shape, vjp, jvp)
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}, {true}, {false}}; }
};

}  // namespace hypatia
