// Elemwise (a scalar op mapped over broadcast tensors) and DimShuffle (axis permutation view).
#pragma once
#include <optional>
#include <string>
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
/// Theano's DimShuffle: a permutation with -1 ('x') inserting broadcastable axes; dropped
/// axes must be broadcastable.
Var dimshuffle(const Var& x, const std::vector<int>& pattern);
Var transpose(const Var& x, std::optional<std::vector<int>> axes = std::nullopt);

/// True for bool and integer tensors (whose gradients are zeros).
bool is_discrete(const Var& v);
/// Raises a TypeError naming `who` unless v is a dense tensor (sparse gets a pointer to the sparse module).
const TensorType& check_tensor_input(const Var& v, const std::string& who);
/// An int64 scalar constant (shapes, axis lengths).
Var int64_constant(int64_t v);
/// Sums `g` over the axes where `like` is broadcastable but g is not, keeping dims, and casts to
/// like's dtype: the gradient of a broadcast input.
Var reduce_to_like(const Var& g, const Var& like);

// ---- builders: elementwise (broadcast by static broadcastable flags; numpy dtype promotion) ----
Var add(const Var& a, const Var& b);
Var sub(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
Var true_div(const Var& a, const Var& b);  // int/int gives a float
Var pow(const Var& a, const Var& b);
Var neg(const Var& x);
Var exp(const Var& x);
Var log(const Var& x);
Var sqr(const Var& x);
Var sqrt(const Var& x);
Var log1p(const Var& x);  // log(1 + x), accurate for tiny x
Var expm1(const Var& x);  // exp(x) - 1, accurate for tiny x
Var tanh(const Var& x);
Var abs_(const Var& x);   // keeps the dtype (ints stay ints); Theano's abs_
Var eq(const Var& a, const Var& b);  // comparisons return bool (docs/semantics.md, "Dtypes and constants")
Var neq(const Var& a, const Var& b);
Var lt(const Var& a, const Var& b);
Var gt(const Var& a, const Var& b);
Var le(const Var& a, const Var& b);
Var ge(const Var& a, const Var& b);
Var cast(const Var& x, DType dtype);

// ---- builders: fill, zeros_like, ones_like (the Elemwise Second) ----
/// An array shaped like `model` filled with `value` (Theano's fill / second).
Var fill(const Var& model, const Var& value);
Var zeros_like(const Var& x);
Var ones_like(const Var& x);

// ---- builders: the tensor math family (theano.tensor's elementwise section): each builder is an
// Elemwise over one row of the scalar table, with numpy's dtype rules, broadcasting and Theano's
// gradients. ----
// ---- float functions (integer inputs give floats: int8/int16 -> float32, wider -> float64) ----
Var exp2(const Var& x);
Var log2(const Var& x);
Var log10(const Var& x);
Var inv(const Var& x);  // 1 / x (Theano's inv, numpy's reciprocal on floats)
Var sin(const Var& x);
Var cos(const Var& x);
Var tan(const Var& x);
Var arcsin(const Var& x);
Var arccos(const Var& x);
Var arctan(const Var& x);
Var arctan2(const Var& y, const Var& x);
Var sinh(const Var& x);
Var cosh(const Var& x);
Var arcsinh(const Var& x);
Var arccosh(const Var& x);
Var arctanh(const Var& x);
Var deg2rad(const Var& x);
Var rad2deg(const Var& x);
Var erf(const Var& x);
Var erfc(const Var& x);
Var erfinv(const Var& x);
Var erfcinv(const Var& x);
Var gamma(const Var& x);
Var gammaln(const Var& x);
Var psi(const Var& x);       // digamma
Var tri_gamma(const Var& x);  // polygamma(1, x), psi's derivative
Var rint(const Var& x);      // round half to even; ints become floats (numpy)

// ---- rounding and sign (keep the dtype; zero gradient) ----
Var ceil(const Var& x);
Var floor(const Var& x);
Var trunc(const Var& x);
/// mode "half_away_from_zero" (the default, Theano's) or "half_to_even" (numpy's); ValueError otherwise.
Var round(const Var& x, const std::string& mode = "half_away_from_zero");
Var iround(const Var& x, const std::string& mode = "half_away_from_zero");  // cast(round(x), int64)
Var sgn(const Var& x);

// ---- complex ----
Var real(const Var& x);   // real part (x itself for real x); complex64 -> float32
Var imag(const Var& x);   // imaginary part (zeros for real x)
Var angle(const Var& x);  // argument; real x gives 0 or pi
Var conj(const Var& x);

// ---- binary arithmetic ----
Var maximum(const Var& a, const Var& b);
Var minimum(const Var& a, const Var& b);
Var int_div(const Var& a, const Var& b);  // numpy floor_divide (a // b)
Var mod(const Var& a, const Var& b);      // numpy remainder (a % b, the divisor's sign)

// ---- predicates (bool) ----
Var isnan(const Var& x);
Var isinf(const Var& x);
/// numpy.isclose: |a - b| <= atol + rtol |b| for finite values, equality for infinities, and
/// NaN close to NaN only with equal_nan.
Var isclose(const Var& a, const Var& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);

// ---- bitwise (integer and bool inputs; logical on bool) ----
Var and_(const Var& a, const Var& b);
Var or_(const Var& a, const Var& b);
Var xor_(const Var& a, const Var& b);
Var invert(const Var& x);

// ---- conditionals ----
/// Elementwise cond ? ift : iff with broadcasting over all three (numpy.where); the condition
/// may have any dtype (nonzero is true). Gradients flow to ift and iff only.
Var switch_(const Var& cond, const Var& ift, const Var& iff);
/// numpy.clip: minimum(maximum(x, lo), hi); x's gradient passes where lo <= x <= hi.
Var clip(const Var& x, const Var& lo, const Var& hi);

// ---- builders: operators (the natural C++ API) ----
Var operator+(const Var& a, const Var& b);
Var operator-(const Var& a, const Var& b);
Var operator*(const Var& a, const Var& b);
Var operator/(const Var& a, const Var& b);
Var operator-(const Var& x);
Var operator+(const Var& a, double b);
Var operator+(double a, const Var& b);
Var operator-(const Var& a, double b);
Var operator-(double a, const Var& b);
Var operator*(const Var& a, double b);
Var operator*(double a, const Var& b);
Var operator/(const Var& a, double b);
Var operator/(double a, const Var& b);
Var operator>(const Var& a, double b);
Var operator<(const Var& a, double b);
/// Integer literals become the smallest int constant holding them (Python ints), so `x * 2`
/// keeps an int32 x int32 as Theano does.
Var operator+(const Var& a, int b);
Var operator+(int a, const Var& b);
Var operator-(const Var& a, int b);
Var operator-(int a, const Var& b);
Var operator*(const Var& a, int b);
Var operator*(int a, const Var& b);
Var operator/(const Var& a, int b);
Var operator/(int a, const Var& b);
Var operator>(const Var& a, int b);
Var operator<(const Var& a, int b);

}  // namespace hypatia
