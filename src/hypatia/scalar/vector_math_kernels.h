// Internal: the ISA-generic vector_math kernels, instantiated by vector_math_avx2/avx512.cpp only.
#pragma once
// No standard-library header here: these files are compiled for AVX2/AVX-512, and an inline
// function they instantiated could be merged into the portable code by the linker.
#include <cstdint>

namespace hypatia::vector_math::detail {

/// One ISA's kernels: [0] exp, [1] log, [2] tanh, [3] sigmoid, [4] softplus.
struct Table {
  void (*f64[5])(const double*, double*, int64_t);
  void (*f32[5])(const float*, float*, int64_t);
};
/// Null where the build has no such kernels (not x86-64, or no libmvec).
const Table* avx2_table();
const Table* avx512_table();

}  // namespace hypatia::vector_math::detail

#ifdef HYPATIA_VM_KERNEL_BODY
namespace hypatia::vector_math::detail {
namespace {  // internal linkage: each ISA file keeps its own copies

// P supplies S (scalar), V (vector of W elements), VU (V with the alignment of S) and the
// primitive kernels exp, log, tanh, log1p : V -> V. Vector-extension arithmetic throughout.
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
  static V softplus(V x) {
    const V zero = {};
    // log1p(t) rounds to t below `small`; clamping keeps log1p's intermediates normal (a
    // subnormal intermediate costs a microcode assist, 10x slower), NaN passes through.
    const V small = splat(P::kSmall);
    const V t = P::exp(x > zero ? -x : x);
    const V l = P::log1p(t < small ? small : t);
    return (x > zero ? x : zero) + (t < small ? t : l);
  }
  static void exp_n(const S* a, S* o, int64_t n) { run(a, o, n, [](V v) { return P::exp(v); }); }
  static void log_n(const S* a, S* o, int64_t n) { run(a, o, n, [](V v) { return P::log(v); }); }
  static void tanh_n(const S* a, S* o, int64_t n) { run(a, o, n, [](V v) { return P::tanh(v); }); }
  static void sigmoid_n(const S* a, S* o, int64_t n) { run(a, o, n, [](V v) { return sigmoid(v); }); }
  static void softplus_n(const S* a, S* o, int64_t n) { run(a, o, n, [](V v) { return softplus(v); }); }
};

template <class PD, class PF>
const Table* make_table() {
  static const Table t = {
      {Kernels<PD>::exp_n, Kernels<PD>::log_n, Kernels<PD>::tanh_n, Kernels<PD>::sigmoid_n, Kernels<PD>::softplus_n},
      {Kernels<PF>::exp_n, Kernels<PF>::log_n, Kernels<PF>::tanh_n, Kernels<PF>::sigmoid_n, Kernels<PF>::softplus_n}};
  return &t;
}

}  // namespace
}  // namespace hypatia::vector_math::detail
#endif
