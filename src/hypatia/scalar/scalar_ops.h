// The scalar op table: one row per elementwise function (name, arity, dtype rule, kernel, grad).
#pragma once
#include <cmath>
#include <complex>
#include <type_traits>
#include <vector>

#include "hypatia/graph/variable.h"
#include "hypatia/scalar/dtype.h"

namespace hypatia {

/// The scalar functions Elemwise can map over tensors.
enum class ScalarOpId : uint8_t {
  Add, Sub, Mul, TrueDiv, Pow, Neg, Exp, Log, Sqr, Sqrt,
  Eq, Neq, Lt, Gt, Le, Ge, Identity, Cast, Second,
  // transcendentals of the nnet module and their numerically stable companions
  Sigmoid, Softplus, Log1p, Expm1, Tanh, Abs,
};

/// How a scalar op chooses its output dtype from its input dtypes.
enum class DTypeRule : uint8_t {
  Upcast,       // numpy promotion of the inputs (add, mul, ...)
  FloatUpcast,  // promotion, then integers become floats (true_div, exp, log, sqrt)
  Bool,         // comparisons
  CastTo,       // the op's cast target
  Second,       // the second input's dtype (fill)
};

/// Builds the gradients of every input from the inputs, the output and the output gradient.
/// Gradients are tensor graphs shaped like the output; Elemwise reduces broadcast axes.
using ScalarGradFn = std::vector<Var> (*)(const std::vector<Var>& in, const Var& out, const Var& gz);

/// One row of the table.
struct ScalarOpInfo {
  ScalarOpId id;
  const char* name;
  int arity;
  DTypeRule rule;
  bool bool_ok;  // whether a bool input is allowed (numpy forbids bool subtraction/negation)
  ScalarGradFn grad;
};

const ScalarOpInfo& scalar_op_info(ScalarOpId id);
/// Output dtype of the op for the given input dtypes (cast_to is used by Cast only).
DType scalar_out_dtype(ScalarOpId id, const std::vector<DType>& in, DType cast_to);
/// The dtype inputs are converted to before the kernel runs.
DType scalar_compute_dtype(ScalarOpId id, const std::vector<DType>& in, DType out);
inline bool is_comparison(ScalarOpId id) { return id >= ScalarOpId::Eq && id <= ScalarOpId::Ge; }

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
struct Le { template <class T> bool operator()(T a, T b) const { return !less(b, a) && (a == b || less(a, b)); } };
struct Ge { template <class T> bool operator()(T a, T b) const { return !less(a, b) && (a == b || less(b, a)); } };

}  // namespace scalar_fn
}  // namespace hypatia
