// NDArray allocation sizes are checked: an element count that overflows int64 is a ValueError,
// a byte count no allocation can provide is a MemoryError, and both name the shape (numpy's
// "array is too big" / "unable to allocate"); nothing wraps around to a small buffer.
#include <gtest/gtest.h>

#include <new>

#include "hypatia/value/ndarray.h"

using namespace hypatia;

namespace {

constexpr int64_t k62 = int64_t{1} << 62, k31 = int64_t{1} << 31;

// The hypatia::Error f raises (its kind and message); fails the test when it raises none.
std::pair<ErrorKind, std::string> error_from(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return {e.kind(), e.what()};
  }
  ADD_FAILURE() << "no error raised";
  return {ErrorKind::Runtime, ""};
}

}  // namespace

TEST(NDArraySizes, ElementCountOverflowIsAValueErrorNamingTheShape) {
  // 2**62 * 4 = 2**64 used to wrap to 0 elements: a 64-byte buffer for 2**64 doubles.
  for (auto make : {+[] { NDArray(DType::Float64, {k62, 4}); }, +[] { NDArray::zeros(DType::Float64, {k62, 4}); },
                    +[] { NDArray::full(DType::Float64, {4, k62}, 1.0); }}) {
    auto [kind, msg] = error_from(make);
    EXPECT_EQ(kind, ErrorKind::Value);
    EXPECT_EQ(msg.rfind("[NDArray] array is too big", 0), 0u) << msg;
    EXPECT_NE(msg.find("4611686018427387904"), std::string::npos) << msg;
  }
  // Like numpy, the product of the non-zero dimensions is checked even when one is 0.
  EXPECT_EQ(error_from([] { NDArray(DType::Float64, {k62, 4, 0}); }).first, ErrorKind::Value);
  EXPECT_EQ(NDArray(DType::Float64, {k62, 0}).size(), 0);
  EXPECT_EQ(NDArray::checked_size({3, 0, 5}), 0);
  EXPECT_EQ(NDArray::checked_size({3, 4, 5}), 60);
}

TEST(NDArraySizes, ByteCountOverflowIsAMemoryError) {
  // 2**62 elements fit int64, 2**65 bytes do not (dense_from_sparse of a (2**31, 2**31) matrix).
  for (auto make : {+[] { NDArray(DType::Float64, {k31, k31}); }, +[] { NDArray::zeros(DType::Float64, {k31, k31}); }}) {
    auto [kind, msg] = error_from(make);
    EXPECT_EQ(kind, ErrorKind::Memory);
    EXPECT_EQ(msg.rfind("[NDArray] unable to allocate 32.0 EiB", 0), 0u) << msg;
    EXPECT_NE(msg.find("(2147483648, 2147483648)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("float64"), std::string::npos) << msg;
  }
}

TEST(NDArraySizes, AnAllocationTheSystemRefusesIsAMemoryError) {
#if defined(__SANITIZE_ADDRESS__)
  // gcc's ASan (clang's too, unless ASAN_OPTIONS has allocator_may_return_null=1 as
  // scripts/run_tests.sh sets) aborts on huge allocations instead of returning null.
  GTEST_SKIP() << "AddressSanitizer aborts on huge allocations instead of returning null";
#else
  // 2**61 bytes is representable but beyond any address space: malloc/calloc return null.
  for (bool zeroed : {false, true}) {
    auto [kind, msg] = error_from([&] {
      if (zeroed) NDArray::zeros(DType::Int8, {int64_t{1} << 61});
      else NDArray(DType::Int8, {int64_t{1} << 61});
    });
    EXPECT_EQ(kind, ErrorKind::Memory);
    EXPECT_EQ(msg.rfind("[NDArray] unable to allocate 2.00 EiB", 0), 0u) << msg;
  }
#endif
}

TEST(NDArraySizes, ReshapeChecksTheNewShape) {
  // (2**62, 4) has 2**64 elements, which wrapped to 0 and "matched" an empty array.
  NDArray empty(DType::Float64, {0});
  auto [kind, msg] = error_from([&] { empty.reshape({k62, 4}); });
  EXPECT_EQ(kind, ErrorKind::Value);
  EXPECT_EQ(msg.rfind("[reshape]", 0), 0u) << msg;
  // Two negative dimensions multiply to a positive count: still refused.
  NDArray one(DType::Float64, {1});
  EXPECT_EQ(error_from([&] { one.reshape({-1, -1}); }).first, ErrorKind::Value);
}

TEST(ErrorKinds, StandardAllocationFailuresBecomeMemoryErrors) {
  EXPECT_EQ(as_error(std::bad_alloc(), "Op").kind(), ErrorKind::Memory);
  EXPECT_EQ(std::string(as_error(std::bad_alloc(), "Op").what()).rfind("[Op] out of memory", 0), 0u);
  EXPECT_EQ(as_error(std::length_error("vector"), "Op").kind(), ErrorKind::Memory);
  EXPECT_EQ(as_error(Error(ErrorKind::Type, "[x] t"), "Op").kind(), ErrorKind::Type);
  EXPECT_EQ(std::string(as_error(Error(ErrorKind::Type, "[x] t"), "Op").what()), "[x] t");
  EXPECT_EQ(as_error(std::runtime_error("r"), "Op").kind(), ErrorKind::Runtime);
}
