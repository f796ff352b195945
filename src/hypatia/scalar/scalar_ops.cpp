// The scalar op table: name, arity and dtype rule of each elementwise function, and the special
// functions its kernels use. The derivative rules live with the tensor family (tensor/ops/elemwise_grad.cpp).
#include "hypatia/scalar/scalar_ops.h"

#include <limits>

namespace hypatia {
namespace {

const ScalarOpInfo kTable[] = {
    {ScalarOpId::Add, "add", 2, DTypeRule::Upcast, true},
    {ScalarOpId::Sub, "sub", 2, DTypeRule::Upcast, false},
    {ScalarOpId::Mul, "mul", 2, DTypeRule::Upcast, true},
    {ScalarOpId::TrueDiv, "true_div", 2, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Pow, "pow", 2, DTypeRule::Upcast, true},
    {ScalarOpId::Neg, "neg", 1, DTypeRule::Upcast, false},
    {ScalarOpId::Exp, "exp", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Log, "log", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Sqr, "sqr", 1, DTypeRule::Upcast, true},
    {ScalarOpId::Sqrt, "sqrt", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Eq, "eq", 2, DTypeRule::Bool, true},
    {ScalarOpId::Neq, "neq", 2, DTypeRule::Bool, true},
    {ScalarOpId::Lt, "lt", 2, DTypeRule::Bool, true},
    {ScalarOpId::Gt, "gt", 2, DTypeRule::Bool, true},
    {ScalarOpId::Le, "le", 2, DTypeRule::Bool, true},
    {ScalarOpId::Ge, "ge", 2, DTypeRule::Bool, true},
    {ScalarOpId::Identity, "identity", 1, DTypeRule::Upcast, true},
    {ScalarOpId::Cast, "cast", 1, DTypeRule::CastTo, true},
    {ScalarOpId::Second, "second", 2, DTypeRule::Second, true},
    {ScalarOpId::Sigmoid, "sigmoid", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Softplus, "softplus", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Log1p, "log1p", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Expm1, "expm1", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Tanh, "tanh", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Abs, "abs_", 1, DTypeRule::Upcast, true},
    // the tensor math family: name, arity, dtype rule, bool ok, complex ok, int only
    {ScalarOpId::Exp2, "exp2", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Log2, "log2", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Log10, "log10", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Inv, "inv", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Sin, "sin", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Cos, "cos", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Tan, "tan", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::ArcSin, "arcsin", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::ArcCos, "arccos", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::ArcTan, "arctan", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Sinh, "sinh", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Cosh, "cosh", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::ArcSinh, "arcsinh", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::ArcCosh, "arccosh", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::ArcTanh, "arctanh", 1, DTypeRule::FloatUpcast, true},
    {ScalarOpId::Deg2Rad, "deg2rad", 1, DTypeRule::FloatUpcast, true, false},
    {ScalarOpId::Rad2Deg, "rad2deg", 1, DTypeRule::FloatUpcast, true, false},
    {ScalarOpId::Erf, "erf", 1, DTypeRule::FloatUpcast, true, false},
    {ScalarOpId::Erfc, "erfc", 1, DTypeRule::FloatUpcast, true, false},
    {ScalarOpId::Erfinv, "erfinv", 1, DTypeRule::FloatUpcast, true, false},
    {ScalarOpId::Erfcinv, "erfcinv", 1, DTypeRule::FloatUpcast, true, false},
    {ScalarOpId::Gamma, "gamma", 1, DTypeRule::FloatUpcast, true, false},
    {ScalarOpId::GammaLn, "gammaln", 1, DTypeRule::FloatUpcast, true, false},
    {ScalarOpId::Psi, "psi", 1, DTypeRule::FloatUpcast, true, false},
    {ScalarOpId::TriGamma, "tri_gamma", 1, DTypeRule::FloatUpcast, true, false},
    // rint: numpy's (ints become floats), rounding half to even; zero gradient.
    {ScalarOpId::Rint, "rint", 1, DTypeRule::FloatUpcast, true, false},
    // ceil/floor/trunc/round keep the dtype (numpy 2; Theano's round too); zero gradient.
    {ScalarOpId::Ceil, "ceil", 1, DTypeRule::Upcast, true, false},
    {ScalarOpId::Floor, "floor", 1, DTypeRule::Upcast, true, false},
    {ScalarOpId::Trunc, "trunc", 1, DTypeRule::Upcast, true, false},
    {ScalarOpId::RoundHalfAwayFromZero, "round_half_away_from_zero", 1, DTypeRule::Upcast, true, false},
    {ScalarOpId::RoundHalfToEven, "round_half_to_even", 1, DTypeRule::Upcast, true, false},
    // sgn keeps the dtype; numpy has no bool loop; zero gradient.
    {ScalarOpId::Sgn, "sgn", 1, DTypeRule::Upcast, false, false},
    // predicates return bool; zero gradient (like comparisons).
    {ScalarOpId::IsNan, "isnan", 1, DTypeRule::Bool, true},
    {ScalarOpId::IsInf, "isinf", 1, DTypeRule::Bool, true},
    {ScalarOpId::Real, "real", 1, DTypeRule::Real, true},
    {ScalarOpId::Imag, "imag", 1, DTypeRule::Real, true},
    {ScalarOpId::Angle, "angle", 1, DTypeRule::RealFloat, true},
    {ScalarOpId::Conj, "conj", 1, DTypeRule::Upcast, true},
    {ScalarOpId::ArcTan2, "arctan2", 2, DTypeRule::FloatUpcast, true, false},
    {ScalarOpId::Maximum, "maximum", 2, DTypeRule::Upcast, true},
    {ScalarOpId::Minimum, "minimum", 2, DTypeRule::Upcast, true},
    // int_div (//) and mod (%): numpy's floor_divide/remainder; no bool or complex loops.
    // int_div's gradient is zero (Theano's IntDiv.grad); mod's is (1, -floor(x/y)).
    {ScalarOpId::IntDiv, "int_div", 2, DTypeRule::Upcast, false, false},
    {ScalarOpId::Mod, "mod", 2, DTypeRule::Upcast, false, false},
    // bitwise: bool (logical) and integers only; discrete, so zero gradient.
    {ScalarOpId::And, "and_", 2, DTypeRule::Upcast, true, false, true},
    {ScalarOpId::Or, "or_", 2, DTypeRule::Upcast, true, false, true},
    {ScalarOpId::Xor, "xor", 2, DTypeRule::Upcast, true, false, true},
    {ScalarOpId::Invert, "invert", 1, DTypeRule::Upcast, true, false, true},
    {ScalarOpId::Switch, "switch", 3, DTypeRule::Switch, true},
    {ScalarOpId::Clip, "clip", 3, DTypeRule::Upcast, true},
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
