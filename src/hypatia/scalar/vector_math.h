// Vectorised exp, log, tanh, sigmoid, softplus and pow over contiguous float32/float64 arrays.
#pragma once
#include <cstdint>

namespace hypatia::vector_math {

// Every function computes o[i] = f(a[i]) for i < n; a and o may be the same array (in place)
// but must not otherwise overlap. The instruction set is chosen once at run time: AVX-512F
// (8 doubles / 16 floats a step), else AVX2+FMA (4 / 8), else a scalar libm loop, so the
// library runs on any x86-64 and builds elsewhere (scalar only). The vector kernels are SLEEF's
// 1-ulp exp and log (glibc's libmvec ones when SLEEF was absent at build time; float64 exp on
// AVX-512 is an inline polynomial with scalef, half SLEEF's time) and libmvec's tanh and log1p
// (softplus's e^-|x|: the same polynomial on AVX-512, libmvec's exp on AVX2);
// sigmoid and softplus are built on them in the overflow-free forms of scalar_fn::Sigmoid /
// Softplus (docs/semantics.md), so every x, ±inf and NaN included, gives
// the scalar path's answer within the bounds below. Worst errors in ulps of the correctly
// rounded result, measured over random and edge inputs and asserted for every family by
// tests/cpp/scalar/test_vector_math.cpp (measured AVX-512 / AVX2 / scalar float64 maxima in
// brackets): exp ≤ 1 [0.83/0.83/0.50], log ≤ 1 [0.68/0.68/0.50], tanh ≤ 2.5 [1.06/2.10/2.04,
// glibc's scalar tanh included], sigmoid ≤ 2.5 [1.92], softplus ≤ 3 [2.05/2.84/1.23], pow ≤ 1 [0.62/0.62/0.50]; float32
// the same bounds. Without SLEEF, libmvec's exp is a 4-ulp kernel: exp, log ≤ 4, sigmoid ≤ 5
// (AVX-512 float64 exp keeps its polynomial's ≤ 1).
// About 1-2 ns per float64 element per thread against 15-25 ns for the scalar loop
// (bench/bench_vecmath.py).
void exp(const double* a, double* o, int64_t n);
void exp(const float* a, float* o, int64_t n);
void log(const double* a, double* o, int64_t n);
void log(const float* a, float* o, int64_t n);
void tanh(const double* a, double* o, int64_t n);
void tanh(const float* a, float* o, int64_t n);
/// 1/(1+e^-x), computed as (x >= 0 ? 1 : t)/(1+t) with t = e^-|x|: no overflow for any x.
void sigmoid(const double* a, double* o, int64_t n);
void sigmoid(const float* a, float* o, int64_t n);
/// o[i] = a[i] ** b[i] (C's pow, numpy.power's answers for every special pair): SLEEF's 1-ulp
/// pow (lane by lane through libm when SLEEF was absent at build time). The scalar family is
/// libm's pow. Unlike o, b may alias a.
void pow(const double* a, const double* b, double* o, int64_t n);
void pow(const float* a, const float* b, float* o, int64_t n);
/// log(1+e^x) = max(x, 0) + log1p(e^-|x|): exact for large x, keeps the tiny e^x for very negative x.
void softplus(const double* a, double* o, int64_t n);
void softplus(const float* a, float* o, int64_t n);

/// The kernel family in use. `set_isa` lowers it (tests and benchmarks compare the paths on one
/// machine); a request above what the CPU or the build supports gives the best supported one.
/// Process-wide, and not meant to be changed while other threads compute.
enum class Isa { Scalar = 0, Avx2 = 1, Avx512 = 2 };
Isa isa();
Isa best_isa();
void set_isa(Isa want);
/// Whether exp/log (and so sigmoid/softplus) use SLEEF's kernels (false: libmvec's or libm's).
bool uses_sleef();
/// "avx512", "avx2" or "scalar", with "+sleef" when SLEEF provides exp and log.
const char* backend();
/// Whether a vector kernel family is in use (isa() != Scalar).
bool vectorised();

}  // namespace hypatia::vector_math
