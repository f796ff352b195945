// The generic in-place phase: DestroyHandler's safety rules, the variants it picks, and
// shared-variable updates computed in place (values, aliasing, threads).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "hypatia/compile/function.h"
#include "hypatia/compile/pipeline.h"
#include "hypatia/graph/print.h"
#include "hypatia/graph/shared.h"
#include "hypatia/rewrite/inplace.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {

NDArray arange(Shape shape, double start = 1.0) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = start + 0.25 * static_cast<double>(i);
  return NDArray::from_vector<double>(v, shape);
}

std::vector<std::string> ops_of(const FunctionGraph& fg) {
  std::vector<std::string> r;
  for (Apply* a : fg.toposort()) r.push_back(a->op()->str());
  return r;
}
int count(const FunctionGraph& fg, const std::string& s) {
  int n = 0;
  for (const auto& o : ops_of(fg)) n += o == s;
  return n;
}
int destroyers(const FunctionGraph& fg) {
  int n = 0;
  for (Apply* a : fg.toposort()) n += !a->op()->destroy_map().empty();
  return n;
}
// The fgraph node computing the fgraph output `k`.
Apply* producer(const FunctionGraph& fg, int k) { return fg.outputs()[k].owner(); }

FunctionOptions mode(const std::string& m) {
  FunctionOptions o;
  set_mode(o, m);
  return o;
}

double at(const Value& v, int64_t i) { return std::get<NDArray>(v).data<double>()[i]; }
bool equal(const NDArray& a, const NDArray& b) { return allclose(a, b, 0, 0); }
bool same(const Value& a, const Value& b) {
  return allclose(std::get<NDArray>(a), std::get<NDArray>(b), 1e-12, 1e-12);
}

// ---------------------------------------------------------------- DestroyHandler rules

TEST(DestroyHandler, IntermediateWithOneReaderMayBeDestroyed) {
  Var x = vector(DType::Float64, "x");
  Var e = exp(x);
  Var a = add(e, x);
  FunctionGraph fg({x}, {a});
  Apply* node = producer(fg, 0);
  DestroyHandler dh(fg);
  EXPECT_TRUE(dh.can_destroy(node, 0));   // exp(x): nobody else reads it
  EXPECT_FALSE(dh.can_destroy(node, 1));  // x: the caller's input
  EXPECT_FALSE(dh.can_destroy(node->input(0).owner(), 0));  // exp may not overwrite x either
}

TEST(DestroyHandler, NeverAConstant) {
  Var x = vector(DType::Float64, "x");
  Var c = constant(arange({3}));
  Var a = add(c, exp(x));
  FunctionGraph fg({x}, {a});
  DestroyHandler dh(fg);
  EXPECT_FALSE(dh.can_destroy(producer(fg, 0), 0));
  EXPECT_TRUE(dh.can_destroy(producer(fg, 0), 1));
}

TEST(DestroyHandler, NeverAValueReadLaterOrAnOutput) {
  Var x = vector(DType::Float64, "x");
  Var e = exp(x);
  // e is read by a second node that needs the first one's result: it must come later.
  Var a = add(e, x);
  FunctionGraph fg({x}, {mul(a, e)});
  DestroyHandler dh(fg);
  EXPECT_FALSE(dh.can_destroy(producer(fg, 0)->input(0).owner(), 0));
  EXPECT_TRUE(dh.can_destroy(producer(fg, 0), 1));  // the later reader may: the add is done with e
  // e is itself an output.
  Var e2 = exp(x);
  FunctionGraph fg2({x}, {e2, add(e2, x)});
  EXPECT_FALSE(DestroyHandler(fg2).can_destroy(producer(fg2, 1), 0));
  // A node reading e twice may not overwrite it (it would read what it wrote).
  Var e3 = exp(x);
  FunctionGraph fg3({x}, {add(e3, e3)});
  EXPECT_FALSE(DestroyHandler(fg3).can_destroy(producer(fg3, 0), 0));
}

TEST(DestroyHandler, ReadersThatComeFirstAndViewsAreFollowed) {
  Var x = matrix(DType::Float64, "x");
  Var e = exp(x);
  // sum(e) is an ancestor of the add: it has finished reading e when the add runs.
  FunctionGraph fg({x}, {add(e, sum(e))});
  EXPECT_TRUE(DestroyHandler(fg).can_destroy(producer(fg, 0), 0));
  // A view of e (its transpose) read by a node that must come later keeps e alive.
  Var e2 = exp(x);
  Var a2 = add(e2, x);
  FunctionGraph fg2({x}, {a2, mul(transpose(e2), a2)});
  EXPECT_FALSE(DestroyHandler(fg2).can_destroy(producer(fg2, 0), 0));
  // A view of e that is an output keeps it too.
  Var e3 = exp(x);
  FunctionGraph fg3({x}, {add(e3, x), transpose(e3)});
  EXPECT_FALSE(DestroyHandler(fg3).can_destroy(producer(fg3, 0), 0));
}

TEST(DestroyHandler, SharedVariableOnlyByTheNodeComputingItsUpdate) {
  Var W = shared(arange({4}), "W");
  Var g = vector(DType::Float64, "g");
  Var upd = sub(W, mul(constant(0.5), g));
  // No update mapping: W is a plain input and stays untouched.
  FunctionGraph plain({g, W}, {upd});
  EXPECT_FALSE(DestroyHandler(plain).can_destroy(producer(plain, 0), 0));
  // Output 0 replaces input 1 (W): the node computing it may overwrite W.
  FunctionGraph fg({g, W}, {upd});
  fg.set_update_mapping({{0, 1}});
  EXPECT_TRUE(DestroyHandler(fg).can_destroy(producer(fg, 0), 0));
  // ... but not when a node that needs the update reads W, or W's old value is an output.
  FunctionGraph fg2({g, W}, {upd, mul(W, upd)});
  fg2.set_update_mapping({{0, 1}});
  EXPECT_FALSE(DestroyHandler(fg2).can_destroy(producer(fg2, 0), 0));
  FunctionGraph fg3({g, W}, {upd, W});
  fg3.set_update_mapping({{0, 1}});
  EXPECT_FALSE(DestroyHandler(fg3).can_destroy(producer(fg3, 0), 0));
  // A node that reads W but does not compute its update may not overwrite it.
  FunctionGraph fg4({g, W}, {exp(W), upd});
  fg4.set_update_mapping({{1, 1}});
  EXPECT_FALSE(DestroyHandler(fg4).can_destroy(producer(fg4, 0), 0));
}

// ---------------------------------------------------------------- the phase in FAST_RUN

TEST(InplacePhase, ElemwiseVariantChosenWhenSafeAndValuesUnchanged) {
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  Var out = add(exp(x), y);
  auto f = function({x, y}, {out}, mode("FAST_RUN-fusion"));
  auto ref = function({x, y}, {out}, mode("None"));
  EXPECT_EQ(count(f->fgraph(), "Elemwise{add,inplace}"), 1) << debugprint(f->fgraph());
  EXPECT_EQ(count(f->fgraph(), "Elemwise{exp,no_inplace}"), 1);
  std::vector<Value> args = {arange({5}), arange({5}, -2.0)};
  NDArray x_before = std::get<NDArray>(args[0]).copy(), y_before = std::get<NDArray>(args[1]).copy();
  for (int rep = 0; rep < 3; ++rep) EXPECT_TRUE(same((*f)(args)[0], (*ref)(args)[0]));
  EXPECT_TRUE(equal(std::get<NDArray>(args[0]), x_before));  // inputs untouched
  EXPECT_TRUE(equal(std::get<NDArray>(args[1]), y_before));
  // Excluding the tag turns the phase off.
  auto off = function({x, y}, {out}, mode("FAST_RUN-fusion-inplace"));
  EXPECT_EQ(destroyers(off->fgraph()), 0);
}

TEST(InplacePhase, NotChosenForInputsConstantsOrOutputs) {
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  EXPECT_EQ(destroyers(function({x, y}, {add(x, y)})->fgraph()), 0);
  Var e = exp(x);
  auto f = function({x}, {e, add(e, x)}, mode("FAST_RUN-fusion"));
  EXPECT_EQ(destroyers(f->fgraph()), 0);
  auto r = (*f)({arange({4})});
  auto ref = function({x}, {e, add(e, x)}, mode("None"))->operator()({arange({4})});
  EXPECT_TRUE(same(r[0], ref[0]));
  EXPECT_TRUE(same(r[1], ref[1]));
}

TEST(InplacePhase, FusedElemwiseOverwritesAnIntermediate) {
  Var A = matrix(DType::Float64, "A"), v = vector(DType::Float64, "v"), y = vector(DType::Float64, "y");
  Var out = mul(tanh(add(dot(A, v), y)), y);  // one fused program over dot(A, v) and y
  auto f = function({A, v, y}, {out});
  auto ref = function({A, v, y}, {out}, mode("None"));
  EXPECT_EQ(destroyers(f->fgraph()), 1) << debugprint(f->fgraph());
  std::vector<Value> args = {arange({3, 4}, -0.5), arange({4}, 0.1), arange({3}, -1.0)};
  for (int rep = 0; rep < 2; ++rep) EXPECT_TRUE(same((*f)(args)[0], (*ref)(args)[0]));
}

// ---------------------------------------------------------------- shared updates in place

const double* data_of(const Var& s) { return std::get<NDArray>(get_value(s, true)).data<double>(); }

TEST(InplaceUpdate, ElemwiseUpdateWritesIntoTheSharedBuffer) {
  Var W = shared(arange({6}), "W");
  Var Wref = shared(arange({6}), "Wref");
  Var g = vector(DType::Float64, "g");
  FunctionOptions o;
  o.updates = {{W, sub(W, mul(constant(0.1), g))}};
  auto f = function({g}, {}, o);
  FunctionOptions oref = mode("FAST_RUN-inplace");
  oref.updates = {{Wref, sub(Wref, mul(constant(0.1), g))}};
  auto fref = function({g}, {}, oref);
  EXPECT_EQ(destroyers(f->fgraph()), 1);
  EXPECT_EQ(destroyers(fref->fgraph()), 0);
  const double* before = data_of(W);
  for (int rep = 0; rep < 4; ++rep) {
    Value gv = arange({6}, static_cast<double>(rep));
    (*f)({gv});
    (*fref)({gv});
    EXPECT_TRUE(same(get_value(W), get_value(Wref)));
  }
  EXPECT_EQ(data_of(W), before);  // the same buffer, updated in place
  EXPECT_NE(data_of(Wref), nullptr);
}

TEST(InplaceUpdate, GemmUpdateAndReadersBeforeIt) {
  Var W = shared(arange({3, 4}), "W");
  Var Wref = shared(arange({3, 4}), "Wref");
  Var a = matrix(DType::Float64, "a"), b = matrix(DType::Float64, "b");
  // The update reads sum(W * W), so that reader comes first: W may still be overwritten.
  auto make = [&](const Var& w, const std::string& m) {
    FunctionOptions o = mode(m);
    Var s = sum(mul(w, w));
    o.updates = {{w, sub(w, mul(constant(0.01), dot(mul(a, s), b)))}};
    return function({a, b}, {s}, o);
  };
  auto f = make(W, "FAST_RUN"), fref = make(Wref, "FAST_RUN-inplace");
  EXPECT_EQ(count(f->fgraph(), "Gemm{inplace}"), 1) << debugprint(f->fgraph());
  EXPECT_EQ(destroyers(fref->fgraph()), 0);
  const double* before = data_of(W);
  for (int rep = 0; rep < 3; ++rep) {
    std::vector<Value> args = {arange({3, 2}, rep), arange({2, 4}, -1.0)};
    EXPECT_TRUE(same((*f)(args)[0], (*fref)(args)[0]));
    EXPECT_TRUE(same(get_value(W), get_value(Wref)));
  }
  EXPECT_EQ(data_of(W), before);
}

TEST(InplaceUpdate, GemvUpdateWithAndWithoutGarbageCollection) {
  for (bool gc : {true, false}) {
    Var b = shared(arange({3}), "b"), bref = shared(arange({3}), "bref");
    Var A = matrix(DType::Float64, "A"), v = vector(DType::Float64, "v");
    auto make = [&](const Var& w, const std::string& m) {
      FunctionOptions o = mode(m);
      o.allow_gc = gc;
      o.updates = {{w, sub(w, mul(constant(0.5), dot(A, v)))}};
      return function({A, v}, {sum(w)}, o);  // the old value is also read
    };
    auto f = make(b, "FAST_RUN"), fref = make(bref, "FAST_RUN-inplace");
    auto g = [&](const Var& w) {  // the update alone: Gemv may overwrite w
      FunctionOptions o = mode("FAST_RUN");
      o.allow_gc = gc;
      o.updates = {{w, sub(w, mul(constant(0.5), dot(A, v)))}};
      return function({A, v}, {}, o);
    };
    auto f2 = g(b), f2ref = g(bref);
    EXPECT_EQ(count(f2->fgraph(), "Gemv{inplace}"), 1) << debugprint(f2->fgraph());
    // sum(w) reads the old value; it does not need the update, so it is scheduled first.
    EXPECT_EQ(count(f->fgraph(), "Gemv{inplace}"), 1) << debugprint(f->fgraph());
    for (int rep = 0; rep < 3; ++rep) {
      std::vector<Value> args = {arange({3, 4}, rep), arange({4}, -1.0)};
      EXPECT_TRUE(same((*f)(args)[0], (*fref)(args)[0]));
      (*f2)(args);
      // fref's graph differs from f2's only by the in-place phase being off.
      (*f2ref)(args);
      EXPECT_TRUE(same(get_value(b), get_value(bref))) << "gc " << gc;
    }
  }
}

// A reader of the old value that does not depend on the update is scheduled before it (the
// VM's order honours destroy_orderings); one that does depend on it keeps the copy.
TEST(InplaceUpdate, ReadersOfTheOldValueRunFirstOrKeepTheCopy) {
  for (bool dependent : {false, true}) {
    Var W = shared(arange({3, 4}), "W"), Wref = shared(arange({3, 4}), "Wref");
    Var a = matrix(DType::Float64, "a"), b = matrix(DType::Float64, "b");
    auto make = [&](const Var& w, const std::string& m) {
      FunctionOptions o = mode(m);
      Var nw = sub(w, mul(constant(0.01), dot(a, b)));
      o.updates = {{w, nw}};
      return function({a, b}, {sum(mul(w, dependent ? nw : w))}, o);
    };
    auto f = make(W, "FAST_RUN"), fref = make(Wref, "FAST_RUN-inplace");
    EXPECT_EQ(count(f->fgraph(), "Gemm{inplace}"), dependent ? 0 : 1) << debugprint(f->fgraph());
    EXPECT_EQ(destroy_orderings(f->fgraph()).size(), dependent ? 0u : 1u);
    for (int rep = 0; rep < 3; ++rep) {
      std::vector<Value> args = {arange({3, 2}, rep), arange({2, 4}, -1.0)};
      EXPECT_TRUE(same((*f)(args)[0], (*fref)(args)[0]));
      EXPECT_TRUE(same(get_value(W), get_value(Wref)));
    }
  }
}

// Two nodes reading one intermediate: one may overwrite it once the other is scheduled first,
// never both.
TEST(InplacePhase, OneDestroyerAndTheOtherReaderFirst) {
  Var x = vector(DType::Float64, "x");
  Var e = exp(x);
  std::vector<Out> outs = {Out(add(e, x)), Out(mul(e, x))};
  auto f = function({x}, outs, mode("FAST_RUN-fusion"));
  auto ref = function({x}, outs, mode("None"));
  EXPECT_EQ(destroyers(f->fgraph()), 1) << debugprint(f->fgraph());
  EXPECT_EQ(destroy_orderings(f->fgraph()).size(), 1u);
  std::vector<Value> args = {arange({5}, -1.0)};
  auto r = (*f)(args), rr = (*ref)(args);
  EXPECT_TRUE(same(r[0], rr[0]));
  EXPECT_TRUE(same(r[1], rr[1]));
}

TEST(InplaceUpdate, OutputsNeverAliasTheUpdatedValue) {
  Var W = shared(arange({4}), "W");
  Var g = vector(DType::Float64, "g");
  Var nw = sub(W, g);
  FunctionOptions o;
  o.updates = {{W, nw}};
  auto f = function({g}, {nw}, o);
  auto out = (*f)({arange({4})});
  NDArray& r = std::get<NDArray>(out[0]);
  EXPECT_TRUE(equal(r, std::get<NDArray>(get_value(W))));
  r.data<double>()[0] = 1234.0;  // the caller's copy
  EXPECT_NE(std::get<NDArray>(get_value(W)).data<double>()[0], 1234.0);
}

TEST(InplaceUpdate, AHeldHandleKeepsTheOldValue) {
  Var W = shared(arange({4}), "W");
  Var g = vector(DType::Float64, "g");
  FunctionOptions o;
  o.updates = {{W, sub(W, g)}};
  auto f = function({g}, {}, o);
  ASSERT_EQ(destroyers(f->fgraph()), 1);
  Value held = get_value(W, true);  // a borrowed handle, as a concurrent reader's snapshot
  NDArray old = std::get<NDArray>(held).copy();
  (*f)({arange({4})});
  EXPECT_TRUE(equal(std::get<NDArray>(held), old));  // not overwritten under the reader
  EXPECT_FALSE(equal(std::get<NDArray>(get_value(W)), old));
}

// CSMProperties' indices and indptr are the matrix's own arrays (declared in its view_map):
// an elementwise op on them must not write into a shared sparse matrix.
TEST(InplaceUpdate, NeverThroughTheArraysOfASparseMatrix) {
  NDArray dense = NDArray::zeros(DType::Float64, {3, 4});
  dense.data<double>()[1] = 2.0;
  dense.data<double>()[6] = 3.0;
  Var m = shared(SparseMatrix::from_dense(dense, SparseFormat::CSR), "m");
  std::vector<Var> props = sparse::csm_properties(m);
  auto f = function({}, {add(props[1], constant(NDArray::scalar<int32_t>(1))),
                         add(props[2], constant(NDArray::scalar<int32_t>(1)))});
  auto first = (*f)({});
  for (int rep = 0; rep < 2; ++rep) {
    auto again = (*f)({});
    EXPECT_TRUE(equal(std::get<NDArray>(again[0]), std::get<NDArray>(first[0])));
    EXPECT_TRUE(equal(std::get<NDArray>(again[1]), std::get<NDArray>(first[1])));
  }
  EXPECT_EQ(std::get<SparseMatrix>(get_value(m)).nnz(), 2);
}

// An in-place op applied by hand to a function input or to a shared variable the function does
// not update never writes into the caller's array or the shared storage.
TEST(InplaceUpdate, HandAppliedInplaceOpsWorkOnACopy) {
  auto add_into_first = std::make_shared<Elemwise>(ElemwiseParams{ScalarOpId::Add, DType::Float64, 0});
  ASSERT_EQ(add_into_first->str(), "Elemwise{add,inplace}");
  Var x = vector(DType::Float64, "x"), y = vector(DType::Float64, "y");
  auto f = function({x, y}, {apply1(*add_into_first, {x, y})});
  std::vector<Value> args = {arange({4}), arange({4}, 10.0)};
  NDArray x0 = std::get<NDArray>(args[0]).copy();
  for (int rep = 0; rep < 2; ++rep) EXPECT_DOUBLE_EQ(at((*f)(args)[0], 0), 11.0);
  EXPECT_TRUE(equal(std::get<NDArray>(args[0]), x0));
  Var W = shared(arange({4}), "W");
  auto g = function({y}, {apply1(*add_into_first, {W, y})});
  for (int rep = 0; rep < 2; ++rep) EXPECT_DOUBLE_EQ(at((*g)({arange({4}, 10.0)})[0], 0), 11.0);
  EXPECT_TRUE(equal(std::get<NDArray>(get_value(W)), arange({4})));
}

TEST(InplaceUpdate, TwoThreadsLoseNoUpdateAndReadersSeeNoTornValue) {
  const int64_t n = 1 << 16;
  std::vector<double> zeros(n, 0.0);
  Var W = shared(NDArray::from_vector<double>(zeros, {n}), "W");
  Var g = vector(DType::Float64, "g");
  FunctionOptions o;
  o.updates = {{W, add(W, g)}};
  auto f = function({g}, {}, o);
  ASSERT_EQ(destroyers(f->fgraph()), 1);
  auto reader = function({}, {W * 1.0});
  std::vector<double> ones(n, 1.0);
  const Value gv = NDArray::from_vector<double>(ones, {n});
  const int calls = 150;
  std::atomic<bool> torn{false};
  std::atomic<bool> done{false};
  std::thread r([&] {
    while (!done) {
      NDArray v = std::get<NDArray>((*reader)({})[0]);
      const double* p = v.data<double>();
      for (int64_t i = 1; i < n; ++i)
        if (p[i] != p[0]) torn = true;
    }
  });
  auto work = [&] {
    for (int k = 0; k < calls; ++k) (*f)({gv});
  };
  std::thread t1(work), t2(work);
  t1.join();
  t2.join();
  done = true;
  r.join();
  EXPECT_FALSE(torn);
  NDArray final = std::get<NDArray>(get_value(W));
  for (int64_t i = 0; i < n; i += 997) ASSERT_EQ(final.data<double>()[i], 2.0 * calls);
}

}  // namespace
}  // namespace hypatia
