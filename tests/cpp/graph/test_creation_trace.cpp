// Creation traces: the hook, suspension while compiling, inheritance through clones and replacements, formatting.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "hypatia/graph/function_graph.h"
#include "support/test_ops.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

/// Installs a hook that reports one frame at `line` of `file` for as long as it lives.
struct FakeHook {
  int line = 1;
  std::string file = "user.py";
  FakeHook() {
    set_creation_trace_hook([this](bool compiling) {
      return std::make_shared<const CreationTrace>(CreationTrace{{file, line, compiling ? "compile" : "build"}});
    });
  }
  ~FakeHook() { set_creation_trace_hook(nullptr); }
};

}  // namespace

TEST(CreationTrace, NoneWithoutAHook) {
  Var x = dvec("x");
  EXPECT_EQ(x->trace, nullptr);
  EXPECT_EQ(plus(x, x)->trace, nullptr);
}

TEST(CreationTrace, HookRecordsInputsAndNodeOutputsAndSuspensionStopsIt) {
  FakeHook hook;
  hook.line = 7;
  Var x = dvec("x");
  ASSERT_NE(x->trace, nullptr);
  EXPECT_EQ((*x->trace)[0].line, 7);
  hook.line = 9;
  Var y = plus(x, x);
  ASSERT_NE(y->trace, nullptr);
  EXPECT_EQ((*y->trace)[0].line, 9);
  {
    CreationTraceSuspend off;
    EXPECT_EQ(plus(x, y)->trace, nullptr);
  }
  EXPECT_NE(plus(x, y)->trace, nullptr);
  set_creation_trace_hook([](bool compiling) {
    return std::make_shared<const CreationTrace>(CreationTrace{{"f.py", 1, compiling ? "compile" : "build"}});
  }, true);  // traceback.compile_limit > 0: recorded while compiling too
  {
    CreationTraceSuspend compiling;
    Var z = plus(x, y);
    ASSERT_NE(z->trace, nullptr);
    EXPECT_EQ((*z->trace)[0].function, "compile");
  }
}

TEST(CreationTrace, ClonesKeepAndReplacementsInheritTheTrace) {
  Var x = dvec("x"), y, z;
  {
    FakeHook hook;
    hook.line = 3;
    y = plus(x, x);
  }
  z = scale(x, 2.0);  // made without a hook: no trace of its own
  ASSERT_EQ(z->trace, nullptr);
  FunctionGraph fg({x}, {scale(y, 3.0)}, true);
  Var y_copy = fg.outputs()[0]->owner->input(0);
  ASSERT_NE(y_copy->trace, nullptr);
  EXPECT_EQ((*y_copy->trace)[0].line, 3);
  Var z_copy = plus(fg.inputs()[0], fg.inputs()[0]);
  ASSERT_EQ(z_copy->trace, nullptr);
  fg.replace(y_copy, z_copy, "test");
  ASSERT_NE(z_copy->trace, nullptr);
  EXPECT_EQ((*z_copy->trace)[0].line, 3);
}

TEST(CreationTrace, FormatShowsEachLevelWithItsSourceLine) {
  char path[] = "/tmp/hypatia_trace_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "first\n    y = T.dot(a, b)  \n";
  }
  const std::string text = format_creation_trace({{path, 2, "build"}, {path, 99, "gone"}});
  EXPECT_EQ(text, str_cat("  File \"", path, "\", line 2, in build\n    y = T.dot(a, b)\n  File \"", path, "\", line 99, in gone\n"));
  std::remove(path);
}
