// Block-sparse GEMV/GER: one CBLAS call per block, OpenMP over (batch, output block) for the
// gemv and over distinct output block pairs for the outer product.
#include "hypatia/tensor/kernels/blocksparse.h"

#include <algorithm>
#include <numeric>
#include <type_traits>

#include "hypatia/util/blas.h"
#include "hypatia/util/parallel.h"

namespace hypatia::kernels {
namespace {

template <class T>
void gemv_impl(NDArray& out, const NDArray& W, const NDArray& h, const NDArray& iIdx, const NDArray& oIdx) {
  constexpr bool dbl = std::is_same_v<T, double>;
  const int64_t batch = out.shape(0), oWin = out.shape(1), oSize = out.shape(2);
  const int64_t iWin = h.shape(1), iSize = h.shape(2);
  if (out.size() == 0 || iWin == 0 || iSize == 0) return;
  const int64_t isz = itemsize(W.dtype());
  const int64_t s0 = W.strides()[0] / isz, s1 = W.strides()[1] / isz;
  const int64_t s2 = W.strides()[2] / isz, s3 = W.strides()[3] / isz;
  // A block W[a, c] is an (iSize, oSize) matrix; y += block^T h.
  NDArray Wk = W;
  CBLAS_TRANSPOSE trans;
  int rows, cols, ld;
  auto fits_row = [&](int64_t r, int64_t c, int64_t sr, int64_t sc) {
    return (c <= 1 || sc == 1) && (r <= 1 || sr >= std::max<int64_t>(1, c));
  };
  int64_t t0 = s0, t1 = s1;
  if (fits_row(iSize, oSize, s2, s3)) {
    trans = CblasTrans, rows = int(iSize), cols = int(oSize), ld = int(iSize <= 1 ? std::max<int64_t>(1, oSize) : s2);
  } else if (fits_row(oSize, iSize, s3, s2)) {  // blocks stored transposed (a dimshuffled W)
    trans = CblasNoTrans, rows = int(oSize), cols = int(iSize), ld = int(oSize <= 1 ? std::max<int64_t>(1, iSize) : s3);
  } else {
    Wk = W.copy();
    t0 = Wk.strides()[0] / isz, t1 = Wk.strides()[1] / isz;
    trans = CblasTrans, rows = int(iSize), cols = int(oSize), ld = int(std::max<int64_t>(1, oSize));
  }
  const T* pw = Wk.data<T>();
  const T* ph = h.data<T>();
  const int64_t* pi = iIdx.data<int64_t>();
  const int64_t* po_idx = oIdx.data<int64_t>();
  T* po = out.data<T>();
  const int64_t n = batch * oWin;
  const bool par = n >= 4 && n * iWin * iSize * oSize >= 4096;
#pragma omp parallel for schedule(static) if (par) num_threads(::hypatia::max_threads())
  for (int64_t bj = 0; bj < n; ++bj) {
    const int64_t b = bj / oWin;
    const int64_t oc = po_idx[bj];
    T* y = po + bj * oSize;
    for (int64_t i = 0; i < iWin; ++i) {
      const int64_t ic = pi[b * iWin + i];
      const T* blk = pw + ic * t0 + oc * t1;
      const T* x = ph + (b * iWin + i) * iSize;
      if constexpr (dbl)
        cblas_dgemv(CblasRowMajor, trans, rows, cols, 1.0, blk, ld, x, 1, 1.0, y, 1);
      else
        cblas_sgemv(CblasRowMajor, trans, rows, cols, 1.0f, blk, ld, x, 1, 1.0f, y, 1);
    }
  }
}

template <class T>
void outer_impl(NDArray& out, const NDArray& x, const NDArray& y, const NDArray& xIdx, const NDArray& yIdx,
                T alpha) {
  constexpr bool dbl = std::is_same_v<T, double>;
  const int64_t yB = out.shape(1), xS = out.shape(2), yS = out.shape(3);
  const int64_t batch = x.shape(0), xWin = x.shape(1), yWin = y.shape(1);
  if (out.size() == 0 || batch * xWin * yWin == 0) return;
  const int64_t* pxi = xIdx.data<int64_t>();
  const int64_t* pyi = yIdx.data<int64_t>();
  // Every contribution (b, i, j) keyed by the output block it writes; sorting groups them so
  // each block pair is updated by one thread, in batch order.
  struct Item {
    int64_t key, b, i, j;
  };
  std::vector<Item> items;
  items.reserve(size_t(batch * xWin * yWin));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < xWin; ++i)
      for (int64_t j = 0; j < yWin; ++j)
        items.push_back({pxi[b * xWin + i] * yB + pyi[b * yWin + j], b, i, j});
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& c) { return a.key < c.key; });
  std::vector<int64_t> starts;
  for (size_t k = 0; k < items.size(); ++k)
    if (k == 0 || items[k].key != items[k - 1].key) starts.push_back(int64_t(k));
  starts.push_back(int64_t(items.size()));
  const int64_t groups = int64_t(starts.size()) - 1;
  const T* px = x.data<T>();
  const T* py = y.data<T>();
  T* po = out.data<T>();
  const bool par = groups >= 4 && int64_t(items.size()) * xS * yS >= 4096;
#pragma omp parallel for schedule(dynamic, 1) if (par) num_threads(::hypatia::max_threads())
  for (int64_t g = 0; g < groups; ++g) {
    for (int64_t k = starts[g]; k < starts[g + 1]; ++k) {
      const Item& it = items[size_t(k)];
      T* blk = po + it.key * xS * yS;
      const T* xv = px + (it.b * xWin + it.i) * xS;
      const T* yv = py + (it.b * yWin + it.j) * yS;
      if constexpr (dbl)
        cblas_dger(CblasRowMajor, int(xS), int(yS), alpha, xv, 1, yv, 1, blk, int(std::max<int64_t>(1, yS)));
      else
        cblas_sger(CblasRowMajor, int(xS), int(yS), alpha, xv, 1, yv, 1, blk, int(std::max<int64_t>(1, yS)));
    }
  }
}

}  // namespace

void sparse_block_gemv_kernel(NDArray& out, const NDArray& W, const NDArray& h, const NDArray& iIdx,
                              const NDArray& oIdx) {
  if (out.dtype() == DType::Float64) return gemv_impl<double>(out, W, h, iIdx, oIdx);
  if (out.dtype() == DType::Float32) return gemv_impl<float>(out, W, h, iIdx, oIdx);
  raise(ErrorKind::Type, "[SparseBlockGemv] float32 or float64 expected, got ", dtype_name(out.dtype()));
}

void sparse_block_outer_kernel(NDArray& out, const NDArray& x, const NDArray& y, const NDArray& xIdx,
                               const NDArray& yIdx, double alpha) {
  if (out.dtype() == DType::Float64) return outer_impl<double>(out, x, y, xIdx, yIdx, alpha);
  if (out.dtype() == DType::Float32) return outer_impl<float>(out, x, y, xIdx, yIdx, float(alpha));
  raise(ErrorKind::Type, "[SparseBlockOuter] float32 or float64 expected, got ", dtype_name(out.dtype()));
}

}  // namespace hypatia::kernels
