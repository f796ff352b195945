// The convolution rewrites fire where they apply (and only there) and keep the values.
#include <gtest/gtest.h>

#include "conv_test_util.h"
#include "hypatia/compile/function.h"
#include "hypatia/nnet/conv.h"
#include "hypatia/tensor/basic.h"

using namespace hypatia;
using namespace hypatia::conv_test;

namespace {

FunctionPtr compile(const std::vector<Var>& ins, const Var& out, const std::string& mode,
                    std::vector<std::string> including = {}) {
  FunctionOptions o;
  o.on_unused_input = OnUnusedInput::Ignore;
  set_mode(o, mode);
  o.including = std::move(including);
  return function(std::vector<In>(ins.begin(), ins.end()), {out}, o);
}

bool has_op_class(const FunctionPtr& f, const std::string& name) {
  for (Apply* n : f->fgraph().toposort())
    if (n->op()->name() == name) return true;
  return false;
}

void expect_close(const NDArray& a, const NDArray& b) {
  ASSERT_EQ(a.shape(), b.shape());
  EXPECT_TRUE(allclose(a, b, 1e-10, 1e-12, false));
}

NDArray run(const FunctionPtr& f, const std::vector<Value>& in) { return std::get<NDArray>((*f)(in)[0]); }

TEST(ConvRewrites, GradInputsToConvFiresWithKnownFilters) {
  // M = 2 filters over C = 6 channels (3 per group), explicit pads, dilation, no flip.
  for (const std::string& border : {std::string("valid"), std::string("full"), std::string("half"), std::string("")}) {
    SCOPED_TRACE(border);
    ConvParams p = make_conv_params(2, border, {1, 0}, {0, 2}, {}, {1, 2}, border != "half", 2, {}, {2, 3, 3, 2});
    Var w = tensor4(DType::Float64, "w"), top = tensor4(DType::Float64, "top");
    Var ishape = constant(NDArray::from_vector<int64_t>({7, 6}, {2}));
    Var gi = abstract_conv_grad_inputs(w, top, ishape, p);
    FunctionPtr fast = compile({w, top}, gi, "FAST_RUN"), raw = compile({w, top}, gi, "None");
    EXPECT_TRUE(has_op_class(fast, "AbstractConv2d"));
    EXPECT_FALSE(has_op_class(fast, "AbstractConv2d_gradInputs"));
    EXPECT_TRUE(has_op_class(raw, "AbstractConv2d_gradInputs"));
    NDArray kern = randn(DType::Float64, {2, 3, 3, 2}, 1);
    NDArray out = conv_ref(randn(DType::Float64, {2, 6, 7, 6}, 2), kern, p);
    NDArray t = randn(DType::Float64, out.shape(), 3);
    NDArray want = grad_inputs_ref(kern, t, {2, 6, 7, 6}, p);
    expect_close(run(fast, {kern, t}), want);
    expect_close(run(raw, {kern, t}), want);
  }
}

TEST(ConvRewrites, GradInputsToConvSkipsWhereItDoesNotApply) {
  Var w = tensor4(DType::Float64, "w"), top = tensor4(DType::Float64, "top");
  Var ishape = constant(NDArray::from_vector<int64_t>({7, 6}, {2}));
  // more filters than channels, a stride, an unknown filter shape with explicit pads
  for (const ConvParams& p : {make_conv_params(2, "valid", {}, {}, {}, {}, true, 1, {}, {6, 3, 3, 2}),
                              make_conv_params(2, "valid", {}, {}, {2, 1}, {}, true, 1, {}, {2, 3, 3, 2}),
                              make_conv_params(2, "", {1, 1}, {1, 1}, {}, {}, true, 1)}) {
    FunctionPtr fast = compile({w, top}, abstract_conv_grad_inputs(w, top, ishape, p), "FAST_RUN");
    EXPECT_TRUE(has_op_class(fast, "AbstractConv2d_gradInputs")) << p.border_str();
  }
}

TEST(ConvRewrites, OneByOneToDotIsOptIn) {
  ConvParams p = make_conv_params(2, "half", {}, {}, {}, {3, 1}, true, 1, {}, {5, 4, 1, 1});
  Var x = tensor4(DType::Float64, "x"), w = tensor4(DType::Float64, "w");
  Var y = abstract_conv(x, w, p);
  FunctionPtr plain = compile({x, w}, y, "FAST_RUN");
  FunctionPtr dot = compile({x, w}, y, "FAST_RUN", {"local_conv_1x1_to_dot"});
  EXPECT_TRUE(has_op_class(plain, "AbstractConv2d"));
  EXPECT_FALSE(has_op_class(dot, "AbstractConv2d"));
  NDArray X = randn(DType::Float64, {3, 4, 5, 6}, 4), W = randn(DType::Float64, {5, 4, 1, 1}, 5);
  NDArray want = conv_ref(X, W, p);
  expect_close(run(plain, {X, W}), want);
  expect_close(run(dot, {X, W}), want);
  // a stride keeps the conv
  ConvParams q = make_conv_params(2, "valid", {}, {}, {2, 1}, {}, true, 1, {}, {5, 4, 1, 1});
  EXPECT_TRUE(has_op_class(compile({x, w}, abstract_conv(x, w, q), "FAST_RUN", {"local_conv_1x1_to_dot"}),
                           "AbstractConv2d"));
}

}  // namespace
