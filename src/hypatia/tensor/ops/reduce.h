// Reductions (Theano's CAReduce family): Sum, Prod, ProdWithoutZeros, Max, Min, All, Any,
// plus Argmax/Argmin, MaxAndArgmax and the fused AllClose test.
#pragma once
#include <optional>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

enum class ReduceKind : uint8_t { Sum, Prod, ProdWithoutZeros, Max, Min, All, Any };

struct ReduceParams {
  std::optional<std::vector<int>> axis;  // sorted, non-negative; nullopt = all axes
  DType acc_dtype = DType::Float64;      // Sum/Prod accumulator (ignored by Max/Min/All/Any)
  std::optional<DType> dtype;            // Sum/Prod output dtype; nullopt = the default rule
  bool no_zeros_in_input = false;        // Prod only
  auto fields() const { return std::tie(axis, acc_dtype, dtype, no_zeros_in_input); }
};
using SumParams = ReduceParams;

/// Theano's CAReduce: a commutative, associative scalar op folded over `axis`. The output is
/// the input shape minus the reduced axes. Integer Sum/Prod accumulate in 64 bits, float32 in
/// float64 (acc_dtype), then cast to the output dtype. Large reductions run on OpenMP threads.
class CAReduce : public Op {
 public:
  CAReduce(ReduceKind kind, ReduceParams p) : kind_(kind), params_(std::move(p)) {}
  const ReduceParams& params() const { return params_; }
  ReduceKind kind() const { return kind_; }
  std::string str() const override;
  bool equals(const Op& other) const override;
  size_t hash() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,
                                                   const std::vector<ShapeVec>& input_shapes) const override;
  /// Whether axis d of the input is reduced.
  bool reduces(int d) const;
  /// The output dtype for an input dtype.
  DType out_dtype(DType in) const;

 protected:
  ReduceKind kind_;
  ReduceParams params_;
};

/// "Sum{acc_dtype=float64}", "Sum{axis=[0], acc_dtype=float64}".
class Sum final : public CAReduce {
 public:
  explicit Sum(ReduceParams p = {}) : CAReduce(ReduceKind::Sum, std::move(p)) {}
  std::string name() const override { return "Sum"; }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

/// "Prod{acc_dtype=float64}". The gradient handles groups without zeros (prod / x), with one
/// zero (only that element gets the product of the others) and with several (all zero);
/// with no_zeros_in_input it is simply prod / x (and twice differentiable).
class Prod final : public CAReduce {
 public:
  explicit Prod(ReduceParams p = {}) : CAReduce(ReduceKind::Prod, std::move(p)) {}
  std::string name() const override { return "Prod"; }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

/// The product of the non-zero elements (Prod's gradient helper); not differentiable.
class ProdWithoutZeros final : public CAReduce {
 public:
  explicit ProdWithoutZeros(ReduceParams p = {}) : CAReduce(ReduceKind::ProdWithoutZeros, std::move(p)) {}
  std::string name() const override { return "ProdWithoutZeros"; }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

/// "Max{maximum}", "Max{maximum}{0, 2}" (NaN propagates as numpy). The gradient goes to every
/// position equal to the maximum (ties each get the full output gradient), as Theano.
class Max final : public CAReduce {
 public:
  explicit Max(ReduceParams p = {}) : CAReduce(ReduceKind::Max, std::move(p)) {}
  std::string name() const override { return "Max"; }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

class Min final : public CAReduce {
 public:
  explicit Min(ReduceParams p = {}) : CAReduce(ReduceKind::Min, std::move(p)) {}
  std::string name() const override { return "Min"; }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

/// Logical and/or over the axes; bool output (DECISIONS.md item 1). Printed "All", "All{0, 1}".
class All final : public CAReduce {
 public:
  explicit All(ReduceParams p = {}) : CAReduce(ReduceKind::All, std::move(p)) {}
  std::string name() const override { return "All"; }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

class Any final : public CAReduce {
 public:
  explicit Any(ReduceParams p = {}) : CAReduce(ReduceKind::Any, std::move(p)) {}
  std::string name() const override { return "Any"; }
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

struct ArgParams {
  std::vector<int> axis;  // sorted, non-negative, never empty (None means every axis)
  auto fields() const { return std::tie(axis); }
};

/// Index of the maximum (Argmax) / minimum (Argmin) over `axis`; several axes index their
/// flattened (C order) block, as Theano. int64 output; the first occurrence wins; NaN counts
/// as the extreme (numpy). Printed "Argmax{axis=(0,)}".
class Argmax final : public OpBase<Argmax, ArgParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Argmax"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,
                                                   const std::vector<ShapeVec>& input_shapes) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

class Argmin final : public OpBase<Argmin, ArgParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Argmin"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,
                                                   const std::vector<ShapeVec>& input_shapes) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

/// Theano's MaxAndArgmax: two outputs, the maximum (input dtype) and its index (int64).
/// Printed "MaxAndArgmax{axis=(0, 1)}". The max gradient is Max's; the argmax one is zero.
class MaxAndArgmax final : public OpBase<MaxAndArgmax, ArgParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "MaxAndArgmax"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,
                                                   const std::vector<ShapeVec>& input_shapes) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override;
};

struct AllCloseParams {
  double rtol = 1e-5, atol = 1e-8;
  bool equal_nan = false;
  auto fields() const { return std::tie(rtol, atol, equal_nan); }
};

/// all(|a - b| <= atol + rtol * |b|) over broadcast a and b, fused into one reduction (the
/// elementwise isclose belongs to the math family). Bool scalar output; not differentiable.
class AllClose final : public OpBase<AllClose, AllCloseParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "AllClose"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node,
                                                   const std::vector<ShapeVec>& input_shapes) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

/// Theano's default output and accumulator dtypes of Sum/Prod for an input dtype.
DType sum_out_dtype(DType in);
DType sum_acc_dtype(DType in);

}  // namespace hypatia
