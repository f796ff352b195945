// FusedSum: the strided/broadcast fused sum against a plain loop over every axis combination,
// its printing and gradient, and local_careduce_fusion in compiled graphs.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hypatia/compile/function.h"
#include "hypatia/compile/verify_grad.h"
#include "hypatia/grad/grad.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/fused_reduce.h"
#include "hypatia/tensor/reduce.h"

using namespace hypatia;

namespace {
NDArray rand_array(DType d, Shape s, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  NDArray a(DType::Float64, s);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = u(g);
  return a.astype(d);
}

// out[kept] = sum over reduced of (a * b)^2 for (P, 1, R) and (1, Q, R) float64 inputs.
NDArray reference(const NDArray& a0, const NDArray& b0, const std::vector<bool>& red) {
  NDArray a = a0.astype(DType::Float64), b = b0.astype(DType::Float64);
  const int64_t P = a.shape(0), Q = b.shape(1), R = a.shape(2);
  Shape full{P, Q, R}, os;
  for (int d = 0; d < 3; ++d)
    if (!red[d]) os.push_back(full[d]);
  NDArray out = NDArray::zeros(DType::Float64, os);
  for (int64_t i = 0; i < P; ++i)
    for (int64_t j = 0; j < Q; ++j)
      for (int64_t k = 0; k < R; ++k) {
        const double v = a.data<double>()[i * R + k] * b.data<double>()[j * R + k];
        int64_t idx[3] = {i, j, k}, o = 0;
        for (int d = 0; d < 3; ++d)
          if (!red[d]) o = o * full[d] + idx[d];
        out.data<double>()[o] += v * v;
      }
  return out;
}

std::vector<int64_t> mul_sqr_program() {
  // step0 = i0 * i1; step1 = sqr(step0)
  return {static_cast<int64_t>(ScalarOpId::Mul), 2, 0, 1, static_cast<int64_t>(ScalarOpId::Sqr), 1, 2, 2};
}

int count_fused_sums(const Function& f) {
  int n = 0;
  for (Apply* node : f.fgraph().toposort()) n += dynamic_cast<const FusedSum*>(node->op().get()) != nullptr;
  return n;
}
}  // namespace

TEST(FusedReduce, EveryAxisCombinationMatchesAPlainLoopInBothFloatTypes) {
  FusedSumParams p;
  p.program = mul_sqr_program();
  p.n_inputs = 2;
  const std::vector<FusedStep> prog = FusedSum(p).steps();
  for (DType d : {DType::Float32, DType::Float64}) {
    // Small, and big enough for the threaded paths; b is a strided (transposed) view.
    for (Shape dims : {Shape{3, 4, 5}, Shape{30, 70, 120}}) {
      NDArray a = rand_array(d, {dims[0], 1, dims[2]}, 1);
      NDArray bt = rand_array(d, {dims[2], dims[1]}, 2);
      NDArray b = bt.transpose().dimshuffle({-1, 0, 1});  // (1, Q, R), non-contiguous
      for (int mask = 0; mask < 8; ++mask) {
        std::vector<bool> red{bool(mask & 1), bool(mask & 2), bool(mask & 4)};
        NDArray want = reference(a, b, red);
        for (DType acc : {DType::Float64, d}) {
          NDArray out(d, want.shape());
          fused_sum(prog, {a, b}, d, red, acc, out);
          const double tol = d == DType::Float32 ? 1e-4 : 1e-11;
          EXPECT_TRUE(allclose(out.astype(DType::Float64), want, tol, tol)) << "mask " << mask;
        }
      }
    }
  }
}

TEST(FusedReduce, PlainStridedSumAndEmptyInputs) {
  NDArray x = rand_array(DType::Float64, {5, 6, 7}, 3).transpose({2, 0, 1}).slice(1, 0, 5, 2);  // (7, 3, 6)
  for (int mask = 0; mask < 8; ++mask) {
    std::vector<bool> red{bool(mask & 1), bool(mask & 2), bool(mask & 4)};
    Shape os;
    for (int d = 0; d < 3; ++d)
      if (!red[d]) os.push_back(x.shape(d));
    NDArray out(DType::Float64, os), want = NDArray::zeros(DType::Float64, os);
    fused_sum({}, {x}, DType::Float64, red, DType::Float64, out);
    NDArray xc = x.copy();
    for (int64_t i = 0; i < 7; ++i)
      for (int64_t j = 0; j < 3; ++j)
        for (int64_t k = 0; k < 6; ++k) {
          int64_t idx[3] = {i, j, k}, o = 0;
          for (int d = 0; d < 3; ++d)
            if (!red[d]) o = o * x.shape(d) + idx[d];
          want.data<double>()[o] += xc.data<double>()[(i * 3 + j) * 6 + k];
        }
    EXPECT_TRUE(allclose(out, want, 1e-12, 1e-12)) << "mask " << mask;
  }
  NDArray e(DType::Float64, {0, 4}), out(DType::Float64, {4});
  out.fill(7.0);
  fused_sum({}, {e}, DType::Float64, {true, false}, DType::Float64, out);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out.data<double>()[i], 0.0);
}

TEST(FusedReduce, PrintsAsACompositeReductionAndHasGradients) {
  FusedSumParams p;
  p.program = mul_sqr_program();
  p.n_inputs = 2;
  p.axis = {0, 2};
  auto op = std::make_shared<FusedSum>(p);
  EXPECT_EQ(op->str(), "CAReduce{Composite{sqr((i0 * i1))}, add, axis=[0, 2], acc_dtype=float64}");
  verify_grad([&](const std::vector<Var>& v) { return apply1(*op, {dimshuffle(v[0], {0, -1, 1}), dimshuffle(v[1], {-1, 0, 1})}); },
              {rand_array(DType::Float64, {3, 4}, 4), rand_array(DType::Float64, {2, 4}, 5)});
  EXPECT_THROW(apply1(*op, {tensor3(DType::Float64, "a")}), Error);  // one input for two
  // R_op equals the R_op of the unfused graph.
  Var a = matrix(DType::Float64, "a"), b = matrix(DType::Float64, "b");
  Var ea = matrix(DType::Float64, "ea"), eb = matrix(DType::Float64, "eb");
  std::vector<Var> ins{dimshuffle(a, {0, -1, 1}), dimshuffle(b, {-1, 0, 1})};
  Var r1 = Rop(std::vector<Var>{apply1(*op, ins)}, {a, b}, {ea, eb})[0];
  Var r2 = Rop(std::vector<Var>{op->expand(ins)}, {a, b}, {ea, eb})[0];
  FunctionOptions o;
  auto f = function({In(a), In(b), In(ea), In(eb)}, {r1, r2}, o);
  auto res = (*f)({rand_array(DType::Float64, {3, 4}, 8), rand_array(DType::Float64, {2, 4}, 9),
                   rand_array(DType::Float64, {3, 4}, 10), rand_array(DType::Float64, {2, 4}, 11)});
  EXPECT_TRUE(allclose(std::get<NDArray>(res[0]), std::get<NDArray>(res[1]), 1e-12, 1e-12));
}

TEST(FusedReduce, RewriteFusesSharedBroadcastProductIntoEverySum) {
  Var h = matrix(DType::Float64, "h"), W = matrix(DType::Float64, "W");
  Var J = dimshuffle(h, {0, -1, 1}) * dimshuffle(W, {-1, 0, 1});
  // J feeds three sums (directly squared, and twice through 2*J): none needs J itself.
  Var total = sum(sqr(J)), gW = sum(J * 2.0 * dimshuffle(h, {0, -1, 1}), std::vector<int>{0}),
      gh = sum(J * 2.0 * dimshuffle(W, {-1, 0, 1}), std::vector<int>{1});
  FunctionOptions o;
  auto f = function({In(h), In(W)}, {total, gW, gh}, o);
  EXPECT_EQ(count_fused_sums(*f), 3);
  for (Apply* n : f->fgraph().toposort()) {
    const TensorType* t = tensor_type(n->output(0));
    const bool full3d = t && t->ndim() == 3 && !t->broadcastable()[0] && !t->broadcastable()[1] && !t->broadcastable()[2];
    EXPECT_FALSE(full3d) << "no node outputs the full 3-d product: " << n->op()->str();
  }
  FunctionOptions raw;
  set_mode(raw, "None");
  auto g = function({In(h), In(W)}, {total, gW, gh}, raw);
  std::vector<Value> vals{rand_array(DType::Float64, {4, 6}, 6), rand_array(DType::Float64, {5, 6}, 7)};
  auto a = (*f)(vals), b = (*g)(vals);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(allclose(std::get<NDArray>(a[i]), std::get<NDArray>(b[i]), 1e-12, 1e-12));
}

namespace {
// numpy's max/min over the marked axes of x (float64 reference): a NaN in a group wins.
NDArray extreme_reference(const NDArray& x0, const std::vector<bool>& red, bool is_max) {
  NDArray x = x0.astype(DType::Float64).copy();
  const int nd = x.ndim();
  Shape os;
  for (int d = 0; d < nd; ++d)
    if (!red[d]) os.push_back(x.shape(d));
  NDArray out = NDArray::full(DType::Float64, os, is_max ? -INFINITY : INFINITY);
  std::vector<int64_t> idx(nd, 0);
  for (int64_t flat = 0; flat < x.size(); ++flat) {
    int64_t rem = flat, o = 0;
    for (int d = nd - 1; d >= 0; --d) idx[d] = rem % x.shape(d), rem /= x.shape(d);
    for (int d = 0; d < nd; ++d)
      if (!red[d]) o = o * x.shape(d) + idx[d];
    double& acc = out.data<double>()[o];
    const double v = x.data<double>()[flat];
    if (std::isnan(acc)) continue;
    if (std::isnan(v) || (is_max ? v > acc : v < acc)) acc = v;
  }
  return out;
}

// Bitwise equality after rounding to the output dtype, NaN equal to NaN.
void expect_same(const NDArray& got, const NDArray& want64, const std::string& what) {
  NDArray want = want64.astype(got.dtype()).astype(DType::Float64), g = got.astype(DType::Float64);
  ASSERT_EQ(g.shape(), want.shape()) << what;
  for (int64_t i = 0; i < g.size(); ++i) {
    const double a = g.data<double>()[i], b = want.data<double>()[i];
    ASSERT_TRUE((std::isnan(a) && std::isnan(b)) || a == b) << what << " at " << i << ": " << a << " vs " << b;
  }
}
}  // namespace

TEST(FusedReduce, MaxAndMinMatchAPlainLoopOverEveryAxisLayoutAndSpecialValue) {
  // Rows longer than a chunk (2048) and than the vector loop's 4 x 16 bytes with tails, few
  // and many outputs (the partial-accumulator and the split paths), contiguous, transposed
  // and step-sliced inputs; NaN, +-inf and a row of -inf only; float32 and float64.
  for (DType dt : {DType::Float64, DType::Float32}) {
    for (Shape s : {Shape{3, 5, 2100}, Shape{4100, 3, 2}, Shape{7, 1, 13}}) {
      NDArray base = rand_array(DType::Float64, s, 17);
      double* p = base.data<double>();
      p[base.size() / 3] = NAN;
      p[base.size() / 2] = INFINITY;
      p[base.size() / 5] = -INFINITY;
      for (int64_t k = 0; k < s[2]; ++k) p[(s[0] - 1) * s[1] * s[2] + k] = -INFINITY;  // the last block
      const NDArray x0 = base.astype(dt);
      const std::vector<NDArray> views{x0, x0.transpose({2, 0, 1}), x0.slice(0, 0, s[0], 2)};
      for (size_t v = 0; v < views.size(); ++v) {
        const NDArray& x = views[v];
        for (int mask = 1; mask < 8; ++mask) {
          const std::vector<bool> red{bool(mask & 1), bool(mask & 2), bool(mask & 4)};
          Shape os;
          for (int d = 0; d < 3; ++d)
            if (!red[d]) os.push_back(x.shape(d));
          for (bool is_max : {true, false}) {
            NDArray out(dt, os);
            fused_fold(is_max ? FoldKind::Max : FoldKind::Min, {}, {x}, dt, red, dt, out);
            expect_same(out, extreme_reference(x, red, is_max),
                        str_cat(dtype_name(dt), " ", shape_str(x.shape()), " view ", v, " mask ", mask, is_max ? " max" : " min"));
          }
        }
      }
    }
  }
}

TEST(FusedReduce, MaxOpTakesTheStridedPathAndRaisesOnEmptyGroups) {
  // T.max / T.min through CAReduce: a transposed input (no copy), its NaN, and the error for a
  // reduction with no terms but some outputs, which has no identity.
  Var x = matrix(DType::Float32, "x");
  FunctionOptions o;
  auto f = function({In(x)}, {max(x, std::vector<int>{0}), min(x, std::vector<int>{1})}, o);
  NDArray a = rand_array(DType::Float32, {300, 5}, 9);
  a.data<float>()[7 * 5 + 2] = NAN;
  const NDArray at = a.transpose();  // (5, 300), strided
  auto got = (*f)({at});
  const NDArray g0 = std::get<NDArray>(got[0]), g1 = std::get<NDArray>(got[1]);
  expect_same(g0, extreme_reference(at, {true, false}, true), "max axis 0");
  expect_same(g1, extreme_reference(at, {false, true}, false), "min axis 1");
  EXPECT_TRUE(std::isnan(g0.data<float>()[7]));
  EXPECT_THROW((*f)({NDArray(DType::Float32, {0, 3})}), Error);
}
