// The scalar op table: one row per elementwise function (name, arity, dtype rule, kernel).
#pragma once
#include <cmath>
#include <complex>
#include <type_traits>
#include <vector>

#include "hypatia/graph/variable.h"
#include "hypatia/value/dtype.h"

namespace hypatia {

/// The scalar functions Elemwise can map over tensors.
enum class ScalarOpId : uint8_t {
  Add, Sub, Mul, TrueDiv, Pow, Neg, Exp, Log, Sqr, Sqrt,
  Eq, Neq, Lt, Gt, Le, Ge, Identity, Cast, Second,
  // transcendentals of the nnet module and their numerically stable companions
  Sigmoid, Softplus, Log1p, Expm1, Tanh, Abs,
  // the tensor math family (hypatia/tensor/math.h)
  Exp2, Log2, Log10, Inv, Sin, Cos, Tan, ArcSin, ArcCos, ArcTan, Sinh, Cosh, ArcSinh, ArcCosh, ArcTanh,
  Deg2Rad, Rad2Deg, Erf, Erfc, Erfinv, Erfcinv, Gamma, GammaLn, Psi, TriGamma, Rint,
  Ceil, Floor, Trunc, RoundHalfAwayFromZero, RoundHalfToEven, Sgn,
  IsNan, IsInf, Real, Imag, Angle, Conj,
  ArcTan2, Maximum, Minimum, IntDiv, Mod, And, Or, Xor, Invert,
  Switch, Clip,  // Clip stays last: kNumScalarOps counts through it
};
/// The number of scalar ops (tables indexed by ScalarOpId static_assert that they cover each).
inline constexpr size_t kNumScalarOps = static_cast<size_t>(ScalarOpId::Clip) + 1;

/// How a scalar op chooses its output dtype from its input dtypes.
enum class DTypeRule : uint8_t {
  Upcast,       // numpy promotion of the inputs (add, mul, ...)
  FloatUpcast,  // promotion, then integers become floats (true_div, exp, log, sqrt)
  Bool,         // comparisons
  CastTo,       // the op's cast target
  Second,       // the second input's dtype (fill)
  Real,         // the real component dtype of the promotion (real, imag: complex64 -> float32)
  RealFloat,    // Real, then integers become floats (angle)
  Switch,       // promotion of inputs 1 and 2 (input 0 is the condition)
};

/// One row of the table.
struct ScalarOpInfo {
  ScalarOpId id;
  const char* name;
  int arity;
  DTypeRule rule;
  bool bool_ok;  // whether a bool input is allowed (numpy forbids bool subtraction/negation)
  bool complex_ok = true;  // whether a complex input is allowed (numpy has no such loop otherwise)
  bool int_only = false;   // bitwise ops: bool and integer inputs only
};

const ScalarOpInfo& scalar_op_info(ScalarOpId id);
/// Output dtype of the op for the given input dtypes (cast_to is used by Cast only).
DType scalar_out_dtype(ScalarOpId id, const std::vector<DType>& in, DType cast_to);
/// The dtype inputs are converted to before the kernel runs.
DType scalar_compute_dtype(ScalarOpId id, const std::vector<DType>& in, DType out);
inline bool is_comparison(ScalarOpId id) { return id >= ScalarOpId::Eq && id <= ScalarOpId::Ge; }
/// Ops whose output dtype differs from their compute dtype: comparisons and predicates (bool),
/// and the complex-to-real ones (real, imag, angle).
inline bool is_predicate(ScalarOpId id) { return is_comparison(id) || id == ScalarOpId::IsNan || id == ScalarOpId::IsInf; }
inline bool is_complex_to_real(ScalarOpId id) {
  return id == ScalarOpId::Real || id == ScalarOpId::Imag || id == ScalarOpId::Angle;
}

// ---- kernels: per-element functors over one compute type T ----
namespace scalar_fn {

template <class T> inline constexpr bool is_complex_v = false;
template <class T> inline constexpr bool is_complex_v<std::complex<T>> = true;

struct Add { template <class T> T operator()(T a, T b) const { return static_cast<T>(a + b); } };
struct Sub { template <class T> T operator()(T a, T b) const { return static_cast<T>(a - b); } };
struct Mul { template <class T> T operator()(T a, T b) const {
  if constexpr (std::is_same_v<T, bool>) return a && b; else return static_cast<T>(a * b); } };
struct TrueDiv { template <class T> T operator()(T a, T b) const { return static_cast<T>(a / b); } };
struct Pow {
  template <class T> T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) {
      return a || !b;
    } else if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (b < 0) return a == 1 ? T(1) : a == T(-1) ? ((b % 2) ? T(-1) : T(1)) : T(0);
      }
      T r = 1, base = a;
      auto e = b;
      while (e > 0) {
        if (e & 1) r = static_cast<T>(r * base);
        base = static_cast<T>(base * base);
        e = static_cast<decltype(e)>(e >> 1);
      }
      return r;
    } else {
      return std::pow(a, b);
    }
  }
};
struct Neg { template <class T> T operator()(T a) const {
  if constexpr (std::is_same_v<T, bool>) return !a; else return static_cast<T>(-a); } };
struct Sqr { template <class T> T operator()(T a) const {
  if constexpr (std::is_same_v<T, bool>) return a; else return static_cast<T>(a * a); } };
// Transcendentals only ever run on inexact compute types (the dtype rule makes ints float).
struct Exp { template <class T> T operator()(T a) const {
  if constexpr (std::is_integral_v<T>) return static_cast<T>(std::exp(static_cast<double>(a))); else return std::exp(a); } };
struct Log { template <class T> T operator()(T a) const {
  if constexpr (std::is_integral_v<T>) return static_cast<T>(std::log(static_cast<double>(a))); else return std::log(a); } };
struct Sqrt { template <class T> T operator()(T a) const {
  if constexpr (std::is_integral_v<T>) return static_cast<T>(std::sqrt(static_cast<double>(a))); else return std::sqrt(a); } };

// The nnet transcendentals. Real kernels are written to neither overflow nor lose precision for
// large |x|; complex inputs (allowed by the dtype rule) use the textbook formulas.
struct Sigmoid { template <class T> T operator()(T a) const {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>((*this)(static_cast<double>(a)));
  } else if constexpr (is_complex_v<T>) {
    return T(1) / (T(1) + std::exp(-a));
  } else {
    // exp of a non-positive number never overflows: s(a) = 1/(1+e^-a) for a >= 0,
    // e^a/(1+e^a) otherwise (which keeps the tiny values of s(a) for very negative a).
    if (a >= T(0)) return T(1) / (T(1) + std::exp(-a));
    const T e = std::exp(a);
    return e / (T(1) + e);
  } } };
struct Softplus { template <class T> T operator()(T a) const {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>((*this)(static_cast<double>(a)));
  } else if constexpr (is_complex_v<T>) {
    return std::log(T(1) + std::exp(a));
  } else {
    // log(1 + e^a) = max(a, 0) + log1p(e^-|a|): exact for large a, log1p keeps small e^a.
    if (std::isnan(a)) return a;
    return (a > T(0) ? a : T(0)) + std::log1p(std::exp(-std::abs(a)));
  } } };
struct Log1p { template <class T> T operator()(T a) const {
  if constexpr (std::is_integral_v<T>) return static_cast<T>(std::log1p(static_cast<double>(a)));
  else if constexpr (is_complex_v<T>) return std::log(T(1) + a);
  else return std::log1p(a); } };
struct Expm1 { template <class T> T operator()(T a) const {
  if constexpr (std::is_integral_v<T>) return static_cast<T>(std::expm1(static_cast<double>(a)));
  else if constexpr (is_complex_v<T>) return std::exp(a) - T(1);
  else return std::expm1(a); } };
struct Tanh { template <class T> T operator()(T a) const {
  if constexpr (std::is_integral_v<T>) return static_cast<T>(std::tanh(static_cast<double>(a)));
  else return std::tanh(a); } };
// abs keeps the input dtype (numpy); complex inputs are refused when the node is built.
struct Abs { template <class T> T operator()(T a) const {
  if constexpr (std::is_same_v<T, bool> || std::is_unsigned_v<T>) return a;
  else if constexpr (is_complex_v<T>) return T(std::abs(a));
  else return static_cast<T>(a < T(0) ? -a : a); } };

// Comparisons: complex numbers order lexicographically (real, then imaginary), as numpy.
template <class T> inline bool less(const T& a, const T& b) {
  if constexpr (is_complex_v<T>) return a.real() < b.real() || (a.real() == b.real() && a.imag() < b.imag());
  else return a < b;
}
struct Eq { template <class T> bool operator()(T a, T b) const { return a == b; } };
struct Neq { template <class T> bool operator()(T a, T b) const { return a != b; } };
struct Lt { template <class T> bool operator()(T a, T b) const { return less(a, b); } };
struct Gt { template <class T> bool operator()(T a, T b) const { return less(b, a); } };
// Le/Ge: false when either side is NaN. Real types say it as a <= b (which is so, and which
// vectorises); complex ones order lexicographically.
struct Le { template <class T> bool operator()(T a, T b) const {
  if constexpr (is_complex_v<T>) return !less(b, a) && (a == b || less(a, b)); else return a <= b; } };
struct Ge { template <class T> bool operator()(T a, T b) const {
  if constexpr (is_complex_v<T>) return !less(a, b) && (a == b || less(b, a)); else return a >= b; } };

// ---- the tensor math family ----
template <class T> struct real_of { using type = T; };
template <class T> struct real_of<std::complex<T>> { using type = T; };
template <class T> using real_of_t = typename real_of<T>::type;

// Special functions of doubles (scalar_ops.cpp): inverse error functions, digamma, trigamma.
double erfinv(double x);
double erfcinv(double x);
double digamma(double x);
double trigamma(double x);

// A float unary function: `R` on real floats, `C` on complex (only reached where the row allows
// complex), integers and bools through double (the dtype rule makes them floats beforehand).
#define HYPATIA_FLOAT_FN(Name, R, C)                                                         \
  struct Name {                                                                              \
    template <class T> T operator()(T a) const {                                             \
      if constexpr (is_complex_v<T>) {                                                       \
        using V = typename T::value_type; (void)sizeof(V);                                   \
        return C;                                                                            \
      } else if constexpr (std::is_floating_point_v<T>) {                                    \
        return static_cast<T>(R);                                                            \
      } else {                                                                               \
        return static_cast<T>((*this)(static_cast<double>(a)));                              \
      }                                                                                      \
    }                                                                                        \
  };
inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kLn2 = 0.69314718055994530942;
HYPATIA_FLOAT_FN(Exp2, std::exp2(a), std::exp(a * T(V(kLn2))))
HYPATIA_FLOAT_FN(Log2, std::log2(a), std::log(a) / T(V(kLn2)))
HYPATIA_FLOAT_FN(Log10, std::log10(a), std::log10(a))
HYPATIA_FLOAT_FN(Inv, T(1) / a, T(1) / a)
HYPATIA_FLOAT_FN(Sin, std::sin(a), std::sin(a))
HYPATIA_FLOAT_FN(Cos, std::cos(a), std::cos(a))
HYPATIA_FLOAT_FN(Tan, std::tan(a), std::tan(a))
HYPATIA_FLOAT_FN(ArcSin, std::asin(a), std::asin(a))
HYPATIA_FLOAT_FN(ArcCos, std::acos(a), std::acos(a))
HYPATIA_FLOAT_FN(ArcTan, std::atan(a), std::atan(a))
HYPATIA_FLOAT_FN(Sinh, std::sinh(a), std::sinh(a))
HYPATIA_FLOAT_FN(Cosh, std::cosh(a), std::cosh(a))
HYPATIA_FLOAT_FN(ArcSinh, std::asinh(a), std::asinh(a))
HYPATIA_FLOAT_FN(ArcCosh, std::acosh(a), std::acosh(a))
HYPATIA_FLOAT_FN(ArcTanh, std::atanh(a), std::atanh(a))
HYPATIA_FLOAT_FN(Deg2Rad, a * T(kPi / 180.0), a)
HYPATIA_FLOAT_FN(Rad2Deg, a * T(180.0 / kPi), a)
HYPATIA_FLOAT_FN(Erf, std::erf(a), a)
HYPATIA_FLOAT_FN(Erfc, std::erfc(a), a)
HYPATIA_FLOAT_FN(Erfinv, erfinv(static_cast<double>(a)), a)
HYPATIA_FLOAT_FN(Erfcinv, erfcinv(static_cast<double>(a)), a)
HYPATIA_FLOAT_FN(Gamma, std::tgamma(static_cast<double>(a)), a)
HYPATIA_FLOAT_FN(GammaLn, std::lgamma(static_cast<double>(a)), a)
HYPATIA_FLOAT_FN(Psi, digamma(static_cast<double>(a)), a)
HYPATIA_FLOAT_FN(TriGamma, trigamma(static_cast<double>(a)), a)
HYPATIA_FLOAT_FN(Rint, std::nearbyint(a), a)
#undef HYPATIA_FLOAT_FN

// Rounding keeps the dtype: integers and bools are their own ceil/floor/round.
#define HYPATIA_ROUND_FN(Name, R)                                         \
  struct Name {                                                           \
    template <class T> T operator()(T a) const {                          \
      if constexpr (std::is_floating_point_v<T>) return R;                \
      else return a;                                                      \
    }                                                                     \
  };
HYPATIA_ROUND_FN(Ceil, std::ceil(a))
HYPATIA_ROUND_FN(Floor, std::floor(a))
HYPATIA_ROUND_FN(Trunc, std::trunc(a))
HYPATIA_ROUND_FN(RoundHalfAwayFromZero, std::round(a))
HYPATIA_ROUND_FN(RoundHalfToEven, std::nearbyint(a))
#undef HYPATIA_ROUND_FN

struct Sgn { template <class T> T operator()(T a) const {
  if constexpr (std::is_same_v<T, bool> || is_complex_v<T>) return a;
  else if constexpr (std::is_unsigned_v<T>) return static_cast<T>(a > 0);
  else if constexpr (std::is_floating_point_v<T>) return std::isnan(a) ? a : static_cast<T>((a > 0) - (a < 0));
  else return static_cast<T>((a > 0) - (a < 0)); } };

struct IsNan { template <class T> bool operator()(T a) const {
  if constexpr (is_complex_v<T>) return std::isnan(a.real()) || std::isnan(a.imag());
  else if constexpr (std::is_floating_point_v<T>) return std::isnan(a);
  else return false; } };
struct IsInf { template <class T> bool operator()(T a) const {
  if constexpr (is_complex_v<T>) return std::isinf(a.real()) || std::isinf(a.imag());
  else if constexpr (std::is_floating_point_v<T>) return std::isinf(a);
  else return false; } };

// real/imag/angle map T to its real component type; on real inputs real is the identity, imag
// zero and angle numpy's arctan2(0, x) (pi for negative numbers and -0.0).
struct Real { template <class T> real_of_t<T> operator()(T a) const {
  if constexpr (is_complex_v<T>) return a.real(); else return a; } };
struct Imag { template <class T> real_of_t<T> operator()(T a) const {
  if constexpr (is_complex_v<T>) return a.imag(); else return real_of_t<T>(0); } };
struct Angle { template <class T> real_of_t<T> operator()(T a) const {
  if constexpr (is_complex_v<T>) return std::arg(a);
  else if constexpr (std::is_floating_point_v<T>) return std::atan2(T(0), a);
  else return static_cast<T>(a < T(0) ? 1 : 0); } };
struct Conj { template <class T> T operator()(T a) const {
  if constexpr (is_complex_v<T>) return std::conj(a); else return a; } };

struct ArcTan2 { template <class T> T operator()(T a, T b) const {
  if constexpr (std::is_floating_point_v<T>) return std::atan2(a, b);
  else if constexpr (is_complex_v<T>) return a;
  else return static_cast<T>(std::atan2(static_cast<double>(a), static_cast<double>(b))); } };
// numpy's maximum/minimum: NaN propagates; complex numbers order lexicographically.
struct Maximum { template <class T> T operator()(T a, T b) const {
  if constexpr (std::is_floating_point_v<T>) { if (std::isnan(a)) return a; if (std::isnan(b)) return b; }
  if constexpr (is_complex_v<T>) {
    if (std::isnan(a.real()) || std::isnan(a.imag())) return a;
    if (std::isnan(b.real()) || std::isnan(b.imag())) return b;
  }
  return less(a, b) ? b : a; } };
struct Minimum { template <class T> T operator()(T a, T b) const {
  if constexpr (std::is_floating_point_v<T>) { if (std::isnan(a)) return a; if (std::isnan(b)) return b; }
  if constexpr (is_complex_v<T>) {
    if (std::isnan(a.real()) || std::isnan(a.imag())) return a;
    if (std::isnan(b.real()) || std::isnan(b.imag())) return b;
  }
  return less(b, a) ? b : a; } };

// numpy's floor_divide and remainder (npy_divmod): the quotient rounds towards -inf and the
// remainder takes the divisor's sign; integer division by zero gives 0 (numpy warns).
template <class T> inline T float_mod(T a, T b) {
  T mod = std::fmod(a, b);
  if (b == T(0)) return mod;  // NaN
  if (mod != T(0)) {
    if ((b < T(0)) != (mod < T(0))) mod += b;
  } else {
    mod = std::copysign(T(0), b);
  }
  return mod;
}
template <class T> inline T float_floordiv(T a, T b) {
  if (b == T(0)) return a / b;
  T mod = std::fmod(a, b);
  T div = (a - mod) / b;
  if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) div -= T(1);
  if (div == T(0)) return std::copysign(T(0), a / b);
  T fl = std::floor(div);
  if (div - fl > T(0.5)) fl += T(1);
  return fl;
}
struct IntDiv { template <class T> T operator()(T a, T b) const {
  if constexpr (std::is_floating_point_v<T>) return float_floordiv(a, b);
  else if constexpr (std::is_same_v<T, bool> || is_complex_v<T>) return a;
  else {
    if (b == T(0)) return T(0);
    if constexpr (std::is_signed_v<T>) {
      if (b == T(-1)) return static_cast<T>(T(0) - static_cast<std::make_unsigned_t<T>>(a));  // wraps like numpy
      T q = static_cast<T>(a / b);
      if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
      return q;
    } else {
      return static_cast<T>(a / b);
    }
  } } };
struct Mod { template <class T> T operator()(T a, T b) const {
  if constexpr (std::is_floating_point_v<T>) return float_mod(a, b);
  else if constexpr (std::is_same_v<T, bool> || is_complex_v<T>) return a;
  else {
    if (b == T(0)) return T(0);
    if constexpr (std::is_signed_v<T>) {
      if (b == T(-1)) return T(0);
      T r = static_cast<T>(a % b);
      if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
      return r;
    } else {
      return static_cast<T>(a % b);
    }
  } } };

// Bitwise ops run on bools (logically) and integers only; make_node refuses the rest.
#define HYPATIA_BIT_FN(Name, OP, BOOL_OP)                                           \
  struct Name {                                                                     \
    template <class T> T operator()(T a, T b) const {                               \
      if constexpr (std::is_same_v<T, bool>) return BOOL_OP;                        \
      else if constexpr (std::is_integral_v<T>) return static_cast<T>(a OP b);      \
      else return a;                                                                \
    }                                                                               \
  };
HYPATIA_BIT_FN(And, &, a && b)
HYPATIA_BIT_FN(Or, |, a || b)
HYPATIA_BIT_FN(Xor, ^, a != b)
#undef HYPATIA_BIT_FN
struct Invert { template <class T> T operator()(T a) const {
  if constexpr (std::is_same_v<T, bool>) return !a;
  else if constexpr (std::is_integral_v<T>) return static_cast<T>(~a);
  else return a; } };

// numpy's clip: minimum(maximum(x, lo), hi).
struct Clip { template <class T> T operator()(T x, T lo, T hi) const { return Minimum{}(Maximum{}(x, lo), hi); } };
struct Switch { template <class T> T operator()(bool c, T a, T b) const { return c ? a : b; } };

}  // namespace scalar_fn
}  // namespace hypatia
