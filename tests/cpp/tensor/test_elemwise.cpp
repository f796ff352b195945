// Elemwise and DimShuffle: values vs loops, broadcasting, dtype promotion, errors, shapes, vjp/jvp.
#include <chrono>

#include "helpers.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "support/timing.h"

using namespace hypatia;
using namespace hypatia::test;

namespace {

struct BinCase {
  Var (*build)(const Var&, const Var&);
  double (*ref)(double, double);
};

}  // namespace

TEST(Elemwise, BinaryValuesMatchLoopsAcrossDtypes) {
  const std::vector<BinCase> cases = {
      {add, [](double a, double b) { return a + b; }},
      {sub, [](double a, double b) { return a - b; }},
      {mul, [](double a, double b) { return a * b; }},
      {true_div, [](double a, double b) { return a / b; }},
      {pow, [](double a, double b) { return std::pow(a, b); }},
  };
  for (DType d : {DType::Float32, DType::Float64, DType::Int32}) {
    Var x = matrix(d, "x"), y = matrix(d, "y");
    NDArray xv = seq(d, {3, 4}, 1, 1), yv = seq(d, {3, 4}, 3.25, -0.5);
    if (d == DType::Int32) yv = seq(d, {3, 4}, 1, 0).astype(d);  // avoid negative int powers
    for (size_t c = 0; c < cases.size(); ++c) {
      NDArray r = run1({x, y}, cases[c].build(x, y), {xv, yv});
      ASSERT_EQ(r.shape(), (Shape{3, 4}));
      for (int64_t i = 0; i < 12; ++i) {
        double want = cases[c].ref(at(xv, i), at(yv, i));
        if (d == DType::Float32) want = static_cast<float>(want);
        EXPECT_NEAR(at(r, i), want, 1e-4 * (1 + std::abs(want))) << dtype_name(d) << " case " << c << " i=" << i;
      }
    }
  }
}

TEST(Elemwise, UnaryValuesMatchLoops) {
  for (DType d : {DType::Float32, DType::Float64}) {
    Var x = matrix(d, "x");
    NDArray xv = seq(d, {4, 2}, 0.5, 0.25);
    const std::vector<std::pair<Var, double (*)(double)>> cases = {
        {neg(x), [](double a) { return -a; }},     {exp(x), [](double a) { return std::exp(a); }},
        {log(x), [](double a) { return std::log(a); }}, {sqr(x), [](double a) { return a * a; }},
        {sqrt(x), [](double a) { return std::sqrt(a); }},
    };
    for (const auto& [out, ref] : cases) {
      EXPECT_EQ(tensor_type(out)->elem(), d);
      NDArray r = run1({x}, out, {xv});
      for (int64_t i = 0; i < 8; ++i) EXPECT_NEAR(at(r, i), ref(at(xv, i)), 1e-5 * (1 + std::abs(ref(at(xv, i)))));
    }
  }
  Var n = vector(DType::Int32, "n");
  Var e = exp(n);
  EXPECT_EQ(tensor_type(e)->elem(), DType::Float64);
  NDArray r = run1({n}, e, {seq(DType::Int32, {3}, 0)});
  EXPECT_NEAR(at(r, 2), std::exp(2.0), 1e-12);
  NDArray s = run1({n}, sqr(neg(n)), {seq(DType::Int32, {3}, -1)});
  EXPECT_EQ(s.dtype(), DType::Int32);
  EXPECT_EQ(at(s, 0), 1);
  EXPECT_EQ(at(s, 2), 1);
}

TEST(Elemwise, ComparisonsReturnBool) {
  Var x = matrix(DType::Float64, "x"), y = matrix(DType::Int32, "y");
  NDArray xv = seq(DType::Float64, {3, 4}, 0), yv = seq(DType::Int32, {3, 4}, 10, -1);
  const std::vector<std::pair<Var (*)(const Var&, const Var&), bool (*)(double, double)>> cases = {
      {eq, [](double a, double b) { return a == b; }}, {neq, [](double a, double b) { return a != b; }},
      {lt, [](double a, double b) { return a < b; }},  {gt, [](double a, double b) { return a > b; }},
      {le, [](double a, double b) { return a <= b; }}, {ge, [](double a, double b) { return a >= b; }},
  };
  for (const auto& [build, ref] : cases) {
    Var out = build(x, y);
    EXPECT_EQ(tensor_type(out)->elem(), DType::Bool);
    NDArray r = run1({x, y}, out, {xv, yv});
    ASSERT_EQ(r.dtype(), DType::Bool);
    int trues = 0;
    for (int64_t i = 0; i < 12; ++i) {
      EXPECT_EQ(r.data<bool>()[i], ref(at(xv, i), at(yv, i))) << i;
      trues += r.data<bool>()[i];
    }
    EXPECT_GT(trues, 0);
    EXPECT_LT(trues, 12);
  }
  NDArray g = run1({x}, x > 5.0, {xv});
  EXPECT_FALSE(g.data<bool>()[5]);
  EXPECT_TRUE(g.data<bool>()[6]);
}

TEST(Elemwise, BroadcastingRowColScalarAndLowerRank) {
  Var m = matrix(DType::Float64, "m");
  NDArray mv = seq(DType::Float64, {3, 4}, 0);
  Var r = row(DType::Float64, "r"), c = col(DType::Float64, "c"), s = scalar(DType::Float64, "s");
  Var v = vector(DType::Float64, "v");
  NDArray rv = seq(DType::Float64, {1, 4}, 100, 10), cv = seq(DType::Float64, {3, 1}, 1000, 1000);
  NDArray sv = NDArray::scalar<double>(0.5), vv = seq(DType::Float64, {4}, -1, -1);
  NDArray o1 = run1({m, r}, m + r, {mv, rv});
  NDArray o2 = run1({c, m}, c + m, {cv, mv});
  NDArray o3 = run1({m, s}, m * s, {mv, sv});
  NDArray o4 = run1({m, v}, m - v, {mv, vv});
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) {
      double x = at(mv, i * 4 + j);
      EXPECT_EQ(at(o1, i * 4 + j), x + at(rv, j));
      EXPECT_EQ(at(o2, i * 4 + j), at(cv, i) + x);
      EXPECT_EQ(at(o3, i * 4 + j), x * 0.5);
      EXPECT_EQ(at(o4, i * 4 + j), x - at(vv, j));
    }
  EXPECT_EQ(tensor_type(m + r)->broadcastable(), (std::vector<bool>{false, false}));
  EXPECT_EQ(tensor_type(r + c)->broadcastable(), (std::vector<bool>{false, false}));
  EXPECT_EQ(tensor_type(r * s)->broadcastable(), (std::vector<bool>{true, false}));
  // row + col gives the outer sum
  NDArray o5 = run1({r, c}, r + c, {rv, cv});
  EXPECT_EQ(o5.shape(), (Shape{3, 4}));
  EXPECT_EQ(at(o5, 4 * 2 + 3), at(rv, 3) + at(cv, 2));
  // a transposed (strided) input takes the general path
  Var m2 = matrix(DType::Float64, "m2");
  NDArray o6 = run1({m2, r}, transpose(m2) + r, {seq(DType::Float64, {4, 3}, 0), rv});
  EXPECT_EQ(at(o6, 1 * 4 + 2), 2 * 3 + 1 + at(rv, 2));
}

TEST(Elemwise, DtypePromotion) {
  Var a = vector(DType::Int8, "a"), b = vector(DType::UInt8, "b");
  Var s = a + b;
  EXPECT_EQ(tensor_type(s)->elem(), DType::Int16);
  NDArray r = run1({a, b}, s, {NDArray::from_vector<int8_t>({100, -100}, {2}), NDArray::from_vector<uint8_t>({200, 255}, {2})});
  EXPECT_EQ(r.dtype(), DType::Int16);
  EXPECT_EQ(r.data<int16_t>()[0], 300);
  EXPECT_EQ(r.data<int16_t>()[1], 155);
  Var i = vector(DType::Int32, "i"), j = vector(DType::Int32, "j");
  Var q = i / j;
  EXPECT_EQ(tensor_type(q)->elem(), DType::Float64);
  NDArray qv = run1({i, j}, q, {NDArray::from_vector<int32_t>({7, 1}, {2}), NDArray::from_vector<int32_t>({2, 3}, {2})});
  EXPECT_DOUBLE_EQ(qv.data<double>()[0], 3.5);
  EXPECT_DOUBLE_EQ(qv.data<double>()[1], 1.0 / 3.0);
  EXPECT_EQ(tensor_type(vector(DType::Int8) / vector(DType::Int8))->elem(), DType::Float32);
  EXPECT_EQ(tensor_type(vector(DType::Float32) + vector(DType::Int8))->elem(), DType::Float32);
  EXPECT_EQ(tensor_type(vector(DType::Float32) + vector(DType::Int32))->elem(), DType::Float64);
  EXPECT_EQ(tensor_type(vector(DType::Float32) * 2.0)->elem(), DType::Float32);
  EXPECT_EQ(tensor_type(vector(DType::Float32) * 0.1)->elem(), DType::Float64);
  EXPECT_EQ(tensor_type(i * 2)->elem(), DType::Int32);
  EXPECT_EQ(tensor_type(i * 1.5)->elem(), DType::Float64);
  EXPECT_EQ(tensor_type(vector(DType::Int8) * 1.5)->elem(), DType::Float32);
  EXPECT_EQ(tensor_type(lt(vector(DType::Int64), vector(DType::Float32)))->elem(), DType::Bool);
  EXPECT_EQ(tensor_type(cast(i, DType::Float32))->elem(), DType::Float32);
  EXPECT_TRUE(cast(i, DType::Int32) == i);
}

TEST(Elemwise, HalfBoolAndComplex) {
  Var h = vector(DType::Float16, "h");
  NDArray hv = run1({h}, h * h + h, {seq(DType::Float16, {3}, 1.5)});
  EXPECT_EQ(hv.dtype(), DType::Float16);
  EXPECT_FLOAT_EQ(static_cast<float>(hv.data<half>()[1]), 2.5f * 2.5f + 2.5f);
  Var p = vector(DType::Bool, "p"), q = vector(DType::Bool, "q");
  NDArray pv = NDArray::from_vector<bool>({true, true, false}, {3}), qv = NDArray::from_vector<bool>({true, false, false}, {3});
  NDArray s = run1({p, q}, p + q, {pv, qv});
  EXPECT_EQ(s.dtype(), DType::Bool);
  EXPECT_TRUE(s.data<bool>()[1]);
  EXPECT_FALSE(s.data<bool>()[2]);
  expect_error(ErrorKind::Type, [&] { sub(p, q); }, "[Elemwise{sub,no_inplace}]");
  Var z = vector(DType::Complex128, "z");
  NDArray zv = NDArray::from_vector<complex128>({{1, 2}, {0, 1}}, {2});
  NDArray zr = run1({z}, z * z + exp(z), {zv});
  EXPECT_EQ(zr.dtype(), DType::Complex128);
  complex128 want = complex128(1, 2) * complex128(1, 2) + std::exp(complex128(1, 2));
  EXPECT_NEAR(std::abs(zr.data<complex128>()[0] - want), 0, 1e-12);
  EXPECT_EQ(tensor_type(z + vector(DType::Float32))->elem(), DType::Complex128);
}

TEST(Elemwise, RuntimeShapeMismatchIsValueError) {
  Var x = matrix(DType::Float64, "x"), y = matrix(DType::Float64, "y");
  FunctionOptions o;
  auto f = function({x, y}, {x + y}, o);
  try {
    (*f)({seq(DType::Float64, {3, 4}), seq(DType::Float64, {4, 4})});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_EQ(std::string(e.what()).rfind(
                  "[Elemwise{add,no_inplace}] Input dimension mis-match. (input[0].shape[0] = 3, input[1].shape[0] = 4)", 0),
              0u)
        << e.what();
  }
  // a length-1 axis that is not statically broadcastable does not broadcast (Theano's rule)
  expect_error(ErrorKind::Value, [&] { (*f)({seq(DType::Float64, {3, 4}), seq(DType::Float64, {1, 4})}); });
  // the function still works afterwards
  NDArray r = std::get<NDArray>((*f)({seq(DType::Float64, {2, 2}), seq(DType::Float64, {2, 2})})[0]);
  EXPECT_EQ(at(r, 3), 8);
}

TEST(Elemwise, PrintingEqualityAndHash) {
  Var x = matrix(DType::Float64, "x");
  EXPECT_EQ((x + x).owner()->op()->str(), "Elemwise{add,no_inplace}");
  EXPECT_EQ(cast(x, DType::Float32).owner()->op()->str(), "Elemwise{Cast{float32}}");
  EXPECT_EQ(fill(x, constant(1.0)).owner()->op()->str(), "Elemwise{second,no_inplace}");
  EXPECT_EQ(transpose(x).owner()->op()->str(), "InplaceDimShuffle{1,0}");
  EXPECT_EQ(dimshuffle(x, {-1, 0, 1}).owner()->op()->str(), "InplaceDimShuffle{x,0,1}");
  EXPECT_EQ(DimShuffle(DimShuffleParams{{1, 0}, false}).str(), "DimShuffle{1,0}");
  Elemwise a(ScalarOpId::Add), b(ScalarOpId::Add), m(ScalarOpId::Mul);
  EXPECT_TRUE(a.equals(b));
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_FALSE(a.equals(m));
  EXPECT_FALSE(Elemwise(ScalarOpId::Cast, DType::Float32).equals(Elemwise(ScalarOpId::Cast, DType::Int32)));
}

TEST(Elemwise, InferShape) {
  Var m = matrix(DType::Float64, "m"), r = row(DType::Float64, "r"), c = col(DType::Float64, "c");
  NDArray mv = seq(DType::Float64, {3, 4}), rv = seq(DType::Float64, {1, 4}), cv = seq(DType::Float64, {3, 1});
  expect_infer_shape({m, r}, m + r, {mv, rv});
  expect_infer_shape({r, c}, r * c, {rv, cv});
  expect_infer_shape({r}, exp(r), {rv});
  expect_infer_shape({m}, transpose(m), {mv});
  expect_infer_shape({r}, dimshuffle(r, {1, -1}), {rv});
  expect_infer_shape({m, r}, fill(m, r), {mv, rv});
}

TEST(Elemwise, VjpReducesBroadcastAxesAndKeepsDtype) {
  Var x = matrix(DType::Float32, "x"), r = row(DType::Float32, "r");
  Var y = x * r;
  Var gz = matrix(DType::Float32, "gz");
  auto g = y.owner()->op()->vjp(*y.owner(), {gz});
  ASSERT_EQ(g.size(), 2u);
  EXPECT_TRUE(same_type(g[0].type(), x.type()));
  EXPECT_TRUE(same_type(g[1].type(), r.type())) << g[1].type()->str();
  NDArray xv = seq(DType::Float32, {3, 4}, 1), rv = seq(DType::Float32, {1, 4}, 2), gv = seq(DType::Float32, {3, 4}, 0.5, 0.5);
  NDArray gx = run1({x, r, gz}, g[0], {xv, rv, gv});
  NDArray gr = run1({x, r, gz}, g[1], {xv, rv, gv});
  ASSERT_EQ(gr.shape(), (Shape{1, 4}));
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_FLOAT_EQ(at(gx, i * 4 + j), at(gv, i * 4 + j) * at(rv, j));
  for (int j = 0; j < 4; ++j) {
    double want = 0;
    for (int i = 0; i < 3; ++i) want += at(gv, i * 4 + j) * at(xv, i * 4 + j);
    EXPECT_NEAR(at(gr, j), want, 1e-4);
  }
}

TEST(Elemwise, VjpOfDivPowLogSqrtMatchesAnalytic) {
  Var a = vector(DType::Float64, "a"), b = vector(DType::Float64, "b"), gz = vector(DType::Float64, "gz");
  NDArray av = seq(DType::Float64, {3}, 1.5, 0.5), bv = seq(DType::Float64, {3}, 0.5, 1.0), gv = seq(DType::Float64, {3}, 1, 1);
  auto check = [&](const Var& y, int input, double (*ref)(double, double)) {
    Var g = y.owner()->op()->vjp(*y.owner(), {gz})[input];
    NDArray r = run1({a, b, gz}, g, {av, bv, gv});
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(at(r, i), at(gv, i) * ref(at(av, i), at(bv, i)), 1e-10) << i;
  };
  check(a / b, 0, [](double x, double y) { return 1 / y; });
  check(a / b, 1, [](double x, double y) { return -x / (y * y); });
  check(pow(a, b), 0, [](double x, double y) { return y * std::pow(x, y - 1); });
  check(pow(a, b), 1, [](double x, double y) { return std::log(x) * std::pow(x, y); });
  check(log(a), 0, [](double x, double) { return 1 / x; });
  check(sqrt(a), 0, [](double x, double) { return 0.5 / std::sqrt(x); });
  check(sqr(a), 0, [](double x, double) { return 2 * x; });
  check(a - b, 1, [](double, double) { return -1.0; });
  // comparisons: zero gradients of the input's type; integer inputs: zeros
  Var c = lt(a, b);
  Var gc = c.owner()->op()->vjp(*c.owner(), {vector(DType::Bool)})[0];
  EXPECT_TRUE(same_type(gc.type(), a.type()));
  Var n = vector(DType::Int32, "n");
  Var m = a * n;
  Var gn = m.owner()->op()->vjp(*m.owner(), {gz})[1];
  EXPECT_TRUE(same_type(gn.type(), n.type()));
  NDArray gnv = run1({a, n}, gn, {av, seq(DType::Int32, {3})});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(at(gnv, i), 0);
  // second (fill): the model is disconnected
  Var f = fill(a, b);
  auto gf = f.owner()->op()->vjp(*f.owner(), {gz});
  EXPECT_TRUE(is_disconnected(gf[0]));
  EXPECT_EQ(f.owner()->op()->connection_pattern(*f.owner()), (std::vector<std::vector<bool>>{{false}, {true}}));
}

TEST(Elemwise, JvpMatchesAnalytic) {
  Var x = matrix(DType::Float64, "x"), w = row(DType::Float64, "w");
  Var vx = matrix(DType::Float64, "vx"), vw = row(DType::Float64, "vw");
  Var y = exp(x) * w;
  // chain: R(y) = R(exp(x)) * w + exp(x) * vw where R(exp(x)) = exp(x) * vx
  Var e = y.owner()->input(0);
  Var re = e.owner()->op()->jvp(*e.owner(), {vx})[0];
  Var ry = y.owner()->op()->jvp(*y.owner(), {re, vw})[0];
  EXPECT_TRUE(same_type(ry.type(), y.type()));
  NDArray xv = seq(DType::Float64, {3, 4}, -1, 0.2), wv = seq(DType::Float64, {1, 4}, 1, 1);
  NDArray vxv = seq(DType::Float64, {3, 4}, 0.3, 0.1), vwv = seq(DType::Float64, {1, 4}, -2, 1);
  NDArray r = run1({x, w, vx, vw}, ry, {xv, wv, vxv, vwv});
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) {
      double ex = std::exp(at(xv, i * 4 + j));
      EXPECT_NEAR(at(r, i * 4 + j), ex * at(vxv, i * 4 + j) * at(wv, j) + ex * at(vwv, j), 1e-10);
    }
  // only the broadcast input has a direction: the result still has the output's shape
  Var ry2 = y.owner()->op()->jvp(*y.owner(), {Var(), vw})[0];
  NDArray r2 = run1({x, w, vw}, ry2, {xv, wv, vwv});
  EXPECT_EQ(r2.shape(), (Shape{3, 4}));
  Var z = x + w;
  NDArray r3 = run1({vw, x, w}, z.owner()->op()->jvp(*z.owner(), {Var(), vw})[0], {vwv, xv, wv});
  EXPECT_EQ(r3.shape(), (Shape{3, 4}));
  EXPECT_EQ(at(r3, 4 + 2), at(vwv, 2));
}

TEST(DimShuffle, ValuesViewsErrorsAndGrad) {
  Var x = tensor3(DType::Float64, "x");
  Var y = dimshuffle(x, {2, -1, 0, 1});
  EXPECT_EQ(tensor_type(y)->broadcastable(), (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(y.owner()->op()->view_map(), (ViewMap{{0, {0}}}));
  NDArray xv = seq(DType::Float64, {2, 3, 4});
  NDArray r = run1({x}, y, {xv});
  ASSERT_EQ(r.shape(), (Shape{4, 1, 2, 3}));
  // r[k,0,i,j] == x[i,j,k]
  EXPECT_EQ(at(r.copy(), 3 * 6 + 1 * 3 + 2), at(xv, 1 * 12 + 2 * 4 + 3));
  expect_infer_shape({x}, y, {xv});
  expect_error(ErrorKind::Value, [&] { dimshuffle(x, {0, 1}); }, "non-broadcastable");
  expect_error(ErrorKind::Value, [&] { dimshuffle(x, {0, 0, 1, 2}); });
  Var rr = row(DType::Float64, "r");
  Var dropped = dimshuffle(rr, {1});
  EXPECT_EQ(dropped.type()->ndim(), 1);
  NDArray dv = run1({rr}, dropped, {seq(DType::Float64, {1, 4})});
  EXPECT_EQ(dv.shape(), (Shape{4}));
  // vjp is the inverse permutation
  Var gz = tensor(DType::Float64, {false, true, false, false}, "gz");
  Var g = y.owner()->op()->vjp(*y.owner(), {gz})[0];
  EXPECT_TRUE(same_type(g.type(), x.type()));
  NDArray gv = seq(DType::Float64, {4, 1, 2, 3}, 5);
  NDArray gr = run1({gz}, g, {gv});
  ASSERT_EQ(gr.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(at(gr.copy(), 1 * 12 + 2 * 4 + 3), at(gv, 3 * 6 + 1 * 3 + 2));
  // jvp applies the same shuffle
  Var v = tensor3(DType::Float64, "v");
  NDArray jv = run1({v}, y.owner()->op()->jvp(*y.owner(), {v})[0], {xv});
  EXPECT_EQ(jv.shape(), (Shape{4, 1, 2, 3}));
}

TEST(Elemwise, CompiledScalarAddIsFast) {
  Var a = scalar(DType::Float64, "a"), b = scalar(DType::Float64, "b");
  Var y = a + b;
  Elemwise op(ScalarOpId::Add);
  NDArray av = NDArray::scalar<double>(1.5), bv = NDArray::scalar<double>(2.0);
  Value ins[2] = {av, bv};
  const Value* ptrs[2] = {&ins[0], &ins[1]};
  Value out;
  const int n = 200000;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) y.owner()->op()->perform(*y.owner(), ptrs, &out);
  double per = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / n;
  EXPECT_EQ(std::get<NDArray>(out).data<double>()[0], 3.5);
  if (hypatia::testing::timing_asserts_enabled()) EXPECT_LT(per, 1e-6) << "perform of a scalar add takes " << per * 1e9 << " ns";
  auto f = function({a, b}, {y});
  std::vector<Value> args{av, bv};
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 20000; ++i) (*f)(args);
  double call = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 20000;
  RecordProperty("compiled_scalar_add_ns", static_cast<int>(call * 1e9));
  std::printf("perform: %.0f ns, compiled call: %.0f ns\n", per * 1e9, call * 1e9);
}
