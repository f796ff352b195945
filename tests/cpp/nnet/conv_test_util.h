// Dense loop references of the convolution (forward and both adjoints) for the conv tests.
#pragma once
#include <random>

#include "hypatia/nnet/conv.h"
#include "hypatia/value/ndarray.h"
#include "support/dense_random.h"

namespace hypatia::conv_test {

using testing::randn;  // support/dense_random.h
/// The loops' geometry: 2-d convolutions as 3-d ones of depth 1.
struct Geo {
  int64_t B, G, Cg, Mg, in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, out[3] = {1, 1, 1}, lo[3] = {0, 0, 0};
  int64_t s[3] = {1, 1, 1}, d[3] = {1, 1, 1};
};

inline Geo geo(const Shape& ishape, const Shape& kshape, const ConvParams& p) {
  const int D = int(p.convdim), off = 3 - D;
  Geo g;
  g.B = ishape[0], g.G = p.num_groups, g.Cg = kshape[1], g.Mg = kshape[0] / p.num_groups;
  for (int i = 0; i < D; ++i) {
    const int64_t k = kshape[2 + i], dk = (k - 1) * p.dilation[i] + 1;
    int64_t lo = p.pad_lo[i], hi = p.pad_hi[i];
    if (p.border == ConvBorder::Full) lo = hi = dk - 1;
    if (p.border == ConvBorder::Half) lo = hi = dk / 2;
    g.in[off + i] = ishape[2 + i], g.k[off + i] = k, g.lo[off + i] = lo;
    g.s[off + i] = p.subsample[i], g.d[off + i] = p.dilation[i];
    g.out[off + i] = (ishape[2 + i] + lo + hi - dk) / p.subsample[i] + 1;
  }
  return g;
}

/// Calls f(b, ci (image channel), m, o (flat output index), pos (flat input index), w (flat filter index))
/// for every product term of the convolution whose input position lies inside the image.
template <class F>
void for_terms(const Geo& g, bool flip, F&& f) {
  const int64_t M = g.G * g.Mg, C = g.G * g.Cg;
  for (int64_t b = 0; b < g.B; ++b)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t c = 0; c < g.Cg; ++c)
        for (int64_t o0 = 0; o0 < g.out[0]; ++o0)
          for (int64_t o1 = 0; o1 < g.out[1]; ++o1)
            for (int64_t o2 = 0; o2 < g.out[2]; ++o2)
              for (int64_t k0 = 0; k0 < g.k[0]; ++k0)
                for (int64_t k1 = 0; k1 < g.k[1]; ++k1)
                  for (int64_t k2 = 0; k2 < g.k[2]; ++k2) {
                    const int64_t p0 = o0 * g.s[0] + k0 * g.d[0] - g.lo[0];
                    const int64_t p1 = o1 * g.s[1] + k1 * g.d[1] - g.lo[1];
                    const int64_t p2 = o2 * g.s[2] + k2 * g.d[2] - g.lo[2];
                    if (p0 < 0 || p0 >= g.in[0] || p1 < 0 || p1 >= g.in[1] || p2 < 0 || p2 >= g.in[2]) continue;
                    const int64_t ci = (m / g.Mg) * g.Cg + c;
                    const int64_t o = (o0 * g.out[1] + o1) * g.out[2] + o2;
                    const int64_t pos = (p0 * g.in[1] + p1) * g.in[2] + p2;
                    // filter_flip: the term uses the filter reversed on every spatial axis
                    const int64_t j0 = flip ? g.k[0] - 1 - k0 : k0, j1 = flip ? g.k[1] - 1 - k1 : k1;
                    const int64_t j2 = flip ? g.k[2] - 1 - k2 : k2;
                    const int64_t w = ((m * g.Cg + c) * g.k[0] + j0) * g.k[1] * g.k[2] + j1 * g.k[2] + j2;
                    f(b, ci, m, o, pos, w, C, M);
                  }
}

inline int64_t prod3(const int64_t* v) { return v[0] * v[1] * v[2]; }

inline Shape out_shape(const Geo& g, int D, int64_t M) {
  Shape s{g.B, M};
  for (int i = 3 - D; i < 3; ++i) s.push_back(g.out[i]);
  return s;
}

inline NDArray conv_ref(const NDArray& img0, const NDArray& kern0, const ConvParams& p) {
  NDArray img = img0.astype(DType::Float64), kern = kern0.astype(DType::Float64);
  Geo g = geo(img.shape(), kern.shape(), p);
  NDArray out = NDArray::zeros(DType::Float64, out_shape(g, int(p.convdim), kern.shape(0)));
  const double *pi = img.data<double>(), *pk = kern.data<double>();
  double* po = out.data<double>();
  const int64_t I = prod3(g.in), O = prod3(g.out);
  for_terms(g, p.filter_flip, [&](int64_t b, int64_t ci, int64_t m, int64_t o, int64_t pos, int64_t w, int64_t C, int64_t M) {
    po[(b * M + m) * O + o] += pi[(b * C + ci) * I + pos] * pk[w];
  });
  return out;
}

inline NDArray grad_weights_ref(const NDArray& img0, const NDArray& top0, const Shape& kshape, const ConvParams& p) {
  NDArray img = img0.astype(DType::Float64), top = top0.astype(DType::Float64);
  Geo g = geo(img.shape(), kshape, p);
  NDArray gw = NDArray::zeros(DType::Float64, kshape);
  const double *pi = img.data<double>(), *pt = top.data<double>();
  double* pw = gw.data<double>();
  const int64_t I = prod3(g.in), O = prod3(g.out);
  for_terms(g, p.filter_flip, [&](int64_t b, int64_t ci, int64_t m, int64_t o, int64_t pos, int64_t w, int64_t C, int64_t M) {
    pw[w] += pi[(b * C + ci) * I + pos] * pt[(b * M + m) * O + o];
  });
  return gw;
}

inline NDArray grad_inputs_ref(const NDArray& kern0, const NDArray& top0, const Shape& ishape, const ConvParams& p) {
  NDArray kern = kern0.astype(DType::Float64), top = top0.astype(DType::Float64);
  Geo g = geo(ishape, kern.shape(), p);
  NDArray gi = NDArray::zeros(DType::Float64, ishape);
  const double *pk = kern.data<double>(), *pt = top.data<double>();
  double* pg = gi.data<double>();
  const int64_t I = prod3(g.in), O = prod3(g.out);
  for_terms(g, p.filter_flip, [&](int64_t b, int64_t ci, int64_t m, int64_t o, int64_t pos, int64_t w, int64_t C, int64_t M) {
    pg[(b * C + ci) * I + pos] += pk[w] * pt[(b * M + m) * O + o];
  });
  return gi;
}

}  // namespace hypatia::conv_test
