// The Elemwise builders (declared in ops/elemwise.h): add/sub/.../cast, the tensor math family over
// the scalar table's rows (see scalar_ops.cpp), fill/zeros_like/ones_like, and the operators.
#include "hypatia/tensor/api.h"
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

// ---- elementwise ----

// The operators that another family may define for its own types (Type::apply_operator) offer
// the call to that family first; dense operands go straight to the elementwise op.
namespace {
Var binary(Operator op, ScalarOpId id, const Var& a, const Var& b) {
  if (Var r = dispatch_operator(op, {a, b})) return r;
  return elemwise(id, {a, b});
}
Var unary(Operator op, ScalarOpId id, const Var& x) {
  if (Var r = dispatch_operator(op, {x})) return r;
  return elemwise(id, {x});
}
}  // namespace

Var add(const Var& a, const Var& b) { return binary(Operator::Add, ScalarOpId::Add, a, b); }
Var sub(const Var& a, const Var& b) { return binary(Operator::Sub, ScalarOpId::Sub, a, b); }
Var mul(const Var& a, const Var& b) { return binary(Operator::Mul, ScalarOpId::Mul, a, b); }
Var true_div(const Var& a, const Var& b) { return binary(Operator::TrueDiv, ScalarOpId::TrueDiv, a, b); }
Var pow(const Var& a, const Var& b) { return binary(Operator::Pow, ScalarOpId::Pow, a, b); }
Var neg(const Var& x) { return unary(Operator::Neg, ScalarOpId::Neg, x); }
Var exp(const Var& x) { return elemwise(ScalarOpId::Exp, {x}); }
Var log(const Var& x) { return elemwise(ScalarOpId::Log, {x}); }
Var sqr(const Var& x) { return elemwise(ScalarOpId::Sqr, {x}); }
Var sqrt(const Var& x) { return elemwise(ScalarOpId::Sqrt, {x}); }
Var eq(const Var& a, const Var& b) { return elemwise(ScalarOpId::Eq, {a, b}); }
Var neq(const Var& a, const Var& b) { return elemwise(ScalarOpId::Neq, {a, b}); }
Var lt(const Var& a, const Var& b) { return binary(Operator::Lt, ScalarOpId::Lt, a, b); }
Var log1p(const Var& x) { return elemwise(ScalarOpId::Log1p, {x}); }
Var expm1(const Var& x) { return elemwise(ScalarOpId::Expm1, {x}); }
Var tanh(const Var& x) { return elemwise(ScalarOpId::Tanh, {x}); }
Var abs_(const Var& x) { return unary(Operator::Abs, ScalarOpId::Abs, x); }
Var gt(const Var& a, const Var& b) { return binary(Operator::Gt, ScalarOpId::Gt, a, b); }
Var le(const Var& a, const Var& b) { return binary(Operator::Le, ScalarOpId::Le, a, b); }
Var ge(const Var& a, const Var& b) { return binary(Operator::Ge, ScalarOpId::Ge, a, b); }
Var cast(const Var& x, DType dtype) {
  OperatorOptions opts;
  opts.dtype = dtype;
  if (Var r = dispatch_operator(Operator::Cast, {x}, opts)) return r;
  Var v = as_tensor_variable(x);
  if (tensor_type(v)->elem() == dtype) return v;
  return elemwise(ScalarOpId::Cast, {v}, dtype);
}

// ---- fill, zeros_like, ones_like ----

Var fill(const Var& model, const Var& value) { return elemwise(ScalarOpId::Second, {model, value}); }

namespace {
Var scalar_of(DType d, double v) {
  NDArray a = NDArray::full(d, {}, v);
  return make_constant(TensorType::make(d, {}), a);
}
}  // namespace

Var zeros_like(const Var& x) { return fill(x, scalar_of(expect_tensor(x, "zeros_like").elem(), 0.0)); }
Var ones_like(const Var& x) { return fill(x, scalar_of(expect_tensor(x, "ones_like").elem(), 1.0)); }

// ---- operators ----

Var operator+(const Var& a, const Var& b) { return add(a, b); }
Var operator-(const Var& a, const Var& b) { return sub(a, b); }
Var operator*(const Var& a, const Var& b) { return mul(a, b); }
Var operator/(const Var& a, const Var& b) { return true_div(a, b); }
Var operator-(const Var& x) { return neg(x); }
Var operator+(const Var& a, double b) { return add(a, constant(b)); }
Var operator+(double a, const Var& b) { return add(constant(a), b); }
Var operator-(const Var& a, double b) { return sub(a, constant(b)); }
Var operator-(double a, const Var& b) { return sub(constant(a), b); }
Var operator*(const Var& a, double b) { return mul(a, constant(b)); }
Var operator*(double a, const Var& b) { return mul(constant(a), b); }
Var operator/(const Var& a, double b) { return true_div(a, constant(b)); }
Var operator/(double a, const Var& b) { return true_div(constant(a), b); }
Var operator>(const Var& a, double b) { return gt(a, constant(b)); }
Var operator<(const Var& a, double b) { return lt(a, constant(b)); }
Var operator+(const Var& a, int b) { return add(a, constant_int(b)); }
Var operator+(int a, const Var& b) { return add(constant_int(a), b); }
Var operator-(const Var& a, int b) { return sub(a, constant_int(b)); }
Var operator-(int a, const Var& b) { return sub(constant_int(a), b); }
Var operator*(const Var& a, int b) { return mul(a, constant_int(b)); }
Var operator*(int a, const Var& b) { return mul(constant_int(a), b); }
Var operator/(const Var& a, int b) { return true_div(a, constant_int(b)); }
Var operator/(int a, const Var& b) { return true_div(constant_int(a), b); }
Var operator>(const Var& a, int b) { return gt(a, constant_int(b)); }
Var operator<(const Var& a, int b) { return lt(a, constant_int(b)); }

}  // namespace hypatia
