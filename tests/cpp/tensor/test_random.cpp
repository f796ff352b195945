// Random streams: the manual's "Using Random Numbers" examples, seeding, default updates,
// state copies, distribution sanity (moments, ranges, dtypes), the absence of gradients, and
// symbolic sizes (size = x.shape) with their errors.
#include <cmath>
#include <set>

#include "helpers.h"
#include "hypatia/grad/grad.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/ops/random.h"

using namespace hypatia;
using namespace hypatia::test;

namespace {
NDArray call0(const FunctionPtr& f) { return std::get<NDArray>((*f)({})[0]); }
FunctionPtr fn(const Var& out, bool no_default_updates = false) {
  FunctionOptions o;
  o.no_default_updates = no_default_updates;
  return function({}, {out}, o);
}
SizeArg sz(std::initializer_list<int64_t> dims) {
  std::vector<Var> v;
  for (int64_t d : dims) v.push_back(constant_int(d));
  return v;
}
bool same(const NDArray& a, const NDArray& b) { return allclose(a, b, 0, 0, true); }
double mean_of(const NDArray& a_in) {
  NDArray a = a_in.astype(DType::Float64);
  double s = 0;
  for (int64_t i = 0; i < a.size(); ++i) s += a.data<double>()[i];
  return s / static_cast<double>(a.size());
}
double var_of(const NDArray& a_in) {
  NDArray a = a_in.astype(DType::Float64);
  double m = mean_of(a), s = 0;
  for (int64_t i = 0; i < a.size(); ++i) s += (a.data<double>()[i] - m) * (a.data<double>()[i] - m);
  return s / static_cast<double>(a.size());
}
}  // namespace

TEST(Random, ManualExamples) {
  RandomStreams srng(234);
  Var rv_u = srng.uniform(sz({2, 2}));
  Var rv_n = srng.normal(sz({2, 2}));
  auto f = fn(rv_u);
  auto g = fn(rv_n, true);  // no_default_updates: same numbers every call
  auto nearly_zeros = fn(add(rv_u, rv_u) - 2 * rv_u);
  NDArray f1 = call0(f), f2 = call0(f);
  EXPECT_FALSE(same(f1, f2));
  EXPECT_EQ(f1.dtype(), floatX());
  NDArray g1 = call0(g), g2 = call0(g);
  EXPECT_TRUE(same(g1, g2));
  NDArray z = call0(nearly_zeros);
  for (int64_t i = 0; i < z.size(); ++i) EXPECT_NEAR(at(z, i), 0.0, 1e-6);

  // seeding one generator through its state value (borrowed, modified in place)
  Var rng = random_rng_of(rv_u);
  ASSERT_TRUE(rng);
  RandomStatePtr st = as_random_state(get_value(rng, true), "test");
  st->seed(89234);
  set_value(rng, OpaquePtr(st), true);
  NDArray a = call0(f);
  st = as_random_state(get_value(rng, true), "test");
  st->seed(89234);
  NDArray b = call0(f);
  EXPECT_TRUE(same(a, b));

  // seeding the whole stream makes runs reproducible, and two streams with one seed agree
  srng.seed(902340);
  NDArray s1 = call0(f), s2 = call0(g);
  srng.seed(902340);
  EXPECT_TRUE(same(call0(f), s1));
  EXPECT_TRUE(same(call0(g), s2));
  RandomStreams other(234);
  Var o_u = other.uniform(sz({2, 2}));
  other.normal(sz({2, 2}));
  RandomStreams again(234);
  Var a_u = again.uniform(sz({2, 2}));
  EXPECT_TRUE(same(call0(fn(o_u)), call0(fn(a_u))));
}

TEST(Random, SharingAndCopyingState) {
  RandomStreams srng(1);
  Var u = srng.uniform(sz({3}));
  auto f1 = fn(u), f2 = fn(u * 2.0);
  // functions sharing the stream advance the same state
  Value before = get_value(random_rng_of(u));
  NDArray a = call0(f1);
  NDArray b = call0(f2);
  for (int64_t i = 0; i < 3; ++i) EXPECT_NE(at(b, i), 2 * at(a, i));
  set_value(random_rng_of(u), before);
  EXPECT_TRUE(same(call0(f1), a));
  EXPECT_EQ(srng.updates().size(), 1u);
  EXPECT_TRUE(srng.updates()[0].first == random_rng_of(u));
  EXPECT_TRUE(srng.updates()[0].second == random_new_state_of(u));

  // copying state between two graphs (the manual's copy_random_state)
  RandomStreams r1(10), r2(20);
  Var x1 = r1.normal(sz({4})), x2 = r2.normal(sz({4}));
  auto g1 = fn(x1), g2 = fn(x2);
  call0(g1);
  for (size_t k = 0; k < r1.state_updates().size(); ++k)
    set_value(r2.state_updates()[k].first, get_value(r1.state_updates()[k].first));
  EXPECT_TRUE(same(call0(g1), call0(g2)));

  // an explicit update replaces the default one
  FunctionOptions o;
  o.updates = {{random_rng_of(u), random_rng_of(u)}};
  auto h = function({}, {u}, o);
  EXPECT_TRUE(same(call0(h), call0(h)));
  // shared() accepts a state directly
  Var s = shared(OpaquePtr(std::make_shared<RandomStateValue>(5)));
  EXPECT_EQ(s.type()->str(), "RandomStateType");
  expect_error(ErrorKind::Type, [&] { set_value(s, NDArray::zeros(DType::Float64, {2})); });
}

TEST(Random, Distributions) {
  RandomStreams srng(42);
  const int64_t N = 100000;
  NDArray u = call0(fn(srng.uniform(sz({N}), constant(-2.0), constant(3.0))));
  EXPECT_EQ(u.dtype(), floatX());
  EXPECT_NEAR(mean_of(u), 0.5, 0.03);
  EXPECT_NEAR(var_of(u), 25.0 / 12, 0.05);
  for (int64_t i = 0; i < N; ++i) ASSERT_TRUE(u.data<double>()[i] >= -2 && u.data<double>()[i] < 3);
  NDArray u32 = call0(fn(srng.uniform(sz({N}), {}, {}, DType::Float32)));
  EXPECT_EQ(u32.dtype(), DType::Float32);
  for (int64_t i = 0; i < N; ++i) ASSERT_TRUE(u32.data<float>()[i] >= 0 && u32.data<float>()[i] < 1);

  NDArray n = call0(fn(srng.normal(sz({N}), constant(1.0), constant(2.0), DType::Float64)));
  EXPECT_NEAR(mean_of(n), 1.0, 0.03);
  EXPECT_NEAR(var_of(n), 4.0, 0.1);

  NDArray b = call0(fn(srng.binomial(sz({N}), constant_int(10), constant(0.3))));
  EXPECT_EQ(b.dtype(), DType::Int64);
  EXPECT_NEAR(mean_of(b), 3.0, 0.05);
  EXPECT_NEAR(var_of(b), 2.1, 0.1);

  NDArray ri = call0(fn(srng.random_integers(sz({N}), constant_int(-2), constant_int(3))));
  EXPECT_EQ(ri.dtype(), DType::Int64);
  std::set<int64_t> seen;
  for (int64_t i = 0; i < N; ++i) seen.insert(ri.data<int64_t>()[i]);
  EXPECT_EQ(seen, (std::set<int64_t>{-2, -1, 0, 1, 2, 3}));  // both ends included

  NDArray po = call0(fn(srng.poisson(sz({N}), constant(4.0))));
  EXPECT_EQ(po.dtype(), DType::Int64);
  EXPECT_NEAR(mean_of(po), 4.0, 0.05);
  EXPECT_NEAR(var_of(po), 4.0, 0.15);

  NDArray ch = call0(fn(srng.choice(sz({N}), constant_int(3), true,
                                    constant(NDArray::from_vector<double>({0.2, 0.5, 0.3}, {3})))));
  EXPECT_EQ(ch.dtype(), DType::Int64);
  EXPECT_NEAR(mean_of(ch), 0.5 + 0.6, 0.03);
  NDArray nr = call0(fn(srng.choice(sz({2, 5}), constant_int(10), false)));
  std::set<int64_t> uniq(nr.data<int64_t>(), nr.data<int64_t>() + 10);
  EXPECT_EQ(uniq.size(), 10u);

  NDArray pm = call0(fn(srng.permutation(sz({3}), constant_int(6))));
  ASSERT_EQ(pm.shape(), (Shape{3, 6}));
  for (int r = 0; r < 3; ++r) {
    std::set<int64_t> row(pm.data<int64_t>() + r * 6, pm.data<int64_t>() + r * 6 + 6);
    EXPECT_EQ(row, (std::set<int64_t>{0, 1, 2, 3, 4, 5}));
  }
  NDArray mn = call0(fn(srng.multinomial(sz({1000}), constant_int(20),
                                         constant(NDArray::from_vector<double>({0.1, 0.6, 0.3}, {3})))));
  ASSERT_EQ(mn.shape(), (Shape{1000, 3}));
  double c1 = 0;
  for (int r = 0; r < 1000; ++r) {
    EXPECT_EQ(mn.data<int64_t>()[r * 3] + mn.data<int64_t>()[r * 3 + 1] + mn.data<int64_t>()[r * 3 + 2], 20);
    c1 += mn.data<int64_t>()[r * 3 + 1];
  }
  EXPECT_NEAR(c1 / 1000, 12.0, 0.3);

  // parameters broadcast against size; without size the parameters give the shape
  Var lows = constant(NDArray::from_vector<double>({0, 10, 100}, {3}));
  NDArray bu = call0(fn(srng.uniform(sz({2, 3}), lows, lows + 1.0)));
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) EXPECT_EQ(std::floor(at(bu, r * 3 + c)), c == 0 ? 0 : (c == 1 ? 10 : 100));
  NDArray nu = call0(fn(srng.normal(std::nullopt, lows, constant(0.0))));
  ASSERT_EQ(nu.shape(), (Shape{3}));
  EXPECT_EQ(at(nu, 2), 100.0);
  // symbolic size and infer_shape
  Var k = scalar(DType::Int64, "k");
  Var sym = srng.uniform(std::vector<Var>{k, constant_int(2)});
  expect_infer_shape({k}, sym, {NDArray::scalar<int64_t>(4)});
}

TEST(Random, NoGradientsAndErrors) {
  RandomStreams srng(3);
  Var low = scalar(DType::Float64, "low");
  Var u = srng.uniform(sz({2}), low, constant(5.0), DType::Float64);
  bool raised = false;
  try {
    grad(sum(u), low);
  } catch (const Error&) {
    raised = true;
  }
  EXPECT_TRUE(raised) << "the gradient through a random op's parameters is undefined";
  // low > high is a ValueError at run time
  Var bad = srng.uniform(sz({2}), constant(2.0), constant(1.0));
  expect_error(ErrorKind::Value, [&] { call0(fn(bad)); }, "low > high");
  expect_error(ErrorKind::Type, [&] { random_uniform(shared(NDArray::zeros(DType::Float64, {1})), sz({1})); },
               "random state");
}

TEST(Random, SymbolicSizeFollowsTheInputShape) {
  // Theano's theano_rng.binomial(size=input.shape, n=1, p=1 - corruption_level) * input.
  RandomStreams srng(17);
  Var x = matrix(DType::Float64, "x");
  Var mask = srng.binomial(size_from_vector(shape(x)), constant_int(1), constant(0.7), DType::Float64);
  Var corrupted = mul(mask, x);
  auto f = function({In(x)}, {mask, corrupted});
  for (Shape s : {Shape{40, 30}, Shape{7, 90}}) {
    std::vector<Value> r = (*f)({NDArray::full(DType::Float64, s, 2.0)});
    const NDArray& m = std::get<NDArray>(r[0]);
    EXPECT_EQ(m.shape(), s);
    EXPECT_EQ(m.dtype(), DType::Float64);
    for (int64_t i = 0; i < m.size(); ++i) EXPECT_TRUE(m.data<double>()[i] == 0.0 || m.data<double>()[i] == 1.0);
    EXPECT_NEAR(mean_of(m), 0.7, 0.05);
    EXPECT_NEAR(mean_of(std::get<NDArray>(r[1])), 2 * mean_of(m), 1e-12);
  }
  // infer_shape gives the symbolic size: mask.shape runs no RandomFunction (without the
  // stream's default update, which would advance the state).
  expect_infer_shape({x}, mask, {NDArray::zeros(DType::Float64, {3, 5})});
  FunctionOptions no_updates;
  no_updates.no_default_updates = true;
  auto sh = function({In(x)}, {shape(mask)}, no_updates);
  for (const Apply* n : sh->fgraph().toposort()) EXPECT_NE(n->op()->name(), "RandomFunction");
  NDArray s = std::get<NDArray>((*sh)({NDArray::zeros(DType::Float64, {3, 5})})[0]);
  expect_near_array(s, {3, 5}, {2});
  // A tuple mixing ints and symbolic scalars.
  Var u = srng.uniform(std::vector<Var>{shape_i(x, 0), constant_int(2)});
  NDArray uv = run1({x}, u, {NDArray::zeros(DType::Float64, {4, 9})});
  EXPECT_EQ(uv.shape(), (Shape{4, 2}));
}

TEST(Random, SizeFromVectorForms) {
  Var x = tensor(DType::Float64, {false, false, false}, "x");
  EXPECT_EQ(size_from_vector(shape(x)).size(), 3u);
  EXPECT_EQ(size_from_vector(make_vector({constant_int(2), shape_i(x, 0)})).size(), 2u);
  EXPECT_EQ(size_from_vector(constant(NDArray::from_vector(std::vector<int32_t>{4, 5}, {2}))).size(), 2u);
  // A vector of unknown length needs ndim; its length is then checked at run time.
  Var v = vector(DType::Int64, "v");
  expect_error(ErrorKind::Value, [&] { size_from_vector(v, std::nullopt, "uniform"); }, "ndim");
  RandomStreams srng(3);
  Var u = srng.uniform(size_from_vector(v, 2, "uniform"));
  auto f = function({In(v)}, {u});
  EXPECT_EQ(std::get<NDArray>((*f)({NDArray::from_vector(std::vector<int64_t>{3, 4}, {2})})[0]).shape(), (Shape{3, 4}));
  expect_error(ErrorKind::Value, [&] { (*f)({NDArray::from_vector(std::vector<int64_t>{3, 4, 5}, {3})}); },
               "SpecifyShape");
  expect_error(ErrorKind::Value, [&] { size_from_vector(shape(x), 2, "uniform"); }, "ndim=2");
  // Bad sizes name the op.
  expect_error(ErrorKind::Type, [&] { size_from_vector(vector(DType::Float64), 2, "binomial"); }, "[binomial]");
  expect_error(ErrorKind::Type, [&] { size_from_vector(matrix(DType::Int64), 2, "binomial"); }, "integer vector");
  expect_error(ErrorKind::Value, [&] {
    srng.binomial(size_from_vector(constant(NDArray::from_vector(std::vector<int64_t>{3, -1}, {2})), {}, "binomial"));
  }, "[binomial] negative");
  expect_error(ErrorKind::Type, [&] { srng.uniform(std::vector<Var>{constant(2.5)}); }, "[uniform] size entry 0");
  // A negative symbolic size is caught at run time.
  Var n = scalar(DType::Int64, "n");
  auto g = function({In(n)}, {srng.normal(std::vector<Var>{n, constant_int(2)})});
  expect_error(ErrorKind::Value, [&] { (*g)({NDArray::scalar<int64_t>(-3)}); }, "negative dimension");
}
