// The tensor math family: builders over the scalar table's rows (see scalar_ops.cpp).
#include "hypatia/tensor/math.h"

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {

namespace {
Var E1(ScalarOpId id, const Var& x) { return elemwise(id, {x}); }
Var E2(ScalarOpId id, const Var& a, const Var& b) { return elemwise(id, {a, b}); }
}  // namespace

Var exp2(const Var& x) { return E1(ScalarOpId::Exp2, x); }
Var log2(const Var& x) { return E1(ScalarOpId::Log2, x); }
Var log10(const Var& x) { return E1(ScalarOpId::Log10, x); }
Var inv(const Var& x) { return E1(ScalarOpId::Inv, x); }
Var sin(const Var& x) { return E1(ScalarOpId::Sin, x); }
Var cos(const Var& x) { return E1(ScalarOpId::Cos, x); }
Var tan(const Var& x) { return E1(ScalarOpId::Tan, x); }
Var arcsin(const Var& x) { return E1(ScalarOpId::ArcSin, x); }
Var arccos(const Var& x) { return E1(ScalarOpId::ArcCos, x); }
Var arctan(const Var& x) { return E1(ScalarOpId::ArcTan, x); }
Var arctan2(const Var& y, const Var& x) { return E2(ScalarOpId::ArcTan2, y, x); }
Var sinh(const Var& x) { return E1(ScalarOpId::Sinh, x); }
Var cosh(const Var& x) { return E1(ScalarOpId::Cosh, x); }
Var arcsinh(const Var& x) { return E1(ScalarOpId::ArcSinh, x); }
Var arccosh(const Var& x) { return E1(ScalarOpId::ArcCosh, x); }
Var arctanh(const Var& x) { return E1(ScalarOpId::ArcTanh, x); }
Var deg2rad(const Var& x) { return E1(ScalarOpId::Deg2Rad, x); }
Var rad2deg(const Var& x) { return E1(ScalarOpId::Rad2Deg, x); }
Var erf(const Var& x) { return E1(ScalarOpId::Erf, x); }
Var erfc(const Var& x) { return E1(ScalarOpId::Erfc, x); }
Var erfinv(const Var& x) { return E1(ScalarOpId::Erfinv, x); }
Var erfcinv(const Var& x) { return E1(ScalarOpId::Erfcinv, x); }
Var gamma(const Var& x) { return E1(ScalarOpId::Gamma, x); }
Var gammaln(const Var& x) { return E1(ScalarOpId::GammaLn, x); }
Var psi(const Var& x) { return E1(ScalarOpId::Psi, x); }
Var tri_gamma(const Var& x) { return E1(ScalarOpId::TriGamma, x); }
Var rint(const Var& x) { return E1(ScalarOpId::Rint, x); }

Var ceil(const Var& x) { return E1(ScalarOpId::Ceil, x); }
Var floor(const Var& x) { return E1(ScalarOpId::Floor, x); }
Var trunc(const Var& x) { return E1(ScalarOpId::Trunc, x); }
Var round(const Var& x, const std::string& mode) {
  if (mode == "half_away_from_zero") return E1(ScalarOpId::RoundHalfAwayFromZero, x);
  if (mode == "half_to_even") return E1(ScalarOpId::RoundHalfToEven, x);
  value_error("[round] mode must be 'half_away_from_zero' or 'half_to_even', got '", mode, "'");
}
Var iround(const Var& x, const std::string& mode) { return cast(round(x, mode), DType::Int64); }
Var sgn(const Var& x) { return E1(ScalarOpId::Sgn, x); }

Var real(const Var& x) { return E1(ScalarOpId::Real, x); }
Var imag(const Var& x) { return E1(ScalarOpId::Imag, x); }
Var angle(const Var& x) { return E1(ScalarOpId::Angle, x); }
Var conj(const Var& x) { return E1(ScalarOpId::Conj, x); }

Var maximum(const Var& a, const Var& b) { return E2(ScalarOpId::Maximum, a, b); }
Var minimum(const Var& a, const Var& b) { return E2(ScalarOpId::Minimum, a, b); }
Var int_div(const Var& a, const Var& b) { return E2(ScalarOpId::IntDiv, a, b); }
Var mod(const Var& a, const Var& b) { return E2(ScalarOpId::Mod, a, b); }

Var isnan(const Var& x) { return E1(ScalarOpId::IsNan, x); }
Var isinf(const Var& x) { return E1(ScalarOpId::IsInf, x); }

Var isclose(const Var& a_in, const Var& b_in, double rtol, double atol, bool equal_nan) {
  Var a = as_tensor_variable(a_in), b = as_tensor_variable(b_in);
  for (const Var& v : {a, b})
    if (is_complex(*v.type()->dtype()))
      type_error("[isclose] complex inputs are not supported (abs_ of complex is not available)");
  // numpy computes with b as a float (result_type(b, 1.0)); unsigned a - b must not wrap.
  if (!is_inexact(*b.type()->dtype())) b = cast(b, DType::Float64);
  Var close = le(abs_(sub(a, b)), add(constant(atol), mul(constant(rtol), abs_(b))));
  Var finite = and_(invert(or_(isnan(a), isinf(a))), invert(or_(isnan(b), isinf(b))));
  Var r = or_(and_(finite, close), and_(invert(finite), eq(a, b)));
  if (equal_nan) r = or_(r, and_(isnan(a), isnan(b)));
  return r;
}

Var and_(const Var& a, const Var& b) { return E2(ScalarOpId::And, a, b); }
Var or_(const Var& a, const Var& b) { return E2(ScalarOpId::Or, a, b); }
Var xor_(const Var& a, const Var& b) { return E2(ScalarOpId::Xor, a, b); }
Var invert(const Var& x) { return E1(ScalarOpId::Invert, x); }

Var switch_(const Var& cond, const Var& ift, const Var& iff) { return elemwise(ScalarOpId::Switch, {cond, ift, iff}); }
Var clip(const Var& x, const Var& lo, const Var& hi) { return elemwise(ScalarOpId::Clip, {x, lo, hi}); }

}  // namespace hypatia
