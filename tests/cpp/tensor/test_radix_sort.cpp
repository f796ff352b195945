// kernels::radix_argsort (ArgSortOp's kernel) against std::stable_sort with numpy's order (NaN
// last, -0.0 equal to 0.0), and kernels::radix_sort (SortOp's) for sorted, bit-kept values, for
// every real dtype: duplicates, extremes of each type, NaN and
// +-inf, strided lines and outputs, and lengths on both sides of the insertion-sort cutoff.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "hypatia/tensor/kernels/radix_sort.h"

using hypatia::kernels::radix_argsort;
using hypatia::kernels::radix_sort;
using hypatia::kernels::RadixScratch;

namespace {

template <class T>
bool less_nan_last(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}

template <class T>
std::vector<T> values(int64_t n, std::mt19937_64& g, int kind) {
  std::vector<T> v(n);
  if constexpr (std::is_same_v<T, bool>) {
    for (auto&& e : v) e = g() & 1;
  } else {
    using L = std::numeric_limits<T>;
    // kind 0: few distinct values (many ties); 1: spread over the whole range.
    std::uniform_int_distribution<int> small(-3, 3);
    for (int64_t i = 0; i < n; ++i) {
      if (kind == 0) {
        v[i] = static_cast<T>(std::is_signed_v<T> ? small(g) : small(g) + 3);
      } else if constexpr (std::is_floating_point_v<T>) {
        v[i] = static_cast<T>(std::ldexp(std::uniform_real_distribution<double>(-1, 1)(g), static_cast<int>(g() % 200) - 100));
      } else {
        v[i] = static_cast<T>(g());
      }
    }
    if (n >= 8) {
      v[1] = L::max(), v[n / 2] = L::lowest(), v[n - 2] = L::max();
      if constexpr (std::is_floating_point_v<T>) {
        v[2] = L::quiet_NaN(), v[n - 1] = L::quiet_NaN(), v[3] = L::infinity(), v[4] = -L::infinity();
        v[5] = T(-0.0), v[6] = T(0.0), v[n / 3] = T(-0.0), v[n / 4] = L::denorm_min();
      }
    }
  }
  return v;
}

// The bits of a value, for comparing -0.0 with 0.0 and NaN payloads exactly.
template <class T>
uint64_t bits_of(T v) {
  uint64_t u = 0;
  std::memcpy(&u, &v, sizeof(T));
  return u;
}

// radix_sort of the strided line x (holding v) into a strided output: the values in order, the
// non-NaNs sorted with -0.0 before 0.0 and the NaNs after them in their order, every value's
// bits kept (the output is a permutation of the input's bit patterns).
template <class T>
void check_values(const T* x, const std::vector<T>& v, int64_t n, int64_t stride, RadixScratch& scratch) {
  std::unique_ptr<T[]> got(new T[n * 2]());
  radix_sort(x, n, stride, got.get(), 2, scratch);
  std::vector<uint64_t> want_bits, got_bits, nans;
  for (int64_t i = 0; i < n; ++i) {
    want_bits.push_back(bits_of(v[i]));
    got_bits.push_back(bits_of(got[2 * i]));
    if (v[i] != v[i]) nans.push_back(bits_of(v[i]));  // NaN
  }
  const int64_t m = n - static_cast<int64_t>(nans.size());
  for (int64_t i = 0; i < static_cast<int64_t>(nans.size()); ++i)
    ASSERT_EQ(bits_of(got[2 * (m + i)]), nans[i]) << "NaN " << i << " of n " << n;
  for (int64_t i = 1; i < m; ++i) {
    const T a = got[2 * (i - 1)], b = got[2 * i];
    ASSERT_FALSE(less_nan_last(b, a)) << "n " << n << " at " << i;
    if constexpr (std::is_floating_point_v<T>) {
      ASSERT_FALSE(a == 0 && b == 0 && std::signbit(b) && !std::signbit(a)) << "-0.0 after 0.0 at " << i;
    }
  }
  std::sort(want_bits.begin(), want_bits.end());
  std::sort(got_bits.begin(), got_bits.end());
  ASSERT_EQ(got_bits, want_bits) << "n " << n;
}

template <class T>
void check_type() {
  std::mt19937_64 g(sizeof(T) * 7 + std::is_signed_v<T>);
  RadixScratch scratch;
  for (int64_t n : {1, 2, 5, 31, 32, 33, 64, 257, 3000}) {
    for (int kind : {0, 1}) {
      for (int64_t stride : {1, 3}) {
        const std::vector<T> v = values<T>(n, g, kind);
        std::unique_ptr<T[]> strided(new T[n * stride]());  // not a vector: vector<bool> has no data()
        for (int64_t i = 0; i < n; ++i) strided[i * stride] = v[i];
        std::vector<int64_t> want(n), got(n * 2, -1);
        std::iota(want.begin(), want.end(), 0);
        std::stable_sort(want.begin(), want.end(), [&](int64_t a, int64_t b) { return less_nan_last(v[a], v[b]); });
        radix_argsort(strided.get(), n, stride, got.data(), 2, scratch);
        for (int64_t k = 0; k < n; ++k)
          ASSERT_EQ(got[2 * k], want[k]) << "n " << n << " kind " << kind << " stride " << stride << " at " << k;
        check_values(strided.get(), v, n, stride, scratch);
      }
    }
  }
}

}  // namespace

TEST(RadixSort, MatchesStableSortForFloats) {
  check_type<double>();
  check_type<float>();
}

TEST(RadixSort, MatchesStableSortForIntegersAndBool) {
  check_type<int8_t>();
  check_type<int16_t>();
  check_type<int32_t>();
  check_type<int64_t>();
  check_type<uint8_t>();
  check_type<uint16_t>();
  check_type<uint32_t>();
  check_type<uint64_t>();
  check_type<bool>();
}
