// One compiled function called from many threads: per-call frames, atomic updates, no torn values.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "hypatia/compile/function.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/products.h"
#include "hypatia/tensor/basic.h"
#include "support/sparse_random.h"
#include "support/timing.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

// Sanitizer builds run the same tests with fewer iterations: the point is the interleavings.
constexpr int kThreads = 8;
constexpr int kCalls = sanitized_build() ? 60 : 400;

NDArray filled(int64_t n, double v) { return NDArray::full(DType::Float64, {n}, v); }
double first(const Value& v) { return std::get<NDArray>(v).data<double>()[0]; }

template <class F>
void in_threads(int n, F body) {
  std::vector<std::thread> ts;
  for (int t = 0; t < n; ++t) ts.emplace_back(body, t);
  for (auto& t : ts) t.join();
}

}  // namespace

// Each thread feeds its own sparse input and checks its own results: concurrent calls of one
// function give what sequential calls give (before per-call frames this double-freed in
// VM::release).
TEST(FunctionThreads, ConcurrentCallsMatchSequentialResults) {
  Var x = sparse::csr_matrix("x", DType::Float64);
  Var y = matrix(DType::Float64, "y");
  auto f = function({x, y}, {sparse::structured_dot(x, y) * 2.0 + sum(y)});
  std::mt19937_64 rng(7);
  std::vector<SparseMatrix> xs;
  std::vector<NDArray> ys, want;
  for (int t = 0; t < kThreads; ++t) {
    xs.push_back(random_sparse(SparseFormat::CSR, 30 + t, 20, DType::Float64, rng));
    ys.push_back(NDArray::full(DType::Float64, {20, 5}, 0.5 + t));
    want.push_back(std::get<NDArray>((*f)({xs[t], ys[t]})[0]));
  }
  std::atomic<int> mismatches{0};
  in_threads(kThreads, [&](int t) {
    for (int k = 0; k < kCalls; ++k) {
      NDArray got = std::get<NDArray>((*f)({xs[t], ys[t]})[0]);
      if (got.shape() != want[t].shape() || !std::equal(got.data<double>(), got.data<double>() + got.size(), want[t].data<double>()))
        ++mismatches;
    }
  });
  EXPECT_EQ(mismatches.load(), 0);
}

// Every call's update is applied exactly once, whichever thread makes it.
TEST(FunctionThreads, UpdatesFromManyThreadsAreNotLost) {
  Var c = shared(filled(1, 0.0), "c");
  FunctionOptions o;
  o.updates = {{c, c + 1.0}};
  auto f = function({}, {}, o);
  in_threads(kThreads, [&](int) {
    for (int k = 0; k < kCalls; ++k) (*f)({});
  });
  EXPECT_EQ(first(get_value(c)), double(kThreads * kCalls));
}

// Two functions updating the same variable (and two further variables, locked in opposite
// orders of declaration) neither lose updates nor deadlock.
TEST(FunctionThreads, OverlappingUpdatesOfTwoFunctions) {
  Var a = shared(filled(1, 0.0), "a"), b = shared(filled(1, 0.0), "b");
  FunctionOptions o1, o2;
  o1.updates = {{a, a + 1.0}, {b, b + 10.0}};
  o2.updates = {{b, b + 100.0}, {a, a + 1000.0}};
  auto f1 = function({}, {}, o1), f2 = function({}, {}, o2);
  in_threads(kThreads, [&](int t) {
    for (int k = 0; k < kCalls; ++k) (t % 2 ? *f1 : *f2)({});
  });
  const double n = kThreads / 2 * kCalls;
  EXPECT_EQ(first(get_value(a)), n * 1001.0);
  EXPECT_EQ(first(get_value(b)), n * 110.0);
}

// A reader sees each shared value whole: every element of w is equal at all times, because
// updates replace w as one value under its lock.
TEST(FunctionThreads, ReadersNeverSeeTornValues) {
  const int64_t n = 4096;
  Var w = shared(filled(n, 0.0), "w");
  FunctionOptions o;
  o.updates = {{w, w + 1.0}};
  auto step = function({}, {}, o);
  auto read = function({}, {w * 1.0});
  std::atomic<int> torn{0};
  in_threads(kThreads, [&](int t) {
    for (int k = 0; k < kCalls; ++k) {
      if (t % 2) {
        (*step)({});
        continue;
      }
      NDArray got = std::get<NDArray>(t % 4 ? (*read)({})[0] : get_value(w));
      const double* p = got.data<double>();
      if (std::any_of(p, p + n, [&](double v) { return v != p[0]; })) ++torn;
    }
  });
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(first(get_value(w)), double(kThreads / 2 * kCalls));
}

// The case: threads train one sparse model (a shared sparse-by-dense product with an
// SGD-style update of a shared weight) for a fixed time; the final weight equals the number
// of calls made times the per-call step, so no call was lost or torn.
TEST(FunctionThreads, SparseFunctionWithUpdatesForAFixedTime) {
  std::mt19937_64 rng(3);
  SparseMatrix xv = random_sparse(SparseFormat::CSC, 40, 30, DType::Float64, rng, {.p = 0.3});
  Var x = sparse::csc_matrix("x", DType::Float64);
  Var W = shared(NDArray::zeros(DType::Float64, {30, 4}), "W");
  Var calls = shared(filled(1, 0.0), "calls");
  Var out = sparse::structured_dot(x, W);
  FunctionOptions o;
  o.updates = {{W, W + 0.5}, {calls, calls + 1.0}};
  auto f = function({x}, {sum(out)}, o);
  std::atomic<int64_t> made{0}, bad{0};
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  in_threads(kThreads, [&](int) {
    while (std::chrono::steady_clock::now() < until) {
      double s = first(std::get<NDArray>((*f)({xv})[0]));
      ++made;
      // Each result is sum(x) * 4 * (0.5 * calls before it): a multiple of the row-sum step.
      double unit = 0;
      for (int64_t k = 0; k < xv.nnz(); ++k) unit += xv.data().data<double>()[k];
      unit *= 4 * 0.5;
      double q = s / unit;
      if (std::abs(q - std::round(q)) > 1e-6) ++bad;
    }
  });
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(first(get_value(calls)), double(made.load()));
  NDArray wv = std::get<NDArray>(get_value(W));
  EXPECT_DOUBLE_EQ(wv.data<double>()[0], 0.5 * double(made.load()));
}
