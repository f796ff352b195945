// Shape and creation family: flatten, padding, squeeze, specify_shape, Rebroadcast, Join/stack,
// Split, tile, roll, eye, arange, diag/diagonal/trace, tri/tril/triu, and shape inference rewrites.
#include <chrono>

#include "helpers.h"
#include "hypatia/graph/print.h"
#include "hypatia/tensor/ops/join.h"
#include "hypatia/tensor/ops/shape.h"
#include "hypatia/tensor/shape.h"
#include "support/check_op.h"

using namespace hypatia;
using namespace hypatia::test;
using hypatia::testing::check_op;

namespace {
NDArray arr(DType d, Shape s, double start = 0.5) { return seq(d, s, start, 0.25); }
// numpy-like reference helpers on C-contiguous float64 copies.
std::vector<double> flat(const NDArray& a) {
  NDArray c = a.astype(DType::Float64);
  return std::vector<double>(c.data<double>(), c.data<double>() + c.size());
}
}  // namespace

TEST(ShapeOps, FlattenPadSqueezeSwap) {
  NDArray xv = arr(DType::Float64, {2, 3, 4});
  check_op([](const std::vector<Var>& v) { return flatten(v[0], 2); }, {xv},
           [&](const std::vector<Value>&) { return NDArray::from_vector(flat(xv), {2, 12}); });
  check_op([](const std::vector<Var>& v) { return flatten(v[0]); }, {xv},
           [&](const std::vector<Value>&) { return NDArray::from_vector(flat(xv), {24}); });
  check_op([](const std::vector<Var>& v) { return shape_padaxis(v[0], -2); }, {xv},
           [&](const std::vector<Value>&) { return xv.reshape({2, 3, 1, 4}).copy(); });
  check_op([](const std::vector<Var>& v) { return swapaxes(v[0], 0, -1); }, {xv},
           [&](const std::vector<Value>&) { return xv.transpose({2, 1, 0}).copy(); });
  Var r = row(DType::Float32, "r");
  EXPECT_EQ(squeeze(r).type()->ndim(), 1);
  EXPECT_EQ(tensor_type(shape_padleft(r, 2))->broadcastable(), (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(tensor_type(flatten(r, 2))->broadcastable(), (std::vector<bool>{true, false}));
  EXPECT_EQ(as_tensor_variable(vector(DType::Float64), 3).type()->ndim(), 3);
  expect_error(ErrorKind::Value, [] { as_tensor_variable(matrix(DType::Float64), 1); });
}

TEST(ShapeOps, SpecifyShapeAndRebroadcast) {
  Var x = matrix(DType::Float64, "x");
  Var y = specify_shape(x, {constant_int(3), constant_int(5)});
  NDArray good = arr(DType::Float64, {3, 5});
  expect_near_array(run1({x}, y, {good}), flat(good), {3, 5});
  expect_error(ErrorKind::Value, [&] { run1({x}, y, {arr(DType::Float64, {5, 3})}); }, "[SpecifyShape]");
  // The shape becomes a constant: (y ** 2).shape compiles to a constant.
  FunctionOptions o;
  auto f = function({In(x)}, {shape(sqr(y))}, o);
  expect_near_array(std::get<NDArray>((*f)({good})[0]), {3, 5}, {2});
  Var c = col(DType::Float64, "c");
  Var u = unbroadcast(c, {1});
  EXPECT_EQ(tensor_type(u)->broadcastable(), (std::vector<bool>{false, false}));
  EXPECT_EQ(u.owner()->op()->str(), "Rebroadcast{?}");
  Var a = addbroadcast(x, {0});
  EXPECT_EQ(a.owner()->op()->str(), "Rebroadcast{0}");
  EXPECT_TRUE(addbroadcast(c, {1}) == c);
  expect_error(ErrorKind::Value, [&] { run1({x}, a, {good}); }, "[Rebroadcast]");
  check_op([](const std::vector<Var>& v) { return addbroadcast(v[0], {0}) * 2.0; }, {arr(DType::Float64, {1, 5})},
           [&](const std::vector<Value>& vals) {
             auto d = flat(std::get<NDArray>(vals[0]));
             for (auto& e : d) e *= 2;
             return NDArray::from_vector(d, {1, 5});
           });
}

TEST(ShapeOps, JoinStackSplit) {
  NDArray a = arr(DType::Float64, {3, 5}), b = arr(DType::Float64, {2, 5}, 9.0);
  check_op([](const std::vector<Var>& v) { return concatenate({v[0], v[1]}, -2); }, {a, b},
           [&](const std::vector<Value>&) {
             auto d = flat(a), e = flat(b);
             d.insert(d.end(), e.begin(), e.end());
             return NDArray::from_vector(d, {5, 5});
           });
  NDArray c = arr(DType::Float32, {3, 5}), d = arr(DType::Float32, {3, 5}, 4.0);
  check_op([](const std::vector<Var>& v) { return stack({v[0], v[1]}, -1); }, {c, d},
           [&](const std::vector<Value>&) {
             NDArray out(DType::Float32, {3, 5, 2});
             out.slice(2, 0, 1, 1).assign(c.reshape({3, 5, 1}));
             out.slice(2, 1, 2, 1).assign(d.reshape({3, 5, 1}));
             return out;
           }, {true, false, {}, 1e-4, 1e-5});
  Var x = matrix(DType::Float64, "x"), y = matrix(DType::Float64, "y");
  EXPECT_EQ(join(constant_int(0), {x, y}).owner()->op()->str(), "Join");
  expect_error(ErrorKind::Value, [&] { run1({x, y}, concatenate({x, y}, 0), {a, arr(DType::Float64, {2, 4})}); }, "[Join]");
  expect_error(ErrorKind::Type, [&] { stack({x, vector(DType::Float64)}); });
  // int join keeps int; scalars stack into a vector
  Var s1 = scalar(DType::Int32), s2 = scalar(DType::Int32);
  Var sv = stack({s1, s2});
  EXPECT_EQ(sv.type()->ndim(), 1);
  expect_near_array(run1({s1, s2}, sv, {NDArray::scalar<int32_t>(3), NDArray::scalar<int32_t>(4)}), {3, 4}, {2});
  // split
  NDArray xv = arr(DType::Float64, {2, 3, 4});
  for (int k = 0; k < 2; ++k)
    check_op([k](const std::vector<Var>& v) { return split(v[0], std::vector<int64_t>{1, 3}, -1)[k]; }, {xv},
             [&](const std::vector<Value>&) { return xv.slice(2, k ? 1 : 0, k ? 4 : 1, 1).copy(); });
  expect_error(ErrorKind::Value, [&] { run1({x}, split(x, std::vector<int64_t>{1, 1}, 0)[0], {a}); }, "[Split{2}]");
}

TEST(ShapeOps, TileRoll) {
  NDArray xv = arr(DType::Float64, {3, 5});
  check_op([](const std::vector<Var>& v) { return tile(v[0], {2, 1}); }, {xv}, [&](const std::vector<Value>&) {
    auto d = flat(xv), e = d;
    d.insert(d.end(), e.begin(), e.end());
    return NDArray::from_vector(d, {6, 5});
  });
  check_op([](const std::vector<Var>& v) { return roll(v[0], constant_int(2), -1); }, {xv}, [&](const std::vector<Value>&) {
    NDArray out(DType::Float64, {3, 5});
    out.slice(1, 2, 5, 1).assign(xv.slice(1, 0, 3, 1));
    out.slice(1, 0, 2, 1).assign(xv.slice(1, 3, 5, 1));
    return out;
  });
  check_op([](const std::vector<Var>& v) { return roll(v[0], constant_int(-4)); }, {xv}, [&](const std::vector<Value>&) {
    auto d = flat(xv);
    std::rotate(d.begin(), d.begin() + 4, d.end());
    return NDArray::from_vector(d, {3, 5});
  });
}

TEST(ShapeOps, Creation) {
  Var n = scalar(DType::Int64, "n");
  NDArray e = run1({n}, eye(n, constant_int(5), constant_int(1)), {NDArray::scalar<int64_t>(3)});
  expect_near_array(e, {0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0}, {3, 5});
  EXPECT_EQ(e.dtype(), floatX());
  NDArray ar = run1({}, arange(constant_int(1), constant_int(10), constant_int(3)), {});
  EXPECT_EQ(ar.dtype(), DType::Int64);
  expect_near_array(ar, {1, 4, 7}, {3});
  expect_near_array(run1({}, arange(constant(0.5), constant(2.0), constant(0.5)), {}), {0.5, 1.0, 1.5}, {3});
  NDArray t = run1({}, tri(constant_int(3), constant_int(4), constant_int(-1)), {});
  expect_near_array(t, {0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0}, {3, 4});
  NDArray xv = arr(DType::Float64, {3, 5});
  check_op([](const std::vector<Var>& v) { return diagonal(v[0], 1); }, {xv},
           [&](const std::vector<Value>&) { return NDArray::from_vector<double>({at(xv, 1), at(xv, 7), at(xv, 13)}, {3}); });
  check_op([](const std::vector<Var>& v) { return diag(v[0], -1); }, {arr(DType::Float64, {2})},
           [&](const std::vector<Value>&) { return NDArray::from_vector<double>({0, 0, 0, 0.5, 0, 0, 0, 0.75, 0}, {3, 3}); });
  check_op([](const std::vector<Var>& v) { return triu(v[0], 1); }, {xv}, [&](const std::vector<Value>&) {
    auto d = flat(xv);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 5; ++j)
        if (j < i + 1) d[i * 5 + j] = 0;
    return NDArray::from_vector(d, {3, 5});
  });
  check_op([](const std::vector<Var>& v) { return trace(v[0]); }, {xv},
           [&](const std::vector<Value>&) { return NDArray::scalar<double>(at(xv, 0) + at(xv, 6) + at(xv, 12)); });
  Var x = matrix(DType::Int32, "x");
  NDArray z = run1({x}, zeros_like(x, DType::Float32), {arr(DType::Int32, {3, 5})});
  EXPECT_EQ(z.dtype(), DType::Float32);
  EXPECT_EQ(z.shape(), (Shape{3, 5}));
}

TEST(ShapeOps, ShapeOfJoinIsInferred) {
  // The manual's "Shape Information" example: z.shape runs no Join.
  Var x = matrix(DType::Float64, "x"), y = matrix(DType::Float64, "y");
  Var z = join(constant_int(0), {x, y});
  auto f = function({In(x), In(y)}, {shape(z)}, FunctionOptions{});
  for (const Apply* node : f->fgraph().toposort()) EXPECT_NE(node->op()->name(), "Join");
  NDArray s = std::get<NDArray>((*f)({arr(DType::Float64, {5, 4}), arr(DType::Float64, {3, 3})})[0]);
  expect_near_array(s, {8, 4}, {2});
  auto g = function({In(x), In(y)}, {z}, FunctionOptions{});
  expect_error(ErrorKind::Value, [&] { (*g)({arr(DType::Float64, {5, 4}), arr(DType::Float64, {3, 3})}); });
}
