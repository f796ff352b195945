// The scalar op table: dtype rules and gradients (as tensor graphs) of each elementwise function.
#include "hypatia/scalar/scalar_ops.h"

#include <limits>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {

using Vars = std::vector<Var>;

Vars g_add(const Vars&, const Var&, const Var& gz) { return {gz, gz}; }
Vars g_sub(const Vars&, const Var&, const Var& gz) { return {gz, neg(gz)}; }
Vars g_mul(const Vars& in, const Var&, const Var& gz) { return {mul(gz, in[1]), mul(gz, in[0])}; }
Vars g_div(const Vars& in, const Var& out, const Var& gz) {
  return {true_div(gz, in[1]), neg(true_div(mul(gz, out), in[1]))};
}
Vars g_pow(const Vars& in, const Var& out, const Var& gz) {
  return {mul(gz, mul(in[1], pow(in[0], sub(in[1], constant_int(1))))), mul(gz, mul(log(in[0]), out))};
}
Vars g_neg(const Vars&, const Var&, const Var& gz) { return {neg(gz)}; }
Vars g_exp(const Vars&, const Var& out, const Var& gz) { return {mul(gz, out)}; }
Vars g_log(const Vars& in, const Var&, const Var& gz) { return {true_div(gz, in[0])}; }
Vars g_sqr(const Vars& in, const Var&, const Var& gz) { return {mul(gz, mul(in[0], constant_int(2)))}; }
Vars g_sqrt(const Vars&, const Var& out, const Var& gz) { return {true_div(gz, mul(out, constant_int(2)))}; }
// sigmoid' = s (1 - s); softplus' = sigmoid; log1p' = 1/(1+x); expm1' = expm1(x) + 1 = e^x;
// tanh' = 1 - tanh^2; abs' = sign(x) (0 at 0, as Theano's abs_ grad x/|x| with 0/0 := 0).
Vars g_sigmoid(const Vars&, const Var& out, const Var& gz) {
  return {mul(gz, mul(out, sub(constant_int(1), out)))};
}
Vars g_softplus(const Vars& in, const Var&, const Var& gz) {
  return {mul(gz, elemwise(ScalarOpId::Sigmoid, {in[0]}))};
}
Vars g_log1p(const Vars& in, const Var&, const Var& gz) { return {true_div(gz, add(constant_int(1), in[0]))}; }
Vars g_expm1(const Vars&, const Var& out, const Var& gz) { return {mul(gz, add(out, constant_int(1)))}; }
Vars g_tanh(const Vars&, const Var& out, const Var& gz) { return {mul(gz, sub(constant_int(1), sqr(out)))}; }
Vars g_abs(const Vars& in, const Var&, const Var& gz) {
  // sign(x) = (x > 0) - (x < 0), computed in gz's dtype.
  const Var& x = in[0];
  Var sign = sub(cast(gt(x, constant_int(0)), DType::Int8), cast(lt(x, constant_int(0)), DType::Int8));
  return {mul(gz, sign)};
}
Vars g_cmp(const Vars& in, const Var&, const Var&) { return {zeros_like(in[0]), zeros_like(in[1])}; }
Vars g_id(const Vars&, const Var&, const Var& gz) { return {gz}; }
Vars g_second(const Vars&, const Var&, const Var& gz) { return {disconnected_var(), gz}; }

// ---- the tensor math family ----
Var E(ScalarOpId id, const Vars& in) { return elemwise(id, in); }
Var C(double v) { return constant(v); }
Var one() { return constant_int(1); }
Var zero() { return constant_int(0); }
// The gradient a complex input gets from a real-valued output: complex(re, im) (Theano's).
Var to_complex(const Var& re, const Var& im, DType cd) {
  Var j = constant(NDArray::scalar<complex64>(complex64(0.0f, 1.0f)));
  return add(cast(re, cd), mul(cast(im, cd), j));
}
DType dtype_of_var(const Var& v) { return *v.type()->dtype(); }

// Piecewise-constant functions (rounding, sign, predicates, bitwise, integer division): Theano
// returns zeros of the input's type (floatX for discrete inputs; Elemwise gives zeros_like for
// those), so the gradient is connected and zero, never undefined.
Vars g_zero1(const Vars& in, const Var&, const Var&) { return {zeros_like(in[0])}; }
Vars g_zero2(const Vars& in, const Var&, const Var&) { return {zeros_like(in[0]), zeros_like(in[1])}; }
// inv' = -1/x^2 = -out^2; exp2' = ln2 2^x; log2' = 1/(x ln2); log10' = 1/(x ln10).
Vars g_inv(const Vars&, const Var& out, const Var& gz) { return {neg(mul(gz, sqr(out)))}; }
Vars g_exp2(const Vars&, const Var& out, const Var& gz) { return {mul(gz, mul(out, C(0.69314718055994530942)))}; }
Vars g_log2(const Vars& in, const Var&, const Var& gz) { return {true_div(gz, mul(in[0], C(0.69314718055994530942)))}; }
Vars g_log10(const Vars& in, const Var&, const Var& gz) { return {true_div(gz, mul(in[0], C(2.30258509299404568402)))}; }
// sin' = cos; cos' = -sin; tan' = 1 + tan^2; arcsin' = 1/sqrt(1-x^2); arccos' = -arcsin';
// arctan' = 1/(1+x^2); sinh' = cosh; cosh' = sinh; arcsinh' = 1/sqrt(x^2+1);
// arccosh' = 1/sqrt(x^2-1); arctanh' = 1/(1-x^2).
Vars g_sin(const Vars& in, const Var&, const Var& gz) { return {mul(gz, E(ScalarOpId::Cos, {in[0]}))}; }
Vars g_cos(const Vars& in, const Var&, const Var& gz) { return {neg(mul(gz, E(ScalarOpId::Sin, {in[0]})))}; }
Vars g_tan(const Vars&, const Var& out, const Var& gz) { return {mul(gz, add(one(), sqr(out)))}; }
Vars g_arcsin(const Vars& in, const Var&, const Var& gz) { return {true_div(gz, sqrt(sub(one(), sqr(in[0]))))}; }
Vars g_arccos(const Vars& in, const Var&, const Var& gz) { return {neg(true_div(gz, sqrt(sub(one(), sqr(in[0])))))}; }
Vars g_arctan(const Vars& in, const Var&, const Var& gz) { return {true_div(gz, add(one(), sqr(in[0])))}; }
Vars g_sinh(const Vars& in, const Var&, const Var& gz) { return {mul(gz, E(ScalarOpId::Cosh, {in[0]}))}; }
Vars g_cosh(const Vars& in, const Var&, const Var& gz) { return {mul(gz, E(ScalarOpId::Sinh, {in[0]}))}; }
Vars g_arcsinh(const Vars& in, const Var&, const Var& gz) { return {true_div(gz, sqrt(add(sqr(in[0]), one())))}; }
Vars g_arccosh(const Vars& in, const Var&, const Var& gz) { return {true_div(gz, sqrt(sub(sqr(in[0]), one())))}; }
Vars g_arctanh(const Vars& in, const Var&, const Var& gz) { return {true_div(gz, sub(one(), sqr(in[0])))}; }
Vars g_deg2rad(const Vars&, const Var&, const Var& gz) { return {mul(gz, C(3.14159265358979323846 / 180.0))}; }
Vars g_rad2deg(const Vars&, const Var&, const Var& gz) { return {mul(gz, C(180.0 / 3.14159265358979323846))}; }
// erf' = 2/sqrt(pi) e^{-x^2}; erfc' = -erf'; erfinv' = sqrt(pi)/2 e^{erfinv(x)^2};
// erfcinv' = -sqrt(pi)/2 e^{erfcinv(x)^2} (Theano's).
constexpr double k2SqrtPi = 1.12837916709551257390;
constexpr double kSqrtPiOver2 = 0.88622692545275801365;
Vars g_erf(const Vars& in, const Var&, const Var& gz) { return {mul(gz, mul(C(k2SqrtPi), exp(neg(sqr(in[0])))))}; }
Vars g_erfc(const Vars& in, const Var&, const Var& gz) { return {neg(mul(gz, mul(C(k2SqrtPi), exp(neg(sqr(in[0]))))))}; }
Vars g_erfinv(const Vars&, const Var& out, const Var& gz) { return {mul(gz, mul(C(kSqrtPiOver2), exp(sqr(out))))}; }
Vars g_erfcinv(const Vars&, const Var& out, const Var& gz) { return {neg(mul(gz, mul(C(kSqrtPiOver2), exp(sqr(out)))))}; }
// gamma' = gamma psi; gammaln' = psi; psi' = trigamma (polygamma(1)); trigamma's own gradient
// is not implemented, as in Theano (TriGamma.grad -> grad_not_implemented).
Vars g_gamma(const Vars& in, const Var& out, const Var& gz) { return {mul(gz, mul(out, E(ScalarOpId::Psi, {in[0]})))}; }
Vars g_gammaln(const Vars& in, const Var&, const Var& gz) { return {mul(gz, E(ScalarOpId::Psi, {in[0]}))}; }
Vars g_psi(const Vars& in, const Var&, const Var& gz) { return {mul(gz, E(ScalarOpId::TriGamma, {in[0]}))}; }
Vars g_trigamma(const Vars&, const Var&, const Var&) {
  return {null_var("This variable is Null because the grad method for input 0 (Elemwise{tri_gamma,no_inplace}) "
                   "is not implemented (it would need polygamma(2)).")};
}
// real/imag/conj/angle (Theano's Real/Imag/Conj/Angle grads): a complex input gets
// complex(gz, 0), complex(0, gz), conj(gz) and complex(-gz y/r^2, gz x/r^2); a real input
// gets gz, zeros, gz and zeros (angle is piecewise constant on the reals).
Vars g_real(const Vars& in, const Var&, const Var& gz) {
  const DType d = dtype_of_var(in[0]);
  if (!is_complex(d)) return {gz};
  return {cast(gz, d)};
}
Vars g_imag(const Vars& in, const Var&, const Var& gz) {
  const DType d = dtype_of_var(in[0]);
  if (!is_complex(d)) return {zeros_like(in[0])};
  return {to_complex(zeros_like(gz), gz, d)};
}
Vars g_conj(const Vars&, const Var&, const Var& gz) { return {E(ScalarOpId::Conj, {gz})}; }
Vars g_angle(const Vars& in, const Var&, const Var& gz) {
  const DType d = dtype_of_var(in[0]);
  if (!is_complex(d)) return {zeros_like(in[0])};
  Var xr = E(ScalarOpId::Real, {in[0]}), xi = E(ScalarOpId::Imag, {in[0]});
  Var r2 = add(sqr(xr), sqr(xi));
  return {to_complex(neg(true_div(mul(gz, xi), r2)), true_div(mul(gz, xr), r2), d)};
}
// arctan2(y, x): d/dy = x/(x^2+y^2), d/dx = -y/(x^2+y^2).
Vars g_arctan2(const Vars& in, const Var&, const Var& gz) {
  Var r2 = add(sqr(in[0]), sqr(in[1]));
  return {true_div(mul(gz, in[1]), r2), neg(true_div(mul(gz, in[0]), r2))};
}
// maximum/minimum (Theano's): the gradient goes to every input equal to the output (both on ties).
Vars g_maxmin(const Vars& in, const Var& out, const Var& gz) {
  return {mul(gz, eq(out, in[0])), mul(gz, eq(out, in[1]))};
}
// mod (Theano's Mod.grad): d/dx = 1, d/dy = -floor(x / y).
Vars g_mod(const Vars& in, const Var&, const Var& gz) {
  return {gz, mul(gz, neg(E(ScalarOpId::IntDiv, {in[0], in[1]})))};
}
// switch: the output gradient flows to the branch taken; the condition gets zeros (Theano's).
Vars g_switch(const Vars& in, const Var&, const Var& gz) {
  return {zeros_like(in[0]), E(ScalarOpId::Switch, {in[0], gz, zero()}), E(ScalarOpId::Switch, {in[0], zero(), gz})};
}
// clip (Theano's): x gets gz where min <= x <= max, min where x < min, max where x > max.
Vars g_clip(const Vars& in, const Var&, const Var& gz) {
  const Var &x = in[0], &lo = in[1], &hi = in[2];
  return {mul(gz, E(ScalarOpId::And, {ge(x, lo), le(x, hi)})), mul(gz, lt(x, lo)), mul(gz, gt(x, hi))};
}

const ScalarOpInfo kTable[] = {
    {ScalarOpId::Add, "add", 2, DTypeRule::Upcast, true, g_add},
    {ScalarOpId::Sub, "sub", 2, DTypeRule::Upcast, false, g_sub},
    {ScalarOpId::Mul, "mul", 2, DTypeRule::Upcast, true, g_mul},
    {ScalarOpId::TrueDiv, "true_div", 2, DTypeRule::FloatUpcast, true, g_div},
    {ScalarOpId::Pow, "pow", 2, DTypeRule::Upcast, true, g_pow},
    {ScalarOpId::Neg, "neg", 1, DTypeRule::Upcast, false, g_neg},
    {ScalarOpId::Exp, "exp", 1, DTypeRule::FloatUpcast, true, g_exp},
    {ScalarOpId::Log, "log", 1, DTypeRule::FloatUpcast, true, g_log},
    {ScalarOpId::Sqr, "sqr", 1, DTypeRule::Upcast, true, g_sqr},
    {ScalarOpId::Sqrt, "sqrt", 1, DTypeRule::FloatUpcast, true, g_sqrt},
    {ScalarOpId::Eq, "eq", 2, DTypeRule::Bool, true, g_cmp},
    {ScalarOpId::Neq, "neq", 2, DTypeRule::Bool, true, g_cmp},
    {ScalarOpId::Lt, "lt", 2, DTypeRule::Bool, true, g_cmp},
    {ScalarOpId::Gt, "gt", 2, DTypeRule::Bool, true, g_cmp},
    {ScalarOpId::Le, "le", 2, DTypeRule::Bool, true, g_cmp},
    {ScalarOpId::Ge, "ge", 2, DTypeRule::Bool, true, g_cmp},
    {ScalarOpId::Identity, "identity", 1, DTypeRule::Upcast, true, g_id},
    {ScalarOpId::Cast, "cast", 1, DTypeRule::CastTo, true, g_id},
    {ScalarOpId::Second, "second", 2, DTypeRule::Second, true, g_second},
    {ScalarOpId::Sigmoid, "sigmoid", 1, DTypeRule::FloatUpcast, true, g_sigmoid},
    {ScalarOpId::Softplus, "softplus", 1, DTypeRule::FloatUpcast, true, g_softplus},
    {ScalarOpId::Log1p, "log1p", 1, DTypeRule::FloatUpcast, true, g_log1p},
    {ScalarOpId::Expm1, "expm1", 1, DTypeRule::FloatUpcast, true, g_expm1},
    {ScalarOpId::Tanh, "tanh", 1, DTypeRule::FloatUpcast, true, g_tanh},
    {ScalarOpId::Abs, "abs_", 1, DTypeRule::Upcast, true, g_abs},
    // the tensor math family: name, arity, dtype rule, bool ok, grad, complex ok, int only
    {ScalarOpId::Exp2, "exp2", 1, DTypeRule::FloatUpcast, true, g_exp2},
    {ScalarOpId::Log2, "log2", 1, DTypeRule::FloatUpcast, true, g_log2},
    {ScalarOpId::Log10, "log10", 1, DTypeRule::FloatUpcast, true, g_log10},
    {ScalarOpId::Inv, "inv", 1, DTypeRule::FloatUpcast, true, g_inv},
    {ScalarOpId::Sin, "sin", 1, DTypeRule::FloatUpcast, true, g_sin},
    {ScalarOpId::Cos, "cos", 1, DTypeRule::FloatUpcast, true, g_cos},
    {ScalarOpId::Tan, "tan", 1, DTypeRule::FloatUpcast, true, g_tan},
    {ScalarOpId::ArcSin, "arcsin", 1, DTypeRule::FloatUpcast, true, g_arcsin},
    {ScalarOpId::ArcCos, "arccos", 1, DTypeRule::FloatUpcast, true, g_arccos},
    {ScalarOpId::ArcTan, "arctan", 1, DTypeRule::FloatUpcast, true, g_arctan},
    {ScalarOpId::Sinh, "sinh", 1, DTypeRule::FloatUpcast, true, g_sinh},
    {ScalarOpId::Cosh, "cosh", 1, DTypeRule::FloatUpcast, true, g_cosh},
    {ScalarOpId::ArcSinh, "arcsinh", 1, DTypeRule::FloatUpcast, true, g_arcsinh},
    {ScalarOpId::ArcCosh, "arccosh", 1, DTypeRule::FloatUpcast, true, g_arccosh},
    {ScalarOpId::ArcTanh, "arctanh", 1, DTypeRule::FloatUpcast, true, g_arctanh},
    {ScalarOpId::Deg2Rad, "deg2rad", 1, DTypeRule::FloatUpcast, true, g_deg2rad, false},
    {ScalarOpId::Rad2Deg, "rad2deg", 1, DTypeRule::FloatUpcast, true, g_rad2deg, false},
    {ScalarOpId::Erf, "erf", 1, DTypeRule::FloatUpcast, true, g_erf, false},
    {ScalarOpId::Erfc, "erfc", 1, DTypeRule::FloatUpcast, true, g_erfc, false},
    {ScalarOpId::Erfinv, "erfinv", 1, DTypeRule::FloatUpcast, true, g_erfinv, false},
    {ScalarOpId::Erfcinv, "erfcinv", 1, DTypeRule::FloatUpcast, true, g_erfcinv, false},
    {ScalarOpId::Gamma, "gamma", 1, DTypeRule::FloatUpcast, true, g_gamma, false},
    {ScalarOpId::GammaLn, "gammaln", 1, DTypeRule::FloatUpcast, true, g_gammaln, false},
    {ScalarOpId::Psi, "psi", 1, DTypeRule::FloatUpcast, true, g_psi, false},
    {ScalarOpId::TriGamma, "tri_gamma", 1, DTypeRule::FloatUpcast, true, g_trigamma, false},
    // rint: numpy's (ints become floats), rounding half to even; zero gradient.
    {ScalarOpId::Rint, "rint", 1, DTypeRule::FloatUpcast, true, g_zero1, false},
    // ceil/floor/trunc/round keep the dtype (numpy 2; Theano's round too); zero gradient.
    {ScalarOpId::Ceil, "ceil", 1, DTypeRule::Upcast, true, g_zero1, false},
    {ScalarOpId::Floor, "floor", 1, DTypeRule::Upcast, true, g_zero1, false},
    {ScalarOpId::Trunc, "trunc", 1, DTypeRule::Upcast, true, g_zero1, false},
    {ScalarOpId::RoundHalfAwayFromZero, "round_half_away_from_zero", 1, DTypeRule::Upcast, true, g_zero1, false},
    {ScalarOpId::RoundHalfToEven, "round_half_to_even", 1, DTypeRule::Upcast, true, g_zero1, false},
    // sgn keeps the dtype; numpy has no bool loop; zero gradient.
    {ScalarOpId::Sgn, "sgn", 1, DTypeRule::Upcast, false, g_zero1, false},
    // predicates return bool; zero gradient (like comparisons).
    {ScalarOpId::IsNan, "isnan", 1, DTypeRule::Bool, true, g_zero1},
    {ScalarOpId::IsInf, "isinf", 1, DTypeRule::Bool, true, g_zero1},
    {ScalarOpId::Real, "real", 1, DTypeRule::Real, true, g_real},
    {ScalarOpId::Imag, "imag", 1, DTypeRule::Real, true, g_imag},
    {ScalarOpId::Angle, "angle", 1, DTypeRule::RealFloat, true, g_angle},
    {ScalarOpId::Conj, "conj", 1, DTypeRule::Upcast, true, g_conj},
    {ScalarOpId::ArcTan2, "arctan2", 2, DTypeRule::FloatUpcast, true, g_arctan2, false},
    {ScalarOpId::Maximum, "maximum", 2, DTypeRule::Upcast, true, g_maxmin},
    {ScalarOpId::Minimum, "minimum", 2, DTypeRule::Upcast, true, g_maxmin},
    // int_div (//) and mod (%): numpy's floor_divide/remainder; no bool or complex loops.
    // int_div's gradient is zero (Theano's IntDiv.grad); mod's is (1, -floor(x/y)).
    {ScalarOpId::IntDiv, "int_div", 2, DTypeRule::Upcast, false, g_zero2, false},
    {ScalarOpId::Mod, "mod", 2, DTypeRule::Upcast, false, g_mod, false},
    // bitwise: bool (logical) and integers only; discrete, so zero gradient.
    {ScalarOpId::And, "and_", 2, DTypeRule::Upcast, true, g_zero2, false, true},
    {ScalarOpId::Or, "or_", 2, DTypeRule::Upcast, true, g_zero2, false, true},
    {ScalarOpId::Xor, "xor", 2, DTypeRule::Upcast, true, g_zero2, false, true},
    {ScalarOpId::Invert, "invert", 1, DTypeRule::Upcast, true, g_zero1, false, true},
    {ScalarOpId::Switch, "switch", 3, DTypeRule::Switch, true, g_switch},
    {ScalarOpId::Clip, "clip", 3, DTypeRule::Upcast, true, g_clip},
};

}  // namespace

const ScalarOpInfo& scalar_op_info(ScalarOpId id) {
  const auto& row = kTable[static_cast<int>(id)];
  HYPATIA_ASSERT(row.id == id);
  return row;
}

DType scalar_out_dtype(ScalarOpId id, const std::vector<DType>& in, DType cast_to) {
  const ScalarOpInfo& info = scalar_op_info(id);
  DType up = in[0];
  for (size_t i = 1; i < in.size(); ++i) up = upcast(up, in[i]);
  switch (info.rule) {
    case DTypeRule::Upcast: return up;
    case DTypeRule::FloatUpcast: return float_result(up);
    case DTypeRule::Bool: return DType::Bool;
    case DTypeRule::CastTo: return cast_to;
    case DTypeRule::Second: return in[1];
    case DTypeRule::Real: return real_dtype(up);
    case DTypeRule::RealFloat: return float_result(real_dtype(up));
    case DTypeRule::Switch: return upcast(in[1], in[2]);
  }
  return up;
}

DType scalar_compute_dtype(ScalarOpId id, const std::vector<DType>& in, DType out) {
  if (is_complex_to_real(id) && is_complex(in[0])) return in[0];
  if (is_predicate(id)) {
    DType up = in[0];
    for (size_t i = 1; i < in.size(); ++i) up = upcast(up, in[i]);
    return up;
  }
  return out;
}

namespace scalar_fn {

// Inverse error function: Giles' single-precision approximation ("Approximating the erfinv
// function", GPU Computing Gems, 2011) refined by Newton steps on erf, which make it exact to
// double precision.
double erfinv(double x) {
  if (std::isnan(x) || x < -1.0 || x > 1.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 1.0) return std::numeric_limits<double>::infinity();
  if (x == -1.0) return -std::numeric_limits<double>::infinity();
  if (x == 0.0) return x;
  double w = -std::log((1.0 - x) * (1.0 + x)), p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w; p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w; p = -0.00125372503 + p * w; p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w; p = 1.50140941 + p * w;
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w; p = -0.0076224613 + p * w; p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w; p = 2.83297682 + p * w;
  }
  double y = p * x;
  // Newton on erf(y) = x; near |x| = 1 use erfc for the residual to keep its precision.
  for (int i = 0; i < 3; ++i) {
    const double d = 1.12837916709551257390 * std::exp(-y * y);
    if (d == 0.0) break;
    const double r = std::fabs(x) > 0.5 ? (std::copysign(1.0, x) * (1.0 - std::erfc(std::fabs(y)))) - x
                                        : std::erf(y) - x;
    y -= r / d;
  }
  return y;
}

// Inverse complementary error function: erfinv(1 - x) in the middle, Newton on log(erfc) in the
// tails (where 1 - x would lose every digit).
double erfcinv(double x) {
  if (std::isnan(x) || x < 0.0 || x > 2.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0) return std::numeric_limits<double>::infinity();
  if (x == 2.0) return -std::numeric_limits<double>::infinity();
  if (x > 1.0) return -erfcinv(2.0 - x);
  double y = x > 0.0625 ? erfinv(1.0 - x) : std::sqrt(-std::log(x)) - 0.5;
  if (x <= 0.0625 && y < 1.0) y = 1.0;
  const double lx = std::log(x);
  for (int i = 0; i < 60; ++i) {
    const double e = std::erfc(y);
    if (e <= 0.0) break;
    // g(y) = log erfc(y) - log x, g'(y) = -2/sqrt(pi) exp(-y^2) / erfc(y)
    const double g = std::log(e) - lx;
    const double dg = -1.12837916709551257390 * std::exp(-y * y) / e;
    if (dg == 0.0) break;
    const double step = g / dg;
    y -= step;
    if (std::fabs(step) <= 1e-16 * std::fabs(y)) break;
  }
  return y;
}

// Digamma: reflection for negative arguments, recurrence up to x >= 10, asymptotic series.
double digamma(double x) {
  if (std::isnan(x)) return x;
  if (x == -std::numeric_limits<double>::infinity()) return std::numeric_limits<double>::quiet_NaN();
  if (x <= 0.0 && std::floor(x) == x) return x == 0.0 ? std::copysign(std::numeric_limits<double>::infinity(), -x)
                                                       : std::numeric_limits<double>::quiet_NaN();
  if (x < 0.0) return digamma(1.0 - x) - kPi / std::tan(kPi * x);
  double r = 0.0;
  while (x < 10.0) {
    r -= 1.0 / x;
    x += 1.0;
  }
  const double f = 1.0 / (x * x);
  const double t = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132 +
                   f * (691.0 / 32760 + f * (-1.0 / 12)))))));
  return r + std::log(x) - 0.5 / x + t;
}

// Trigamma (polygamma(1, x)): reflection, recurrence up to x >= 10, asymptotic series.
double trigamma(double x) {
  if (std::isnan(x)) return x;
  if (x <= 0.0 && std::floor(x) == x) return std::numeric_limits<double>::infinity();
  if (x < 0.0) {
    const double s = std::sin(kPi * x);
    return -trigamma(1.0 - x) + kPi * kPi / (s * s);
  }
  double r = 0.0;
  while (x < 10.0) {
    r += 1.0 / (x * x);
    x += 1.0;
  }
  const double f = 1.0 / (x * x);
  const double t = 1.0 / x + f / 2.0 +
                   f / x * (1.0 / 6 + f * (-1.0 / 30 + f * (1.0 / 42 + f * (-1.0 / 30 + f * (5.0 / 66 +
                   f * (-691.0 / 2730 + f * (7.0 / 6)))))));
  return r + t;
}

}  // namespace scalar_fn
}  // namespace hypatia
