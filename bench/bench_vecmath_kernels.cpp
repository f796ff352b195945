// Raw vector_math kernels: ns per element over 10^6 float64/float32, one thread, each ISA family.
// Build (no CMake target, so bench/CMakeLists.txt stays as it is), from the worktree root:
//   g++ -O2 -std=c++20 -Isrc bench/bench_vecmath_kernels.cpp build/libhypatia.a -lsleef -lmvec -fopenmp \
//       -o build/bench_vecmath_kernels && build/bench_vecmath_kernels
// Prints best-of-15 times out of place (o != a) and in place (o == a), beside a libm scalar loop.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "hypatia/scalar/vector_math.h"

namespace vm = hypatia::vector_math;

template <class F>
double best_ns(F f, int64_t n) {
  double best = 1e30;
  for (int r = 0; r < 15; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best * 1e9 / static_cast<double>(n);
}

template <class T>
void row(const char* name, void (*f)(const T*, T*, int64_t), double lo, double hi) {
  const int64_t n = 1000000;
  std::vector<T> a(n), o(n), w(n);
  std::mt19937_64 g(1);
  std::uniform_real_distribution<double> u(lo, hi);
  for (auto& x : a) x = static_cast<T>(u(g));
  const double out = best_ns([&] { f(a.data(), o.data(), n); }, n);
  const double in = best_ns([&] { std::copy(a.begin(), a.end(), w.begin()); f(w.data(), w.data(), n); }, n) -
                    best_ns([&] { std::copy(a.begin(), a.end(), w.begin()); }, n);
  std::printf("%-8s %-7s %-13s %6.2f %6.2f\n", name, sizeof(T) == 8 ? "float64" : "float32", vm::backend(), out, in);
}

template <class T>
void all_rows() {
  row<T>("exp", vm::exp, -20, 20);
  row<T>("log", vm::log, 1e-3, 1e3);
  row<T>("tanh", vm::tanh, -5, 5);
  row<T>("sigmoid", vm::sigmoid, -20, 20);
  row<T>("softplus", vm::softplus, -20, 20);
}

int main() {
  std::printf("%-8s %-7s %-13s %6s %6s   (ns per element, 1 thread)\n", "fn", "dtype", "backend", "out", "inplace");
  for (vm::Isa isa : {vm::Isa::Avx512, vm::Isa::Avx2, vm::Isa::Scalar}) {
    if (static_cast<int>(isa) > static_cast<int>(vm::best_isa())) continue;
    vm::set_isa(isa);
    all_rows<double>();
    all_rows<float>();
  }
}
