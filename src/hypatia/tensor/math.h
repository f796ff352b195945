// The tensor math family (theano.tensor's elementwise section): each builder is an Elemwise over
// one row of the scalar table, with numpy's dtype rules, broadcasting and Theano's gradients.
#pragma once
#include <string>

#include "hypatia/graph/variable.h"
#include "hypatia/value/dtype.h"

namespace hypatia {

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

}  // namespace hypatia
