// Internal: the ISA-generic vector_math kernels, instantiated by vector_math_avx2/avx512.cpp only.
#pragma once
// No standard-library header here: these files are compiled for AVX2/AVX-512, and an inline
// function they instantiated could be merged into the portable code by the linker.
#include <cstdint>

namespace hypatia::vector_math::detail {

/// One ISA's kernels: [0] exp, [1] log, [2] tanh, [3] sigmoid, [4] softplus; and pow(a, b).
struct Table {
  void (*f64[5])(const double*, double*, int64_t);
  void (*f32[5])(const float*, float*, int64_t);
  void (*pow64)(const double*, const double*, double*, int64_t);
  void (*pow32)(const float*, const float*, float*, int64_t);
};
/// Null where the build has no such kernels (not x86-64, or no libmvec).
const Table* avx2_table();
const Table* avx512_table();

}  // namespace hypatia::vector_math::detail

#ifdef HYPATIA_VM_KERNEL_BODY
namespace hypatia::vector_math::detail {
namespace {  // internal linkage: each ISA file keeps its own copies

// pow lane by lane through the compiler's pow (a build without SLEEF: libmvec's pow is not
// declared by glibc outside -ffast-math).
template <class V, class S, int W>
inline V pow_by_lanes(V x, V y) {
  V r = x;
  for (int i = 0; i < W; ++i) r[i] = sizeof(S) == 8 ? __builtin_pow(x[i], y[i]) : __builtin_powf(x[i], y[i]);
  return r;
}

// P supplies S (scalar), V (vector of W elements), VU (V with the alignment of S) and the
// primitive kernels exp, log, tanh, log1p : V -> V, pow : V x V -> V, and exp_nonpositive (exp for x <= 0 or NaN). Vector-extension arithmetic throughout.
template <class P>
struct Kernels {
  using S = typename P::S;
  using V = typename P::V;
  using VU = typename P::VU;
  static constexpr int W = sizeof(V) / sizeof(S);

  template <class F>
  static void run(const S* a, S* o, int64_t n, F f) {
    int64_t i = 0;
    for (; i + W <= n; i += W) *reinterpret_cast<VU*>(o + i) = f(*reinterpret_cast<const VU*>(a + i));
    if (i < n) {  // the tail through one zero-padded vector, so it rounds like the rest
      alignas(64) S buf[W] = {};
      for (int64_t k = i; k < n; ++k) buf[k - i] = a[k];
      *reinterpret_cast<V*>(buf) = f(*reinterpret_cast<const V*>(buf));
      for (int64_t k = i; k < n; ++k) o[k] = buf[k - i];
    }
  }
  static V splat(S s) {
    V v = {};
    return v + s;
  }
  static V sigmoid(V x) {
    const V zero = {}, one = splat(1);
    const V t = P::exp(x > zero ? -x : x);  // e^-|x| <= 1; NaN stays NaN
    return (x >= zero ? one : t) / (one + t);
  }
  /// t = e^-|x| (pass 1 of softplus).
  static V exp_neg_abs(V x) {
    const V zero = {};
    return P::exp_nonpositive(x > zero ? -x : x);
  }
  /// max(x, 0) + log1p(t) (pass 2 of softplus).
  static V softplus_finish(V x, V t) {
    const V zero = {};
    // log1p(t) rounds to t below `small`; clamping keeps log1p's intermediates normal (a
    // subnormal intermediate costs a microcode assist, 10x slower), NaN passes through.
    const V small = splat(P::kSmall);
    const V l = P::log1p(t < small ? small : t);
    return (x > zero ? x : zero) + (t < small ? t : l);
  }
  /// o[i] = f(a[i], b[i]), with run's padded tail.
  template <class F>
  static void run2(const S* a, const S* b, S* o, int64_t n, F f) {
    int64_t i = 0;
    for (; i + W <= n; i += W)
      *reinterpret_cast<VU*>(o + i) = f(*reinterpret_cast<const VU*>(a + i), *reinterpret_cast<const VU*>(b + i));
    if (i < n) {
      alignas(64) S ba[W] = {}, bb[W] = {};
      for (int64_t k = i; k < n; ++k) ba[k - i] = a[k], bb[k - i] = b[k];
      *reinterpret_cast<V*>(ba) = f(*reinterpret_cast<const V*>(ba), *reinterpret_cast<const V*>(bb));
      for (int64_t k = i; k < n; ++k) o[k] = ba[k - i];
    }
  }
  static void pow_n(const S* a, const S* b, S* o, int64_t n) { run2(a, b, o, n, [](V x, V y) { return P::pow(x, y); }); }
  static void exp_n(const S* a, S* o, int64_t n) { run(a, o, n, [](V v) { return P::exp(v); }); }
  static void log_n(const S* a, S* o, int64_t n) { run(a, o, n, [](V v) { return P::log(v); }); }
  static void tanh_n(const S* a, S* o, int64_t n) { run(a, o, n, [](V v) { return P::tanh(v); }); }
  static void sigmoid_n(const S* a, S* o, int64_t n) { run(a, o, n, [](V v) { return sigmoid(v); }); }
  // softplus in two passes over blocks that stay in L1: every exp call, then every log1p call.
  // Alternating the two library calls per vector measured 2-4x slower with libmvec's AVX2
  // log1p (13 ns per element against 3), and no faster on AVX-512.
  static void softplus_n(const S* a, S* o, int64_t n) {
    constexpr int64_t kBlock = 512;
    alignas(64) S t[kBlock];
    for (int64_t s = 0; s < n; s += kBlock) {
      const int64_t m = n - s < kBlock ? n - s : kBlock;
      run(a + s, t, m, [](V v) { return exp_neg_abs(v); });
      run2(a + s, t, o + s, m, [](V x, V tv) { return softplus_finish(x, tv); });
    }
  }
};

template <class PD, class PF>
const Table* make_table() {
  static const Table t = {
      {Kernels<PD>::exp_n, Kernels<PD>::log_n, Kernels<PD>::tanh_n, Kernels<PD>::sigmoid_n, Kernels<PD>::softplus_n},
      {Kernels<PF>::exp_n, Kernels<PF>::log_n, Kernels<PF>::tanh_n, Kernels<PF>::sigmoid_n, Kernels<PF>::softplus_n},
      Kernels<PD>::pow_n, Kernels<PF>::pow_n};
  return &t;
}

}  // namespace
}  // namespace hypatia::vector_math::detail
#endif
