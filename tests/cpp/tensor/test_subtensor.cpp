// Indexing ops through the check_op harness: Subtensor, IncSubtensor, AdvancedSubtensor1,
// AdvancedIncSubtensor1, AdvancedSubtensor/AdvancedIncSubtensor, take, sparse_grad hook.
#include "helpers.h"
#include "hypatia/grad/grad.h"
#include "hypatia/tensor/indexing.h"
#include "support/check_op.h"

using namespace hypatia;
using namespace hypatia::test;
using hypatia::testing::check_op;
using E = IndexEntry;

namespace {
NDArray ivec(std::vector<int64_t> v) { return NDArray::from_vector<int64_t>(v, {static_cast<int64_t>(v.size())}); }
const NDArray& arr(const Value& v) { return std::get<NDArray>(v); }
}  // namespace

TEST(Subtensor, SlicesIntsNegativeStepsAndPrinting) {
  for (DType d : {DType::Float64, DType::Float32, DType::Int32}) {
    NDArray xv = seq(d, {3, 4});
    // x[1:, ::-2]
    check_op([](const std::vector<Var>& in) { return subtensor(in[0], {E::slice(1), E::slice({}, {}, -2)}); }, {xv},
             [&](const std::vector<Value>& v) {
               NDArray x = arr(v[0]);
               return x.slice(0, 1, 3, 1).slice(1, 3, -1, -2).copy();
             });
    // x[-1, 1:3]
    check_op([](const std::vector<Var>& in) { return subtensor(in[0], {E::at(-1), E::slice(1, 3)}); }, {xv},
             [&](const std::vector<Value>& v) { return arr(v[0]).index(0, 2).slice(0, 1, 3, 1).copy(); });
  }
  Var x = matrix(DType::Float64, "x");
  Var s = subtensor(x, {E::slice(1), E::slice({}, {}, -1)});
  EXPECT_EQ(s.owner()->op()->str(), "Subtensor{1::, ::-1}");
  EXPECT_EQ(s.owner()->op()->view_map().at(0), std::vector<int>{0});
  Var i = scalar(DType::Int64, "i");
  EXPECT_EQ(subtensor(x, {E::at(i)}).owner()->op()->str(), "Subtensor{int64}");
}

TEST(Subtensor, SymbolicBoundsAndInferShape) {
  Var x = tensor3(DType::Float64, "x");
  Var a = scalar(DType::Int64, "a"), b = scalar(DType::Int32, "b");
  Var out = subtensor(x, {E::slice(a, b), E::at(a), E::slice({}, {}, b)});
  NDArray xv = seq(DType::Float64, {2, 3, 4});
  std::vector<Value> vals{xv, NDArray::scalar<int64_t>(1), NDArray::scalar<int32_t>(-1)};
  NDArray r = run1({x, a, b}, out, vals);
  ASSERT_EQ(r.shape(), (Shape{0, 4}));  // x[1:-1] of length 2 is empty
  vals = {xv, NDArray::scalar<int64_t>(-2), NDArray::scalar<int32_t>(2)};
  r = run1({x, a, b}, out, vals);
  ASSERT_EQ(r.shape(), (Shape{2, 2}));
  EXPECT_EQ(at(r, 0), at(xv, 4));  // x[0, 1, 0]
  expect_infer_shape({x, a, b}, out, vals);
  // gradient: symbolic indices are disconnected; the x gradient scatters ones
  Var cost = sum(out);
  Var g = grad(cost, x);
  NDArray gv = run1({x, a, b}, g, vals);
  EXPECT_EQ(at(gv, 4), 1.0);
  EXPECT_EQ(at(gv, 5), 0.0);
  EXPECT_EQ(at(gv, 6), 1.0);
}

TEST(Subtensor, OutOfBoundsIsIndexErrorAndFloatIndexIsTypeError) {
  Var x = matrix(DType::Float64, "x");
  Var i = scalar(DType::Int64, "i");
  auto f = function({x, i}, {subtensor(x, {E::all(), E::at(i)})});
  expect_error(ErrorKind::Index, [&] { (*f)({seq(DType::Float64, {3, 4}), NDArray::scalar<int64_t>(4)}); }, "out of bounds");
  expect_error(ErrorKind::Index, [&] { (*f)({seq(DType::Float64, {3, 4}), NDArray::scalar<int64_t>(-5)}); });
  expect_error(ErrorKind::Type, [&] { subtensor(x, {E::at(scalar(DType::Float64))}); });
  expect_error(ErrorKind::Index, [&] { subtensor(x, {E::at(0), E::at(0), E::at(0)}); });
  expect_error(ErrorKind::Type, [&] { set_subtensor(x, constant(1.0)); }, "[set_subtensor]");
}

TEST(Subtensor, NewAxisAndEllipsis) {
  NDArray xv = seq(DType::Float64, {2, 3, 4});
  check_op([](const std::vector<Var>& in) { return subtensor(in[0], {E::ellipsis(), E::newaxis(), E::at(1)}); }, {xv},
           [&](const std::vector<Value>& v) { return arr(v[0]).index(2, 1).dimshuffle({0, 1, -1}).copy(); });
}

TEST(IncSubtensor, SetAndIncWithBroadcastAndGrads) {
  NDArray xv = seq(DType::Float64, {3, 4});
  NDArray yv = seq(DType::Float64, {4}, 10);
  // x[1:, :] += y (y broadcasts over rows)
  check_op([](const std::vector<Var>& in) { return inc_subtensor(subtensor(in[0], {E::slice(1)}), in[1]); }, {xv, yv},
           [&](const std::vector<Value>& v) {
             NDArray r = arr(v[0]).copy();
             for (int i = 1; i < 3; ++i)
               for (int j = 0; j < 4; ++j) r.data<double>()[i * 4 + j] += arr(v[1]).data<double>()[j];
             return r;
           });
  // x[-1, ::-1] = y
  check_op([](const std::vector<Var>& in) { return set_subtensor(subtensor(in[0], {E::at(-1), E::slice({}, {}, -1)}), in[1]); },
           {xv, yv}, [&](const std::vector<Value>& v) {
             NDArray r = arr(v[0]).copy();
             for (int j = 0; j < 4; ++j) r.data<double>()[8 + j] = arr(v[1]).data<double>()[3 - j];
             return r;
           });
  Var x = matrix(DType::Float64, "x");
  EXPECT_EQ(set_subtensor(subtensor(x, {E::slice(1)}), constant(0.0)).owner()->op()->str(), "IncSubtensor{Set;1::}");
  // a float y into an int x is refused
  Var xi = matrix(DType::Int32, "xi");
  expect_error(ErrorKind::Type, [&] { inc_subtensor(subtensor(xi, 0), vector(DType::Float64)); });
}

TEST(AdvancedSubtensor1, GatherDuplicatesNegativeAndErrors) {
  for (DType d : {DType::Float64, DType::Float32, DType::Int64}) {
    check_op([](const std::vector<Var>& in) { return subtensor(in[0], {E::at(constant(ivec({2, 0, -1, 2})))}); },
             {seq(d, {3, 4})}, [&](const std::vector<Value>& v) {
               NDArray x = arr(v[0]), r(x.dtype(), {4, 4});
               int64_t rows[] = {2, 0, 2, 2};
               for (int k = 0; k < 4; ++k) r.index(0, k).assign(x.index(0, rows[k]));
               return r;
             });
  }
  Var x = matrix(DType::Float64, "x");
  Var idx = vector(DType::Int64, "idx");
  Var out = subtensor(x, {E::at(idx)});
  EXPECT_EQ(out.owner()->op()->str(), "AdvancedSubtensor1");
  auto f = function({x, idx}, {out});
  expect_error(ErrorKind::Index, [&] { (*f)({seq(DType::Float64, {3, 4}), ivec({0, 3})}); }, "[AdvancedSubtensor1]");
  expect_infer_shape({x, idx}, out, {seq(DType::Float64, {3, 4}), ivec({1, 1, 0, 2, 2})});
}

TEST(AdvancedIncSubtensor1, DuplicatesAccumulateSetTakesLast) {
  NDArray xv = seq(DType::Float64, {3, 4});
  NDArray yv = seq(DType::Float64, {3, 4}, 100);
  for (bool set : {false, true}) {
    // duplicates for inc; unique rows for set (its y gradient is Theano's gz[idx], exact
    // only without duplicates)
    NDArray iv = set ? ivec({1, 2, -3}) : ivec({1, 1, -3});
    check_op([&](const std::vector<Var>& in) {
      return inc_subtensor(subtensor(in[0], {E::at(constant(iv))}), in[1], set);
    }, {xv, yv}, [&](const std::vector<Value>& v) {
      NDArray r = arr(v[0]).copy();
      const double* y = arr(v[1]).data<double>();
      int64_t rows[] = {1, set ? 2 : 1, 0};
      for (int k = 0; k < 3; ++k)
        for (int j = 0; j < 4; ++j) {
          double& t = r.data<double>()[rows[k] * 4 + j];
          t = set ? y[k * 4 + j] : t + y[k * 4 + j];
        }
      return r;
    });
  }
  // set with duplicates: the last one wins (values only)
  Var x = matrix(DType::Float64, "x"), y = matrix(DType::Float64, "y");
  NDArray r = run1({x, y}, set_subtensor(subtensor(x, {E::at(constant(ivec({1, 1})))}), y), {xv, seq(DType::Float64, {2, 4}, 100)});
  EXPECT_EQ(at(r, 4), 104.0);
}

TEST(AdvancedSubtensor, ArraysMasksAndSlicesLikeNumpy) {
  NDArray xv = seq(DType::Float64, {2, 3, 4});
  // x[[1, 0], :, [3, -1]] -> advanced axes separated by a slice: B first, shape (2, 3)
  check_op([](const std::vector<Var>& in) {
    return subtensor(in[0], {E::at(constant(ivec({1, 0}))), E::all(), E::at(constant(ivec({3, -1})))});
  }, {xv}, [&](const std::vector<Value>& v) {
    NDArray r(DType::Float64, {2, 3});
    int64_t a[] = {1, 0};
    for (int k = 0; k < 2; ++k)
      for (int j = 0; j < 3; ++j) r.data<double>()[k * 3 + j] = arr(v[0]).data<double>()[a[k] * 12 + j * 4 + 3];
    return r;
  });
  // x[:, mask] with a 2-d mask over axes 1 and 2 -> shape (2, count)
  NDArray mask = NDArray::from_vector<bool>({true, false, false, true, false, true, false, false, true, false, false, true}, {3, 4});
  check_op([&](const std::vector<Var>& in) { return subtensor(in[0], {E::all(), E::at(constant(mask))}); }, {xv},
           [&](const std::vector<Value>& v) {
             NDArray r(DType::Float64, {2, 5});
             int64_t sel[] = {0, 3, 5, 8, 11};
             for (int i = 0; i < 2; ++i)
               for (int k = 0; k < 5; ++k) r.data<double>()[i * 5 + k] = arr(v[0]).data<double>()[i * 12 + sel[k]];
             return r;
           });
  // accumulate with AdvancedIncSubtensor: x[[0, 0], 1:, [1, 1]] += y
  NDArray yv = seq(DType::Float64, {2, 2}, 1);
  check_op([](const std::vector<Var>& in) {
    return inc_subtensor(subtensor(in[0], {E::at(constant(ivec({0, 0}))), E::slice(1), E::at(constant(ivec({1, 1})))}), in[1]);
  }, {xv, yv}, [&](const std::vector<Value>& v) {
    NDArray r = arr(v[0]).copy();
    for (int k = 0; k < 2; ++k)
      for (int j = 1; j < 3; ++j) r.data<double>()[j * 4 + 1] += arr(v[1]).data<double>()[k * 2 + (j - 1)];
    return r;
  });
}

TEST(Take, ModesAndAxes) {
  NDArray xv = seq(DType::Float64, {3, 4});
  check_op([](const std::vector<Var>& in) { return take(in[0], constant(ivec({5, -1})), 1, "wrap"); }, {xv},
           [&](const std::vector<Value>& v) {
             NDArray r(DType::Float64, {3, 2});
             for (int i = 0; i < 3; ++i) {
               r.data<double>()[i * 2] = arr(v[0]).data<double>()[i * 4 + 1];
               r.data<double>()[i * 2 + 1] = arr(v[0]).data<double>()[i * 4 + 3];
             }
             return r;
           });
  check_op([](const std::vector<Var>& in) { return take(in[0], constant(ivec({20, -3, 7})), std::nullopt, "clip"); }, {xv},
           [&](const std::vector<Value>& v) {
             const double* p = arr(v[0]).data<double>();
             return NDArray::from_vector<double>({p[11], p[0], p[7]}, {3});
           });
}

TEST(SparseGrad, HookCalledWithXGzIdx) {
  Var x = matrix(DType::Float64, "x");
  Var idx = vector(DType::Int64, "idx");
  Var sg = sparse_grad(subtensor(x, {E::at(idx)}));
  EXPECT_EQ(sg.owner()->op()->str(), "AdvancedSubtensor1{sparse_grad}");
  expect_error(ErrorKind::Type, [&] { sparse_grad(subtensor(x, 0)); }, "[sparse_grad]");
  set_sparse_grad_builder({});
  expect_error(ErrorKind::NotImplemented, [&] { grad(sum(sg), x); }, "sparse module");
  int calls = 0;
  set_sparse_grad_builder([&](const Var& bx, const Var& gz, const Var& bidx) {
    ++calls;
    EXPECT_TRUE(bx == x);
    EXPECT_TRUE(bidx == idx);
    // dense stand-in: the ordinary scatter-add
    return inc_subtensor(subtensor(zeros_like(bx), {E::at(bidx)}), gz);
  });
  Var g = grad(sum(sg), x);
  EXPECT_EQ(calls, 1);
  NDArray gv = run1({x, idx}, g, {seq(DType::Float64, {3, 4}), ivec({2, 2, 0})});
  EXPECT_EQ(at(gv, 0), 1.0);
  EXPECT_EQ(at(gv, 8), 2.0);
  EXPECT_EQ(at(gv, 4), 0.0);
  set_sparse_grad_builder({});
}
