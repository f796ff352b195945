// Scan through the op harness: values against plain C++ loops, infer_shape, optimised vs not, BPTT.
#include <gtest/gtest.h>

#include <cmath>
#include <atomic>
#include <random>
#include <thread>

#include "hypatia/compile/function.h"
#include "hypatia/control/ops/scan.h"
#include "hypatia/grad/grad.h"
#include "hypatia/sparse/sparse.h"
#include "hypatia/tensor/tensor.h"
#include "support/check_op.h"
#include "support/sparse_random.h"

namespace hypatia {
namespace {

using testing::check_op;
using testing::CheckOpOptions;

NDArray vec(std::vector<double> v) { return NDArray::from_vector(v, {static_cast<int64_t>(v.size())}); }

NDArray randn(Shape s, DType dt, std::mt19937_64& rng, double scale = 1.0) {
  std::normal_distribution<double> n(0.0, scale);
  NDArray a = NDArray::zeros(DType::Float64, s);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = n(rng);
  return a.astype(dt);
}

double at2(const NDArray& a, int64_t i, int64_t j) { return a.astype(DType::Float64).contiguous().data<double>()[i * a.shape(1) + j]; }

TEST(Scan, PowerAk) {  // the manual's A**k: result[-1] after k steps of prior * A
  Var A = vector(DType::Float64, "A");
  Var k = scalar(DType::Int64, "k");
  ScanOptions o;
  o.n_steps = k;
  ScanResult r = scan([](const std::vector<Var>& a) { return ScanStep(mul(a[0], a[1])); }, {},
                      {ScanOutputInfo(ones_like(A, std::nullopt))}, {A}, o);
  auto f = function({A, k}, {subtensor(r.outputs[0], -1)});
  NDArray out = as_array((*f)({vec({0, 1, 2, 3}), NDArray::scalar<int64_t>(3)})[0]);
  EXPECT_EQ(out.data<double>()[2], 8.0);
  EXPECT_EQ(out.data<double>()[3], 27.0);
}

// h[t] = tanh(h[t-1] W + y[t] U) over non-square inputs, float32 and float64.
TEST(Scan, TanhRecurrenceThroughTheHarness) {
  std::mt19937_64 rng(7);
  for (DType dt : {DType::Float64, DType::Float32}) {
    SCOPED_TRACE(dtype_name(dt));
    std::vector<Value> vals{randn({3}, dt, rng), randn({3, 3}, dt, rng, 0.5), randn({2, 3}, dt, rng, 0.5),
                            randn({5, 2}, dt, rng)};
    auto fun = [](const std::vector<Var>& in) {
      return scan([](const std::vector<Var>& a) { return ScanStep(tanh(add(dot(a[1], a[2]), dot(a[0], a[3])))); },
                  {ScanSequence(in[3])}, {ScanOutputInfo(in[0])}, {in[1], in[2]})
          .outputs[0];
    };
    auto ref = [dt](const std::vector<Value>& v) -> Value {
      NDArray h = as_array(v[0]).astype(DType::Float64), W = as_array(v[1]).astype(DType::Float64);
      NDArray U = as_array(v[2]).astype(DType::Float64), Y = as_array(v[3]).astype(DType::Float64);
      NDArray out = NDArray::zeros(DType::Float64, {5, 3});
      std::vector<double> cur(h.data<double>(), h.data<double>() + 3);
      for (int t = 0; t < 5; ++t) {
        std::vector<double> nxt(3, 0.0);
        for (int j = 0; j < 3; ++j) {
          double s = 0;
          for (int i = 0; i < 3; ++i) s += cur[i] * at2(W, i, j);
          for (int i = 0; i < 2; ++i) s += at2(Y, t, i) * at2(U, i, j);
          nxt[j] = std::tanh(s);
          out.data<double>()[t * 3 + j] = nxt[j];
        }
        cur = nxt;
      }
      return out.astype(dt);
    };
    CheckOpOptions o;
    o.rtol = dt == DType::Float32 ? 1e-4 : 1e-10;
    o.atol = dt == DType::Float32 ? 1e-5 : 1e-12;
    check_op(fun, vals, ref, o);
  }
}

// Taps on both sides: x[t] = x[t-2] * a[t-1] + x[t-1] * a[t+1].
TEST(Scan, SequenceAndOutputTaps) {
  std::mt19937_64 rng(3);
  std::vector<Value> vals{randn({2, 4}, DType::Float64, rng), randn({6, 4}, DType::Float64, rng, 0.5)};
  auto fun = [](const std::vector<Var>& in) {
    return scan([](const std::vector<Var>& a) { return ScanStep(add(mul(a[2], a[0]), mul(a[3], a[1]))); },
                {ScanSequence(in[1], {-1, 1})}, {ScanOutputInfo(in[0], {-2, -1})}, {})
        .outputs[0];
  };
  auto ref = [](const std::vector<Value>& v) -> Value {
    const NDArray& x0 = as_array(v[0]);
    const NDArray& s = as_array(v[1]);
    std::vector<std::vector<double>> X{{}, {}};
    for (int r = 0; r < 2; ++r)
      for (int j = 0; j < 4; ++j) X[r].push_back(at2(x0, r, j));
    const int T = 6 - 2;  // taps -1..1 span 2 rows
    NDArray out = NDArray::zeros(DType::Float64, {T, 4});
    for (int t = 0; t < T; ++t) {
      std::vector<double> n(4);
      for (int j = 0; j < 4; ++j) n[j] = X[t][j] * at2(s, t, j) + X[t + 1][j] * at2(s, t + 2, j);
      for (int j = 0; j < 4; ++j) out.data<double>()[t * 4 + j] = n[j];
      X.push_back(n);
    }
    return out;
  };
  check_op(fun, vals, ref);
}

// A map over a dense sequence with a sparse non-sequence (structured gradient), CSR and CSC,
// float32 and float64, unsorted indices and explicit zeros included.
TEST(Scan, SparseNonSequence) {
  std::mt19937_64 rng(11);
  for (const auto& c : testing::sparse_cases(5, {{3, 4}})) {
    SCOPED_TRACE(testing::trace(c));
    std::vector<Value> vals{c.value, randn({4, 2}, c.dtype, rng), randn({3, 2}, c.dtype, rng)};
    auto fun = [](const std::vector<Var>& in) {
      return scan([](const std::vector<Var>& a) { return ScanStep(mul(sparse::structured_dot(a[1], a[2]), a[0])); },
                  {ScanSequence(in[2])}, {}, {in[0], in[1]}, [] {
                    ScanOptions o;
                    o.outputs_info_given = false;
                    return o;
                  }())
          .outputs[0];
    };
    auto ref = [](const std::vector<Value>& v) -> Value {
      NDArray X = as_array(Value(std::get<SparseMatrix>(v[0]).to_dense())).astype(DType::Float64);
      NDArray W = as_array(v[1]).astype(DType::Float64), S = as_array(v[2]).astype(DType::Float64);
      NDArray out = NDArray::zeros(DType::Float64, {3, 3, 2});
      for (int t = 0; t < 3; ++t)
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 2; ++j) {
            double s = 0;
            for (int k = 0; k < 4; ++k) s += at2(X, i, k) * at2(W, k, j);
            out.data<double>()[(t * 3 + i) * 2 + j] = s * at2(S, t, j);
          }
      return out.astype(std::get<SparseMatrix>(v[0]).dtype());
    };
    CheckOpOptions o;
    o.structured = true;
    o.rtol = c.dtype == DType::Float32 ? 1e-4 : 1e-10;
    o.atol = c.dtype == DType::Float32 ? 1e-5 : 1e-12;
    check_op(fun, vals, ref, o);
  }
}

TEST(Scan, UntilStopsAndKeepsTheLastStep) {
  Var m = scalar(DType::Float64, "m");
  ScanOptions o;
  o.n_steps = constant_int(100);
  ScanResult r = scan(
      [](const std::vector<Var>& a) {
        ScanStep s(mul(a[0], constant(2.0)));
        s.until = gt(s.outputs[0], a[1]);
        return s;
      },
      {}, {ScanOutputInfo(cast(constant(1.0), DType::Float64))}, {m}, o);
  auto f = function({m}, {r.outputs[0]});
  NDArray out = as_array((*f)({NDArray::scalar<double>(45.0)})[0]);
  ASSERT_EQ(out.shape(), Shape{6});
  EXPECT_EQ(out.data<double>()[5], 64.0);
}

TEST(Scan, ErrorsNameTheScan) {
  Var x = vector(DType::Float64, "x");
  ScanOptions o;
  o.name = "loop";
  EXPECT_THROW(scan([](const std::vector<Var>& a) { return ScanStep({a[0], a[0]}); }, {ScanSequence(x)},
                    {ScanOutputInfo(constant(0.0))}, {}, o),
               Error);
  try {
    scan([](const std::vector<Var>& a) { return ScanStep(a[0]); }, {}, {ScanOutputInfo(constant(0.0))}, {}, o);
    FAIL() << "no steps information must raise";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_NE(std::string(e.what()).find("[scan loop]"), std::string::npos) << e.what();
  }
}

TEST(Scan, GradientMatchesFiniteDifferencesWithTruncation) {
  std::mt19937_64 rng(5);
  Var W = matrix(DType::Float64, "W"), Y = matrix(DType::Float64, "Y"), h0 = vector(DType::Float64, "h0");
  ScanOptions o;
  o.truncate_gradient = 3;
  auto step = [](const std::vector<Var>& a) { return ScanStep(tanh(add(dot(a[1], a[2]), a[0]))); };
  Var full = scan(step, {ScanSequence(Y)}, {ScanOutputInfo(h0)}, {W}).outputs[0];
  Var trunc = scan(step, {ScanSequence(Y)}, {ScanOutputInfo(h0)}, {W}, o).outputs[0];
  Var gf = grad(sum(subtensor(full, -1)), Y), gt_ = grad(sum(subtensor(trunc, -1)), Y);
  auto f = function({W, Y, h0}, {gf, gt_});
  auto out = (*f)({randn({3, 3}, DType::Float64, rng, 0.5), randn({6, 3}, DType::Float64, rng), randn({3}, DType::Float64, rng)});
  const NDArray& a = as_array(out[0]);
  const NDArray& b = as_array(out[1]);
  for (int t = 0; t < 6; ++t)
    for (int j = 0; j < 3; ++j) {
      if (t >= 3) EXPECT_DOUBLE_EQ(at2(b, t, j), at2(a, t, j)) << t;  // the last 3 steps are exact
      else EXPECT_EQ(at2(b, t, j), 0.0) << t;                        // earlier ones are cut
    }
}

// One compiled loop (a recurrence, its BPTT with in-place accumulators) called from several
// threads at once gives the sequential results: each call takes its own inner frame.
TEST(Scan, CallsFromSeveralThreadsMatchSequentialResults) {
  std::mt19937_64 rng(9);
  Var W = matrix(DType::Float64, "W"), Y = matrix(DType::Float64, "Y"), h0 = vector(DType::Float64, "h0");
  Var hs = scan([](const std::vector<Var>& a) { return ScanStep(tanh(add(dot(a[1], a[2]), a[0]))); },
                {ScanSequence(Y)}, {ScanOutputInfo(h0)}, {W})
               .outputs[0];
  auto f = function({W, Y, h0}, {hs, grad(sum(hs), W)});
  std::vector<std::vector<Value>> args;
  std::vector<std::vector<Value>> want;
  for (int k = 0; k < 8; ++k) {
    args.push_back({randn({3, 3}, DType::Float64, rng, 0.5), randn({4 + k, 3}, DType::Float64, rng),
                    randn({3}, DType::Float64, rng)});
    want.push_back((*f)(args.back()));
  }
  std::vector<std::thread> ts;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep) {
        const int k = (t + rep) % 8;
        auto got = (*f)(args[k]);
        for (int o = 0; o < 2; ++o)
          if (!allclose(as_array(got[o]), as_array(want[k][o]), 0, 0, true)) ++bad;
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace hypatia
