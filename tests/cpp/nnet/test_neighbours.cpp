// Images2Neibs (every mode, steps, non-square images) and neibs2images through the check_op
// harness against plain loops; the adjoint's inverse property; run-time and parameter errors.
#include <gtest/gtest.h>

#include <random>

#include "hypatia/compile/function.h"
#include "hypatia/nnet/pool.h"
#include "support/check_op.h"
#include "support/dense_random.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

// Theano's Images2Neibs.perform, loop for loop.
NDArray ref_neibs(const NDArray& x0, int64_t c, int64_t d, int64_t sx, int64_t sy, const std::string& mode) {
  const NDArray x = x0.astype(DType::Float64);
  const int64_t N = x.shape(0), C = x.shape(1), H = x.shape(2), W = x.shape(3);
  auto grid = [&](int64_t L, int64_t n, int64_t s) -> int64_t {
    if (mode == "half") return 1 + (L - n % 2) / s;
    if (mode == "full") return 1 + (L + n - 2) / s;
    if (mode == "wrap_centered") return (L + s - 1) / s;
    return 1 + (L - n) / s;
  };
  const int64_t gc = grid(H, c, sx), gd = grid(W, d, sy);
  int64_t ox = 0, oy = 0;
  if (mode == "half" || mode == "wrap_centered") ox = c / 2, oy = d / 2;
  if (mode == "full") ox = c - 1, oy = d - 1;
  NDArray z = NDArray::zeros(DType::Float64, {N * C * gc * gd, c * d});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t s = 0; s < C; ++s)
      for (int64_t a = 0; a < gc; ++a)
        for (int64_t b = 0; b < gd; ++b) {
          const int64_t row = b + gd * (a + gc * (s + C * n));
          for (int64_t i = 0; i < c; ++i)
            for (int64_t j = 0; j < d; ++j) {
              int64_t r = i + a * sx - ox, q = j + b * sy - oy;
              if (mode == "wrap_centered") r = (r + H) % H, q = (q + W) % W;
              if (r < 0 || r >= H || q < 0 || q >= W) continue;
              z.data<double>()[row * c * d + i * d + j] = x.data<double>()[((n * C + s) * H + r) * W + q];
            }
        }
  return z.astype(x0.dtype());
}

struct Case {
  int64_t c, d, sx, sy;
  const char* mode;
  Shape shape;
};

}  // namespace

TEST(Images2Neibs, EveryModeMatchesLoopsWithGrad) {
  const Case cases[] = {{2, 3, 2, 3, "valid", {1, 2, 4, 6}},         {2, 2, 1, 2, "valid", {2, 1, 5, 6}},
                        {3, 2, 2, 3, "ignore_borders", {1, 2, 8, 7}}, {3, 3, 1, 1, "half", {1, 2, 5, 4}},
                        {2, 3, 1, 1, "full", {1, 2, 3, 4}},            {3, 1, 2, 1, "wrap_centered", {2, 1, 4, 3}}};
  for (DType dt : {DType::Float64, DType::Float32}) {
    for (const Case& k : cases) {
      SCOPED_TRACE(k.mode);
      CheckOpOptions o;
      o.check_grad = dt == DType::Float64;
      check_op([k](const std::vector<Var>& v) { return images2neibs(v[0], {k.c, k.d}, {k.sx, k.sy}, k.mode); },
               {randn(dt, k.shape, 1)}, [k](const std::vector<Value>& v) {
                 return Value(ref_neibs(std::get<NDArray>(v[0]), k.c, k.d, k.sx, k.sy, k.mode));
               }, o);
    }
  }
}

TEST(Images2Neibs, Neibs2ImagesInvertsDisjointPatches) {
  const NDArray x = randn(DType::Float64, {2, 3, 4, 6}, 2);
  const NDArray z = ref_neibs(x, 2, 3, 2, 3, "valid");
  check_op([](const std::vector<Var>& v) { return neibs2images(v[0], {2, 3}, constant(NDArray::from_vector<int64_t>({2, 3, 4, 6}, {4}))); },
           {z}, [&](const std::vector<Value>&) { return Value(x); });
  // ignore_borders: the pixels no patch covers come back as zeros
  const NDArray y = randn(DType::Float64, {1, 1, 5, 7}, 3);
  Var yv = tensor(DType::Float64, {false, false, false, false}, "y");
  Var back = neibs2images(images2neibs(yv, {2, 3}, {}, "ignore_borders"), {2, 3}, shape(yv), "ignore_borders");
  NDArray got = std::get<NDArray>((*function({In(yv)}, {back}))({y})[0]);
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t j = 0; j < 7; ++j)
      EXPECT_EQ(got.data<double>()[i * 7 + j], (i < 4 && j < 6) ? y.data<double>()[i * 7 + j] : 0.0) << i << "," << j;
}

TEST(Images2Neibs, Errors) {
  Var x = tensor(DType::Float64, {false, false, false, false}, "x");
  auto f = function({In(x)}, {images2neibs(x, {2, 2}, {1, 3}, "valid")});
  try {
    (*f)({NDArray::zeros(DType::Float64, {1, 1, 4, 4})});
    ADD_FAILURE() << "inconsistent valid shape accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_NE(std::string(e.what()).find("[Images2Neibs] neib_shape[1]=2, neib_step[1]=3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(images2neibs(x, {2, 3}, {}, "wrap_centered"), Error);
  EXPECT_THROW(images2neibs(x, {2, 0}), Error);
  EXPECT_THROW(images2neibs(x, {2, 2}, {}, "same"), Error);
  EXPECT_THROW(images2neibs(tensor(DType::Float64, {false, false}, "m"), {2, 2}), Error);
  EXPECT_THROW(neibs2images(tensor(DType::Float64, {false, false}, "m"), {3, 3}, shape(x), "wrap_centered"), Error);
}
