// MRG31k3p kernels: jump matrices by repeated squaring, substream states, the parallel fill.
#include "hypatia/random/kernels/mrg31k3p.h"

namespace hypatia::kernels::mrg {

namespace {
Mat3 mat_mul(const Mat3& a, const Mat3& b, int64_t m) {
  Mat3 r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      uint64_t acc = 0;  // each product < 2^62: reduce term by term
      for (int k = 0; k < 3; ++k) acc = (acc + static_cast<uint64_t>(a[i][k]) * static_cast<uint64_t>(b[k][j]) % m) % m;
      r[i][j] = static_cast<int64_t>(acc);
    }
  return r;
}
Mat3 pow2(Mat3 a, int e, int64_t m) {
  for (int i = 0; i < e; ++i) a = mat_mul(a, a, m);
  return a;
}
// The one-step matrices on Theano's state vectors (most recent value first).
constexpr Mat3 kA1 = {{{0, 4194304, 129}, {1, 0, 0}, {0, 1, 0}}};
constexpr Mat3 kA2 = {{{32768, 0, 32769}, {1, 0, 0}, {0, 1, 0}}};

void mat_vec(const Mat3& a, const int32_t* v, int64_t m, int32_t* out) {
  int32_t r[3];
  for (int i = 0; i < 3; ++i) {
    uint64_t acc = 0;
    for (int k = 0; k < 3; ++k) acc = (acc + static_cast<uint64_t>(a[i][k]) * static_cast<uint64_t>(v[k]) % m) % m;
    r[i] = static_cast<int32_t>(acc);
  }
  out[0] = r[0], out[1] = r[1], out[2] = r[2];
}

const Mat3& cached(int which, int e) {
  static const Mat3 a1_72 = pow2(kA1, 72, kM1), a2_72 = pow2(kA2, 72, kM2);
  static const Mat3 a1_134 = pow2(kA1, 134, kM1), a2_134 = pow2(kA2, 134, kM2);
  if (e == 72) return which == 1 ? a1_72 : a2_72;
  return which == 1 ? a1_134 : a2_134;
}

template <class T, class Conv>
void fill(int32_t* states, int64_t n_streams, T* out, int64_t n, int threads, Conv conv) {
  const int64_t used = n_streams < n ? n_streams : n;
  const bool par = threads > 1 && used > 1 && n >= 4096;
#pragma omp parallel for schedule(static) if (par) num_threads(threads > 0 ? threads : 1)
  for (int64_t s = 0; s < used; ++s) {
    int32_t st[6];
    for (int k = 0; k < 6; ++k) st[k] = states[s * 6 + k];
    for (int64_t i = s; i < n; i += n_streams) out[i] = conv(next(st));
    for (int k = 0; k < 6; ++k) states[s * 6 + k] = st[k];
  }
}
}  // namespace

Mat3 a1_pow2(int e) { return pow2(kA1, e, kM1); }
Mat3 a2_pow2(int e) { return pow2(kA2, e, kM2); }

State jump(const State& s, int e) {
  State r{};
  if (e == 72 || e == 134) {
    mat_vec(cached(1, e), s.data(), kM1, r.data());
    mat_vec(cached(2, e), s.data() + 3, kM2, r.data() + 3);
  } else {
    mat_vec(a1_pow2(e), s.data(), kM1, r.data());
    mat_vec(a2_pow2(e), s.data() + 3, kM2, r.data() + 3);
  }
  return r;
}

std::string check_state(const State& s) {
  for (int k = 0; k < 6; ++k)
    if (s[k] < 0) return "the seed values must be non-negative";
  if (s[0] == 0 && s[1] == 0 && s[2] == 0) return "the first 3 values of the seed must not all be 0";
  if (s[3] == 0 && s[4] == 0 && s[5] == 0) return "the last 3 values of the seed must not all be 0";
  if (s[0] >= kM1 || s[1] >= kM1 || s[2] >= kM1) return "the first 3 values of the seed must be less than 2147483647";
  if (s[3] >= kM2 || s[4] >= kM2 || s[5] >= kM2) return "the last 3 values of the seed must be less than 2147462579";
  return "";
}

void substream_states(const State& start, int64_t n, int32_t* out) {
  State cur = start;
  for (int64_t i = 0; i < n; ++i) {
    for (int k = 0; k < 6; ++k) out[i * 6 + k] = cur[k];
    if (i + 1 < n) cur = jump(cur, 72);
  }
}

void uniform_fill(int32_t* states, int64_t n_streams, double* out, int64_t n, int threads) {
  fill(states, n_streams, out, n, threads, [](int32_t z) { return to_unit_double(z); });
}
void uniform_fill(int32_t* states, int64_t n_streams, float* out, int64_t n, int threads) {
  fill(states, n_streams, out, n, threads, [](int32_t z) { return to_unit_float(z); });
}

}  // namespace hypatia::kernels::mrg
