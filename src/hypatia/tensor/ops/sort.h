// Sorting and nonzero: ArgSortOp, SortOp, TakeAlongAxis / ScatterAlongAxis (sort's gradient), Nonzero.
#pragma once
#include <optional>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

struct AxisParams {
  int axis = -1;  // non-negative once normalised by the builders
  auto fields() const { return std::tie(axis); }
};

/// "ArgSortOp{axis}": int64 indices sorting each slice along `axis` (stable, NaNs last).
class ArgSortOp final : public OpBase<ArgSortOp, AxisParams> {
  HYPATIA_OP(ArgSortOp, 1, make_node, perform, vjp)
  std::string str() const override { return str_cat("ArgSortOp{", params_.axis, "}"); }
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply&, const std::vector<ShapeVec>& s) const override {
    return std::vector<ShapeVec>{s[0]};
  }
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}}; }
};

/// "SortOp{axis}": each slice along `axis` sorted (numpy.sort's order: NaNs last). It sorts the
/// values themselves (a radix sort of keys that decode back to the values), not argsort and a
/// gather; its gradient scatters through argsort(x), which only a gradient graph computes.
class SortOp final : public OpBase<SortOp, AxisParams> {
  HYPATIA_OP(SortOp, 1, make_node, perform, vjp, jvp)
  std::string str() const override { return str_cat("SortOp{", params_.axis, "}"); }
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply&, const std::vector<ShapeVec>& s) const override {
    return std::vector<ShapeVec>{s[0]};
  }
};

/// out[..., k, ...] = x[..., idx[..., k, ...], ...] along `axis` (numpy.take_along_axis with
/// idx shaped like x). sort's forward-mode derivative is take_along_axis(dx, argsort(x)).
class TakeAlongAxis final : public OpBase<TakeAlongAxis, AxisParams> {
  HYPATIA_OP(TakeAlongAxis, 2, make_node, perform, vjp, jvp)
  std::string str() const override { return str_cat("TakeAlongAxis{", params_.axis, "}"); }
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply&, const std::vector<ShapeVec>& s) const override {
    return std::vector<ShapeVec>{s[1]};
  }
  /// Valid for permutation indices (what sort uses): the gradient scatters back.
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
};

/// The inverse of TakeAlongAxis for permutation indices: out[..., idx[k], ...] = g[..., k, ...].
class ScatterAlongAxis final : public OpBase<ScatterAlongAxis, AxisParams> {
  HYPATIA_OP(ScatterAlongAxis, 2, make_node, perform, vjp)
  std::string str() const override { return str_cat("ScatterAlongAxis{", params_.axis, "}"); }
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply&, const std::vector<ShapeVec>& s) const override {
    return std::vector<ShapeVec>{s[0]};
  }
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
};

/// "Nonzero": one int64 vector of indices per axis of x (numpy.nonzero). Not differentiable.
class Nonzero final : public OpBase<Nonzero, NoParams> {
  HYPATIA_OP(Nonzero, 1, make_node, perform, vjp)
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override {
    return {std::vector<bool>(node.nout(), false)};
  }
};

/// Sorted copy of x along axis (nullopt: the flattened x), numpy.sort; differentiable.
Var sort(const Var& x, std::optional<int> axis = -1);
/// Indices that sort x along axis (nullopt: the flattened x), numpy.argsort (stable).
Var argsort(const Var& x, std::optional<int> axis = -1);
/// numpy.nonzero: one int64 index vector per axis.
std::vector<Var> nonzero(const Var& x);
/// numpy.flatnonzero: indices of the non-zero entries of the flattened x.
Var flatnonzero(const Var& x);

}  // namespace hypatia
