// Sorting and nonzero: ArgSortOp, TakeAlongAxis / ScatterAlongAxis (sort and its gradient), Nonzero.
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
 public:
  using OpBase::OpBase;
  std::string name() const override { return "ArgSortOp"; }
  std::string str() const override { return str_cat("ArgSortOp{", params_.axis, "}"); }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply&, const std::vector<ShapeVec>& s) const override {
    return std::vector<ShapeVec>{s[0]};
  }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}}; }
};

/// out[..., k, ...] = x[..., idx[..., k, ...], ...] along `axis` (numpy.take_along_axis with
/// idx shaped like x). Sorting is take_along_axis(x, argsort(x)).
class TakeAlongAxis final : public OpBase<TakeAlongAxis, AxisParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "TakeAlongAxis"; }
  std::string str() const override { return str_cat("TakeAlongAxis{", params_.axis, "}"); }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply&, const std::vector<ShapeVec>& s) const override {
    return std::vector<ShapeVec>{s[1]};
  }
  /// Valid for permutation indices (what sort uses): the gradient scatters back.
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
};

/// The inverse of TakeAlongAxis for permutation indices: out[..., idx[k], ...] = g[..., k, ...].
class ScatterAlongAxis final : public OpBase<ScatterAlongAxis, AxisParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "ScatterAlongAxis"; }
  std::string str() const override { return str_cat("ScatterAlongAxis{", params_.axis, "}"); }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply&, const std::vector<ShapeVec>& s) const override {
    return std::vector<ShapeVec>{s[0]};
  }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
};

/// "Nonzero": one int64 vector of indices per axis of x (numpy.nonzero). Not differentiable.
class Nonzero final : public OpBase<Nonzero, NoParams> {
 public:
  std::string name() const override { return "Nonzero"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
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
