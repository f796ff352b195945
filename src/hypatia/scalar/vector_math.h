// Vectorised tanh and exp over contiguous arrays (glibc's libmvec on AVX2 CPUs, libm elsewhere).
#pragma once
#include <cstdint>

namespace hypatia::vector_math {

/// o[i] = tanh(a[i]) for i < n (a and o may be the same array). On a CPU with AVX2 it runs
/// glibc's libmvec kernels 4 doubles (8 floats) at a time, about ten times faster than a
/// scalar libm loop; their results are within libmvec's 4-ulp bound of libm's. Elsewhere it
/// is the scalar loop. The recurrent nets scan runs spend most of a step here.
void tanh(const double* a, double* o, int64_t n);
void tanh(const float* a, float* o, int64_t n);
/// o[i] = exp(a[i]), as tanh above (softmax, sigmoid-like expressions).
void exp(const double* a, double* o, int64_t n);
void exp(const float* a, float* o, int64_t n);
/// Whether the vectorised kernels are in use (AVX2 present).
bool vectorised();

}  // namespace hypatia::vector_math
