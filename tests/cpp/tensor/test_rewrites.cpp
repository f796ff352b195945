// Tensor rewrites (canonicalize and specialize): the manual's grad example, one before/after graph
// check per rewrite, FAST_RUN against mode "None" on random inputs, and compile time on long chains.
#include <algorithm>
#include <chrono>
#include <functional>
#include <random>

#include "helpers.h"
#include "hypatia/graph/print.h"
#include "hypatia/rewrite/db.h"
#include "hypatia/compile/pipeline.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/shape.h"
#include "support/timing.h"
#include "hypatia/tensor/rewrites/rewrites.h"
#include "hypatia/tensor/rewrites/shape.h"

using namespace hypatia;
using namespace hypatia::test;

namespace {

FunctionPtr compile(const std::vector<Var>& ins, const Var& out, const std::string& mode) {
  FunctionOptions o;
  o.on_unused_input = OnUnusedInput::Ignore;
  set_mode(o, mode);
  return function(std::vector<In>(ins.begin(), ins.end()), {out}, o);
}

/// Op strings of a graph in toposort order.
std::vector<std::string> ops_of(const FunctionGraph& fg) {
  std::vector<std::string> r;
  for (Apply* n : fg.toposort()) r.push_back(n->op()->str());
  return r;
}
bool has_op(const FunctionGraph& fg, const std::string& s) {
  auto ops = ops_of(fg);
  return std::find(ops.begin(), ops.end(), s) != ops.end();
}
bool has_op_class(const FunctionGraph& fg, const std::string& name) {
  for (Apply* n : fg.toposort())
    if (n->op()->name() == name) return true;
  return false;
}

/// Runs only the tensor rewrite `name` (to a fixpoint) on fg.
void apply_only(FunctionGraph& fg, const std::string& name) {
  EquilibriumDB db("tensor_rewrites");
  register_tensor_canonicalize(db);
  register_shape_canonicalize(db);
  register_tensor_specialize(db);
  GraphRewriterPtr rw = db.query(Query{{name}, {}, {}});
  ASSERT_NE(rw, nullptr) << name;
  rw->apply(fg);
}

/// Random values in [lo, hi) for an input of tensor type: length-1 broadcastable axes, the
/// others 3, 5, 4, ... (non-square).
NDArray random_value(const Var& v, std::mt19937& rng, double lo, double hi) {
  const TensorType& t = *tensor_type(v);
  static const int64_t dims[] = {3, 5, 4, 2};
  Shape s;
  for (int d = 0; d < t.ndim(); ++d) s.push_back(t.broadcastable()[d] ? 1 : dims[d]);
  int64_t n = 1;
  for (auto k : s) n *= k;
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> vals(n);
  for (auto& x : vals) x = u(rng);
  return NDArray::from_vector<double>(vals, s).astype(t.elem());
}

/// Compiles `out` with FAST_RUN and with mode "None" and expects the same values on random inputs.
void expect_same_values(const std::vector<Var>& ins, const Var& out, double lo = 0.5, double hi = 2.0) {
  std::mt19937 rng(1234);
  std::vector<Value> vals;
  for (const Var& i : ins) vals.push_back(random_value(i, rng, lo, hi));
  auto fast = compile(ins, out, "FAST_RUN");
  auto none = compile(ins, out, "None");
  NDArray a = std::get<NDArray>((*fast)(vals)[0]);
  NDArray b = std::get<NDArray>((*none)(vals)[0]);
  ASSERT_EQ(a.dtype(), b.dtype()) << pprint(out);
  ASSERT_EQ(a.shape(), b.shape()) << pprint(out);
  const double tol = a.dtype() == DType::Float32 ? 1e-5 : 1e-12;
  for (int64_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(at(a, i), at(b, i), tol * (1 + std::abs(at(b, i)))) << pprint(out) << " i=" << i;
}

/// One rewrite case: a graph builder per dtype, the op (Op::str) that the rewrite removes (""
/// when the check says what changed) and an optional check of the rewritten graph.
struct Case {
  std::string rewrite;
  std::function<std::pair<std::vector<Var>, Var>(DType)> build;
  std::string vanishing_op;
  std::function<void(const FunctionGraph&)> check = nullptr;
  double lo = 0.5, hi = 2.0;
};

void run_case(const Case& c) {
  for (DType d : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(c.rewrite + " " + dtype_name(d));
    auto [ins, out] = c.build(d);
    {
      FunctionGraph fg(ins, {out});
      if (!c.vanishing_op.empty()) {
        EXPECT_TRUE(has_op(fg, c.vanishing_op)) << "before:\n" << debugprint(fg);
      }
      const TypePtr before = fg.outputs()[0].type();
      apply_only(fg, c.rewrite);
      if (!c.vanishing_op.empty()) {
        EXPECT_FALSE(has_op(fg, c.vanishing_op)) << "after:\n" << debugprint(fg);
      }
      EXPECT_TRUE(same_type(fg.outputs()[0].type(), before));
      if (c.check) c.check(fg);
    }
    expect_same_values(ins, out, c.lo, c.hi);
  }
}

const char* kSecond = "Elemwise{second,no_inplace}";
const char* kMul = "Elemwise{mul,no_inplace}";

// ---- the manual's example ----

TEST(TensorRewrites, ManualGradExamplePrintsTwoTimesX) {
  // What theano.grad(x ** 2, x) builds: (fill(x ** 2, 1.0) * 2) * (x ** (2 - 1)).
  Var x = scalar(DType::Float64, "x");
  Var gy = mul(mul(fill(pow(x, constant_int(2)), constant(1.0)), constant_int(2)),
               pow(x, sub(constant_int(2), constant_int(1))));
  EXPECT_EQ(pprint(gy), "((fill((x ** 2), 1.0) * 2) * (x ** (2 - 1)))");
  auto f = compile({x}, gy, "FAST_RUN");
  const Var& out = f->fgraph().outputs()[0];
  EXPECT_EQ(pprint(out), "(2.0 * x)");
  ASSERT_NE(out.owner(), nullptr);
  const Var& two = out.owner()->input(0);
  ASSERT_TRUE(two->is_constant());
  EXPECT_EQ(tensor_type(two)->elem(), DType::Float64);
  EXPECT_EQ(f->fgraph().num_nodes(), 1u);
  for (double v : {0.5, 3.0, -7.25}) {
    NDArray r = std::get<NDArray>((*f)({NDArray::scalar(v)})[0]);
    EXPECT_EQ(r.dtype(), DType::Float64);
    EXPECT_DOUBLE_EQ(r.item<double>(), 2 * v);
  }
}

// ---- canonicalize ----

TEST(TensorRewrites, UselessFill) {
  run_case({"local_useless_fill",
            [](DType d) {
              Var x = matrix(d, "x"), y = matrix(d, "y");
              return std::pair{std::vector<Var>{x, y}, exp(fill(x, y))};
            },
            kSecond,
            [](const FunctionGraph& fg) { EXPECT_EQ(pprint(fg.outputs()[0]), "exp(y)"); }});
  // 0-d model and value: the fill is the value.
  Var a = scalar(DType::Float64, "a"), b = scalar(DType::Float64, "b");
  FunctionGraph fg({a, b}, {fill(a, b)});
  apply_only(fg, "local_useless_fill");
  EXPECT_EQ(fg.num_nodes(), 0u);
  // A value broadcast by the model is not useless.
  Var m = matrix(DType::Float64, "m");
  FunctionGraph fg2({m, b}, {fill(m, b)});
  apply_only(fg2, "local_useless_fill");
  EXPECT_TRUE(has_op(fg2, kSecond));
}

TEST(TensorRewrites, FillToAlloc) {
  run_case({"local_fill_to_alloc",
            [](DType d) {
              Var x = matrix(d, "x"), s = scalar(d, "s");
              return std::pair{std::vector<Var>{x, s}, fill(x, s)};
            },
            kSecond,
            [](const FunctionGraph& fg) {
              EXPECT_TRUE(has_op(fg, "Alloc"));
              EXPECT_TRUE(has_op(fg, "Shape_i{1}"));
            }});
  // A broadcastable model axis stays broadcastable (the type is kept).
  Var r = row(DType::Float64, "r"), c = col(DType::Float64, "c");
  FunctionGraph fg({r, c}, {fill(r, c)});
  apply_only(fg, "local_fill_to_alloc");
  EXPECT_TRUE(has_op(fg, "Alloc"));
  expect_same_values({r, c}, fill(r, c));
}

TEST(TensorRewrites, FillSink) {
  run_case({"local_fill_sink",
            [](DType d) {
              Var x = matrix(d, "x"), s = scalar(d, "s"), y = matrix(d, "y");
              return std::pair{std::vector<Var>{x, s, y}, exp(fill(x, s) * y)};
            },
            kSecond,
            [](const FunctionGraph& fg) {
              // The fill went away entirely: the model x has y's pattern.
              EXPECT_EQ(pprint(fg.outputs()[0]), "exp((s * y))");
            }});
  // When the model broadcasts the result, the fill moves outside.
  Var x = matrix(DType::Float64, "x"), s = scalar(DType::Float64, "s");
  FunctionGraph fg({x, s}, {exp(fill(x, s))});
  apply_only(fg, "local_fill_sink");
  EXPECT_EQ(pprint(fg.outputs()[0]), "fill(x, exp(s))");
  expect_same_values({x, s}, exp(fill(x, s)));
}

TEST(TensorRewrites, MulCanonizerCombinesConstants) {
  run_case({"local_mul_canonizer",
            [](DType d) {
              Var x = matrix(d, "x");
              return std::pair{std::vector<Var>{x}, mul(constant_int(2), mul(constant_int(3), x))};
            },
            "",
            [](const FunctionGraph& fg) {
              int muls = 0;
              for (const auto& s : ops_of(fg)) muls += s == kMul;
              EXPECT_EQ(muls, 1) << debugprint(fg);
              EXPECT_EQ(scalar_constant_value(fg.outputs()[0].owner()->input(0)), std::optional<double>(6.0));
            }});
  Var x = matrix(DType::Float64, "x");
  FunctionGraph fg({x}, {mul(mul(x, constant(3.0)), constant_int(2))});
  apply_only(fg, "local_mul_canonizer");
  int muls = 0;
  for (const auto& s : ops_of(fg)) muls += s == kMul;
  EXPECT_EQ(muls, 1);
  const Var& out = fg.outputs()[0];
  auto c = scalar_constant_value(out.owner()->input(0));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, 6.0);
  EXPECT_EQ(tensor_type(out.owner()->input(0))->elem(), DType::Float64);
  // Scalars print as the manual does.
  Var a = scalar(DType::Float64, "a");
  FunctionGraph fg2({a}, {mul(constant_int(2), mul(a, constant(3.0)))});
  apply_only(fg2, "local_mul_canonizer");
  EXPECT_EQ(pprint(fg2.outputs()[0]), "(6.0 * a)");
}

TEST(TensorRewrites, MulByOne) {
  run_case({"local_mul_by_one",
            [](DType d) {
              Var x = matrix(d, "x");
              return std::pair{std::vector<Var>{x}, exp(x * 1)};
            },
            kMul,
            [](const FunctionGraph& fg) { EXPECT_EQ(pprint(fg.outputs()[0]), "exp(x)"); }});
  // 1.0 * x_float32 is a float64: x is kept, cast.
  Var x = matrix(DType::Float32, "x");
  FunctionGraph fg({x}, {mul(constant(NDArray::scalar<double>(1.0)), x)});
  apply_only(fg, "local_mul_by_one");
  EXPECT_EQ(ops_of(fg), std::vector<std::string>{"Elemwise{Cast{float64}}"});
  // Ones that broadcast x are kept.
  Var r = row(DType::Float64, "r");
  Var ones = constant(NDArray::full(DType::Float64, {3, 1}, 1.0));
  FunctionGraph fg2({r}, {mul(ones, r)});
  apply_only(fg2, "local_mul_by_one");
  EXPECT_TRUE(has_op(fg2, kMul));
}

TEST(TensorRewrites, AddZero) {
  run_case({"local_add_zero",
            [](DType d) {
              Var x = matrix(d, "x");
              return std::pair{std::vector<Var>{x}, exp(constant_int(0) + x)};
            },
            "Elemwise{add,no_inplace}",
            [](const FunctionGraph& fg) { EXPECT_EQ(pprint(fg.outputs()[0]), "exp(x)"); }});
  run_case({"local_add_zero",
            [](DType d) {
              Var x = matrix(d, "x");
              return std::pair{std::vector<Var>{x}, exp(x - 0)};
            },
            "Elemwise{sub,no_inplace}",
            nullptr});
  // 0 - x is not x.
  Var x = matrix(DType::Float64, "x");
  FunctionGraph fg({x}, {sub(constant_int(0), x)});
  apply_only(fg, "local_add_zero");
  EXPECT_TRUE(has_op(fg, "Elemwise{sub,no_inplace}"));
}

TEST(TensorRewrites, NegNeg) {
  run_case({"local_neg_neg",
            [](DType d) {
              Var x = matrix(d, "x");
              return std::pair{std::vector<Var>{x}, exp(-(-x))};
            },
            "Elemwise{neg,no_inplace}",
            [](const FunctionGraph& fg) { EXPECT_EQ(pprint(fg.outputs()[0]), "exp(x)"); }});
}

TEST(TensorRewrites, SubSelf) {
  run_case({"local_sub_self",
            [](DType d) {
              Var x = matrix(d, "x");
              Var e = exp(x);
              return std::pair{std::vector<Var>{x}, e - e};
            },
            "Elemwise{sub,no_inplace}",
            [](const FunctionGraph& fg) { EXPECT_TRUE(has_op(fg, kSecond)); }});
}

TEST(TensorRewrites, PowCanonicalize) {
  run_case({"local_pow_canonicalize",
            [](DType d) {
              Var x = matrix(d, "x");
              return std::pair{std::vector<Var>{x}, pow(x, constant_int(1)) + pow(x, constant_int(0))};
            },
            "Elemwise{pow,no_inplace}",
            nullptr});
}

TEST(TensorRewrites, UselessDimShuffle) {
  run_case({"local_useless_dimshuffle",
            [](DType d) {
              Var x = matrix(d, "x");
              Var id = apply1(*std::make_shared<DimShuffle>(DimShuffleParams{{0, 1}, true}), {x});
              return std::pair{std::vector<Var>{x}, exp(id)};
            },
            "InplaceDimShuffle{0,1}",
            [](const FunctionGraph& fg) { EXPECT_EQ(ops_of(fg), std::vector<std::string>{"Elemwise{exp,no_inplace}"}); }});
}

TEST(TensorRewrites, DimShuffleDimShuffle) {
  run_case({"local_dimshuffle_dimshuffle",
            [](DType d) {
              Var x = matrix(d, "x");
              return std::pair{std::vector<Var>{x}, exp(transpose(transpose(x)))};
            },
            "InplaceDimShuffle{1,0}",
            [](const FunctionGraph& fg) { EXPECT_EQ(pprint(fg.outputs()[0]), "exp(x)"); }});
  run_case({"local_dimshuffle_dimshuffle",
            [](DType d) {
              Var r = row(d, "r");  // (1, n) -> (n,) -> (n, 1) -> (1, n, 1)
              Var out = dimshuffle(dimshuffle(dimshuffle(r, {1}), {0, -1}), {-1, 0, 1});
              return std::pair{std::vector<Var>{r}, out};
            },
            "InplaceDimShuffle{0,x}",
            [](const FunctionGraph& fg) {
              EXPECT_EQ(ops_of(fg), std::vector<std::string>{"InplaceDimShuffle{x,1,x}"});
            }});
}

TEST(TensorRewrites, ShapeToShapeI) {
  for (DType d : {DType::Float32, DType::Float64}) {
    Var x = matrix(d, "x");
    Var out = shape(exp(x));
    FunctionGraph fg({x}, {out});
    apply_only(fg, "local_shape_to_shape_i");
    EXPECT_FALSE(has_op(fg, "Shape"));
    EXPECT_TRUE(has_op(fg, "MakeVector{dtype='int64'}"));
    EXPECT_TRUE(has_op(fg, "Shape_i{1}"));
    std::mt19937 rng(1);
    NDArray xv = random_value(x, rng, 0.5, 2);
    auto fast = compile({x}, out, "FAST_RUN");
    NDArray r = std::get<NDArray>((*fast)({xv})[0]);
    EXPECT_EQ(r.dtype(), DType::Int64);
    ASSERT_EQ(r.size(), 2);
    EXPECT_EQ(r.data<int64_t>()[0], 3);
    EXPECT_EQ(r.data<int64_t>()[1], 5);
    // FAST_RUN no longer computes exp(x) at all: only x's shape is needed.
    EXPECT_FALSE(has_op(fast->fgraph(), "Elemwise{exp,no_inplace}")) << debugprint(fast->fgraph());
  }
  // A vector's Shape becomes its one length too, unbroadcast to keep Shape's type (a
  // one-element MakeVector is broadcastable); then a vector's length need not run its op.
  Var v = vector(DType::Float64, "v");
  Var sv = shape(exp(v));
  FunctionGraph fg({v}, {sv});
  apply_only(fg, "local_shape_to_shape_i");
  EXPECT_FALSE(has_op(fg, "Shape"));
  EXPECT_TRUE(same_type(fg.outputs()[0].type(), sv.type()));
  auto fast = compile({v}, sv, "FAST_RUN");
  EXPECT_FALSE(has_op(fast->fgraph(), "Elemwise{exp,no_inplace}")) << debugprint(fast->fgraph());
  NDArray r = std::get<NDArray>((*fast)({NDArray::zeros(DType::Float64, {7})})[0]);
  ASSERT_EQ(r.size(), 1);
  EXPECT_EQ(r.data<int64_t>()[0], 7);
}

// local_shape_i_infer subsumes the former local_shape_i_of_known.
TEST(TensorRewrites, ShapeIOfKnown) {
  for (DType d : {DType::Float32, DType::Float64}) {
    Var x = matrix(d, "x"), y = matrix(d, "y");
    Var out = shape_i(exp(x) * transpose(transpose(y)), 1);
    FunctionGraph fg({x, y}, {out});
    apply_only(fg, "local_shape_i_infer");
    EXPECT_EQ(ops_of(fg), std::vector<std::string>{"Shape_i{1}"});
    EXPECT_EQ(fg.outputs()[0].owner()->input(0).name(), "x");
    std::mt19937 rng(2);
    std::vector<Value> vals{random_value(x, rng, 0.5, 2), random_value(y, rng, 0.5, 2)};
    auto fast = compile({x, y}, out, "FAST_RUN");
    auto none = compile({x, y}, out, "None");
    EXPECT_EQ(std::get<NDArray>((*fast)(vals)[0]).item<int64_t>(), 5);
    EXPECT_EQ(std::get<NDArray>((*none)(vals)[0]).item<int64_t>(), 5);
  }
}

TEST(TensorRewrites, ReshapeReshape) {
  run_case({"local_reshape_reshape",
            [](DType d) {
              Var x = matrix(d, "x");  // 3 x 5
              return std::pair{std::vector<Var>{x}, reshape(reshape(x, std::vector<int64_t>{15}), std::vector<int64_t>{5, 3})};
            },
            "Reshape{1}",
            [](const FunctionGraph& fg) { EXPECT_EQ(ops_of(fg), std::vector<std::string>{"Reshape{2}"}); }});
}

// ---- specialize ----

TEST(TensorRewrites, PowSpecialize) {
  struct P {
    std::function<Var()> exponent;
    std::string replacement;
  };
  const std::vector<P> cases = {
      {[] { return constant_int(2); }, "Elemwise{sqr,no_inplace}"},
      {[] { return constant(0.5); }, "Elemwise{sqrt,no_inplace}"},
      {[] { return constant_int(-1); }, "Elemwise{true_div,no_inplace}"},
      {[] { return constant_int(1); }, ""},
      {[] { return constant_int(0); }, kSecond},
  };
  for (const auto& p : cases) {
    run_case({"local_pow_specialize",
              [&](DType d) {
                Var x = matrix(d, "x");
                return std::pair{std::vector<Var>{x}, pow(x, p.exponent())};
              },
              "Elemwise{pow,no_inplace}",
              [&](const FunctionGraph& fg) {
                if (!p.replacement.empty()) {
                  EXPECT_TRUE(has_op(fg, p.replacement)) << debugprint(fg);
                }
              }});
  }
  // Integers keep integer powers: x ** -1 is not 1 / x.
  Var n = matrix(DType::Int32, "n");
  FunctionGraph fg({n}, {pow(n, constant_int(-1))});
  apply_only(fg, "local_pow_specialize");
  EXPECT_TRUE(has_op(fg, "Elemwise{pow,no_inplace}"));
  // An int matrix squared in float64 (x ** 2.5 stays).
  FunctionGraph fg2({n}, {pow(n, constant(2.5))});
  apply_only(fg2, "local_pow_specialize");
  EXPECT_TRUE(has_op(fg2, "Elemwise{pow,no_inplace}"));
  expect_same_values({n}, pow(n, constant(2.0)));
}

TEST(TensorRewrites, MulSpecialize) {
  run_case({"local_mul_specialize",
            [](DType d) {
              Var x = matrix(d, "x");
              return std::pair{std::vector<Var>{x}, x * -1};
            },
            kMul,
            [](const FunctionGraph& fg) { EXPECT_EQ(pprint(fg.outputs()[0]), "-x"); }});
  run_case({"local_mul_specialize",
            [](DType d) {
              Var x = matrix(d, "x");
              return std::pair{std::vector<Var>{x}, mul(constant(-1.0), x)};
            },
            kMul,
            nullptr});
}

TEST(TensorRewrites, FastRunPipelineCombinesThem) {
  // 2 * ((x * 3) ** 1) + 0 - (-(-y)) * 1 on a row and a matrix.
  for (DType d : {DType::Float32, DType::Float64}) {
    Var x = row(d, "x"), y = matrix(d, "y");
    Var out = (2 * pow(x * 3, constant_int(1)) + 0) - (-(-y)) * 1;
    auto f = compile({x, y}, out, "FAST_RUN");
    // sub(mul(6, x), y): the constant was folded to a (1, 1) array of the output dtype.
    const FunctionGraph& fg = f->fgraph();
    EXPECT_EQ(ops_of(fg), (std::vector<std::string>{kMul, "Elemwise{sub,no_inplace}"})) << debugprint(fg);
    Apply* m = fg.outputs()[0].owner()->input(0).owner();
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(scalar_constant_value(m->input(0)), std::optional<double>(6.0));
    EXPECT_EQ(tensor_type(m->input(0))->elem(), d);
    EXPECT_EQ(m->input(1).name(), "x");
    EXPECT_EQ(fg.outputs()[0].owner()->input(1).name(), "y");
    expect_same_values({x, y}, out);
  }
}

// ---- compile time ----

/// A chain of `n` mixed elementwise ops on matrices (with a few rewritable patterns).
std::pair<std::vector<Var>, Var> mixed_chain(int n) {
  Var x = matrix(DType::Float64, "x"), y = matrix(DType::Float64, "y");
  Var v = x;
  for (int i = 0; i < n; ++i) {
    switch (i % 6) {
      case 0: v = v + y; break;
      case 1: v = v * y; break;
      case 2: v = neg(v); break;
      case 3: v = v - y; break;
      case 4: v = exp(v); break;
      default: v = true_div(v, y); break;
    }
  }
  return {{x, y}, v};
}

double compile_ms(int n, size_t* nodes = nullptr) {
  auto t0 = std::chrono::steady_clock::now();
  auto [ins, out] = mixed_chain(n);
  auto f = compile(ins, out, "FAST_RUN");
  auto t1 = std::chrono::steady_clock::now();
  if (nodes) *nodes = f->fgraph().num_nodes();
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

TEST(TensorRewrites, CompileTimeOfLongChains) {
  compile_ms(100);  // warm up (pipeline construction, allocator)
  size_t nodes = 0;
  double best = 1e9;
  for (int rep = 0; rep < 3; ++rep) best = std::min(best, compile_ms(1000, &nodes));
  std::printf("[ compile ] 1,000-node elementwise chain, build + FAST_RUN compile: %.2f ms (%zu nodes after)\n",
              best, nodes);
  // Generous: catches quadratic blow-ups, not machine noise (not under sanitizers).
  if (hypatia::testing::timing_asserts_enabled()) EXPECT_LT(best, 200.0);
  double big = compile_ms(10000, &nodes);
  std::printf("[ compile ] 10,000-node elementwise chain: %.2f ms (%zu nodes after)\n", big, nodes);
  // Rewrites may fold neg/mul pairs and fusion merges runs of elementwise nodes: never more nodes.
  EXPECT_LE(nodes, 10000u);
  EXPECT_GE(nodes, 1u);
}

// Deep chains that do rewrite at every step: mul by constants (bubbling up) and neg pairs.
TEST(TensorRewrites, CompileTimeOfRewritingChains) {
  Var x = matrix(DType::Float64, "x"), y = matrix(DType::Float64, "y");
  Var v = x;
  for (int i = 0; i < 3000; ++i) v = (i % 3 == 0) ? -(-(v * 2)) : (i % 3 == 1 ? v * y : v + 0);
  auto t0 = std::chrono::steady_clock::now();
  auto f = compile({x, y}, v, "FAST_RUN");
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ compile ] 3,000-step rewriting chain: %.2f ms (%zu nodes after)\n", ms, f->fgraph().num_nodes());
  if (hypatia::testing::timing_asserts_enabled()) EXPECT_LT(ms, 2000.0);
  EXPECT_FALSE(has_op(f->fgraph(), "Elemwise{neg,no_inplace}"));
  EXPECT_FALSE(has_op(f->fgraph(), "Elemwise{add,no_inplace}"));
}

}  // namespace
