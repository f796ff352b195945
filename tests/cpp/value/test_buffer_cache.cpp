// The large-buffer cache: freed big blocks are reused by the next allocation of their size,
// never while a live array holds them, and the byte limit is honoured.
#include <gtest/gtest.h>

#include <thread>

#include "hypatia/value/buffer_cache.h"
#include "hypatia/value/ndarray.h"

using namespace hypatia;

TEST(BufferCache, FreedBigBlockIsReusedAndLiveOnesAreNot) {
  set_buffer_cache_limit(size_t(256) << 20);
  const Shape big{512, 1024};  // 4 MiB of float64
  void* first;
  {
    NDArray a(DType::Float64, big);
    first = a.raw();
    NDArray live(DType::Float64, big);  // allocated while `a` lives: another block
    EXPECT_NE(live.raw(), first);
  }
  EXPECT_GE(buffer_cache_bytes(), size_t(4) << 20);
  NDArray b(DType::Float64, big);
  NDArray c(DType::Float64, big);
  EXPECT_TRUE(b.raw() == first || c.raw() == first) << "a cached block comes back";
  EXPECT_NE(b.raw(), c.raw());
  NDArray z = NDArray::zeros(DType::Float64, big);  // calloc: zero-filled, never from the cache
  for (int64_t i = 0; i < z.size(); i += 4096) EXPECT_EQ(z.data<double>()[i], 0.0);
}

TEST(BufferCache, LimitZeroDisablesAndSmallBlocksBypass) {
  set_buffer_cache_limit(0);
  EXPECT_EQ(buffer_cache_bytes(), 0u);
  { NDArray a(DType::Float64, {512, 1024}); }
  EXPECT_EQ(buffer_cache_bytes(), 0u);
  set_buffer_cache_limit(size_t(256) << 20);
  { NDArray s(DType::Float64, {100}); }  // below 1 MiB: plain free
  EXPECT_EQ(buffer_cache_bytes(), 0u);
}

TEST(BufferCache, ThreadsAllocatingAndFreeingConcurrently) {
  set_buffer_cache_limit(size_t(64) << 20);
  auto work = [](int seed) {
    for (int i = 0; i < 50; ++i) {
      NDArray a(DType::Float64, {256, 1024 + 64 * ((i + seed) % 3)});
      a.fill(seed);
      EXPECT_EQ(a.data<double>()[a.size() - 1], seed);
    }
  };
  std::thread t1(work, 1), t2(work, 2);
  t1.join();
  t2.join();
  EXPECT_LE(buffer_cache_bytes(), size_t(64) << 20);
  set_buffer_cache_limit(size_t(256) << 20);
}
