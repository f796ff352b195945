// The fused softmax losses through the check_op harness (values vs plain loops, shapes,
// gradients) and the stabilize rewrites of a hand-written -log(softmax(x))[arange(n), y].
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hypatia/compile/function.h"
#include "hypatia/grad/grad.h"
#include "hypatia/nnet/api.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/creation.h"
#include "hypatia/tensor/ops/indexing.h"
#include "support/check_op.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

NDArray randn(Shape s, unsigned seed) {
  std::mt19937 g(seed);
  std::normal_distribution<double> n;
  NDArray a(DType::Float64, s);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = n(g);
  return a;
}
const NDArray kY = NDArray::from_vector<int64_t>({2, 0, 1, 2}, {4});

/// softmax(x + b) per row (b may be empty), in long double.
NDArray softmax_ref(const NDArray& x, const NDArray* b) {
  NDArray r(DType::Float64, x.shape());
  const int64_t n = x.shape(0), c = x.shape(1);
  for (int64_t i = 0; i < n; ++i) {
    long double m = -INFINITY, s = 0;
    for (int64_t j = 0; j < c; ++j) m = std::max<long double>(m, x.data<double>()[i * c + j] + (b ? b->data<double>()[j] : 0));
    for (int64_t j = 0; j < c; ++j) s += std::exp(x.data<double>()[i * c + j] + (b ? b->data<double>()[j] : 0) - m);
    for (int64_t j = 0; j < c; ++j)
      r.data<double>()[i * c + j] = double(std::exp(x.data<double>()[i * c + j] + (b ? b->data<double>()[j] : 0) - m) / s);
  }
  return r;
}

TEST(FusedLosses, SoftmaxWithBias) {
  check_op([](const std::vector<Var>& in) { return softmax_with_bias(in[0], in[1]); }, {randn({4, 3}, 1), randn({3}, 2)},
           [](const std::vector<Value>& v) -> Value {
             return softmax_ref(std::get<NDArray>(v[0]), &std::get<NDArray>(v[1]));
           });
}

TEST(FusedLosses, CrossentropySoftmaxArgmax1HotWithBias) {
  for (int k = 0; k < 3; ++k) {
    SCOPED_TRACE(k);
    check_op([k](const std::vector<Var>& in) { return crossentropy_softmax_argmax_1hot_with_bias(in[0], in[1], in[2])[k]; },
             {randn({4, 3}, 3), randn({3}, 4), kY}, [k](const std::vector<Value>& v) -> Value {
               const NDArray& x = std::get<NDArray>(v[0]);
               const NDArray& b = std::get<NDArray>(v[1]);
               NDArray sm = softmax_ref(x, &b);
               if (k == 1) return sm;
               NDArray nll(DType::Float64, {4});
               NDArray am(DType::Int64, {4});
               for (int64_t i = 0; i < 4; ++i) {
                 nll.data<double>()[i] = -std::log(sm.data<double>()[i * 3 + kY.data<int64_t>()[i]]);
                 int64_t a = 0;
                 for (int64_t j = 1; j < 3; ++j)
                   if (x.data<double>()[i * 3 + j] + b.data<double>()[j] > x.data<double>()[i * 3 + a] + b.data<double>()[a]) a = j;
                 am.data<int64_t>()[i] = a;
               }
               return k == 0 ? nll : am;
             });
  }
}

TEST(FusedLosses, DxAndSoftmaxGrad) {
  const NDArray sm = softmax_ref(randn({4, 3}, 5), nullptr);
  check_op([](const std::vector<Var>& in) { return crossentropy_softmax_1hot_with_bias_dx(in[0], in[1], in[2]); },
           {randn({4}, 6), sm, kY}, [](const std::vector<Value>& v) -> Value {
             const NDArray& dy = std::get<NDArray>(v[0]);
             NDArray r = std::get<NDArray>(v[1]).copy();
             for (int64_t i = 0; i < 4; ++i)
               for (int64_t j = 0; j < 3; ++j)
                 r.data<double>()[i * 3 + j] = dy.data<double>()[i] * (r.data<double>()[i * 3 + j] - (j == kY.data<int64_t>()[i]));
             return r;
           });
  check_op([](const std::vector<Var>& in) { return softmax_grad(in[0], in[1]); }, {randn({4, 3}, 7), sm},
           [](const std::vector<Value>& v) -> Value {
             const NDArray& g = std::get<NDArray>(v[0]);
             const NDArray& s = std::get<NDArray>(v[1]);
             NDArray r(DType::Float64, {4, 3});
             for (int64_t i = 0; i < 4; ++i) {
               double acc = 0;
               for (int64_t j = 0; j < 3; ++j) acc += g.data<double>()[i * 3 + j] * s.data<double>()[i * 3 + j];
               for (int64_t j = 0; j < 3; ++j)
                 r.data<double>()[i * 3 + j] = (g.data<double>()[i * 3 + j] - acc) * s.data<double>()[i * 3 + j];
             }
             return r;
           });
}

TEST(FusedLosses, PrependScalarToEachRow) {
  check_op([](const std::vector<Var>& in) { return prepend_scalar_to_each_row(in[0], in[1]); },
           {NDArray::full(DType::Float64, {}, 1.5), randn({2, 3}, 8)}, [](const std::vector<Value>& v) -> Value {
             const NDArray& m = std::get<NDArray>(v[1]);
             NDArray r(DType::Float64, {2, 4});
             for (int64_t i = 0; i < 2; ++i) {
               r.data<double>()[i * 4] = 1.5;
               for (int64_t j = 0; j < 3; ++j) r.data<double>()[i * 4 + 1 + j] = m.data<double>()[i * 3 + j];
             }
             return r;
           });
}

bool has_op(const Function& f, const std::string& name) {
  for (Apply* n : f.fgraph().toposort())
    if (n->op()->name() == name) return true;
  return false;
}

TEST(FusedLosses, HandWrittenLossIsStabilised) {
  // -log(softmax(x))[arange(n), y] and -log(softmax(x)[arange(n), y]) at logits 1000 apart.
  Var x = tensor(DType::Float64, {false, false}, "x");
  Var y = tensor(DType::Int64, {false}, "y");
  const NDArray xv = NDArray::from_vector<double>({1000, 0, -1000, 0, 1, 2}, {2, 3});
  const NDArray yv = NDArray::from_vector<int64_t>({2, 0}, {2});
  for (int form = 0; form < 2; ++form) {
    SCOPED_TRACE(form);
    Var rows = arange(shape_i(x, 0));
    Var sm = softmax(x);
    Var c = form == 0 ? mean(neg(subtensor(hypatia::log(sm), {IndexEntry::at(rows), IndexEntry::at(y)})))
                      : mean(neg(hypatia::log(subtensor(sm, {IndexEntry::at(rows), IndexEntry::at(y)}))));
    Var gx = grad(c, {x})[0];
    auto f = function({In(x), In(y)}, {c, gx});
    EXPECT_TRUE(has_op(*f, "CrossentropySoftmaxArgmax1HotWithBias"));
    EXPECT_TRUE(has_op(*f, "CrossentropySoftmax1HotWithBiasDx"));
    EXPECT_FALSE(has_op(*f, "Softmax"));  // merged into the fused node's softmax output
    auto out = (*f)({Value(xv), Value(yv)});
    const NDArray cv = std::get<NDArray>(out[0]).astype(DType::Float64);
    const NDArray g = std::get<NDArray>(out[1]).astype(DType::Float64);
    const double nll1 = -(0 - 2 - std::log(std::exp(-2.0) + std::exp(-1.0) + 1));
    EXPECT_NEAR(cv.data<double>()[0], (2000 + nll1) / 2, 1e-9);
    const NDArray s1 = softmax_ref(xv, nullptr);
    const double want[6] = {0.5, 0, -0.5, (s1.data<double>()[3] - 1) / 2, s1.data<double>()[4] / 2, s1.data<double>()[5] / 2};
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(g.data<double>()[i], want[i], 1e-12) << i;
  }
}

}  // namespace
