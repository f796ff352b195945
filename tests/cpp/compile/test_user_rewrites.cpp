// Rewrites added at run time (rewrite/user_rewrites.h): run in their phase from the next compile on.
#include <gtest/gtest.h>

#include "hypatia/compile/function.h"
#include "hypatia/compile/pipeline.h"
#include "hypatia/rewrite/user_rewrites.h"
#include "support/test_ops.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {
// ScaleOp{a}(ScaleOp{b}(x)) -> ScaleOp{a*b}(x)
NodeRewriterPtr scale_scale(const std::string& name) {
  Tracks t;
  t.op_types = {std::type_index(typeid(ScaleOp))};
  return make_node_rewriter(name, t, [](FunctionGraph&, Apply* node) -> std::optional<std::vector<Var>> {
    Apply* inner = node->input(0).owner();
    if (!inner || !dynamic_cast<const ScaleOp*>(inner->op().get())) return std::nullopt;
    double a = static_cast<const ScaleOp&>(*node->op()).params().factor;
    double b = static_cast<const ScaleOp&>(*inner->op()).params().factor;
    return std::vector<Var>{scale(inner->input(0), a * b)};
  });
}
int count_nodes(const Function& f) { return static_cast<int>(f.fgraph().toposort().size()); }
}  // namespace

TEST(UserRewrites, RunInTheirPhaseFromTheNextCompileOn) {
  clear_user_rewrites();
  Var x = dvec("x");
  Var y = scale(scale(x, 2.0), 3.0);
  EXPECT_EQ(count_nodes(*function({x}, {y})), 2);  // nothing added yet
  add_user_rewrite("canonicalize", scale_scale("local_scale_scale"));
  auto f = function({x}, {y});
  ASSERT_EQ(count_nodes(*f), 1);
  Apply* n = f->fgraph().toposort()[0];
  EXPECT_EQ(static_cast<const ScaleOp&>(*n->op()).params().factor, 6.0);
  FunctionOptions fast_compile;
  set_mode(fast_compile, "FAST_COMPILE");
  EXPECT_EQ(count_nodes(*function({x}, {y}, fast_compile)), 2);  // tagged fast_run only
  clear_user_rewrites();
  EXPECT_EQ(count_nodes(*function({x}, {y})), 2);
}

TEST(UserRewrites, UnknownPhaseAndDuplicateNamesAreValueErrors) {
  clear_user_rewrites();
  try {
    add_user_rewrite("fusion", scale_scale("local_a"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_NE(std::string(e.what()).find("unknown phase 'fusion'"), std::string::npos);
  }
  add_user_rewrite("specialize", scale_scale("local_a"));
  try {
    add_user_rewrite("specialize", scale_scale("local_a"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_NE(std::string(e.what()).find("'local_a' is already registered in specialize"), std::string::npos);
  }
  add_user_rewrite("canonicalize", scale_scale("local_a"));  // the same name in another phase is fine
  clear_user_rewrites();
}
