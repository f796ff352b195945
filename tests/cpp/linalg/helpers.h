// Shared helpers for the linalg tests: deterministic matrices and plain dense references.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "hypatia/value/ndarray.h"
#include "support/dense_random.h"

namespace hypatia::linalg_test {

using testing::rnd;  // deterministic values in [-1, 1) (support/dense_random.h)

inline NDArray f64(const NDArray& a) { return a.astype(DType::Float64); }

/// Naive reference product sum_k a[i, k] b[k, j] (float64).
inline NDArray mm(const NDArray& a_in, const NDArray& b_in) {
  NDArray a = f64(a_in), b = f64(b_in);
  const int64_t M = a.shape(0), K = a.shape(1), N = b.shape(1);
  NDArray r = NDArray::zeros(DType::Float64, {M, N});
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j)
      for (int64_t k = 0; k < K; ++k) r.data<double>()[i * N + j] += a.data<double>()[i * K + k] * b.data<double>()[k * N + j];
  return r;
}

inline NDArray transposed(const NDArray& a) { return f64(a).transpose().copy(); }

/// a a^T + n I: symmetric positive definite.
inline NDArray spd(DType d, int64_t n, uint32_t seed) {
  NDArray a = rnd(DType::Float64, {n, n}, seed);
  NDArray s = mm(a, transposed(a));
  for (int64_t i = 0; i < n; ++i) s.data<double>()[i * n + i] += static_cast<double>(n);
  return s.astype(d);
}

/// The symmetric matrix whose lower triangle is a's.
inline NDArray sym_from_lower(const NDArray& a_in) {
  NDArray a = f64(a_in).copy();
  const int64_t n = a.shape(0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) a.data<double>()[i * n + j] = a.data<double>()[j * n + i];
  return a;
}

/// max |a - b|.
inline double max_diff(const NDArray& a_in, const NDArray& b_in) {
  NDArray a = f64(a_in), b = f64(b_in);
  EXPECT_EQ(a.shape(), b.shape());
  double m = 0;
  for (int64_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a.data<double>()[i] - b.data<double>()[i]));
  return m;
}

}  // namespace hypatia::linalg_test
