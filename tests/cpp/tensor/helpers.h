// Shared helpers for the tensor tests: test arrays, compiling and running, inferred-shape checks.
#pragma once
#include <gtest/gtest.h>

#include <cmath>

#include "hypatia/compile/function.h"
#include "hypatia/tensor/basic.h"

namespace hypatia::test {

/// An array of `shape` holding start, start+step, ... cast to dtype.
inline NDArray seq(DType d, Shape shape, double start = 1.0, double step = 1.0) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = start + step * static_cast<double>(i);
  return NDArray::from_vector<double>(v, shape).astype(d);
}

/// Element i (C order) of any array, as a double.
inline double at(const NDArray& a, int64_t i) {
  NDArray c = a.astype(DType::Float64);
  return c.data<double>()[i];
}

inline NDArray run1(const std::vector<Var>& ins, const Var& out, const std::vector<Value>& vals) {
  FunctionOptions o;
  o.on_unused_input = OnUnusedInput::Ignore;
  std::vector<In> in(ins.begin(), ins.end());
  auto f = function(in, {out}, o);
  return std::get<NDArray>((*f)(vals)[0]);
}

/// Compiles the op's infer_shape graph for `out` and compares it with the computed shape.
inline void expect_infer_shape(const std::vector<Var>& ins, const Var& out, const std::vector<Value>& vals) {
  Apply* node = out.owner();
  ASSERT_NE(node, nullptr);
  std::vector<ShapeVec> shapes;
  for (const Var& i : node->inputs()) {
    ShapeVec s;
    for (int d = 0; d < i.type()->ndim(); ++d) s.push_back(shape_i(i, d));
    shapes.push_back(s);
  }
  auto inferred = node->op()->infer_shape(*node, shapes);
  ASSERT_TRUE(inferred.has_value());
  const ShapeVec& s = (*inferred)[out->index];
  NDArray real = run1(ins, out, vals);
  ASSERT_EQ(static_cast<int>(s.size()), real.ndim());
  for (int d = 0; d < real.ndim(); ++d) {
    NDArray v = run1(ins, s[d], vals);
    EXPECT_EQ(v.dtype(), DType::Int64);
    EXPECT_EQ(v.item<int64_t>(), real.shape(d)) << "axis " << d;
  }
}

/// Expects `fn` to raise hypatia::Error of `kind` with a message starting with '['.
template <class F>
void expect_error(ErrorKind kind, F&& fn, const std::string& contains = "") {
  try {
    fn();
    ADD_FAILURE() << "no error raised";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_EQ(e.what()[0], '[') << e.what();
    if (!contains.empty()) EXPECT_NE(std::string(e.what()).find(contains), std::string::npos) << e.what();
  }
}

inline void expect_near_array(const NDArray& got, const std::vector<double>& want, const Shape& shape,
                              double tol = 1e-5) {
  ASSERT_EQ(got.shape(), shape);
  ASSERT_EQ(got.size(), static_cast<int64_t>(want.size()));
  for (int64_t i = 0; i < got.size(); ++i) EXPECT_NEAR(at(got, i), want[i], tol * (1 + std::abs(want[i]))) << "i=" << i;
}

}  // namespace hypatia::test
