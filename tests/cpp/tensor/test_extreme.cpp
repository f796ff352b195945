// kernels::Extreme (tensor/kernels/extreme.h): the vectorised max/min fold and the first-index
// search of Argmax/Argmin against plain loops, for every length around the vector and block
// widths, ties across blocks, NaN anywhere, +-inf, signed zeros, float32 and float64.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "hypatia/tensor/kernels/extreme.h"

using hypatia::kernels::Extreme;

namespace {

// numpy's max/min and argmax/argmin of r[0, n): a NaN wins (the first one, for the index).
template <bool kMax, class A>
void reference(const std::vector<A>& r, A& value, int64_t& index) {
  value = r[0], index = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    if (std::isnan(r[i])) {
      value = r[i], index = static_cast<int64_t>(i);
      return;
    }
    if (kMax ? r[i] > value : r[i] < value) value = r[i], index = static_cast<int64_t>(i);
  }
}

template <bool kMax, class A>
void check_all_lengths() {
  std::mt19937_64 g(kMax ? 3 : 4);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int64_t n : {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 127, 128, 129, 255, 256, 257, 1023, 1024, 1025, 2049, 5000}) {
    for (int kind = 0; kind < 6; ++kind) {
      std::vector<A> r(n);
      for (auto& v : r) v = static_cast<A>(u(g));
      const int64_t at = (n * 7) / 9;  // a spot in a later block for long rows
      if (kind == 1) r[at] = NAN;
      if (kind == 2) r[at] = kMax ? INFINITY : -INFINITY, r[n - 1] = r[at];  // a tie after the first
      if (kind == 3) std::fill(r.begin(), r.end(), static_cast<A>(kMax ? -INFINITY : INFINITY));
      if (kind == 4) r[n - 1] = NAN, r[0] = NAN;                               // NaN first
      if (kind == 5) std::fill(r.begin(), r.end(), A(0)), r[at] = A(-0.0);    // zeros of both signs
      A want;
      int64_t want_i;
      reference<kMax>(r, want, want_i);
      const A got = Extreme<kMax, A>::row(r.data(), n);
      const std::string what = "n " + std::to_string(n) + " kind " + std::to_string(kind);
      if (std::isnan(want)) EXPECT_TRUE(std::isnan(got)) << what;
      else EXPECT_EQ(got, want) << what;
      EXPECT_EQ((Extreme<kMax, A>::arg(r.data(), n)), want_i) << what;
      // The lane-wise fold: each output keeps its own extreme over two rows.
      std::vector<A> o(r), second(n);
      for (auto& v : second) v = static_cast<A>(u(g));
      Extreme<kMax, A>::lanes(o.data(), second.data(), n);
      for (int64_t e = 0; e < n; ++e) {
        const A w = Extreme<kMax, A>::combine(r[e], second[e]);
        if (std::isnan(w)) EXPECT_TRUE(std::isnan(o[e])) << what << " lane " << e;
        else EXPECT_EQ(o[e], w) << what << " lane " << e;
      }
    }
  }
}

}  // namespace

TEST(Extreme, MaxFoldAndArgMatchPlainLoopsFloat64) { check_all_lengths<true, double>(); }
TEST(Extreme, MinFoldAndArgMatchPlainLoopsFloat64) { check_all_lengths<false, double>(); }
TEST(Extreme, MaxFoldAndArgMatchPlainLoopsFloat32) { check_all_lengths<true, float>(); }
TEST(Extreme, MinFoldAndArgMatchPlainLoopsFloat32) { check_all_lengths<false, float>(); }
