// Sparse products: the kernels against plain dense loops (both formats, vectors, parallel
// sizes, unsorted/duplicate/explicit-zero inputs, int64 indices), and the ops through check_op.
#include <gtest/gtest.h>

#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/kernels/spmm.h"
#include "hypatia/sparse/products.h"
#include "hypatia/tensor/basic.h"
#include "support/check_op.h"
#include "support/sparse_random.h"

using namespace hypatia;
using namespace hypatia::testing;
namespace sk = hypatia::sparse_kernels;

namespace {

const SparseFormat kFormats[] = {SparseFormat::CSR, SparseFormat::CSC};

NDArray random_dense(Shape shape, std::mt19937_64& rng) {
  NDArray a(DType::Float64, shape);
  std::normal_distribution<double> n(0, 1);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = n(rng);
  return a;
}

// Plain (m x k) . (k x n) of C-contiguous float64 matrices (vectors as k x 1 / 1 x k).
NDArray matmul(const NDArray& a, const NDArray& b) {
  const int64_t m = a.ndim() == 2 ? a.shape(0) : 1, k = a.shape(a.ndim() - 1), n = b.ndim() == 2 ? b.shape(1) : 1;
  Shape os;
  if (a.ndim() == 2) os.push_back(m);
  if (b.ndim() == 2) os.push_back(n);
  NDArray out = NDArray::zeros(DType::Float64, os);
  const double* A = a.data<double>();
  const double* B = b.data<double>();
  double* O = out.data<double>();
  for (int64_t i = 0; i < m; ++i)
    for (int64_t t = 0; t < k; ++t)
      for (int64_t j = 0; j < n; ++j) O[i * n + j] += A[i * k + t] * B[t * n + j];
  return out;
}

void expect_close(const NDArray& got, const NDArray& want, double tol = 1e-9) {
  ASSERT_EQ(got.shape(), want.shape());
  EXPECT_TRUE(allclose(got, want, tol, tol)) << got.repr() << "\nvs\n" << want.repr();
}

SparseMatrix messy(SparseFormat f, int64_t r, int64_t c, std::mt19937_64& rng, double p, bool unsorted, bool zeros,
                   DType idx = DType::Int32) {
  RandomSparseOptions o;
  o.p = p;
  o.unsorted_indices = unsorted;
  o.explicit_zero = zeros;
  o.index_dtype = idx;
  return random_sparse(f, r, c, DType::Float64, rng, o);
}

}  // namespace

// Small and large (parallel paths: CSR rows, CSC column blocks and per-thread partials).
TEST(SparseDotKernels, SpmmMatchesDense) {
  std::mt19937_64 rng(5);
  for (SparseFormat f : kFormats)
    for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{3, 5, 4}, {5, 3, 1}, {700, 900, 64}, {2000, 1500, 2}})
      for (bool unsorted : {false, true}) {
        SparseMatrix a = messy(f, m, k, rng, 0.2, unsorted, true, unsorted ? DType::Int64 : DType::Int32);
        NDArray ad = dense_reference(a);
        NDArray b = random_dense({k, n}, rng);
        NDArray out(DType::Float64, {m, n});
        sk::spmm(a, b, out);
        expect_close(out, matmul(ad, b));
        NDArray v = random_dense({k}, rng), ov(DType::Float64, {m});
        sk::spmm(a, v, ov);
        expect_close(ov, matmul(ad, v));
        // dense . sparse, matrix and vector
        NDArray x = random_dense({n, m}, rng), o2(DType::Float64, {n, k});
        sk::dense_spmm(x, a, o2);
        expect_close(o2, matmul(x, ad));
        NDArray xv = random_dense({m}, rng), o3(DType::Float64, {k});
        sk::dense_spmm(xv, a, o3);
        expect_close(o3, matmul(xv, ad));
        // accumulate with alpha: out += 2 * a . b
        NDArray alpha = NDArray::full(DType::Float64, {}, 2.0);
        NDArray acc = out.copy();
        sk::spmm(a, b, acc, true, &alpha);
        NDArray want = matmul(ad, b);
        for (int64_t i = 0; i < want.size(); ++i) want.data<double>()[i] *= 3.0;
        expect_close(acc, want, 1e-8);
      }
}

TEST(SparseDotKernels, SpgemmAndSddmm) {
  std::mt19937_64 rng(6);
  for (SparseFormat f : kFormats)
    for (SparseFormat g : kFormats)
      for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{3, 5, 4}, {400, 300, 500}}) {
        SparseMatrix a = messy(f, m, k, rng, 0.1, true, true);
        SparseMatrix b = messy(g, k, n, rng, 0.1, false, false, DType::Int64);
        SparseMatrix c = sk::spgemm(a, b);
        EXPECT_EQ(c.format(), f);
        EXPECT_TRUE(sk::has_sorted_indices(c));
        c.validate();
        expect_close(c.to_dense(), matmul(dense_reference(a), dense_reference(b)), 1e-8);
        NDArray x = random_dense({m, 7}, rng), y = random_dense({k, 7}, rng);
        NDArray d = sk::sddmm(a, x, y, true, DType::Float64);
        NDArray full = matmul(x, y.transpose().contiguous());
        SparseMatrix s = sk::with_data(a, d);
        // at each stored entry: a's value times (x y^T)
        NDArray want = dense_reference(a);
        for (int64_t i = 0; i < want.size(); ++i) want.data<double>()[i] *= full.contiguous().data<double>()[i];
        expect_close(s.to_dense(), want, 1e-8);
      }
}

TEST(SparseDotOps, StructuredDotThroughHarness) {
  std::mt19937_64 rng(7);
  for (SparseFormat f : kFormats) {
    SparseMatrix a = messy(f, 3, 5, rng, 0.5, true, true);
    NDArray b = random_dense({5, 4}, rng);
    CheckOpOptions o;
    o.structured = true;
    check_op([](const std::vector<Var>& v) { return sparse::structured_dot(v[0], v[1]); }, {a, b},
             [](const std::vector<Value>& v) -> Value {
               return matmul(dense_reference(std::get<SparseMatrix>(v[0])), std::get<NDArray>(v[1]));
             }, o);
    NDArray vec = random_dense({5}, rng);
    check_op([](const std::vector<Var>& v) { return sparse::structured_dot(v[0], v[1]); }, {a, vec},
             [](const std::vector<Value>& v) -> Value {
               return matmul(dense_reference(std::get<SparseMatrix>(v[0])), std::get<NDArray>(v[1]));
             }, o);
    NDArray x = random_dense({4, 3}, rng);
    check_op([](const std::vector<Var>& v) { return sparse::dot(v[0], v[1]); }, {x, a},
             [](const std::vector<Value>& v) -> Value {
               return matmul(std::get<NDArray>(v[0]), dense_reference(std::get<SparseMatrix>(v[1])));
             });
    NDArray z = random_dense({3, 4}, rng);
    NDArray alpha = NDArray::full(DType::Float64, {}, 0.5);
    check_op([](const std::vector<Var>& v) { return sparse::usmm(v[0], v[1], v[2], v[3]); }, {alpha, a, b, z},
             [](const std::vector<Value>& v) -> Value {
               NDArray r = matmul(dense_reference(std::get<SparseMatrix>(v[1])), std::get<NDArray>(v[2]));
               const NDArray& zz = std::get<NDArray>(v[3]);
               for (int64_t i = 0; i < r.size(); ++i) r.data<double>()[i] = zz.data<double>()[i] + 0.5 * r.data<double>()[i];
               return r;
             });
  }
}

TEST(SparseDotOps, Errors) {
  Var a = matrix(DType::Float64, "a"), x = sparse::csr_matrix("x");
  try {
    sparse::structured_dot(a, a);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("[StructuredDot]", 0), 0u) << e.what();
  }
  try {
    sparse::dot(a, a);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("[Dot]", 0), 0u) << e.what();
  }
  try {
    sparse::sampling_dot(a, a, a);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("[SamplingDot]", 0), 0u) << e.what();
  }
  EXPECT_THROW(sparse::usmm(constant(1.0), a, a, a), Error);
  (void)x;
}
