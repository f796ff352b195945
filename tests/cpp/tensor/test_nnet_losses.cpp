// nnet activations, softmax/log_softmax and the crossentropies through the check_op harness
// (values vs long-double references on non-square inputs, float32 and float64, infer_shape,
// verify_grad), plus finiteness at extreme logits and the log(softmax) stabilization.
#include <cmath>
#include <random>

#include "helpers.h"
#include "support/check_op.h"
#include "hypatia/grad/grad.h"
#include "hypatia/compile/pipeline.h"
#include "hypatia/tensor/ops/nnet.h"

using namespace hypatia;
using namespace hypatia::test;
using hypatia::testing::check_op;
using hypatia::testing::CheckOpOptions;

namespace {

using LD = long double;

/// Uniform values in [lo, hi) of `shape`, nudged away from the given kinks.
NDArray rnd(Shape shape, double lo, double hi, uint64_t seed, DType d = DType::Float64,
            const std::vector<double>& kinks = {}) {
  NDArray a(DType::Float64, shape);
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  for (int64_t i = 0; i < a.size(); ++i) {
    double v = u(g);
    for (double k : kinks)
      if (std::abs(v - k) < 0.05) v += 0.1;
    a.data<double>()[i] = v;
  }
  return a.astype(d);
}

NDArray map_ref(const NDArray& x, LD (*f)(LD, LD), LD alpha = 0) {
  NDArray c = x.astype(DType::Float64);
  for (int64_t i = 0; i < c.size(); ++i) c.data<double>()[i] = static_cast<double>(f(c.data<double>()[i], alpha));
  return c.astype(x.dtype());
}

CheckOpOptions tol_for(DType d) {
  CheckOpOptions o;
  if (d == DType::Float32) o.rtol = 2e-5, o.atol = 1e-6;
  return o;
}

/// Row-wise (last axis) softmax or log-softmax in long double.
NDArray softmax_ref(const NDArray& x, bool log) {
  NDArray c = x.astype(DType::Float64);
  const int64_t k = c.shape(c.ndim() - 1), rows = c.size() / k;
  for (int64_t r = 0; r < rows; ++r) {
    double* p = c.data<double>() + r * k;
    LD m = p[0], s = 0;
    for (int64_t j = 0; j < k; ++j) m = std::max<LD>(m, p[j]);
    for (int64_t j = 0; j < k; ++j) s += std::exp(static_cast<LD>(p[j]) - m);
    for (int64_t j = 0; j < k; ++j)
      p[j] = static_cast<double>(log ? p[j] - m - std::log(s) : std::exp(p[j] - m) / s);
  }
  return c.astype(x.dtype());
}

const LD kSeluA = 1.6732632423543772848170429916717L, kSeluS = 1.0507009873554804934193349852946L;

LD ufs_ref(LD x, LD) {
  LD u = std::fabs(x) / 2, z;
  if (u < 1.7L) z = 1.5L * u / (1 + u);
  else if (u < 3) z = 0.935409070603099L + 0.0458812946797165L * (u - 1.7L);
  else z = 0.99505475368673L;
  return 0.5L * ((x < 0 ? -z : z) + 1);
}

}  // namespace

TEST(NnetLosses, ActivationsMatchReference) {
  struct Case {
    const char* name;
    std::function<Var(const Var&)> build;
    LD (*ref)(LD, LD);
    LD alpha;
    std::vector<double> kinks;
  };
  const std::vector<Case> cases = {
      {"softsign", [](const Var& x) { return softsign(x); }, [](LD x, LD) { return x / (1 + std::fabs(x)); }, 0, {0}},
      {"relu", [](const Var& x) { return relu(x); }, [](LD x, LD) { return x > 0 ? x : LD(0); }, 0, {0}},
      {"leaky relu", [](const Var& x) { return relu(x, 0.1); }, [](LD x, LD a) { return x > 0 ? x : a * x; }, 0.1L, {0}},
      {"elu", [](const Var& x) { return elu(x); }, [](LD x, LD a) { return x > 0 ? x : a * std::expm1(x); }, 1, {0}},
      {"elu 0.5", [](const Var& x) { return elu(x, 0.5); }, [](LD x, LD a) { return x > 0 ? x : a * std::expm1(x); }, 0.5L, {0}},
      {"selu", [](const Var& x) { return selu(x); },
       [](LD x, LD) { return kSeluS * (x > 0 ? x : kSeluA * std::expm1(x)); }, 0, {0}},
      {"hard_sigmoid", [](const Var& x) { return hard_sigmoid(x); },
       [](LD x, LD) { return std::clamp(0.2L * x + 0.5L, LD(0), LD(1)); }, 0, {-2.5, 2.5}},
      {"ultra_fast_sigmoid", [](const Var& x) { return ultra_fast_sigmoid(x); }, ufs_ref, 0, {-6, -3.4, 3.4, 6}},
  };
  for (DType d : {DType::Float64, DType::Float32}) {
    for (const auto& c : cases) {
      SCOPED_TRACE(std::string(c.name) + " " + dtype_name(d));
      NDArray x = rnd({3, 5}, -7, 7, 11, d, c.kinks);
      check_op([&](const std::vector<Var>& v) { return c.build(v[0]); }, {x},
               [&](const std::vector<Value>& v) { return map_ref(std::get<NDArray>(v[0]), c.ref, c.alpha); }, tol_for(d));
    }
  }
}

TEST(NnetLosses, ActivationDtypesAndPrinting) {
  Var i = matrix(DType::Int32, "i");
  EXPECT_EQ(tensor_type(relu(i))->elem(), DType::Float64);
  EXPECT_EQ(tensor_type(elu(matrix(DType::Float32)))->elem(), DType::Float32);
  EXPECT_EQ(relu(i).owner()->op()->str(), "Relu{alpha=0}");
  EXPECT_EQ(softmax(matrix(DType::Float64)).owner()->op()->str(), "Softmax");
  expect_error(ErrorKind::Type, [&] { softmax(i); }, "Softmax");
  expect_error(ErrorKind::Type, [] { softmax(scalar(DType::Float64)); }, "Softmax");
  // ultra_fast_sigmoid stays within 0.03 of sigmoid
  NDArray xs = rnd({200}, -10, 10, 3);
  NDArray u = run1({}, ultra_fast_sigmoid(constant(xs)), {});
  for (int64_t k = 0; k < xs.size(); ++k) EXPECT_NEAR(at(u, k), 1 / (1 + std::exp(-at(xs, k))), 0.03);
}

TEST(NnetLosses, SoftmaxAndLogSoftmax) {
  for (DType d : {DType::Float64, DType::Float32}) {
    for (bool log : {false, true}) {
      for (Shape s : {Shape{3, 5}, Shape{5}, Shape{2, 3, 4}}) {
        SCOPED_TRACE(std::string(log ? "log_softmax " : "softmax ") + dtype_name(d) + " " + shape_str(s));
        NDArray x = rnd(s, -3, 3, 5, d);
        check_op([&](const std::vector<Var>& v) { return log ? log_softmax(v[0]) : softmax(v[0]); }, {x},
                 [&](const std::vector<Value>& v) { return softmax_ref(std::get<NDArray>(v[0]), log); }, tol_for(d));
      }
    }
  }
}

TEST(NnetLosses, SoftmaxRopMatchesJacobian) {
  Var x = matrix(DType::Float64, "x"), v = matrix(DType::Float64, "v");
  NDArray xv = rnd({3, 5}, -2, 2, 1), vv = rnd({3, 5}, -1, 1, 2);
  for (bool log : {false, true}) {
    Var y = log ? log_softmax(x) : softmax(x);
    Var r = y.owner()->op()->jvp(*y.owner(), {v})[0];
    NDArray got = run1({x, v}, r, {xv, vv});
    // finite differences along v
    const double h = 1e-6;
    NDArray xp = xv.copy(), xm = xv.copy();
    for (int64_t k = 0; k < xv.size(); ++k) {
      xp.data<double>()[k] += h * vv.data<double>()[k];
      xm.data<double>()[k] -= h * vv.data<double>()[k];
    }
    NDArray yp = run1({x}, y, {xp}), ym = run1({x}, y, {xm});
    for (int64_t k = 0; k < got.size(); ++k) EXPECT_NEAR(at(got, k), (at(yp, k) - at(ym, k)) / (2 * h), 1e-6);
  }
}

TEST(NnetLosses, ExtremeLogitsStayFinite) {
  Var x = matrix(DType::Float64, "x");
  NDArray xv = NDArray::from_vector<double>({1000, -1000, 0, 5, -1000, 1000, 3, 1, 0, 0, 0, 0, 999, 1000, -1000},
                                            {3, 5});
  for (const std::string mode : {"FAST_RUN", "None"}) {
    SCOPED_TRACE(mode);
    FunctionOptions o;
    set_mode(o, mode);
    o.on_unused_input = OnUnusedInput::Ignore;
    auto run = [&](const Var& out, std::vector<Var> ins, std::vector<Value> vals) {
      std::vector<In> in(ins.begin(), ins.end());
      return std::get<NDArray>((*function(in, {out}, o))(vals)[0]);
    };
    NDArray sm = run(softmax(x), {x}, {xv});
    NDArray ls = run(log_softmax(x), {x}, {xv});
    for (int64_t k = 0; k < sm.size(); ++k) {
      EXPECT_TRUE(std::isfinite(at(sm, k)));
      EXPECT_TRUE(std::isfinite(at(ls, k)));
    }
    EXPECT_NEAR(at(ls, 1), -2000.0, 1e-9);
    // crossentropy of softmax, int labels and one-hot, and its gradient
    Var y = vector(DType::Int64, "y");
    Var t = matrix(DType::Float64, "t");
    NDArray yv = NDArray::from_vector<int64_t>({1, 0, 3}, {3});
    NDArray tv = NDArray::zeros(DType::Float64, {3, 5});
    for (int r = 0; r < 3; ++r) tv.data<double>()[r * 5 + yv.data<int64_t>()[r]] = 1;
    Var ce_i = categorical_crossentropy(softmax(x), y), ce_t = categorical_crossentropy(softmax(x), t);
    NDArray a = run(ce_i, {x, y}, {xv, yv}), b = run(ce_t, {x, t}, {xv, tv});
    EXPECT_NEAR(at(a, 0), 2000.0, 1e-9);
    for (int64_t k = 0; k < 3; ++k) {
      EXPECT_TRUE(std::isfinite(at(a, k)));
      EXPECT_NEAR(at(a, k), at(b, k), 1e-9);
    }
    for (const Var& ce : {ce_i, ce_t}) {
      Var g = grad(sum(ce), x);
      NDArray gv = run(g, {x, y, t}, {xv, yv, tv});
      for (int64_t k = 0; k < gv.size(); ++k) EXPECT_TRUE(std::isfinite(at(gv, k))) << k;
    }
    // sigmoid crossentropies and log(1 + exp(x))
    Var z = vector(DType::Float64, "z"), tz = vector(DType::Float64, "tz");
    NDArray zv = NDArray::from_vector<double>({-1000, -30, 0, 30, 1000}, {5});
    NDArray tzv = NDArray::from_vector<double>({1, 0, 1, 1, 0}, {5});
    for (const Var& c : {sigmoid_binary_crossentropy(z, tz), binary_crossentropy(sigmoid(z), tz)}) {
      NDArray cv = run(c, {z, tz}, {zv, tzv});
      EXPECT_NEAR(at(cv, 0), 1000.0, 1e-9);
      EXPECT_NEAR(at(cv, 4), 1000.0, 1e-9);
      NDArray gv = run(grad(sum(c), z), {z, tz}, {zv, tzv});
      for (int64_t k = 0; k < 5; ++k) EXPECT_TRUE(std::isfinite(at(gv, k)));
      EXPECT_NEAR(at(gv, 0), -1.0, 1e-12);
    }
  }
  // user-written log(1 + exp(x)) and log(softmax(x)) are stabilized under FAST_RUN
  Var z = vector(DType::Float64, "z");
  NDArray lp = run1({z}, hypatia::log(1.0 + hypatia::exp(z)), {NDArray::from_vector<double>({1000, -1000}, {2})});
  EXPECT_EQ(at(lp, 0), 1000.0);
  NDArray ls = run1({x}, hypatia::log(softmax(x)), {xv});
  for (int64_t k = 0; k < ls.size(); ++k) EXPECT_TRUE(std::isfinite(at(ls, k)));
  FunctionGraph fg({x}, {hypatia::log(softmax(x))});
  optimize_graph(fg, "FAST_RUN");
  bool has_log_softmax = false;
  for (Apply* n : fg.toposort()) has_log_softmax |= n->op()->name() == "LogSoftmax";
  EXPECT_TRUE(has_log_softmax);
}

TEST(NnetLosses, Crossentropies) {
  for (DType d : {DType::Float64, DType::Float32}) {
    SCOPED_TRACE(dtype_name(d));
    // categorical, int labels, on a probability matrix (rows of a softmax computed outside)
    NDArray p = softmax_ref(rnd({3, 5}, -2, 2, 8, d), false);
    NDArray y = NDArray::from_vector<int64_t>({4, 0, 2}, {3});
    auto ref_i = [](const std::vector<Value>& v) {
      const NDArray& p = std::get<NDArray>(v[0]);
      NDArray c = p.astype(DType::Float64), yy = std::get<NDArray>(v[1]).astype(DType::Int64);
      NDArray out(DType::Float64, {3});
      for (int r = 0; r < 3; ++r) out.data<double>()[r] = -std::log(c.data<double>()[r * 5 + yy.data<int64_t>()[r]]);
      return out.astype(p.dtype());
    };
    check_op([](const std::vector<Var>& v) { return categorical_crossentropy(v[0], v[1]); }, {p, y}, ref_i, tol_for(d));
    // the same labels one-hot
    NDArray t = NDArray::zeros(DType::Float64, {3, 5});
    for (int r = 0; r < 3; ++r) t.data<double>()[r * 5 + y.data<int64_t>()[r]] = 1;
    t = t.astype(d);
    check_op([](const std::vector<Var>& v) { return categorical_crossentropy(v[0], v[1]); }, {p, t},
             [&](const std::vector<Value>& v) { return ref_i({v[0], Value(y)}); }, [&] {
               CheckOpOptions o = tol_for(d);
               o.grad_inputs = {0};
               return o;
             }());
    // softmax fused, int labels
    NDArray x = rnd({3, 5}, -3, 3, 9, d);
    check_op([](const std::vector<Var>& v) { return categorical_crossentropy(softmax(v[0]), v[1]); }, {x, y},
             [&](const std::vector<Value>& v) { return ref_i({Value(softmax_ref(std::get<NDArray>(v[0]), false)), v[1]}); },
             tol_for(d));
    // binary crossentropies
    NDArray o = rnd({3, 5}, 0.05, 0.95, 10, d), tt = rnd({3, 5}, 0, 1, 12, d);
    auto bce = [](const std::vector<Value>& v) {
      NDArray a = std::get<NDArray>(v[0]).astype(DType::Float64), b = std::get<NDArray>(v[1]).astype(DType::Float64);
      NDArray out(DType::Float64, a.shape());
      for (int64_t k = 0; k < a.size(); ++k) {
        LD p = a.data<double>()[k], q = b.data<double>()[k];
        out.data<double>()[k] = static_cast<double>(-(q * std::log(p) + (1 - q) * std::log1p(-p)));
      }
      return out.astype(std::get<NDArray>(v[0]).dtype());
    };
    check_op([](const std::vector<Var>& v) { return binary_crossentropy(v[0], v[1]); }, {o, tt}, bce, tol_for(d));
    NDArray lg = rnd({3, 5}, -4, 4, 13, d);
    check_op([](const std::vector<Var>& v) { return sigmoid_binary_crossentropy(v[0], v[1]); }, {lg, tt},
             [&](const std::vector<Value>& v) {
               NDArray a = std::get<NDArray>(v[0]).astype(DType::Float64);
               for (int64_t k = 0; k < a.size(); ++k) a.data<double>()[k] = 1 / (1 + std::exp(-a.data<double>()[k]));
               return bce({Value(a.astype(d)), v[1]});
             }, [&] { CheckOpOptions c = tol_for(d); c.rtol = d == DType::Float32 ? 1e-4 : 1e-7; return c; }());
  }
  expect_error(ErrorKind::Type, [] { categorical_crossentropy(matrix(DType::Float64), tensor3(DType::Int64)); }, "rank mismatch");
  expect_error(ErrorKind::Value, [] {
    Var p = matrix(DType::Float64, "p"), y = vector(DType::Int64, "y");
    run1({p, y}, categorical_crossentropy(p, y), {NDArray::full(DType::Float64, {2, 3}, 0.3),
                                                   NDArray::from_vector<int64_t>({0, 3}, {2})});
  }, "out of range");
}
