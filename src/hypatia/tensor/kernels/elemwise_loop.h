// Elementwise loops over NDArrays: a flat path (AVX2 where the CPU has it) for contiguous same-shape inputs, strided otherwise.
#pragma once
#include <array>
#include <type_traits>

#include "hypatia/scalar/vector_math.h"
#include "hypatia/value/ndarray.h"

namespace hypatia::kernels {

namespace detail {
// Runs a flat loop (a lambda marked always_inline) built for AVX2 where vector_math's kernel
// family is AVX2 or better (set_isa(Scalar) turns it off, so tests compare both builds), else
// for baseline x86-64. The library targets baseline x86-64, whose SSE2 cannot pack a double
// comparison into bytes: x > 0.5 ran one element at a time, 2.3x numpy's time. Not FMA: its
// contraction would change results between the two builds.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
template <class Loop>
__attribute__((target("avx2"))) void run_avx2(const Loop& loop) {
  loop();
}
template <class Loop>
void run_flat(const Loop& loop) {
  if (vector_math::isa() != vector_math::Isa::Scalar) run_avx2(loop);
  else loop();
}
#else
template <class Loop>
void run_flat(const Loop& loop) {
  loop();
}
#endif
}  // namespace detail
#define HYP_FLAT_LOOP [&]() __attribute__((always_inline))

/// out[i] = f(a[i]) with `a` of element type T already broadcast-compatible with `out` (type O).
/// `out` must be C-contiguous.
template <class T, class O, class F>
void unary_loop(const NDArray& a, NDArray& out, F f) {
  O* po = out.data<O>();
  const int64_t n = out.size();
  if (a.shape() == out.shape() && a.is_c_contiguous()) {
    const T* pa = a.data<T>();
    detail::run_flat(HYP_FLAT_LOOP { for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i]); });
    return;
  }
  NDArray ab = a.broadcast_to(out.shape());
  const char* ba = static_cast<const char*>(ab.raw());
  char* bo = static_cast<char*>(out.raw());
  strided_for_each<2>(out.shape(), {ab.strides().data(), out.strides().data()}, [&](int64_t oa, int64_t oo) {
    *reinterpret_cast<O*>(bo + oo) = f(*reinterpret_cast<const T*>(ba + oa));
  });
}

/// out[i] = f(a[i], b[i]) with numpy broadcasting of a and b (element type T) to `out` (type O).
template <class T, class O, class F>
void binary_loop(const NDArray& a, const NDArray& b, NDArray& out, F f) {
  O* po = out.data<O>();
  const int64_t n = out.size();
  const bool a_full = a.shape() == out.shape() && a.is_c_contiguous();
  const bool b_full = b.shape() == out.shape() && b.is_c_contiguous();
  if (a_full && b_full) {
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    detail::run_flat(HYP_FLAT_LOOP { for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i]); });
    return;
  }
  if (a_full && b.size() == 1) {
    const T* pa = a.data<T>();
    const T vb = *b.data<T>();
    detail::run_flat(HYP_FLAT_LOOP { for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], vb); });
    return;
  }
  if (b_full && a.size() == 1) {
    const T va = *a.data<T>();
    const T* pb = b.data<T>();
    detail::run_flat(HYP_FLAT_LOOP { for (int64_t i = 0; i < n; ++i) po[i] = f(va, pb[i]); });
    return;
  }
  NDArray ab = a.broadcast_to(out.shape());
  NDArray bb = b.broadcast_to(out.shape());
  const char* ba = static_cast<const char*>(ab.raw());
  const char* bbp = static_cast<const char*>(bb.raw());
  char* bo = static_cast<char*>(out.raw());
  strided_for_each<3>(out.shape(), {ab.strides().data(), bb.strides().data(), out.strides().data()},
                      [&](int64_t oa, int64_t ob, int64_t oo) {
                        *reinterpret_cast<O*>(bo + oo) =
                            f(*reinterpret_cast<const T*>(ba + oa), *reinterpret_cast<const T*>(bbp + ob));
                      });
}

/// out[i] = f(a[i], b[i], c[i]) with numpy broadcasting; the inputs have element types A, B, C
/// (switch takes a bool condition).
template <class A, class B, class C, class O, class F>
void ternary_loop(const NDArray& a, const NDArray& b, const NDArray& c, NDArray& out, F f) {
  O* po = out.data<O>();
  const int64_t n = out.size();
  auto full = [&](const NDArray& x) { return x.shape() == out.shape() && x.is_c_contiguous(); };
  // Each input whole or a single value (clip's bounds, switch's constants): one flat loop per
  // combination, the single values hoisted, so it vectorises (clip(x, 0.2, 0.8) had walked the
  // strided path: 2.8x numpy's time).
  const bool fa = full(a), fb = full(b), fc = full(c);
  if ((fa || a.size() == 1) && (fb || b.size() == 1) && (fc || c.size() == 1)) {
    const A* pa = a.data<A>();
    const B* pb = b.data<B>();
    const C* pc = c.data<C>();
    auto flat = [&](auto sa, auto sb, auto sc) __attribute__((always_inline)) {
      A va{};
      B vb{};
      C vc{};
      if constexpr (decltype(sa)::value) va = *pa;  // read only where single (a whole input may be empty)
      if constexpr (decltype(sb)::value) vb = *pb;
      if constexpr (decltype(sc)::value) vc = *pc;
      for (int64_t i = 0; i < n; ++i) {
        A xa;
        B xb;
        C xc;
        if constexpr (decltype(sa)::value) xa = va; else xa = pa[i];
        if constexpr (decltype(sb)::value) xb = vb; else xb = pb[i];
        if constexpr (decltype(sc)::value) xc = vc; else xc = pc[i];
        po[i] = f(xa, xb, xc);
      }
    };
    using Y = std::true_type;
    using N = std::false_type;
    const int combo = (fa ? 0 : 4) | (fb ? 0 : 2) | (fc ? 0 : 1);
    detail::run_flat(HYP_FLAT_LOOP {
      switch (combo) {
        case 0: flat(N{}, N{}, N{}); break;
        case 1: flat(N{}, N{}, Y{}); break;
        case 2: flat(N{}, Y{}, N{}); break;
        case 3: flat(N{}, Y{}, Y{}); break;
        case 4: flat(Y{}, N{}, N{}); break;
        case 5: flat(Y{}, N{}, Y{}); break;
        case 6: flat(Y{}, Y{}, N{}); break;
        default: flat(Y{}, Y{}, Y{}); break;
      }
    });
    return;
  }
  NDArray ab = a.broadcast_to(out.shape());
  NDArray bb = b.broadcast_to(out.shape());
  NDArray cb = c.broadcast_to(out.shape());
  const char* pa = static_cast<const char*>(ab.raw());
  const char* pb = static_cast<const char*>(bb.raw());
  const char* pc = static_cast<const char*>(cb.raw());
  char* bo = static_cast<char*>(out.raw());
  strided_for_each<4>(out.shape(), {ab.strides().data(), bb.strides().data(), cb.strides().data(), out.strides().data()},
                      [&](int64_t oa, int64_t ob, int64_t oc, int64_t oo) {
                        *reinterpret_cast<O*>(bo + oo) =
                            f(*reinterpret_cast<const A*>(pa + oa), *reinterpret_cast<const B*>(pb + ob),
                              *reinterpret_cast<const C*>(pc + oc));
                      });
}

}  // namespace hypatia::kernels
