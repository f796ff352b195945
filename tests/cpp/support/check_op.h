// The one op-test harness (C++ side): values vs a dense reference, infer_shape vs real shapes,
// optimised vs unoptimised compiles, and symbolic vs numeric gradients.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>

#include "hypatia/compile/verify_grad.h"
#include "hypatia/compile/function.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/tensor/basic.h"

namespace hypatia::testing {

struct CheckOpOptions {
  bool check_grad = true;       // run verify_grad (float inputs only)
  bool structured = false;      // structured verify_grad for sparse inputs
  std::vector<int> grad_inputs;  // which inputs to differentiate (empty: all float ones)
  double rtol = 1e-6, atol = 1e-8;
};

/// A dense view of a value for comparisons (sparse values densified, duplicates summed).
inline NDArray dense_of(const Value& v) {
  if (is_sparse(v)) return std::get<SparseMatrix>(v).to_dense();
  return std::get<NDArray>(v);
}
inline DType dtype_of_value(const Value& v) { return is_sparse(v) ? std::get<SparseMatrix>(v).dtype() : std::get<NDArray>(v).dtype(); }

/// Whether the harness compiles its FAST_RUN function in DebugMode (on unless the environment
/// sets HYPATIA_HARNESS_DEBUGMODE=0): every op test then also runs DebugMode's checks.
inline bool harness_debug_mode() {
  const char* v = std::getenv("HYPATIA_HARNESS_DEBUGMODE");
  return !(v && std::string(v) == "0");
}

/// Builds `fun(inputs)` on fresh variables typed like `values` (dense arrays or sparse
/// matrices), compiles it with FAST_RUN (in DebugMode: each rewritten node against the
/// unoptimised graph, destroy_map/view_map, infer_shape of every node, valid sparse outputs,
/// a rerun; see compile/debug_mode.h) and with no rewrites, and checks: both agree with
/// `reference(values)` (a dense array, or a sparse matrix whose format must match too); the
/// final node's infer_shape evaluates to the real output shape; and (for float inputs)
/// verify_grad passes (a sparse output is densified with a regular DenseFromSparse; sparse
/// inputs are checked structurally when opts.structured).
inline void check_op(const std::function<Var(const std::vector<Var>&)>& fun, const std::vector<Value>& values,
                     const std::function<Value(const std::vector<Value>&)>& reference, const CheckOpOptions& opts = {}) {
  std::vector<Var> vars;
  for (size_t i = 0; i < values.size(); ++i) {
    if (const auto* s = std::get_if<SparseMatrix>(&values[i])) {
      vars.push_back(make_variable(SparseType::make(s->format(), s->dtype()), "in" + std::to_string(i)));
      continue;
    }
    const NDArray& a = std::get<NDArray>(values[i]);
    vars.push_back(tensor(a.dtype(), std::vector<bool>(a.ndim(), false), "in" + std::to_string(i)));
  }
  Var out = fun(vars);
  FunctionOptions fast, none;
  fast.on_unused_input = none.on_unused_input = OnUnusedInput::Ignore;
  none.mode = Mode::None;
  fast.debug.enabled = harness_debug_mode();
  fast.debug.check_finite = false;  // references may hold NaN/inf (log(0), ...)
  std::vector<In> ins(vars.begin(), vars.end());
  Value got_v = (*function(ins, {out}, fast))(values)[0];
  Value raw_v = (*function(ins, {out}, none))(values)[0];
  Value want_v = reference(values);
  if (const auto* ws = std::get_if<SparseMatrix>(&want_v)) {
    ASSERT_TRUE(is_sparse(got_v) && is_sparse(raw_v)) << "expected a sparse output";
    EXPECT_EQ(std::get<SparseMatrix>(got_v).format(), ws->format()) << "output format";
    EXPECT_EQ(std::get<SparseMatrix>(raw_v).format(), ws->format()) << "output format (unoptimised)";
    EXPECT_NO_THROW(std::get<SparseMatrix>(got_v).validate()) << "output is a valid matrix";
    const SparseType* ot = sparse_type(out);
    ASSERT_NE(ot, nullptr) << "the output variable must be sparse";
    EXPECT_EQ(ot->format(), ws->format()) << "output type format";
  } else {
    ASSERT_FALSE(is_sparse(got_v)) << "expected a dense output";
  }
  NDArray got = dense_of(got_v), raw = dense_of(raw_v), want = dense_of(want_v);
  EXPECT_EQ(*out.type()->dtype(), want.dtype()) << "output type dtype";
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
      if (is_float(dtype_of_value(values[i]))) which.push_back(static_cast<int>(i));
  if (which.empty()) return;
  std::vector<Value> pt;
  for (int i : which) pt.push_back(values[i]);
  VerifyGradOptions vo;
  vo.structured = opts.structured;
  verify_grad([&](const std::vector<Var>& xs) {
    std::vector<Var> all = vars;
    for (size_t k = 0; k < which.size(); ++k) all[which[k]] = xs[k];
    // Inputs not differentiated stay constant.
    for (size_t i = 0; i < all.size(); ++i)
      if (std::find(which.begin(), which.end(), static_cast<int>(i)) == which.end())
        all[i] = is_sparse(values[i]) ? sparse::constant(std::get<SparseMatrix>(values[i]))
                                      : constant(std::get<NDArray>(values[i]));
    Var r = fun(all);
    return sparse_type(r) ? sparse::dense_from_sparse(r, false) : r;
  }, pt, vo);
}

}  // namespace hypatia::testing
