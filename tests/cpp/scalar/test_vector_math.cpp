// vector_math: ulp error of every kernel family (AVX-512, AVX2, scalar) against long double references.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "hypatia/scalar/vector_math.h"

namespace vm = hypatia::vector_math;

namespace {

using LD = long double;
LD ref_exp(LD x) { return expl(x); }
LD ref_log(LD x) { return logl(x); }
LD ref_tanh(LD x) { return tanhl(x); }
LD ref_sigmoid(LD x) { return x >= 0 ? 1 / (1 + expl(-x)) : expl(x) / (1 + expl(x)); }
LD ref_softplus(LD x) { return std::isnan(x) ? x : (x > 0 ? x : 0) + log1pl(expl(-fabsl(x))); }

/// |got - ref| in units of the last place of T at ref (subnormal spacing below T's normal
/// range); 0 when both are the same inf or both NaN, infinite on any other special mismatch.
template <class T>
double ulp_error(T got, LD ref) {
  const T r = static_cast<T>(ref);
  if (std::isnan(r) || std::isnan(got)) return std::isnan(r) && std::isnan(got) ? 0 : INFINITY;
  if (std::isinf(got) || std::isinf(r)) {
    if (got == r) return 0;
    // ref just past T's largest finite value: the finite neighbour is within 1 ulp.
    if (std::isinf(r) && std::fabs(got) == std::numeric_limits<T>::max()) return 1;
    return INFINITY;
  }
  int e;
  std::frexp(static_cast<double>(r == 0 ? std::numeric_limits<T>::min() : r), &e);
  const int digits = std::numeric_limits<T>::digits, emin = std::numeric_limits<T>::min_exponent;
  const LD ulp = ldexpl(1.0L, std::max(e, emin) - digits);
  return static_cast<double>(fabsl(static_cast<LD>(got) - ref) / ulp);
}

template <class T>
std::vector<T> inputs(T lo, T hi, bool positive) {
  std::vector<T> xs;
  std::mt19937_64 g(12345);
  std::uniform_real_distribution<double> u(lo, hi);
  for (int i = 0; i < 60000; ++i) xs.push_back(static_cast<T>(u(g)));
  std::uniform_real_distribution<double> le(-40, 40), sg(-1, 1);  // log-uniform magnitudes
  for (int i = 0; i < 30000; ++i) {
    T v = static_cast<T>(std::pow(2.0, le(g)));
    xs.push_back(positive || sg(g) > 0 ? v : -v);
  }
  using L = std::numeric_limits<T>;
  const T edges[] = {T(0), -T(0), L::denorm_min(), -L::denorm_min(), L::min(), -L::min(), T(1e-30), T(-1e-30),
                     L::epsilon(), T(1), T(-1), T(0.5), T(-0.5), T(2), T(-2), T(18), T(-18), T(19.1), T(-19.1),
                     T(22), T(-22), T(36), T(-36), T(37.5), T(-37.5), T(80), T(-80), T(88.72), T(88.73),
                     T(-87.33), T(-87.34), T(-103.9), T(-104), T(-110), T(1e30), T(-1e30), L::max(), -L::max(),
                     L::infinity(), -L::infinity(), L::quiet_NaN(), -L::quiet_NaN()};
  for (T e : edges) xs.push_back(e);
  if constexpr (sizeof(T) == 8) {
    const T more[] = {709.78, 709.79, 710, -708.39, -708.4, -720, -745.13, -745.14, -746, 1e300, -1e300, 4e-320};
    for (T e : more) xs.push_back(e);
  }
  if (positive) {  // log: also 1 +- eps and the neighbours of the subnormal range
    const T more[] = {T(1) + L::epsilon(), T(1) - L::epsilon() / 2, L::min() * T(3), L::denorm_min() * T(7)};
    for (T e : more) xs.push_back(e);
  }
  return xs;
}

struct Case {
  const char* name;
  void (*f64)(const double*, double*, int64_t);
  void (*f32)(const float*, float*, int64_t);
  LD (*ref)(LD);
  double lo, hi;
  bool positive;
  double bound64, bound32;  // stated bounds, in ulps (see vector_math.h)
};

/// The worst ulp error of f over the inputs, run both out of place and in place.
template <class T>
double worst(const Case& c, void (*f)(const T*, T*, int64_t), std::string* where) {
  std::vector<T> xs = inputs<T>(static_cast<T>(c.lo), static_cast<T>(c.hi), c.positive);
  std::vector<T> out(xs.size()), inplace = xs;
  f(xs.data(), out.data(), static_cast<int64_t>(xs.size()));
  f(inplace.data(), inplace.data(), static_cast<int64_t>(inplace.size()));
  double w = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    EXPECT_TRUE(std::isnan(out[i]) ? std::isnan(inplace[i]) : out[i] == inplace[i]) << "in-place differs at x=" << xs[i];
    const double e = ulp_error<T>(out[i], c.ref(static_cast<LD>(xs[i])));
    if (e > w) {
      w = e;
      *where = std::to_string(static_cast<double>(xs[i])) + " -> " + std::to_string(static_cast<double>(out[i]));
    }
  }
  return w;
}

std::vector<Case> cases() {
  const bool sleef = vm::uses_sleef();
  return {
      {"exp", vm::exp, vm::exp, ref_exp, -750, 720, false, sleef ? 1.0 : 4.0, sleef ? 1.0 : 4.0},
      {"log", vm::log, vm::log, ref_log, 0, 1e6, true, sleef ? 1.0 : 4.0, sleef ? 1.0 : 4.0},
      {"tanh", vm::tanh, vm::tanh, ref_tanh, -25, 25, false, 2.5, 2.5},
      {"sigmoid", vm::sigmoid, vm::sigmoid, ref_sigmoid, -760, 760, false, sleef ? 2.5 : 5.0, sleef ? 2.5 : 5.0},
      {"softplus", vm::softplus, vm::softplus, ref_softplus, -760, 760, false, 3.0, 2.5},
  };
}

class VectorMathIsa : public ::testing::TestWithParam<vm::Isa> {
 protected:
  void SetUp() override {
    if (static_cast<int>(GetParam()) > static_cast<int>(vm::best_isa())) GTEST_SKIP() << "CPU or build lacks this ISA";
    vm::set_isa(GetParam());
    ASSERT_EQ(vm::isa(), GetParam());
  }
  void TearDown() override { vm::set_isa(vm::best_isa()); }
};

TEST_P(VectorMathIsa, UlpBoundsFloat64AndFloat32) {
  for (const Case& c : cases()) {
    std::string w64, w32;
    const double e64 = worst<double>(c, c.f64, &w64), e32 = worst<float>(c, c.f32, &w32);
    std::printf("[%s] %-8s float64 max %.3f ulp (at %s), float32 max %.3f ulp (at %s)\n", vm::backend(), c.name,
                e64, w64.c_str(), e32, w32.c_str());
    EXPECT_LE(e64, c.bound64) << c.name << " float64 at " << w64;
    EXPECT_LE(e32, c.bound32) << c.name << " float32 at " << w32;
  }
}

// pow(a, b) in ulps of powl over random pairs (bases over (0, 30] and log-uniform, exponents
// over [-40, 40]: results from subnormal to overflow), float64 and float32, with tails of every
// length. The bound is 1 ulp (SLEEF's or libm's).
template <class T>
double worst_pow(std::string* where) {
  std::mt19937_64 g(777);
  std::uniform_real_distribution<double> base(0, 30), expo(-40, 40), lg(-60, 60);
  std::vector<T> a, b;
  for (int i = 0; i < 40003; ++i) {
    a.push_back(static_cast<T>(i % 2 ? base(g) : std::pow(2.0, lg(g))));
    b.push_back(static_cast<T>(expo(g)));
  }
  std::vector<T> out(a.size());
  vm::pow(a.data(), b.data(), out.data(), static_cast<int64_t>(a.size()));
  double w = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double e = ulp_error<T>(out[i], powl(static_cast<LD>(a[i]), static_cast<LD>(b[i])));
    if (e > w) {
      w = e;
      *where = std::to_string(static_cast<double>(a[i])) + " ** " + std::to_string(static_cast<double>(b[i]));
    }
  }
  return w;
}

TEST_P(VectorMathIsa, PowWithinOneUlp) {
  std::string w64, w32;
  const double e64 = worst_pow<double>(&w64), e32 = worst_pow<float>(&w32);
  std::printf("[%s] pow      float64 max %.3f ulp (at %s), float32 max %.3f ulp (at %s)\n", vm::backend(), e64,
              w64.c_str(), e32, w32.c_str());
  EXPECT_LE(e64, 1.0) << w64;
  EXPECT_LE(e32, 1.0) << w32;
}

TEST_P(VectorMathIsa, EveryLengthAndTailMatchesTheLongRun) {
  // Lengths around the vector widths: the zero-padded tail must give the element-wise answer.
  std::vector<double> x(70);
  for (size_t i = 0; i < x.size(); ++i) x[i] = -3.0 + 0.09 * static_cast<double>(i);
  std::vector<double> full(x.size());
  for (const Case& c : cases()) {
    if (c.positive) continue;
    c.f64(x.data(), full.data(), static_cast<int64_t>(x.size()));
    for (int64_t n = 0; n <= 17; ++n) {
      std::vector<double> part(static_cast<size_t>(n) + 1, -7.0);
      c.f64(x.data() + 3, part.data(), n);
      for (int64_t i = 0; i < n; ++i) EXPECT_EQ(part[i], full[i + 3]) << c.name << " n=" << n << " i=" << i;
      EXPECT_EQ(part[n], -7.0) << c.name << " wrote past n=" << n;
    }
  }
}

TEST_P(VectorMathIsa, StableAtTheExtremes) {
  const double inf = INFINITY;
  double x[] = {-inf, -1000, -40, 0, 40, 1000, inf};
  double s[7], p[7];
  vm::sigmoid(x, s, 7);
  vm::softplus(x, p, 7);
  const double want_s[] = {0, 0, static_cast<double>(ref_sigmoid(-40)), 0.5, 1, 1, 1};
  const double want_p[] = {0, 0, static_cast<double>(ref_softplus(-40)), std::log(2.0), 40, 1000, inf};
  for (int i = 0; i < 7; ++i) {
    EXPECT_NEAR(s[i], want_s[i], 1e-15 * want_s[i]) << "sigmoid(" << x[i] << ")";
    if (std::isinf(want_p[i])) EXPECT_EQ(p[i], want_p[i]) << "softplus(" << x[i] << ")";
    else EXPECT_NEAR(p[i], want_p[i], 4e-16 * want_p[i]) << "softplus(" << x[i] << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, VectorMathIsa, ::testing::Values(vm::Isa::Scalar, vm::Isa::Avx2, vm::Isa::Avx512),
                         [](const auto& info) {
                           return std::string(info.param == vm::Isa::Scalar ? "Scalar"
                                              : info.param == vm::Isa::Avx2 ? "Avx2" : "Avx512");
                         });

}  // namespace
