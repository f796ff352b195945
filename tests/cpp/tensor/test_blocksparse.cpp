// SparseBlockGemv, SparseBlockOuter and sparse_block_dot through the check_op harness: values vs
// plain loops (repeated, unordered block ids; iSize != oSize, iWin != oWin), shapes, gradients.
#include <gtest/gtest.h>

#include <random>

#include "helpers.h"
#include "hypatia/tensor/blocksparse.h"
#include "hypatia/tensor/ops/blocksparse.h"
#include "support/check_op.h"
#include "support/dense_random.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

NDArray idx(std::vector<int64_t> v, Shape s) { return NDArray::from_vector<int64_t>(v, s); }

double get(const NDArray& a, std::vector<int64_t> ix) {
  NDArray c = a.astype(DType::Float64);
  int64_t lin = 0;
  for (size_t k = 0; k < ix.size(); ++k) lin = lin * a.shape(int(k)) + ix[k];
  return c.data<double>()[lin];
}

// o[b, j] += sum_i h[b, i] . W[iIdx[b, i], oIdx[b, j]]
Value gemv_ref(const std::vector<Value>& v) {
  const NDArray& o = std::get<NDArray>(v[0]);
  const NDArray& W = std::get<NDArray>(v[1]);
  const NDArray& h = std::get<NDArray>(v[2]);
  const NDArray& ii = std::get<NDArray>(v[3]);
  const NDArray& oi = std::get<NDArray>(v[4]);
  NDArray r = o.astype(DType::Float64);
  double* p = r.data<double>();
  const int64_t B = o.shape(0), OW = o.shape(1), OS = o.shape(2), IW = h.shape(1), IS = h.shape(2);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t j = 0; j < OW; ++j)
      for (int64_t i = 0; i < IW; ++i) {
        int64_t a = int64_t(get(ii, {b, i})), c = int64_t(get(oi, {b, j}));
        for (int64_t q = 0; q < OS; ++q)
          for (int64_t k = 0; k < IS; ++k) p[(b * OW + j) * OS + q] += get(h, {b, i, k}) * get(W, {a, c, k, q});
      }
  return r.astype(o.dtype());
}

Value outer_ref(const std::vector<Value>& v) {
  const NDArray& o = std::get<NDArray>(v[0]);
  const NDArray& x = std::get<NDArray>(v[1]);
  const NDArray& y = std::get<NDArray>(v[2]);
  const NDArray& xi = std::get<NDArray>(v[3]);
  const NDArray& yi = std::get<NDArray>(v[4]);
  NDArray r = o.astype(DType::Float64);
  double* p = r.data<double>();
  const int64_t YB = o.shape(1), XS = o.shape(2), YS = o.shape(3);
  for (int64_t b = 0; b < x.shape(0); ++b)
    for (int64_t i = 0; i < x.shape(1); ++i)
      for (int64_t j = 0; j < y.shape(1); ++j) {
        int64_t a = int64_t(get(xi, {b, i})), c = int64_t(get(yi, {b, j}));
        for (int64_t k = 0; k < XS; ++k)
          for (int64_t q = 0; q < YS; ++q) p[((a * YB + c) * XS + k) * YS + q] += get(x, {b, i, k}) * get(y, {b, j, q});
      }
  return r.astype(o.dtype());
}

}  // namespace

TEST(BlockSparse, GemvMatchesLoopsWithGrad) {
  for (DType d : {DType::Float32, DType::Float64}) {
    std::vector<Value> in = {randn(d, {3, 3, 2}, 1), randn(d, {4, 5, 3, 2}, 2), randn(d, {3, 2, 3}, 3),
                             idx({3, 1, 1, 1, 0, 2}, {3, 2}), idx({4, 0, 4, 2, 2, 1, 3, 0, 1}, {3, 3})};
    CheckOpOptions opt;
    opt.check_grad = d == DType::Float64;
    if (d == DType::Float32) opt.rtol = opt.atol = 1e-5;
    check_op([](const std::vector<Var>& v) { return sparse_block_gemv(v[0], v[1], v[2], v[3], v[4]); }, in,
             gemv_ref, opt);
  }
}

TEST(BlockSparse, OuterAccumulatesRepeatedPairsWithGrad) {
  for (DType d : {DType::Float32, DType::Float64}) {
    std::vector<Value> in = {randn(d, {4, 5, 3, 2}, 4), randn(d, {3, 2, 3}, 5), randn(d, {3, 3, 2}, 6),
                             idx({3, 1, 1, 1, 3, 2}, {3, 2}), idx({4, 0, 4, 2, 2, 1, 4, 0, 1}, {3, 3})};
    CheckOpOptions opt;
    opt.check_grad = d == DType::Float64;
    if (d == DType::Float32) opt.rtol = opt.atol = 1e-5;
    check_op([](const std::vector<Var>& v) { return sparse_block_outer(v[0], v[1], v[2], v[3], v[4]); }, in,
             outer_ref, opt);
  }
}

TEST(BlockSparse, SparseBlockDotAddsBiasOnce) {
  const DType d = DType::Float64;
  std::vector<Value> in = {randn(d, {4, 5, 3, 2}, 7), randn(d, {3, 2, 3}, 8), idx({3, 1, 1, 1, 0, 2}, {3, 2}),
                           randn(d, {5, 2}, 9), idx({4, 0, 4, 2, 2, 1, 3, 0, 1}, {3, 3})};
  check_op([](const std::vector<Var>& v) { return sparse_block_dot(v[0], v[1], v[2], v[3], v[4]); }, in,
           [](const std::vector<Value>& v) {
             const NDArray& b = std::get<NDArray>(v[3]);
             const NDArray& oi = std::get<NDArray>(v[4]);
             NDArray o(DType::Float64, {3, 3, 2});
             for (int64_t k = 0; k < 9; ++k)
               for (int64_t q = 0; q < 2; ++q) o.data<double>()[k * 2 + q] = get(b, {oi.data<int64_t>()[k], q});
             return gemv_ref({o, v[0], v[1], v[2], v[4]});
           });
}

TEST(BlockSparse, ErrorsNameTheOp) {
  Var o = tensor(DType::Float64, {false, false, false}, "o"), W = tensor(DType::Float64, {false, false, false, false}, "W");
  Var h = tensor(DType::Float64, {false, false, false}, "h");
  Var ii = tensor(DType::Int64, {false, false}, "ii"), oi = tensor(DType::Int64, {false, false}, "oi");
  Var out = sparse_block_gemv(o, W, h, ii, oi);
  auto run = [&](const NDArray& hv, const NDArray& iv) {
    return hypatia::test::run1({o, W, h, ii, oi}, out,
                               {randn(DType::Float64, {3, 3, 2}, 1), randn(DType::Float64, {4, 5, 3, 2}, 2), hv, iv,
                                idx({4, 0, 4, 2, 2, 1, 3, 0, 1}, {3, 3})});
  };
  try {
    run(randn(DType::Float64, {3, 2, 2}, 3), idx({3, 1, 1, 1, 0, 2}, {3, 2}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_EQ(std::string(e.what()).rfind("[SparseBlockGemv]", 0), 0u) << e.what();
  }
  try {
    run(randn(DType::Float64, {3, 2, 3}, 3), idx({3, 1, 1, 9, 0, 2}, {3, 2}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Index);
    EXPECT_EQ(std::string(e.what()).rfind("[SparseBlockGemv]", 0), 0u) << e.what();
  }
  EXPECT_THROW(sparse_block_gemv(o, h, h, ii, oi), Error);
}

// The inplace phase accumulates into o when o is an intermediate nobody else sees, and never
// when o is the caller's array or also a function output.
TEST(BlockSparse, InplaceVariantOnlyWhenSafe) {
  const std::vector<Value> vals = {randn(DType::Float64, {3, 3, 2}, 1), randn(DType::Float64, {4, 5, 3, 2}, 2),
                                   randn(DType::Float64, {3, 2, 3}, 3), idx({3, 1, 1, 1, 0, 2}, {3, 2}),
                                   idx({4, 0, 4, 2, 2, 1, 3, 0, 1}, {3, 3})};
  Var o = tensor3(DType::Float64, "o"), W = tensor4(DType::Float64, "W"), h = tensor3(DType::Float64, "h");
  Var ii = matrix(DType::Int64, "ii"), oi = matrix(DType::Int64, "oi");
  auto count = [](const Function& f, const std::string& s) {
    int n = 0;
    for (Apply* a : f.fgraph().toposort()) n += a->op()->str() == s;
    return n;
  };
  NDArray o_copy = std::get<NDArray>(vals[0]).copy();
  // o is an intermediate (o * 2) with one client: in place.
  Var inter = sparse_block_gemv(o * 2.0, W, h, ii, oi);
  auto f = function({o, W, h, ii, oi}, {inter});
  FunctionOptions none;
  none.mode = Mode::None;
  auto g = function({o, W, h, ii, oi}, {inter}, none);
  EXPECT_EQ(count(*f, "SparseBlockGemv{inplace}"), 1);
  for (int rep = 0; rep < 2; ++rep)
    EXPECT_TRUE(allclose(std::get<NDArray>((*f)(vals)[0]), std::get<NDArray>((*g)(vals)[0]), 1e-12, 1e-12));
  // o is the caller's array: out of place, and the array is untouched.
  auto h2 = function({o, W, h, ii, oi}, {sparse_block_gemv(o, W, h, ii, oi)});
  EXPECT_EQ(count(*h2, "SparseBlockGemv{inplace}"), 0);
  (*h2)(vals);
  EXPECT_TRUE(allclose(std::get<NDArray>(vals[0]), o_copy, 0, 0));
  // The intermediate is also an output: it must survive, so no in-place write.
  Var mid = o * 2.0;
  auto k = function({o, W, h, ii, oi}, {mid, sparse_block_gemv(mid, W, h, ii, oi)});
  EXPECT_EQ(count(*k, "SparseBlockGemv{inplace}"), 0);
  auto r = (*k)(vals);
  NDArray twice = std::get<NDArray>(vals[0]).copy();
  for (int64_t i = 0; i < twice.size(); ++i) twice.data<double>()[i] *= 2.0;
  EXPECT_TRUE(allclose(std::get<NDArray>(r[0]), twice, 0, 0));  // the output was not overwritten
}
