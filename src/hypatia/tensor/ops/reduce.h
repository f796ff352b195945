// Reductions (Theano's CAReduce family): Sum, Prod, ProdWithoutZeros, Max, Min, All, Any,
// plus Argmax/Argmin, MaxAndArgmax and the fused AllClose test.
// Every reduce builder (declared after its op) accepts axis = nullopt (all axes), a list, and
// negative axes.
#pragma once
#include <optional>
#include <utility>
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
/// Sum over `axis` (every axis when nullopt; an empty list reduces nothing, as Theano; negative
/// axes count from the end). Output dtype: `dtype`, else the input's except signed ints -> int64,
/// unsigned -> uint64, bool -> int64. Accumulates in `acc_dtype` (default at least int64 /
/// uint64 / float64 / complex128) and casts. More reductions: hypatia/tensor/reduce.h.
Var sum(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false,
        std::optional<DType> dtype = std::nullopt, std::optional<DType> acc_dtype = std::nullopt);
/// Theano's mean: the sum (float32 accumulating in float64, cast back) divided by the count;
/// integer inputs give float64.
Var mean(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false,
         std::optional<DType> dtype = std::nullopt, std::optional<DType> acc_dtype = std::nullopt);

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
/// Product; dtype rules as sum. The gradient handles zeros unless no_zeros_in_input.
Var prod(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false,
         std::optional<DType> dtype = std::nullopt, std::optional<DType> acc_dtype = std::nullopt,
         bool no_zeros_in_input = false);

/// "Max{maximum}", "Max{maximum}{0, 2}" (NaN propagates as numpy). The gradient goes to every
/// position equal to the maximum (ties each get the full output gradient), as Theano.
class Max final : public CAReduce<Max, ReduceKind::Max> {
  HYPATIA_OP(Max, 1, vjp)
};

class Min final : public CAReduce<Min, ReduceKind::Min> {
  HYPATIA_OP(Min, 1, vjp)
};
Var max(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);
Var min(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);

/// Logical and/or over the axes; bool output (docs/semantics.md, "Dtypes and constants"). Printed "All", "All{0, 1}".
class All final : public CAReduce<All, ReduceKind::All> {
  HYPATIA_OP(All, 1, vjp)
};

class Any final : public CAReduce<Any, ReduceKind::Any> {
  HYPATIA_OP(Any, 1, vjp)
};
/// Logical and/or; bool output.
Var all(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);
Var any(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);

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
/// int64 index of the max/min; axis nullopt indexes the flattened tensor.
Var argmax(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);
Var argmin(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);

/// Theano's MaxAndArgmax: two outputs, the maximum (input dtype) and its index (int64).
/// Printed "MaxAndArgmax{axis=(0, 1)}". The max gradient is Max's; the argmax one is zero.
class MaxAndArgmax final : public OpBase<MaxAndArgmax, ArgParams> {
  HYPATIA_OP(MaxAndArgmax, 1, str, make_node, perform, infer_shape, vjp, connection_pattern)
};
std::pair<Var, Var> max_and_argmax(const Var& x, std::optional<std::vector<int>> axis = std::nullopt,
                                   bool keepdims = false);

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
/// Bool scalar: every |a - b| <= atol + rtol * |b| (numpy.allclose), a and b broadcast.
Var allclose(const Var& a, const Var& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);

/// Theano's default output and accumulator dtypes of Sum/Prod for an input dtype.
DType sum_out_dtype(DType in);
DType sum_acc_dtype(DType in);

// ---- builders: compositions of the reductions above ----
/// Theano's var: mean((x - mean(x))**2); with ddof, the sum divided by (n_i - ddof) for each
/// reduced axis; `corrected` subtracts the squared mean of the centred input (two-pass).
Var var(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, int ddof = 0, bool keepdims = false,
        bool corrected = false);
/// sqrt(var(...)); Theano's std (named std_ in C++).
Var std_(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, int ddof = 0, bool keepdims = false,
         bool corrected = false);
/// (sum |x|**L)**(1/L) over axis; L = 0 and infinity raise NotImplemented (as Theano).
Var norm(const Var& x, double L, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);
/// max - min ("peak to peak").
Var ptp(const Var& x, std::optional<std::vector<int>> axis = std::nullopt, bool keepdims = false);

/// Sorted non-negative axes (all when nullopt); ValueError "[who] ..." when out of range.
std::vector<int> normalize_axes(const Var& x, const std::optional<std::vector<int>>& axis, const char* who);
/// r (reduced over `axes` of a rank-nd tensor) with the reduced axes put back as broadcastable.
Var keep_dims(const Var& r, int nd, const std::vector<int>& axes);

}  // namespace hypatia
