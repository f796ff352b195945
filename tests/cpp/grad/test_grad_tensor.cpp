// Gradients of the starter tensor ops (verify_grad on non-square inputs, float32 and float64)
// and the manual's gradient examples.
#include <gtest/gtest.h>

#include <cmath>

#include "hypatia/grad/grad.h"
#include "hypatia/compile/jacobian.h"
#include "hypatia/compile/verify_grad.h"
#include "hypatia/compile/function.h"
#include "hypatia/tensor/basic.h"

using namespace hypatia;

namespace {

/// Deterministic pseudo-random values in [lo, hi).
NDArray rnd(Shape shape, double lo, double hi, uint64_t seed) {
  NDArray a(DType::Float64, shape);
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = u(g);
  return a;
}

using Fun = std::function<Var(const std::vector<Var>&)>;

/// verify_grad in float64 and float32 (inputs cast), seeded.
void check(const Fun& f, const std::vector<NDArray>& pt) {
  for (DType d : {DType::Float64, DType::Float32}) {
    std::vector<Value> v;
    for (const auto& a : pt) v.push_back(a.astype(d));
    SCOPED_TRACE(dtype_name(d));
    EXPECT_NO_THROW(verify_grad(f, v)) << [&] {
      try {
        verify_grad(f, v);
      } catch (const std::exception& e) {
        return std::string(e.what());
      }
      return std::string();
    }();
  }
}

const Shape kM{2, 3};

}  // namespace

TEST(StarterGrad, Elementwise) {
  NDArray a = rnd(kM, -2, 2, 1), b = rnd(kM, -2, 2, 2), p = rnd(kM, 0.5, 2, 3), q = rnd(kM, 0.5, 2, 4);
  check([](const std::vector<Var>& x) { return add(x[0], x[1]); }, {a, b});
  check([](const std::vector<Var>& x) { return sub(x[0], x[1]); }, {a, b});
  check([](const std::vector<Var>& x) { return mul(x[0], x[1]); }, {a, b});
  check([](const std::vector<Var>& x) { return true_div(x[0], x[1]); }, {a, q});
  check([](const std::vector<Var>& x) { return neg(x[0]); }, {a});
  check([](const std::vector<Var>& x) { return exp(x[0]); }, {a});
  check([](const std::vector<Var>& x) { return log(x[0]); }, {p});
  check([](const std::vector<Var>& x) { return pow(x[0], x[1]); }, {p, q});
  check([](const std::vector<Var>& x) { return sqr(x[0]); }, {a});
  check([](const std::vector<Var>& x) { return sqrt(x[0]); }, {p});
}

TEST(StarterGrad, Broadcasting) {
  NDArray a = rnd(kM, -2, 2, 5), r = rnd({3}, -2, 2, 6);
  check([](const std::vector<Var>& x) { return mul(x[0], dimshuffle(x[1], {-1, 0})); }, {a, r});
  check([](const std::vector<Var>& x) { return add(x[0], dimshuffle(x[1], {-1, 0})); }, {a, r});
}

TEST(StarterGrad, Sum) {
  NDArray a = rnd({2, 3, 4}, -2, 2, 7);
  check([](const std::vector<Var>& x) { return sum(x[0]); }, {a});
  check([](const std::vector<Var>& x) { return sum(x[0], std::vector<int>{1}); }, {a});
  check([](const std::vector<Var>& x) { return sum(x[0], std::vector<int>{0, 2}); }, {a});
}

TEST(StarterGrad, Dot) {
  NDArray m23 = rnd({2, 3}, -1, 1, 8), m34 = rnd({3, 4}, -1, 1, 9), v3 = rnd({3}, -1, 1, 10),
          v2 = rnd({2}, -1, 1, 11), w3 = rnd({3}, -1, 1, 12);
  Fun d = [](const std::vector<Var>& x) { return dot(x[0], x[1]); };
  check(d, {m23, m34});  // mm
  check(d, {m23, v3});   // mv
  check(d, {v2, m23});   // vm
  check(d, {v3, w3});    // vv
}

TEST(StarterGrad, Shapes) {
  NDArray a = rnd(kM, -2, 2, 13);
  check([](const std::vector<Var>& x) { return reshape(x[0], std::vector<int64_t>{3, 2}); }, {a});
  check([](const std::vector<Var>& x) { return reshape(x[0], std::vector<int64_t>{6}); }, {a});
  check([](const std::vector<Var>& x) { return dimshuffle(x[0], {1, 0}); }, {a});
  check([](const std::vector<Var>& x) { return dimshuffle(x[0], {0, -1, 1}); }, {a});
  check([](const std::vector<Var>& x) { return transpose(x[0]); }, {a});
  NDArray s = rnd({}, -2, 2, 14), v = rnd({4}, -2, 2, 15);
  check([](const std::vector<Var>& x) { return fill(x[0], x[1]); }, {a, s});
  check([](const std::vector<Var>& x) { return alloc(x[0], {constant_int(3), constant_int(4)}); }, {v});
  check([](const std::vector<Var>& x) { return alloc(x[0], {constant_int(2), constant_int(3)}); }, {s});
}

TEST(ManualExamples, GradOfSquare) {
  Var x = scalar(DType::Float64, "x");
  Var y = pow(x, constant(2.0));
  auto f = function({x}, {grad(y, x)});
  EXPECT_DOUBLE_EQ(as_array((*f)({NDArray::scalar<double>(4.0)})[0]).item<double>(), 8.0);
  EXPECT_NEAR(as_array((*f)({NDArray::scalar<double>(94.2)})[0]).item<double>(), 188.4, 1e-9);
}

TEST(ManualExamples, Rop) {
  Var W = matrix(DType::Float64, "W"), V = matrix(DType::Float64, "V"), x = vector(DType::Float64, "x");
  Var y = dot(x, W);
  Var JV = Rop(y, W, V);
  auto f = function({W, V, x}, {JV});
  NDArray r = as_array((*f)({NDArray::from_vector<double>({1, 1, 1, 1}, {2, 2}),
                             NDArray::from_vector<double>({2, 2, 2, 2}, {2, 2}),
                             NDArray::from_vector<double>({0, 1}, {2})})[0]);
  EXPECT_TRUE(allclose(r, NDArray::from_vector<double>({2, 2}, {2}))) << r.repr();
}

TEST(ManualExamples, Lop) {
  Var W = matrix(DType::Float64, "W"), v = vector(DType::Float64, "v"), x = vector(DType::Float64, "x");
  Var y = dot(x, W);
  Var VJ = Lop(y, W, v);
  auto f = function({v, x}, {VJ});
  NDArray r = as_array((*f)({NDArray::from_vector<double>({2, 2}, {2}), NDArray::from_vector<double>({0, 1}, {2})})[0]);
  EXPECT_TRUE(allclose(r, NDArray::from_vector<double>({0, 0, 2, 2}, {2, 2}))) << r.repr();
}

TEST(ManualExamples, JacobianAndHessian) {
  Var x = vector(DType::Float64, "x");
  Var y = pow(x, constant(2.0));
  auto fj = function({x}, {jacobian(y, x)});
  NDArray J = as_array((*fj)({NDArray::from_vector<double>({4, 4}, {2})})[0]);
  EXPECT_TRUE(allclose(J, NDArray::from_vector<double>({8, 0, 0, 8}, {2, 2}))) << J.repr();
  Var cost = sum(pow(x, constant(2.0)));
  auto fh = function({x}, {hessian(cost, x)});
  NDArray H = as_array((*fh)({NDArray::from_vector<double>({4, 4}, {2})})[0]);
  EXPECT_TRUE(allclose(H, NDArray::from_vector<double>({2, 0, 0, 2}, {2, 2}))) << H.repr();
  // Hessian-vector product via Rop of the gradient: x=[4,4], v=[2,2] -> [4,4].
  Var v = vector(DType::Float64, "v");
  Var gy = grad(cost, x);
  auto fr = function({x, v}, {Rop(gy, x, v)});
  NDArray Hv = as_array((*fr)({NDArray::from_vector<double>({4, 4}, {2}), NDArray::from_vector<double>({2, 2}, {2})})[0]);
  EXPECT_TRUE(allclose(Hv, NDArray::from_vector<double>({4, 4}, {2}))) << Hv.repr();
}

TEST(ManualExamples, LogisticRegression) {
  const int N = 40, feats = 7;
  NDArray D = rnd({N, feats}, -1, 1, 21);
  NDArray labels(DType::Float64, {N});
  for (int i = 0; i < N; ++i) labels.data<double>()[i] = D.data<double>()[i * feats] > 0 ? 1.0 : 0.0;
  Var x = matrix(DType::Float64, "x"), y = vector(DType::Float64, "y");
  Var w = shared(rnd({feats}, -0.1, 0.1, 22), "w");
  Var b = shared(NDArray::scalar<double>(0.0), "b");
  Var p_1 = 1.0 / (1.0 + exp(-dot(x, w) - b));
  Var prediction = p_1 > 0.5;
  Var xent = -y * log(p_1) - (1.0 - y) * log(1.0 - p_1);
  Var cost = mean(xent) + 0.01 * sum(sqr(w));
  auto g = grad(cost, std::vector<Var>{w, b});
  FunctionOptions o;
  o.updates = {{w, w - 0.1 * g[0]}, {b, b - 0.1 * g[1]}};
  auto train = function({x, y}, {prediction, mean(xent)}, o);
  double first = 0, last = 0;
  for (int i = 0; i < 50; ++i) {
    auto r = (*train)({D, labels});
    double c = as_array(r[1]).item<double>();
    if (i == 0) first = c;
    last = c;
  }
  EXPECT_LT(last, first);
}
