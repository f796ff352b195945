// Sliding-window patch extraction (Theano's images2neibs) and its adjoint, the scatter-add of
// patches back into images, over C-contiguous float32/float64 arrays.
#pragma once
#include <cstdint>

#include "hypatia/value/ndarray.h"

namespace hypatia::kernels {

/// Patches of `planes` images of h x w pixels: gc x gd patches of c x d pixels each, patch (a, b)
/// starting at row a*step_r - off_r and column b*step_c - off_c. Pixels outside the image are
/// zero, except with `wrap`, where a row or column index wraps around once (wrap_centered).
struct NeibGeom {
  int64_t planes = 0, h = 0, w = 0;
  int64_t c = 1, d = 1, step_r = 1, step_c = 1;
  int64_t gc = 0, gd = 0, off_r = 0, off_c = 0;
  bool wrap = false;
};

/// z[(p*gc + a)*gd + b, i*d + j] = x[p, a*step_r + i - off_r, b*step_c + j - off_c] (0 outside):
/// x holds planes*h*w values, z planes*gc*gd rows of c*d. Parallel over planes.
void images2neibs_kernel(const NDArray& x, NDArray& z, const NeibGeom& g);

/// The adjoint: img (planes*h*w, zeroed here) receives every patch entry added at the pixel it
/// was read from; entries read from the zero padding are dropped. Parallel over planes.
void neibs2images_kernel(const NDArray& z, NDArray& img, const NeibGeom& g);

}  // namespace hypatia::kernels
