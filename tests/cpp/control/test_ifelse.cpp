// ifelse: values, laziness in the VM, shapes, gradients, rewrites, errors and threads.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "hypatia/compile/jacobian.h"
#include "hypatia/compile/verify_grad.h"
#include "hypatia/control/ops/ifelse.h"
#include "hypatia/grad/grad.h"
#include "hypatia/sparse/sparse.h"
#include "hypatia/tensor/tensor.h"
#include "support/sparse_random.h"
#include "tensor/helpers.h"

using namespace hypatia;
using namespace hypatia::test;
using hypatia::testing::dense_reference;
using hypatia::testing::random_sparse;

namespace {

// y = x, counting its runs: tells whether a branch was evaluated.
std::atomic<int> g_runs{0};
class CountOp final : public OpBase<CountOp, NoParams> {
 public:
  static constexpr const char* kName = "CountOp";
  static constexpr int kArity = 1;
  using OpBase::OpBase;
  ApplyPtr make_node_checked(const std::vector<Var>& in) const override {
    return Apply::create(ptr(), in, {in[0].type()});
  }
  void perform(const Apply&, const Value* const* in, Value* out) const override {
    ++g_runs;
    out[0] = deep_copy(*in[0]);
  }
  std::vector<Var> vjp(const Apply&, const std::vector<Var>& g) const override { return {g[0]}; }
};
Var counted(const Var& x) { return apply1(*std::make_shared<CountOp>(), {x}); }

std::vector<Value> call(const FunctionPtr& f, const std::vector<Value>& args) { return (*f)(args); }
NDArray arr(const Value& v) { return std::get<NDArray>(v); }
NDArray scalar_of(DType d, double v) { return NDArray::from_vector<double>({v}, {}).astype(d); }

FunctionPtr compile(const std::vector<Var>& ins, const std::vector<Var>& outs, Mode mode = Mode::FastRun) {
  FunctionOptions o;
  o.mode = mode;
  o.on_unused_input = OnUnusedInput::Ignore;
  std::vector<In> in(ins.begin(), ins.end());
  std::vector<Out> out(outs.begin(), outs.end());
  return function(in, out, o);
}

int count_ops(const FunctionGraph& fg, const std::string& name) {
  int n = 0;
  for (Apply* node : fg.toposort()) n += node->op()->name() == name;
  return n;
}

}  // namespace

TEST(IfElse, ChoosesBranchValuesForSeveralOutputsAndDtypes) {
  for (DType d : {DType::Float32, DType::Float64}) {
    Var c = scalar(DType::Float64, "c");
    Var x = matrix(d, "x"), y = matrix(d, "y"), u = vector(d, "u"), w = vector(d, "w");
    std::vector<Var> outs = ifelse(c, {mul(x, constant(2.0)), u}, {y, add(w, w)});
    ASSERT_EQ(outs.size(), 2u);
    EXPECT_EQ(outs[0].type()->str(), x.type()->str());
    for (Mode m : {Mode::FastRun, Mode::FastCompile, Mode::None}) {
      auto f = compile({c, x, y, u, w}, outs, m);
      NDArray xv = seq(d, {2, 3}), yv = seq(d, {4, 5}, 10), uv = seq(d, {3}), wv = seq(d, {2}, 5);
      auto r = call(f, {scalar_of(DType::Float64, 1.0), xv, yv, uv, wv});
      expect_near_array(arr(r[0]), {2, 4, 6, 8, 10, 12}, {2, 3});
      expect_near_array(arr(r[1]), {1, 2, 3}, {3});
      EXPECT_EQ(arr(r[0]).dtype(), d);
      r = call(f, {scalar_of(DType::Float64, 0.0), xv, yv, uv, wv});
      EXPECT_EQ(arr(r[0]).shape(), (Shape{4, 5}));
      EXPECT_EQ(at(arr(r[0]), 19), 29.0);
      expect_near_array(arr(r[1]), {10, 12}, {2});
    }
  }
}

TEST(IfElse, ConditionMayBeBoolIntOrFloatAndOutputsDoNotAliasInputs) {
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  for (DType cd : {DType::Bool, DType::Int32, DType::Float32}) {
    Var c = scalar(cd, "c");
    auto f = compile({c, x, y}, {ifelse(c, x, y)});
    NDArray xv = seq(DType::Float64, {3}), yv = seq(DType::Float64, {3}, 7);
    NDArray r = arr(call(f, {scalar_of(cd, 1), xv, yv})[0]);
    EXPECT_EQ(at(r, 0), 1.0);
    EXPECT_FALSE(r.may_share_memory(xv));
    EXPECT_EQ(at(arr(call(f, {scalar_of(cd, 0), xv, yv})[0]), 0), 7.0);
  }
}

TEST(IfElse, UntakenBranchDoesNotRun) {
  Var c = scalar(DType::Float64, "c");
  Var x = matrix(DType::Float64, "x"), y = matrix(DType::Float64, "y");
  Var z = ifelse(c, mean(counted(x)), mean(y));
  for (Mode m : {Mode::FastRun, Mode::None}) {
    auto f = compile({c, x, y}, {z}, m);
    NDArray xv = seq(DType::Float64, {3, 2}), yv = seq(DType::Float64, {2, 2});
    g_runs = 0;
    EXPECT_NEAR(at(arr(call(f, {scalar_of(DType::Float64, 0.0), xv, yv})[0]), 0), 2.5, 1e-12);
    EXPECT_EQ(g_runs.load(), 0);
    EXPECT_NEAR(at(arr(call(f, {scalar_of(DType::Float64, 1.0), xv, yv})[0]), 0), 3.5, 1e-12);
    EXPECT_EQ(g_runs.load(), 1);
  }
}

TEST(IfElse, UntakenBranchThatWouldRaiseIsNotEvaluated) {
  Var c = scalar(DType::Float64, "c");
  Var x = vector(DType::Float64, "x");
  // SpecifyShape raises at run time unless x has 5 entries.
  Var z = ifelse(c, sum(specify_shape(x, {int64_constant(5)})), sum(x));
  auto f = compile({c, x}, {z}, Mode::None);
  NDArray xv = seq(DType::Float64, {3});
  EXPECT_EQ(at(arr(call(f, {scalar_of(DType::Float64, 0.0), xv})[0]), 0), 6.0);
  expect_error(ErrorKind::Value, [&] { call(f, {scalar_of(DType::Float64, 1.0), xv}); }, "SpecifyShape");
}

TEST(IfElse, LazyWithoutGarbageCollectionKeepsNoStaleValues) {
  // allow_gc=false keeps values in their slots between calls: a skipped node must not leave
  // last call's value (nor its selector) standing for this call's.
  Var a = scalar(DType::Float64, "a"), b = scalar(DType::Float64, "b");
  Var x = vector(DType::Float64, "x");
  Var z = ifelse(gt(a, constant(0.0)), ifelse(gt(b, constant(0.0)), counted(x), mul(x, constant(2.0))),
                 mul(x, constant(3.0)));
  FunctionOptions o;
  o.allow_gc = false;
  auto f = function({a, b, x}, {z}, o);
  NDArray xv = seq(DType::Float64, {2});
  struct Case { double a, b, want; int runs; };
  for (Case k : {Case{1, 1, 1, 1}, Case{0, 1, 3, 0}, Case{1, 0, 2, 0}, Case{1, 1, 1, 1}, Case{0, 0, 3, 0}}) {
    g_runs = 0;
    EXPECT_EQ(at(arr(call(f, {scalar_of(DType::Float64, k.a), scalar_of(DType::Float64, k.b), xv})[0]), 1), 2 * k.want);
    EXPECT_EQ(g_runs.load(), k.runs) << k.a << " " << k.b;
  }
}

TEST(IfElse, NodeAlsoNeededOutsideTheBranchAlwaysRuns) {
  Var c = scalar(DType::Float64, "c");
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  Var cx = counted(x);
  auto f = compile({c, x, y}, {ifelse(c, cx, y), sum(cx)}, Mode::None);
  g_runs = 0;
  auto r = call(f, {scalar_of(DType::Float64, 0.0), seq(DType::Float64, {2}), seq(DType::Float64, {2}, 3)});
  EXPECT_EQ(g_runs.load(), 1);
  EXPECT_EQ(at(arr(r[1]), 0), 3.0);
}

TEST(IfElse, NestedIfElseRunsOnlyTheChosenPath) {
  Var a = scalar(DType::Float64, "a"), b = scalar(DType::Float64, "b");
  Var x = vector(DType::Float64, "x");
  // a ? (b ? 1x : 2x) : 3x, with each branch counted and the inner condition counted too.
  Var inner = ifelse(gt(counted(b), constant(0.0)), counted(x), mul(counted(x), constant(2.0)));
  Var z = ifelse(gt(a, constant(0.0)), inner, mul(counted(x), constant(3.0)));
  auto f = compile({a, b, x}, {z}, Mode::None);
  NDArray xv = seq(DType::Float64, {2});
  struct Case { double a, b, want; int runs; };
  for (Case k : {Case{1, 1, 1, 2}, Case{1, 0, 2, 2}, Case{0, 1, 3, 1}, Case{0, 0, 3, 1}}) {
    g_runs = 0;
    auto r = call(f, {scalar_of(DType::Float64, k.a), scalar_of(DType::Float64, k.b), xv});
    EXPECT_EQ(at(arr(r[0]), 0), k.want) << k.a << " " << k.b;
    EXPECT_EQ(g_runs.load(), k.runs) << k.a << " " << k.b;
  }
}

TEST(IfElse, VmIsLazyOnlyWithLazyOps) {
  Var c = scalar(DType::Float64, "c");
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  FunctionGraph lazy({c, x, y}, {ifelse(c, exp(x), log(y))}, true);
  VM vm(lazy);
  EXPECT_TRUE(vm.lazy());
  auto frame = vm.make_frame();
  frame->slot(vm.slot_of(lazy.inputs()[0].get())) = scalar_of(DType::Float64, 1.0);
  frame->slot(vm.slot_of(lazy.inputs()[1].get())) = seq(DType::Float64, {2});
  frame->slot(vm.slot_of(lazy.inputs()[2].get())) = seq(DType::Float64, {2});
  vm.run(*frame);
  EXPECT_EQ(VM::skipped(*frame), 1);  // log(y)
  FunctionGraph plain({x, y}, {add(exp(x), log(y))}, true);
  EXPECT_FALSE(VM(plain).lazy());
  // Branches that are graph inputs guard nothing: nothing to skip.
  FunctionGraph inputs_only({c, x, y}, {ifelse(c, x, y)}, true);
  EXPECT_FALSE(VM(inputs_only).lazy());
}

TEST(IfElse, SparseBranches) {
  std::mt19937_64 rng(3);
  for (DType d : {DType::Float32, DType::Float64}) {
    Var c = scalar(DType::Int8, "c");
    Var x = sparse::csr_matrix("x", d), y = sparse::csr_matrix("y", d);
    Var z = ifelse(c, sparse::mul(x, constant(2.0)), y);
    EXPECT_EQ(z.type()->str(), x.type()->str());
    SparseMatrix xv = random_sparse(SparseFormat::CSR, 3, 4, d, rng), yv = random_sparse(SparseFormat::CSR, 2, 5, d, rng);
    for (Mode m : {Mode::FastRun, Mode::None}) {
      auto f = compile({c, x, y}, {z}, m);
      SparseMatrix r1 = std::get<SparseMatrix>(call(f, {scalar_of(DType::Int8, 1), xv, yv})[0]);
      NDArray want = dense_reference(xv).astype(DType::Float64);
      NDArray got = dense_reference(r1).astype(DType::Float64);
      for (int64_t i = 0; i < want.size(); ++i) EXPECT_NEAR(at(got, i), 2 * at(want, i), 1e-5);
      SparseMatrix r0 = std::get<SparseMatrix>(call(f, {scalar_of(DType::Int8, 0), xv, yv})[0]);
      EXPECT_TRUE(x.type()->values_eq(r0, yv));
    }
  }
}

TEST(IfElse, GradientsMatchFiniteDifferences) {
  for (double cv : {1.0, 0.0}) {
    NDArray cval = scalar_of(DType::Float64, cv);
    verify_grad([&](const std::vector<Var>& v) {
      std::vector<Var> o = ifelse(v[0], {mul(v[1], v[1]), exp(v[2])}, {sin(v[2]), v[1]});
      return add(sum(o[0]), mul(sum(o[1]), constant(3.0)));
    }, {cval, seq(DType::Float64, {2, 3}, 0.1, 0.1), seq(DType::Float64, {2, 3}, -0.3, 0.2)});
  }
  // The condition's gradient is a float zero; then/else get the output gradient or zeros.
  Var c = scalar(DType::Int32, "c");
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  std::vector<Var> g = grad(sum(mul(ifelse(c, x, y), constant(2.0))), {x, y});
  auto f = compile({c, x, y}, g);
  auto r = call(f, {scalar_of(DType::Int32, 0), seq(DType::Float64, {2}), seq(DType::Float64, {2})});
  expect_near_array(arr(r[0]), {0, 0}, {2});
  expect_near_array(arr(r[1]), {2, 2}, {2});
  Var cf = scalar(DType::Float64, "cf");
  Var gc = grad(sum(ifelse(cf, x, y)), cf);
  EXPECT_NEAR(at(arr(call(compile({cf, x, y}, {gc}), {scalar_of(DType::Float64, 1), seq(DType::Float64, {2}),
                                                         seq(DType::Float64, {2})})[0]), 0), 0.0, 0);
}

TEST(IfElse, SparseBranchGradients) {
  std::mt19937_64 rng(5);
  SparseMatrix xv = random_sparse(SparseFormat::CSR, 3, 4, DType::Float64, rng);
  SparseMatrix yv = random_sparse(SparseFormat::CSR, 3, 4, DType::Float64, rng);
  for (double cv : {1.0, 0.0}) {
    VerifyGradOptions o;
    o.structured = true;
    verify_grad([&](const std::vector<Var>& v) {
      Var c = constant(NDArray::from_vector<double>({cv}, {}));
      return sparse::sp_sum(ifelse(c, sparse::mul(v[0], v[0]), v[1]));
    }, {xv, yv}, o);
  }
}

TEST(IfElse, RopChoosesTheBranchTangent) {
  Var c = scalar(DType::Float64, "c");
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  Var vx = vector(DType::Float64, "vx"), vy = vector(DType::Float64, "vy");
  Var z = ifelse(c, mul(x, x), exp(y));
  Var r = Rop(std::vector<Var>{z}, std::vector<Var>{x, y}, std::vector<Var>{vx, vy})[0];
  auto f = compile({c, x, y, vx, vy}, {r});
  NDArray xv = seq(DType::Float64, {2}), yv = seq(DType::Float64, {2}, 0.5), one = seq(DType::Float64, {2}, 1, 0);
  expect_near_array(arr(call(f, {scalar_of(DType::Float64, 1), xv, yv, one, one})[0]), {2, 4}, {2});
  expect_near_array(arr(call(f, {scalar_of(DType::Float64, 0), xv, yv, one, one})[0]),
                    {std::exp(0.5), std::exp(1.5)}, {2});
  // Only the then branch has a direction: the else branch's tangent is zero.
  Var r2 = Rop(z, x, vx);
  expect_near_array(arr(call(compile({c, x, y, vx}, {r2}), {scalar_of(DType::Float64, 0), xv, yv, one})[0]), {0, 0}, {2});
}

TEST(IfElse, InferShapeOnNonSquareBranches) {
  Var c = scalar(DType::Float64, "c");
  Var x = matrix(DType::Float64, "x"), y = matrix(DType::Float64, "y");
  Var z = ifelse(c, x, y);
  for (double cv : {1.0, 0.0})
    expect_infer_shape({c, x, y}, z, {scalar_of(DType::Float64, cv), seq(DType::Float64, {2, 3}), seq(DType::Float64, {4, 5})});
  // The same variable on both sides: its own shape, no ifelse.
  Var s = ifelse(c, x, x);
  Var s0 = shape_i(x, 0), s1 = shape_i(x, 1);
  auto shapes = s.owner()->op()->infer_shape(*s.owner(), {{}, {s0, s1}, {s0, s1}});
  ASSERT_TRUE(shapes);
  EXPECT_TRUE((*shapes)[0][0] == s0);
  EXPECT_TRUE((*shapes)[0][1] == s1);
  // Different variables: one lazy ifelse picks each differing length.
  Var t = ifelse(c, x, y);
  Var y0 = shape_i(y, 0), y1 = shape_i(y, 1);
  auto both = t.owner()->op()->infer_shape(*t.owner(), {{}, {s0, s1}, {y0, y1}});
  ASSERT_TRUE(both);
  ASSERT_TRUE((*both)[0][0].owner());
  EXPECT_TRUE(dynamic_cast<const IfElse*>((*both)[0][0].owner()->op().get()));
  // Through the shape feature of a compiled graph: x.shape after the ifelse, without
  // computing the branch values.
  auto f = compile({c, x, y}, {shape(ifelse(c, exp(x), exp(y)))});
  NDArray r = arr(call(f, {scalar_of(DType::Float64, 0), seq(DType::Float64, {2, 3}), seq(DType::Float64, {4, 5})})[0]);
  EXPECT_EQ(at(r, 0), 4.0);
  EXPECT_EQ(at(r, 1), 5.0);
}

TEST(IfElse, RewritesFireAndKeepValues) {
  Var c = scalar(DType::Float64, "c"), d = scalar(DType::Float64, "d");
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y"), w = vector(DType::Float64, "w");
  std::vector<Value> args = {scalar_of(DType::Float64, 1), scalar_of(DType::Float64, 0), seq(DType::Float64, {3}),
                             seq(DType::Float64, {3}, 4), seq(DType::Float64, {3}, -2)};
  // `fired` holds on the FAST_RUN graph and not on the one compiled without rewrite `name`;
  // FAST_RUN, FAST_RUN-name and None give the same values.
  using Pred = std::function<bool(const FunctionGraph&)>;
  auto check = [&](const std::vector<Var>& outs, const std::string& name, const Pred& fired) {
    auto fast = compile({c, d, x, y, w}, outs, Mode::FastRun);
    auto none = compile({c, d, x, y, w}, outs, Mode::None);
    FunctionOptions o;
    o.on_unused_input = OnUnusedInput::Ignore;
    o.excluding = {name};
    auto without = function({c, d, x, y, w}, std::vector<Out>(outs.begin(), outs.end()), o);
    EXPECT_TRUE(fired(fast->fgraph())) << name;
    EXPECT_FALSE(fired(without->fgraph())) << name;
    for (double cv : {1.0, 0.0}) {
      args[0] = scalar_of(DType::Float64, cv);
      auto a = call(fast, args), b = call(none, args), e = call(without, args);
      for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_TRUE(x.type()->values_eq_approx(a[i], b[i])) << name << " " << i;
        EXPECT_TRUE(x.type()->values_eq_approx(e[i], b[i])) << name << " " << i;
      }
    }
  };
  auto n_ifs = [](int n) { return Pred([n](const FunctionGraph& g) { return count_ops(g, "IfElse") == n; }); };
  check({ifelse(constant(1.0), exp(x), exp(y))}, "local_ifelse_constant_condition", n_ifs(0));
  check({ifelse(c, exp(x), exp(x))}, "local_ifelse_remove_identical", n_ifs(0));
  // The inner if on c disappears, in either branch.
  check({ifelse(c, ifelse(c, exp(x), sin(y)), cos(w))}, "local_ifelse_merge_nested", n_ifs(1));
  check({ifelse(c, exp(x), ifelse(c, sin(y), cos(w)))}, "local_ifelse_merge_nested", n_ifs(1));
  // Two siblings on c become one node with two outputs.
  check({ifelse(c, exp(x), sin(y)), ifelse(c, cos(w), tanh(x))}, "local_ifelse_merge_ifs", n_ifs(1));
  // ifelse(c, exp(x) * w, exp(y) * w): the product (and then exp) moves out; the ifelse picks x or y.
  check({ifelse(c, mul(exp(x), w), mul(exp(y), w))}, "local_ifelse_lift_elemwise", [](const FunctionGraph& g) {
    for (Apply* n : g.toposort())
      if (n->op()->name() == "IfElse")
        for (const Var& in : n->inputs())
          if (in.owner() && in.owner()->op()->name() == "Elemwise" && n->input(0) != in) return false;
    return true;
  });
  // The in-place phase (Theano's cond_make_inplace): the final graph's ifelse is a view.
  check({ifelse(c, exp(x), sin(y))}, "inplace", [](const FunctionGraph& g) {
    for (Apply* n : g.toposort())
      if (n->op()->name() == "IfElse") return n->op()->str() == "if{inplace}";
    return false;
  });
  // Branch values read elsewhere too, and in-place candidates after the ifelse: values hold.
  Var ex = exp(x), sy = sin(y);
  for (const auto& outs : {std::vector<Var>{add(ifelse(c, ex, sy), constant(1.0)), mul(ex, constant(2.0)), sub(sy, constant(1.0))},
                           std::vector<Var>{mul(ifelse(c, ex, sy), w), add(ex, w)}}) {
    auto fast = compile({c, d, x, y, w}, outs, Mode::FastRun);
    auto none = compile({c, d, x, y, w}, outs, Mode::None);
    for (double cv : {1.0, 0.0}) {
      args[0] = scalar_of(DType::Float64, cv);
      auto a = call(fast, args), b = call(none, args);
      for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(x.type()->values_eq_approx(a[i], b[i])) << i;
    }
  }
}

TEST(IfElse, PrintsLikeTheano) {
  Var c = scalar(DType::Float64, "c");
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  EXPECT_EQ(ifelse(c, x, y).owner()->op()->str(), "if{}");
  EXPECT_EQ(ifelse(c, x, y, "pick").owner()->op()->str(), "if{pick}");
  EXPECT_EQ(IfElse(IfElseParams{1, true, "pick"}).str(), "if{pick,inplace}");
  // The name does not change what the op computes: merge fuses renamed copies.
  EXPECT_TRUE(IfElse(IfElseParams{1, false, "a"}).equals(IfElse(IfElseParams{1, false, "b"})));
  EXPECT_FALSE(IfElse(IfElseParams{1, false, ""}).equals(IfElse(IfElseParams{1, true, ""})));
}

TEST(IfElse, ConvertsConstantsAndBroadcastablePatterns) {
  Var c = scalar(DType::Float64, "c");
  Var x = vector(DType::Float32, "x");
  Var z = ifelse(c, x, constant(NDArray::from_vector<double>({1, 2, 3}, {3})));
  EXPECT_EQ(z.type()->str(), x.type()->str());
  Var s = scalar(DType::Float32, "s");
  EXPECT_EQ(ifelse(c, constant(0.5), s).type()->str(), s.type()->str());
  Var r = row(DType::Float64, "r"), m = matrix(DType::Float64, "m");
  Var rm = ifelse(c, r, m);
  EXPECT_EQ(rm.type()->str(), m.type()->str());
  auto f = compile({c, r, m}, {rm});
  EXPECT_EQ(arr(call(f, {scalar_of(DType::Float64, 1), seq(DType::Float64, {1, 3}), seq(DType::Float64, {2, 2})})[0]).shape(),
            (Shape{1, 3}));
}

TEST(IfElse, ErrorsNameTheOp) {
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  expect_error(ErrorKind::Type, [&] { ifelse(vector(DType::Float64, "c"), x, y); }, "[IfElse]");
  expect_error(ErrorKind::Type, [&] { ifelse(sparse::csr_matrix("c"), x, y); }, "sparse");
  Var c = scalar(DType::Float64, "c");
  expect_error(ErrorKind::Type, [&] { ifelse(c, x, matrix(DType::Float64, "m")); }, "identical types");
  expect_error(ErrorKind::Type, [&] { ifelse(c, x, vector(DType::Int32, "i")); }, "identical types");
  expect_error(ErrorKind::Type, [&] { ifelse(c, x, sparse::csr_matrix("s")); }, "identical types");
  expect_error(ErrorKind::Value, [&] { ifelse(c, std::vector<Var>{x, y}, std::vector<Var>{x}); }, "[IfElse]");
  expect_error(ErrorKind::Type, [&] { apply_op(*std::make_shared<IfElse>(IfElseParams{2, false, ""}), {c, x, y}); },
               "[IfElse]");
}

TEST(IfElse, CallsFromSeveralThreads) {
  Var c = scalar(DType::Float64, "c");
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  auto f = compile({c, x, y}, {ifelse(c, mul(x, constant(2.0)), exp(y))});
  std::atomic<int> bad{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const bool take = (i + t) % 2 == 0;
        NDArray xv = seq(DType::Float64, {4}, i), yv = seq(DType::Float64, {4}, 0, 0);
        NDArray r = arr(call(f, {scalar_of(DType::Float64, take), xv, yv})[0]);
        if (at(r, 0) != (take ? 2.0 * i : 1.0)) ++bad;
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(IfElse, ManualSwitchVersusIfElseExample) {
  // The manual's "Conditions" example: both give mean(x) when a < b, mean(y) otherwise.
  Var a = scalar(DType::Float64, "a"), b = scalar(DType::Float64, "b");
  Var x = matrix(DType::Float64, "x"), y = matrix(DType::Float64, "y");
  auto f_switch = compile({a, b, x, y}, {switch_(lt(a, b), mean(x), mean(y))});
  auto f_lazy = compile({a, b, x, y}, {ifelse(lt(a, b), mean(x), mean(y))});
  NDArray m1 = seq(DType::Float64, {100, 10}, 1, 0), m2 = seq(DType::Float64, {100, 10}, 2, 0);
  for (auto [va, vb, want] : {std::tuple{0.0, 1.0, 1.0}, std::tuple{1.0, 0.0, 2.0}}) {
    std::vector<Value> args{scalar_of(DType::Float64, va), scalar_of(DType::Float64, vb), m1, m2};
    EXPECT_EQ(at(arr(call(f_switch, args)[0]), 0), want);
    EXPECT_EQ(at(arr(call(f_lazy, args)[0]), 0), want);
  }
}
