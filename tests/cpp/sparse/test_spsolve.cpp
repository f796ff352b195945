// sparse::spsolve (SpFactor + SpSolve over UMFPACK/CHOLMOD): values against a dense reference
// solve, residuals, structured gradients, one factorisation per call, threads and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>

#include "hypatia/grad/grad.h"
#include "hypatia/sparse/sparse.h"
#include "support/check_op.h"
#include "support/sparse_random.h"

namespace hypatia {
namespace {
using testing::check_op;
using testing::CheckOpOptions;
using testing::error_of;

/// A dense n x n float64 matrix: random entries (density p) plus `diag` on the diagonal.
NDArray random_dense(int64_t n, double p, double diag, std::mt19937_64& rng) {
  std::bernoulli_distribution keep(p);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  NDArray d = NDArray::zeros(DType::Float64, {n, n});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) d.data<double>()[i * n + j] = (i == j ? diag : 0.0) + (keep(rng) ? u(rng) : 0.0);
  return d;
}

/// Bᵀ B + n I: symmetric positive definite.
NDArray spd_dense(int64_t n, std::mt19937_64& rng) {
  NDArray b = random_dense(n, 0.4, 0.0, rng), s = NDArray::zeros(DType::Float64, {n, n});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double v = i == j ? static_cast<double>(n) : 0.0;
      for (int64_t k = 0; k < n; ++k) v += b.data<double>()[k * n + i] * b.data<double>()[k * n + j];
      s.data<double>()[i * n + j] = v;
    }
  return s;
}

enum class Storage { Sorted, Unsorted, ZeroAndDuplicate };

/// The non-zeros of `dense` (only i <= j when upper_only) as a compressed matrix of `format`
/// and `dtype`, stored as `storage` says: reversed index order, or with an explicit zero at the
/// first empty position of each slice and the first entry of each slice split in two.
SparseMatrix compress(const NDArray& dense, SparseFormat format, DType dtype, Storage storage, bool upper_only = false) {
  const int64_t n = dense.shape(0);
  std::vector<int64_t> ptr{0}, idx;
  std::vector<double> val;
  for (int64_t o = 0; o < n; ++o) {
    const size_t start = idx.size();
    bool zero_done = storage != Storage::ZeroAndDuplicate;
    for (int64_t in = 0; in < n; ++in) {
      const int64_t i = format == SparseFormat::CSR ? o : in, j = format == SparseFormat::CSR ? in : o;
      const double v = dense.data<double>()[i * n + j];
      if (upper_only && i > j) continue;
      if (v == 0.0 && !zero_done) {
        idx.push_back(in), val.push_back(0.0), zero_done = true;
      } else if (v != 0.0) {
        idx.push_back(in), val.push_back(v);
      }
    }
    if (storage == Storage::ZeroAndDuplicate && idx.size() > start) {  // split the first entry
      val[start] *= 0.25;
      idx.push_back(idx[start]), val.push_back(3 * val[start]);
    }
    if (storage == Storage::Unsorted) {
      std::reverse(idx.begin() + start, idx.end());
      std::reverse(val.begin() + start, val.end());
    }
    ptr.push_back(static_cast<int64_t>(idx.size()));
  }
  const int64_t nnz = static_cast<int64_t>(val.size());
  NDArray data = NDArray::from_vector(val, {nnz}).astype(dtype);
  NDArray ind = NDArray::from_vector(idx, {nnz}).astype(DType::Int32), ip = NDArray::from_vector(ptr, {n + 1}).astype(DType::Int32);
  return SparseMatrix(format, n, n, data, ind, ip);
}

/// x = a^{-1} b by Gaussian elimination with partial pivoting (float64, b (n,) or (n, k)).
NDArray dense_solve(NDArray a, const NDArray& b_in) {
  a = a.astype(DType::Float64);
  NDArray b = b_in.astype(DType::Float64);
  const int64_t n = a.shape(0), k = b.ndim() == 1 ? 1 : b.shape(1);
  double *A = a.data<double>(), *B = b.data<double>();
  for (int64_t c = 0; c < n; ++c) {
    int64_t p = c;
    for (int64_t r = c + 1; r < n; ++r)
      if (std::abs(A[r * n + c]) > std::abs(A[p * n + c])) p = r;
    for (int64_t j = 0; j < n; ++j) std::swap(A[c * n + j], A[p * n + j]);
    for (int64_t j = 0; j < k; ++j) std::swap(B[c * k + j], B[p * k + j]);
    for (int64_t r = c + 1; r < n; ++r) {
      const double f = A[r * n + c] / A[c * n + c];
      for (int64_t j = c; j < n; ++j) A[r * n + j] -= f * A[c * n + j];
      for (int64_t j = 0; j < k; ++j) B[r * k + j] -= f * B[c * k + j];
    }
  }
  for (int64_t c = n - 1; c >= 0; --c)
    for (int64_t j = 0; j < k; ++j) {
      double s = B[c * k + j];
      for (int64_t q = c + 1; q < n; ++q) s -= A[c * n + q] * B[q * k + j];
      B[c * k + j] = s / A[c * n + c];
    }
  return b;
}

/// The symmetric matrix of a dense matrix's upper triangle (what 'pos' and 'sym' solve with).
NDArray upper_symmetric(const NDArray& d) {
  const int64_t n = d.shape(0);
  NDArray s = d.astype(DType::Float64);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < i; ++j) s.data<double>()[i * n + j] = s.data<double>()[j * n + i];
  return s;
}

NDArray random_rhs(int64_t n, int64_t k, DType dtype, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  NDArray b(DType::Float64, k == 0 ? Shape{n} : Shape{n, k});
  for (int64_t i = 0; i < b.size(); ++i) b.data<double>()[i] = u(rng);
  return b.astype(dtype);
}

Var solve_fn(const std::vector<Var>& v, const std::string& kind) { return sparse::spsolve(v[0], v[1], kind); }

TEST(SpSolve, GeneralMatchesDenseReferenceWithGradients) {
  std::mt19937_64 rng(7);
  for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC})
    for (DType d : {DType::Float64, DType::Float32})
      for (Storage st : {Storage::Sorted, Storage::Unsorted, Storage::ZeroAndDuplicate})
        for (int64_t k : {0, 3}) {
          SCOPED_TRACE(str_cat(format_name(f), " ", dtype_name(d), " storage ", static_cast<int>(st), " k ", k));
          const int64_t n = 6;
          NDArray dense = random_dense(n, 0.35, 4.0, rng);
          SparseMatrix a = compress(dense, f, d, st);
          NDArray b = random_rhs(n, k, d, rng);
          CheckOpOptions o;
          o.structured = true;
          o.check_grad = d == DType::Float64;  // float32 gradients: the Python suite
          if (d == DType::Float32) o.rtol = 1e-4, o.atol = 1e-5;
          check_op([](const std::vector<Var>& v) { return solve_fn(v, "gen"); }, {a, b},
                   [](const std::vector<Value>& in) {
                     const SparseMatrix& m = std::get<SparseMatrix>(in[0]);
                     const NDArray& rhs = std::get<NDArray>(in[1]);
                     return Value(dense_solve(testing::dense_reference(m), rhs).astype(m.dtype()));
                   },
                   o);
        }
}

TEST(SpSolve, PositiveAndSymmetricReadTheUpperTriangle) {
  std::mt19937_64 rng(11);
  for (const char* kind : {"pos", "sym"})
    for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC})
      for (bool upper_only : {true, false})
        for (int64_t k : {0, 2}) {
          SCOPED_TRACE(str_cat(kind, " ", format_name(f), upper_only ? " upper" : " full", " k ", k));
          const int64_t n = 7;
          NDArray dense = spd_dense(n, rng);
          if (!upper_only)  // garbage below the diagonal: must be ignored
            for (int64_t i = 1; i < n; ++i) dense.data<double>()[i * n] += 5.0;
          SparseMatrix a = compress(dense, f, DType::Float64, Storage::Unsorted, upper_only);
          NDArray b = random_rhs(n, k, DType::Float64, rng);
          CheckOpOptions o;
          o.structured = true;
          const std::string kd = kind;
          check_op([kd](const std::vector<Var>& v) { return solve_fn(v, kd); }, {a, b},
                   [](const std::vector<Value>& in) {
                     return Value(dense_solve(upper_symmetric(testing::dense_reference(std::get<SparseMatrix>(in[0]))),
                                              std::get<NDArray>(in[1])));
                   },
                   o);
        }
}

TEST(SpSolve, ResidualOfALargerSystem) {
  std::mt19937_64 rng(3);
  const int64_t n = 300;
  NDArray dense = random_dense(n, 0.02, 3.0, rng);
  Var av = sparse::csc_matrix("A", DType::Float64), bv = tensor(DType::Float64, {false, false}, "b");
  auto fn = function({av, bv}, {sparse::spsolve(av, bv)});
  SparseMatrix a = compress(dense, SparseFormat::CSC, DType::Float64, Storage::Sorted);
  NDArray b = random_rhs(n, 4, DType::Float64, rng);
  NDArray x = std::get<NDArray>((*fn)({a, b})[0]);
  double worst = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < 4; ++c) {
      double r = -b.data<double>()[i * 4 + c];
      for (int64_t j = 0; j < n; ++j) r += dense.data<double>()[i * n + j] * x.data<double>()[j * 4 + c];
      worst = std::max(worst, std::abs(r));
    }
  EXPECT_LT(worst, 1e-10);
}

TEST(SpSolve, GradientReusesTheForwardFactorisation) {
  Var av = sparse::csr_matrix("A", DType::Float64), bv = tensor(DType::Float64, {false}, "b");
  Var x = sparse::spsolve(av, bv);
  std::vector<Var> g = grad(sum(x), std::vector<Var>{av, bv});
  auto fn = function({av, bv}, {x, g[0], g[1]});
  int factors = 0, solves = 0;
  for (Apply* node : fn->fgraph().toposort()) {
    factors += node->op()->name() == "SpFactor";
    solves += node->op()->name() == "SpSolve";
  }
  EXPECT_EQ(factors, 1);
  EXPECT_EQ(solves, 2);  // the forward solve and the transposed one of the gradient
}

TEST(SpSolve, ConcurrentCallsOfOneFunction) {
  std::mt19937_64 rng(5);
  const int64_t n = 40;
  NDArray dense = random_dense(n, 0.1, 4.0, rng);
  SparseMatrix a = compress(dense, SparseFormat::CSR, DType::Float64, Storage::Sorted);
  Var av = sparse::csr_matrix("A", DType::Float64), bv = tensor(DType::Float64, {false}, "b");
  Var x = sparse::spsolve(av, bv);
  auto fn = function({av, bv}, {x, grad(sum(x), std::vector<Var>{bv})[0]});
  std::vector<NDArray> rhs, want;
  for (int t = 0; t < 4; ++t) rhs.push_back(random_rhs(n, 0, DType::Float64, rng)), want.push_back(dense_solve(dense, rhs[t]));
  std::vector<int> bad(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep) {
        NDArray got = std::get<NDArray>((*fn)({a, rhs[t]})[0]);
        for (int64_t i = 0; i < n; ++i) bad[t] += std::abs(got.data<double>()[i] - want[t].data<double>()[i]) > 1e-9;
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(bad[t], 0) << "thread " << t;
}

/// f raises a hypatia::Error of `kind` whose message starts with `prefix`.
void expect_error(const std::function<void()>& f, const std::string& prefix, ErrorKind kind) {
  ErrorKind got{};
  const std::string msg = error_of(f, &got);
  EXPECT_EQ(msg.rfind(prefix, 0), 0u) << msg;
  EXPECT_EQ(got, kind) << msg;
}

TEST(SpSolve, Errors) {
  Var av = sparse::csr_matrix("A", DType::Float64), bv = tensor(DType::Float64, {false}, "b");
  auto gen = function({av, bv}, {sparse::spsolve(av, bv)});
  auto pos = function({av, bv}, {sparse::spsolve(av, bv, "pos")});
  NDArray b3 = NDArray::zeros(DType::Float64, {3});
  NDArray eye3 = NDArray::zeros(DType::Float64, {3, 3});
  for (int i = 0; i < 3; ++i) eye3.data<double>()[i * 4] = 1.0;
  SparseMatrix nonsq = SparseMatrix::from_dense(NDArray::full(DType::Float64, {3, 4}, 1.0), SparseFormat::CSR);
  expect_error([&] { (*gen)({nonsq, b3}); }, "[SpSolve] A must be square", ErrorKind::Value);
  SparseMatrix eye = SparseMatrix::from_dense(eye3, SparseFormat::CSR);
  expect_error([&] { (*gen)({eye, NDArray::zeros(DType::Float64, {4})}); }, "[SpSolve] b must have 3 rows", ErrorKind::Value);
  NDArray sing = eye3.copy();
  sing.data<double>()[4] = 0.0;  // a zero row and column
  sing.data<double>()[1] = 2.0;
  expect_error([&] { (*gen)({SparseMatrix::from_dense(sing, SparseFormat::CSR), b3}); }, "[SpSolve] A is singular", ErrorKind::Value);
  NDArray indef = eye3.copy();
  indef.data<double>()[4] = -1.0;
  expect_error([&] { (*pos)({SparseMatrix::from_dense(indef, SparseFormat::CSR), b3}); }, "[SpSolve] A is not positive definite", ErrorKind::Value);
  expect_error([&] { sparse::spsolve(av, bv, "lu"); }, "[SpSolve] assume_a must be", ErrorKind::Value);
  expect_error([&] { sparse::spsolve(av, av); }, "[SpSolve] b must be a dense", ErrorKind::Type);
  expect_error([&] { sparse::spsolve(bv, bv); }, "[SpSolve]", ErrorKind::Type);
  // An indefinite symmetric matrix with non-zero pivots: 'sym' (LDL^T) solves it.
  auto sym = function({av, bv}, {sparse::spsolve(av, bv, "sym")});
  NDArray x = std::get<NDArray>((*sym)({SparseMatrix::from_dense(indef, SparseFormat::CSR), NDArray::full(DType::Float64, {3}, 1.0)})[0]);
  EXPECT_DOUBLE_EQ(x.data<double>()[1], -1.0);
}

}  // namespace
}  // namespace hypatia
