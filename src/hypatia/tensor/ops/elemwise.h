// Elemwise (a scalar op mapped over broadcast tensors) and DimShuffle (axis permutation view).
#pragma once
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/scalar/scalar_ops.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

struct ElemwiseParams {
  ScalarOpId scalar_op = ScalarOpId::Add;
  DType cast_to = DType::Float64;  // used by Cast only
  int inplace = -1;  // the input the output overwrites (destroy_map {0: [inplace]}); -1: none
  auto fields() const { return std::tie(scalar_op, cast_to, inplace); }
};

/// Theano's Elemwise: applies one scalar op elementwise with static broadcasting. Printed
/// "Elemwise{add,no_inplace}" (casts: "Elemwise{Cast{float32}}"); the variant the in-place
/// phase picks writes into an input of the output's type and prints "Elemwise{add,inplace}".
class Elemwise final : public OpBase<Elemwise, ElemwiseParams> {
  HYPATIA_OP(Elemwise, kVariadic, str, make_node, perform, infer_shape, vjp, jvp, connection_pattern)
  explicit Elemwise(ScalarOpId id, DType cast_to = DType::Float64) : OpBase(ElemwiseParams{id, cast_to}) {}
  ScalarOpId scalar_op() const { return params_.scalar_op; }
  ViewMap destroy_map() const override;
  std::shared_ptr<const Op> inplace_variant(const std::vector<int>& allowed) const override;
};

/// Builds the gradients of every input from the inputs, the output and the output gradient.
/// Gradients are tensor graphs shaped like the output; Elemwise reduces broadcast axes.
using ScalarGradFn = std::vector<Var> (*)(const std::vector<Var>& in, const Var& out, const Var& gz);
/// The derivative rule of scalar op `id` (elemwise_grad.cpp; one row per ScalarOpId).
ScalarGradFn scalar_grad(ScalarOpId id);

/// Applies a scalar op elementwise; inputs of lower rank are left-padded with broadcastable axes.
Var elemwise(ScalarOpId id, const std::vector<Var>& inputs, DType cast_to = DType::Float64);
/// The run-time output shape of an elementwise node over `in` (its n input arrays): an axis of
/// length 1 broadcasts only where the input's type says it is broadcastable, as Theano checks.
/// Raises ValueError "[op] Input dimension mis-match ..." otherwise (the op's name is only
/// built then: a fused op's printed form grows with its program).
Shape elemwise_output_shape(const Apply& node, const NDArray* const* in, int n);
/// infer_shape of any elementwise node: each axis from the first input not broadcastable there.
std::vector<ShapeVec> elemwise_infer_shape(const Apply& node, const std::vector<ShapeVec>& shapes);

struct DimShuffleParams {
  std::vector<int> new_order;  // -1 stands for 'x' (a new broadcastable axis)
  bool inplace = true;
  auto fields() const { return std::tie(new_order, inplace); }
};

/// Theano's DimShuffle: permutes axes, inserts broadcastable ones and drops broadcastable ones.
/// The inplace form (the default, as in Theano 1.0) returns a view of its input and prints
/// "InplaceDimShuffle{1,0}"; the copying form prints "DimShuffle{1,0}".
class DimShuffle final : public OpBase<DimShuffle, DimShuffleParams> {
  HYPATIA_OP(DimShuffle, 1, str, make_node, perform, infer_shape, vjp, jvp)
  ViewMap view_map() const override {
    if (params_.inplace) return {{0, {0}}};
    return {};
  }
};

/// True for bool and integer tensors (whose gradients are zeros).
bool is_discrete(const Var& v);
/// Raises a TypeError naming `who` unless v is a dense tensor (sparse gets a pointer to the sparse module).
const TensorType& check_tensor_input(const Var& v, const std::string& who);
/// An int64 scalar constant (shapes, axis lengths).
Var int64_constant(int64_t v);
/// Sums `g` over the axes where `like` is broadcastable but g is not, keeping dims, and casts to
/// like's dtype: the gradient of a broadcast input.
Var reduce_to_like(const Var& g, const Var& like);

}  // namespace hypatia
