// The CTC loss op through the check_op harness: values vs the closed-form sum over the
// alignments of a one-label target over two steps, shapes, and the gradient.
#include <gtest/gtest.h>

#include <cmath>

#include "hypatia/nnet/api.h"
#include "hypatia/tensor/basic.h"
#include "support/check_op.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

TEST(Ctc, TwoStepsOneLabelMatchesAlignmentSum) {
  // Sequence 0: target [1] over 2 steps: paths (1,1), (0,1), (1,0). Sequence 1: target [2, 1]
  // over 2 steps: the single path (2,1). Alphabet 3 (blank 0).
  const NDArray acts = NDArray::from_vector<double>({0.1, 0.5, -0.3, 0.2, -0.4, 0.9,  //
                                                     0.7, -0.2, 0.3, -0.6, 0.4, 0.0},
                                                    {2, 2, 3});
  const NDArray labels = NDArray::from_vector<int64_t>({1, -1, 2, 1}, {2, 2});
  const NDArray lengths = NDArray::from_vector<int64_t>({2, 2}, {2});
  check_op([&](const std::vector<Var>& in) { return ctc(in[0], constant(labels), constant(lengths)); }, {acts},
           [](const std::vector<Value>& v) -> Value {
             const NDArray& a = std::get<NDArray>(v[0]);
             auto y = [&](int t, int b, int k) {
               double s = 0;
               for (int j = 0; j < 3; ++j) s += std::exp(a.data<double>()[(t * 2 + b) * 3 + j]);
               return std::exp(a.data<double>()[(t * 2 + b) * 3 + k]) / s;
             };
             const double p0 = y(0, 0, 1) * y(1, 0, 1) + y(0, 0, 0) * y(1, 0, 1) + y(0, 0, 1) * y(1, 0, 0);
             const double p1 = y(0, 1, 2) * y(1, 1, 1);
             return NDArray::from_vector<double>({-std::log(p0), -std::log(p1)}, {2});
           });
}

TEST(Ctc, RejectsBadInputs) {
  Var a = tensor(DType::Float64, {false, false}, "a");
  Var l = tensor(DType::Int64, {false, false}, "l");
  Var n = tensor(DType::Int64, {false}, "n");
  EXPECT_THROW(ctc(a, l, n), Error);  // activations must be 3-D
}

}  // namespace
