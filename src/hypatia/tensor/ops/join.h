// Join (concatenate/stack), Split and Roll: ops that assemble or cut tensors along an axis.
#pragma once
#include <optional>
#include <vector>
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// Join(axis, *tensors): concatenation along `axis` (an int scalar, possibly symbolic and
/// negative). Printed "Join". Shapes must agree except on the axis (ValueError at run time).
class Join final : public OpBase<Join, NoParams> {
  HYPATIA_OP(Join, kVariadic, make_node, perform, infer_shape, vjp, jvp, connection_pattern)
};
/// Theano's join(axis, *tensors) (op printed "Join"): axis is an int scalar (may be symbolic
/// and negative); inputs are upcast to a common dtype and must have the same rank.
Var join(const Var& axis, const std::vector<Var>& tensors);
Var concatenate(const std::vector<Var>& tensors, int axis = 0);
/// Joins the tensors along a new axis (negative allowed); scalars give a vector.
Var stack(const std::vector<Var>& tensors, int axis = 0);

struct SplitParams {
  int n_splits = 0;
  auto fields() const { return std::tie(n_splits); }
};

/// Split{n}(x, axis, splits): n pieces of x along axis with the given lengths (views).
class Split final : public OpBase<Split, SplitParams> {
  HYPATIA_OP(Split, 3, make_node, perform, infer_shape, vjp, jvp, connection_pattern)
  std::string str() const override { return str_cat("Split{", params_.n_splits, "}"); }
  ViewMap view_map() const override {
    ViewMap m;
    for (int i = 0; i < params_.n_splits; ++i) m[i] = {0};
    return m;
  }
};
/// Split(x, axis, splits) into n_splits pieces; splits is an int vector of lengths.
std::vector<Var> split(const Var& x, const Var& splits, int n_splits, const Var& axis);
std::vector<Var> split(const Var& x, const std::vector<int64_t>& splits, int axis = 0);

struct RollParams {
  int axis = 0;
  auto fields() const { return std::tie(axis); }
};

/// Roll{axis}(x, shift): numpy.roll along one axis (a fresh array); shift is an int scalar.
class Roll final : public OpBase<Roll, RollParams> {
  HYPATIA_OP(Roll, 2, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override { return str_cat("Roll{", params_.axis, "}"); }
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
};
/// numpy.roll; axis nullopt rolls the flattened array and restores the shape.
Var roll(const Var& x, const Var& shift, std::optional<int> axis = std::nullopt);

// ---- builders: compositions ----
/// numpy.tile with constant reps (shorter reps are padded with 1 on the left).
Var tile(const Var& x, std::vector<int64_t> reps);

}  // namespace hypatia
