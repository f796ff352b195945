// Pool (2-D, 3-D, every mode, ignore_border, stride, pad), its gradient ops and
// max_pool_2d_same_size through the check_op harness against plain dense loops; parameter errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "hypatia/compile/function.h"
#include "hypatia/grad/grad.h"
#include "hypatia/nnet/pool.h"
#include "support/check_op.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

// Distinct values (no ties, so max pooling is differentiable) in [-1, 1), shuffled.
NDArray distinct(DType d, Shape s, unsigned seed) {
  int64_t n = 1;
  for (auto v : s) n *= v;
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = (2.0 * i - n) / n;
  std::shuffle(v.begin(), v.end(), std::mt19937(seed));
  return NDArray::from_vector<double>(v, s).astype(d);
}

// Theano's Pool.perform over the last nd axes, written out per output pixel.
NDArray ref_pool(const NDArray& x0, const PoolParams& p) {
  const NDArray x = x0.astype(DType::Float64);
  const int nd = int(p.ndim), lead = x.ndim() - nd;
  int64_t planes = 1;
  for (int i = 0; i < lead; ++i) planes *= x.shape(i);
  std::vector<int64_t> in(3, 1), ws(3, 1), st(3, 1), pd(3, 0), out(3, 1);
  for (int k = 0; k < nd; ++k) {
    const int a = 3 - nd + k;
    in[a] = x.shape(lead + k), ws[a] = p.ws[k], st[a] = p.stride[k], pd[a] = p.pad[k];
    const int64_t v = in[a] + 2 * pd[a];
    if (p.ignore_border) out[a] = std::max<int64_t>((v - ws[a]) / st[a] + 1, 0);
    else if (st[a] >= ws[a]) out[a] = (v - 1) / st[a] + 1;
    else out[a] = std::max<int64_t>(0, (v - 1 - ws[a] + st[a]) / st[a]) + 1;
  }
  Shape os = x.shape();
  for (int k = 0; k < nd; ++k) os[lead + k] = out[3 - nd + k];
  NDArray z = NDArray::zeros(DType::Float64, os);
  const double* xp = x.data<double>();
  double* zp = z.data<double>();
  int64_t zi = 0;
  for (int64_t pl = 0; pl < planes; ++pl)
    for (int64_t a = 0; a < out[0]; ++a)
      for (int64_t b = 0; b < out[1]; ++b)
        for (int64_t c = 0; c < out[2]; ++c, ++zi) {
          const int64_t o[3] = {a, b, c};
          int64_t lo[3], hi[3], full = 1, cnt = 1;
          for (int k = 0; k < 3; ++k) {
            const int64_t s = o[k] * st[k], e = std::min(s + ws[k], in[k] + 2 * pd[k]);
            full *= e - s;
            lo[k] = std::max(s, pd[k]) - pd[k], hi[k] = std::min(e, in[k] + pd[k]) - pd[k];
            cnt *= hi[k] - lo[k];
          }
          double acc = p.mode == "max" ? -INFINITY : 0.0;
          for (int64_t i = lo[0]; i < hi[0]; ++i)
            for (int64_t j = lo[1]; j < hi[1]; ++j)
              for (int64_t k = lo[2]; k < hi[2]; ++k) {
                const double v = xp[((pl * in[0] + i) * in[1] + j) * in[2] + k];
                acc = p.mode == "max" ? std::max(acc, v) : acc + v;
              }
          if (p.mode == "average_inc_pad") acc /= double(full);
          if (p.mode == "average_exc_pad") acc /= double(cnt);
          zp[zi] = acc;
        }
  return z.astype(x0.dtype());
}

const char* kModes[] = {"max", "sum", "average_inc_pad", "average_exc_pad"};

void check_pool(const NDArray& x, PoolParams p, bool grad) {
  p = checked_pool_params(p);
  CheckOpOptions o;
  o.check_grad = grad;
  if (x.dtype() == DType::Float32) o.rtol = 1e-5;
  check_op([p](const std::vector<Var>& v) { return pool(v[0], p); }, {x},
           [p](const std::vector<Value>& v) { return Value(ref_pool(std::get<NDArray>(v[0]), p)); }, o);
}

}  // namespace

TEST(Pool, TwoDimEveryModeBorderStridePad) {
  const NDArray x = distinct(DType::Float64, {2, 3, 5, 7}, 1);
  for (const char* mode : kModes) {
    SCOPED_TRACE(mode);
    check_pool(x, {2, {2, 3}, {}, {}, true, mode}, true);
    check_pool(x, {2, {2, 3}, {}, {}, false, mode}, false);
    check_pool(x, {2, {3, 2}, {1, 2}, {}, false, mode}, true);
    check_pool(x, {2, {3, 3}, {2, 1}, {2, 1}, true, mode}, true);
    check_pool(distinct(DType::Float32, {4, 6}, 2), {2, {2, 2}, {1, 1}, {1, 0}, true, mode}, false);
  }
}

TEST(Pool, ThreeDimWithLeadingAxes) {
  const NDArray x = distinct(DType::Float64, {2, 1, 4, 5, 3}, 3);
  for (const char* mode : kModes) {
    SCOPED_TRACE(mode);
    check_pool(x, {3, {2, 3, 2}, {1, 2, 1}, {1, 1, 0}, true, mode}, true);
    check_pool(x, {3, {2, 2, 2}, {}, {}, false, mode}, false);
  }
}

TEST(Pool, MaxPoolTwoDimSameSizeKeepsOnlyPatchMaxima) {
  const NDArray x = distinct(DType::Float64, {2, 4, 6}, 4);
  check_op([](const std::vector<Var>& v) { return max_pool_2d_same_size(v[0], {2, 3}); }, {x},
           [](const std::vector<Value>& v) {
             const NDArray& a = std::get<NDArray>(v[0]);
             NDArray z = ref_pool(a, checked_pool_params({2, {2, 3}, {}, {}, true, "max"}));
             NDArray r = NDArray::zeros(DType::Float64, a.shape());
             for (int64_t p = 0; p < 2; ++p)
               for (int64_t i = 0; i < 4; ++i)
                 for (int64_t j = 0; j < 6; ++j) {
                   const double v = a.data<double>()[(p * 4 + i) * 6 + j];
                   if (v == z.data<double>()[(p * 2 + i / 2) * 2 + j / 3]) r.data<double>()[(p * 4 + i) * 6 + j] = v;
                 }
             return Value(r);
           });
}

TEST(Pool, GradOpsAreDifferentiableInTheirGradientInput) {
  const NDArray x = distinct(DType::Float64, {1, 2, 5, 4}, 5);
  for (const char* mode : kModes) {
    SCOPED_TRACE(mode);
    const PoolParams p = checked_pool_params({2, {2, 3}, {2, 1}, {1, 1}, true, mode});
    const NDArray z = ref_pool(x, p);
    const NDArray gz = distinct(DType::Float64, z.shape(), 6);
    Var xc = constant(x), zc = constant(z);
    std::function<Var(const std::vector<Var>&)> grad_op = [&](const std::vector<Var>& v) {
      return p.mode == "max" ? max_pool_grad(xc, zc, v[0], p) : average_pool_grad(xc, v[0], p);
    };
    // Shape and gradient through the harness; the values are checked against Pool's gradient.
    check_op(grad_op, {gz}, [&](const std::vector<Value>&) {
      Var xv = tensor(DType::Float64, {false, false, false, false}, "x");
      Var gv = tensor(DType::Float64, {false, false, false, false}, "gz");
      Var g = grad(sum(mul(pool(xv, p), gv)), std::vector<Var>{xv})[0];
      return (*function({In(xv), In(gv)}, {g}))({x, gz})[0];
    });
    if (p.mode == "max")
      check_op([&](const std::vector<Var>& v) { return max_pool_grad_grad(xc, zc, v[0], p); },
               {distinct(DType::Float64, x.shape(), 7)}, [&](const std::vector<Value>& v) {
                 // ggz[o] = ggx at the window's argmax (values distinct)
                 const NDArray& g = std::get<NDArray>(v[0]);
                 Var xv = tensor(DType::Float64, {false, false, false, false}, "x");
                 Var ev = tensor(DType::Float64, {false, false, false, false}, "v");
                 Var r = Rop({pool(xv, p)}, {xv}, {ev})[0];
                 return (*function({In(xv), In(ev)}, {r}))({x, g})[0];
               });
  }
}

TEST(Pool, BadParametersRaiseValueErrors) {
  Var x = tensor(DType::Float64, {false, false, false, false}, "x");
  auto expect_value_error = [&](PoolParams p, const std::string& what) {
    try {
      pool(x, p);
      ADD_FAILURE() << "no error for " << what;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Value) << what;
      EXPECT_EQ(std::string(e.what()).rfind("[Pool] ", 0), 0u) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  expect_value_error({2, {0, 2}, {}, {}, true, "max"}, "ws must be positive");
  expect_value_error({2, {2, 2}, {1, 0}, {}, true, "max"}, "stride must be positive");
  expect_value_error({2, {2, 2}, {}, {2, 0}, true, "max"}, "pad must be smaller than ws");
  expect_value_error({2, {2, 2}, {}, {1, 1}, false, "max"}, "padding works only with ignore_border=True");
  expect_value_error({2, {2, 2, 2}, {}, {}, true, "max"}, "ws must have 2 values");
  expect_value_error({2, {2, 2}, {}, {}, true, "mean"}, "mode must be");
  expect_value_error({4, {2, 2, 2, 2}, {}, {}, true, "max"}, "ndim must be 2 or 3");
  EXPECT_THROW(pool(tensor(DType::Float64, {false, false}, "m"), {3, {2, 2, 2}, {}, {}, true, "max"}), Error);
}
