// AbstractConv{2,3}d and their gradient ops through the check_op harness against a dense loop
// over the definition (every border mode, strides, dilation, groups, flip, float32/64).
#include <gtest/gtest.h>

#include <random>

#include "conv_test_util.h"
#include "hypatia/nnet/conv.h"
#include "hypatia/util/parallel.h"
#include "support/check_op.h"

using namespace hypatia;
using namespace hypatia::testing;
using namespace hypatia::conv_test;

namespace {

struct Case {
  int convdim;
  std::string border;  // "valid", "full", "half" or "" (pads)
  std::vector<int64_t> lo, hi, sub, dil;
  int64_t groups;
  bool flip;
};

ConvParams params_of(const Case& c) {
  return make_conv_params(c.convdim, c.border, c.lo, c.hi, c.sub, c.dil, c.flip, c.groups);
}

const std::vector<Case>& cases_2d() {
  static const std::vector<Case> cs = {
      {2, "valid", {}, {}, {}, {}, 1, true},
      {2, "full", {}, {}, {1, 2}, {}, 1, false},
      {2, "half", {}, {}, {2, 1}, {1, 2}, 2, true},
      {2, "", {2, 0}, {1, 1}, {1, 1}, {2, 1}, 1, true},
      {2, "", {0, 1}, {3, 0}, {2, 2}, {}, 2, false},
  };
  return cs;
}

TEST(Conv, Forward2dAllModes) {
  for (const Case& c : cases_2d()) {
    SCOPED_TRACE(params_of(c).border_str());
    const int64_t C = 4, M = 6;
    NDArray img = randn(DType::Float64, {2, C, 7, 6}, 1), kern = randn(DType::Float64, {M, C / c.groups, 3, 2}, 2);
    ConvParams p = params_of(c);
    check_op([&](const std::vector<Var>& v) { return abstract_conv(v[0], v[1], p); }, {img, kern},
             [&](const std::vector<Value>& v) -> Value {
               return conv_ref(std::get<NDArray>(v[0]), std::get<NDArray>(v[1]), p);
             });
  }
}

TEST(Conv, Forward2dFloat32) {
  const Case& c = cases_2d()[2];
  NDArray img = randn(DType::Float32, {2, 4, 6, 5}, 3), kern = randn(DType::Float32, {4, 2, 2, 3}, 4);
  ConvParams p = params_of(c);
  CheckOpOptions o;
  o.rtol = 1e-4, o.atol = 1e-4, o.check_grad = false;
  check_op([&](const std::vector<Var>& v) { return abstract_conv(v[0], v[1], p); }, {img, kern},
           [&](const std::vector<Value>& v) -> Value {
             return conv_ref(std::get<NDArray>(v[0]), std::get<NDArray>(v[1]), p).astype(DType::Float32);
           }, o);
}

TEST(Conv, Forward3d) {
  for (const Case& c : {Case{3, "half", {}, {}, {1, 2, 1}, {1, 1, 2}, 2, true},
                        Case{3, "", {1, 0, 2}, {0, 1, 0}, {2, 1, 1}, {}, 1, false}}) {
    NDArray img = randn(DType::Float64, {2, 2, 4, 5, 6}, 5), kern = randn(DType::Float64, {4, 2 / c.groups, 2, 3, 2}, 6);
    ConvParams p = params_of(c);
    check_op([&](const std::vector<Var>& v) { return abstract_conv(v[0], v[1], p); }, {img, kern},
             [&](const std::vector<Value>& v) -> Value {
               return conv_ref(std::get<NDArray>(v[0]), std::get<NDArray>(v[1]), p);
             });
  }
}

// gradWeights and gradInputs as ops of their own: values against the adjoint loops, shapes,
// and their own gradients (which build the forward conv and the other gradient op).
TEST(Conv, GradOps2d) {
  for (const Case& c : cases_2d()) {
    SCOPED_TRACE(params_of(c).border_str());
    ConvParams p = params_of(c);
    // M = 2 < C = 4 sends gradInputs through the forward correlation where strides are 1;
    // M = 6 > C through col2im.
    for (int64_t M : {int64_t(6), int64_t(2)}) {
      const int64_t C = 4;
      NDArray img = randn(DType::Float64, {2, C, 7, 6}, 7), kern = randn(DType::Float64, {M, C / c.groups, 3, 2}, 8);
      NDArray out = conv_ref(img, kern, p);
      NDArray top = randn(DType::Float64, out.shape(), 9);
      Var kshape = constant(NDArray::from_vector<int64_t>({3, 2}, {2}));
      Var ishape = constant(NDArray::from_vector<int64_t>({7, 6}, {2}));
      check_op([&](const std::vector<Var>& v) { return abstract_conv_grad_weights(v[0], v[1], kshape, p); }, {img, top},
               [&](const std::vector<Value>& v) -> Value {
                 return grad_weights_ref(std::get<NDArray>(v[0]), std::get<NDArray>(v[1]), kern.shape(), p);
               });
      check_op([&](const std::vector<Var>& v) { return abstract_conv_grad_inputs(v[0], v[1], ishape, p); }, {kern, top},
               [&](const std::vector<Value>& v) -> Value {
                 return grad_inputs_ref(std::get<NDArray>(v[0]), std::get<NDArray>(v[1]), img.shape(), p);
               });
    }
  }
}

TEST(Conv, GradOps3d) {
  Case c{3, "full", {}, {}, {1, 1, 2}, {2, 1, 1}, 1, true};
  ConvParams p = params_of(c);
  NDArray img = randn(DType::Float64, {1, 3, 4, 3, 5}, 10), kern = randn(DType::Float64, {2, 3, 2, 2, 2}, 11);
  NDArray top = randn(DType::Float64, conv_ref(img, kern, p).shape(), 12);
  Var kshape = constant(NDArray::from_vector<int64_t>({2, 2, 2}, {3}));
  Var ishape = constant(NDArray::from_vector<int64_t>({4, 3, 5}, {3}));
  check_op([&](const std::vector<Var>& v) { return abstract_conv_grad_weights(v[0], v[1], kshape, p); }, {img, top},
           [&](const std::vector<Value>& v) -> Value {
             return grad_weights_ref(std::get<NDArray>(v[0]), std::get<NDArray>(v[1]), kern.shape(), p);
           });
  check_op([&](const std::vector<Var>& v) { return abstract_conv_grad_inputs(v[0], v[1], ishape, p); }, {kern, top},
           [&](const std::vector<Value>& v) -> Value {
             return grad_inputs_ref(std::get<NDArray>(v[0]), std::get<NDArray>(v[1]), img.shape(), p);
           });
}

// Larger shapes take the kernels' parallel paths: 12 images of small gemms (4 x 18 x 99 per
// group) run in parallel over images, each thread with its own workspace and accumulator;
// per-image gemms of 16 x 36 x 900 run image by image with OpenMP over channels. With OpenMP
// off everything runs serially. All agree with the loops.
TEST(Conv, ParallelPathsAndOpenMPOff) {
  struct Big {
    Shape img, kern;
    int64_t groups;
  };
  for (const Big& c : {Big{{12, 4, 12, 11}, {8, 2, 3, 3}, 2}, Big{{2, 4, 30, 28}, {16, 4, 3, 3}, 1}}) {
    ConvParams p = make_conv_params(2, "", {1, 0}, {0, 2}, {}, {1, 2}, true, c.groups);
    NDArray img = randn(DType::Float64, c.img, 13), kern = randn(DType::Float64, c.kern, 14);
    NDArray out = conv_ref(img, kern, p);
    NDArray top = randn(DType::Float64, out.shape(), 15);
    Var x = tensor4(DType::Float64, "x"), w = tensor4(DType::Float64, "w"), t = tensor4(DType::Float64, "t");
    Var ks = constant(NDArray::from_vector<int64_t>({c.kern[2], c.kern[3]}, {2}));
    Var is = constant(NDArray::from_vector<int64_t>({c.img[2], c.img[3]}, {2}));
    FunctionPtr f = function({x, w, t}, {abstract_conv(x, w, p), abstract_conv_grad_weights(x, t, ks, p),
                                         abstract_conv_grad_inputs(w, t, is, p)});
    NDArray gw = grad_weights_ref(img, top, kern.shape(), p), gi = grad_inputs_ref(kern, top, img.shape(), p);
    for (bool omp : {true, false}) {
      set_openmp(omp);
      auto r = (*f)({img, kern, top});
      set_openmp(true);
      EXPECT_TRUE(allclose(std::get<NDArray>(r[0]), out, 1e-10, 1e-10, false)) << "forward, openmp " << omp;
      EXPECT_TRUE(allclose(std::get<NDArray>(r[1]), gw, 1e-10, 1e-10, false)) << "gradWeights, openmp " << omp;
      EXPECT_TRUE(allclose(std::get<NDArray>(r[2]), gi, 1e-10, 1e-10, false)) << "gradInputs, openmp " << omp;
    }
  }
}

TEST(Conv, ErrorsNameTheOp) {
  ConvParams p = make_conv_params(2, "valid", {}, {}, {}, {}, true, 2);
  Var x = tensor4(DType::Float64, "x"), w = tensor4(DType::Float64, "w");
  FunctionPtr f = function({x, w}, {abstract_conv(x, w, p)});
  auto expect_msg = [](auto fn, const std::string& start) {
    try {
      fn();
      ADD_FAILURE() << "no error, expected " << start;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind(start, 0), 0u) << e.what();
    }
  };
  expect_msg([&] { (*f)({randn(DType::Float64, {1, 4, 5, 5}, 1), randn(DType::Float64, {2, 3, 3, 3}, 2)}); },
             "[AbstractConv2d] the input has 4 channels");
  expect_msg([&] { (*f)({randn(DType::Float64, {1, 4, 5, 5}, 1), randn(DType::Float64, {3, 2, 3, 3}, 2)}); },
             "[AbstractConv2d] num_groups (2) must divide");
  expect_msg([&] { make_conv_params(2, "valid", {}, {}, {1}, {}, true, 1); }, "[AbstractConv2d] subsample must have 2");
  expect_msg([&] { make_conv_params(3, "", {1, -1, 0}, {0, 0, 0}, {}, {}, true, 1); },
             "[AbstractConv3d] border_mode (padding) entries must be >= 0");
  expect_msg([&] { abstract_conv(matrix(DType::Float64), w, p); }, "[AbstractConv2d] the input must have 4 dimensions");
}

}  // namespace
