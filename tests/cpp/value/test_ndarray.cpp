// NDArray: views share memory, copies cast, numpy's promotion table, and the strided walk.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "hypatia/value/ndarray.h"

using namespace hypatia;

TEST(DType, NumpyPromotion) {
  EXPECT_EQ(upcast(DType::Int8, DType::UInt8), DType::Int16);
  EXPECT_EQ(upcast(DType::Int64, DType::UInt64), DType::Float64);
  EXPECT_EQ(upcast(DType::Int32, DType::Float32), DType::Float64);
  EXPECT_EQ(upcast(DType::Int16, DType::Float32), DType::Float32);
  EXPECT_EQ(upcast(DType::Int8, DType::Float16), DType::Float16);
  EXPECT_EQ(upcast(DType::Float64, DType::Complex64), DType::Complex128);
  EXPECT_EQ(upcast(DType::Bool, DType::Int8), DType::Int8);
  EXPECT_EQ(upcast(DType::UInt32, DType::Int32), DType::Int64);
  EXPECT_TRUE(can_cast_safe(DType::Int32, DType::Float64));
  EXPECT_FALSE(can_cast_safe(DType::Float64, DType::Float32));
}

TEST(DType, HalfRoundTrip) {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 1e-5f, 3.140625f}) EXPECT_FLOAT_EQ(static_cast<float>(half(f)), static_cast<float>(half(static_cast<float>(half(f)))));
  EXPECT_EQ(static_cast<float>(half(1.0f)), 1.0f);
  EXPECT_EQ(static_cast<float>(half(-2.5f)), -2.5f);
}

TEST(NDArray, TransposeIsAViewAndCopyIsContiguous) {
  NDArray a = NDArray::from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  NDArray t = a.transpose();
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_TRUE(t.may_share_memory(a));
  EXPECT_FALSE(t.is_c_contiguous());
  NDArray c = t.copy();
  EXPECT_TRUE(c.is_c_contiguous());
  EXPECT_FALSE(c.may_share_memory(a));
  EXPECT_EQ(c.data<double>()[1], 4.0);
}

TEST(NDArray, SliceAndAstype) {
  NDArray a = NDArray::from_vector<int32_t>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {10});
  NDArray s = a.slice(0, 8, 1, -3);  // a[8:1:-3] -> 8, 5, 2
  ASSERT_EQ(s.shape(0), 3);
  NDArray f = s.astype(DType::Float32);
  EXPECT_EQ(f.data<float>()[0], 8.0f);
  EXPECT_EQ(f.data<float>()[2], 2.0f);
}

TEST(NDArray, BroadcastAndReprAndAllclose) {
  NDArray a = NDArray::from_vector<double>({1, 2}, {2});
  NDArray b = a.broadcast_to({3, 2});
  EXPECT_EQ(b.strides()[0], 0);
  EXPECT_EQ(a.repr(), "array([1., 2.])");
  EXPECT_TRUE(allclose(b.copy(), NDArray::from_vector<double>({1, 2, 1, 2, 1, 2}, {3, 2})));
  EXPECT_FALSE(allclose(a, NDArray::from_vector<double>({1, 2.1}, {2})));
  EXPECT_THROW(a.reshape({3}), Error);
}

namespace {
// Every element of `shape` visited once by strided_for_each<2>, each with the offsets its
// multi-index gives in both arrays: a map from the first array's offset to the second's.
void expect_each_element_once(const Shape& shape, const std::vector<int64_t>& s0, const std::vector<int64_t>& s1) {
  std::map<int64_t, int64_t> seen;
  int64_t visits = 0;
  strided_for_each<2>(shape, {s0.data(), s1.data()}, [&](int64_t a, int64_t b) {
    ++visits;
    seen.emplace(a, b);
  });
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  ASSERT_EQ(visits, total);
  ASSERT_EQ(static_cast<int64_t>(seen.size()), total);  // s0 is one to one: every visit distinct
  // Each offset pair is the one a multi-index gives: walk the indices in C order and look up.
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t k = 0; k < total; ++k) {
    int64_t a = 0, b = 0;
    for (size_t d = 0; d < shape.size(); ++d) a += idx[d] * s0[d], b += idx[d] * s1[d];
    auto it = seen.find(a);
    ASSERT_TRUE(it != seen.end());
    ASSERT_EQ(it->second, b);
    for (int d = static_cast<int>(shape.size()) - 1; d >= 0 && ++idx[d] == shape[d]; --d) idx[d] = 0;
  }
}
}  // namespace

TEST(NDArray, StridedWalkTilesTransposedOperandsAndVisitsEachElementOnce) {
  // Far steps along the last axis (a transposed operand) take 32 x 32 tiles of the last two
  // axes: sizes on both sides of the tile and of the threshold, partial edge tiles, leading
  // axes, negative and zero (broadcast) strides; short ones keep the plain walk.
  for (auto [rows, cols] : {std::pair<int64_t, int64_t>{16, 100}, {17, 17}, {33, 65}, {70, 31}, {64, 64}, {1, 200}}) {
    SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols));
    const int64_t e = 8;
    expect_each_element_once({rows, cols}, {cols * e, e}, {e, rows * e});          // c-order out, transposed in
    expect_each_element_once({rows, cols}, {e, rows * e}, {cols * e, e});          // the other way round
    expect_each_element_once({rows, cols}, {cols * e, e}, {-e, -rows * e});        // reversed transposed
    expect_each_element_once({rows, cols}, {cols * e, e}, {0, 9 * e});             // broadcast rows, far columns
    expect_each_element_once({3, rows, cols}, {rows * cols * e, cols * e, e}, {e, 3 * e, 3 * rows * e});
    expect_each_element_once({2, 1, rows, cols}, {rows * cols * 2 * e, rows * cols * e, cols * e, e},
                             {e, 2 * e, 2 * e, 2 * rows * e});
  }
  // A real transpose copy through NDArray::assign (copy of a transposed view).
  std::vector<double> v(67 * 45);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  NDArray a = NDArray::from_vector<double>(v, {67, 45});
  NDArray t = a.transpose().copy();
  for (int64_t i = 0; i < 45; ++i)
    for (int64_t j = 0; j < 67; ++j) ASSERT_EQ(t.data<double>()[i * 67 + j], v[j * 45 + i]);
}
