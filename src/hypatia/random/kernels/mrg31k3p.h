// MRG31k3p (L'Ecuyer & Touzin, 2000) as pure functions: one step of the combined recurrence,
// the jump matrices A^(2^e) of the streams and substreams, and the multithreaded fill.
#pragma once
#include <array>
#include <cstdint>
#include <string>

namespace hypatia::kernels::mrg {

inline constexpr int32_t kM1 = 2147483647;  // 2^31 - 1
inline constexpr int32_t kM2 = 2147462579;  // 2^31 - 21069

/// One generator state as Theano lays it out: (x1[n-1], x1[n-2], x1[n-3], x2[n-1], x2[n-2],
/// x2[n-3]), the most recent value of each component first.
using State = std::array<int32_t, 6>;
using Mat3 = std::array<std::array<int64_t, 3>, 3>;

/// Advances `s` (6 int32) one step and returns z in [1, M1]:
///   x1[n] = (2^22 x1[n-2] + (2^7 + 1) x1[n-3]) mod M1
///   x2[n] = (2^15 x2[n-1] + (2^15 + 1) x2[n-3]) mod M2
///   z = (x1[n] - x2[n]) mod M1, with M1 for 0 (a sample is never 0 nor 1).
/// The multiplications by powers of two use the shifts of the SSJ / Theano code.
inline int32_t next(int32_t* s) {
  const int64_t x11 = s[0], x12 = s[1], x13 = s[2], x21 = s[3], x22 = s[4], x23 = s[5];
  int64_t y1 = ((x12 & 511) << 22) + (x12 >> 9) + ((x13 & 16777215) << 7) + (x13 >> 24);
  if (y1 >= kM1) y1 -= kM1;
  y1 += x13;
  if (y1 >= kM1) y1 -= kM1;
  int64_t p1 = ((x21 & 65535) << 15) + 21069 * (x21 >> 16);
  if (p1 >= kM2) p1 -= kM2;
  int64_t y2 = ((x23 & 65535) << 15) + 21069 * (x23 >> 16);
  if (y2 >= kM2) y2 -= kM2;
  y2 += x23;
  if (y2 >= kM2) y2 -= kM2;
  y2 += p1;
  if (y2 >= kM2) y2 -= kM2;
  s[0] = static_cast<int32_t>(y1);
  s[1] = static_cast<int32_t>(x11);
  s[2] = static_cast<int32_t>(x12);
  s[3] = static_cast<int32_t>(y2);
  s[4] = static_cast<int32_t>(x21);
  s[5] = static_cast<int32_t>(x22);
  return static_cast<int32_t>(y1 <= y2 ? y1 - y2 + kM1 : y1 - y2);
}

/// A sample of z as Theano's CPU code computes it: z * 2^-31 in double; in float32 the int
/// is rounded to float first and multiplied by 4.6566126e-10f (so that M1 stays below 1).
inline double to_unit_double(int32_t z) { return static_cast<double>(z) * 4.656612873077392578125e-10; }
inline float to_unit_float(int32_t z) { return static_cast<float>(z) * 4.6566126e-10f; }

/// A1^(2^e) mod M1 and A2^(2^e) mod M2, the transition matrices of 2^e steps (by squaring).
Mat3 a1_pow2(int e);
Mat3 a2_pow2(int e);
/// The state 2^e steps after s (e = 72: the next substream; e = 134: the next stream).
State jump(const State& s, int e);

/// Empty when `s` is a valid state (first three in [0, M1) not all zero, last three in
/// [0, M2) not all zero); otherwise what is wrong with it.
std::string check_state(const State& s);

/// Writes n states (n x 6 int32, row-major) starting at `start`, each 2^72 steps after the
/// previous one (Theano's get_substream_rstates).
void substream_states(const State& start, int64_t n, int32_t* out);

/// Fills out[0..n_elements) with uniforms in (0, 1): element i is drawn from stream
/// i % n_streams, in order, and the n_streams x 6 states advance in place. Streams are
/// independent, so they are shared among `threads` threads (OpenMP) with the same result
/// for any thread count.
void uniform_fill(int32_t* states, int64_t n_streams, double* out, int64_t n_elements, int threads);
void uniform_fill(int32_t* states, int64_t n_streams, float* out, int64_t n_elements, int threads);

}  // namespace hypatia::kernels::mrg
