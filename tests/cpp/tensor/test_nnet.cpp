// nnet ops (sigmoid, softplus) and the new scalar ops (log1p, expm1, tanh, abs_): values at
// extreme inputs, dtypes, printing, gradients; the stabilize rewrites before/after; and the
// manual's logistic regression, whose cost and gradient must stay finite when saturated.
#include <cmath>
#include <random>

#include "helpers.h"
#include "hypatia/grad/grad.h"
#include "hypatia/compile/verify_grad.h"
#include "hypatia/graph/print.h"
#include "hypatia/compile/pipeline.h"
#include "hypatia/tensor/ops/nnet.h"
#include "hypatia/tensor/ops/elemwise.h"

using namespace hypatia;
using namespace hypatia::test;

namespace {

using LD = long double;

NDArray vec(const std::vector<double>& v, DType d = DType::Float64) {
  return NDArray::from_vector<double>(v, {static_cast<int64_t>(v.size())}).astype(d);
}

NDArray rnd(Shape shape, double lo, double hi, uint64_t seed) {
  NDArray a(DType::Float64, shape);
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = u(g);
  return a;
}

NDArray run_mode(const std::vector<Var>& ins, const Var& out, const std::vector<Value>& vals, const std::string& mode) {
  FunctionOptions o;
  o.on_unused_input = OnUnusedInput::Ignore;
  set_mode(o, mode);
  std::vector<In> in(ins.begin(), ins.end());
  return std::get<NDArray>((*function(in, {out}, o))(vals)[0]);
}

/// The elemwise scalar names in the FAST_RUN-optimized graph of `outs`.
std::vector<std::string> optimized_scalars(const std::vector<Var>& ins, const std::vector<Var>& outs) {
  FunctionGraph fg(ins, outs);
  optimize_graph(fg, "FAST_RUN-fusion");  // op names are checked: keep the ops unfused
  std::vector<std::string> r;
  for (Apply* n : fg.toposort()) r.push_back(elemwise_scalar_name(*n->op()));
  return r;
}
bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

bool all_finite(const NDArray& a) {
  for (int64_t i = 0; i < a.size(); ++i)
    if (!std::isfinite(at(a, i))) return false;
  return true;
}

const std::vector<double> kExtreme = {-800, -50, -20, -1, -1e-10, 0, 1e-10, 0.5, 1, 20, 50, 800};

}  // namespace

// ---------------------------------------------------------------- values, dtypes, printing

TEST(Nnet, ValuesMatchReferenceAtExtremeInputs) {
  using Ref = LD (*)(LD);
  const std::vector<std::tuple<std::string, Var (*)(const Var&), Ref>> cases = {
      {"sigmoid", sigmoid, [](LD a) { return 1 / (1 + std::exp(-a)); }},
      {"softplus", softplus, [](LD a) { return std::log1p(std::exp(a)); }},
      {"tanh", hypatia::tanh, [](LD a) { return std::tanh(a); }},
      {"abs_", abs_, [](LD a) { return std::fabs(a); }},
  };
  for (DType d : {DType::Float64, DType::Float32}) {
    Var x = vector(d, "x");
    NDArray xv = vec(kExtreme, d);
    for (const auto& [name, build, ref] : cases) {
      Var out = build(x);
      EXPECT_EQ(tensor_type(out)->elem(), d) << name;
      NDArray r = run1({x}, out, {xv});
      ASSERT_EQ(r.dtype(), d);
      for (int64_t i = 0; i < xv.size(); ++i) {
        double want = static_cast<double>(ref(static_cast<LD>(at(xv, i))));
        if (d == DType::Float32) want = static_cast<float>(want);
        EXPECT_TRUE(std::isfinite(at(r, i))) << name << " " << dtype_name(d) << " x=" << at(xv, i);
        const double tol = (d == DType::Float32 ? 1e-6 : 1e-14) * std::abs(want) + 1e-300;
        EXPECT_NEAR(at(r, i), want, tol) << name << " " << dtype_name(d) << " x=" << at(xv, i);
      }
    }
    // log1p and expm1 near 0 (where log(1+x) and exp(x)-1 lose every digit) and beyond.
    NDArray small = vec({-0.5, -1e-12, 0, 1e-12, 1e-5, 3, 40}, d);
    NDArray l = run1({x}, log1p(x), {small}), e = run1({x}, expm1(x), {small});
    for (int64_t i = 0; i < small.size(); ++i) {
      const LD v = static_cast<LD>(at(small, i));
      const double wl = static_cast<double>(std::log1p(v)), we = static_cast<double>(std::expm1(v));
      const double rel = d == DType::Float32 ? 1e-6 : 1e-15;
      EXPECT_NEAR(at(l, i), wl, rel * std::abs(wl) + 1e-300) << "log1p x=" << v;
      EXPECT_NEAR(at(e, i), we, rel * std::abs(we) + 1e-300) << "expm1 x=" << v;
    }
  }
  // sigmoid keeps its tiny values instead of rounding 1 - s to 0
  NDArray s = run1({}, sigmoid(constant(vec({-700.0}))), {});
  EXPECT_GT(at(s, 0), 0.0);
  EXPECT_NEAR(at(s, 0) / std::exp(-700.0), 1.0, 1e-12);
  NDArray sp = run1({}, softplus(constant(vec({-800.0, 800.0}))), {});
  EXPECT_EQ(at(sp, 0), 0.0);
  EXPECT_EQ(at(sp, 1), 800.0);
}

TEST(Nnet, DtypesFollowTheFloatRule) {
  Var i = vector(DType::Int32, "i"), b = vector(DType::Int8, "b");
  for (Var out : {sigmoid(i), softplus(i), log1p(i), expm1(i), hypatia::tanh(i)})
    EXPECT_EQ(tensor_type(out)->elem(), DType::Float64) << out.owner()->op()->str();
  EXPECT_EQ(tensor_type(sigmoid(b))->elem(), DType::Float32);  // int8 -> float32, as numpy
  EXPECT_EQ(tensor_type(abs_(i))->elem(), DType::Int32);
  NDArray r = run1({i}, abs_(i), {vec({-3, 0, 4}, DType::Int32)});
  EXPECT_EQ(r.dtype(), DType::Int32);
  EXPECT_EQ(at(r, 0), 3);
  NDArray s = run1({i}, sigmoid(i), {vec({0, 1000}, DType::Int32)});
  EXPECT_DOUBLE_EQ(at(s, 0), 0.5);
  EXPECT_DOUBLE_EQ(at(s, 1), 1.0);
  expect_error(ErrorKind::Type, [] { abs_(vector(DType::Complex128, "z")); }, "abs_");
}

TEST(Nnet, Printing) {
  Var x = matrix(DType::Float64, "x");
  EXPECT_EQ(sigmoid(x).owner()->op()->str(), "Elemwise{sigmoid,no_inplace}");
  EXPECT_EQ(softplus(x).owner()->op()->str(), "Elemwise{softplus,no_inplace}");
  EXPECT_EQ(log1p(x).owner()->op()->str(), "Elemwise{log1p,no_inplace}");
  EXPECT_EQ(expm1(x).owner()->op()->str(), "Elemwise{expm1,no_inplace}");
  EXPECT_EQ(hypatia::tanh(x).owner()->op()->str(), "Elemwise{tanh,no_inplace}");
  EXPECT_EQ(abs_(x).owner()->op()->str(), "Elemwise{abs_,no_inplace}");
  EXPECT_EQ(pprint(sigmoid(x)), "sigmoid(x)");
  EXPECT_EQ(pprint(softplus(neg(x))), "softplus(-x)");
  EXPECT_EQ(pprint(log1p(x)), "log1p(x)");
  EXPECT_EQ(pprint(abs_(x)), "|x|");
}

// ---------------------------------------------------------------- gradients

TEST(Nnet, VerifyGrad) {
  using Fun = std::function<Var(const std::vector<Var>&)>;
  const NDArray a = rnd({2, 3}, -3, 3, 7), p = rnd({2, 3}, -0.5, 2, 8);
  NDArray nz = rnd({3, 2}, 0.2, 2, 9);  // abs_: keep away from the kink at 0
  for (int64_t i = 0; i < nz.size(); i += 2) nz.data<double>()[i] *= -1;
  const std::vector<std::pair<Fun, NDArray>> cases = {
      {[](const std::vector<Var>& x) { return sigmoid(x[0]); }, a},
      {[](const std::vector<Var>& x) { return softplus(x[0]); }, a},
      {[](const std::vector<Var>& x) { return log1p(x[0]); }, p},
      {[](const std::vector<Var>& x) { return expm1(x[0]); }, a},
      {[](const std::vector<Var>& x) { return hypatia::tanh(x[0]); }, a},
      {[](const std::vector<Var>& x) { return abs_(x[0]); }, nz},
  };
  for (DType d : {DType::Float64, DType::Float32}) {
    for (size_t c = 0; c < cases.size(); ++c) {
      SCOPED_TRACE(std::string(dtype_name(d)) + " case " + std::to_string(c));
      EXPECT_NO_THROW(verify_grad(cases[c].first, {Value(cases[c].second.astype(d))}));
    }
  }
}

TEST(Nnet, GradientsAreFiniteWhenSaturated) {
  Var x = vector(DType::Float64, "x");
  Var gs = grad(sum(sigmoid(x)), x), gp = grad(sum(softplus(x)), x);
  NDArray xv = vec(kExtreme);
  NDArray rs = run1({x}, gs, {xv}), rp = run1({x}, gp, {xv});
  EXPECT_TRUE(all_finite(rs));
  EXPECT_TRUE(all_finite(rp));
  EXPECT_EQ(at(rs, 0), 0.0);  // s(-800)(1 - s(-800))
  EXPECT_DOUBLE_EQ(at(rs, 5), 0.25);
  EXPECT_DOUBLE_EQ(at(rp, 11), 1.0);
  // jvp: Rop of sigmoid is s(1-s) * v
  Var v = vector(DType::Float64, "v");
  NDArray r = run1({x, v}, Rop(sigmoid(x), x, v), {vec({0.0, 2.0}), vec({2.0, 1.0})});
  EXPECT_DOUBLE_EQ(at(r, 0), 0.5);
  const double s2 = 1 / (1 + std::exp(-2.0));
  EXPECT_NEAR(at(r, 1), s2 * (1 - s2), 1e-15);
}

// ---------------------------------------------------------------- stabilize rewrites

namespace {

/// Checks that `out` rewrites into a graph with `want` and without `gone`, that FAST_RUN
/// equals mode None on `moderate` and that FAST_RUN is finite on `extreme`.
void check_rewrite(const Var& x, const Var& out, const std::vector<std::string>& want,
                   const std::vector<std::string>& gone, const NDArray& moderate, const NDArray& extreme) {
  SCOPED_TRACE(pprint(out));
  auto ops = optimized_scalars({x}, {out});
  for (const auto& w : want) EXPECT_TRUE(has(ops, w)) << "missing " << w;
  for (const auto& g : gone) EXPECT_FALSE(has(ops, g)) << "still has " << g;
  NDArray fast = run_mode({x}, out, {moderate}, "FAST_RUN"), slow = run_mode({x}, out, {moderate}, "None");
  ASSERT_EQ(fast.dtype(), slow.dtype());
  ASSERT_EQ(fast.shape(), slow.shape());
  const double tol = fast.dtype() == DType::Float32 ? 1e-5 : 1e-12;
  for (int64_t i = 0; i < fast.size(); ++i) EXPECT_NEAR(at(fast, i), at(slow, i), tol * (1 + std::abs(at(slow, i))));
  EXPECT_TRUE(all_finite(run_mode({x}, out, {extreme}, "FAST_RUN")));
}

}  // namespace

TEST(Stabilize, Rewrites) {
  for (DType d : {DType::Float64, DType::Float32}) {
    SCOPED_TRACE(dtype_name(d));
    Var x = matrix(d, "x");
    NDArray mod = rnd({2, 3}, -3, 3, 11).astype(d), ext = rnd({2, 3}, -800, 800, 12).astype(d);
    NDArray small = rnd({2, 3}, -0.9, 3, 13).astype(d);
    check_rewrite(x, 1 / (1 + exp(-x)), {"sigmoid"}, {"exp", "true_div"}, mod, ext);            // local_sigm_to_sigmoid
    check_rewrite(x, exp(x) / (1 + exp(x)), {"sigmoid"}, {"exp", "true_div"}, mod, ext);        // local_exp_over_1_plus_exp
    check_rewrite(x, 1 - sigmoid(x), {"sigmoid"}, {"sub"}, mod, ext);                            // local_1_minus_sigmoid
    check_rewrite(x, log(sigmoid(x)), {"softplus"}, {"log", "sigmoid"}, mod, ext);               // local_log_sigmoid
    check_rewrite(x, log(1 - sigmoid(x)), {"softplus"}, {"log", "sigmoid", "sub"}, mod, ext);
    check_rewrite(x, log(1 + exp(x)), {"softplus"}, {"log", "exp"}, mod, ext);                  // local_log_1_plus_exp
    check_rewrite(x, log(exp(x) + 1), {"softplus"}, {"log", "exp"}, mod, ext);
    check_rewrite(x, log(1 + x), {"log1p"}, {"log", "add"}, small, small);                       // local_log1p
    check_rewrite(x, log(1 - x / 4), {"log1p"}, {"log", "sub"}, small, small);
    check_rewrite(x, exp(x) - 1, {"expm1"}, {"exp", "sub"}, mod, mod);                           // local_expm1
    check_rewrite(x, exp(x) * sigmoid(-x), {"sigmoid"}, {"exp", "mul"}, mod, ext);               // local_sigm_times_exp
    check_rewrite(x, (x * 3) / (1 + exp(x)), {"sigmoid"}, {"exp", "true_div"}, mod, ext);
    check_rewrite(x, -(sigmoid(x) * exp(-x)), {"sigmoid"}, {"exp"}, mod, ext);
  }
}

TEST(Stabilize, ConstantOneOfAnyDtypeAndShapeKeepsTheType) {
  Var x = vector(DType::Float32, "x");
  NDArray xv = vec({-800, -1, 0, 2, 800}, DType::Float32);
  // float64 one: the output is float64, sigmoid(x) float32 gets cast
  Var one64 = constant(NDArray::scalar<double>(1.0));
  Var out = one64 / (one64 + exp(-x));
  EXPECT_EQ(tensor_type(out)->elem(), DType::Float64);
  auto ops = optimized_scalars({x}, {out});
  EXPECT_TRUE(has(ops, "sigmoid"));
  EXPECT_FALSE(has(ops, "exp"));
  NDArray r = run_mode({x}, out, {xv}, "FAST_RUN");
  EXPECT_EQ(r.dtype(), DType::Float64);
  EXPECT_TRUE(all_finite(r));
  EXPECT_EQ(at(r, 0), 0.0);
  EXPECT_EQ(at(r, 4), 1.0);
  // a (1, 1) matrix of ones broadcasts the vector to a matrix: the rewrite keeps the rank
  Var ones11 = constant(NDArray::full(DType::Int8, {1, 1}, 1.0));
  Var out2 = log(1 - ones11 / (ones11 + exp(-x)));
  EXPECT_EQ(tensor_type(out2)->ndim(), 2);
  auto ops2 = optimized_scalars({x}, {out2});
  EXPECT_TRUE(has(ops2, "softplus"));
  EXPECT_FALSE(has(ops2, "log"));
  NDArray r2 = run_mode({x}, out2, {xv}, "FAST_RUN");
  EXPECT_EQ(r2.shape(), (Shape{1, 5}));
  EXPECT_TRUE(all_finite(r2));
  EXPECT_NEAR(at(r2, 0), 0.0, 1e-30);
  EXPECT_NEAR(at(r2, 4), -800.0, 1e-3);
  // a (2, 5) constant of ones is not broadcastable: the output stays (2, 5)
  Var ones25 = constant(NDArray::full(DType::Float64, {2, 5}, 1.0));
  Var out3 = ones25 - sigmoid(x);
  auto ops3 = optimized_scalars({x}, {out3});
  EXPECT_FALSE(has(ops3, "sub"));
  NDArray r3 = run_mode({x}, out3, {xv}, "FAST_RUN");
  EXPECT_EQ(r3.shape(), (Shape{2, 5}));
  EXPECT_EQ(r3.dtype(), DType::Float64);
  EXPECT_NEAR(at(r3, 8), 1 / (1 + std::exp(2.0)), 1e-7);
}

// ---------------------------------------------------------------- the manual's logistic regression

namespace {

/// Cost and gradients of the manual's logistic regression at `scale` = |dot(x, w)|.
void check_logistic(double scale, DType d) {
  SCOPED_TRACE("scale " + std::to_string(scale) + " " + dtype_name(d));
  const int64_t N = 6, F = 4;
  Var x = matrix(d, "x"), y = vector(d, "y"), w = vector(d, "w"), b = scalar(d, "b");
  Var p_1 = 1 / (1 + exp(-dot(x, w) - b));
  Var xent = -y * log(p_1) - (1 - y) * log(1 - p_1);
  Var cost = mean(xent) + 0.01 * sum(w * w);
  std::vector<Var> g = grad(cost, {w, b});
  // dot(x, w) = +-scale; half of the targets disagree with the saturated prediction
  NDArray xv(DType::Float64, {N, F}), yv(DType::Float64, {N}), wv = vec(std::vector<double>(F, 1.0));
  const double sgn[N] = {1, -1, 1, -1, 1, -1}, tgt[N] = {1, 1, 0, 0, 1, 0};
  for (int64_t i = 0; i < N; ++i) {
    for (int64_t j = 0; j < F; ++j) xv.data<double>()[i * F + j] = sgn[i] * scale / F;
    yv.data<double>()[i] = tgt[i];
  }
  NDArray bv = NDArray::scalar<double>(0.0);
  std::vector<Value> vals = {xv.astype(d), yv.astype(d), wv.astype(d), bv.astype(d)};
  FunctionOptions o;
  auto f = function({x, y, w, b}, {cost, g[0], g[1]}, o);
  auto res = (*f)(vals);
  // reference: cost = mean(softplus(-z) y + softplus(z) (1 - y)) + 0.01 |w|^2,
  // dcost/dw = mean((s(z) - y) x) + 0.02 w, dcost/db = mean(s(z) - y)
  auto sp = [](double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z))); };
  auto sg = [](double z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); };
  double c = 0, gb = 0;
  std::vector<double> gw(F, 0.0);
  for (int64_t i = 0; i < N; ++i) {
    const double z = sgn[i] * scale, yi = tgt[i];
    c += (yi * sp(-z) + (1 - yi) * sp(z)) / N;
    gb += (sg(z) - yi) / N;
    for (int64_t j = 0; j < F; ++j) gw[j] += (sg(z) - yi) * xv.data<double>()[i * F + j] / N;
  }
  c += 0.01 * F;
  const double tol = d == DType::Float32 ? 1e-4 : 1e-10;
  NDArray rc = std::get<NDArray>(res[0]), rw = std::get<NDArray>(res[1]), rb = std::get<NDArray>(res[2]);
  ASSERT_TRUE(all_finite(rc) && all_finite(rw) && all_finite(rb)) << "cost " << at(rc, 0) << " gb " << at(rb, 0);
  EXPECT_NEAR(at(rc, 0), c, tol * (1 + std::abs(c)));
  EXPECT_NEAR(at(rb, 0), gb, tol);
  for (int64_t j = 0; j < F; ++j) EXPECT_NEAR(at(rw, j), gw[j] + 0.02, tol * (1 + scale));
  // where mode None is finite, it agrees
  if (scale < 20) {
    o.mode = Mode::None;
    auto slow = (*function({x, y, w, b}, {cost, g[0], g[1]}, o))(vals);
    EXPECT_NEAR(at(std::get<NDArray>(slow[0]), 0), at(rc, 0), tol);
    EXPECT_NEAR(at(std::get<NDArray>(slow[2]), 0), at(rb, 0), tol);
  }
}

}  // namespace

TEST(Stabilize, LogisticRegressionCostAndGradientStayFinite) {
  for (DType d : {DType::Float64, DType::Float32})
    for (double scale : {2.0, 50.0, 800.0}) check_logistic(scale, d);
  // the unstable forms are gone from the optimized gradient graph
  Var x = matrix(DType::Float64, "x"), y = vector(DType::Float64, "y"), w = vector(DType::Float64, "w");
  Var p_1 = 1 / (1 + exp(-dot(x, w)));
  Var cost = mean(-y * log(p_1) - (1 - y) * log(1 - p_1));
  auto ops = optimized_scalars({x, y, w}, {cost, grad(cost, w)});
  EXPECT_FALSE(has(ops, "exp"));
  EXPECT_FALSE(has(ops, "log"));
  EXPECT_TRUE(has(ops, "softplus"));
  EXPECT_TRUE(has(ops, "sigmoid"));
}
