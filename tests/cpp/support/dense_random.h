// Deterministic pseudo-random dense arrays for tests (a small LCG, so values are the same everywhere).
#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "hypatia/value/ndarray.h"

namespace hypatia::testing {

/// Values in [-1, 1) from `seed`, made as float64 and cast to `d`.
inline NDArray rnd(DType d, Shape shape, uint32_t seed) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  std::vector<double> v(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& e : v) {
    x = x * 1664525u + 1013904223u;
    e = (x >> 8) / double(1 << 24) * 2 - 1;
  }
  return NDArray::from_vector<double>(v, shape).astype(d);
}

/// Standard normal values from std::mt19937(seed), made as float64 and cast to `d`.
inline NDArray randn(DType d, Shape s, unsigned seed) {
  std::mt19937 g(seed);
  std::normal_distribution<double> n;
  int64_t k = 1;
  for (auto v : s) k *= v;
  std::vector<double> v(static_cast<size_t>(k));
  for (auto& e : v) e = n(g);
  return NDArray::from_vector<double>(v, s).astype(d);
}

}  // namespace hypatia::testing
