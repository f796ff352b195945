// Batch normalisation ops through the check_op harness: values vs plain loops (per-activation
// on a matrix, spatial on a 4-D input, running averages), shapes, and gradients.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hypatia/nnet/api.h"
#include "support/check_op.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

NDArray randn(Shape s, unsigned seed, double shift = 0) {
  std::mt19937 g(seed);
  std::normal_distribution<double> n;
  NDArray a(DType::Float64, s);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = n(g) + shift;
  return a;
}
NDArray positive(Shape s, unsigned seed) {
  NDArray a = randn(s, seed);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = 0.5 + std::abs(a.data<double>()[i]);
  return a;
}

/// Dense reference of one output of batch_normalization_train over axes (0, 2) of a 3-D x
/// (channel axis 1) with gamma/beta/running of shape (C,): k = 0 out, 1 mean, 2 invstd,
/// 3 new running mean, 4 new running var.
NDArray ref_train3(const std::vector<Value>& v, int k, double eps, double f) {
  const NDArray& x = std::get<NDArray>(v[0]);
  const int64_t n = x.shape(0), c = x.shape(1), w = x.shape(2), m = n * w;
  const double* px = x.data<double>();
  auto at = [&](int64_t i, int64_t j, int64_t l) { return px[(i * c + j) * w + l]; };
  NDArray out(DType::Float64, x.shape()), vec(DType::Float64, {c});
  for (int64_t j = 0; j < c; ++j) {
    double s = 0, ss = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t l = 0; l < w; ++l) s += at(i, j, l);
    const double mu = s / m;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t l = 0; l < w; ++l) ss += (at(i, j, l) - mu) * (at(i, j, l) - mu);
    const double var = ss / m, is = 1 / std::sqrt(var + eps);
    const double g = std::get<NDArray>(v[1]).data<double>()[j], b = std::get<NDArray>(v[2]).data<double>()[j];
    for (int64_t i = 0; i < n; ++i)
      for (int64_t l = 0; l < w; ++l) out.data<double>()[(i * c + j) * w + l] = (at(i, j, l) - mu) * g * is + b;
    double r = 0;
    if (k == 1) r = mu;
    if (k == 2) r = is;
    if (k == 3) r = std::get<NDArray>(v[3]).data<double>()[j] * (1 - f) + mu * f;
    if (k == 4) r = std::get<NDArray>(v[4]).data<double>()[j] * (1 - f) + double(m) / (m - 1) * var * f;
    vec.data<double>()[j] = r;
  }
  return k == 0 ? out : vec;
}

TEST(BatchNorm, TrainEveryOutputWithRunningAverages) {
  const std::vector<Value> vals{randn({4, 3, 2}, 1), positive({3}, 2), randn({3}, 3), randn({3}, 4), positive({3}, 5)};
  for (int k = 0; k < 5; ++k) {
    SCOPED_TRACE(k);
    check_op([k](const std::vector<Var>& in) {
      return batch_normalization_train(in[0], in[1], in[2], {0, 2}, 1e-3, 0.25, in[3], in[4])[k];
    }, vals, [k](const std::vector<Value>& v) -> Value { return ref_train3(v, k, 1e-3, 0.25); });
  }
}

TEST(BatchNorm, SpatialFourDimensional) {
  // 'spatial' on (N, C, H, W) is axes (0, 2, 3): the same reference after merging H and W.
  const NDArray x = randn({2, 3, 2, 3}, 7);
  EXPECT_EQ(bn_axes("spatial", 4), (std::vector<int>{0, 2, 3}));
  const std::vector<Value> vals{x, positive({3}, 8), randn({3}, 9)};
  check_op([](const std::vector<Var>& in) { return batch_normalization_train(in[0], in[1], in[2], bn_axes("spatial", 4))[0]; },
           vals, [&](const std::vector<Value>& v) -> Value {
             std::vector<Value> v3{std::get<NDArray>(v[0]).reshape({2, 3, 6}), v[1], v[2]};
             return ref_train3(v3, 0, 1e-4, 0.1).reshape({2, 3, 2, 3});
           });
}

TEST(BatchNorm, PerActivationKeepsParameterLayout) {
  // gamma of the input's rank (1, C): the outputs keep that rank.
  const std::vector<Value> vals{randn({5, 3}, 11), positive({1, 3}, 12), randn({1, 3}, 13)};
  check_op([](const std::vector<Var>& in) { return batch_normalization_train(in[0], in[1], in[2], {0})[2]; }, vals,
           [](const std::vector<Value>& v) -> Value {
             std::vector<Value> v3{std::get<NDArray>(v[0]).reshape({5, 3, 1}), std::get<NDArray>(v[1]).reshape({3}),
                                   std::get<NDArray>(v[2]).reshape({3})};
             return ref_train3(v3, 2, 1e-4, 0.1).reshape({1, 3});
           });
}

TEST(BatchNorm, InferenceValuesAndGradients) {
  const std::vector<Value> vals{randn({2, 3, 4}, 21), positive({3}, 22), randn({3}, 23), randn({3}, 24), positive({3}, 25)};
  check_op([](const std::vector<Var>& in) {
    return batch_normalization_test(in[0], in[1], in[2], in[3], in[4], {0, 2}, 1e-3);
  }, vals, [](const std::vector<Value>& v) -> Value {
    const NDArray& x = std::get<NDArray>(v[0]);
    NDArray out(DType::Float64, x.shape());
    for (int64_t i = 0; i < x.size(); ++i) {
      const int64_t j = (i / 4) % 3;
      auto p = [&](int t) { return std::get<NDArray>(v[t]).data<double>()[j]; };
      out.data<double>()[i] = (x.data<double>()[i] - p(3)) * p(1) / std::sqrt(p(4) + 1e-3) + p(2);
    }
    return out;
  });
}

TEST(BatchNorm, Errors) {
  Var x = tensor(DType::Float64, {false, false}, "x");
  Var g = tensor(DType::Float64, {false}, "g");
  EXPECT_THROW(batch_normalization_train(x, g, g, {0}, 1e-6), Error);
  EXPECT_THROW(batch_normalization_train(x, g, g, {0}, 1e-4, 0.1, g), Error);
  EXPECT_THROW(batch_normalization_train(x, g, g, {2}), Error);
  EXPECT_THROW(bn_axes("channels", 2), Error);
}

}  // namespace
