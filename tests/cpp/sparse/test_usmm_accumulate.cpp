// UsmmCscDense's row-grouped accumulation (z + alpha * x . y, csc x, dense y) against a plain
// dense loop: float32/float64, unsorted indices, explicit zeros, empty matrices, skewed rows,
// strided y, 1 and 2 threads bit for bit, and the in-place variant writing into z's buffer.
#include <gtest/gtest.h>

#include <cstring>

#include "hypatia/compile/function.h"
#include "hypatia/sparse/api.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/ops/usmm.h"
#include "hypatia/tensor/api.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/util/parallel.h"
#include "support/sparse_random.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

NDArray random_dense(DType d, Shape shape, std::mt19937_64& rng) {
  NDArray a(DType::Float64, shape);
  std::normal_distribution<double> n(0, 1);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = n(rng);
  return a.astype(d);
}

// z + alpha * dense(x) . y in float64, from C-contiguous operands.
NDArray reference(const SparseMatrix& x, const NDArray& y_in, const NDArray& z, double alpha) {
  NDArray xd = dense_reference(x).astype(DType::Float64);
  NDArray y = y_in.astype(DType::Float64).contiguous();
  NDArray out = z.astype(DType::Float64).copy();
  const int64_t m = xd.shape(0), k = xd.shape(1), n = y.shape(1);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t t = 0; t < k; ++t)
      for (int64_t j = 0; j < n; ++j)
        out.data<double>()[i * n + j] += alpha * xd.data<double>()[i * k + t] * y.data<double>()[t * n + j];
  return out;
}

// Runs UsmmCscDense{no_inplace}(alpha, x, y, z) through a compiled function.
NDArray run_usmm(const SparseMatrix& x, const NDArray& y, const NDArray& z, double alpha) {
  const DType d = z.dtype();
  Var a = scalar(d, "a"), xv = sparse::csc_matrix("x", x.dtype()), yv = matrix(d, "y"), zv = matrix(d, "z");
  auto f = function({a, xv, yv, zv}, {sparse::usmm_csc_dense(a, xv, yv, zv, false)});
  return std::get<NDArray>((*f)({NDArray::full(d, {}, alpha), x, y, z})[0]);
}

struct Case {
  int64_t m, k, n;
  double p;
  bool unsorted, zeros, skewed;
};

}  // namespace

TEST(UsmmAccumulate, MatchesDenseReference) {
  std::mt19937_64 rng(13);
  const Case cases[] = {{4, 3, 5, 0.5, false, false, false}, {30, 20, 17, 0.3, true, true, false},
                        {600, 256, 96, 0.05, true, false, false}, {200, 64, 40, 0.2, false, true, true},
                        {0, 5, 4, 0.5, false, false, false},     {6, 0, 4, 0.5, false, false, false},
                        {5, 4, 0, 0.5, false, false, false},     {7, 9, 3, 0.0, false, false, false}};
  for (DType d : {DType::Float64, DType::Float32})
    for (const Case& c : cases) {
      SCOPED_TRACE(::testing::Message() << dtype_name(d) << " " << c.m << "x" << c.k << "x" << c.n);
      RandomSparseOptions o;
      o.p = c.p;
      o.unsorted_indices = c.unsorted;
      o.explicit_zero = c.zeros && c.m * c.k > 0 && c.p > 0;
      SparseMatrix x = random_sparse(SparseFormat::CSC, c.m, c.k, d, rng, o);
      if (c.skewed && c.m > 0) {
        // Every column stores an entry in row 0 as well: one output row takes most updates.
        NDArray xd = dense_reference(x).astype(DType::Float64).copy();
        for (int64_t t = 0; t < c.k; ++t) xd.data<double>()[t] = 1.5;
        x = SparseMatrix::from_dense(xd.astype(d), SparseFormat::CSC);
      }
      NDArray y = random_dense(d, {c.k, c.n}, rng), z = random_dense(d, {c.m, c.n}, rng);
      const double tol = d == DType::Float32 ? 1e-4 : 1e-12;
      NDArray got = run_usmm(x, y, z, -0.25);
      EXPECT_TRUE(allclose(got.astype(DType::Float64), reference(x, y, z, -0.25), tol, tol)) << got.repr();
    }
}

TEST(UsmmAccumulate, StridedYAndThreadCountsGiveTheSameBits) {
  std::mt19937_64 rng(17);
  RandomSparseOptions o;
  o.p = 0.02;
  o.unsorted_indices = true;
  SparseMatrix x = random_sparse(SparseFormat::CSC, 2000, 256, DType::Float64, rng, o);
  NDArray wide = random_dense(DType::Float64, {256, 2 * 130}, rng);
  NDArray y = wide.slice(1, 0, 260, 2);  // column stride 2: the generic path
  NDArray yc = y.contiguous();           // the row-grouped path
  NDArray z = random_dense(DType::Float64, {2000, 130}, rng);
  NDArray want = reference(x, yc, z, 0.5);
  NDArray strided = run_usmm(x, y, z, 0.5);
  EXPECT_TRUE(allclose(strided, want, 1e-12, 1e-12));
  set_openmp(false);
  NDArray one = run_usmm(x, yc, z, 0.5);
  set_openmp(true);
  NDArray two = run_usmm(x, yc, z, 0.5);
  EXPECT_TRUE(allclose(one, want, 1e-12, 1e-12));
  ASSERT_EQ(one.shape(), two.shape());
  EXPECT_EQ(0, std::memcmp(one.raw(), two.raw(), static_cast<size_t>(one.nbytes())));
}

TEST(UsmmAccumulate, InplaceVariantWritesIntoZ) {
  std::mt19937_64 rng(19);
  SparseMatrix x = random_sparse(SparseFormat::CSC, 50, 20, DType::Float64, rng, {0.2});
  NDArray y = random_dense(DType::Float64, {20, 8}, rng), z = random_dense(DType::Float64, {50, 8}, rng);
  NDArray want = reference(x, y, z, 2.0);
  NDArray zbuf = z.copy();
  Value out;
  Value a = NDArray::full(DType::Float64, {}, 2.0), xv = x, yv = y, zv = zbuf;
  const Value* ins[] = {&a, &xv, &yv, &zv};
  Var av = scalar(DType::Float64), xs = sparse::csc_matrix("x"), ys = matrix(DType::Float64), zs = matrix(DType::Float64);
  Var r = sparse::usmm_csc_dense(av, xs, ys, zs, true);
  r->owner->op()->perform(*r->owner, ins, &out);
  EXPECT_EQ(std::get<NDArray>(out).raw(), zbuf.raw());  // destroy_map {0: [3]}: z's own buffer
  EXPECT_TRUE(allclose(zbuf, want, 1e-12, 1e-12));
}
