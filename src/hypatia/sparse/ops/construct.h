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
 public:
  using OpBase::OpBase;
  std::string name() const override { return "ConstructSparseFromList"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}, {true}, {false}}; }
};

}  // namespace hypatia
