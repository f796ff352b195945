// Advanced (integer-array and boolean-mask) indexing: AdvancedSubtensor1, AdvancedIncSubtensor1,
// AdvancedSubtensor, AdvancedIncSubtensor, and the helper ops of take() and infer_shape.
#pragma once
#include <functional>

#include "hypatia/tensor/ops/subtensor.h"

namespace hypatia {

struct AdvancedSubtensor1Params {
  bool sparse_grad = false;
  auto fields() const { return std::tie(sparse_grad); }
};

/// Theano's AdvancedSubtensor1: x[idx] for one integer vector on axis 0 (negative indices
/// count from the end; out of range raises IndexError). With sparse_grad (theano.sparse_grad)
/// the gradient w.r.t. x is built by the sparse module's registered builder.
class AdvancedSubtensor1 final : public OpBase<AdvancedSubtensor1, AdvancedSubtensor1Params> {
  HYPATIA_OP(AdvancedSubtensor1, 2, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override { return params_.sparse_grad ? "AdvancedSubtensor1{sparse_grad}" : "AdvancedSubtensor1"; }
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
};

/// The builder of the sparse gradient of x[idx] (x, gz, idx) -> d cost / d x as a sparse matrix.
using SparseGradBuilder = std::function<Var(const Var& x, const Var& gz, const Var& idx)>;
/// Registers (or, with an empty function, removes) the sparse module's builder.
void set_sparse_grad_builder(SparseGradBuilder builder);

struct AdvancedIncSubtensor1Params {
  bool set_instead_of_inc = false;
  auto fields() const { return std::tie(set_instead_of_inc); }
};

/// Theano's AdvancedIncSubtensor1(x, y, idx): a copy of x with rows idx incremented by y
/// (repeated indices accumulate, like np.add.at) or set to y (the last repeat wins).
/// Printed "AdvancedIncSubtensor1{no_inplace,inc}" / "{no_inplace,set}".
class AdvancedIncSubtensor1 final : public OpBase<AdvancedIncSubtensor1, AdvancedIncSubtensor1Params> {
  HYPATIA_OP(AdvancedIncSubtensor1, 3, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override {
    return params_.set_instead_of_inc ? "AdvancedIncSubtensor1{no_inplace,set}" : "AdvancedIncSubtensor1{no_inplace,inc}";
  }
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {true}, {false}}; }
};

struct AdvancedSubtensorParams {
  std::vector<int64_t> idx;  // encoded items: Slice, IntArray, BoolArray
  auto fields() const { return std::tie(idx); }
};

/// Theano's AdvancedSubtensor: numpy advanced indexing with integer arrays (broadcast
/// together) and boolean masks mixed with slices (inputs: x, then each item's array or
/// symbolic slice components). The broadcast index dimensions replace the indexed axes when
/// those are adjacent, and go first otherwise, as numpy.
class AdvancedSubtensor final : public OpBase<AdvancedSubtensor, AdvancedSubtensorParams> {
  HYPATIA_OP(AdvancedSubtensor, kVariadic, make_node, perform, infer_shape, vjp, jvp, connection_pattern)
  std::string str() const override { return "AdvancedSubtensor{" + index_str(items()) + "}"; }
  std::vector<IdxItem> items() const { return decode_index(params_.idx); }
};

struct AdvancedIncSubtensorParams {
  std::vector<int64_t> idx;
  bool set_instead_of_inc = false;
  auto fields() const { return std::tie(idx, set_instead_of_inc); }
};

/// Theano's AdvancedIncSubtensor(x, y, *index inputs): x with x[idx] incremented by y
/// (duplicates accumulate) or set to y (the last duplicate wins).
class AdvancedIncSubtensor final : public OpBase<AdvancedIncSubtensor, AdvancedIncSubtensorParams> {
  HYPATIA_OP(AdvancedIncSubtensor, kVariadic, make_node, perform, infer_shape, vjp, jvp, connection_pattern)
  std::string str() const override {
    return str_cat("AdvancedIncSubtensor{no_inplace,", params_.set_instead_of_inc ? "set;" : "inc;", index_str(items()), "}");
  }
  std::vector<IdxItem> items() const { return decode_index(params_.idx); }
};

/// numpy's broadcast of axis lengths (int64 scalars) -> int64 scalar; infer_shape helper.
class BroadcastLength final : public OpBase<BroadcastLength, NoParams> {
  HYPATIA_OP(BroadcastLength, kVariadic, make_node, perform)
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply&, const std::vector<ShapeVec>&) const override {
    return std::vector<ShapeVec>{ShapeVec{}};
  }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>&) const override {
    return std::vector<Var>(node.nin(), disconnected_var());
  }
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override {
    return std::vector<std::vector<bool>>(node.nin(), {false});
  }
};

struct TakeIndicesParams {
  int mode = 0;  // 1 wrap, 2 clip
  auto fields() const { return std::tie(mode); }
};

/// take()'s index modes: TakeIndices{wrap}(idx, n) = idx mod n, {clip} clips to [0, n-1]; int64.
class TakeIndices final : public OpBase<TakeIndices, TakeIndicesParams> {
  HYPATIA_OP(TakeIndices, 2, make_node, perform)
  std::string str() const override { return params_.mode == 1 ? "TakeIndices{wrap}" : "TakeIndices{clip}"; }
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply&, const std::vector<ShapeVec>& s) const override {
    return std::vector<ShapeVec>{s[0]};
  }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>&) const override {
    return std::vector<Var>(node.nin(), disconnected_var());
  }
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override {
    return std::vector<std::vector<bool>>(node.nin(), {false});
  }
};

}  // namespace hypatia
