// Pooling kernels: one pass over the windows of each plane, OpenMP over planes (no two threads
// write the same plane); window bounds tabulated per axis once per call, no allocation per window.
#include "hypatia/nnet/kernels/pool.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "hypatia/util/parallel.h"

namespace hypatia::kernels {
namespace {

// The pixels [lo, hi) of one window inside the image, per axis, and its divisor.
struct Window {
  int64_t lo[3], hi[3];
  int64_t divisor;
};

// Per axis and output index: the window's pixels [lo, hi) inside the image and its length with
// padding (the divisors are products over the axes). Built once per call, not per window.
struct AxisRanges {
  std::vector<int64_t> lo, hi, full;
};

AxisRanges axis_ranges(const PoolGeom& g, int k) {
  AxisRanges r;
  const int64_t n = g.out[k];
  r.lo.resize(n), r.hi.resize(n), r.full.resize(n);
  for (int64_t o = 0; o < n; ++o) {
    const int64_t s = o * g.stride[k] - g.pad[k];
    const int64_t e = std::min(o * g.stride[k] + g.ws[k], g.in[k] + 2 * g.pad[k]) - g.pad[k];
    r.full[o] = std::max<int64_t>(e - s, 0);
    r.lo[o] = std::max<int64_t>(s, 0);
    r.hi[o] = std::max(r.lo[o], std::min(e, g.in[k]));
  }
  return r;
}

// Calls fn(plane, output offset in the plane, window) for every window, parallel over planes.
template <class Fn>
void for_each_window(const PoolGeom& g, Fn&& fn) {
  const AxisRanges ax[3] = {axis_ranges(g, 0), axis_ranges(g, 1), axis_ranges(g, 2)};
  const int64_t plane_out = g.out[0] * g.out[1] * g.out[2];
  const int64_t work = g.planes * plane_out * g.ws[0] * g.ws[1] * g.ws[2];
  const bool par = g.planes > 1 && work >= elemwise_minsize();
#pragma omp parallel for schedule(static) num_threads(max_threads()) if (par)
  for (int64_t p = 0; p < g.planes; ++p) {
    int64_t oi = 0;
    Window w;
    for (int64_t o0 = 0; o0 < g.out[0]; ++o0) {
      w.lo[0] = ax[0].lo[o0], w.hi[0] = ax[0].hi[o0];
      for (int64_t o1 = 0; o1 < g.out[1]; ++o1) {
        w.lo[1] = ax[1].lo[o1], w.hi[1] = ax[1].hi[o1];
        for (int64_t o2 = 0; o2 < g.out[2]; ++o2, ++oi) {
          w.lo[2] = ax[2].lo[o2], w.hi[2] = ax[2].hi[o2];
          if (g.mode == PoolMode::AverageIncPad)
            w.divisor = ax[0].full[o0] * ax[1].full[o1] * ax[2].full[o2];
          else if (g.mode == PoolMode::AverageExcPad)
            w.divisor = (w.hi[0] - w.lo[0]) * (w.hi[1] - w.lo[1]) * (w.hi[2] - w.lo[2]);
          else
            w.divisor = 1;
          fn(p, oi, w);
        }
      }
    }
  }
}

// Calls f(pixel offset in the plane) for every pixel of window w.
template <class F>
inline void for_each_pixel(const PoolGeom& g, const Window& w, F&& f) {
  for (int64_t i = w.lo[0]; i < w.hi[0]; ++i)
    for (int64_t j = w.lo[1]; j < w.hi[1]; ++j) {
      const int64_t row = (i * g.in[1] + j) * g.in[2];
      for (int64_t k = w.lo[2]; k < w.hi[2]; ++k) f(row + k);
    }
}

int64_t plane_in(const PoolGeom& g) { return g.in[0] * g.in[1] * g.in[2]; }
int64_t plane_out(const PoolGeom& g) { return g.out[0] * g.out[1] * g.out[2]; }

template <class T>
void forward_impl(const NDArray& x, NDArray& z, const PoolGeom& g) {
  const T* xp = x.data<T>();
  T* zp = z.data<T>();
  const int64_t pin = plane_in(g), pout = plane_out(g);
  for_each_window(g, [&](int64_t p, int64_t oi, const Window& w) {
    const T* xs = xp + p * pin;
    T acc;
    if (g.mode == PoolMode::Max) {
      if (w.hi[0] == w.lo[0] || w.hi[1] == w.lo[1] || w.hi[2] == w.lo[2]) {
        acc = T(0);  // an empty window (only with an empty image)
      } else {
        acc = xs[(w.lo[0] * g.in[1] + w.lo[1]) * g.in[2] + w.lo[2]];
        for_each_pixel(g, w, [&](int64_t q) { acc = std::max(acc, xs[q]); });
      }
    } else {
      acc = T(0);
      for_each_pixel(g, w, [&](int64_t q) { acc += xs[q]; });
      if (w.divisor > 1) acc /= T(w.divisor);
    }
    zp[p * pout + oi] = acc;
  });
}

template <class T>
void max_grad_impl(const NDArray& x, const NDArray& z, const NDArray& gz, NDArray& gx, const PoolGeom& g) {
  const T* xp = x.data<T>();
  const T* zp = z.data<T>();
  const T* gzp = gz.data<T>();
  T* gxp = gx.data<T>();
  const int64_t pin = plane_in(g), pout = plane_out(g);
  std::fill(gxp, gxp + g.planes * pin, T(0));
  for_each_window(g, [&](int64_t p, int64_t oi, const Window& w) {
    const T m = zp[p * pout + oi], d = gzp[p * pout + oi];
    const T* xs = xp + p * pin;
    T* gs = gxp + p * pin;
    for_each_pixel(g, w, [&](int64_t q) {
      if (xs[q] == m) gs[q] += d;
    });
  });
}

template <class T>
void avg_grad_impl(const NDArray& gz, NDArray& gx, const PoolGeom& g) {
  const T* gzp = gz.data<T>();
  T* gxp = gx.data<T>();
  const int64_t pin = plane_in(g), pout = plane_out(g);
  std::fill(gxp, gxp + g.planes * pin, T(0));
  for_each_window(g, [&](int64_t p, int64_t oi, const Window& w) {
    T d = gzp[p * pout + oi];
    if (w.divisor > 1) d /= T(w.divisor);
    T* gs = gxp + p * pin;
    for_each_pixel(g, w, [&](int64_t q) { gs[q] += d; });
  });
}

template <class T>
void grad_grad_impl(const NDArray& x, const NDArray& z, const NDArray& ggx, NDArray& ggz, const PoolGeom& g) {
  const T* xp = x.data<T>();
  const T* zp = z.data<T>();
  const T* gp = ggx.data<T>();
  T* op = ggz.data<T>();
  const int64_t pin = plane_in(g), pout = plane_out(g);
  for_each_window(g, [&](int64_t p, int64_t oi, const Window& w) {
    const T m = zp[p * pout + oi];
    const T* xs = xp + p * pin;
    const T* gs = gp + p * pin;
    T acc = T(0);
    for_each_pixel(g, w, [&](int64_t q) {
      if (xs[q] == m) acc += gs[q];
    });
    op[p * pout + oi] = acc;
  });
}

}  // namespace

int64_t pool_out_len(int64_t len, int64_t ws, int64_t stride, int64_t pad, bool ignore_border) {
  const int64_t v = len + 2 * pad;
  if (ignore_border) return v < ws ? 0 : (v - ws) / stride + 1;
  auto floordiv = [](int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  if (stride >= ws) return floordiv(v - 1, stride) + 1;
  return std::max<int64_t>(0, floordiv(v - 1 - ws + stride, stride)) + 1;
}

void pool_forward(const NDArray& x, NDArray& z, const PoolGeom& g) {
  if (x.dtype() == DType::Float32) forward_impl<float>(x, z, g);
  else forward_impl<double>(x, z, g);
}

void max_pool_grad(const NDArray& x, const NDArray& z, const NDArray& gz, NDArray& gx, const PoolGeom& g) {
  if (x.dtype() == DType::Float32) max_grad_impl<float>(x, z, gz, gx, g);
  else max_grad_impl<double>(x, z, gz, gx, g);
}

void average_pool_grad(const NDArray& gz, NDArray& gx, const PoolGeom& g) {
  if (gz.dtype() == DType::Float32) avg_grad_impl<float>(gz, gx, g);
  else avg_grad_impl<double>(gz, gx, g);
}

void max_pool_grad_grad(const NDArray& x, const NDArray& z, const NDArray& ggx, NDArray& ggz, const PoolGeom& g) {
  if (x.dtype() == DType::Float32) grad_grad_impl<float>(x, z, ggx, ggz, g);
  else grad_grad_impl<double>(x, z, ggx, ggz, g);
}

}  // namespace hypatia::kernels
