// Settings behind hypatia.config: mode tags (-/+/&), the OpenMP switch and threshold, the
// variable type hook (warn_float64) and exception verbosity.
#include <gtest/gtest.h>

#include <stdexcept>

#include "hypatia/compile/function.h"
#include "hypatia/compile/pipeline.h"
#include "hypatia/graph/variable_hook.h"
#include "hypatia/link/exception_verbosity.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/util/parallel.h"

using namespace hypatia;

TEST(ConfigModeTags, ParsesExcludeIncludeRequire) {
  ModeSpec s = parse_mode("FAST_RUN-fusion+local_x&merge-inplace");
  EXPECT_EQ(s.base, "FAST_RUN");
  EXPECT_EQ(s.excluding, (std::vector<std::string>{"fusion", "inplace"}));
  EXPECT_EQ(s.including, (std::vector<std::string>{"local_x"}));
  EXPECT_EQ(s.requiring, (std::vector<std::string>{"merge"}));
  std::optional<Query> q = mode_query("FAST_COMPILE+fusion&merge");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->include, (std::set<std::string>{"fast_compile", "fusion"}));
  EXPECT_EQ(q->require, (std::set<std::string>{"merge"}));
  FunctionOptions o;
  set_mode(o, "FAST_RUN-fusion+a&b");
  EXPECT_EQ(mode_name(o), "FAST_RUN-fusion+a&b");
}

TEST(ConfigModeTags, RejectsBadNames) {
  for (const char* bad : {"FAST", "FAST_RUN+", "None-fusion", "FAST_RUN&"}) {
    try {
      parse_mode(bad);
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Value);
      EXPECT_EQ(std::string(e.what()).rfind("[function] ", 0), 0u) << e.what();
    }
  }
}

TEST(ConfigModeTags, RequiringMergeRunsOnlyMerges) {
  Var x = vector(DType::Float64, "x");
  Var out = mul(add(x, constant_int(0)), constant_int(1));
  FunctionGraph as_built({x}, {out});
  FunctionGraph only_merge({x}, {out});
  optimize_graph(only_merge, "FAST_RUN&merge");
  EXPECT_EQ(only_merge.num_nodes(), as_built.num_nodes());  // nothing to merge, nothing simplified
  FunctionGraph full({x}, {out});
  optimize_graph(full, "FAST_RUN");
  EXPECT_LT(full.num_nodes(), as_built.num_nodes());
}

TEST(ConfigParallel, SwitchAndThreshold) {
  const bool was = openmp_enabled();
  set_openmp(false);
  EXPECT_EQ(max_threads(), 1);
  set_openmp(true);
  EXPECT_GE(max_threads(), 1);
  set_openmp(was);
  const int64_t old = elemwise_minsize();
  set_elemwise_minsize(5);
  EXPECT_EQ(elemwise_minsize(), 5);
  EXPECT_THROW(set_elemwise_minsize(0), Error);
  set_elemwise_minsize(old);
}

TEST(ConfigHook, SeesEveryNewVariableTypeAndMayThrow) {
  int seen = 0;
  set_variable_type_hook([&](const TypePtr& t) {
    ++seen;
    if (t->str().find("float16") != std::string::npos) throw std::runtime_error("no float16");
  });
  Var x = vector(DType::Float64, "x");  // input
  Var y = add(x, x);                    // one op output
  EXPECT_EQ(seen, 2);
  EXPECT_THROW(vector(DType::Float16, "h"), std::runtime_error);
  set_variable_type_hook({});
  Var h = vector(DType::Float16, "h");
  EXPECT_EQ(seen, 3);
}

TEST(ConfigExceptionVerbosity, HighAddsADebugprint) {
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  auto f = function({x, y}, {add(x, y)});
  auto message = [&] {
    try {
      (*f)({NDArray::zeros(DType::Float64, {2}), NDArray::zeros(DType::Float64, {3})});
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  std::string low = message();
  EXPECT_NE(low.find("HINT: Use the Hypatia flag 'exception_verbosity=high'"), std::string::npos) << low;
  set_exception_verbosity_high(true);
  std::string high = message();
  set_exception_verbosity_high(false);
  EXPECT_NE(high.find("Debugprint of the apply node:"), std::string::npos) << high;
  EXPECT_EQ(high.find("HINT"), std::string::npos) << high;
}
