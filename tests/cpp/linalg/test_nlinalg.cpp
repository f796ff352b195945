// nlinalg through the check_op harness: each factorisation checked by its defining equation
// against plain loops (A x = b, Q R = A, U S V^T = A, A v = v w), with gradients.
#include <gtest/gtest.h>

#include <cmath>

#include "hypatia/compile/verify_grad.h"
#include "hypatia/grad/grad.h"
#include "hypatia/linalg/api.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/linalg.h"
#include "hypatia/tensor/ops/creation.h"
#include "linalg/helpers.h"
#include "support/check_op.h"
#include "tensor/helpers.h"

namespace hypatia {
namespace {

using linalg_test::mm;
using linalg_test::rnd;
using linalg_test::spd;
using linalg_test::transposed;
using testing::check_op;
using testing::CheckOpOptions;

CheckOpOptions tol(DType d) {
  CheckOpOptions o;
  o.rtol = d == DType::Float32 ? 1e-4 : 1e-9;
  o.atol = d == DType::Float32 ? 1e-4 : 1e-10;
  o.check_grad = d == DType::Float64;
  return o;
}

TEST(Nlinalg, InverseDetSolveCholesky) {
  const DType d = DType::Float64;
  NDArray A = NDArray::from_vector<double>({4, 1, 2, 1, 3, 0, 2, 0, 5}, {3, 3});  // symmetric positive definite
  NDArray Ainv = NDArray::from_vector<double>({15, -5, -6, -5, 16, 2, -6, 2, 11}, {3, 3});  // adj / det, det = 43
  for (int64_t i = 0; i < 9; ++i) Ainv.data<double>()[i] /= 43;
  CheckOpOptions o;
  o.rtol = 1e-10;
  o.atol = 1e-12;
  check_op([](const std::vector<Var>& v) { return matrix_inverse(v[0]); }, {A}, [&](const std::vector<Value>&) { return Ainv; }, o);
  check_op([](const std::vector<Var>& v) { return det(v[0]); }, {A},
           [](const std::vector<Value>&) { return NDArray::full(DType::Float64, {}, 43.0); }, o);
  NDArray B = rnd(d, {3, 2}, 4);
  check_op([](const std::vector<Var>& v) { return solve(v[0], v[1]); }, {A, B},
           [&](const std::vector<Value>&) { return mm(Ainv, B); }, o);
  check_op([](const std::vector<Var>& v) { return dot(cholesky(v[0]), transpose(cholesky(v[0]))); }, {A},
           [&](const std::vector<Value>&) { return A; }, o);
  Var m = matrix(d);
  NDArray S = NDArray::from_vector<double>({1, 2, 2, 4}, {2, 2});
  test::expect_error(ErrorKind::Value, [&] { test::run1({m}, matrix_inverse(m), {S}); }, "[MatrixInverse]");
  Var bv = vector(d);
  test::expect_error(ErrorKind::Value, [&] { test::run1({m, bv}, solve(m, bv), {S, rnd(d, {2}, 1)}); }, "[Solve]");
  NDArray N = NDArray::from_vector<double>({1, 2, 2, 1}, {2, 2});
  test::expect_error(ErrorKind::Value, [&] { test::run1({m}, cholesky(m), {N}); }, "[Cholesky]");
}

TEST(Nlinalg, EighSatisfiesTheEigenEquationAndItsGradientFoldsOntoTheTriangle) {
  for (DType d : {DType::Float64, DType::Float32}) {
    NDArray A = rnd(d, {4, 4}, 3);  // not symmetric: eigh reads one triangle
    for (const std::string uplo : {"L", "U"}) {
      NDArray As = uplo == "L" ? linalg_test::sym_from_lower(A) : transposed(linalg_test::sym_from_lower(transposed(A)));
      // v diag(w) v^T rebuilds the symmetric matrix the triangle describes.
      check_op([uplo](const std::vector<Var>& v) {
        auto wv = eigh(v[0], uplo);
        return dot(mul(wv[1], dimshuffle(wv[0], {-1, 0})), transpose(wv[1]));
      }, {A}, [&](const std::vector<Value>&) { return As.astype(d); }, tol(d));
      // A v = v diag(w), column by column, against plain loops.
      Var a = matrix(d);
      auto wv = eigh(a, uplo);
      NDArray w = test::run1({a}, wv[0], {A}), V = test::run1({a}, wv[1], {A});
      NDArray av = mm(As, V), vw = linalg_test::f64(V).copy();
      for (int64_t i = 0; i < 4; ++i)
        for (int64_t j = 0; j < 4; ++j) vw.data<double>()[i * 4 + j] *= linalg_test::f64(w).data<double>()[j];
      EXPECT_LT(linalg_test::max_diff(av, vw), d == DType::Float32 ? 1e-4 : 1e-12);
    }
  }
  // A gradient through the eigenvalues and one through the eigenvectors alone (sign-free:
  // v diag(c) v^T with fixed distinct weights c).
  NDArray A = rnd(DType::Float64, {4, 4}, 5);
  verify_grad([](const std::vector<Var>& x) { return eigh(x[0])[0]; }, {A});
  verify_grad([](const std::vector<Var>& x) { return eigh(x[0], "U")[0]; }, {A});
  Var c = constant(NDArray::from_vector<double>({1.0, -2.0, 3.0, 0.5}, {4}));
  verify_grad([&](const std::vector<Var>& x) {
    Var v = eigh(x[0])[1];
    return dot(mul(v, dimshuffle(c, {-1, 0})), transpose(v));
  }, {A});
}

// U diag(s) V^T of the reduced factors rebuilds A (tall, wide, square), with the gradient
// through all three outputs; the full factors are orthogonal and of numpy's shapes.
TEST(Nlinalg, SvdRebuildsTheMatrix) {
  for (DType d : {DType::Float64, DType::Float32})
    for (Shape sh : {Shape{5, 3}, Shape{3, 5}, Shape{4, 4}}) {
      NDArray A = rnd(d, sh, 7);
      check_op([](const std::vector<Var>& v) {
        auto usv = svd(v[0], false, true);
        return dot(mul(usv[0], dimshuffle(usv[1], {-1, 0})), usv[2]);
      }, {A}, [&](const std::vector<Value>&) { return A; }, tol(d));
      Var a = matrix(d);
      auto full = svd(a, true, true);
      NDArray U = test::run1({a}, full[0], {A}), VT = test::run1({a}, full[2], {A});
      EXPECT_EQ(U.shape(), (Shape{sh[0], sh[0]}));
      EXPECT_EQ(VT.shape(), (Shape{sh[1], sh[1]}));
      NDArray I = NDArray::zeros(DType::Float64, {sh[0], sh[0]});
      for (int64_t i = 0; i < sh[0]; ++i) I.data<double>()[i * sh[0] + i] = 1;
      EXPECT_LT(linalg_test::max_diff(mm(U, transposed(U)), I), d == DType::Float32 ? 1e-5 : 1e-12);
      // The singular values alone: their sum squared equals nothing simple, so check sum(s^2) = |A|_F^2.
      NDArray s = test::run1({a}, svd(a, false, false)[0], {A});
      double fro = 0, ss = 0;
      for (int64_t i = 0; i < A.size(); ++i) fro += std::pow(linalg_test::f64(A).data<double>()[i], 2);
      for (int64_t i = 0; i < s.size(); ++i) ss += std::pow(linalg_test::f64(s).data<double>()[i], 2);
      EXPECT_NEAR(fro, ss, d == DType::Float32 ? 1e-4 : 1e-12);
    }
  NDArray A = rnd(DType::Float64, {4, 3}, 9);
  verify_grad([](const std::vector<Var>& x) { return svd(x[0], false, false)[0]; }, {A});
}

// Q R = A with Q orthonormal and R upper triangular, in every mode; gradients for tall input.
TEST(Nlinalg, QrRebuildsTheMatrix) {
  for (DType d : {DType::Float64, DType::Float32})
    for (Shape sh : {Shape{5, 3}, Shape{3, 5}, Shape{4, 4}}) {
      NDArray A = rnd(d, sh, 11);
      CheckOpOptions o = tol(d);
      o.check_grad = o.check_grad && sh[0] >= sh[1];
      for (const std::string mode : {"reduced", "complete"}) {
        // The complete factors of a tall matrix have no gradient (q's extra columns are arbitrary).
        CheckOpOptions om = o;
        om.check_grad = o.check_grad && (mode == "reduced" || sh[0] == sh[1]);
        check_op([mode](const std::vector<Var>& v) {
          auto qr_ = qr(v[0], mode);
          return dot(qr_[0], qr_[1]);
        }, {A}, [&](const std::vector<Value>&) { return A; }, om);
      }
      Var a = matrix(d);
      NDArray R = test::run1({a}, qr(a, "r")[0], {A});
      const int64_t k = std::min(sh[0], sh[1]);
      EXPECT_EQ(R.shape(), (Shape{k, sh[1]}));
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < i; ++j) EXPECT_EQ(linalg_test::f64(R).data<double>()[i * sh[1] + j], 0.0);
      auto raw = qr(a, "raw");
      EXPECT_EQ(test::run1({a}, raw[0], {A}).shape(), (Shape{sh[1], sh[0]}));
      EXPECT_EQ(test::run1({a}, raw[1], {A}).shape(), (Shape{k}));
    }
  NDArray A = rnd(DType::Float64, {5, 3}, 12);
  verify_grad([](const std::vector<Var>& x) { return qr(x[0], "r")[0]; }, {A});
  Var a = matrix(DType::Float64);
  Var g = grad(sum(qr(a, "r")[0]), std::vector<Var>{a})[0];
  test::expect_error(ErrorKind::Value, [&] { test::run1({a}, g, {rnd(DType::Float64, {2, 4}, 1)}); }, "[QRGrad]");
}

// The Moore-Penrose conditions A A+ A = A and A+ A A+ = A+, with the gradient of A+.
TEST(Nlinalg, PinvSatisfiesThePenroseConditions) {
  for (DType d : {DType::Float64, DType::Float32})
    for (Shape sh : {Shape{5, 3}, Shape{3, 5}}) {
      NDArray A = rnd(d, sh, 13);
      check_op([](const std::vector<Var>& v) { return dot(dot(v[0], pinv(v[0])), v[0]); }, {A},
               [&](const std::vector<Value>&) { return A; }, tol(d));
      Var a = matrix(d);
      NDArray P = test::run1({a}, pinv(a), {A});
      EXPECT_LT(linalg_test::max_diff(mm(mm(P, A), P), P), d == DType::Float32 ? 1e-4 : 1e-12);
    }
  verify_grad([](const std::vector<Var>& x) { return pinv(x[0]); }, {rnd(DType::Float64, {4, 3}, 14)});
  verify_grad([](const std::vector<Var>& x) { return pinv(x[0]); }, {rnd(DType::Float64, {2, 4}, 15)});
}

TEST(Nlinalg, EigOfARealSpectrumAndTheComplexError) {
  // B = S D S^-1 with a real diagonal D: real eigenvalues, not symmetric.
  NDArray A = NDArray::from_vector<double>({2, 1, 0, 0, 3, 1, 0, 0, -1}, {3, 3});
  Var a = matrix(DType::Float64);
  auto wv = eig(a);
  NDArray w = test::run1({a}, wv[0], {A}), V = test::run1({a}, wv[1], {A});
  NDArray vw = V.copy();
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 3; ++j) vw.data<double>()[i * 3 + j] *= w.data<double>()[j];
  EXPECT_LT(linalg_test::max_diff(mm(A, V), vw), 1e-12);
  NDArray R = NDArray::from_vector<double>({0, -1, 1, 0}, {2, 2});  // a rotation: +-i
  test::expect_error(ErrorKind::Value, [&] { test::run1({a}, wv[0], {R}); }, "[Eig]");
}

// lstsq: the normal equations A^T (A x - b) = 0, the residual, the rank and the singular values.
TEST(Nlinalg, LstsqSolvesTheNormalEquations) {
  NDArray A = rnd(DType::Float64, {6, 3}, 17), B = rnd(DType::Float64, {6, 2}, 18);
  Var a = matrix(DType::Float64), b = matrix(DType::Float64);
  auto r = lstsq(a, b);
  NDArray x = test::run1({a, b}, r[0], {A, B});
  NDArray res = mm(A, x);
  for (int64_t i = 0; i < res.size(); ++i) res.data<double>()[i] -= B.data<double>()[i];
  EXPECT_LT(linalg_test::max_diff(mm(transposed(A), res), NDArray::zeros(DType::Float64, {3, 2})), 1e-12);
  NDArray rs = test::run1({a, b}, r[1], {A, B});
  ASSERT_EQ(rs.shape(), (Shape{2}));
  for (int64_t j = 0; j < 2; ++j) {
    double s2 = 0;
    for (int64_t i = 0; i < 6; ++i) s2 += std::pow(res.data<double>()[i * 2 + j], 2);
    EXPECT_NEAR(rs.data<double>()[j], s2, 1e-12);
  }
  EXPECT_EQ(test::run1({a, b}, r[2], {A, B}).item<int64_t>(), 3);
  EXPECT_EQ(test::run1({a, b}, r[3], {A, B}).shape(), (Shape{3}));
}

TEST(Nlinalg, MatrixPowerNormTensorinv) {
  NDArray A = rnd(DType::Float64, {3, 3}, 19);
  for (int i = 0; i < 3; ++i) A.data<double>()[i * 3 + i] += 2;
  NDArray A3 = mm(mm(A, A), A);
  check_op([](const std::vector<Var>& v) { return matrix_power(v[0], 3); }, {A}, [&](const std::vector<Value>&) { return A3; });
  check_op([](const std::vector<Var>& v) { return dot(matrix_power(v[0], -2), matrix_power(v[0], 2)); }, {A},
           [&](const std::vector<Value>&) {
             NDArray I = NDArray::zeros(DType::Float64, {3, 3});
             for (int i = 0; i < 3; ++i) I.data<double>()[i * 4] = 1;
             return I;
           },
           [] { CheckOpOptions o; o.check_grad = false; o.atol = 1e-10; return o; }());
  // Matrix 1-norm: the largest column sum of |A|; inf-norm: the largest row sum.
  double c1 = 0, ci = 0;
  for (int j = 0; j < 3; ++j) {
    double c = 0, r = 0;
    for (int i = 0; i < 3; ++i) c += std::abs(A.data<double>()[i * 3 + j]), r += std::abs(A.data<double>()[j * 3 + i]);
    c1 = std::max(c1, c), ci = std::max(ci, r);
  }
  Var a = matrix(DType::Float64);
  EXPECT_NEAR(test::run1({a}, linalg_norm(a, 1.0), {A}).item<double>(), c1, 1e-12);
  EXPECT_NEAR(test::run1({a}, linalg_norm(a, std::string("inf")), {A}).item<double>(), ci, 1e-12);
  test::expect_error(ErrorKind::Value, [&] { linalg_norm(a, 3.0); }, "[norm]");
  // tensorinv: tensordot(tensorinv(T), T, 2) is the identity for T of shape (2, 3, 6).
  NDArray T = rnd(DType::Float64, {2, 3, 6}, 20);
  Var t = tensor3(DType::Float64);
  NDArray Ti = test::run1({t}, tensorinv(t, 2), {T});
  EXPECT_EQ(Ti.shape(), (Shape{6, 2, 3}));
  NDArray prod = mm(Ti.reshape({6, 6}), T.reshape({6, 6}));
  NDArray I = NDArray::zeros(DType::Float64, {6, 6});
  for (int i = 0; i < 6; ++i) I.data<double>()[i * 6 + i] = 1;
  EXPECT_LT(linalg_test::max_diff(prod, I), 1e-10);
}

}  // namespace
}  // namespace hypatia
