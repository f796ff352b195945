// OpFromGraph, Print, clone, subgraph_grad and Function::copy from C++: values, inline rewrite, shapes, gradients, threads.
#include <gtest/gtest.h>

#include <thread>

#include "hypatia/compile/function.h"
#include "hypatia/compile/verify_grad.h"
#include "hypatia/control/ops/op_from_graph.h"
#include "hypatia/control/ops/print.h"
#include "hypatia/grad/grad.h"
#include "hypatia/grad/subgraph_grad.h"
#include "hypatia/graph/clone.h"
#include "hypatia/sparse/api.h"
#include "hypatia/sparse/products.h"
#include "hypatia/tensor/api.h"
#include "hypatia/tensor/ops/dot.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/reduce.h"
#include "hypatia/tensor/ops/shape.h"
#include "support/sparse_random.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

NDArray arr(std::vector<double> v, Shape s) { return NDArray::from_vector(v, std::move(s)); }
double at(const Value& v, int64_t i) { return std::get<NDArray>(v).data<double>()[i]; }
int count_ofg(const Function& f) {
  int n = 0;
  for (Apply* node : f.fgraph().toposort()) n += dynamic_cast<const OpFromGraph*>(node->op().get()) != nullptr;
  return n;
}
FunctionOptions mode(const std::string& m) {
  FunctionOptions o;
  set_mode(o, m);
  return o;
}

}  // namespace

TEST(OpFromGraph, ManualExampleAllModes) {
  for (const char* m : {"FAST_RUN", "FAST_COMPILE", "None"}) {
    Var x = scalar(DType::Float64, "x"), y = scalar(DType::Float64, "y"), z = scalar(DType::Float64, "z");
    auto op = op_from_graph({x, y, z}, {add(x, mul(y, z))});
    Var e2 = add(apply1(*op, {x, y, z}), apply1(*op, {z, y, x}));
    auto f = function({x, y, z}, {e2}, mode(m));
    auto r = (*f)({NDArray::scalar(2.0), NDArray::scalar(3.0), NDArray::scalar(4.0)});
    EXPECT_DOUBLE_EQ(at(r[0], 0), 14.0 + 10.0) << m;
    EXPECT_EQ(count_ofg(*f), 2) << m;
  }
}

TEST(OpFromGraph, OneOpAppliedTwiceIsRewrittenOnceAndStaysShared) {
  Var x = scalar(DType::Float64, "x"), y = scalar(DType::Float64, "y");
  auto op = op_from_graph({x, y}, {mul(add(x, y), constant(2.0))});
  auto f = function({x, y}, {add(apply1(*op, {x, y}), apply1(*op, {y, y}))});
  std::vector<const Op*> ops;
  for (Apply* node : f->fgraph().toposort())
    if (dynamic_cast<const OpFromGraph*>(node->op().get())) ops.push_back(node->op().get());
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0], ops[1]);       // one rewritten copy for both nodes
  EXPECT_NE(ops[0], op.get());     // and it is the rewritten one
  EXPECT_DOUBLE_EQ(at((*f)({NDArray::scalar(1.0), NDArray::scalar(2.0)})[0], 0), 6.0 + 8.0);
}

TEST(OpFromGraph, SharedVariableIsImplicitInput) {
  Var x = vector(DType::Float64, "x");
  Var s = shared(arr({1, 2}, {2}), "s");
  auto op = op_from_graph({x}, {add(x, s)});
  ASSERT_EQ(op->implicit_inputs().size(), 1u);
  EXPECT_TRUE(op->implicit_inputs()[0] == s);
  Var out = apply1(*op, {x});
  EXPECT_EQ(out.owner()->nin(), 2);
  auto f = function({x}, {out});
  EXPECT_DOUBLE_EQ(at((*f)({arr({10, 20}, {2})})[0], 1), 22.0);
  set_value(s, arr({5, 5}, {2}));
  EXPECT_DOUBLE_EQ(at((*f)({arr({10, 20}, {2})})[0], 1), 25.0);
  // The gradient reaches the shared variable through the op.
  Var gs = grad(sum(mul(out, out)), s);
  auto g = function({x}, {gs});
  EXPECT_DOUBLE_EQ(at((*g)({arr({1, 1}, {2})})[0], 0), 12.0);
}

TEST(OpFromGraph, InlineRewriteFiresAndAgrees) {
  for (bool inl : {false, true}) {
    Var x = matrix(DType::Float64, "x"), w = matrix(DType::Float64, "w");
    OpFromGraphOptions o;
    o.inline_ = inl;
    auto op = op_from_graph({x, w}, {tanh(dot(x, w))}, o);
    Var a = matrix(DType::Float64, "a"), b = matrix(DType::Float64, "b");
    auto f = function({a, b}, {apply1(*op, {a, b})});
    EXPECT_EQ(count_ofg(*f), inl ? 0 : 1);
    EXPECT_EQ(op->str(), inl ? "OpFromGraph{inline=True}" : "OpFromGraph{inline=False}");
    auto r = (*f)({arr({1, 2, 3, 4, 5, 6}, {2, 3}), arr({1, 0, 0, 1, 1, 1}, {3, 2})});
    EXPECT_NEAR(at(r[0], 0), std::tanh(1.0 + 3.0), 1e-12);
    EXPECT_NEAR(at(r[0], 3), std::tanh(5.0 + 6.0), 1e-12);
  }
}

TEST(OpFromGraph, InferShapeNonSquareWithoutRunningTheOp) {
  Var x = matrix(DType::Float64, "x"), w = matrix(DType::Float64, "w");
  auto op = op_from_graph({x, w}, {dot(x, w)});
  Var a = matrix(DType::Float64, "a"), b = matrix(DType::Float64, "b");
  Var out = apply1(*op, {a, b});
  auto f = function({a, b}, {shape_i(out, 0), shape_i(out, 1)});
  EXPECT_EQ(count_ofg(*f), 0);
  auto r = (*f)({NDArray::zeros(DType::Float64, {3, 4}), NDArray::zeros(DType::Float64, {4, 5})});
  EXPECT_EQ(std::get<NDArray>(r[0]).data<int64_t>()[0], 3);
  EXPECT_EQ(std::get<NDArray>(r[1]).data<int64_t>()[0], 5);
}

TEST(OpFromGraph, VerifyGradDenseAndSparse) {
  Var x = matrix(DType::Float64, "x"), w = matrix(DType::Float64, "w");
  auto op = op_from_graph({x, w}, {tanh(dot(x, w))});
  verify_grad([&](const std::vector<Var>& v) { return apply1(*op, v); },
              {arr({0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, {2, 3}), arr({0.3, -0.2, 0.1, 0.5, -0.4, 0.2}, {3, 2})});
  std::mt19937_64 rng(7);
  Var s = sparse::csr_matrix("s", DType::Float64);
  auto sop = op_from_graph({s, w}, {tanh(sparse::structured_dot(s, w))});
  VerifyGradOptions vo;
  vo.structured = true;
  verify_grad([&](const std::vector<Var>& v) { return apply1(*sop, v); },
              {random_sparse(SparseFormat::CSR, 4, 3, DType::Float64, rng), arr({0.3, -0.2, 0.1, 0.5, -0.4, 0.2}, {3, 2})},
              vo);
}

TEST(OpFromGraph, NestedAndSecondOrder) {
  Var x = vector(DType::Float64, "x");
  auto inner = op_from_graph({x}, {mul(x, x)});
  auto outer = op_from_graph({x}, {sum(mul(apply1(*inner, {x}), x))});  // sum(x^3)
  Var a = vector(DType::Float64, "a");
  Var c = apply1(*outer, {a});
  Var g = grad(c, a);
  Var h = grad(sum(g), a);
  auto f = function({a}, {c, g, h});
  auto r = (*f)({arr({1, 2}, {2})});
  EXPECT_DOUBLE_EQ(at(r[0], 0), 9.0);
  EXPECT_DOUBLE_EQ(at(r[1], 1), 12.0);
  EXPECT_DOUBLE_EQ(at(r[2], 1), 12.0);
}

TEST(OpFromGraph, GradAndRopOverrides) {
  Var x = scalar(DType::Float64, "x"), y = scalar(DType::Float64, "y"), z = scalar(DType::Float64, "z");
  OpFromGraphOptions o;
  o.grad_overrides.per.resize(3);
  o.grad_overrides.per[1].kind = OfgOverrideEntry::Kind::Callable;
  o.grad_overrides.per[1].fn = [](const std::vector<Var>& in, const std::vector<Var>&) { return mul(in[2], constant(2.0)); };
  o.grad_overrides.per[2].kind = OfgOverrideEntry::Kind::Disconnected;
  auto op = op_from_graph({x, y, z}, {add(x, mul(y, z))}, o);
  Var e = apply1(*op, {x, y, z});
  GradOptions go;
  go.disconnected_inputs = OnDisconnected::Ignore;
  auto gs = grad(e, {x, y, z}, go);
  auto f = function({x, y, z}, {gs[0], gs[1], gs[2]});
  auto r = (*f)({NDArray::scalar(2.0), NDArray::scalar(3.0), NDArray::scalar(4.0)});
  EXPECT_DOUBLE_EQ(at(r[0], 0), 1.0);
  EXPECT_DOUBLE_EQ(at(r[1], 0), 8.0);
  EXPECT_DOUBLE_EQ(at(r[2], 0), 0.0);
  EXPECT_THROW(grad(e, z), Error);  // disconnected, raised by default

  Var v = vector(DType::Float64, "v"), ev = vector(DType::Float64, "ev");
  OpFromGraphOptions ro;
  ro.rop_overrides.whole = [](const std::vector<Var>&, const std::vector<Var>& eps) {
    return std::vector<Var>{mul(eps[0], constant(5.0))};
  };
  auto rop_op = op_from_graph({v}, {mul(v, constant(2.0))}, ro);
  auto plain = op_from_graph({v}, {tanh(v)});
  auto g = function({v, ev}, {Rop(apply1(*rop_op, {v}), v, ev), Rop(apply1(*plain, {v}), v, ev)});
  auto rr = (*g)({arr({1, 2}, {2}), arr({1, 1}, {2})});
  EXPECT_DOUBLE_EQ(at(rr[0], 1), 5.0);
  EXPECT_NEAR(at(rr[1], 0), 1 - std::tanh(1.0) * std::tanh(1.0), 1e-12);
}

TEST(OpFromGraph, StateRebuildsTheOpWithItsOverrides) {
  Var x = scalar(DType::Float64, "x"), y = scalar(DType::Float64, "y");
  OpFromGraphOptions o;
  o.grad_overrides.per.resize(2);
  o.grad_overrides.per[0].kind = OfgOverrideEntry::Kind::Callable;
  o.grad_overrides.per[0].fn = [](const std::vector<Var>&, const std::vector<Var>& g) { return mul(g[0], constant(7.0)); };
  o.grad_overrides.per[1].kind = OfgOverrideEntry::Kind::Null;
  o.name = "Sevens";
  auto op = op_from_graph({x, y}, {add(x, mul(x, y))}, o);
  OfgState st = op->state();
  ASSERT_TRUE(st.grad.has_value());
  EXPECT_FALSE(st.rop.has_value());
  EXPECT_EQ(st.grad->null_reasons.size(), 1u);
  auto again = std::make_shared<OpFromGraph>(st);
  EXPECT_EQ(again->str(), op->str());
  Var e = apply1(*again, {x, y});
  auto f = function({x, y}, {e, grad(e, x)});
  auto r = (*f)({NDArray::scalar(2.0), NDArray::scalar(3.0)});
  EXPECT_DOUBLE_EQ(at(r[0], 0), 8.0);
  EXPECT_DOUBLE_EQ(at(r[1], 0), 7.0);  // the override, not 1 + y
  EXPECT_THROW(grad(e, y), Error);     // NullType, with its reason kept
  // A node's full input list (explicit then implicit) rebuilds the node too.
  auto w = shared(NDArray::scalar(5.0), "w");
  auto with_w = op_from_graph({x}, {mul(x, w)});
  auto node = with_w->make_node({x});
  EXPECT_EQ(with_w->make_node(node->inputs())->nin(), 2);
  OfgState bad = st;
  bad.n_explicit = 3;
  EXPECT_THROW(OpFromGraph{bad}, Error);
  bad = st;
  bad.grad->index = {5, -2};
  EXPECT_THROW(OpFromGraph{bad}, Error);
}

TEST(OpFromGraph, ConnectionPatternAndErrors) {
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  auto op = op_from_graph({x, y}, {mul(x, constant(2.0)), add(y, constant(1.0))});
  auto pat = op->connection_pattern(*op->make_node({x, y}));
  EXPECT_EQ(pat, (std::vector<std::vector<bool>>{{true, false}, {false, true}}));
  EXPECT_THROW(op->make_node({x}), Error);
  EXPECT_THROW(op->make_node({x, matrix(DType::Float64)}), Error);
  EXPECT_THROW(op_from_graph({x}, {}), Error);
  EXPECT_THROW(op_from_graph({x, x}, {x}), Error);
  EXPECT_FALSE(op->equals(*op_from_graph({x, y}, {x, y})));
  EXPECT_TRUE(op->equals(*op));
}

TEST(OpFromGraph, OutputsNeverAliasInputsOrConstants) {
  Var x = vector(DType::Float64, "x");
  auto ident = op_from_graph({x}, {x});
  auto node = ident->make_node({x});
  NDArray in = arr({1, 2}, {2});
  Value iv = in;
  const Value* ins[] = {&iv};
  Value out[1];
  ident->perform(*node, ins, out);
  EXPECT_FALSE(may_share_memory(out[0], iv));
}

TEST(OpFromGraph, ConcurrentCalls) {
  Var x = matrix(DType::Float64, "x");
  auto op = op_from_graph({x}, {sum(tanh(x))});
  auto f = function({x}, {apply1(*op, {x})});
  std::vector<std::thread> ts;
  std::atomic<int> bad{0};
  for (int k = 0; k < 6; ++k)
    ts.emplace_back([&, k] {
      NDArray a = NDArray::full(DType::Float64, {20, 10}, 0.01 * k);
      for (int i = 0; i < 50; ++i)
        if (std::abs(at((*f)({a})[0], 0) - 200 * std::tanh(0.01 * k)) > 1e-9) ++bad;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(Print, IdentityPrintsAndPassesGradient) {
  Var x = vector(DType::Float64, "x");
  std::vector<std::string> seen;
  Var p = print_value(x, "msg", {"__str__"}, [&](const PrintOp& op, const Value& v) {
    seen.push_back(op.message() + " " + PrintOp::attr_text(v, "shape"));
  });
  auto f = function({x}, {grad(sum(mul(p, p)), x), p});
  auto r = (*f)({arr({1, 3}, {2})});
  EXPECT_DOUBLE_EQ(at(r[0], 1), 6.0);
  EXPECT_DOUBLE_EQ(at(r[1], 1), 3.0);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "msg (2,)");
  EXPECT_THROW(PrintOp("m", {"min"}), Error);  // not known to the native printer
  ::testing::internal::CaptureStdout();
  auto g = function({}, {print_value(constant(arr({1, 2}, {2})), "c", {"shape"})});
  (*g)({});
  (*g)({});
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "c shape = (2,)\nc shape = (2,)\n");
}

TEST(Clone, ReplaceStrictAndShareInputs) {
  Var x = vector(DType::Float64, "x"), w = vector(DType::Float64, "w");
  Var y = add(exp(x), constant(1.0));
  Var z = clone({y}, {{x, w}})[0];
  auto f = function({w}, {z});
  EXPECT_DOUBLE_EQ(at((*f)({arr({0}, {1})})[0], 0), 2.0);
  Var c = clone({y})[0];
  EXPECT_NE(c.owner(), y.owner());
  EXPECT_EQ(graph_inputs({c})[0], x);
  Var xf = vector(DType::Float32, "xf");
  EXPECT_THROW(clone({y}, {{x, xf}}, true), Error);
  EXPECT_EQ(*clone({y}, {{x, xf}}, false)[0].type()->dtype(), DType::Float32);
  Var s = shared(arr({1}, {1}), "s");
  Var u = clone({add(x, s)}, {}, true, false)[0];
  for (const Var& r : graph_inputs({u})) {
    EXPECT_FALSE(r == x);
    EXPECT_FALSE(r == s);
    if (r->is_shared()) EXPECT_EQ(r->container, s->container);
  }
}

TEST(SubgraphGrad, EqualsGrad) {
  Var x = vector(DType::Float64, "x"), w = vector(DType::Float64, "w");
  Var h = tanh(mul(x, w));
  Var cost = sum(mul(h, h));
  auto sg1 = subgraph_grad({}, {h}, {}, cost);
  auto sg2 = subgraph_grad({w}, {x}, {{h, sg1.end_grads[0]}});
  Var full = grad(cost, w);
  auto f = function({x, w}, {sg2.wrt_grads[0], full});
  auto r = (*f)({arr({0.5, -1}, {2}), arr({2, 0.3}, {2})});
  EXPECT_NEAR(at(r[0], 0), at(r[1], 0), 1e-12);
  EXPECT_NEAR(at(r[0], 1), at(r[1], 1), 1e-12);
  EXPECT_THROW(subgraph_grad({w}, {x}), Error);
}

TEST(FunctionCopy, SwapShareMemoryDeleteUpdates) {
  Var state = shared(NDArray::scalar(0.0), "state");
  Var inc = scalar(DType::Float64, "inc");
  FunctionOptions o;
  o.updates = {{state, add(state, inc)}};
  auto acc = function({inc}, {state}, o);
  (*acc)({NDArray::scalar(10.0)});
  Var other = shared(NDArray::scalar(0.0), "other");
  auto cp = acc->copy(false, {{state, other}});
  EXPECT_DOUBLE_EQ(at((*cp)({NDArray::scalar(100.0)})[0], 0), 0.0);
  EXPECT_DOUBLE_EQ(at(get_value(other), 0), 100.0);
  EXPECT_DOUBLE_EQ(at(get_value(state), 0), 10.0);
  auto null_acc = acc->copy(false, {}, true);
  EXPECT_DOUBLE_EQ(at((*null_acc)({NDArray::scalar(9000.0)})[0], 0), 10.0);
  EXPECT_DOUBLE_EQ(at(get_value(state), 0), 10.0);
  EXPECT_THROW(acc->copy(false, {{state, shared(arr({1}, {1}))}}), Error);
  EXPECT_THROW(acc->copy(false, {{other, state}}), Error);

  Var s = scalar(DType::Float64, "s");
  In sin(s);
  sin.value = NDArray::scalar(1.0);
  sin.update = add(s, inc);
  auto f = function({inc, sin}, {s});
  for (bool share : {false, true}) {
    auto g = f->copy(share);
    (*g)({NDArray::scalar(5.0)});
    EXPECT_DOUBLE_EQ(at((*f)[s], 0), share ? 6.0 : 1.0);
    (*f)[s] = NDArray::scalar(1.0);
  }
  EXPECT_EQ(f->copy(false, {}, false, std::string("renamed"))->name(), "renamed");
}
