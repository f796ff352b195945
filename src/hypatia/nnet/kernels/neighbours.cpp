// images2neibs / its adjoint: plain loops over (plane, patch, row, column), OpenMP over planes
// (each plane owns its rows of z and its pixels of the image), no allocation.
#include "hypatia/nnet/kernels/neighbours.h"

#include <algorithm>

#include "hypatia/util/parallel.h"

namespace hypatia::kernels {
namespace {

// The image index of patch position `start + i`, or -1 in the zero padding.
inline int64_t source(int64_t pos, int64_t len, bool wrap) {
  if (wrap) {
    if (pos < 0) pos += len;
    else if (pos >= len) pos -= len;
  }
  return pos < 0 || pos >= len ? -1 : pos;
}

// Calls f(plane, z row offset, image offset or -1) for every patch entry.
template <class F>
void for_each_entry(const NeibGeom& g, F&& f) {
  const int64_t work = g.planes * g.gc * g.gd * g.c * g.d;
  const bool par = g.planes > 1 && work >= elemwise_minsize();
#pragma omp parallel for schedule(static) num_threads(max_threads()) if (par)
  for (int64_t p = 0; p < g.planes; ++p) {
    for (int64_t a = 0; a < g.gc; ++a)
      for (int64_t b = 0; b < g.gd; ++b) {
        const int64_t row = ((p * g.gc + a) * g.gd + b) * g.c * g.d;
        for (int64_t i = 0; i < g.c; ++i) {
          const int64_t r = source(a * g.step_r + i - g.off_r, g.h, g.wrap);
          for (int64_t j = 0; j < g.d; ++j) {
            const int64_t col = source(b * g.step_c + j - g.off_c, g.w, g.wrap);
            f(p, row + i * g.d + j, r < 0 || col < 0 ? -1 : (p * g.h + r) * g.w + col);
          }
        }
      }
  }
}

template <class T>
void forward_impl(const NDArray& x, NDArray& z, const NeibGeom& g) {
  const T* xp = x.data<T>();
  T* zp = z.data<T>();
  for_each_entry(g, [&](int64_t, int64_t zi, int64_t xi) { zp[zi] = xi < 0 ? T(0) : xp[xi]; });
}

template <class T>
void adjoint_impl(const NDArray& z, NDArray& img, const NeibGeom& g) {
  const T* zp = z.data<T>();
  T* ip = img.data<T>();
  std::fill(ip, ip + g.planes * g.h * g.w, T(0));
  for_each_entry(g, [&](int64_t, int64_t zi, int64_t xi) {
    if (xi >= 0) ip[xi] += zp[zi];
  });
}

}  // namespace

void images2neibs_kernel(const NDArray& x, NDArray& z, const NeibGeom& g) {
  if (x.dtype() == DType::Float32) forward_impl<float>(x, z, g);
  else forward_impl<double>(x, z, g);
}

void neibs2images_kernel(const NDArray& z, NDArray& img, const NeibGeom& g) {
  if (z.dtype() == DType::Float32) adjoint_impl<float>(z, img, g);
  else adjoint_impl<double>(z, img, g);
}

}  // namespace hypatia::kernels
