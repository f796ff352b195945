// NDArray: views share memory, copies cast, and numpy's promotion table.
#include <gtest/gtest.h>

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
