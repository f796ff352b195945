// Scan's rewrites: each fires on a graph built with scan (and not when excluded), and keeps the values of mode None.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "hypatia/compile/function.h"
#include "hypatia/control/ops/scan.h"
#include "hypatia/control/rewrites/scan_parts.h"
#include "hypatia/grad/grad.h"
#include "hypatia/tensor/tensor.h"

namespace hypatia {
namespace {

NDArray randn(Shape shape, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> d(0.0, 0.5);
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  std::vector<double> v(n);
  for (double& x : v) x = d(gen);
  return NDArray::from_vector(v, shape);
}

FunctionPtr compile(const std::vector<Var>& ins, const std::vector<Var>& outs, const std::string& mode) {
  FunctionOptions o;
  set_mode(o, mode);
  o.on_unused_input = OnUnusedInput::Ignore;
  std::vector<In> in(ins.begin(), ins.end());
  std::vector<Out> out(outs.begin(), outs.end());
  return function(in, out, o);
}

std::vector<const Apply*> scan_nodes(const Function& f) {
  std::vector<const Apply*> r;
  for (Apply* n : f.fgraph().toposort())
    if (dynamic_cast<const Scan*>(n->op().get())) r.push_back(n);
  return r;
}

const Scan& scan_of(const Apply* n) { return static_cast<const Scan&>(*n->op()); }

/// Runs `outs` in mode `mode` and in mode None and expects equal values.
void expect_same_values(const std::vector<Var>& ins, const std::vector<Var>& outs, const std::vector<Value>& args,
                        const std::string& mode = "FAST_RUN") {
  auto got = (*compile(ins, outs, mode))(args);
  auto want = (*compile(ins, outs, "None"))(args);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    NDArray a = as_array(got[i]), b = as_array(want[i]);
    ASSERT_EQ(a.shape(), b.shape()) << "output " << i;
    NDArray fa = a.astype(DType::Float64), fb = b.astype(DType::Float64);
    for (int64_t k = 0; k < fa.size(); ++k) {
      const double want_k = fb.data<double>()[k];
      EXPECT_NEAR(fa.data<double>()[k], want_k, 1e-9 * std::max(1.0, std::abs(want_k))) << "output " << i;
    }
  }
}

// ---- local_scan_remove_unused ----

TEST(ScanRewrites, RemoveUnusedOutputsAndInputs) {
  // Outputs: a state nobody reads, a nit_sot nobody reads, one used nit_sot. Inputs: an
  // unused sequence, an unused non-sequence, a constant non-sequence.
  Var xs = matrix(DType::Float64, "xs"), ys = matrix(DType::Float64, "ys"), h0 = vector(DType::Float64, "h0");
  Var w = vector(DType::Float64, "w"), unused = vector(DType::Float64, "unused");
  Var two = constant(NDArray::scalar<double>(2.0));
  ScanResult r = scan(
      [](const std::vector<Var>& a) {  // xs[t], ys[t], h, w, unused, two
        return ScanStep(std::vector<Var>{add(a[2], a[0]), mul(a[0], a[5]), mul(exp(a[0]), a[3])});
      },
      {xs, ys}, {ScanOutputInfo(h0), ScanOutputInfo(), ScanOutputInfo()}, {w, unused, two});
  const std::vector<Var> ins{xs, ys, h0, w, unused};
  const std::vector<Var> outs{r.outputs[2]};
  // (without local_scan_push_out_seq, which would compute exp(xs[t]) * w outside the loop)
  auto f = compile(ins, outs, "FAST_RUN-local_scan_push_out_seq");
  auto g = compile(ins, outs, "FAST_RUN-local_scan_push_out_seq-local_scan_remove_unused");
  ASSERT_EQ(scan_nodes(*f).size(), 1u);
  ASSERT_EQ(scan_nodes(*g).size(), 1u);
  const Scan& sf = scan_of(scan_nodes(*f)[0]);
  EXPECT_EQ(scan_nodes(*f)[0]->nout(), 1);  // only the used nit_sot
  EXPECT_EQ(sf.info().n_states(), 0);
  EXPECT_EQ(sf.info().n_seqs(), 1);      // ys is gone
  EXPECT_EQ(sf.info().n_non_seqs, 1);  // unused and the constant are gone
  EXPECT_EQ(scan_nodes(*g)[0]->nout(), 3);
  expect_same_values(ins, outs, {randn({4, 3}, 1), randn({4, 3}, 2), randn({3}, 3), randn({3}, 4), randn({3}, 5)});
}

TEST(ScanRewrites, RemoveUnusedKeepsAStateAnotherOutputReads) {
  // The state's trace is unused, but the used nit_sot reads its tap: the state stays.
  Var xs = vector(DType::Float64, "xs"), h0 = scalar(DType::Float64, "h0");
  ScanResult r = scan([](const std::vector<Var>& a) { return ScanStep(std::vector<Var>{add(a[1], a[0]), mul(a[1], a[1])}); },
                      {xs}, {ScanOutputInfo(h0), ScanOutputInfo()}, {});
  auto f = compile({xs, h0}, {r.outputs[1]}, "FAST_RUN");
  ASSERT_EQ(scan_nodes(*f).size(), 1u);
  EXPECT_EQ(scan_of(scan_nodes(*f)[0]).info().n_states(), 1);
  expect_same_values({xs, h0}, {r.outputs[1]}, {randn({5}, 1), NDArray::scalar<double>(0.5)});
}

TEST(ScanRewrites, RemoveUnusedMakesUnrequestedGradientsFree) {
  // grad with respect to W only: the reversed scan loses the sequence's per-step gradient
  // (a nit_sot) and keeps no accumulator for the other non-sequence.
  Var xs = matrix(DType::Float64, "xs"), h0 = vector(DType::Float64, "h0"), W = matrix(DType::Float64, "W");
  Var b = vector(DType::Float64, "b");
  ScanResult r = scan([](const std::vector<Var>& a) { return ScanStep(tanh(add(add(dot(a[2], a[1]), a[0]), a[3]))); },
                      {xs}, {ScanOutputInfo(h0)}, {W, b});
  Var cost = sum(subtensor(r.outputs[0], -1));
  Var gW = grad(cost, W);
  const std::vector<Var> ins{xs, h0, W, b};
  auto f = compile(ins, {gW}, "FAST_RUN");
  auto g = compile(ins, {gW}, "FAST_RUN-local_scan_remove_unused");
  auto grad_scan = [](const Function& fn) {
    for (const Apply* n : scan_nodes(fn))
      if (scan_of(n).info().name.rfind("grad_of", 0) == 0) return n;
    return static_cast<const Apply*>(nullptr);
  };
  ASSERT_TRUE(grad_scan(*f) && grad_scan(*g));
  EXPECT_EQ(scan_of(grad_scan(*f)).info().n_nit_sot, 0);
  EXPECT_LT(grad_scan(*f)->nout(), grad_scan(*g)->nout());
  expect_same_values(ins, {gW}, {randn({6, 3}, 1), randn({3}, 2), randn({3, 3}, 3), randn({3}, 4)});
}

// ---- local_scan_push_out_non_seq ----

bool inner_has(const Apply* n, const std::string& op_str) {
  for (Apply* m : scan_of(n).inner().toposort())
    if (m->op()->str().find(op_str) != std::string::npos) return true;
  return false;
}

TEST(ScanRewrites, PushOutNonSeq) {
  // exp(W) and its sum depend on the non-sequence only: computed once, outside.
  Var xs = matrix(DType::Float64, "xs"), W = matrix(DType::Float64, "W");
  ScanResult r = map([](const std::vector<Var>& a) { return ScanStep(dot(exp(a[1]), a[0])); }, {xs}, {W});
  const std::vector<Var> ins{xs, W};
  auto f = compile(ins, {r.outputs[0]}, "FAST_RUN-fusion");
  auto g = compile(ins, {r.outputs[0]}, "FAST_RUN-fusion-local_scan_push_out_non_seq");
  ASSERT_EQ(scan_nodes(*f).size(), 1u);
  EXPECT_FALSE(inner_has(scan_nodes(*f)[0], "exp"));
  EXPECT_TRUE(inner_has(scan_nodes(*g)[0], "exp"));
  expect_same_values(ins, {r.outputs[0]}, {randn({4, 3}, 1), randn({3, 3}, 2)});
}

TEST(ScanRewrites, PushOutSeqElementwiseWork) {
  // exp(xs[t]) * ys[t] reads only sequence slices: computed over the rows the loop walks, for
  // sequences of different lengths, forwards and backwards.
  for (bool backwards : {false, true}) {
    Var xs = vector(DType::Float64, "xs"), ys = vector(DType::Float64, "ys"), h0 = scalar(DType::Float64, "h0");
    ScanOptions o;
    o.go_backwards = backwards;
    ScanResult r = scan([](const std::vector<Var>& a) { return ScanStep(add(mul(a[2], a[2]), mul(exp(a[0]), a[1]))); },
                        {xs, ys}, {ScanOutputInfo(h0)}, {}, o);
    const std::vector<Var> ins{xs, ys, h0};
    auto f = compile(ins, {r.outputs[0]}, "FAST_RUN-fusion");
    auto g = compile(ins, {r.outputs[0]}, "FAST_RUN-fusion-local_scan_push_out_seq");
    EXPECT_FALSE(inner_has(scan_nodes(*f)[0], "exp"));
    EXPECT_TRUE(inner_has(scan_nodes(*g)[0], "exp"));
    expect_same_values(ins, {r.outputs[0]}, {randn({5}, 1), randn({7}, 2), NDArray::scalar<double>(0.1)});
  }
}

// ---- local_scan_merge ----

TEST(ScanRewrites, MergeIndependentLoops) {
  Var xs = matrix(DType::Float64, "xs"), h0 = vector(DType::Float64, "h0");
  ScanResult a = scan([](const std::vector<Var>& v) { return ScanStep(add(v[1], v[0])); }, {xs}, {ScanOutputInfo(h0)}, {});
  ScanResult b = map([](const std::vector<Var>& v) { return ScanStep(mul(v[0], v[0])); }, {xs});
  const std::vector<Var> ins{xs, h0};
  const std::vector<Var> outs{a.outputs[0], b.outputs[0]};
  auto f = compile(ins, outs, "FAST_RUN");
  auto g = compile(ins, outs, "FAST_RUN-local_scan_merge");
  EXPECT_EQ(scan_nodes(*f).size(), 1u);
  EXPECT_EQ(scan_nodes(*g).size(), 2u);
  expect_same_values(ins, outs, {randn({5, 3}, 1), randn({3}, 2)});
}

TEST(ScanRewrites, MergeLeavesDependentLoopsApart) {
  // The second loop reads the first one's trace: merging would make a cycle.
  Var xs = matrix(DType::Float64, "xs"), h0 = vector(DType::Float64, "h0");
  ScanResult a = scan([](const std::vector<Var>& v) { return ScanStep(add(v[1], v[0])); }, {xs}, {ScanOutputInfo(h0)}, {});
  ScanResult b = map([](const std::vector<Var>& v) { return ScanStep(mul(v[0], v[0])); }, {a.outputs[0]});
  auto f = compile({xs, h0}, {b.outputs[0]}, "FAST_RUN");
  EXPECT_EQ(scan_nodes(*f).size(), 2u);
  expect_same_values({xs, h0}, {b.outputs[0]}, {randn({5, 3}, 1), randn({3}, 2)});
}

// ---- local_scan_merge_inouts ----

TEST(ScanRewrites, MergeInoutsSharesEqualOutputs) {
  // Two loops computing the same recurrence and the same per-step value: after merging the
  // loops, one state and one nit_sot remain.
  Var xs = matrix(DType::Float64, "xs"), h0 = vector(DType::Float64, "h0");
  auto step = [](const std::vector<Var>& v) { return ScanStep(std::vector<Var>{add(v[1], exp(v[0])), sqr(v[0])}); };
  ScanResult a = scan(step, {xs}, {ScanOutputInfo(h0), ScanOutputInfo()}, {});
  ScanResult b = scan(step, {xs}, {ScanOutputInfo(h0), ScanOutputInfo()}, {});
  const std::vector<Var> ins{xs, h0};
  const std::vector<Var> outs{a.outputs[0], b.outputs[0], a.outputs[1], b.outputs[1]};
  auto f = compile(ins, outs, "FAST_RUN");
  auto g = compile(ins, outs, "FAST_RUN-local_scan_merge_inouts");
  ASSERT_EQ(scan_nodes(*f).size(), 1u);
  ASSERT_EQ(scan_nodes(*g).size(), 1u);
  EXPECT_EQ(scan_of(scan_nodes(*f)[0]).info().n_states(), 1);
  EXPECT_EQ(scan_of(scan_nodes(*f)[0]).info().n_nit_sot, 1);
  EXPECT_EQ(scan_of(scan_nodes(*g)[0]).info().n_states(), 2);
  expect_same_values(ins, outs, {randn({5, 3}, 1), randn({3}, 2)});
}

TEST(ScanRewrites, MergeInoutsKeepsOutputsThatDiffer) {
  // Same shape of step, different constants: two states and two nit_sots stay.
  Var xs = matrix(DType::Float64, "xs"), h0 = vector(DType::Float64, "h0");
  auto step = [](double c) {
    return [c](const std::vector<Var>& v) {
      return ScanStep(std::vector<Var>{add(v[1], mul(v[0], constant(c))), mul(v[0], constant(c))});
    };
  };
  ScanResult a = scan(step(2.0), {xs}, {ScanOutputInfo(h0), ScanOutputInfo()}, {});
  ScanResult b = scan(step(3.0), {xs}, {ScanOutputInfo(h0), ScanOutputInfo()}, {});
  const std::vector<Var> outs{a.outputs[0], b.outputs[0], a.outputs[1], b.outputs[1]};
  auto f = compile({xs, h0}, outs, "FAST_RUN-local_scan_push_out_seq");
  ASSERT_EQ(scan_nodes(*f).size(), 1u);
  EXPECT_EQ(scan_of(scan_nodes(*f)[0]).info().n_states(), 2);
  EXPECT_EQ(scan_of(scan_nodes(*f)[0]).info().n_nit_sot, 2);
  expect_same_values({xs, h0}, outs, {randn({5, 3}, 1), randn({3}, 2)});
}

TEST(ScanRewrites, SameComputationOnDeepGraphs) {
  // Two separately built chains of 100000 additions: equal, and unequal at the bottom,
  // compared without recursion.
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  Var a = x, b = x, c = y;
  for (int i = 0; i < 100000; ++i) {
    a = add(a, x);
    b = add(b, x);
    c = add(c, x);
  }
  EXPECT_TRUE(scan_rewrites::same_computation(a, b));
  EXPECT_FALSE(scan_rewrites::same_computation(a, c));
  EXPECT_TRUE(scan_rewrites::same_computation(a, c, {{y.get(), x.get()}}));
}

// ---- local_scan_save_mem ----

TEST(ScanRewrites, SaveMemKeepsNoTraceForPowerAk) {
  // The manual's A**k: only result[-1] is used, so the loop carries one vector, not k.
  Var A = vector(DType::Float64, "A");
  Var k = scalar(DType::Int64, "k");
  ScanOptions o;
  o.n_steps = k;
  ScanResult r = scan([](const std::vector<Var>& a) { return ScanStep(mul(a[0], a[1])); }, {},
                      {ScanOutputInfo(ones_like(A, std::nullopt))}, {A}, o);
  Var last = subtensor(r.outputs[0], -1);
  auto f = compile({A, k}, {last}, "FAST_RUN");
  auto g = compile({A, k}, {last}, "FAST_RUN-local_scan_save_mem");
  ASSERT_EQ(scan_nodes(*f).size(), 1u);
  const Apply* n = scan_nodes(*f)[0];
  EXPECT_EQ(scan_of(n).info().n_states(), 0);
  EXPECT_EQ(scan_of(n).info().n_shared, 1);
  for (int i = 0; i < n->nout(); ++i) EXPECT_EQ(n->out(i)->type->ndim(), 1) << "a trace (matrix) output is left";
  EXPECT_EQ(scan_of(scan_nodes(*g)[0]).info().n_states(), 1);
  // The value the function returns is the loop's own output: no trace, no Subtensor.
  EXPECT_EQ(f->fgraph().outputs()[0].owner(), n);
  NDArray out = as_array((*f)({NDArray::from_vector(std::vector<double>{0, 1, 2, 3}, {4}), NDArray::scalar<int64_t>(3)})[0]);
  ASSERT_EQ(out.shape(), Shape{4});
  EXPECT_EQ(out.data<double>()[3], 27.0);
  expect_same_values({A, k}, {last}, {randn({4}, 1), NDArray::scalar<int64_t>(5)});
}

TEST(ScanRewrites, SaveMemLeavesATraceOtherwiseRead) {
  // The trace is also read whole: it must stay.
  Var xs = vector(DType::Float64, "xs"), h0 = scalar(DType::Float64, "h0");
  ScanResult r = scan([](const std::vector<Var>& a) { return ScanStep(add(a[1], a[0])); }, {xs}, {ScanOutputInfo(h0)}, {});
  const std::vector<Var> outs{subtensor(r.outputs[0], -1), sum(r.outputs[0])};
  auto f = compile({xs, h0}, outs, "FAST_RUN");
  ASSERT_EQ(scan_nodes(*f).size(), 1u);
  EXPECT_EQ(scan_of(scan_nodes(*f)[0]).info().n_states(), 1);
  expect_same_values({xs, h0}, outs, {randn({5}, 1), NDArray::scalar<double>(0.25)});
}

TEST(ScanRewrites, GradientValuesAgreeWithAndWithoutRewrites) {
  Var xs = matrix(DType::Float64, "xs"), h0 = vector(DType::Float64, "h0"), W = matrix(DType::Float64, "W");
  ScanResult r = scan(
      [](const std::vector<Var>& a) { return ScanStep(tanh(add(dot(a[2], a[1]), mul(a[0], sum(exp(a[2])))))); },
      {xs}, {ScanOutputInfo(h0)}, {W});
  Var cost = add(sum(subtensor(r.outputs[0], -1)), sum(sqr(r.outputs[0])));
  std::vector<Var> g = grad(cost, std::vector<Var>{xs, h0, W});
  const std::vector<Var> ins{xs, h0, W};
  const std::vector<Value> args{randn({5, 3}, 1), randn({3}, 2), randn({3, 3}, 3)};
  expect_same_values(ins, g, args, "FAST_RUN");
  expect_same_values(ins, g, args, "FAST_RUN-scan");
  expect_same_values(ins, {g[2]}, args, "FAST_RUN");
}

}  // namespace
}  // namespace hypatia
