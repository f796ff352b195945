// The one op-test harness (C++ side): values vs a dense reference, infer_shape vs real shapes,
// optimised vs unoptimised compiles, and symbolic vs numeric gradients.
#pragma once
#include <gtest/gtest.h>

#include <functional>

#include "hypatia/grad/verify_grad.h"
#include "hypatia/runtime/function.h"
#include "hypatia/tensor/basic.h"

namespace hypatia::testing {

struct CheckOpOptions {
  bool check_grad = true;       // run verify_grad (float inputs only)
  bool structured = false;      // structured verify_grad for sparse inputs
  std::vector<int> grad_inputs;  // which inputs to differentiate (empty: all float ones)
  double rtol = 1e-6, atol = 1e-8;
};

/// Builds `fun(inputs)` on fresh variables typed like `values`, compiles it with FAST_RUN and
/// with no rewrites, and checks: both agree with `reference(values)`; the final node's
/// infer_shape evaluates to the real output shape; and (for float inputs) verify_grad passes.
inline void check_op(const std::function<Var(const std::vector<Var>&)>& fun, const std::vector<Value>& values,
                     const std::function<NDArray(const std::vector<Value>&)>& reference, const CheckOpOptions& opts = {}) {
  std::vector<Var> vars;
  for (size_t i = 0; i < values.size(); ++i) {
    const NDArray& a = std::get<NDArray>(values[i]);
    vars.push_back(tensor(a.dtype(), std::vector<bool>(a.ndim(), false), "in" + std::to_string(i)));
  }
  Var out = fun(vars);
  FunctionOptions fast, none;
  fast.on_unused_input = none.on_unused_input = "ignore";
  none.mode = "None";
  std::vector<In> ins(vars.begin(), vars.end());
  NDArray got = std::get<NDArray>((*function(ins, {out}, fast))(values)[0]);
  NDArray raw = std::get<NDArray>((*function(ins, {out}, none))(values)[0]);
  NDArray want = reference(values);
  ASSERT_EQ(got.shape(), want.shape()) << "output shape";
  EXPECT_EQ(got.dtype(), want.dtype()) << "output dtype";
  EXPECT_TRUE(allclose(got, want, opts.rtol, opts.atol, true)) << "FAST_RUN value\n got  " << got.repr() << "\n want " << want.repr();
  EXPECT_TRUE(allclose(raw, want, opts.rtol, opts.atol, true)) << "unoptimised value\n got  " << raw.repr();
  // infer_shape of the final node, evaluated from symbolic input shapes.
  if (Apply* node = out.owner()) {
    std::vector<ShapeVec> shapes;
    for (const Var& i : node->inputs()) {
      ShapeVec s;
      for (int d = 0; d < i.type()->ndim(); ++d) s.push_back(shape_i(i, d));
      shapes.push_back(s);
    }
    auto inferred = node->op()->infer_shape(*node, shapes);
    if (inferred) {
      const ShapeVec& s = (*inferred)[out->index];
      ASSERT_EQ(static_cast<int>(s.size()), got.ndim()) << "infer_shape rank";
      for (int d = 0; d < got.ndim(); ++d) {
        NDArray v = std::get<NDArray>((*function(ins, {s[d]}, none))(values)[0]);
        EXPECT_EQ(v.item<int64_t>(), got.shape(d)) << "infer_shape axis " << d;
      }
    }
  }
  if (!opts.check_grad || !is_float(got.dtype())) return;
  std::vector<int> which = opts.grad_inputs;
  if (which.empty())
    for (size_t i = 0; i < values.size(); ++i)
      if (is_float(std::get<NDArray>(values[i]).dtype())) which.push_back(static_cast<int>(i));
  std::vector<Value> pt;
  for (int i : which) pt.push_back(values[i]);
  VerifyGradOptions vo;
  vo.structured = opts.structured;
  verify_grad([&](const std::vector<Var>& xs) {
    std::vector<Var> all = vars;
    for (size_t k = 0; k < which.size(); ++k) all[which[k]] = xs[k];
    // Inputs not differentiated stay constant.
    for (size_t i = 0; i < all.size(); ++i)
      if (std::find(which.begin(), which.end(), static_cast<int>(i)) == which.end()) all[i] = constant(std::get<NDArray>(values[i]));
    return fun(all);
  }, pt, vo);
}

}  // namespace hypatia::testing
