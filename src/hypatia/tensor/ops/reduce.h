// Sum: reduction over a list of axes (or all), accumulating integers in 64 bits as Theano.
#pragma once
#include <optional>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

struct SumParams {
  std::optional<std::vector<int>> axis;  // sorted, non-negative; nullopt = all axes
  DType acc_dtype = DType::Float64;
  auto fields() const { return std::tie(axis, acc_dtype); }
};

/// Theano's Sum, printed "Sum{acc_dtype=float64}" or "Sum{axis=[0], acc_dtype=float64}".
/// Output dtype: int64 for signed ints and bool, uint64 for unsigned, the input's for inexact.
class Sum final : public OpBase<Sum, SumParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Sum"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,
                                                   const std::vector<ShapeVec>& input_shapes) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
  /// Whether axis d of an input of rank nd is summed.
  bool reduces(int d) const;
};

/// The default output and accumulator dtypes of Sum for an input dtype.
DType sum_out_dtype(DType in);
DType sum_acc_dtype(DType in);

}  // namespace hypatia
