// The gradient driver on test ops: chains, diamonds, disconnected/null gradients, options.
#include <gtest/gtest.h>

#include "grad/grad_test_ops.h"
#include "hypatia/grad/grad.h"
#include "hypatia/compile/jacobian.h"
#include "hypatia/tensor/ops/gradient.h"
#include "hypatia/compile/verify_grad.h"

using namespace hypatia;
using namespace hypatia::gradtest;


TEST(Grad, Chain) {
  Var x = dscalar("x");
  Var y = lin(lin(x, 2), 3).named("y");
  Var g = grad(y, x);
  EXPECT_EQ(g.name(), "(dy/dx)");
  EXPECT_DOUBLE_EQ(num(eval(g, {{x, s64(1.5)}})), 6.0);
  // A braced list selects the list form, as Theano's grad(y, [x]).
  std::vector<Var> gl = grad(y, {x});
  ASSERT_EQ(gl.size(), 1u);
  EXPECT_DOUBLE_EQ(num(eval(grad(y, {x})[0], {{x, s64(1.5)}})), 6.0);
}

TEST(Grad, DiamondSumsContributions) {
  Var x = dscalar("x");
  Var c = plus(lin(x, 2), lin(x, 3));
  EXPECT_DOUBLE_EQ(num(eval(grad(c, x), {{x, s64(1.0)}})), 5.0);
  // x used twice by one node
  Var d = plus(x, x);
  EXPECT_DOUBLE_EQ(num(eval(grad(d, x), {{x, s64(1.0)}})), 2.0);
}

TEST(Grad, WrtIsCostAndIntermediate) {
  Var x = dscalar("x");
  Var h = lin(x, 2);
  Var c = lin(h, 7);
  auto gs = grad(c, std::vector<Var>{h, c, x});
  EXPECT_DOUBLE_EQ(num(eval(gs[0], {{x, s64(1.0)}})), 7.0);
  EXPECT_DOUBLE_EQ(num(eval(gs[1], {{x, s64(1.0)}})), 1.0);
  EXPECT_DOUBLE_EQ(num(eval(gs[2], {{x, s64(1.0)}})), 14.0);
}

TEST(Grad, DisconnectedModes) {
  Var x = dscalar("x"), y = dscalar("y");
  Var c = lin(x, 2);
  EXPECT_EQ(kind_of([&] { grad(c, y); }), ErrorKind::DisconnectedInput);
  EXPECT_NE(message_of([&] { grad(c, y); }).find("[grad] grad method was asked to compute the gradient with respect to a variable that is not part of the computational graph of the cost"), std::string::npos);
  GradOptions o;
  o.disconnected_inputs = OnDisconnected::Ignore;
  Var z = grad(c, y, o);
  EXPECT_DOUBLE_EQ(num(eval(z, {{y, s64(3.0)}})), 0.0);
  o.disconnected_inputs = OnDisconnected::Warn;
  ::testing::internal::CaptureStderr();
  grad(c, y, o);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("UserWarning"), std::string::npos);
  o.disconnected_inputs = OnDisconnected::Ignore;
  o.return_disconnected = ReturnDisconnected::None;
  EXPECT_FALSE(grad(c, y, o));
  o.return_disconnected = ReturnDisconnected::Disconnected;
  EXPECT_TRUE(is_disconnected(grad(c, y, o)));
  // The keyword spellings (Theano's strings, as the Python binding passes them) parse to the
  // enums; anything else is a ValueError listing the valid values.
  EXPECT_EQ(return_disconnected_from("None", "grad"), ReturnDisconnected::None);
  EXPECT_EQ(return_disconnected_from("disconnected", "Rop", true), ReturnDisconnected::Disconnected);
  EXPECT_EQ(on_disconnected_from("warn", "grad", "disconnected_inputs"), OnDisconnected::Warn);
  EXPECT_EQ(on_null_gradient_from("return", "grad"), OnNullGradient::Return);
  EXPECT_EQ(kind_of([&] { return_disconnected_from("bogus", "grad"); }), ErrorKind::Value);
  EXPECT_EQ(kind_of([&] { return_disconnected_from("none", "grad"); }), ErrorKind::Value);
  EXPECT_NE(message_of([&] { on_disconnected_from("loud", "grad", "disconnected_inputs"); })
                .find("[grad] Invalid value for keyword 'disconnected_inputs': 'loud'"),
            std::string::npos);
}

TEST(Grad, ConnectionPatternSkipsPaths) {
  Var a = dscalar("a"), b = dscalar("b");
  auto outs = apply_op(*std::make_shared<PairOp>(), {a, b});
  // cost depends only on output 0 -> b is disconnected
  EXPECT_EQ(kind_of([&] { grad(outs[0], b); }), ErrorKind::DisconnectedInput);
  EXPECT_DOUBLE_EQ(num(eval(grad(outs[0], a), {{a, s64(1.0)}, {b, s64(1.0)}})), 2.0);
  Var c = plus(outs[0], outs[1]);
  auto gs = grad(c, std::vector<Var>{a, b});
  EXPECT_DOUBLE_EQ(num(eval(gs[1], {{a, s64(1.0)}, {b, s64(1.0)}})), 3.0);
}

TEST(Grad, NullGradients) {
  Var x = dscalar("x");
  Var c = lin(apply1(*std::make_shared<NoGradOp>(NoGradParams{true}), {x}), 2);
  EXPECT_EQ(kind_of([&] { grad(c, x); }), ErrorKind::NullTypeGrad);
  EXPECT_NE(message_of([&] { grad(c, x); }).find("mathematically undefined"), std::string::npos);
  GradOptions o;
  o.null_gradients = OnNullGradient::Return;
  EXPECT_TRUE(is_null(grad(c, x, o)));
  Var c2 = apply1(*std::make_shared<NoGradOp>(NoGradParams{false}), {x});
  EXPECT_NE(message_of([&] { grad(c2, x); }).find("not implemented"), std::string::npos);
  // A null path summed with a good one is still null.
  Var c3 = plus(c, lin(x, 3));
  EXPECT_EQ(kind_of([&] { grad(c3, x); }), ErrorKind::NullTypeGrad);
  // ... but a null gradient on an unrelated branch does not matter.
  Var y = dscalar("y");
  Var c4 = plus(c, lin(y, 3));
  EXPECT_DOUBLE_EQ(num(eval(grad(c4, y), {{x, s64(1.0)}, {y, s64(1.0)}})), 3.0);
}

TEST(Grad, KnownGrads) {
  Var x = dscalar("x"), g = dscalar("g");
  Var y = lin(x, 2);
  GradOptions o;
  o.known_grads = {{y, g}};
  Var gx = grad(Var(), x, o);
  EXPECT_DOUBLE_EQ(num(eval(gx, {{x, s64(1.0)}, {g, s64(5.0)}})), 10.0);
  // known grad overrides back-propagation into y
  Var c = lin(y, 100);
  Var gx2 = grad(c, x, o);
  EXPECT_DOUBLE_EQ(num(eval(gx2, {{x, s64(1.0)}, {g, s64(5.0)}})), 10.0);
  EXPECT_EQ(kind_of([&] { grad(Var(), x); }), ErrorKind::Value);
}

TEST(Grad, ConsiderConstant) {
  Var x = dscalar("x");
  Var y = lin(x, 2);
  Var c = plus(lin(y, 3), x);
  GradOptions o;
  o.consider_constant = {y};
  EXPECT_DOUBLE_EQ(num(eval(grad(c, x, o), {{x, s64(1.0)}})), 1.0);
  EXPECT_DOUBLE_EQ(num(eval(grad(c, x), {{x, s64(1.0)}})), 7.0);
}

TEST(Grad, IntegerInputsGetZeroGradient) {
  Var i = make_variable(TensorType::make(DType::Int64, {}), "i");
  Var c = apply1(*std::make_shared<IntScaleOp>(), {i});
  Var g = grad(c, i);
  EXPECT_EQ(*g.type()->dtype(), DType::Float64);
  EXPECT_DOUBLE_EQ(num(eval(g, {{i, NDArray::scalar<int64_t>(3)}})), 0.0);
}

TEST(Grad, CostMustBeScalar) {
  Var v = dvec("v");
  EXPECT_EQ(kind_of([&] { grad(lin(v, 2), v); }), ErrorKind::Type);
}

TEST(Grad, LongChainIsIterative) {
  Var x = dscalar("x");
  Var y = x;
  for (int i = 0; i < 10000; ++i) y = lin(y, 1.0001);
  Var g = grad(y, x);
  EXPECT_NEAR(num(eval(g, {{x, s64(1.0)}})), std::pow(1.0001, 10000), 1e-6);
}

TEST(GradOps, ZeroAndDisconnectedGrad) {
  Var x = dscalar("x");
  Var c = plus(lin(zero_grad(x), 3), x);
  EXPECT_DOUBLE_EQ(num(eval(grad(c, x), {{x, s64(2.0)}})), 1.0);
  EXPECT_DOUBLE_EQ(num(eval(c, {{x, s64(2.0)}})), 8.0);
  Var c2 = plus(lin(disconnected_grad(x), 3), x);
  EXPECT_DOUBLE_EQ(num(eval(grad(c2, x), {{x, s64(2.0)}})), 1.0);
  // Only through disconnected_grad: disconnected; through zero_grad: connected (zero).
  EXPECT_EQ(kind_of([&] { grad(lin(disconnected_grad(x), 3), x); }), ErrorKind::DisconnectedInput);
  EXPECT_DOUBLE_EQ(num(eval(grad(lin(zero_grad(x), 3), x), {{x, s64(2.0)}})), 0.0);
  EXPECT_DOUBLE_EQ(num(eval(grad(lin(consider_constant(x), 3), x), {{x, s64(2.0)}})), 0.0);
}

TEST(GradOps, ClipAndScale) {
  Var x = dscalar("x");
  EXPECT_DOUBLE_EQ(num(eval(grad(lin(grad_clip(x, -1, 1), 5), x), {{x, s64(2.0)}})), 1.0);
  EXPECT_DOUBLE_EQ(num(eval(grad(lin(grad_clip(x, -1, 1), -5), x), {{x, s64(2.0)}})), -1.0);
  EXPECT_DOUBLE_EQ(num(eval(grad(lin(grad_clip(x, -10, 10), 5), x), {{x, s64(2.0)}})), 5.0);
  EXPECT_DOUBLE_EQ(num(eval(grad(lin(grad_scale(x, 0.5), 4), x), {{x, s64(2.0)}})), 2.0);
  EXPECT_EQ(kind_of([&] { grad_clip(x, 1, -1); }), ErrorKind::Value);
  EXPECT_DOUBLE_EQ(num(eval(grad_clip(x, -1, 1), {{x, s64(7.0)}})), 7.0);
}

TEST(Rop, ForwardModeThroughJvp) {
  Var x = dvec("x"), v = dvec("v");
  Var y = lin(tsqr(x), 3);
  Var r = Rop(y, x, v);
  NDArray out = as_array(eval(r, {{x, vec({1, 2})}, {v, vec({1, 1})}}));
  EXPECT_DOUBLE_EQ(out.data<double>()[0], 6.0);
  EXPECT_DOUBLE_EQ(out.data<double>()[1], 12.0);
  // An op without jvp on the path: NotImplemented naming the op.
  Var y2 = scale(x, 2);
  EXPECT_EQ(kind_of([&] { Rop(y2, x, v); }), ErrorKind::NotImplemented);
  EXPECT_NE(message_of([&] { Rop(y2, x, v); }).find("ScaleOp"), std::string::npos);
  Var w = dvec("w");
  EXPECT_EQ(kind_of([&] { Rop(lin(w, 2), x, v); }), ErrorKind::DisconnectedInput);
}

TEST(Lop, VectorTimesJacobian) {
  Var x = dvec("x"), v = dvec("v");
  Var l = Lop(lin(x, 3), x, v);
  NDArray out = as_array(eval(l, {{v, vec({1, 2})}}));
  EXPECT_DOUBLE_EQ(out.data<double>()[1], 6.0);
}

TEST(Jacobian, TestOps) {
  Var x = dvec("x");
  Var j = jacobian(tsqr(x), x);
  NDArray J = as_array(eval(j, {{x, vec({4, 5, 6})}}));
  ASSERT_EQ(J.shape(), (Shape{3, 3}));
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) EXPECT_DOUBLE_EQ(J.data<double>()[r * 3 + c], r == c ? 2.0 * (4 + r) : 0.0);
  Var h = hessian(tsum(tsqr(x)), x);
  NDArray H = as_array(eval(h, {{x, vec({4, 4})}}));
  ASSERT_EQ(H.shape(), (Shape{2, 2}));
  EXPECT_DOUBLE_EQ(H.data<double>()[0], 2.0);
  EXPECT_DOUBLE_EQ(H.data<double>()[1], 0.0);
  EXPECT_DOUBLE_EQ(H.data<double>()[3], 2.0);
  EXPECT_EQ(kind_of([&] { jacobian(lin(make_variable(TensorType::make(DType::Float64, {false, false})), 2), x); }),
            ErrorKind::Value);
}

TEST(VerifyGrad, PassesOnCorrectGradient) {
  auto f = [](const std::vector<Var>& in) { return lin(tsqr(in[0]), 3); };
  NDArray x = NDArray::from_vector<double>({0.3, -1.2, 2.0, 0.7, 1.1, -0.4}, {2, 3});
  EXPECT_NO_THROW(verify_grad(f, {x}));
}

TEST(VerifyGrad, FailsOnWrongGradient) {
  auto f = [](const std::vector<Var>& in) { return lin(in[0], 2.0, 2.1); };  // vjp multiplies by 2.1
  NDArray x = NDArray::from_vector<double>({0.3, -1.2, 2.0}, {3});
  std::string msg = message_of([&] { verify_grad(f, {x}); });
  EXPECT_EQ(msg.rfind("[verify_grad]", 0), 0u) << msg;
  EXPECT_NE(msg.find("of argument 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("max abs. error"), std::string::npos) << msg;
  EXPECT_EQ(kind_of([&] { verify_grad(f, {x}); }), ErrorKind::Value);
  // two inputs, wrong only for the second
  auto f2 = [](const std::vector<Var>& in) { return plus(lin(in[0], 2.0), lin(in[1], 3.0, 2.0)); };
  std::string msg2 = message_of([&] { verify_grad(f2, {x, x}); });
  EXPECT_NE(msg2.find("of argument 1"), std::string::npos) << msg2;
  // float32 inputs use the float32 tolerances
  NDArray x32 = x.astype(DType::Float32);
  EXPECT_NO_THROW(verify_grad([](const std::vector<Var>& in) { return lin(in[0], 2.0); }, {x32}));
  EXPECT_EQ(kind_of([&] { verify_grad(f, {NDArray::from_vector<int64_t>({1, 2}, {2})}); }), ErrorKind::Type);
}

TEST(VerifyGrad, SparseStructuredAndNot) {
  NDArray d = NDArray::from_vector<double>({1.0, 0.0, 2.0, 0.0, 0.0, 3.0}, {2, 3});
  SparseMatrix s = SparseMatrix::from_dense(d, SparseFormat::CSR);
  SparseMatrix sc = SparseMatrix::from_dense(d, SparseFormat::CSC);
  auto full = [](const std::vector<Var>& in) { return apply1(*std::make_shared<SpToDenseOp>(ScaleParams{2.0}), {in[0]}); };
  auto structured = [](const std::vector<Var>& in) { return apply1(*std::make_shared<SpToDenseStructuredOp>(), {in[0]}); };
  VerifyGradOptions st;
  st.structured = true;
  EXPECT_NO_THROW(verify_grad(full, {s}, st));
  EXPECT_NO_THROW(verify_grad(full, {s}));
  EXPECT_NO_THROW(verify_grad(full, {sc}));
  EXPECT_NO_THROW(verify_grad(structured, {s}, st));
  EXPECT_NO_THROW(verify_grad(structured, {sc}, st));
  // A structured gradient is wrong off the pattern: the non-structured check catches it.
  std::string msg = message_of([&] { verify_grad(structured, {s}); });
  EXPECT_EQ(msg.rfind("[verify_grad]", 0), 0u) << msg;
}
