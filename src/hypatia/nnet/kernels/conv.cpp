// Convolution kernels: per image an im2col (or col2im) and one OpenBLAS gemm per group; OpenMP
// over images when the gemms are small, else over channels with OpenBLAS threading the gemms.
#include "hypatia/nnet/kernels/conv.h"

#include <algorithm>
#include <cstring>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <type_traits>
#include <vector>

#include "hypatia/util/blas.h"
#include "hypatia/util/error.h"
#include "hypatia/util/parallel.h"

namespace hypatia::kernels {

double ConvGeom::flops() const {
  return 2.0 * double(batch) * double(cout_g * groups) * double(out_size()) * double(cin_g) * double(k_size());
}

namespace {

// Work (elements touched) from which the copy loops start threads.
constexpr int64_t kParMin = 1 << 15;

template <class T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, const T* b,
          int64_t ldb, T beta, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // BLAS leaves C alone for k == 0 only when beta == 1
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == T(0) ? T(0) : beta * c[i * ldc + j];
    return;
  }
  const auto TA = ta ? CblasTrans : CblasNoTrans, TB = tb ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, double>)
    cblas_dgemm(CblasRowMajor, TA, TB, int(m), int(n), int(k), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
  else
    cblas_sgemm(CblasRowMajor, TA, TB, int(m), int(n), int(k), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

// The output columns [lo, hi) whose input index o*s + off lies in [0, n).
inline void valid_range(int64_t n, int64_t off, int64_t s, int64_t nout, int64_t& lo, int64_t& hi) {
  lo = off >= 0 ? 0 : (-off + s - 1) / s;
  hi = n - 1 - off < 0 ? 0 : (n - 1 - off) / s + 1;
  lo = std::min(lo, nout);
  hi = std::max(lo, std::min(hi, nout));
}

// im2col of one channel: k_size rows of out_size elements, row r at dst + r * ld. With
// `add`, the reverse (col2im): every row element is added back into the channel.
template <class T, bool add>
void channel_cols(const ConvGeom& g, std::conditional_t<add, T*, const T*> img, std::conditional_t<add, const T*, T*> col,
                  int64_t ld) {
  const int64_t o1 = g.out[1], o2 = g.out[2];
  int64_t row = 0;
  for (int64_t kd = 0; kd < g.k[0]; ++kd)
    for (int64_t kh = 0; kh < g.k[1]; ++kh)
      for (int64_t kw = 0; kw < g.k[2]; ++kw, ++row) {
        auto* d = col + row * ld;
        const int64_t off2 = kw * g.dil[2] - g.pad[2];
        int64_t lo, hi;
        valid_range(g.in[2], off2, g.stride[2], o2, lo, hi);
        for (int64_t od = 0; od < g.out[0]; ++od) {
          const int64_t id = od * g.stride[0] + kd * g.dil[0] - g.pad[0];
          const bool dok = id >= 0 && id < g.in[0];
          for (int64_t oh = 0; oh < o1; ++oh, d += o2) {
            const int64_t ih = oh * g.stride[1] + kh * g.dil[1] - g.pad[1];
            if (!dok || ih < 0 || ih >= g.in[1]) {
              if constexpr (!add) std::fill(d, d + o2, T(0));
              continue;
            }
            auto* src = img + (id * g.in[1] + ih) * g.in[2] + off2;
            if constexpr (add) {
              if (g.stride[2] == 1)
                for (int64_t ow = lo; ow < hi; ++ow) src[ow] += d[ow];
              else
                for (int64_t ow = lo; ow < hi; ++ow) src[ow * g.stride[2]] += d[ow];
            } else {
              std::fill(d, d + lo, T(0));
              if (g.stride[2] == 1)
                std::memcpy(d + lo, src + lo, sizeof(T) * (hi - lo));
              else
                for (int64_t ow = lo; ow < hi; ++ow) d[ow] = src[ow * g.stride[2]];
              std::fill(d + hi, d + o2, T(0));
            }
          }
        }
      }
}

// Whether im2col is the identity (1x1... filters, unit stride, no padding).
bool identity_cols(const ConvGeom& g) {
  for (int i = 0; i < 3; ++i)
    if (g.k[i] != 1 || g.stride[i] != 1 || g.pad[i] != 0 || g.in[i] != g.out[i]) return false;
  return true;
}

// Each image is one gemm per group. When those are small (below OpenBLAS's own threading
// threshold), OpenMP runs the images in parallel, each thread with its own workspace; larger
// ones run image by image, OpenBLAS threading each gemm and OpenMP the im2col over channels.
constexpr int64_t kSmallGemm = int64_t(1) << 18;

bool parallel_images(const ConvGeom& g) {
  const int64_t per = g.groups * g.cout_g * g.cin_g * g.k_size() * g.out_size();  // multiply-adds per image
  return ::hypatia::max_threads() > 1 && g.batch > 1 && per < kSmallGemm * g.groups && g.batch * per >= kParMin * 4;
}

// col (C*K, O) of one image (C, I); OpenMP over channels when `par`.
template <class T>
void im2col_image(const ConvGeom& g, const T* img, T* col, bool par) {
  const int64_t C = g.cin_g * g.groups, K = g.k_size(), O = g.out_size(), I = g.in_size();
  par = par && C > 1 && C * K * O >= kParMin;
#pragma omp parallel for schedule(static) if (par) num_threads(::hypatia::max_threads())
  for (int64_t c = 0; c < C; ++c) channel_cols<T, false>(g, img + c * I, col + c * K * O, O);
}

// img (C, I) = col2im(col (C*K, O)); OpenMP over channels when `par`.
template <class T>
void col2im_image(const ConvGeom& g, const T* col, T* img, bool par) {
  const int64_t C = g.cin_g * g.groups, K = g.k_size(), O = g.out_size(), I = g.in_size();
  par = par && C > 1 && C * K * O >= kParMin;
#pragma omp parallel for schedule(static) if (par) num_threads(::hypatia::max_threads())
  for (int64_t c = 0; c < C; ++c) {
    T* dst = img + c * I;
    std::fill(dst, dst + I, T(0));
    channel_cols<T, true>(g, dst, col + c * K * O, O);
  }
}

int thread_id() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

template <class T>
void forward(const ConvGeom& g, const NDArray& img, const NDArray& w, NDArray& out) {
  const int64_t C = g.cin_g * g.groups, M = g.cout_g * g.groups, CK = g.cin_g * g.k_size(), O = g.out_size();
  const int64_t I = g.in_size(), colsz = C * g.k_size() * O;
  const T* pi = img.data<T>();
  const T* pw = w.data<T>();
  T* po = out.data<T>();
  const bool ident = identity_cols(g), par = parallel_images(g);
  const int nt = par ? ::hypatia::max_threads() : 1;
  std::vector<T> col(ident ? 0 : size_t(nt * colsz));
#pragma omp parallel for schedule(static) if (par) num_threads(nt)
  for (int64_t b = 0; b < g.batch; ++b) {
    T* c = ident ? nullptr : col.data() + thread_id() * colsz;
    if (!ident) im2col_image<T>(g, pi + b * C * I, c, !par);
    const T* cp = ident ? pi + b * C * I : c;
    for (int64_t gi = 0; gi < g.groups; ++gi)
      gemm<T>(false, false, g.cout_g, O, CK, T(1), pw + gi * g.cout_g * CK, CK, cp + gi * CK * O, O, T(0),
              po + (b * M + gi * g.cout_g) * O, O);
  }
}

template <class T>
void grad_weights(const ConvGeom& g, const NDArray& img, const NDArray& top, NDArray& dw) {
  const int64_t C = g.cin_g * g.groups, M = g.cout_g * g.groups, CK = g.cin_g * g.k_size(), O = g.out_size();
  const int64_t I = g.in_size(), colsz = C * g.k_size() * O, wsz = M * CK;
  const T* pi = img.data<T>();
  const T* pt = top.data<T>();
  T* pd = dw.data<T>();
  const bool ident = identity_cols(g), par = parallel_images(g);
  const int nt = par ? ::hypatia::max_threads() : 1;
  std::vector<T> col(ident ? 0 : size_t(nt * colsz));
  // Thread t > 0 accumulates into acc[t - 1]; thread 0 (and the serial loop) into dw.
  std::vector<T> acc(size_t((nt - 1) * wsz), T(0));
  std::fill(pd, pd + wsz, T(0));
#pragma omp parallel for schedule(static) if (par) num_threads(nt)
  for (int64_t b = 0; b < g.batch; ++b) {
    const int t = thread_id();
    T* c = ident ? nullptr : col.data() + t * colsz;
    if (!ident) im2col_image<T>(g, pi + b * C * I, c, !par);
    const T* cp = ident ? pi + b * C * I : c;
    T* dst = t == 0 ? pd : acc.data() + (t - 1) * wsz;
    for (int64_t gi = 0; gi < g.groups; ++gi)
      gemm<T>(false, true, g.cout_g, CK, O, T(1), pt + (b * M + gi * g.cout_g) * O, O, cp + gi * CK * O, O, T(1),
              dst + gi * g.cout_g * CK, CK);
  }
  for (int t = 1; t < nt; ++t)
    for (int64_t i = 0; i < wsz; ++i) pd[i] += acc[size_t((t - 1) * wsz + i)];
}

template <class T>
void grad_inputs(const ConvGeom& g, const NDArray& w, const NDArray& top, NDArray& dimg) {
  const int64_t C = g.cin_g * g.groups, M = g.cout_g * g.groups, CK = g.cin_g * g.k_size(), O = g.out_size();
  const int64_t I = g.in_size(), colsz = C * g.k_size() * O;
  const T* pw = w.data<T>();
  const T* pt = top.data<T>();
  T* pd = dimg.data<T>();
  const bool ident = identity_cols(g), par = parallel_images(g);
  const int nt = par ? ::hypatia::max_threads() : 1;
  std::vector<T> col(ident ? 0 : size_t(nt * colsz));
#pragma omp parallel for schedule(static) if (par) num_threads(nt)
  for (int64_t b = 0; b < g.batch; ++b) {
    T* c = ident ? pd + b * C * I : col.data() + thread_id() * colsz;
    for (int64_t gi = 0; gi < g.groups; ++gi)
      gemm<T>(true, false, CK, O, g.cout_g, T(1), pw + gi * g.cout_g * CK, CK, pt + (b * M + gi * g.cout_g) * O, O,
              T(0), c + gi * CK * O, O);
    if (!ident) col2im_image<T>(g, c, pd + b * C * I, !par);
  }
}

template <class F>
void by_dtype(DType d, const char* who, F&& f) {
  if (d == DType::Float64) return f(double{});
  if (d == DType::Float32) return f(float{});
  raise(ErrorKind::Type, "[", who, "] float32 or float64 expected, got ", dtype_name(d));
}

}  // namespace

void conv_forward_kernel(const ConvGeom& g, const NDArray& img, const NDArray& w, NDArray& out) {
  by_dtype(out.dtype(), "conv_forward_kernel", [&](auto t) { forward<decltype(t)>(g, img, w, out); });
}

void conv_grad_weights_kernel(const ConvGeom& g, const NDArray& img, const NDArray& top, NDArray& dw) {
  by_dtype(dw.dtype(), "conv_grad_weights_kernel", [&](auto t) { grad_weights<decltype(t)>(g, img, top, dw); });
}

void conv_grad_inputs_kernel(const ConvGeom& g, const NDArray& w, const NDArray& top, NDArray& dimg) {
  by_dtype(dimg.dtype(), "conv_grad_inputs_kernel", [&](auto t) { grad_inputs<decltype(t)>(g, w, top, dimg); });
}

NDArray flip_filters(const NDArray& w0, int spatial_dims) {
  NDArray w = w0.contiguous();
  NDArray r(w.dtype(), w.shape());
  const int nd = w.ndim();
  int64_t S = 1;
  for (int i = nd - spatial_dims; i < nd; ++i) S *= w.shape(i);
  const int64_t n = S == 0 ? 0 : w.size() / S, isz = itemsize(w.dtype());
  const char* src = static_cast<const char*>(w.raw());
  char* dst = static_cast<char*>(r.raw());
  // Reversing every spatial axis of a C-contiguous block reverses its flat order.
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < S; ++j) std::memcpy(dst + (i * S + j) * isz, src + (i * S + S - 1 - j) * isz, isz);
  return r;
}

NDArray swap_filter_channels(const NDArray& w0, int64_t groups, bool flip, int spatial_dims) {
  NDArray w = w0.contiguous();
  const int64_t M = w.shape(0), Cg = w.shape(1), Mg = M / groups;
  const int64_t S = Cg == 0 || M == 0 ? 0 : w.size() / (M * Cg), isz = itemsize(w.dtype());
  Shape shape = w.shape();
  shape[0] = groups * Cg, shape[1] = Mg;
  NDArray r(w.dtype(), shape);
  (void)spatial_dims;
  const char* src = static_cast<const char*>(w.raw());
  char* dst = static_cast<char*>(r.raw());
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t m = 0; m < Mg; ++m)
      for (int64_t c = 0; c < Cg; ++c) {
        const char* s = src + ((g * Mg + m) * Cg + c) * S * isz;
        char* d = dst + ((g * Cg + c) * Mg + m) * S * isz;
        if (!flip) std::memcpy(d, s, S * isz);
        else
          for (int64_t j = 0; j < S; ++j) std::memcpy(d + j * isz, s + (S - 1 - j) * isz, isz);
      }
  return r;
}

}  // namespace hypatia::kernels
