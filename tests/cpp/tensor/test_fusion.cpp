// Elementwise fusion: the rewrite fires on chains and trees, and fused results equal unfused ones.
#include <gtest/gtest.h>

#include <random>

#include "hypatia/compile/verify_grad.h"
#include "hypatia/compile/function.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/nnet.h"
#include "hypatia/tensor/ops/fused_elemwise.h"
#include "hypatia/util/parallel.h"

using namespace hypatia;

namespace {
NDArray rand_array(DType d, Shape s, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(0.5, 1.5);
  NDArray a(DType::Float64, s);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = u(g);
  return a.astype(d);
}
int count_fused(const Function& f) {
  int n = 0;
  for (Apply* node : f.fgraph().toposort()) n += dynamic_cast<const FusedElemwise*>(node->op().get()) != nullptr;
  return n;
}
NDArray run(const std::vector<Var>& ins, const Var& out, const std::vector<Value>& vals, const std::string& mode, int* fused = nullptr) {
  FunctionOptions o;
  set_mode(o, mode);
  std::vector<In> in(ins.begin(), ins.end());
  auto f = function(in, {out}, o);
  if (fused) *fused = count_fused(*f);
  return std::get<NDArray>((*f)(vals)[0]);
}
}  // namespace

TEST(Fusion, ChainsAndTreesMatchUnfusedInBothFloatTypes) {
  for (DType d : {DType::Float32, DType::Float64}) {
    for (Shape shape : {Shape{3, 5}, Shape{200, 300}}) {  // small, and large enough for threads
      Var x = matrix(d, "x"), y = matrix(d, "y");
      Var out = ((x * y + 1.0) * x - y) / (x + 2.0) + exp(-x) * y + sigmoid(tanh(x)) * sqrt(y);
      std::vector<Value> vals{rand_array(d, shape, 1), rand_array(d, shape, 2)};
      int fused = 0;
      NDArray a = run({x, y}, out, vals, "FAST_RUN", &fused);
      NDArray b = run({x, y}, out, vals, "None");
      EXPECT_EQ(fused, 1) << "one fused node for the whole tree";
      EXPECT_EQ(a.dtype(), d);
      EXPECT_TRUE(allclose(a, b, d == DType::Float32 ? 1e-5 : 1e-12, 1e-6));
    }
  }
}

TEST(Fusion, BroadcastLeavesAndStridedInputs) {
  Var x = matrix(DType::Float64, "x"), r = row(DType::Float64, "r");
  Var out = exp(x * r) + r * 2.0;
  NDArray xv = rand_array(DType::Float64, {6, 4}, 3).transpose();  // non-contiguous (4, 6)
  NDArray rv = rand_array(DType::Float64, {1, 6}, 4);
  NDArray a = run({x, r}, out, {xv, rv}, "FAST_RUN");
  NDArray b = run({x, r}, out, {xv, rv}, "None");
  EXPECT_TRUE(allclose(a, b, 1e-12, 0));
}

TEST(Fusion, RowBroadcastInputsAreReadWithAPeriod) {
  // A bias row (1, N), a vector (N,) and a (1, 1, N) row broadcast over the leading axes are read
  // in place with period N (no full-size copy): rows that straddle the 2048-element blocks, both
  // float types, 1 and 2 threads; a column (M, 1) still takes the copying path.
  for (DType d : {DType::Float32, DType::Float64})
    for (int threads : {1, 2}) {
      set_openmp(threads > 1);
      Var x = matrix(d, "x"), r = row(d, "r"), v = vector(d, "v"), c = col(d, "c");
      Var out = tanh(x + r) * v - c;
      std::vector<Value> vals{rand_array(d, {70, 300}, 5), rand_array(d, {1, 300}, 6), rand_array(d, {300}, 7),
                              rand_array(d, {70, 1}, 8)};
      int fused = 0;
      NDArray a = run({x, r, v, c}, out, vals, "FAST_RUN", &fused);
      NDArray b = run({x, r, v, c}, out, vals, "None");
      EXPECT_EQ(fused, 1);
      EXPECT_TRUE(allclose(a, b, d == DType::Float32 ? 1e-5 : 1e-12, 1e-6));
      Var t = tensor3(d, "t"), wv = vector(d, "w");
      Var w = dimshuffle(wv, {-1, -1, 0});  // (1, 1, 50)
      NDArray ta = run({t, wv}, exp(t) + w * t, {rand_array(d, {3, 40, 50}, 9), rand_array(d, {50}, 10)}, "FAST_RUN");
      NDArray tb = run({t, wv}, exp(t) + w * t, {rand_array(d, {3, 40, 50}, 9), rand_array(d, {50}, 10)}, "None");
      EXPECT_TRUE(allclose(ta, tb, d == DType::Float32 ? 1e-5 : 1e-12, 1e-6));
    }
  set_openmp(true);
}

TEST(Fusion, SharedIntermediatesAreNotDuplicated) {
  Var x = vector(DType::Float64, "x");
  Var e = exp(x);
  Var out1 = e * 2.0 + 1.0, out2 = e - 3.0;  // e has two clients: it stays materialised
  FunctionOptions o;
  auto f = function({x}, {out1, out2}, o);
  int exps = 0;
  for (Apply* n : f->fgraph().toposort()) exps += n->op()->str() == "Elemwise{exp,no_inplace}";
  EXPECT_EQ(exps, 1);
  auto r = (*f)({rand_array(DType::Float64, {7}, 5)});
  EXPECT_EQ(std::get<NDArray>(r[0]).shape(), (Shape{7}));
}

TEST(Fusion, FusedOpHasGradientsAndPrintsAsComposite) {
  FusedElemwiseParams p;
  p.n_inputs = 2;
  p.dtype = DType::Float64;
  // step0 = exp(i0); step1 = step0 * i1
  p.program = {static_cast<int64_t>(ScalarOpId::Exp), 1, 0, 0, static_cast<int64_t>(ScalarOpId::Mul), 2, 2, 1};
  auto op = std::make_shared<FusedElemwise>(p);
  EXPECT_EQ(op->str(), "Elemwise{Composite{(exp(i0) * i1)}}");
  verify_grad([&](const std::vector<Var>& v) { return apply1(*op, v); },
              {rand_array(DType::Float64, {3, 4}, 6), rand_array(DType::Float64, {3, 4}, 7)});
}
