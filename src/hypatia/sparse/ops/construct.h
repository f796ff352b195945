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

namespace sparse {
/// ConstructSparseFromList(shape(x), values, ilist): the csc matrix of x's shape and dtype
/// whose row ilist[k] holds values[k, :] (repeated rows add up). Regular grad w.r.t. values
/// (values' gradient is g[ilist]); x only gives the shape.
Var construct_sparse_from_list(const Var& x, const Var& values, const Var& ilist);
/// Registers construct_sparse_from_list as the sparse-gradient builder of AdvancedSubtensor1
/// (tensor's set_sparse_grad_builder). Idempotent. Called explicitly (no static initialiser)
/// by sparse_grad() below and by the Python module's initialisation (init_sparse_select).
void register_sparse_grad_builder();
/// theano.sparse_grad(x[int_vector]): the same selection whose gradient w.r.t. the (matrix) x
/// is a sparse csc matrix (ConstructSparseFromList). Registers the builder first.
Var sparse_grad(const Var& subtensor_result);
}  // namespace sparse

}  // namespace hypatia
