// The derivative rule of every scalar op as a tensor graph (Elemwise's vjp and jvp): one row per
// ScalarOpId, checked at compile time to cover every id in order.
#include <iterator>

#include "hypatia/scalar/scalar_ops.h"
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

struct GradRow {
  ScalarOpId id;
  ScalarGradFn grad;
};

constexpr GradRow kGrads[] = {
    {ScalarOpId::Add, g_add},
    {ScalarOpId::Sub, g_sub},
    {ScalarOpId::Mul, g_mul},
    {ScalarOpId::TrueDiv, g_div},
    {ScalarOpId::Pow, g_pow},
    {ScalarOpId::Neg, g_neg},
    {ScalarOpId::Exp, g_exp},
    {ScalarOpId::Log, g_log},
    {ScalarOpId::Sqr, g_sqr},
    {ScalarOpId::Sqrt, g_sqrt},
    {ScalarOpId::Eq, g_cmp},
    {ScalarOpId::Neq, g_cmp},
    {ScalarOpId::Lt, g_cmp},
    {ScalarOpId::Gt, g_cmp},
    {ScalarOpId::Le, g_cmp},
    {ScalarOpId::Ge, g_cmp},
    {ScalarOpId::Identity, g_id},
    {ScalarOpId::Cast, g_id},
    {ScalarOpId::Second, g_second},
    {ScalarOpId::Sigmoid, g_sigmoid},
    {ScalarOpId::Softplus, g_softplus},
    {ScalarOpId::Log1p, g_log1p},
    {ScalarOpId::Expm1, g_expm1},
    {ScalarOpId::Tanh, g_tanh},
    {ScalarOpId::Abs, g_abs},
    {ScalarOpId::Exp2, g_exp2},
    {ScalarOpId::Log2, g_log2},
    {ScalarOpId::Log10, g_log10},
    {ScalarOpId::Inv, g_inv},
    {ScalarOpId::Sin, g_sin},
    {ScalarOpId::Cos, g_cos},
    {ScalarOpId::Tan, g_tan},
    {ScalarOpId::ArcSin, g_arcsin},
    {ScalarOpId::ArcCos, g_arccos},
    {ScalarOpId::ArcTan, g_arctan},
    {ScalarOpId::Sinh, g_sinh},
    {ScalarOpId::Cosh, g_cosh},
    {ScalarOpId::ArcSinh, g_arcsinh},
    {ScalarOpId::ArcCosh, g_arccosh},
    {ScalarOpId::ArcTanh, g_arctanh},
    {ScalarOpId::Deg2Rad, g_deg2rad},
    {ScalarOpId::Rad2Deg, g_rad2deg},
    {ScalarOpId::Erf, g_erf},
    {ScalarOpId::Erfc, g_erfc},
    {ScalarOpId::Erfinv, g_erfinv},
    {ScalarOpId::Erfcinv, g_erfcinv},
    {ScalarOpId::Gamma, g_gamma},
    {ScalarOpId::GammaLn, g_gammaln},
    {ScalarOpId::Psi, g_psi},
    {ScalarOpId::TriGamma, g_trigamma},
    {ScalarOpId::Rint, g_zero1},
    {ScalarOpId::Ceil, g_zero1},
    {ScalarOpId::Floor, g_zero1},
    {ScalarOpId::Trunc, g_zero1},
    {ScalarOpId::RoundHalfAwayFromZero, g_zero1},
    {ScalarOpId::RoundHalfToEven, g_zero1},
    {ScalarOpId::Sgn, g_zero1},
    {ScalarOpId::IsNan, g_zero1},
    {ScalarOpId::IsInf, g_zero1},
    {ScalarOpId::Real, g_real},
    {ScalarOpId::Imag, g_imag},
    {ScalarOpId::Angle, g_angle},
    {ScalarOpId::Conj, g_conj},
    {ScalarOpId::ArcTan2, g_arctan2},
    {ScalarOpId::Maximum, g_maxmin},
    {ScalarOpId::Minimum, g_maxmin},
    {ScalarOpId::IntDiv, g_zero2},
    {ScalarOpId::Mod, g_mod},
    {ScalarOpId::And, g_zero2},
    {ScalarOpId::Or, g_zero2},
    {ScalarOpId::Xor, g_zero2},
    {ScalarOpId::Invert, g_zero1},
    {ScalarOpId::Switch, g_switch},
    {ScalarOpId::Clip, g_clip},
};

constexpr bool rows_in_id_order() {
  for (size_t i = 0; i < std::size(kGrads); ++i)
    if (static_cast<size_t>(kGrads[i].id) != i) return false;
  return true;
}
static_assert(std::size(kGrads) == kNumScalarOps, "every ScalarOpId needs a derivative rule");
static_assert(rows_in_id_order(), "kGrads rows must follow ScalarOpId order");

}  // namespace

ScalarGradFn scalar_grad(ScalarOpId id) { return kGrads[static_cast<size_t>(id)].grad; }

}  // namespace hypatia
