// Join (concatenate/stack), Split and Roll: ops that assemble or cut tensors along an axis.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// Join(axis, *tensors): concatenation along `axis` (an int scalar, possibly symbolic and
/// negative). Printed "Join". Shapes must agree except on the axis (ValueError at run time).
class Join final : public OpBase<Join, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Join"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override;
};

struct SplitParams {
  int n_splits = 0;
  auto fields() const { return std::tie(n_splits); }
};

/// Split{n}(x, axis, splits): n pieces of x along axis with the given lengths (views).
class Split final : public OpBase<Split, SplitParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Split"; }
  std::string str() const override { return str_cat("Split{", params_.n_splits, "}"); }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override;
  ViewMap view_map() const override {
    ViewMap m;
    for (int i = 0; i < params_.n_splits; ++i) m[i] = {0};
    return m;
  }
};

struct RollParams {
  int axis = 0;
  auto fields() const { return std::tie(axis); }
};

/// Roll{axis}(x, shift): numpy.roll along one axis (a fresh array); shift is an int scalar.
class Roll final : public OpBase<Roll, RollParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Roll"; }
  std::string str() const override { return str_cat("Roll{", params_.axis, "}"); }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
};

}  // namespace hypatia
