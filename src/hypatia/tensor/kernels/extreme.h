// Vectorised maxima and minima of float32/float64 with numpy's rule that a NaN wins, and the
// first index of a row's extreme: the folds of Max, Min (fused_reduce.cpp) and Argmax/Argmin.
#pragma once
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace hypatia::kernels {

/// 16 bytes of A (two doubles or four floats): every x86-64 build has them, and a max or min
/// over memory is bound by the loads, not the width.
template <class A>
struct Vec16;
template <>
struct Vec16<float> {
  typedef float type __attribute__((vector_size(16)));
};
template <>
struct Vec16<double> {
  typedef double type __attribute__((vector_size(16)));
};

/// The max (kMax) or min fold of float/double values, a NaN winning. Written as scalar selects
/// GCC kept one branch per term (3 ns each, 5-15x numpy's time); here a row runs on four
/// vector accumulators folded by maxpd/minpd alone, with its NaN terms noted apart (one
/// unordered compare per two vectors), so it reads memory as fast as a sum does.
template <bool kMax, class A>
struct Extreme {
  static_assert(std::is_same_v<A, float> || std::is_same_v<A, double>);
  using V = typename Vec16<A>::type;
  static constexpr int kL = 16 / sizeof(A);

  static A init() { return kMax ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::infinity(); }
  static A combine(A a, A b) { return a != a ? a : b != b ? b : (kMax ? b > a : b < a) ? b : a; }

  static V load(const A* p) {
    V v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  }
  // max/min of the lanes of x and m, m where either is NaN (maxpd/minpd's rule).
  static V extreme(V x, V m) {
#if defined(__SSE2__)
    if constexpr (std::is_same_v<A, double>) {
      const __m128d a = reinterpret_cast<__m128d>(x), b = reinterpret_cast<__m128d>(m);
      return reinterpret_cast<V>(kMax ? _mm_max_pd(a, b) : _mm_min_pd(a, b));
    } else {
      const __m128 a = reinterpret_cast<__m128>(x), b = reinterpret_cast<__m128>(m);
      return reinterpret_cast<V>(kMax ? _mm_max_ps(a, b) : _mm_min_ps(a, b));
    }
#else
    return (kMax ? x > m : x < m) ? x : m;
#endif
  }
  // combine on every lane: b where it beats a or is NaN, unless a is NaN (maxpd returns its
  // second operand when either is NaN; one blend keeps a NaN a).
  static V combine(V a, V b) {
#if defined(__SSE2__)
    if constexpr (std::is_same_v<A, double>) {
      const __m128d x = reinterpret_cast<__m128d>(a), u = _mm_cmpunord_pd(x, x);
      const __m128d m = reinterpret_cast<__m128d>(extreme(a, b));
      return reinterpret_cast<V>(_mm_or_pd(_mm_and_pd(u, x), _mm_andnot_pd(u, m)));
    } else {
      const __m128 x = reinterpret_cast<__m128>(a), u = _mm_cmpunord_ps(x, x);
      const __m128 m = reinterpret_cast<__m128>(extreme(a, b));
      return reinterpret_cast<V>(_mm_or_ps(_mm_and_ps(u, x), _mm_andnot_ps(u, m)));
    }
#else
    return (((kMax ? b > a : b < a) | (b != b)) & (a == a)) ? b : a;
#endif
  }
  // Lanes (a mask, as a V) where x or y is NaN.
  static V nan_lanes(V x, V y) {
#if defined(__SSE2__)
    if constexpr (std::is_same_v<A, double>)
      return reinterpret_cast<V>(_mm_cmpunord_pd(reinterpret_cast<__m128d>(x), reinterpret_cast<__m128d>(y)));
    else
      return reinterpret_cast<V>(_mm_cmpunord_ps(reinterpret_cast<__m128>(x), reinterpret_cast<__m128>(y)));
#else
    return reinterpret_cast<V>((x != x) | (y != y));
#endif
  }
  static V either(V a, V b) {
    using M = decltype(a != a);
    return reinterpret_cast<V>(reinterpret_cast<M>(a) | reinterpret_cast<M>(b));
  }
  static bool any_lane(V m) {
    using M = decltype(m != m);
    const M b = reinterpret_cast<M>(m);
    for (int l = 0; l < kL; ++l)
      if (b[l]) return true;
    return false;
  }

  /// The fold of r[0, n): NaN when any term is NaN, init() when n is 0.
  static A row(const A* r, int64_t n) {
    V m0 = V{} + init(), m1 = m0, m2 = m0, m3 = m0, nan0{}, nan1{};
    int64_t i = 0;
    for (; i + 4 * kL <= n; i += 4 * kL) {
      const V x0 = load(r + i), x1 = load(r + i + kL), x2 = load(r + i + 2 * kL), x3 = load(r + i + 3 * kL);
      m0 = extreme(x0, m0), m1 = extreme(x1, m1), m2 = extreme(x2, m2), m3 = extreme(x3, m3);
      nan0 = either(nan0, nan_lanes(x0, x1)), nan1 = either(nan1, nan_lanes(x2, x3));
    }
    if (any_lane(either(nan0, nan1))) return std::numeric_limits<A>::quiet_NaN();
    const V v = combine(combine(m0, m1), combine(m2, m3));
    A out = init();
    for (int l = 0; l < kL; ++l) out = combine(out, v[l]);
    for (; i < n; ++i) out = combine(out, r[i]);
    return out;
  }

  /// o[e] = combine(o[e], r[e]) for e < n.
  static void lanes(A* o, const A* r, int64_t n) {
    int64_t e = 0;
    for (; e + kL <= n; e += kL) {
      const V v = combine(load(o + e), load(r + e));
      std::memcpy(o + e, &v, sizeof(v));
    }
    for (; e < n; ++e) o[e] = combine(o[e], r[e]);
  }

  /// The index of the first NaN of r[0, n), or else of its first extreme (n >= 1), as
  /// Argmax/Argmin answer: blocks of 128 are folded with row(), and only a block holding a
  /// NaN or beating the best so far is searched again, in L1 (on random rows a block beats all
  /// before it about ln(k) times in k; blocks of 1024 searched 3/4 of a 2000-long row again).
  /// The scalar loop before took 4.5x numpy's time.
  static int64_t arg(const A* r, int64_t n) {
    constexpr int64_t kBlock = 128;
    int64_t best_i = 0;
    A best = r[0];
    if (best != best) return 0;
    for (int64_t b = 0; b < n; b += kBlock) {
      const int64_t len = n - b < kBlock ? n - b : kBlock;
      const A m = row(r + b, len);
      if (m != m) {
        for (int64_t i = b; i < b + len; ++i)
          if (r[i] != r[i]) return i;
      }
      if (kMax ? m > best : m < best) {
        best = m;
        for (int64_t i = b; i < b + len; ++i)
          if (r[i] == m) {
            best_i = i;
            break;
          }
      }
    }
    return best_i;
  }
};

}  // namespace hypatia::kernels
