// slinalg through the check_op harness: every solve variant checked by A x = b against plain
// loops, eigvalsh, expm (a plain Taylor series), kron (plain loops), with gradients.
#include <gtest/gtest.h>

#include <cmath>

#include "hypatia/compile/verify_grad.h"
#include "hypatia/linalg/api.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/linalg.h"
#include "hypatia/tensor/ops/creation.h"
#include "linalg/helpers.h"
#include "support/check_op.h"
#include "tensor/helpers.h"

namespace hypatia {
namespace {

using linalg_test::f64;
using linalg_test::max_diff;
using linalg_test::mm;
using linalg_test::rnd;
using linalg_test::spd;
using linalg_test::transposed;
using testing::check_op;
using testing::CheckOpOptions;

// The matrix a solve with `assume`/`lower` actually reads.
NDArray effective(const NDArray& a, const std::string& assume, bool lower) {
  NDArray r = f64(a).copy();
  const int64_t n = a.shape(0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const bool below = j < i, above = j > i;
      if (assume == "tri" && ((lower && above) || (!lower && below))) r.data<double>()[i * n + j] = 0;
      if ((assume == "sym" || assume == "pos") && ((lower && above) || (!lower && below)))
        r.data<double>()[i * n + j] = f64(a).data<double>()[j * n + i];
    }
  return r;
}

TEST(Slinalg, EverySolveVariantSatisfiesAxEqualsB) {
  for (DType d : {DType::Float64, DType::Float32})
    for (const std::string assume : {"gen", "sym", "pos", "lower_triangular", "upper_triangular"})
      for (Shape bs : {Shape{4}, Shape{4, 3}})
        for (bool lower : {false, true}) {
          // Nonsymmetric input: sym/pos read one triangle, which is positive definite here.
          NDArray A = f64(spd(DType::Float64, 4, 21));
          NDArray noise = rnd(DType::Float64, {4, 4}, 22);
          for (int64_t i = 0; i < 16; ++i) A.data<double>()[i] += 0.1 * noise.data<double>()[i];
          A = A.astype(d);
          NDArray B = rnd(d, bs, 23);
          const std::string kind = assume == "lower_triangular" || assume == "upper_triangular" ? "tri" : assume;
          const bool low = assume == "lower_triangular" ? true : assume == "upper_triangular" ? false : lower;
          NDArray Ae = effective(A, kind, low);
          CheckOpOptions o;
          o.check_grad = d == DType::Float64;
          o.rtol = d == DType::Float32 ? 1e-3 : 1e-9;
          o.atol = d == DType::Float32 ? 1e-4 : 1e-10;
          // A_eff . solve(A, b) = b.
          check_op([&](const std::vector<Var>& v) {
            Var x = solve(v[0], v[1], assume, lower);
            return dot(constant(Ae.astype(d)), x);
          }, {A, B}, [&](const std::vector<Value>&) { return B; }, o);
        }
}

TEST(Slinalg, SolveTriangularTransUnitDiagonalAndChoSolve) {
  NDArray L = f64(rnd(DType::Float64, {4, 4}, 31));
  for (int64_t i = 0; i < 4; ++i) L.data<double>()[i * 4 + i] += 3;
  NDArray B = rnd(DType::Float64, {4, 2}, 32);
  for (int trans : {0, 1})
    for (bool unit : {false, true}) {
      NDArray Le = effective(L, "tri", true);
      if (unit)
        for (int64_t i = 0; i < 4; ++i) Le.data<double>()[i * 4 + i] = 1;
      NDArray M = trans ? transposed(Le) : Le;
      check_op([&](const std::vector<Var>& v) { return dot(constant(M), solve_triangular(v[0], v[1], trans, true, unit)); },
               {L, B}, [&](const std::vector<Value>&) { return B; });
    }
  NDArray A = spd(DType::Float64, 4, 33);
  for (bool lower : {true, false})
    check_op([&](const std::vector<Var>& v) { return dot(constant(A), cho_solve(cholesky(v[0], lower), v[1], lower)); },
             {A, B}, [&](const std::vector<Value>&) { return B; });
}

TEST(Slinalg, SolveErrors) {
  Var m = matrix(DType::Float64), b = vector(DType::Float64);
  NDArray S = NDArray::from_vector<double>({1, 2, 2, 4}, {2, 2}), N = NDArray::from_vector<double>({1, 2, 2, 1}, {2, 2});
  NDArray bv = rnd(DType::Float64, {2}, 1);
  for (const std::string assume : {"gen", "sym"})
    test::expect_error(ErrorKind::Value, [&] { test::run1({m, b}, solve(m, b, assume), {S, bv}); }, "singular");
  test::expect_error(ErrorKind::Value, [&] { test::run1({m, b}, solve(m, b, "pos"), {N, bv}); }, "not positive definite");
  test::expect_error(ErrorKind::Value, [&] { test::run1({m, b}, solve(m, b), {rnd(DType::Float64, {2, 3}, 1), bv}); }, "[Solve]");
  test::expect_error(ErrorKind::Value, [&] { solve(m, b, "banded"); }, "[Solve]");
}

TEST(Slinalg, EigvalshMatchesEighAndTheGeneralizedProblem) {
  for (DType d : {DType::Float64, DType::Float32}) {
    NDArray A = rnd(d, {4, 4}, 41);
    Var a = matrix(d), bm = matrix(d);
    for (bool lower : {true, false}) {
      NDArray w1 = test::run1({a}, eigvalsh(a, Var(), lower), {A});
      NDArray w2 = test::run1({a}, eigh(a, lower ? "L" : "U")[0], {A});
      EXPECT_LT(max_diff(w1, w2), d == DType::Float32 ? 1e-5 : 1e-12);
    }
    // b = diag(q): the pencil's eigenvalues are those of D^-1/2 A D^-1/2.
    NDArray q = NDArray::from_vector<double>({1.0, 2.0, 4.0, 0.5}, {4});
    NDArray Bm = NDArray::zeros(DType::Float64, {4, 4}), As = linalg_test::sym_from_lower(A);
    for (int i = 0; i < 4; ++i) Bm.data<double>()[i * 5] = q.data<double>()[i];
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) As.data<double>()[i * 4 + j] /= std::sqrt(q.data<double>()[i] * q.data<double>()[j]);
    NDArray wg = test::run1({a, bm}, eigvalsh(a, bm), {A, Bm.astype(d)});
    NDArray wr = test::run1({a}, eigvalsh(a), {As.astype(d)});
    EXPECT_LT(max_diff(wg, wr), d == DType::Float32 ? 1e-4 : 1e-12);
  }
  NDArray A = rnd(DType::Float64, {4, 4}, 42), B = spd(DType::Float64, 4, 43);
  for (bool lower : {true, false}) {
    verify_grad([lower](const std::vector<Var>& x) { return eigvalsh(x[0], Var(), lower); }, {A});
    verify_grad([lower](const std::vector<Var>& x) { return eigvalsh(x[0], x[1], lower); }, {A, B});
  }
  Var a = matrix(DType::Float64), bm = matrix(DType::Float64);
  test::expect_error(ErrorKind::Value, [&] { test::run1({a, bm}, eigvalsh(a, bm), {A, rnd(DType::Float64, {4, 4}, 1)}); },
                     "[Eigvalsh]");
}

// expm against a plain Taylor series sum A^k / k! (small norm, so 30 terms are exact).
TEST(Slinalg, ExpmMatchesTheTaylorSeries) {
  for (double scale : {0.5, 8.0}) {
    NDArray A = f64(rnd(DType::Float64, {4, 4}, 51));
    for (int64_t i = 0; i < 16; ++i) A.data<double>()[i] *= scale / 4;
    // Taylor of A / 2^s, squared s times.
    const int s = 6;
    NDArray As = A.copy();
    for (int64_t i = 0; i < 16; ++i) As.data<double>()[i] /= std::pow(2.0, s);
    NDArray E = NDArray::zeros(DType::Float64, {4, 4}), term = NDArray::zeros(DType::Float64, {4, 4});
    for (int i = 0; i < 4; ++i) E.data<double>()[i * 5] = term.data<double>()[i * 5] = 1;
    for (int k = 1; k < 30; ++k) {
      term = mm(term, As);
      for (int64_t i = 0; i < 16; ++i) term.data<double>()[i] /= k;
      for (int64_t i = 0; i < 16; ++i) E.data<double>()[i] += term.data<double>()[i];
    }
    for (int i = 0; i < s; ++i) E = mm(E, E);
    for (DType d : {DType::Float64, DType::Float32}) {
      CheckOpOptions o;
      o.check_grad = d == DType::Float64;
      o.rtol = d == DType::Float32 ? 1e-4 : 1e-9;
      o.atol = d == DType::Float32 ? 1e-4 : 1e-10;
      check_op([](const std::vector<Var>& v) { return expm(v[0]); }, {A.astype(d)},
               [&](const std::vector<Value>&) { return E.astype(d); }, o);
    }
  }
}

TEST(Slinalg, KronMatchesPlainLoops) {
  NDArray A = rnd(DType::Float64, {2, 3}, 61), B = rnd(DType::Float64, {4, 2}, 62);
  NDArray K = NDArray::zeros(DType::Float64, {8, 6});
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        for (int l = 0; l < 2; ++l) K.data<double>()[(i * 4 + k) * 6 + j * 2 + l] = A.data<double>()[i * 3 + j] * B.data<double>()[k * 2 + l];
  check_op([](const std::vector<Var>& v) { return kron(v[0], v[1]); }, {A, B}, [&](const std::vector<Value>&) { return K; });
  Var x = vector(DType::Float64), y = vector(DType::Float64);
  test::expect_error(ErrorKind::Type, [&] { kron(x, y); }, "[kron]");
}

TEST(Slinalg, CholeskyGradBothTriangles) {
  NDArray A = spd(DType::Float64, 4, 71);
  for (bool lower : {true, false}) verify_grad([lower](const std::vector<Var>& x) { return cholesky(x[0], lower); }, {A});
}

// local_inv_as_solve: the compiled dot(matrix_inverse(A), b) is one Solve, with the same value.
TEST(LinalgRewrites, InverseTimesBBecomesSolve) {
  Var a = matrix(DType::Float64), b = matrix(DType::Float64);
  auto f = function({In(a), In(b)}, {dot(matrix_inverse(a), b)});
  bool solve_found = false, inverse_found = false;
  for (Apply* n : f->fgraph().toposort()) {
    solve_found |= n->op()->name() == "Solve";
    inverse_found |= n->op()->name() == "MatrixInverse";
  }
  EXPECT_TRUE(solve_found);
  EXPECT_FALSE(inverse_found);
  NDArray A = spd(DType::Float64, 3, 81), B = rnd(DType::Float64, {3, 2}, 82);
  NDArray x = std::get<NDArray>((*f)({A, B})[0]);
  EXPECT_LT(max_diff(mm(A, x), B), 1e-12);
}

// The input count is checked before typing (OpBase for fixed arity; Eigvalsh's own check for
// its one or two inputs).
TEST(LinalgOps, InputCountsAreChecked) {
  Var m = matrix(DType::Float64);
  test::expect_error(ErrorKind::Type, [&] { apply1(*std::make_shared<Cholesky>(), {m, m}); }, "[Cholesky] expected 1 input");
  test::expect_error(ErrorKind::Type, [&] { apply1(*std::make_shared<Solve>(), {m}); }, "[Solve] expected 2 inputs");
  test::expect_error(ErrorKind::Type, [&] { apply_op(*std::make_shared<EighGrad>(), {m, m}); }, "[EighGrad] expected 5 inputs");
  test::expect_error(ErrorKind::Type, [&] { apply1(*std::make_shared<Eigvalsh>(), {m, m, m}); }, "[Eigvalsh]");
  test::expect_error(ErrorKind::Type, [&] { apply1(*std::make_shared<Eigvalsh>(), {}); }, "[Eigvalsh]");
  test::expect_error(ErrorKind::Type, [&] { apply1(*std::make_shared<Expm>(), {vector(DType::Float64)}); }, "[Expm]");
  test::expect_error(ErrorKind::Type, [&] { apply_op(*std::make_shared<SVD>(), {matrix(DType::Int32)}); }, "[SVD]");
}

}  // namespace
}  // namespace hypatia
