// Linear algebra family: N-d dot, tensordot, batched_dot, Gemm/Gemv/Ger and their rewrites,
// through the check_op harness (nlinalg and slinalg are tested in tests/cpp/linalg).
#include "hypatia/tensor/linalg.h"

#include <gtest/gtest.h>

#include "hypatia/tensor/ops/blas.h"
#include "support/check_op.h"
#include "support/dense_random.h"
#include "tensor/helpers.h"

namespace hypatia {
namespace {

using testing::check_op;
using testing::CheckOpOptions;

using testing::rnd;

NDArray arr(const Value& v) { return std::get<NDArray>(v).astype(DType::Float64); }

// Naive reference: sum_k a[i, k] b[k, j] on C-contiguous float64 copies.
NDArray mm(const NDArray& a, const NDArray& b) {
  const int64_t M = a.shape(0), K = a.shape(1), N = b.shape(1);
  NDArray r = NDArray::zeros(DType::Float64, {M, N});
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j)
      for (int64_t k = 0; k < K; ++k) r.data<double>()[i * N + j] += a.data<double>()[i * K + k] * b.data<double>()[k * N + j];
  return r;
}

bool has_op(const Function& f, const std::string& name) {
  for (Apply* n : f.fgraph().toposort())
    if (n->op()->name() == name) return true;
  return false;
}

TEST(Gemm, RewriteFromScaledSumMatchesReferenceWithTransposes) {
  for (DType d : {DType::Float64, DType::Float32}) {
    const double tol = d == DType::Float32 ? 1e-4 : 1e-10;
    // Z*b + a*dot(X^T, Y): X given as (K, M) and transposed in the graph.
    auto fun = [](const std::vector<Var>& v) { return v[0] * 0.5 + dot(transpose(v[1]), v[2]) * 2.0; };
    std::vector<Value> vals{rnd(d, {3, 5}, 1), rnd(d, {4, 3}, 2), rnd(d, {4, 5}, 3)};
    auto ref = [d](const std::vector<Value>& v) {
      NDArray z = arr(v[0]), x = arr(v[1]).transpose().copy(), y = arr(v[2]);
      NDArray p = mm(x, y);
      for (int64_t i = 0; i < p.size(); ++i) p.data<double>()[i] = 0.5 * z.data<double>()[i] + 2 * p.data<double>()[i];
      return p.astype(d);
    };
    CheckOpOptions o;
    o.rtol = tol;
    o.atol = tol;
    o.check_grad = d == DType::Float64;
    check_op(fun, vals, ref, o);
    Var z = matrix(d), x = matrix(d), y = matrix(d);
    auto f = function({z, x, y}, {fun({z, x, y})});
    EXPECT_TRUE(has_op(*f, "Gemm"));
    EXPECT_FALSE(has_op(*f, "Dot"));
  }
}

TEST(Gemm, GemvAndGerRewrites) {
  const DType d = DType::Float64;
  Var y = vector(d), a = matrix(d), x = vector(d), u = vector(d), v = vector(d);
  auto fv = function({y, a, x}, {y - dot(a, x) * 3.0});
  EXPECT_TRUE(has_op(*fv, "Gemv"));
  auto fg = function({a, u, v}, {a + outer(u, v)});
  EXPECT_TRUE(has_op(*fg, "Ger"));
  NDArray A = rnd(d, {3, 4}, 5), U = rnd(d, {3}, 6), V = rnd(d, {4}, 7), Y = rnd(d, {3}, 8), X = rnd(d, {4}, 9);
  NDArray got = std::get<NDArray>((*fg)({A, U, V})[0]);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      EXPECT_NEAR(test::at(got, i * 4 + j), test::at(A, i * 4 + j) + test::at(U, i) * test::at(V, j), 1e-12);
  NDArray gv = std::get<NDArray>((*fv)({Y, A, X})[0]);
  for (int i = 0; i < 3; ++i) {
    double s = 0;
    for (int k = 0; k < 4; ++k) s += test::at(A, i * 4 + k) * test::at(X, k);
    EXPECT_NEAR(test::at(gv, i), test::at(Y, i) - 3 * s, 1e-12);
  }
}

TEST(Gemm, ExplicitOpShapeErrors) {
  Var z = matrix(DType::Float64), x = matrix(DType::Float64), y = matrix(DType::Float64);
  Var g = gemm(z, constant(1.0), x, y, constant(1.0));
  test::expect_error(ErrorKind::Value, [&] {
    test::run1({z, x, y}, g, {rnd(DType::Float64, {2, 2}, 1), rnd(DType::Float64, {2, 3}, 1), rnd(DType::Float64, {2, 2}, 1)});
  });
}

TEST(Tensordot, ManualExamples) {
  const DType d = DType::Float64;
  auto fun = [](const std::vector<Var>& v) { return tensordot(v[0], v[1], {1, 2}, {3, 2}); };
  std::vector<Value> vals{rnd(d, {2, 3, 4}, 1), rnd(d, {5, 6, 4, 3}, 2)};
  auto ref = [](const std::vector<Value>& v) {
    NDArray a = arr(v[0]), b = arr(v[1]);
    NDArray r = NDArray::zeros(DType::Float64, {2, 5, 6});
    for (int i = 0; i < 2; ++i)
      for (int p = 0; p < 5; ++p)
        for (int q = 0; q < 6; ++q)
          for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 4; ++k)
              r.data<double>()[(i * 5 + p) * 6 + q] += a.data<double>()[(i * 3 + j) * 4 + k] * b.data<double>()[((p * 6 + q) * 4 + k) * 3 + j];
    return r;
  };
  CheckOpOptions o;
  o.rtol = 1e-10;
  check_op(fun, vals, ref, o);
  Var a = tensor3(d), b = tensor4(d);
  NDArray outer0 = test::run1({a, b}, tensordot(a, b, 0), vals);
  EXPECT_EQ(outer0.shape(), (Shape{2, 3, 4, 5, 6, 4, 3}));
}

TEST(Dot, NdSumsLastAxisWithSecondToLast) {
  const DType d = DType::Float64;
  auto fun = [](const std::vector<Var>& v) { return dot(v[0], v[1]); };
  std::vector<Value> vals{rnd(d, {2, 3, 4}, 1), rnd(d, {5, 4, 6}, 2)};
  auto ref = [](const std::vector<Value>& v) {
    NDArray a = arr(v[0]), b = arr(v[1]);
    NDArray r = NDArray::zeros(DType::Float64, {2, 3, 5, 6});
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        for (int p = 0; p < 5; ++p)
          for (int q = 0; q < 6; ++q)
            for (int k = 0; k < 4; ++k)
              r.data<double>()[((i * 3 + j) * 5 + p) * 6 + q] += a.data<double>()[(i * 3 + j) * 4 + k] * b.data<double>()[(p * 4 + k) * 6 + q];
    return r;
  };
  CheckOpOptions o;
  o.rtol = 1e-10;
  check_op(fun, vals, ref, o);
  Var a = tensor3(d), b = matrix(d);
  test::expect_error(ErrorKind::Value, [&] {
    test::run1({a, b}, dot(a, b), {rnd(d, {2, 3, 4}, 1), rnd(d, {5, 6}, 1)});
  });
}

TEST(BatchedDot, MatrixBatchesValuesShapesGrads) {
  for (DType d : {DType::Float64, DType::Float32}) {
    auto fun = [](const std::vector<Var>& v) { return batched_dot(v[0], v[1]); };
    std::vector<Value> vals{rnd(d, {3, 2, 4}, 1), rnd(d, {3, 4, 5}, 2)};
    auto ref = [d](const std::vector<Value>& v) {
      NDArray a = arr(v[0]), b = arr(v[1]);
      NDArray r(DType::Float64, {3, 2, 5});
      for (int i = 0; i < 3; ++i) r.index(0, i).assign(mm(a.index(0, i).copy(), b.index(0, i).copy()));
      return r.astype(d);
    };
    CheckOpOptions o;
    o.rtol = o.atol = d == DType::Float32 ? 1e-5 : 1e-12;
    o.check_grad = d == DType::Float64;
    check_op(fun, vals, ref, o);
  }
  Var x = tensor3(DType::Float64), y = tensor3(DType::Float64);
  test::expect_error(ErrorKind::Value, [&] {
    test::run1({x, y}, batched_dot(x, y), {rnd(DType::Float64, {3, 2, 4}, 1), rnd(DType::Float64, {2, 4, 5}, 1)});
  });
}

}  // namespace
}  // namespace hypatia
