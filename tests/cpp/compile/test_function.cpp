// function(): calls, defaults, updates, givens, aliasing and errors, on test ops.
#include <gtest/gtest.h>

#include "hypatia/compile/function.h"
#include "support/test_ops.h"

using namespace hypatia;
using namespace hypatia::testing;

static double at(const Value& v, int64_t i) { return std::get<NDArray>(v).data<double>()[i]; }

TEST(Function, ComputesOutputsAndReusesAcrossCalls) {
  Var x = dvec("x");
  auto f = function({x}, {plus(scale(x, 2.0), x)});
  auto out = (*f)({vec({1, 2, 3})});
  EXPECT_EQ(at(out[0], 2), 9.0);
  auto out2 = (*f)({vec({1, 1, 1})});
  EXPECT_EQ(at(out2[0], 0), 3.0);
  EXPECT_EQ(at(out[0], 2), 9.0);  // the first result was not overwritten by the second call
}

TEST(Function, UpdatesUseOldValuesAndApplyTogether) {
  Var a = shared(vec({1.0}), "a"), b = shared(vec({2.0}), "b");
  FunctionOptions o;
  o.updates = {{a, b}, {b, plus(a, b)}};
  auto f = function({}, {}, o);
  (*f)({});
  EXPECT_EQ(at(get_value(a), 0), 2.0);
  EXPECT_EQ(at(get_value(b), 0), 3.0);
}

TEST(Function, DefaultsKeywordsAndInUpdates) {
  Var u = dvec("u"), s = dvec("s");
  In sin(s);
  sin.value = vec({10.0});
  sin.update = plus(s, u);
  auto f = function({u, sin}, {s});
  auto r = f->call({vec({5.0})}, {});
  EXPECT_EQ(at(r[0], 0), 10.0);
  EXPECT_EQ(at((*f)[s], 0), 15.0);
  f->call({}, {{"u", vec({1.0})}});
  EXPECT_EQ(at((*f)["s"], 0), 16.0);
}

TEST(Function, GivensReplaceVariables) {
  Var x = dvec("x"), y = dvec("y");
  FunctionOptions o;
  o.givens = {{x, scale(y, 10.0)}};
  auto f = function({y}, {plus(x, y)}, o);
  EXPECT_EQ(at((*f)({vec({1.0})})[0], 0), 11.0);
}

TEST(Function, OutputsDoNotAliasInputsOrShared) {
  Var x = dvec("x");
  auto f = function({x}, {x});
  NDArray a = vec({1, 2});
  auto r = (*f)({a});
  EXPECT_FALSE(std::get<NDArray>(r[0]).may_share_memory(a));
  Var s = shared(vec({4, 5}), "s");
  auto g = function({}, {s});
  auto r2 = (*g)({});
  EXPECT_FALSE(std::get<NDArray>(r2[0]).may_share_memory(std::get<NDArray>(get_value(s, true))));
  auto h = function({x}, {Out(x, true)});
  EXPECT_TRUE(std::get<NDArray>((*h)({a})[0]).may_share_memory(a));
}

TEST(Function, BadArgumentsNameTheInput) {
  Var x = dvec("x");
  auto f = function({x}, {scale(x, 2.0)});
  try {
    (*f)({NDArray::zeros(DType::Float64, {2, 2})});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Type);
    EXPECT_NE(std::string(e.what()).find("\"x\""), std::string::npos);
  }
  EXPECT_THROW((*f)({}), Error);
  EXPECT_THROW((*f)({vec({1}), vec({1})}), Error);
  try {
    (*f)({NDArray::zeros(DType::Complex128, {2})});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("loss of precision"), std::string::npos);
  }
}

TEST(Function, FailingNodeReportsNodeAndShapesAndLeavesSharedAlone) {
  Var x = dvec("x");
  Var s = shared(vec({1, 2, 3}), "s");
  FunctionOptions o;
  o.updates = {{s, plus(s, x)}};
  auto f = function({x}, {}, o);
  try {
    (*f)({vec({1, 2})});
    FAIL();
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_EQ(m.rfind("[PlusOp]", 0), 0u);
    EXPECT_NE(m.find("Apply node that caused the error: PlusOp(s, x)"), std::string::npos);
    EXPECT_NE(m.find("(3,), (2,)"), std::string::npos);
  }
  EXPECT_EQ(at(get_value(s), 2), 3.0);
  (*f)({vec({1, 1, 1})});
  EXPECT_EQ(at(get_value(s), 2), 4.0);
}

TEST(Function, UnusedAndSharedInputsRaise) {
  Var x = dvec("x"), y = dvec("y");
  try {
    function({x, y}, {scale(x, 1.0)});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::UnusedInput);
  }
  FunctionOptions o;
  o.on_unused_input = OnUnusedInput::Ignore;
  EXPECT_NO_THROW(function({x, y}, {scale(x, 1.0)}, o));
  Var s = shared(vec({1}), "s");
  EXPECT_THROW(function({s}, {s}), Error);
}

TEST(Function, DeepChainCompilesAndRuns) {
  Var x = dvec("x");
  Var y = x;
  for (int i = 0; i < 10000; ++i) y = plus(y, x);
  auto f = function({x}, {y});
  EXPECT_EQ(at((*f)({vec({1.0})})[0], 0), 10001.0);
}

TEST(Shared, BorrowAndSetValueChecks) {
  NDArray a = vec({1, 2});
  Var s = shared(a, "s");
  EXPECT_FALSE(std::get<NDArray>(get_value(s, true)).may_share_memory(a));
  Var t = shared(a, "t", true);
  EXPECT_TRUE(std::get<NDArray>(get_value(t, true)).may_share_memory(a));
  EXPECT_THROW(set_value(s, NDArray::zeros(DType::Float64, {2, 2})), Error);
  EXPECT_EQ(at(get_value(s), 1), 2.0);
  set_value(s, NDArray::from_vector<int32_t>({7, 8}, {2}));  // safe cast int32 -> float64
  EXPECT_EQ(at(get_value(s), 1), 8.0);
}

TEST(Function, DefaultUpdatesApplyUnlessOverriddenOrDisabled) {
  Var s = shared(vec({0.0}), "s");
  set_default_update(s, plus(s, shared(vec({1.0}), "one")));
  Var u = dvec("u");
  In uin(u);
  uin.value = vec({5.0});
  uin.update = plus(u, u);
  auto f = function({uin}, {s});
  (*f)({});
  (*f)({});
  EXPECT_EQ(at(get_value(s), 0), 2.0);
  EXPECT_EQ(at((*f)[u], 0), 20.0);  // the In update still lands on its own container
  FunctionOptions o;
  o.no_default_updates = true;
  auto g = function({}, {s}, o);
  (*g)({});
  EXPECT_EQ(at(get_value(s), 0), 2.0);
  FunctionOptions o2;
  o2.updates = {{s, scale(s, 10.0)}};
  auto h = function({}, {s}, o2);
  (*h)({});
  EXPECT_EQ(at(get_value(s), 0), 20.0);
}

// Options are enums in C++; the names exist only for the binding (set_mode / *_from_name).
TEST(Function, ModeAndUnusedInputNamesParseToEnums) {
  FunctionOptions o;
  set_mode(o, "FAST_RUN-fusion-inplace");
  EXPECT_EQ(o.mode, Mode::FastRun);
  EXPECT_EQ(o.excluding, (std::vector<std::string>{"fusion", "inplace"}));
  EXPECT_EQ(mode_name(o), "FAST_RUN-fusion-inplace");
  set_mode(o, "None");
  EXPECT_EQ(o.mode, Mode::None);
  EXPECT_TRUE(o.excluding.empty());
  EXPECT_THROW(set_mode(o, "FAST"), Error);
  EXPECT_EQ(on_unused_input_from_name("warn"), OnUnusedInput::Warn);
  EXPECT_THROW(on_unused_input_from_name("loud"), Error);
}

// A call resolves keywords and wraps every type error with the input's name and position,
// once; a binding that converts arguments itself (Python) raises through raise_bad_argument,
// so its conversion errors read the same.
TEST(Function, CallsResolveKeywordsAndNameBadInputs) {
  Var x = dvec("x"), y = dvec("y");
  FunctionOptions o;
  o.name = "f";
  FunctionPtr f = function({x, y}, {plus(x, y)}, o);
  EXPECT_EQ(f->input_name(1), "y");
  EXPECT_EQ(f->input_position("y"), 1);
  EXPECT_EQ(f->input_position("z"), -1);
  EXPECT_EQ(at(f->call({vec({1, 2})}, {{"y", vec({1, 2})}})[0], 1), 4.0);
  const std::string want = "bad input argument with name \"y\" to function with name \"f\" at index 1";
  try {
    f->call({vec({1, 2})}, {{"y", NDArray::zeros(DType::Float64, {2, 2})}});  // a matrix for a vector
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Type);
    EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
  }
  try {
    f->raise_bad_argument(1, Error(ErrorKind::Value, "[convert] not a number"));
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_NE(std::string(e.what()).find(want + " (0-based): [convert] not a number"), std::string::npos) << e.what();
  }
  EXPECT_THROW(f->call({vec({1, 2})}, {{"z", vec({1, 2})}}), Error);
  EXPECT_THROW(f->call({vec({1, 2}), vec({1, 2})}, {{"y", vec({1, 2})}}), Error);  // y given twice
}
