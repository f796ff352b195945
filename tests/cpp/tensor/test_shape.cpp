// Shape ops, constants and builders: Shape, Shape_i, MakeVector, Reshape, Alloc, fill, *_like.
#include "helpers.h"
#include "hypatia/sparse/sparse_type.h"
#include "hypatia/tensor/ops/shape.h"

using namespace hypatia;
using namespace hypatia::test;

TEST(Constants, PythonStyleDtypesAndBroadcastable) {
  EXPECT_EQ(tensor_type(constant(1.5))->elem(), DType::Float32);
  EXPECT_EQ(tensor_type(constant(0.1))->elem(), DType::Float64);
  EXPECT_EQ(tensor_type(constant_int(5))->elem(), DType::Int8);
  EXPECT_EQ(tensor_type(constant_int(300))->elem(), DType::Int16);
  EXPECT_EQ(tensor_type(constant_int(70000))->elem(), DType::Int32);
  EXPECT_EQ(tensor_type(constant_int(int64_t(1) << 40))->elem(), DType::Int64);
  Var c = constant(seq(DType::Float64, {1, 3}));
  EXPECT_EQ(tensor_type(c)->broadcastable(), (std::vector<bool>{true, false}));
  EXPECT_EQ(floatX(), DType::Float64);
  expect_error(ErrorKind::Type, [] { set_floatX(DType::Int32); });
  Var x = matrix(DType::Float64, "x");
  EXPECT_TRUE(as_tensor_variable(x) == x);
  expect_error(ErrorKind::Type, [] { as_tensor_variable(disconnected_var()); }, "[as_tensor_variable]");
  // operators with numbers
  NDArray r = run1({x}, (2.0 - x) / 4 + 1, {seq(DType::Float64, {2, 2})});
  expect_near_array(r, {1.25, 1.0, 0.75, 0.5}, {2, 2});
}

TEST(Shape, ShapeShapeIAndMakeVector) {
  Var x = matrix(DType::Float32, "x");
  NDArray xv = seq(DType::Float32, {3, 4});
  NDArray s = run1({x}, shape(x), {xv});
  EXPECT_EQ(s.dtype(), DType::Int64);
  expect_near_array(s, {3, 4}, {2});
  EXPECT_EQ(run1({x}, shape_i(x, -1), {xv}).item<int64_t>(), 4);
  EXPECT_EQ(shape_i(x, 1).owner()->op()->str(), "Shape_i{1}");
  expect_error(ErrorKind::Index, [&] { shape_i(x, 2); });
  Var n = scalar(DType::Int32, "n");
  Var mv = make_vector({shape_i(x, 0), n, constant_int(7)});
  EXPECT_EQ(tensor_type(mv)->elem(), DType::Int64);
  expect_near_array(run1({x, n}, mv, {xv, NDArray::scalar<int32_t>(9)}), {3, 9, 7}, {3});
  expect_error(ErrorKind::Type, [&] { make_vector({scalar(DType::Float64)}); });
  expect_infer_shape({x}, shape(x), {xv});
  expect_infer_shape({x, n}, mv, {xv, NDArray::scalar<int32_t>(9)});
  auto g = shape(x).owner()->op()->vjp(*shape(x).owner(), {vector(DType::Int64)});
  EXPECT_TRUE(is_disconnected(g[0]));
}

TEST(Reshape, ValuesMinusOneErrorsAndShapes) {
  Var x = matrix(DType::Float64, "x");
  NDArray xv = seq(DType::Float64, {3, 4});
  Var r = reshape(x, std::vector<int64_t>{2, -1, 2});
  EXPECT_EQ(r.owner()->op()->str(), "Reshape{3}");
  NDArray rv = run1({x}, r, {xv});
  ASSERT_EQ(rv.shape(), (Shape{2, 3, 2}));
  for (int i = 0; i < 12; ++i) EXPECT_EQ(at(rv, i), at(xv, i));
  expect_infer_shape({x}, r, {xv});
  // reshape of a transposed input copies in C order of the transposed view
  NDArray tv = run1({x}, reshape(transpose(x), std::vector<int64_t>{12}), {xv});
  EXPECT_EQ(at(tv, 1), at(xv, 4));
  // symbolic shape entries
  Var n = scalar(DType::Int64, "n");
  Var r2 = reshape(x, std::vector<Var>{n, shape_i(x, 0)});
  NDArray r2v = run1({x, n}, r2, {xv, NDArray::scalar<int64_t>(4)});
  EXPECT_EQ(r2v.shape(), (Shape{4, 3}));
  expect_infer_shape({x, n}, r2, {xv, NDArray::scalar<int64_t>(4)});
  // broadcastable from constant ones
  EXPECT_EQ(tensor_type(reshape(x, std::vector<int64_t>{1, 12}))->broadcastable(), (std::vector<bool>{true, false}));
  EXPECT_EQ(tensor_type(reshape(x, std::vector<Var>{constant_int(12), constant_int(1)}))->broadcastable(), (std::vector<bool>{false, true}));
  auto f = function({x, n}, {r2});
  expect_error(ErrorKind::Value, [&] { (*f)({xv, NDArray::scalar<int64_t>(5)}); }, "[Reshape{2}]");
  expect_error(ErrorKind::Type, [&] { reshape(x, std::vector<Var>{scalar(DType::Float64)}); });
  // vjp reshapes back, jvp reshapes the direction
  Var gz = tensor3(DType::Float64, "gz");
  auto g = r.owner()->op()->vjp(*r.owner(), {gz});
  EXPECT_TRUE(is_disconnected(g[1]));
  NDArray gv = run1({x, gz}, g[0], {xv, seq(DType::Float64, {2, 3, 2}, 5)});
  EXPECT_EQ(gv.shape(), (Shape{3, 4}));
  EXPECT_EQ(at(gv, 7), 12);
}

TEST(Alloc, FillZerosOnes) {
  Var v = vector(DType::Float32, "v"), n = scalar(DType::Int32, "n");
  Var a = alloc(v, {n, constant_int(3)});
  EXPECT_EQ(tensor_type(a)->elem(), DType::Float32);
  NDArray vv = seq(DType::Float32, {3}, 1, 1);
  NDArray av = run1({v, n}, a, {vv, NDArray::scalar<int32_t>(2)});
  expect_near_array(av, {1, 2, 3, 1, 2, 3}, {2, 3});
  expect_infer_shape({v, n}, a, {vv, NDArray::scalar<int32_t>(2)});
  EXPECT_EQ(tensor_type(alloc(v, {constant_int(1), constant_int(3)}))->broadcastable(), (std::vector<bool>{true, false}));
  auto f = function({v, n}, {alloc(v, {n, constant_int(4)})});
  expect_error(ErrorKind::Value, [&] { (*f)({vv, NDArray::scalar<int32_t>(2)}); }, "[Alloc]");
  // vjp sums over the broadcast axes; shape inputs are disconnected
  Var gz = matrix(DType::Float32, "gz");
  auto g = a.owner()->op()->vjp(*a.owner(), {gz});
  EXPECT_TRUE(same_type(g[0].type(), v.type()));
  EXPECT_TRUE(is_disconnected(g[1]));
  expect_near_array(run1({v, n, gz}, g[0], {vv, NDArray::scalar<int32_t>(2), seq(DType::Float32, {2, 3})}), {5, 7, 9}, {3});
  // fill / zeros_like / ones_like keep the model's shape and the value's dtype
  Var x = matrix(DType::Float64, "x");
  NDArray xv = seq(DType::Float64, {3, 4});
  Var z = zeros_like(x), o = ones_like(x);
  EXPECT_TRUE(same_type(z.type(), x.type()));
  NDArray zv = run1({x}, z, {xv}), ov = run1({x}, o, {xv});
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(at(zv, i), 0);
    EXPECT_EQ(at(ov, i), 1);
  }
  NDArray fv = run1({x}, fill(x, constant_int(7)), {xv});
  EXPECT_EQ(fv.dtype(), DType::Int8);
  EXPECT_EQ(fv.shape(), (Shape{3, 4}));
  EXPECT_EQ(at(fv, 11), 7);
}

TEST(Errors, SparseInputsPointToTheSparseModule) {
  Var sp = make_variable(SparseType::make(SparseFormat::CSR, DType::Float64), "sp");
  Var x = matrix(DType::Float64, "x");
  // (add, dot, sum, ... hand a sparse operand to the sparse family: test_sparse_ops.cpp)
  expect_error(ErrorKind::Type, [&] { exp(sp); }, "sparse");
  expect_error(ErrorKind::Type, [&] { log(sp); }, "sparse");
  expect_error(ErrorKind::Type, [&] { as_tensor_variable(sp); }, "hypatia.sparse");
  EXPECT_EQ(shape_i(sp, 1).type()->ndim(), 0);  // shapes of sparse variables are fine
}
