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
/// The kinds below share typing, kernels and shapes (reduce.cpp instantiates each) and
/// differ in their gradients.
template <class Derived, ReduceKind K>
class CAReduce : public hypatia::OpBase<Derived, ReduceParams> {
 public:
  using hypatia::OpBase<Derived, ReduceParams>::OpBase;
  /// Lets HYPATIA_OP's `using OpBase::OpBase` in a kind inherit this class's constructors.
  using OpBase = CAReduce;
  static constexpr ReduceKind kind() { return K; }
  HYPATIA_OP_METHODS(str, make_node, perform, infer_shape)
  /// Whether axis d of the input is reduced.
  bool reduces(int d) const;
  /// The output dtype for an input dtype.
  DType out_dtype(DType in) const;
};

/// "Sum{acc_dtype=float64}", "Sum{axis=[0], acc_dtype=float64}".
class Sum final : public CAReduce<Sum, ReduceKind::Sum> {
  HYPATIA_OP(Sum, 1, vjp, jvp)
};

/// "Prod{acc_dtype=float64}". The gradient handles groups without zeros (prod / x), with one
/// zero (only that element gets the product of the others) and with several (all zero);
/// with no_zeros_in_input it is simply prod / x (and twice differentiable).
class Prod final : public CAReduce<Prod, ReduceKind::Prod> {
  HYPATIA_OP(Prod, 1, vjp)
};

/// The product of the non-zero elements (Prod's gradient helper); not differentiable.
class ProdWithoutZeros final : public CAReduce<ProdWithoutZeros, ReduceKind::ProdWithoutZeros> {
  HYPATIA_OP(ProdWithoutZeros, 1, vjp)
};

/// "Max{maximum}", "Max{maximum}{0, 2}" (NaN propagates as numpy). The gradient goes to every
/// position equal to the maximum (ties each get the full output gradient), as Theano.
class Max final : public CAReduce<Max, ReduceKind::Max> {
  HYPATIA_OP(Max, 1, vjp)
};

class Min final : public CAReduce<Min, ReduceKind::Min> {
  HYPATIA_OP(Min, 1, vjp)
};

/// Logical and/or over the axes; bool output (docs/semantics.md, "Dtypes and constants"). Printed "All", "All{0, 1}".
class All final : public CAReduce<All, ReduceKind::All> {
  HYPATIA_OP(All, 1, vjp)
};

class Any final : public CAReduce<Any, ReduceKind::Any> {
  HYPATIA_OP(Any, 1, vjp)
};

struct ArgParams {
  std::vector<int> axis;  // sorted, non-negative, never empty (None means every axis)
  auto fields() const { return std::tie(axis); }
};

/// Index of the maximum (Argmax) / minimum (Argmin) over `axis`; several axes index their
/// flattened (C order) block, as Theano. int64 output; the first occurrence wins; NaN counts
/// as the extreme (numpy). Printed "Argmax{axis=(0,)}".
class Argmax final : public OpBase<Argmax, ArgParams> {
  HYPATIA_OP(Argmax, 1, str, make_node, perform, infer_shape, vjp)
};

class Argmin final : public OpBase<Argmin, ArgParams> {
  HYPATIA_OP(Argmin, 1, str, make_node, perform, infer_shape, vjp)
};

/// Theano's MaxAndArgmax: two outputs, the maximum (input dtype) and its index (int64).
/// Printed "MaxAndArgmax{axis=(0, 1)}". The max gradient is Max's; the argmax one is zero.
class MaxAndArgmax final : public OpBase<MaxAndArgmax, ArgParams> {
  HYPATIA_OP(MaxAndArgmax, 1, str, make_node, perform, infer_shape, vjp, connection_pattern)
};

struct AllCloseParams {
  double rtol = 1e-5, atol = 1e-8;
  bool equal_nan = false;
  auto fields() const { return std::tie(rtol, atol, equal_nan); }
};

/// all(|a - b| <= atol + rtol * |b|) over broadcast a and b, fused into one reduction (the
/// elementwise isclose belongs to the math family). Bool scalar output; not differentiable.
class AllClose final : public OpBase<AllClose, AllCloseParams> {
  HYPATIA_OP(AllClose, 2, str, make_node, perform, infer_shape, vjp)
};

/// Theano's default output and accumulator dtypes of Sum/Prod for an input dtype.
DType sum_out_dtype(DType in);
DType sum_acc_dtype(DType in);

}  // namespace hypatia
