// The tensor math family through the op harness (values, infer_shape, FAST_RUN vs unoptimised,
// verify_grad) on non-square inputs, plus dtype rules, numpy corner cases and error messages.
#include <cmath>
#include <random>

#include "helpers.h"
#include "hypatia/graph/print.h"
#include "hypatia/tensor/math.h"
#include "support/check_op.h"

using namespace hypatia;
using namespace hypatia::test;
using hypatia::testing::check_op;
using hypatia::testing::CheckOpOptions;

namespace {

NDArray rnd(Shape shape, double lo, double hi, uint64_t seed, DType d = DType::Float64) {
  NDArray a(DType::Float64, shape);
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = u(g);
  return a.astype(d);
}

NDArray map1(const NDArray& x, DType out, double (*f)(double)) {
  NDArray a = x.astype(DType::Float64).copy();
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = f(a.data<double>()[i]);
  return a.astype(out);
}

NDArray vec(const std::vector<double>& v, DType d = DType::Float64) {
  return NDArray::from_vector<double>(v, {static_cast<int64_t>(v.size())}).astype(d);
}

void expect_values(const NDArray& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i])) EXPECT_TRUE(std::isnan(at(got, i))) << i;
    else EXPECT_DOUBLE_EQ(at(got, i), want[i]) << i;
  }
}

struct Unary {
  const char* name;
  Var (*f)(const Var&);
  double (*ref)(double);
  double lo, hi;
};

}  // namespace

TEST(Math, UnaryFloatFunctionsThroughHarness) {
  const Unary fns[] = {
      {"exp2", exp2, [](double x) { return std::exp2(x); }, -2, 2},
      {"log2", log2, [](double x) { return std::log2(x); }, 0.5, 3},
      {"log10", log10, [](double x) { return std::log10(x); }, 0.5, 3},
      {"inv", inv, [](double x) { return 1.0 / x; }, 0.5, 3},
      {"sin", sin, [](double x) { return std::sin(x); }, -2, 2},
      {"cos", cos, [](double x) { return std::cos(x); }, -2, 2},
      {"tan", tan, [](double x) { return std::tan(x); }, -1, 1},
      {"arcsin", arcsin, [](double x) { return std::asin(x); }, -0.9, 0.9},
      {"arccos", arccos, [](double x) { return std::acos(x); }, -0.9, 0.9},
      {"arctan", arctan, [](double x) { return std::atan(x); }, -2, 2},
      {"sinh", sinh, [](double x) { return std::sinh(x); }, -2, 2},
      {"cosh", cosh, [](double x) { return std::cosh(x); }, -2, 2},
      {"arcsinh", arcsinh, [](double x) { return std::asinh(x); }, -2, 2},
      {"arccosh", arccosh, [](double x) { return std::acosh(x); }, 1.2, 3},
      {"arctanh", arctanh, [](double x) { return std::atanh(x); }, -0.9, 0.9},
      {"deg2rad", deg2rad, [](double x) { return x * M_PI / 180; }, -200, 200},
      {"rad2deg", rad2deg, [](double x) { return x * 180 / M_PI; }, -3, 3},
      {"erf", erf, [](double x) { return std::erf(x); }, -2, 2},
      {"erfc", erfc, [](double x) { return std::erfc(x); }, -2, 2},
      {"gamma", gamma, [](double x) { return std::tgamma(x); }, 0.5, 4},
      {"gammaln", gammaln, [](double x) { return std::lgamma(x); }, 0.5, 4},
  };
  for (const auto& u : fns) {
    SCOPED_TRACE(u.name);
    for (DType d : {DType::Float64, DType::Float32}) {
      NDArray x = rnd({3, 4}, u.lo, u.hi, 11, d);
      CheckOpOptions o;
      if (d == DType::Float32) o.rtol = 1e-5, o.atol = 1e-6, o.check_grad = false;
      check_op([&](const std::vector<Var>& v) { return u.f(v[0]); }, {x},
               [&](const std::vector<Value>&) { return map1(x, d, u.ref); }, o);
    }
  }
}

TEST(Math, InverseErrorFunctionsAndDigamma) {
  // erf(erfinv(x)) = x and erfc(erfcinv(x)) = x, including the far tails.
  NDArray x = vec({-0.999999, -0.5, -1e-3, 0, 0.25, 0.9, 0.999999999});
  NDArray y = run1({}, erfinv(constant(x)), {});
  for (int64_t i = 0; i < x.size(); ++i) EXPECT_NEAR(std::erf(at(y, i)), at(x, i), 1e-15);
  NDArray c = vec({1e-300, 1e-20, 1e-5, 0.3, 1.0, 1.7, 2 - 1e-12});
  NDArray z = run1({}, erfcinv(constant(c)), {});
  for (int64_t i = 0; i < c.size(); ++i) EXPECT_NEAR(std::erfc(at(z, i)) / at(c, i), 1.0, 1e-12) << i;
  expect_values(run1({}, erfinv(constant(vec({1, -1, 2}))), {}), {INFINITY, -INFINITY, NAN});
  // digamma / trigamma reference values (scipy.special.psi / polygamma(1, .)).
  NDArray p = run1({}, psi(constant(vec({1, 0.5, 10, -0.5}))), {});
  EXPECT_NEAR(at(p, 0), -0.5772156649015329, 1e-14);
  EXPECT_NEAR(at(p, 1), -1.9635100260214235, 1e-14);
  EXPECT_NEAR(at(p, 2), 2.251752589066721, 1e-14);
  EXPECT_NEAR(at(p, 3), 0.03648997397857652, 1e-13);
  NDArray t = run1({}, tri_gamma(constant(vec({1, 0.5, 10}))), {});
  EXPECT_NEAR(at(t, 0), M_PI * M_PI / 6, 1e-13);
  EXPECT_NEAR(at(t, 1), M_PI * M_PI / 2, 1e-13);
  EXPECT_NEAR(at(t, 2), 0.10516633568168575, 1e-14);
  // erfinv, erfcinv, psi and gammaln gradients (psi's needs trigamma).
  for (auto f : {erfinv, psi, gammaln}) {
    NDArray v = rnd({3, 4}, 0.1, 0.9, 3);
    check_op([&](const std::vector<Var>& in) { return f(in[0]); }, {v},
             [&](const std::vector<Value>&) { return std::get<NDArray>(Value(run1({}, f(constant(v)), {}))); });
  }
  NDArray v = rnd({3, 4}, 0.2, 1.8, 4);
  check_op([&](const std::vector<Var>& in) { return erfcinv(in[0]); }, {v},
           [&](const std::vector<Value>&) { return map1(run1({}, erfcinv(constant(v)), {}), DType::Float64, [](double q) { return q; }); });
}

TEST(Math, IntegerInputsBecomeFloats) {
  Var x = matrix(DType::Int32);
  EXPECT_EQ(tensor_type(sin(x))->elem(), DType::Float64);
  EXPECT_EQ(tensor_type(sin(matrix(DType::Int8)))->elem(), DType::Float32);
  EXPECT_EQ(tensor_type(ceil(x))->elem(), DType::Int32);  // numpy 2 keeps the dtype
  EXPECT_EQ(tensor_type(iround(matrix(DType::Float32)))->elem(), DType::Int64);
  EXPECT_EQ(tensor_type(real(matrix(DType::Complex64)))->elem(), DType::Float32);
  EXPECT_EQ(tensor_type(angle(matrix(DType::Int64)))->elem(), DType::Float64);
  EXPECT_EQ(tensor_type(isnan(x))->elem(), DType::Bool);
}

TEST(Math, RoundingModes) {
  NDArray x = vec({-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, -2.6});
  expect_values(run1({}, round(constant(x)), {}), {-3, -2, -1, 1, 2, 3, 2, -3});
  expect_values(run1({}, round(constant(x), "half_to_even"), {}), {-2, -2, -0, 0, 2, 2, 2, -3});
  expect_values(run1({}, rint(constant(x)), {}), {-2, -2, -0, 0, 2, 2, 2, -3});
  expect_values(run1({}, ceil(constant(x)), {}), {-2, -1, -0, 1, 2, 3, 3, -2});
  expect_values(run1({}, floor(constant(x)), {}), {-3, -2, -1, 0, 1, 2, 2, -3});
  expect_values(run1({}, trunc(constant(x)), {}), {-2, -1, -0, 0, 1, 2, 2, -2});
  expect_values(run1({}, sgn(constant(vec({-3, 0, 2, NAN}))), {}), {-1, 0, 1, NAN});
  EXPECT_THROW(round(matrix(DType::Float64), "banker"), Error);
  // Zero gradients (Theano's choice for piecewise-constant functions).
  NDArray v = rnd({3, 4}, -3, 3, 5);
  check_op([](const std::vector<Var>& in) { return add(floor(in[0]), mul(in[0], constant_int(2))); }, {v},
           [&](const std::vector<Value>&) {
             NDArray r = v.copy();
             for (int64_t i = 0; i < r.size(); ++i) r.data<double>()[i] = std::floor(r.data<double>()[i]) + 2 * r.data<double>()[i];
             return r;
           });
}

TEST(Math, FloorDivisionAndModuloFollowNumpy) {
  NDArray a = vec({7, -7, 7, -7, 0, 5}, DType::Int32), b = vec({2, 2, -2, -2, 3, 0}, DType::Int32);
  Var va = constant(a), vb = constant(b);
  expect_values(run1({}, int_div(va, vb), {}), {3, -4, -4, 3, 0, 0});
  expect_values(run1({}, mod(va, vb), {}), {1, 1, -1, -1, 0, 0});
  NDArray fa = vec({7.5, -7.5, 7.5, -7.5, 1, 0}), fb = vec({2, 2, -2, -2, 0, -1});
  expect_values(run1({}, int_div(constant(fa), constant(fb)), {}), {3, -4, -4, 3, INFINITY, -0.0});
  expect_values(run1({}, mod(constant(fa), constant(fb)), {}), {1.5, 0.5, -0.5, -1.5, NAN, -0.0});
  EXPECT_EQ(tensor_type(int_div(vector(DType::Int8), vector(DType::UInt8)))->elem(), DType::Int16);
  EXPECT_THROW(int_div(vector(DType::Bool), vector(DType::Bool)), Error);
  // mod's gradient: (1, -floor(x / y)).
  NDArray x = rnd({3, 4}, 1, 5, 6), y = rnd({3, 4}, 0.7, 1.3, 7);
  check_op([](const std::vector<Var>& in) { return mod(in[0], in[1]); }, {x, y}, [&](const std::vector<Value>&) {
    NDArray r = x.copy();
    for (int64_t i = 0; i < r.size(); ++i) r.data<double>()[i] = std::fmod(x.data<double>()[i], y.data<double>()[i]);
    return r;
  });
}

TEST(Math, MaximumMinimumBroadcastAndGrad) {
  NDArray x = rnd({3, 4}, -1, 1, 8), r = rnd({1, 4}, -1, 1, 9);
  auto ref = [&](bool mx) {
    NDArray o(DType::Float64, {3, 4});
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 4; ++j) {
        double a = x.data<double>()[i * 4 + j], b = r.data<double>()[j];
        o.data<double>()[i * 4 + j] = mx ? std::max(a, b) : std::min(a, b);
      }
    return o;
  };
  Var vx = matrix(DType::Float64), vr = row(DType::Float64);
  check_op([](const std::vector<Var>& in) { return maximum(in[0], in[1]); }, {x, r.broadcast_to({3, 4}).copy()},
           [&](const std::vector<Value>& vs) {
             const NDArray& b = std::get<NDArray>(vs[1]);
             NDArray o = x.copy();
             for (int64_t i = 0; i < o.size(); ++i) o.data<double>()[i] = std::max(x.data<double>()[i], b.data<double>()[i]);
             return o;
           });
  NDArray got = run1({vx, vr}, minimum(vx, vr), {x, r});
  EXPECT_TRUE(allclose(got, ref(false), 0, 0, false));
  expect_values(run1({}, maximum(constant(vec({NAN, 1})), constant(vec({1, NAN}))), {}), {NAN, NAN});
}

TEST(Math, SwitchAndClip) {
  NDArray c = rnd({3, 4}, -1, 1, 10), a = rnd({3, 4}, -1, 1, 11), b = rnd({3, 4}, -1, 1, 12);
  check_op([](const std::vector<Var>& in) { return switch_(gt(in[0], constant_int(0)), in[1], in[2]); }, {c, a, b},
           [&](const std::vector<Value>&) {
             NDArray o = a.copy();
             for (int64_t i = 0; i < o.size(); ++i) o.data<double>()[i] = c.data<double>()[i] > 0 ? a.data<double>()[i] : b.data<double>()[i];
             return o;
           }, CheckOpOptions{true, false, {1, 2}});
  NDArray x = rnd({3, 4}, -2, 2, 13);
  check_op([](const std::vector<Var>& in) { return clip(in[0], constant(-0.7), constant(0.9)); }, {x},
           [&](const std::vector<Value>&) {
             NDArray o = x.copy();
             for (int64_t i = 0; i < o.size(); ++i) o.data<double>()[i] = std::min(std::max(x.data<double>()[i], -0.7), 0.9);
             return o;
           });
  // Broadcasting over all three inputs: a column condition, a row and a scalar.
  Var cond = col(DType::Bool), r = row(DType::Int32), s = scalar(DType::Float32);
  Var out = switch_(cond, r, s);
  EXPECT_EQ(tensor_type(out)->elem(), DType::Float64);
  NDArray got = run1({cond, r, s}, out, {vec({1, 0, 1}, DType::Bool).reshape({3, 1}), vec({1, 2, 3, 4}, DType::Int32).reshape({1, 4}),
                                         NDArray::scalar<float>(-1.f)});
  expect_values(got, {1, 2, 3, 4, -1, -1, -1, -1, 1, 2, 3, 4});
}

TEST(Math, BitwiseAndPredicates) {
  NDArray a = vec({12, -3, 5, 0}, DType::Int16), b = vec({10, 6, -1, 7}, DType::Int16);
  expect_values(run1({}, and_(constant(a), constant(b)), {}), {8, 4, 5, 0});
  expect_values(run1({}, or_(constant(a), constant(b)), {}), {14, -1, -1, 7});
  expect_values(run1({}, xor_(constant(a), constant(b)), {}), {6, -5, -6, 7});
  expect_values(run1({}, invert(constant(a)), {}), {-13, 2, -6, -1});
  Var p = vector(DType::Bool), q = vector(DType::Bool);
  EXPECT_EQ(tensor_type(and_(p, q))->elem(), DType::Bool);
  expect_values(run1({p}, invert(p), {vec({1, 0}, DType::Bool)}), {0, 1});
  try {
    and_(vector(DType::Float64), vector(DType::Int8));
    FAIL() << "bitwise on floats must raise";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Type);
    EXPECT_EQ(std::string(e.what()).substr(0, 1), "[");
  }
  NDArray f = vec({1, NAN, INFINITY, -INFINITY});
  expect_values(run1({}, isnan(constant(f)), {}), {0, 1, 0, 0});
  expect_values(run1({}, isinf(constant(f)), {}), {0, 0, 1, 1});
  expect_values(run1({}, isclose(constant(vec({1, 1, INFINITY, INFINITY, NAN, 1e-9})),
                                 constant(vec({1 + 1e-6, 1.1, INFINITY, -INFINITY, NAN, 0}))), {}),
                {1, 0, 1, 0, 0, 1});
  expect_values(run1({}, isclose(constant(vec({NAN})), constant(vec({NAN})), 1e-5, 1e-8, true), {}), {1});
}

TEST(Math, ComplexParts) {
  NDArray z(DType::Complex128, {2, 3});
  for (int i = 0; i < 6; ++i) z.data<complex128>()[i] = complex128(i - 2.5, 1.5 - i);
  Var v = matrix(DType::Complex128);
  NDArray re = run1({v}, real(v), {z}), im = run1({v}, imag(v), {z}), an = run1({v}, angle(v), {z});
  NDArray cj = run1({v}, conj(v), {z});
  EXPECT_EQ(re.dtype(), DType::Float64);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(at(re, i), i - 2.5);
    EXPECT_EQ(at(im, i), 1.5 - i);
    EXPECT_DOUBLE_EQ(at(an, i), std::atan2(1.5 - i, i - 2.5));
    EXPECT_EQ(cj.data<complex128>()[i], std::conj(z.data<complex128>()[i]));
  }
  try {
    cast(v, DType::Float64);
    FAIL() << "complex -> real cast must raise";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Type);
    EXPECT_NE(std::string(e.what()).find("real()"), std::string::npos);
  }
  EXPECT_THROW(erf(v), Error);
}

TEST(Math, PrettyPrinting) {
  Var a = vector(DType::Int32, "a"), b = vector(DType::Int32, "b");
  EXPECT_EQ(pprint(and_(a, b)), "(a & b)");
  EXPECT_EQ(pprint(int_div(a, b)), "(a // b)");
  EXPECT_EQ(pprint(maximum(a, b)), "maximum(a, b)");
  EXPECT_EQ(maximum(a, b).owner()->op()->str(), "Elemwise{maximum,no_inplace}");
}
