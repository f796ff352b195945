// FunctionGraph: cloning, clients, replacement with import/prune, vetoes, deep graphs.
#include <gtest/gtest.h>

#include "hypatia/graph/function_graph.h"
#include "support/test_ops.h"

using namespace hypatia;
using namespace hypatia::testing;

TEST(FunctionGraph, ClonesAndTracksClients) {
  Var x = dvec("x");
  Var a = scale(x, 2.0);
  Var out = plus(a, a);
  FunctionGraph fg({x}, {out});
  EXPECT_EQ(fg.num_nodes(), 2u);
  EXPECT_FALSE(fg.inputs()[0] == x);  // cloned
  EXPECT_EQ(fg.inputs()[0]->name, "x");
  Var fa = fg.equiv().at(a.get());
  EXPECT_EQ(fg.clients(fa.get()).size(), 2u);
  EXPECT_EQ(fg.toposort().size(), 2u);
  EXPECT_EQ(fg.toposort()[0]->op()->name(), "ScaleOp");
}

TEST(FunctionGraph, ReplaceImportsNewNodesAndPrunesOldOnes) {
  Var x = dvec("x");
  Var out = scale(scale(x, 2.0), 3.0);
  FunctionGraph fg({x}, {out});
  Var inner = fg.outputs()[0]->owner->input(0);
  Var replacement = scale(fg.inputs()[0], 5.0);
  fg.replace(inner, replacement, "test");
  EXPECT_EQ(fg.num_nodes(), 2u);
  EXPECT_TRUE(fg.contains(replacement.get()));
  EXPECT_FALSE(fg.contains(inner.get()));
  EXPECT_EQ(fg.outputs()[0]->owner->input(0), replacement);
}

TEST(FunctionGraph, MissingInputRaises) {
  Var x = dvec("x"), y = dvec("y");
  try {
    FunctionGraph fg({x}, {plus(x, y)});
    FAIL() << "expected MissingInput";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::MissingInput);
    EXPECT_NE(std::string(e.what()).find("y"), std::string::npos);
  }
}

namespace {
class VetoScale5 : public Feature {
 public:
  void validate(const FunctionGraph& fg) const override {
    for (Apply* n : fg.toposort())
      if (n->op()->str() == "ScaleOp{5}") throw Error(ErrorKind::Value, "[VetoScale5] no");
  }
};
}  // namespace

TEST(FunctionGraph, ReplaceValidateRevertsOnVeto) {
  Var x = dvec("x");
  FunctionGraph fg({x}, {scale(x, 2.0)});
  fg.attach_feature(std::make_shared<VetoScale5>());
  Var old = fg.outputs()[0];
  EXPECT_FALSE(fg.replace_validate({{old, scale(fg.inputs()[0], 5.0)}}));
  EXPECT_EQ(fg.outputs()[0], old);
  EXPECT_TRUE(fg.contains(old.get()));
  EXPECT_TRUE(fg.replace_validate({{old, scale(fg.inputs()[0], 4.0)}}));
  EXPECT_EQ(fg.outputs()[0]->owner->op()->str(), "ScaleOp{4}");
}

TEST(FunctionGraph, DeepChainNeedsNoRecursion) {
  Var x = dvec("x");
  Var y = x;
  for (int i = 0; i < 100000; ++i) y = scale(y, 1.0);
  FunctionGraph fg({x}, {y});
  EXPECT_EQ(fg.num_nodes(), 100000u);
  EXPECT_EQ(fg.toposort().size(), 100000u);
}

TEST(Op, ParamsGiveEqualityAndHash) {
  ScaleOp a({2.0}), b({2.0}), c({3.0});
  EXPECT_TRUE(a.equals(b));
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_FALSE(a.equals(c));
  EXPECT_FALSE(a.equals(PlusOp()));
}
