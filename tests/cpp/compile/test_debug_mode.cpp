// DebugMode, NanGuardMode, profiling data and test values on deliberately broken test ops.
#include <gtest/gtest.h>

#include <atomic>

#include "hypatia/compile/function.h"
#include "hypatia/graph/test_value.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/api.h"
#include "hypatia/tensor/ops/dot.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/reduce.h"
#include "hypatia/util/warning.h"
#include "support/test_ops.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

enum Flaw { kNone, kWritesInput, kViewsInput, kBadShape, kNonDeterministic, kNan, kBadDtype, kAccumulates, kLayoutFollowsInput,
            kNotReused };

struct FlawParams {
  int flaw = kNone;
  auto fields() const { return std::tie(flaw); }
};

/// y = x + 1 on float64 vectors, with one deliberate flaw that DebugMode must catch.
class FlawedOp final : public OpBase<FlawedOp, FlawParams> {
 public:
  using OpBase::OpBase;
  static constexpr const char* kName = "FlawedOp";
  static constexpr int kArity = kVariadic;
  std::string str() const override { return str_cat("FlawedOp{", params_.flaw, "}"); }
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override { return Apply::create(ptr(), in, {in[0].type()}); }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    static std::atomic<int> calls{0};
    const NDArray& x = as_array(*in[0]);
    if (params_.flaw == kViewsInput) {
      out[0] = x;  // aliases the input without a view_map
      return;
    }
    if (params_.flaw == kBadDtype) {
      out[0] = x.astype(DType::Float32);
      return;
    }
    if (params_.flaw == kLayoutFollowsInput) {  // a copy in the input's layout (C or Fortran)
      out[0] = x.is_c_contiguous() ? x.copy() : x.transpose().copy().transpose();
      return;
    }
    if (params_.flaw == kAccumulates) {  // adds into whatever buffer the slot holds
      if (!is_array(out[0]) || as_array(out[0]).shape() != x.shape()) out[0] = NDArray::zeros(DType::Float64, x.shape());
      NDArray& y = std::get<NDArray>(out[0]);
      for (int64_t i = 0; i < x.size(); ++i) y.data<double>()[i] += x.data<double>()[i] + 1;
      return;
    }
    NDArray& y = prepare_output(out[0], DType::Float64, x.shape());
    for (int64_t i = 0; i < x.size(); ++i) y.data<double>()[i] = x.data<double>()[i] + 1;
    if (params_.flaw == kWritesInput && x.size() > 0) x.data<double>()[0] = -7;
    if (params_.flaw == kNonDeterministic) y.data<double>()[0] += ++calls;
    if (params_.flaw == kNan) y.data<double>()[0] = std::nan("");
  }
  ViewMap destroy_map() const override { return params_.flaw == kNotReused ? ViewMap{{0, {0}}} : ViewMap{}; }
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply&, const std::vector<ShapeVec>& shapes) const override {
    if (params_.flaw == kBadShape) return std::vector<ShapeVec>{{constant(NDArray::scalar<int64_t>(42))}};
    return std::vector<ShapeVec>{shapes[0]};
  }
};

/// A 2x2 CSR matrix whose only stored entry has column index 5 (out of range).
class BrokenSparseOp final : public OpBase<BrokenSparseOp, NoParams> {
 public:
  static constexpr const char* kName = "BrokenSparseOp";
  static constexpr int kArity = kVariadic;
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    return Apply::create(ptr(), in, {SparseType::make(SparseFormat::CSR, DType::Float64)});
  }
  void perform(const Apply&, const Value* const*, Value* out) const override {
    out[0] = SparseMatrix(SparseFormat::CSR, 2, 2, NDArray::from_vector<double>({1.0}, {1}),
                          NDArray::from_vector<int32_t>({5}, {1}), NDArray::from_vector<int32_t>({0, 1, 1}, {3}));
  }
};

Var flawed(const Var& x, int flaw) { return apply1(*std::make_shared<FlawedOp>(FlawParams{flaw}), {x}); }

FunctionOptions debug_opts() {
  FunctionOptions o;
  o.debug.enabled = true;
  return o;
}

/// The message of the error a call raises ("" when it succeeds).
std::string call_error(const FunctionPtr& f, const std::vector<Value>& args) {
  try {
    (*f)(args);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(DebugMode, CorrectGraphRunsAndGivesFastRunValues) {
  Var x = dvec("x");
  auto f = function({x}, {plus(scale(x, 10.0), flawed(x, kNone))}, debug_opts());
  auto out = (*f)({vec({1, 2})});
  EXPECT_DOUBLE_EQ(std::get<NDArray>(out[0]).data<double>()[1], 23.0);
}

TEST(DebugMode, ReportsEachFlawWithItsKindAndNode) {
  const std::pair<int, const char*> cases[] = {{kWritesInput, "[DebugMode] BadDestroyMap:"},
                                               {kViewsInput, "[DebugMode] BadViewMap:"},
                                               {kBadShape, "[DebugMode] BadShape:"},
                                               {kNonDeterministic, "[DebugMode] BadThunkOutput:"},
                                               {kNan, "[DebugMode] InvalidValue:"},
                                               {kBadDtype, "[DebugMode] InvalidValue:"}};
  for (const auto& [flaw, kind] : cases) {
    Var x = dvec("x");
    auto f = function({x}, {scale(flawed(x, flaw), 2.0)}, debug_opts());
    const std::string msg = call_error(f, {vec({1, 2, 3})});
    EXPECT_EQ(msg.rfind(kind, 0), 0u) << flaw << ": " << msg;
    EXPECT_NE(msg.find(str_cat("FlawedOp{", flaw, "}(x)")), std::string::npos) << msg;  // the first offending node
    EXPECT_NE(msg.find("Inputs shapes: [(3,)]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Inputs values: [array([1., 2., 3.])]"), std::string::npos) << msg;
    // Without DebugMode the same function runs (the flaws go unnoticed).
    if (flaw == kBadDtype) continue;  // the next op would read float32 memory as float64
    FunctionOptions plain;
    EXPECT_EQ(call_error(function({x}, {scale(flawed(x, flaw), 2.0)}, plain), {vec({1, 2, 3})}), "") << flaw;
  }
}

TEST(DebugMode, PreallocatedOutputsCatchAnOpThatReadsItsOutputBuffer) {
  Var x = dvec("x"), m = matrix(DType::Float64, "m");
  FunctionOptions o = debug_opts();
  o.debug.preallocated = {"ALL"};
  // Correct ops give the same results whatever their slots hold.
  Var good = add(exp(scale(flawed(x, kNone), 2.0)), sum(dot(m, x)));
  EXPECT_EQ(call_error(function({x, m}, {good, transpose(m)}, o), {vec({1, 2}), NDArray::full(DType::Float64, {3, 2}, 0.5)}), "");
  for (const char* kind : {"previous", "c_contiguous", "strided"}) {
    o.debug.preallocated = {kind};
    const std::string msg = call_error(function({x}, {flawed(x, kAccumulates)}, o), {vec({1, 2})});
    EXPECT_EQ(msg.rfind("[DebugMode] BadThunkOutput: output 0 of node FlawedOp{7}(x) changes when its output slot already holds a '", 0), 0u)
        << kind << ": " << msg;
    EXPECT_NE(msg.find(str_cat("'", kind, "' buffer")), std::string::npos) << msg;
  }
  o.debug.preallocated = {"initial", "wrong_size"};  // a wrong-sized buffer is replaced: no error
  EXPECT_EQ(call_error(function({x}, {flawed(x, kAccumulates)}, o), {vec({1, 2})}), "");
}

TEST(DebugMode, CheckStridesComparesLayoutsWithARerun) {
  Var m = matrix(DType::Float64, "m");
  FunctionOptions o = debug_opts();
  Var out = flawed(transpose(m), kLayoutFollowsInput);
  const NDArray v = NDArray::full(DType::Float64, {2, 3}, 1.5);
  EXPECT_EQ(call_error(function({m}, {out}, o), {v}), "");  // off by default
  o.debug.check_strides = 2;
  const std::string msg = call_error(function({m}, {out}, o), {v});
  EXPECT_EQ(msg.rfind("[DebugMode] BadStrides: output 0 of node FlawedOp{8}", 0), 0u) << msg;
  std::vector<std::string> seen;
  WarningHandler old = set_warning_handler([&](const std::string& w) { seen.push_back(w); });
  o.debug.check_strides = 1;
  EXPECT_EQ(call_error(function({m}, {out}, o), {v}), "");
  set_warning_handler(old);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].rfind("[DebugMode] BadStrides:", 0), 0u);
}

TEST(DebugMode, WarnsWhenAnInPlaceNodeDoesNotReuseItsInput) {
  Var x = dvec("x");
  std::vector<std::string> seen;
  WarningHandler old = set_warning_handler([&](const std::string& w) { seen.push_back(w); });
  FunctionOptions o = debug_opts();
  EXPECT_EQ(call_error(function({x}, {flawed(scale(x, 2.0), kNotReused)}, o), {vec({1, 2})}), "");
  const size_t warned = seen.size();
  o.debug.warn_input_not_reused = false;
  EXPECT_EQ(call_error(function({x}, {flawed(scale(x, 2.0), kNotReused)}, o), {vec({1, 2})}), "");
  set_warning_handler(old);
  ASSERT_EQ(warned, 1u);
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0].find("is marked as destroyed (destroy_map) and could be overwritten"), std::string::npos) << seen[0];
}

TEST(DebugMode, InvalidSparseOutputIsReported) {
  Var x = dvec("x");
  auto f = function({x}, {apply1(*std::make_shared<BrokenSparseOp>(), {x})}, debug_opts());
  const std::string msg = call_error(f, {vec({1})});
  EXPECT_EQ(msg.rfind("[DebugMode] InvalidValue: output 0 of node BrokenSparseOp(x) is not a valid sparse matrix", 0), 0u) << msg;
}

TEST(DebugMode, ChecksCanBeTurnedOff) {
  Var x = dvec("x");
  FunctionOptions o = debug_opts();
  o.debug.check_finite = false;
  EXPECT_EQ(call_error(function({x}, {flawed(x, kNan)}, o), {vec({1, 2})}), "");
  o.debug.check_shapes = false;
  EXPECT_EQ(call_error(function({x}, {flawed(x, kBadShape)}, o), {vec({1, 2})}), "");
}

TEST(DebugMode, BadOptimizationNamesTheRewriteAndTheNode) {
  // A "rewrite" that replaces x*2 by x*3 must be caught against the unoptimised graph.
  Var x = dvec("x");
  Var y = scale(x, 2.0);
  FunctionGraph fg({x}, {scale(y, 5.0)});
  DebugOptions o;
  o.enabled = true;
  DebugChecker checker(fg, o);
  Var old = fg.outputs()[0].owner()->input(0);
  fg.replace(old, scale(fg.inputs()[0], 3.0), "bad_rewrite");
  VM vm(fg);
  auto frame = vm.make_frame();
  frame->slot(vm.slot_of(fg.inputs()[0].get())) = vec({1, 2});
  try {
    checker.run(fg, vm, *frame);
    FAIL() << "expected BadOptimization";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("[DebugMode] BadOptimization:", 0), 0u) << msg;
    EXPECT_NE(msg.find("bad_rewrite"), std::string::npos) << msg;
    EXPECT_NE(msg.find("ScaleOp{3}(x)"), std::string::npos) << msg;
  }
}

TEST(NanGuardMode, NamesTheNodeThatProducedTheValue) {
  Var x = dvec("x");
  FunctionOptions o;
  o.nan_guard.nan_is_error = true;
  auto f = function({x}, {scale(flawed(x, kNan), 2.0)}, o);
  const std::string msg = call_error(f, {vec({1, 2})});
  EXPECT_EQ(msg.rfind("[NanGuardMode] NaN detected in output 0 of node FlawedOp{5}(x)", 0), 0u) << msg;
  o.nan_guard = {};
  o.nan_guard.big_is_error = true;
  EXPECT_NE(call_error(function({x}, {scale(x, 1e6)}, o), {vec({1e5})}).find("Big value detected in output 0 of node ScaleOp"),
            std::string::npos);
  EXPECT_EQ(call_error(function({x}, {scale(x, 1e6)}, o), {vec({1.0})}), "");
}

TEST(Profile, CountsCallsBytesAndCompilePhases) {
  Var x = dvec("x");
  FunctionOptions o;
  o.profile = true;
  auto f = function({x}, {plus(scale(x, 2.0), x)}, o);
  (*f)({vec({1, 2, 3, 4})});
  (*f)({vec({1, 2, 3, 4})});
  VM::ProfileData d = f->profile_data();
  EXPECT_EQ(d.calls, 2);
  ASSERT_EQ(d.output_bytes.size(), 2u);
  EXPECT_EQ(d.output_bytes[0], 32);  // 4 float64 per node output
  EXPECT_EQ(d.peak_bytes, 64);       // both outputs alive at the end
  for (const char* phase : {"graph", "rewrite", "link"}) EXPECT_GE(f->compile_phases().at(phase), 0.0);
  // Call times: a C++ caller's outer time is the call itself; the VM's runs fit inside it.
  Function::CallTimes t = f->call_times();
  EXPECT_GT(t.run, 0.0);
  EXPECT_GE(t.call, t.run);
  EXPECT_DOUBLE_EQ(t.outer, t.call);
  f->add_outer_call_time(1.0);
  EXPECT_DOUBLE_EQ(f->call_times().outer, 1.0);
  auto plain = function({x}, {scale(x, 2.0)});
  (*plain)({vec({1})});
  plain->add_outer_call_time(1.0);
  EXPECT_EQ(plain->call_times().outer, 0.0);
}

TEST(TestValues, ComputedWhenBuiltAndShapeErrorsRaiseAtBuildTime) {
  struct Reset {
    ~Reset() { set_test_value_hooks({}); }
  } reset;
  TestValueHooks hooks;
  hooks.mode = [] { return TestValueMode::Raise; };
  hooks.location = [] { return std::string("here.py:3"); };
  set_test_value_hooks(hooks);
  Var x = dvec("x"), y = dvec("y");
  set_test_value(x, std::make_shared<const Value>(vec({1, 2})));
  Var z = scale(x, 3.0);
  ASSERT_NE(get_test_value(z), nullptr);
  EXPECT_DOUBLE_EQ(std::get<NDArray>(*get_test_value(z)).data<double>()[1], 6.0);
  set_test_value(y, std::make_shared<const Value>(vec({1, 2, 3})));
  try {
    plus(z, y);
    FAIL() << "expected a shape error at build time";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("[compute_test_value] computing the test value of PlusOp", 0), 0u) << msg;
    EXPECT_NE(msg.find("shape mismatch"), std::string::npos) << msg;
    EXPECT_NE(msg.find("here.py:3"), std::string::npos) << msg;
  }
  EXPECT_THROW(plus(dvec("a"), x), Error);  // 'raise': an input without a test value
  hooks.mode = [] { return TestValueMode::Ignore; };
  set_test_value_hooks(hooks);
  EXPECT_EQ(get_test_value(plus(dvec("a"), x)), nullptr);
  set_test_value_hooks({});
  EXPECT_EQ(get_test_value(scale(x, 2.0)), nullptr);  // off: nothing computed
}
