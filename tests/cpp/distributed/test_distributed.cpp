// The distributed layer under any number of ranks (ctest runs it alone and under mpirun -np 2):
// AllReduce on dense and sparse values (both sparse paths) against a dense reference, the
// bucketed gradient reduction, the parameter checks and the CSR row partition.
#include <gtest/gtest.h>

#include <random>

#include "hypatia/distributed/distributed.h"
#include "hypatia/hypatia.h"
#include "support/sparse_random.h"

namespace hypatia {
namespace {
namespace hd = distributed;

Value run1(const Var& in, const Var& out, const Value& v) {
  auto f = function({In(in)}, {Out(out)});
  return (*f)({v})[0];
}

NDArray filled(double v, Shape s) { return NDArray::full(DType::Float64, std::move(s), v); }

TEST(DistributedComm, RankSizeBarrier) {
  EXPECT_GE(hd::size(), 1);
  EXPECT_GE(hd::rank(), 0);
  EXPECT_LT(hd::rank(), hd::size());
  hd::barrier();
  EXPECT_FALSE(hd::broken());
}

TEST(DistributedAllReduce, DenseSumAndMean) {
  const int p = hd::size(), r = hd::rank();
  Var x = matrix(DType::Float64, "x");
  NDArray mine = filled(r + 1.0, {3, 4});
  NDArray s = as_array(run1(x, hd::all_reduce(x, hd::ReduceOp::Sum), mine));
  NDArray m = as_array(run1(x, hd::all_reduce(x, hd::ReduceOp::Mean), mine));
  for (int64_t i = 0; i < 12; ++i) {
    EXPECT_DOUBLE_EQ(s.data<double>()[i], p * (p + 1) / 2.0);
    EXPECT_DOUBLE_EQ(m.data<double>()[i], (p + 1) / 2.0);
  }
  EXPECT_DOUBLE_EQ(mine.data<double>()[0], r + 1.0);  // the input is not overwritten
}

TEST(DistributedAllReduce, DifferentShapesOnTheRanksRaiseEverywhere) {
  if (hd::size() < 2) GTEST_SKIP() << "needs two ranks";
  Var x = vector(DType::Float64, "x");
  auto f = function({In(x)}, {Out(hd::all_reduce(x))});
  try {
    (*f)({filled(1.0, {3 + hd::rank()})});
    FAIL() << "different sizes accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_NE(std::string(e.what()).find("[AllReduce] the ranks reduce different things"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(hd::broken());  // every rank raised at the same point: the ranks still agree
  NDArray ok = as_array((*f)({filled(1.0, {2})})[0]);
  EXPECT_DOUBLE_EQ(ok.data<double>()[1], hd::size());
}

TEST(DistributedAllReduce, OpContract) {
  auto a = std::make_shared<AllReduce>(AllReduceParams{hd::ReduceOp::Sum, 0.5});
  auto b = std::make_shared<AllReduce>(AllReduceParams{hd::ReduceOp::Sum, 0.5});
  auto c = std::make_shared<AllReduce>(AllReduceParams{hd::ReduceOp::Mean, 0.5});
  EXPECT_TRUE(a->equals(*b));
  EXPECT_EQ(a->hash(), b->hash());
  EXPECT_FALSE(a->equals(*c));
  EXPECT_EQ(c->str(), "AllReduce{mean}");
  try {
    hd::all_reduce(matrix(DType::Int32), hd::ReduceOp::Mean);
    FAIL() << "mean of int32 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Type);
    EXPECT_NE(std::string(e.what()).find("[AllReduce]"), std::string::npos);
  }
  EXPECT_THROW(hd::all_reduce(matrix(DType::Bool)), Error);
  // Gradient: the same reduction of the output gradient.
  Var x = vector(DType::Float64, "x");
  Var g = grad(sum(hd::all_reduce(x, hd::ReduceOp::Mean) * x), std::vector<Var>{x})[0];
  NDArray gv = as_array(run1(x, g, filled(hd::rank() + 1.0, {2})));
  // Rank r's cost is sum(mean_s(x_s) * x_r). The gradient of the sum of the ranks' costs w.r.t.
  // x_r is mean_s(x_s) (direct) + mean_s(x_s) (through the reduction): (p + 1) when x_r = r + 1.
  const int p = hd::size();
  EXPECT_NEAR(gv.data<double>()[0], p + 1.0, 1e-12);
}

SparseMatrix rank_matrix(int r, SparseFormat f, double density) {
  std::mt19937_64 rng(1234 + 77 * r);
  testing::RandomSparseOptions o;
  o.p = density;
  o.lo = -1.0;
  return testing::random_sparse(f, 7, 9, DType::Float64, rng, o);
}

TEST(DistributedAllReduce, SparseBothPathsMatchDense) {
  const int p = hd::size();
  for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC}) {
    for (hd::ReduceOp op : {hd::ReduceOp::Sum, hd::ReduceOp::Mean}) {
      NDArray ref = NDArray::zeros(DType::Float64, {7, 9});
      for (int r = 0; r < p; ++r) {
        NDArray d = rank_matrix(r, f, 0.3).to_dense();
        for (int64_t i = 0; i < 63; ++i) ref.data<double>()[i] += d.data<double>()[i] / (op == hd::ReduceOp::Mean ? p : 1);
      }
      for (double threshold : {0.0, 2.0}) {
        hd::SparseReducePath path;
        SparseMatrix out = hd::sparse_allreduce(rank_matrix(hd::rank(), f, 0.3), op, threshold, "test", &path);
        EXPECT_EQ(path, threshold == 0.0 ? hd::SparseReducePath::Dense : hd::SparseReducePath::Gather);
        EXPECT_EQ(out.format(), f);
        out.validate("test");
        NDArray got = out.to_dense();
        for (int64_t i = 0; i < 63; ++i) EXPECT_NEAR(got.data<double>()[i], ref.data<double>()[i], 1e-12);
      }
    }
  }
  // Through the op inside a compiled function.
  Var x = sparse::csr_matrix("x", DType::Float64);
  SparseMatrix s = as_sparse(run1(x, hd::all_reduce(x, hd::ReduceOp::Sum, 2.0), rank_matrix(hd::rank(), SparseFormat::CSR, 0.3)));
  NDArray sum = NDArray::zeros(DType::Float64, {7, 9});
  for (int r = 0; r < p; ++r) {
    NDArray d = rank_matrix(r, SparseFormat::CSR, 0.3).to_dense();
    for (int64_t i = 0; i < 63; ++i) sum.data<double>()[i] += d.data<double>()[i];
  }
  NDArray got = s.to_dense();
  for (int64_t i = 0; i < 63; ++i) EXPECT_NEAR(got.data<double>()[i], sum.data<double>()[i], 1e-12);
}

TEST(DistributedGradients, BucketsOverlapAndAverage) {
  const int p = hd::size(), r = hd::rank();
  Var x = vector(DType::Float64, "x");
  Var w1 = make_shared_variable(filled(1.0, {4}), TensorType::make(DType::Float64, {false}), "w1");
  Var w2 = make_shared_variable(filled(2.0, {3}), TensorType::make(DType::Float64, {false}), "w2");
  Var cost = sum(x * w1) + sum(w2 * w2) * sum(x);
  hd::sync_parameters({w1, w2});
  std::vector<Var> g = hd::data_parallel_grads(cost, {w1, w2}, /*bucket_bytes=*/8);
  ASSERT_EQ(g.size(), 2u);
  ASSERT_TRUE(g[0].owner() != nullptr);
  EXPECT_EQ(g[0].owner()->op()->name(), "AllReduceWait");
  auto f = function({In(x)}, {Out(g[0]), Out(g[1])});
  auto out = (*f)({filled(r + 1.0, {4})});
  const double mean_x = (p + 1) / 2.0;  // d cost/d w1 = x, averaged over ranks
  EXPECT_NEAR(as_array(out[0]).data<double>()[0], mean_x, 1e-12);
  EXPECT_NEAR(as_array(out[1]).data<double>()[0], 2 * 2.0 * 4 * mean_x, 1e-12);
}

TEST(DistributedParameters, BroadcastAndShapeCheck) {
  const int r = hd::rank();
  Var w = make_shared_variable(filled(10.0 + r, {2, 2}), TensorType::make(DType::Float64, {false, false}), "w");
  hd::sync_parameters({w});
  EXPECT_DOUBLE_EQ(as_array(get_value(w)).data<double>()[3], 10.0);  // rank 0's value everywhere
  if (hd::size() < 2) return;
  Var v = make_shared_variable(filled(0.0, {2, r == 1 ? 3 : 2}), TensorType::make(DType::Float64, {false, false}), "v");
  try {
    hd::check_parameter_shapes({w, v}, "test.start");
    FAIL() << "mismatched shapes accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_NE(std::string(e.what()).find("[test.start] parameter 'v' (#1) is a (2, 2) float64 tensor on rank 0 but a "
                                         "(2, 3) float64 tensor on rank 1"), std::string::npos)
        << e.what();
  }
}

TEST(DistributedData, RowPartition) {
  std::mt19937_64 rng(5);
  SparseMatrix all = testing::random_sparse(SparseFormat::CSR, 11, 6, DType::Float64, rng);
  int64_t rows = 0, nnz = 0;
  for (int r = 0; r < 3; ++r) {
    auto [b, e] = hd::row_range(11, r, 3);
    EXPECT_EQ(b, rows);
    SparseMatrix s = hd::shard_rows(all, r, 3);
    s.validate("test");
    EXPECT_EQ(s.rows(), e - b);
    rows += s.rows();
    nnz += s.nnz();
  }
  EXPECT_EQ(rows, 11);
  EXPECT_EQ(nnz, all.nnz());
  EXPECT_THROW(hd::row_range(5, 3, 3), Error);
}

}  // namespace
}  // namespace hypatia

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  hypatia::distributed::init(60);
  const int rc = RUN_ALL_TESTS();
  hypatia::distributed::finalize();
  return rc;
}
