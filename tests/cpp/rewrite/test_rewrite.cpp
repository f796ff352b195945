// Tests of the rewrite framework (merge, constant folding, walkers, equilibrium, databases,
// pipeline) with tiny scalar ops defined here, independent of the tensor op library.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <sstream>

#include "hypatia/rewrite/constant_folding.h"
#include "hypatia/rewrite/db.h"
#include "hypatia/rewrite/merge.h"
#include "hypatia/compile/pipeline.h"
#include "hypatia/tensor/tensor_type.h"
#include "support/timing.h"

namespace hypatia {
namespace {

TypePtr f64() {
  static const TypePtr t = TensorType::make(DType::Float64, {});
  return t;
}
TypePtr i64() {
  static const TypePtr t = TensorType::make(DType::Int64, {});
  return t;
}
Var var(const std::string& name) { return make_variable(f64(), name); }
Var cst(double v) { return make_constant(f64(), NDArray::scalar(v)); }
double value_of(const Var& v) { return as_array(*v->constant).item<double>(); }

// Add2{scale}: a + scale * b on float64 scalars. `scale` is its parameter, so two Add2 with
// different scales are different ops and must not merge.
struct Add2Params {
  double scale = 1;
  auto fields() const { return std::tie(scale); }
};
class Add2 final : public OpBase<Add2, Add2Params> {
 public:
  using OpBase::OpBase;
  static constexpr const char* kName = "Add2";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  std::string str() const override { return str_cat("Add2{", params_.scale, "}"); }
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    return Apply::create(ptr(), in, {in.at(0).type()});
  }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    out[0] = NDArray::scalar(as_array(*in[0]).item<double>() + params_.scale * as_array(*in[1]).item<double>());
  }
};
Var add2(const Var& a, const Var& b, double scale = 1) { return apply1(*std::make_shared<Add2>(Add2Params{scale}), {a, b}); }

class Neg final : public OpBase<Neg, NoParams> {
 public:
  static constexpr const char* kName = "Neg";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override { return Apply::create(ptr(), in, {in.at(0).type()}); }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    out[0] = NDArray::scalar(-as_array(*in[0]).item<double>());
  }
};
Var neg(const Var& a) { return apply1(*std::make_shared<Neg>(), {a}); }

// An op constant folding must leave alone (think of a random draw).
class Draw final : public OpBase<Draw, NoParams> {
 public:
  static constexpr const char* kName = "Draw";
  static constexpr int kArity = kVariadic;  // test ops check their own inputs
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override { return Apply::create(ptr(), in, {f64()}); }
  void perform(const Apply&, const Value* const*, Value* out) const override { out[0] = NDArray::scalar(4.0); }
  bool constant_foldable(const Apply&) const override { return false; }
};

/// local_neg_neg: Neg(Neg(x)) -> x.
NodeRewriterPtr local_neg_neg() {
  return make_node_rewriter("local_neg_neg", Tracks{{"Neg"}, {}}, [](FunctionGraph&, Apply* node) -> std::optional<std::vector<Var>> {
    const Var& in = node->input(0);
    if (!in->owner || in->owner->op()->name() != "Neg") return std::nullopt;
    return std::vector<Var>{in->owner->input(0)};
  });
}

/// Rejects every change: the graph must come back unchanged.
class Veto final : public Feature {
 public:
  void validate(const FunctionGraph&) const override { value_error("[Veto] no changes allowed"); }
};

// ---- merge ----

TEST(Merge, FusesDuplicateNodes) {
  Var x = var("x"), y = var("y");
  Var out = add2(add2(x, y), add2(x, y));
  FunctionGraph fg({x, y}, {out});
  EXPECT_EQ(fg.num_nodes(), 3u);
  EXPECT_TRUE(MergeOptimizer().apply(fg));
  EXPECT_EQ(fg.num_nodes(), 2u);
  Apply* top = fg.outputs()[0]->owner;
  EXPECT_EQ(top->input(0), top->input(1));
  EXPECT_FALSE(MergeOptimizer().apply(fg));  // already merged
}

TEST(Merge, KeepsOpsWithDifferentParams) {
  Var x = var("x"), y = var("y");
  Var out = add2(add2(x, y, 1), add2(x, y, 2));
  FunctionGraph fg({x, y}, {out});
  EXPECT_FALSE(MergeOptimizer().apply(fg));
  EXPECT_EQ(fg.num_nodes(), 3u);
}

TEST(Merge, KeepsNodesWithDifferentInputOrder) {
  Var x = var("x"), y = var("y");
  FunctionGraph fg({x, y}, {add2(add2(x, y), add2(y, x))});
  EXPECT_FALSE(MergeOptimizer().apply(fg));
  EXPECT_EQ(fg.num_nodes(), 3u);
}

TEST(Merge, MergesEqualConstantsThenTheirClients) {
  Var x = var("x");
  Var out = add2(add2(x, cst(2.0)), add2(x, cst(2.0)));
  Var other = add2(x, cst(3.0));
  FunctionGraph fg({x}, {out, other});
  EXPECT_TRUE(MergeOptimizer().apply(fg));
  EXPECT_EQ(fg.num_nodes(), 3u);
  Apply* top = fg.outputs()[0]->owner;
  EXPECT_EQ(top->input(0), top->input(1));
  EXPECT_DOUBLE_EQ(value_of(fg.outputs()[1]->owner->input(1)), 3.0);
}

TEST(Merge, DoesNotMergeConstantsOfDifferentTypes) {
  Var a = make_constant(f64(), NDArray::scalar(1.0));
  Var b = make_constant(i64(), NDArray::scalar<int64_t>(1));
  EXPECT_FALSE(values_identical(*a->constant, *b->constant));
  EXPECT_TRUE(values_identical(*a->constant, *cst(1.0)->constant));
  EXPECT_EQ(value_hash(*a->constant), value_hash(*cst(1.0)->constant));
}

TEST(Merge, DuplicateOutputsBecomeOneVariable) {
  Var x = var("x"), y = var("y");
  FunctionGraph fg({x, y}, {add2(x, y), add2(x, y)});
  EXPECT_TRUE(MergeOptimizer().apply(fg));
  EXPECT_EQ(fg.outputs()[0], fg.outputs()[1]);
  EXPECT_EQ(fg.num_nodes(), 1u);
}

TEST(Merge, DeepChainIsFastAndIterative) {
  constexpr int kDepth = 10000;
  Var x = var("x");
  Var a = x, b = x;
  for (int i = 0; i < kDepth; ++i) {
    a = add2(a, x);
    b = add2(b, x);
  }
  FunctionGraph fg({x}, {a, b});
  EXPECT_EQ(fg.num_nodes(), 2u * kDepth);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(MergeOptimizer().apply(fg));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(fg.num_nodes(), static_cast<size_t>(kDepth));
  EXPECT_EQ(fg.outputs()[0], fg.outputs()[1]);
  if (hypatia::testing::timing_asserts_enabled()) EXPECT_LT(secs, 2.0);
}

TEST(Merge, VetoingFeatureStopsTheMerge) {
  Var x = var("x"), y = var("y");
  FunctionGraph fg({x, y}, {add2(add2(x, y), add2(x, y))});
  fg.attach_feature(std::make_shared<Veto>());
  EXPECT_FALSE(MergeOptimizer().apply(fg));
  EXPECT_EQ(fg.num_nodes(), 3u);
  Apply* top = fg.outputs()[0]->owner;
  EXPECT_FALSE(top->input(0) == top->input(1));
}

// ---- constant folding ----

TEST(ConstantFolding, EvaluatesAllConstantNodes) {
  Var x = var("x");
  Var folded = add2(add2(cst(1.0), cst(2.0)), cst(3.0), 10);  // (1 + 2) + 10 * 3
  FunctionGraph fg({x}, {add2(x, folded)});
  EXPECT_EQ(fg.num_nodes(), 3u);
  EXPECT_TRUE(constant_folding()->apply(fg));
  EXPECT_EQ(fg.num_nodes(), 1u);
  const Var& c = fg.outputs()[0]->owner->input(1);
  ASSERT_TRUE(c->is_constant());
  EXPECT_TRUE(same_type(c.type(), f64()));
  EXPECT_DOUBLE_EQ(value_of(c), 33.0);
}

TEST(ConstantFolding, FoldsAConstantOutput) {
  Var x = var("x");
  FunctionGraph fg({x}, {neg(cst(2.5))});
  EXPECT_TRUE(constant_folding()->apply(fg));
  ASSERT_TRUE(fg.outputs()[0]->is_constant());
  EXPECT_DOUBLE_EQ(value_of(fg.outputs()[0]), -2.5);
}

TEST(ConstantFolding, LeavesNonFoldableOpsAndVariables) {
  Var x = var("x");
  Var d = apply1(*std::make_shared<Draw>(), {cst(1.0)});
  FunctionGraph fg({x}, {add2(x, d)});
  EXPECT_FALSE(constant_folding()->apply(fg));
  EXPECT_EQ(fg.num_nodes(), 2u);
}

// ---- node rewriters, walkers, equilibrium ----

TEST(Rewriter, TracksFilterNodes) {
  Tracks by_name{{"Neg"}, {}};
  Tracks by_type{{}, {typeid(Add2)}};
  EXPECT_TRUE(by_name.matches(Neg()));
  EXPECT_FALSE(by_name.matches(Add2()));
  EXPECT_TRUE(by_type.matches(Add2()));
  EXPECT_FALSE(by_type.matches(Neg()));
  EXPECT_TRUE(Tracks{}.matches(Neg()));
}

TEST(Rewriter, InToOutRemovesDoubleNegations) {
  Var x = var("x");
  FunctionGraph fg({x}, {add2(neg(neg(neg(neg(x)))), x)});
  EXPECT_TRUE(in2out("neg", {local_neg_neg()})->apply(fg));
  EXPECT_EQ(fg.num_nodes(), 1u);
  EXPECT_EQ(fg.outputs()[0]->owner->input(0), fg.inputs()[0]);
}

TEST(Rewriter, TypeChangingReplacementIsSkipped) {
  Var x = var("x");
  auto bad = make_node_rewriter("local_bad", Tracks{{"Neg"}, {}}, [](FunctionGraph&, Apply*) {
    return std::optional<std::vector<Var>>(std::vector<Var>{make_variable(i64())});
  });
  FunctionGraph fg({x}, {neg(x)});
  EXPECT_FALSE(apply_node_rewriter(fg, fg.outputs()[0]->owner, *bad));
  EXPECT_EQ(fg.outputs()[0]->owner->op()->name(), "Neg");
}

TEST(Rewriter, VetoingFeatureStopsAReplacement) {
  Var x = var("x");
  FunctionGraph fg({x}, {neg(neg(x))});
  fg.attach_feature(std::make_shared<Veto>());
  EXPECT_FALSE(apply_node_rewriter(fg, fg.outputs()[0]->owner, *local_neg_neg()));
  EXPECT_EQ(fg.num_nodes(), 2u);
}

TEST(Equilibrium, ReachesAFixpoint) {
  // neg(neg(x)) + neg(neg(x)) with constants: folding, merging and neg-elimination interact.
  Var x = var("x");
  Var out = add2(neg(neg(add2(x, neg(neg(cst(2.0)))))), neg(neg(add2(x, cst(2.0)))));
  FunctionGraph fg({x}, {out});
  EquilibriumGraphRewriter eq("canon", {local_neg_neg(), constant_folding_rewriter()},
                              {std::make_shared<MergeOptimizer>()});
  int rounds = 0;
  EXPECT_TRUE(eq.apply(fg, &rounds));
  EXPECT_GE(rounds, 2);
  EXPECT_LT(rounds, eq.max_rounds());
  EXPECT_EQ(fg.num_nodes(), 2u);  // add2(t, t) with t = add2(x, 2.0)
  Apply* top = fg.outputs()[0]->owner;
  EXPECT_EQ(top->input(0), top->input(1));
  EXPECT_FALSE(eq.apply(fg));  // a fixpoint stays put
}

TEST(Equilibrium, StopsAtTheRoundCap) {
  // A rewrite that always fires (rebuilds its node) never reaches a fixpoint.
  auto churn = make_node_rewriter("local_churn", Tracks{{"Neg"}, {}}, [](FunctionGraph&, Apply* node) {
    return std::optional<std::vector<Var>>(std::vector<Var>{neg(node->input(0))});
  });
  Var x = var("x");
  FunctionGraph fg({x}, {neg(x)});
  EquilibriumGraphRewriter eq("churn", {churn}, {}, 3);
  int rounds = 0;
  EXPECT_TRUE(eq.apply(fg, &rounds));
  EXPECT_EQ(rounds, 3);
  EXPECT_EQ(fg.num_nodes(), 1u);
}

// ---- databases and queries ----

/// A graph rewriter that only records that it ran.
class Recorder final : public GraphRewriter {
 public:
  Recorder(std::string name, std::vector<std::string>* log) : name_(std::move(name)), log_(log) {}
  std::string name() const override { return name_; }
  bool apply(FunctionGraph&) const override {
    log_->push_back(name_);
    return false;
  }

 private:
  std::string name_;
  std::vector<std::string>* log_;
};

TEST(Query, IncludeRequireExcludeAndNames) {
  Query q{{"fast_run"}, {}, {}};
  EXPECT_TRUE(q.matches("a", {"fast_run", "x"}));
  EXPECT_FALSE(q.matches("a", {"fast_compile"}));
  EXPECT_FALSE(q.requiring("x").matches("a", {"fast_run"}));
  EXPECT_TRUE(q.requiring("x").matches("a", {"fast_run", "x"}));
  EXPECT_FALSE(q.excluding("x").matches("a", {"fast_run", "x"}));
  EXPECT_TRUE((Query{{"a"}, {}, {}}.matches("a", {})));  // the name is a tag
  EXPECT_FALSE((Query{}.matches("a", {"fast_run"})));   // include nothing, get nothing
}

TEST(SequenceDB, RunsSelectedPhasesByPosition) {
  std::vector<std::string> log;
  SequenceDB db("optdb");
  db.register_rewrite("late", std::make_shared<Recorder>("late", &log), {"fast_run"}, 100);
  db.register_rewrite("early", std::make_shared<Recorder>("early", &log), {"fast_run", "fast_compile"}, 0);
  db.register_rewrite("middle", std::make_shared<Recorder>("middle", &log), {"fast_run", "slow"}, 1.5);
  EXPECT_THROW(db.register_rewrite("late", std::make_shared<Recorder>("x", &log), {}, 3), Error);

  Var x = var("x");
  FunctionGraph fg({x}, {neg(x)});
  db.query(Query{{"fast_run"}, {}, {}})->apply(fg);
  EXPECT_EQ(log, (std::vector<std::string>{"early", "middle", "late"}));
  log.clear();
  db.query(Query{{"fast_run"}, {}, {"slow"}})->apply(fg);
  EXPECT_EQ(log, (std::vector<std::string>{"early", "late"}));
  log.clear();
  db.query(Query{{"fast_compile"}, {}, {}})->apply(fg);
  EXPECT_EQ(log, (std::vector<std::string>{"early"}));
  EXPECT_EQ(db.query(Query{{"nothing"}, {}, {}}), nullptr);
}

TEST(EquilibriumDB, NestedQuerySelectsRewritesByTag) {
  SequenceDB optdb("optdb");
  auto canon = std::make_shared<EquilibriumDB>("canonicalize");
  canon->register_rewrite("local_neg_neg", local_neg_neg(), {"fast_run"});
  canon->register_rewrite("constant_folding", constant_folding_rewriter(), {"fast_run", "fast_compile"});
  optdb.register_rewrite("canonicalize", canon, {"fast_run", "fast_compile"}, 1);
  EXPECT_EQ(optdb.sub("canonicalize"), canon);
  EXPECT_THROW(optdb.sub("nope"), Error);

  Var x = var("x");
  auto build = [&] { return add2(neg(neg(x)), neg(cst(1.0))); };
  {
    FunctionGraph fg({x}, {build()});
    optdb.query(Query{{"fast_compile"}, {}, {}})->apply(fg);  // folding only
    EXPECT_EQ(fg.num_nodes(), 3u);
  }
  {
    FunctionGraph fg({x}, {build()});
    optdb.query(Query{{"fast_run"}, {}, {}})->apply(fg);  // folding and neg elimination
    EXPECT_EQ(fg.num_nodes(), 1u);
  }
}

// ---- the standard pipeline ----

TEST(Pipeline, ModesSelectPhases) {
  auto build = [] {
    Var x = var("x");
    return std::pair{x, add2(add2(x, add2(cst(1.0), cst(2.0))), add2(x, cst(3.0)))};
  };
  {
    auto [x, out] = build();
    FunctionGraph fg({x}, {out});
    optimize_graph(fg, "None");
    EXPECT_EQ(fg.num_nodes(), 4u);
  }
  for (const char* mode : {"FAST_COMPILE", "FAST_RUN"}) {
    auto [x, out] = build();
    FunctionGraph fg({x}, {out});
    optimize_graph(fg, mode);
    EXPECT_EQ(fg.num_nodes(), 2u) << mode;  // folded 1 + 2 == 3, then merged
  }
  Var x = var("x");
  FunctionGraph fg({x}, {neg(x)});
  try {
    optimize_graph(fg, "FAST_EST");
    FAIL() << "expected a ValueError";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_EQ(std::string(e.what()).rfind("[function] unknown mode", 0), 0u) << e.what();
  }
}

TEST(Pipeline, DescribesPhasesInOrder) {
  std::string text = describe_pipeline("FAST_RUN");
  size_t m1 = text.find("merge1"), c = text.find("canonicalize"), s = text.find("stabilize"),
         sp = text.find("specialize"), m3 = text.find("merge3");
  ASSERT_NE(m1, std::string::npos);
  EXPECT_LT(m1, c);
  EXPECT_LT(c, s);
  EXPECT_LT(s, sp);
  EXPECT_LT(sp, m3);
  EXPECT_NE(text.find("constant_folding"), std::string::npos);
  EXPECT_NE(describe_pipeline("None").find("(nothing)"), std::string::npos);
  EXPECT_EQ(mode_rewriter("FAST_RUN"), mode_rewriter("FAST_RUN"));  // cached
}

// The in-place phase sits at its named position between the last two merges, and a mode that
// excludes the tag does not run it.
TEST(Pipeline, DescribeShowsTheInplacePhase) {
  const std::string text = describe_pipeline("FAST_RUN");
  const size_t runs = text.find("mode FAST_RUN runs:");
  ASSERT_NE(runs, std::string::npos);
  const size_t m2 = text.find("merge2", runs), ip = text.find("inplace", runs), m3 = text.find("merge3", runs);
  ASSERT_NE(ip, std::string::npos) << text;
  EXPECT_LT(m2, ip);
  EXPECT_LT(ip, m3);
  EXPECT_NE(text.find("60\tinplace"), std::string::npos) << text;
  const std::string off = describe_pipeline("FAST_RUN-inplace");
  EXPECT_EQ(off.find("inplace (generic", off.find("runs:")), std::string::npos) << off;
  // Positions are named in pipeline.cpp only: no family phase adds an optdb entry of its own.
  std::set<std::string> phases;
  for (const auto& e : standard_optdb().entries()) phases.insert(e.name);
  EXPECT_EQ(phases, (std::set<std::string>{"merge1", "canonicalize", "stabilize", "specialize", "fusion", "merge2",
                                           "inplace", "merge3"}));
}

// add() writes a rewrite's name once: the entry and the rewriter carry the same name.
TEST(RewriteDatabase, AddNamesEntryAndRewriterOnce) {
  EquilibriumDB db("db");
  db.add("local_noop", {}, [](FunctionGraph&, Apply*) -> std::optional<std::vector<Var>> { return std::nullopt; },
         {"fast_run"});
  ASSERT_EQ(db.entries().size(), 1u);
  EXPECT_EQ(db.entries()[0].name, "local_noop");
  const auto* rw = std::get_if<NodeRewriterPtr>(&db.entries()[0].item);
  ASSERT_TRUE(rw && *rw);
  EXPECT_EQ((*rw)->name(), "local_noop");
  EXPECT_THROW(db.add("local_noop", {}, [](FunctionGraph&, Apply*) -> std::optional<std::vector<Var>> { return std::nullopt; }, {}),
               Error);
}

}  // namespace
}  // namespace hypatia
