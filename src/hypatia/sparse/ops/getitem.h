// Selection ops on sparse matrices (theano.sparse.basic): GetItem2d (x[a:b:s, c:d:t]),
// GetItemScalar (x[i, j]), GetItemList (x[int_vector]) with GetItemListGrad, and GetItem2Lists
// (x[ind1, ind2]) with GetItem2ListsGrad. Negative indices count from the end; an index out
// of range raises IndexError "[Op] ...".
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

struct GetItem2dParams {
  /// Bit b (0..5 = row start, stop, step, col start, stop, step) set: that slice component
  /// is an input (an integer scalar, in this order after x); unset: None.
  int present = 0;
  auto fields() const { return std::tie(present); }
};

/// GetItem2d(x, [row start, stop, step], [col start, stop, step]): the sub-matrix x[a:b:s, c:d:t]
/// as a sparse matrix of x's format (Python slice rules: None, negative bounds and steps).
/// No gradient (as Theano). infer_shape through SliceLength.
class GetItem2d final : public OpBase<GetItem2d, GetItem2dParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "GetItem2d"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override;
};

/// GetItemScalar(x, i, j): x[i, j] (duplicates summed) as a tensor scalar of x's dtype. No gradient.
class GetItemScalar final : public OpBase<GetItemScalar, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "GetItemScalar"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override;
};

/// GetItemList(x, idx): the rows idx of x (an integer vector; repeats allowed) as a sparse
/// matrix of x's format. Grad w.r.t. x: GetItemListGrad; w.r.t. idx: undefined.
class GetItemList final : public OpBase<GetItemList, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "GetItemList"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

/// GetItemListGrad(x, idx, gz): a matrix of x's type and shape with row idx[k] += gz[k]
/// (gz sparse; repeated rows accumulate, the true gradient of GetItemList).
class GetItemListGrad final : public OpBase<GetItemListGrad, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "GetItemListGrad"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override;
};

/// GetItem2Lists(x, ind1, ind2): the dense vector [x[ind1[k], ind2[k]] for k] of x's dtype
/// (integer vectors of equal length). Grad w.r.t. x: GetItem2ListsGrad; indices: undefined.
class GetItem2Lists final : public OpBase<GetItem2Lists, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "GetItem2Lists"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

/// GetItem2ListsGrad(x, ind1, ind2, gz): a matrix of x's type and shape holding gz[k] at
/// (ind1[k], ind2[k]) (repeated pairs accumulate).
class GetItem2ListsGrad final : public OpBase<GetItem2ListsGrad, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "GetItem2ListsGrad"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override;
};

namespace sparse_ops {
/// The integer vector value `v` with negative entries wrapped (i + n) and every entry checked
/// against [0, n): IndexError "[who] index i is out of bounds for axis `axis` with size n".
std::vector<int64_t> normalized_indices(const Value& v, int64_t n, int axis, const std::string& who);
/// An integer index var (ndim 0 or 1, per `ndim`): TypeError "[who] ..." otherwise.
Var expect_int_index(const Var& v, int ndim, const std::string& who, const char* what);
}  // namespace sparse_ops

}  // namespace hypatia
