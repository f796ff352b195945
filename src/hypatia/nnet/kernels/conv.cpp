// Convolution kernels: im2col/col2im over batch chunks (OpenMP over images x channels), one
// OpenBLAS gemm per group and chunk (OpenBLAS threads it), transposes between (B, M, O) and (M, B*O).
#include "hypatia/nnet/kernels/conv.h"

#include <algorithm>
#include <cstring>
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
// Bytes of im2col workspace per chunk of the batch.
constexpr int64_t kColBytes = int64_t(32) << 20;

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

// Images per chunk, so that the (C*K, nb*O) workspace stays near kColBytes.
int64_t chunk_images(const ConvGeom& g, size_t itemsize) {
  const int64_t per = std::max<int64_t>(1, g.cin_g * g.groups * g.k_size() * g.out_size() * int64_t(itemsize));
  return std::clamp<int64_t>(kColBytes / per, 1, std::max<int64_t>(1, g.batch));
}

// col (C*K, nb*O) from images b0 .. b0+nb of img (B, C, I).
template <class T>
void im2col_chunk(const ConvGeom& g, const T* img, int64_t b0, int64_t nb, T* col) {
  const int64_t C = g.cin_g * g.groups, K = g.k_size(), O = g.out_size(), I = g.in_size(), ld = nb * O;
  const int64_t n = nb * C;
  const bool par = n > 1 && n * K * O >= kParMin;
#pragma omp parallel for schedule(static) if (par) num_threads(::hypatia::max_threads())
  for (int64_t t = 0; t < n; ++t) {
    const int64_t b = t / C, c = t % C;
    channel_cols<T, false>(g, img + ((b0 + b) * C + c) * I, col + c * K * ld + b * O, ld);
  }
}

// dst (M, nb*O) <- src (nb, M, O) (to_rows) or back.
template <class T>
void regroup(int64_t nb, int64_t M, int64_t O, const T* src, T* dst, bool to_rows) {
  const bool par = nb * M > 1 && nb * M * O >= kParMin;
#pragma omp parallel for schedule(static) if (par) num_threads(::hypatia::max_threads())
  for (int64_t t = 0; t < nb * M; ++t) {
    const int64_t b = t / M, m = t % M;
    const T* s = to_rows ? src + (b * M + m) * O : src + m * nb * O + b * O;
    T* d = to_rows ? dst + m * nb * O + b * O : dst + (b * M + m) * O;
    std::memcpy(d, s, sizeof(T) * O);
  }
}

template <class T>
void forward(const ConvGeom& g, const NDArray& img, const NDArray& w, NDArray& out) {
  const int64_t C = g.cin_g * g.groups, M = g.cout_g * g.groups, CK = g.cin_g * g.k_size(), O = g.out_size();
  const T* pi = img.data<T>();
  const T* pw = w.data<T>();
  T* po = out.data<T>();
  const bool ident = identity_cols(g);
  const int64_t chunk = ident ? 1 : chunk_images(g, sizeof(T));
  std::vector<T> col(ident ? 0 : size_t(C * g.k_size() * chunk * O));
  std::vector<T> rows(chunk > 1 ? size_t(M * chunk * O) : 0);
  for (int64_t b0 = 0; b0 < g.batch; b0 += chunk) {
    const int64_t nb = std::min(chunk, g.batch - b0), ld = nb * O;
    const T* cp = ident ? pi + b0 * C * O : col.data();
    if (!ident) im2col_chunk<T>(g, pi, b0, nb, col.data());
    T* r = nb > 1 ? rows.data() : po + b0 * M * O;
    for (int64_t gi = 0; gi < g.groups; ++gi)
      gemm<T>(false, false, g.cout_g, ld, CK, T(1), pw + gi * g.cout_g * CK, CK, cp + gi * CK * ld, ld, T(0),
              r + gi * g.cout_g * ld, ld);
    if (nb > 1) regroup<T>(nb, M, O, rows.data(), po + b0 * M * O, false);
  }
}

template <class T>
void grad_weights(const ConvGeom& g, const NDArray& img, const NDArray& top, NDArray& dw) {
  const int64_t C = g.cin_g * g.groups, M = g.cout_g * g.groups, CK = g.cin_g * g.k_size(), O = g.out_size();
  const T* pi = img.data<T>();
  const T* pt = top.data<T>();
  T* pd = dw.data<T>();
  if (g.batch == 0) {
    std::fill(pd, pd + dw.size(), T(0));
    return;
  }
  const bool ident = identity_cols(g);
  const int64_t chunk = chunk_images(g, sizeof(T));
  std::vector<T> col(ident && chunk == 1 ? 0 : size_t(C * g.k_size() * chunk * O));
  std::vector<T> rows(chunk > 1 ? size_t(M * chunk * O) : 0);
  for (int64_t b0 = 0; b0 < g.batch; b0 += chunk) {
    const int64_t nb = std::min(chunk, g.batch - b0), ld = nb * O;
    const T* cp = col.data();
    if (ident && nb == 1) cp = pi + b0 * C * O;
    else im2col_chunk<T>(g, pi, b0, nb, col.data());
    const T* tp = pt + b0 * M * O;
    if (nb > 1) {
      regroup<T>(nb, M, O, tp, rows.data(), true);
      tp = rows.data();
    }
    for (int64_t gi = 0; gi < g.groups; ++gi)
      gemm<T>(false, true, g.cout_g, CK, ld, T(1), tp + gi * g.cout_g * ld, ld, cp + gi * CK * ld, ld,
              b0 == 0 ? T(0) : T(1), pd + gi * g.cout_g * CK, CK);
  }
}

template <class T>
void grad_inputs(const ConvGeom& g, const NDArray& w, const NDArray& top, NDArray& dimg) {
  const int64_t C = g.cin_g * g.groups, M = g.cout_g * g.groups, K = g.k_size(), CK = g.cin_g * K;
  const int64_t O = g.out_size(), I = g.in_size();
  const T* pw = w.data<T>();
  const T* pt = top.data<T>();
  T* pd = dimg.data<T>();
  const bool ident = identity_cols(g);
  const int64_t chunk = ident ? 1 : chunk_images(g, sizeof(T));
  std::vector<T> col(ident ? 0 : size_t(C * K * chunk * O));
  std::vector<T> rows(chunk > 1 ? size_t(M * chunk * O) : 0);
  for (int64_t b0 = 0; b0 < g.batch; b0 += chunk) {
    const int64_t nb = std::min(chunk, g.batch - b0), ld = nb * O;
    const T* tp = pt + b0 * M * O;
    if (nb > 1) {
      regroup<T>(nb, M, O, tp, rows.data(), true);
      tp = rows.data();
    }
    T* cp = ident ? pd + b0 * C * I : col.data();
    for (int64_t gi = 0; gi < g.groups; ++gi)
      gemm<T>(true, false, CK, ld, g.cout_g, T(1), pw + gi * g.cout_g * CK, CK, tp + gi * g.cout_g * ld, ld, T(0),
              cp + gi * CK * ld, ld);
    if (ident) continue;
    const int64_t n = nb * C;
    const bool par = n > 1 && n * K * O >= kParMin;
#pragma omp parallel for schedule(static) if (par) num_threads(::hypatia::max_threads())
    for (int64_t t = 0; t < n; ++t) {
      const int64_t b = t / C, c = t % C;
      T* dst = pd + ((b0 + b) * C + c) * I;
      std::fill(dst, dst + I, T(0));
      channel_cols<T, true>(g, dst, col.data() + c * K * ld + b * O, ld);
    }
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
