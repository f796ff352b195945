// Sum, mean and dot: values vs loops, dtypes, printing, shapes, errors, vjp/jvp.
#include "helpers.h"
#include "hypatia/tensor/ops/dot.h"

using namespace hypatia;
using namespace hypatia::test;

TEST(Sum, ValuesAxesKeepdimsAndDtypes) {
  for (DType d : {DType::Float32, DType::Float64, DType::Int32}) {
    Var x = matrix(d, "x");
    NDArray xv = seq(d, {3, 4}, 1, 2);
    std::vector<double> s0(4, 0), s1(3, 0);
    double all = 0;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 4; ++j) {
        double v = at(xv, i * 4 + j);
        s0[j] += v;
        s1[i] += v;
        all += v;
      }
    expect_near_array(run1({x}, sum(x, std::vector<int>{0}), {xv}), s0, {4});
    expect_near_array(run1({x}, sum(x, std::vector<int>{-1}), {xv}), s1, {3});
    expect_near_array(run1({x}, sum(x), {xv}), {all}, {});
    expect_near_array(run1({x}, sum(x, std::vector<int>{0}, true), {xv}), s0, {1, 4});
    expect_near_array(run1({x}, sum(transpose(x), std::vector<int>{0}), {xv}), s1, {3});  // strided input
    EXPECT_EQ(tensor_type(sum(x))->elem(), d == DType::Int32 ? DType::Int64 : d);
  }
  EXPECT_EQ(tensor_type(sum(vector(DType::UInt8)))->elem(), DType::UInt64);
  EXPECT_EQ(tensor_type(sum(vector(DType::Bool)))->elem(), DType::Int64);
  Var b = vector(DType::Bool, "b");
  NDArray bs = run1({b}, sum(b), {NDArray::from_vector<bool>({true, false, true}, {3})});
  EXPECT_EQ(bs.dtype(), DType::Int64);
  EXPECT_EQ(bs.item<int64_t>(), 2);
  Var u = vector(DType::UInt8, "u");
  EXPECT_EQ(run1({u}, sum(u), {NDArray::from_vector<uint8_t>({200, 200}, {2})}).item<uint64_t>(), 400u);
  Var k = sum(row(DType::Float64), std::vector<int>{1}, true);
  EXPECT_EQ(tensor_type(k)->broadcastable(), (std::vector<bool>{true, true}));
}

TEST(Sum, PrintingInferShapeAndErrors) {
  Var x = tensor3(DType::Float64, "x");
  EXPECT_EQ(sum(x).owner()->op()->str(), "Sum{acc_dtype=float64}");
  EXPECT_EQ(sum(x, std::vector<int>{0}).owner()->op()->str(), "Sum{axis=[0], acc_dtype=float64}");
  EXPECT_EQ(sum(x, std::vector<int>{2, 0}).owner()->op()->str(), "Sum{axis=[0, 2], acc_dtype=float64}");
  EXPECT_EQ(sum(vector(DType::Int8)).owner()->op()->str(), "Sum{acc_dtype=int64}");
  EXPECT_TRUE(sum(x, std::vector<int>{1}).owner()->op()->equals(*sum(tensor3(DType::Float64), std::vector<int>{1}).owner()->op()));
  EXPECT_FALSE(sum(x, std::vector<int>{1}).owner()->op()->equals(*sum(x, std::vector<int>{0}).owner()->op()));
  NDArray xv = seq(DType::Float64, {2, 3, 4});
  expect_infer_shape({x}, sum(x, std::vector<int>{1}), {xv});
  expect_infer_shape({x}, sum(x, std::vector<int>{0, 2}), {xv});
  expect_error(ErrorKind::Value, [&] { sum(x, std::vector<int>{3}); }, "[Sum]");
}

TEST(Sum, VjpBroadcastsAndJvpSums) {
  Var x = matrix(DType::Float32, "x");
  Var y = sum(x, std::vector<int>{1});
  Var gz = vector(DType::Float32, "gz");
  Var g = y.owner()->op()->vjp(*y.owner(), {gz})[0];
  EXPECT_TRUE(same_type(g.type(), x.type()));
  NDArray xv = seq(DType::Float32, {3, 4}), gv = seq(DType::Float32, {3}, 10, 5);
  NDArray gr = run1({x, gz}, g, {xv, gv});
  ASSERT_EQ(gr.shape(), (Shape{3, 4}));
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_EQ(at(gr, i * 4 + j), at(gv, i));
  Var v = matrix(DType::Float32, "v");
  NDArray rv = run1({v}, y.owner()->op()->jvp(*y.owner(), {v})[0], {xv});
  expect_near_array(rv, {1 + 2 + 3 + 4, 5 + 6 + 7 + 8, 9 + 10 + 11 + 12}, {3});
  Var n = matrix(DType::Int32, "n");
  Var gn = sum(n).owner()->op()->vjp(*sum(n).owner(), {scalar(DType::Int64)})[0];
  EXPECT_TRUE(same_type(gn.type(), n.type()));
}

TEST(Mean, ValuesAndDtypes) {
  Var x = matrix(DType::Float32, "x");
  NDArray xv = seq(DType::Float32, {3, 4});
  EXPECT_EQ(tensor_type(mean(x))->elem(), DType::Float32);
  expect_near_array(run1({x}, mean(x), {xv}), {6.5}, {});
  expect_near_array(run1({x}, mean(x, std::vector<int>{0}), {xv}), {5, 6, 7, 8}, {4});
  expect_near_array(run1({x}, mean(x, std::vector<int>{1}, true), {xv}), {2.5, 6.5, 10.5}, {3, 1});
  Var n = vector(DType::Int32, "n");
  EXPECT_EQ(tensor_type(mean(n))->elem(), DType::Float64);
  NDArray m = run1({n}, mean(n), {NDArray::from_vector<int32_t>({1, 2}, {2})});
  EXPECT_EQ(m.dtype(), DType::Float64);
  EXPECT_DOUBLE_EQ(m.item<double>(), 1.5);
}

namespace {
// Dense reference product of 1-d/2-d arrays, treating vectors as rows/columns.
std::vector<double> ref_dot(const NDArray& a, const NDArray& b) {
  const int64_t M = a.ndim() == 2 ? a.shape(0) : 1, K = a.shape(a.ndim() - 1), N = b.ndim() == 2 ? b.shape(1) : 1;
  NDArray ac = a.copy(), bc = b.copy();
  std::vector<double> out(M * N, 0);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j)
      for (int64_t k = 0; k < K; ++k) out[i * N + j] += at(ac, i * K + k) * at(bc, k * N + j);
  return out;
}
}  // namespace

TEST(Dot, AllRankCombinationsAndDtypes) {
  for (DType d : {DType::Float32, DType::Float64, DType::Int32, DType::Complex128, DType::Float16}) {
    Var A = matrix(d, "A"), B = matrix(d, "B"), u = vector(d, "u"), v = vector(d, "v");
    NDArray Av = seq(d, {3, 4}, 1, 0.5), Bv = seq(d, {4, 2}, -2, 0.75), uv = seq(d, {4}, 1, 1), vv = seq(d, {3}, 2, -1);
    double tol = d == DType::Float16 ? 1e-2 : 1e-5;
    expect_near_array(run1({A, B}, dot(A, B), {Av, Bv}), ref_dot(Av, Bv), {3, 2}, tol);
    expect_near_array(run1({A, u}, dot(A, u), {Av, uv}), ref_dot(Av, uv), {3}, tol);
    expect_near_array(run1({v, A}, dot(v, A), {vv, Av}), ref_dot(vv, Av), {4}, tol);
    expect_near_array(run1({u, v}, dot(u, u), {uv, vv}), ref_dot(uv, uv), {}, tol);
    EXPECT_EQ(tensor_type(dot(A, B))->elem(), d);
  }
}

TEST(Dot, TransposedAndStridedInputs) {
  Var A = matrix(DType::Float64, "A"), B = matrix(DType::Float64, "B"), u = vector(DType::Float64, "u");
  NDArray Av = seq(DType::Float64, {4, 3}), Bv = seq(DType::Float64, {2, 4}, 3, -0.5), uv = seq(DType::Float64, {4}, 1, 2);
  NDArray At = Av.transpose(), Bt = Bv.transpose();
  expect_near_array(run1({A, B}, dot(transpose(A), transpose(B)), {Av, Bv}), ref_dot(At, Bt), {3, 2});
  expect_near_array(run1({A, u}, dot(transpose(A), u), {Av, uv}), ref_dot(At, uv), {3});
  expect_near_array(run1({B, u}, dot(u, transpose(B)), {Bv, uv}), ref_dot(uv, Bt), {2});
  // a strided slice (neither C nor F layout) is copied
  NDArray big = seq(DType::Float64, {8, 6});
  NDArray sl = big.slice(0, 0, 8, 2).slice(1, 0, 6, 2);  // 4x3, strides (96, 16)
  expect_near_array(run1({A, B}, dot(transpose(A), transpose(B)), {sl, Bv}), ref_dot(sl.transpose(), Bt), {3, 2});
  // mixed dtypes upcast
  Var i = matrix(DType::Int32, "i"), f = matrix(DType::Float32, "f");
  EXPECT_EQ(tensor_type(dot(i, f))->elem(), DType::Float64);
  NDArray iv = seq(DType::Int32, {2, 3}), fv = seq(DType::Float32, {3, 2}, 0.5);
  expect_near_array(run1({i, f}, dot(i, f), {iv, fv}), ref_dot(iv, fv), {2, 2});
  // empty inner dimension gives zeros
  expect_near_array(run1({A, B}, dot(A, B), {NDArray::zeros(DType::Float64, {2, 0}), NDArray::zeros(DType::Float64, {0, 3})}),
                    std::vector<double>(6, 0), {2, 3});
}

TEST(Dot, ErrorsPrintingAndInferShape) {
  Var A = matrix(DType::Float64, "A"), B = matrix(DType::Float64, "B");
  EXPECT_EQ(dot(A, B).owner()->op()->str(), "dot");
  // dot() itself takes N-d operands (through tensordot); the Dot op is 1-d/2-d only.
  expect_error(ErrorKind::Type, [&] { apply1(*std::make_shared<Dot>(), {A, tensor3(DType::Float64)}); }, "[dot]");
  auto f = function({A, B}, {dot(A, B)});
  expect_error(ErrorKind::Value, [&] { (*f)({seq(DType::Float64, {3, 4}), seq(DType::Float64, {3, 2})}); }, "not aligned");
  NDArray Av = seq(DType::Float64, {3, 4}), Bv = seq(DType::Float64, {4, 2});
  expect_infer_shape({A, B}, dot(A, B), {Av, Bv});
  Var u = vector(DType::Float64, "u");
  expect_infer_shape({A, u}, dot(A, u), {Av, seq(DType::Float64, {4})});
  expect_infer_shape({u, B}, dot(u, B), {seq(DType::Float64, {4}), Bv});
  EXPECT_EQ(tensor_type(dot(row(DType::Float64), B))->broadcastable(), (std::vector<bool>{true, false}));
}

TEST(Dot, VjpAndJvpMatchAnalytic) {
  Var A = matrix(DType::Float64, "A"), B = matrix(DType::Float64, "B"), gz = matrix(DType::Float64, "gz");
  Var y = dot(A, B);
  auto g = y.owner()->op()->vjp(*y.owner(), {gz});
  NDArray Av = seq(DType::Float64, {3, 4}), Bv = seq(DType::Float64, {4, 2}, 1, 0.5), gv = seq(DType::Float64, {3, 2}, -1, 0.3);
  // dA = gz . B^T, dB = A^T . gz
  expect_near_array(run1({A, B, gz}, g[0], {Av, Bv, gv}), ref_dot(gv, Bv.transpose()), {3, 4});
  expect_near_array(run1({A, B, gz}, g[1], {Av, Bv, gv}), ref_dot(Av.transpose(), gv), {4, 2});
  // matrix.vector: dA = outer(gz, u), du = A^T gz
  Var u = vector(DType::Float64, "u"), gzv = vector(DType::Float64, "gzv");
  Var mv = dot(A, u);
  auto g2 = mv.owner()->op()->vjp(*mv.owner(), {gzv});
  NDArray uv = seq(DType::Float64, {4}, 2), gvv = seq(DType::Float64, {3}, 1, -1);
  std::vector<double> outer;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) outer.push_back(at(gvv, i) * at(uv, j));
  expect_near_array(run1({A, u, gzv}, g2[0], {Av, uv, gvv}), outer, {3, 4});
  expect_near_array(run1({A, u, gzv}, g2[1], {Av, uv, gvv}), ref_dot(Av.transpose(), gvv), {4});
  // vector.vector
  Var w = vector(DType::Float64, "w"), s = scalar(DType::Float64, "s");
  Var vvp = dot(u, w);
  auto g3 = vvp.owner()->op()->vjp(*vvp.owner(), {s});
  NDArray wv = seq(DType::Float64, {4}, -1, 0.5);
  NDArray g3v = run1({u, w, s}, g3[0], {uv, wv, NDArray::scalar<double>(2.0)});
  for (int i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(at(g3v, i), 2.0 * at(wv, i));
  // jvp: dA . B + A . dB
  Var dA = matrix(DType::Float64, "dA"), dB = matrix(DType::Float64, "dB");
  Var r = y.owner()->op()->jvp(*y.owner(), {dA, dB})[0];
  NDArray dAv = seq(DType::Float64, {3, 4}, 0.1, 0.1), dBv = seq(DType::Float64, {4, 2}, 2, -0.2);
  std::vector<double> want = ref_dot(dAv, Bv), t2 = ref_dot(Av, dBv);
  for (size_t i = 0; i < want.size(); ++i) want[i] += t2[i];
  expect_near_array(run1({A, B, dA, dB}, r, {Av, Bv, dAv, dBv}), want, {3, 2});
}
