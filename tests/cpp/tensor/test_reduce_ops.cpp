// Reduce family and extra_ops through the check_op harness (representative subset).
#include "helpers.h"
#include "hypatia/grad/grad.h"
#include "hypatia/tensor/extra_ops.h"
#include "hypatia/tensor/reduce.h"
#include "support/check_op.h"

using namespace hypatia;
using namespace hypatia::test;
using hypatia::testing::check_op;
using hypatia::testing::CheckOpOptions;

namespace {
const NDArray& arr(const std::vector<Value>& v, int i) { return std::get<NDArray>(v[i]); }

// Reference fold of a (3, 4, 2) array over axis 1 with `f`, output (3, 2).
template <class F>
NDArray fold_axis1(const NDArray& a0, double init, F f) {
  NDArray a = a0.astype(DType::Float64);
  std::vector<double> out(6, init);
  const double* p = a.data<double>();
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 2; ++k) out[i * 2 + k] = f(out[i * 2 + k], p[(i * 4 + j) * 2 + k]);
  return NDArray::from_vector<double>(out, {3, 2});
}
}  // namespace

TEST(ReduceOps, SumProdMaxMinOverAnAxisWithGrads) {
  NDArray x = seq(DType::Float64, {3, 4, 2}, 0.5, 0.13);
  check_op([](const std::vector<Var>& v) { return sum(v[0], std::vector<int>{1}); }, {x},
           [](const std::vector<Value>& v) { return fold_axis1(arr(v, 0), 0, [](double a, double b) { return a + b; }); });
  check_op([](const std::vector<Var>& v) { return prod(v[0], std::vector<int>{-2}); }, {x},
           [](const std::vector<Value>& v) { return fold_axis1(arr(v, 0), 1, [](double a, double b) { return a * b; }); });
  check_op([](const std::vector<Var>& v) { return max(v[0], std::vector<int>{1}); }, {x},
           [](const std::vector<Value>& v) { return fold_axis1(arr(v, 0), -1e300, [](double a, double b) { return std::max(a, b); }); });
  check_op([](const std::vector<Var>& v) { return min(v[0], std::vector<int>{1}); }, {x},
           [](const std::vector<Value>& v) { return fold_axis1(arr(v, 0), 1e300, [](double a, double b) { return std::min(a, b); }); });
}

TEST(ReduceOps, ProdGradWithZeros) {
  // Rows: no zero, one zero, two zeros.
  NDArray x = NDArray::from_vector<double>({2, 3, 4, 2, 0, 5, 0, 0, 7}, {3, 3});
  Var m = matrix(DType::Float64);
  Var g = grad(sum(prod(m, std::vector<int>{1})), m);
  expect_near_array(run1({m}, g, {x}), {12, 8, 6, 0, 10, 0, 0, 0, 0}, {3, 3});
  NDArray y = NDArray::from_vector<double>({1.5, 0, 3, 2, 0.5, 4}, {2, 3});
  check_op([](const std::vector<Var>& v) { return prod(v[0], std::vector<int>{1}); }, {y}, [](const std::vector<Value>& v) {
    return NDArray::from_vector<double>({0, 4}, {2});
  });
}

TEST(ReduceOps, DtypeRulesAndAccumulation) {
  EXPECT_EQ(tensor_type(sum(vector(DType::Int8)))->elem(), DType::Int64);
  EXPECT_EQ(tensor_type(prod(vector(DType::UInt16)))->elem(), DType::UInt64);
  EXPECT_EQ(tensor_type(mean(vector(DType::Int16)))->elem(), DType::Float64);
  EXPECT_EQ(tensor_type(mean(vector(DType::Float32)))->elem(), DType::Float32);
  EXPECT_EQ(tensor_type(all(vector(DType::Float32)))->elem(), DType::Bool);
  EXPECT_EQ(tensor_type(argmax(matrix(DType::Float32)))->elem(), DType::Int64);
  EXPECT_EQ(sum(vector(DType::Float32)).owner()->op()->str(), "Sum{acc_dtype=float64}");
  EXPECT_EQ(prod(matrix(DType::Int8), std::vector<int>{0}).owner()->op()->str(), "Prod{axis=[0], acc_dtype=int64}");
  EXPECT_EQ(max(matrix(DType::Float64)).owner()->op()->str(), "Max{maximum}");
  EXPECT_EQ(argmax(matrix(DType::Float64), std::vector<int>{0}).owner()->op()->str(), "Argmax{axis=(0,)}");
  EXPECT_EQ(max_and_argmax(matrix(DType::Float64)).first.owner()->op()->str(), "MaxAndArgmax{axis=(0, 1)}");
  // float32 accumulates in float64: 1 + 4096 * 2**-24 survives.
  std::vector<float> v(4097, std::ldexp(1.0f, -24));
  v[0] = 1.0f;
  NDArray xv = NDArray::from_vector<float>(v, {4097});
  Var x = vector(DType::Float32);
  NDArray s = run1({x}, sum(x), {xv});
  EXPECT_EQ(s.dtype(), DType::Float32);
  EXPECT_EQ(s.item<float>(), static_cast<float>(1.0 + 4096 * std::ldexp(1.0, -24)));
  // int8 sums do not overflow.
  NDArray iv = NDArray::from_vector<int8_t>({100, 100, 100}, {3});
  Var i = vector(DType::Int8);
  EXPECT_EQ(run1({i}, sum(i), {iv}).item<int64_t>(), 300);
}

TEST(ReduceOps, ArgmaxMeanVarKeepdims) {
  NDArray x = NDArray::from_vector<double>({3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9}, {3, 5});
  check_op([](const std::vector<Var>& v) { return argmax(v[0], std::vector<int>{-1}); }, {x},
           [](const std::vector<Value>&) { return NDArray::from_vector<int64_t>({4, 0, 2}, {3}); });
  check_op([](const std::vector<Var>& v) { return argmin(v[0]); }, {x}, [](const std::vector<Value>&) { return NDArray::scalar<int64_t>(1); });
  check_op([](const std::vector<Var>& v) { return mean(v[0], std::vector<int>{0}, true); }, {x}, [](const std::vector<Value>&) {
    return NDArray::from_vector<double>({17 / 3., 11 / 3., 19 / 3., 13 / 3., 17 / 3.}, {1, 5});
  });
  check_op([](const std::vector<Var>& v) { return var(v[0], std::vector<int>{1}); }, {x}, [](const std::vector<Value>&) {
    return NDArray::from_vector<double>({2.56, 6, 2.24}, {3});
  });
}

TEST(ReduceOps, ExtraOpsValuesAndGrads) {
  NDArray x = seq(DType::Float64, {3, 5}, 0.5, 0.25);
  check_op([](const std::vector<Var>& v) { return cumsum(v[0], 1); }, {x}, [](const std::vector<Value>& v) {
    NDArray a = arr(v, 0).copy();
    double* p = a.data<double>();
    for (int i = 0; i < 3; ++i)
      for (int j = 1; j < 5; ++j) p[i * 5 + j] += p[i * 5 + j - 1];
    return a;
  });
  check_op([](const std::vector<Var>& v) { return cumprod(v[0]); }, {x}, [](const std::vector<Value>& v) {
    NDArray a = arr(v, 0).copy().reshape({15});
    double* p = a.data<double>();
    for (int j = 1; j < 15; ++j) p[j] *= p[j - 1];
    return a;
  });
  check_op([](const std::vector<Var>& v) { return diff(v[0], 2, 0); }, {x}, [](const std::vector<Value>& v) {
    const double* p = arr(v, 0).data<double>();
    std::vector<double> out(5);
    for (int j = 0; j < 5; ++j) out[j] = p[10 + j] - 2 * p[5 + j] + p[j];
    return NDArray::from_vector<double>(out, {1, 5});
  });
  check_op([](const std::vector<Var>& v) { return repeat(v[0], constant_int(2), 0); }, {x}, [](const std::vector<Value>& v) {
    const double* p = arr(v, 0).data<double>();
    std::vector<double> out;
    for (int i = 0; i < 3; ++i)
      for (int r = 0; r < 2; ++r)
        for (int j = 0; j < 5; ++j) out.push_back(p[i * 5 + j]);
    return NDArray::from_vector<double>(out, {6, 5});
  });
}

TEST(ReduceOps, Errors) {
  Var x = matrix(DType::Float64);
  expect_error(ErrorKind::Value, [&] { sum(x, std::vector<int>{2}); }, "[Sum]");
  expect_error(ErrorKind::Value, [&] { max(x, std::vector<int>{-3}); }, "[Max]");
  expect_error(ErrorKind::Value, [&] { argmax(x, std::vector<int>{4}); }, "[Argmax]");
  expect_error(ErrorKind::Type, [&] { sum(x, std::nullopt, false, std::nullopt, DType::Float32); }, "[Sum]");
  expect_error(ErrorKind::Type, [&] { fill_diagonal(matrix(DType::Float32), scalar(DType::Float64)); }, "[FillDiagonal]");
  Var e = vector(DType::Float64);
  expect_error(ErrorKind::Value, [&] { run1({e}, max(e), {NDArray::zeros(DType::Float64, {0})}); });
}
