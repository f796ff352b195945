// The FFT kernel against a direct DFT (lengths 1..64 and larger, both directions), RFFTOp /
// IRFFTOp through the op harness with gradients, and the new extra_ops (choose, ravel/unravel,
// bartlett, chi2sf and its incomplete gamma function).
#include <cmath>
#include <complex>

#include "helpers.h"
#include "support/check_op.h"
#include "hypatia/tensor/kernels/fft.h"
#include "hypatia/tensor/ops/extra_ops_index.h"
#include "hypatia/tensor/ops/fft.h"

using namespace hypatia;
using namespace hypatia::test;
using namespace hypatia::testing;
using cplx = std::complex<double>;

namespace {
std::vector<cplx> dft(const std::vector<cplx>& x, bool inverse) {
  const size_t n = x.size();
  std::vector<cplx> out(n);
  for (size_t k = 0; k < n; ++k) {
    long double re = 0, im = 0;
    for (size_t j = 0; j < n; ++j) {
      const long double a = (inverse ? 2 : -2) * 3.14159265358979323846264338327950288L * static_cast<long double>((j * k) % n) / n;
      re += x[j].real() * std::cos(a) - x[j].imag() * std::sin(a);
      im += x[j].real() * std::sin(a) + x[j].imag() * std::cos(a);
    }
    out[k] = cplx(static_cast<double>(re), static_cast<double>(im));
  }
  return out;
}
// rfft along the last axis of a (rows, n) array: (rows, n/2+1, 2).
NDArray ref_rfft(const NDArray& x) {
  const int64_t rows = x.shape(0), n = x.shape(1), h = n / 2 + 1;
  NDArray out(DType::Float64, {rows, h, 2});
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<cplx> line(n);
    for (int64_t j = 0; j < n; ++j) line[j] = at(x, r * n + j);
    auto f = dft(line, false);
    for (int64_t k = 0; k < h; ++k) out.data<double>()[(r * h + k) * 2] = f[k].real(), out.data<double>()[(r * h + k) * 2 + 1] = f[k].imag();
  }
  return out;
}
}  // namespace

TEST(FftKernel, MatchesTheDirectTransformForEveryLength) {
  std::vector<int64_t> lengths;
  for (int64_t n = 1; n <= 64; ++n) lengths.push_back(n);
  lengths.insert(lengths.end(), {100, 127, 256, 1000});
  for (int64_t n : lengths) {
    kernels::FftPlan plan(n);
    std::vector<cplx> x(n), work(plan.work_size());
    for (int64_t j = 0; j < n; ++j) x[j] = cplx(std::sin(0.7 * j + 0.1), std::cos(1.3 * j));
    for (bool inv : {false, true}) {
      auto y = x;
      plan.run(y.data(), inv, work.data());
      auto want = dft(x, inv);
      for (int64_t k = 0; k < n; ++k) ASSERT_LT(std::abs(y[k] - want[k]), 1e-11 * (1 + n)) << "n=" << n << " k=" << k;
    }
  }
}

TEST(FftOps, RfftHarnessAndGradient) {
  for (Shape s : {Shape{2, 6}, Shape{3, 7}, Shape{1, 1}}) {
    NDArray x = seq(DType::Float64, s, 0.3, 0.71);
    CheckOpOptions o;
    o.atol = 1e-10;
    check_op([](const std::vector<Var>& v) { return rfft(v[0]); }, {x}, [](const std::vector<Value>& v) {
      return Value(ref_rfft(std::get<NDArray>(v[0])));
    }, o);
  }
}

TEST(FftOps, IrfftInvertsAndNormalises) {
  NDArray x = seq(DType::Float64, {2, 9}, -1.0, 0.37);
  Var v = matrix(DType::Float64, "x");
  NDArray back = run1({v}, irfft(rfft(v), std::nullopt, true), {x});
  NDArray ortho = run1({v}, irfft(rfft(v, "ortho"), "ortho", true), {x});
  for (int64_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(at(back, i), at(x, i), 1e-12);
    EXPECT_NEAR(at(ortho, i), at(x, i), 1e-12);
  }
  CheckOpOptions o;
  o.atol = 1e-10;
  NDArray z = ref_rfft(seq(DType::Float64, {2, 8}, 0.5, 0.3));
  check_op([](const std::vector<Var>& v) { return irfft(v[0], "no_norm"); }, {z}, [&](const std::vector<Value>&) {
    return Value(run1({v}, irfft(rfft(v)) * 8.0, {seq(DType::Float64, {2, 8}, 0.5, 0.3)}));
  }, o);
  expect_error(ErrorKind::Value, [] { rfft(matrix(DType::Float64), "fast"); }, "norm");
  expect_error(ErrorKind::Type, [] { rfft(vector(DType::Float64)); }, "RFFTOp");
}

TEST(ExtraOpsIndex, ChooseRavelUnravelBartlett) {
  Var a = tensor(DType::Int64, {false}), c0 = vector(DType::Float64), c1 = vector(DType::Float64);
  NDArray av = NDArray::from_vector<int64_t>({0, 1, 3, -1}, {4});
  NDArray v0 = seq(DType::Float64, {4}, 10), v1 = seq(DType::Float64, {4}, 20);
  NDArray w = run1({a, c0, c1}, choose(a, std::vector<Var>{c0, c1}, "wrap"), {av, v0, v1});
  std::vector<double> want{10, 21, 22, 23};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(at(w, i), want[i]);
  NDArray cl = run1({a, c0, c1}, choose(a, std::vector<Var>{c0, c1}, "clip"), {av, v0, v1});
  EXPECT_EQ(at(cl, 3), 13);
  EXPECT_THROW(run1({a, c0, c1}, choose(a, std::vector<Var>{c0, c1}), {av, v0, v1}), Error);

  Var idx = tensor(DType::Int64, {false});
  auto coords = unravel_index(idx, constant(NDArray::from_vector<int64_t>({3, 4}, {2})), "F");
  NDArray iv = NDArray::from_vector<int64_t>({0, 5, 11}, {3});
  NDArray r = run1({idx}, coords[0], {iv}), c = run1({idx}, coords[1], {iv});
  EXPECT_EQ(at(r, 1), 2);  // 5 = 2 + 3 * 1 in Fortran order
  EXPECT_EQ(at(c, 1), 1);
  NDArray flat = run1({idx}, ravel_multi_index(coords, constant(NDArray::from_vector<int64_t>({3, 4}, {2})), {"raise"}, "F"), {iv});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(at(flat, i), at(iv, i));

  Var m = scalar(DType::Int64);
  NDArray b = run1({m}, bartlett(m), {NDArray::scalar<int64_t>(5)});
  std::vector<double> wb{0, 0.5, 1, 0.5, 0};
  for (int i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(at(b, i), wb[i]);
  EXPECT_EQ(run1({m}, bartlett(m), {NDArray::scalar<int64_t>(-3)}).size(), 0);
  expect_infer_shape({m}, bartlett(m), {NDArray::scalar<int64_t>(4)});
}

TEST(ExtraOpsIndex, Chi2sfAndIncompleteGamma) {
  // Closed forms: Q(1, x) = e^-x, Q(1/2, x) = erfc(sqrt x), so chi2.sf(x, 2) = e^{-x/2}.
  for (double x : {1e-6, 0.1, 0.9, 1.0, 3.0, 12.0, 60.0}) {
    EXPECT_NEAR(gammaincc(1.0, x), std::exp(-x), 1e-14 * (1 + std::exp(-x)));
    EXPECT_NEAR(gammaincc(0.5, x), std::erfc(std::sqrt(x)), 1e-13);
  }
  Var x = vector(DType::Float64), k = vector(DType::Float64);
  NDArray xv = NDArray::from_vector<double>({0.5, 4.0, -1.0}, {3}), kv = NDArray::from_vector<double>({2.0}, {1});
  NDArray s = run1({x, k}, chi2sf(x, k), {xv, kv});
  EXPECT_NEAR(at(s, 0), std::exp(-0.25), 1e-14);
  EXPECT_NEAR(at(s, 1), std::exp(-2.0), 1e-14);
  EXPECT_EQ(at(s, 2), 1.0);
  CheckOpOptions o;
  o.grad_inputs = {0};
  check_op([](const std::vector<Var>& v) { return chi2sf(v[0], v[1]); },
           {NDArray::from_vector<double>({0.5, 2.0, 5.0}, {3}), NDArray::from_vector<double>({2.0, 2.0, 2.0}, {3})},
           [](const std::vector<Value>& v) {
             NDArray out = std::get<NDArray>(v[0]).copy();
             for (int i = 0; i < 3; ++i) out.data<double>()[i] = std::exp(-out.data<double>()[i] / 2);
             return Value(out);
           }, o);
}
