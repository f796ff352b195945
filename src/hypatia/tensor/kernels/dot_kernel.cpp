// Matrix/vector products: strided operands are handed to CBLAS transposed or copied when needed.
#include "hypatia/tensor/kernels/dot_kernel.h"

#include <algorithm>
#include <exception>

#include "hypatia/util/blas.h"
#include "hypatia/util/parallel.h"

namespace hypatia::kernels {
namespace {

// How a 2-d operand can be passed to row-major CBLAS without a copy.
struct BlasMat {
  NDArray keep;  // the array whose memory is passed (a copy when the layout did not fit)
  CBLAS_TRANSPOSE trans = CblasNoTrans;
  int64_t ld = 1;
};

BlasMat blas_mat(const NDArray& x) {
  const int64_t r = x.shape(0), c = x.shape(1);
  const int64_t isz = itemsize(x.dtype());
  const int64_t s0 = x.strides()[0] / isz, s1 = x.strides()[1] / isz;
  if ((c <= 1 || s1 == 1) && (r <= 1 || s0 >= std::max<int64_t>(1, c)))
    return {x, CblasNoTrans, r <= 1 ? std::max<int64_t>(1, c) : s0};
  if ((r <= 1 || s0 == 1) && (c <= 1 || s1 >= std::max<int64_t>(1, r)))
    return {x, CblasTrans, c <= 1 ? std::max<int64_t>(1, r) : s1};
  return {x.copy(), CblasNoTrans, std::max<int64_t>(1, c)};
}

NDArray unit_stride(const NDArray& v) {
  if (v.shape(0) <= 1 || v.strides()[0] == itemsize(v.dtype())) return v;
  return v.copy();
}

// out = alpha * a.b + beta * out (beta == 0 ignores out's previous contents).
template <class T>
void blas_dot(const NDArray& a, const NDArray& b, NDArray& out, T alpha = T(1), T beta = T(0)) {
  constexpr bool dbl = std::is_same_v<T, double>;
  T* po = out.data<T>();
  if (a.ndim() == 1 && b.ndim() == 1) {
    NDArray x = unit_stride(a), y = unit_stride(b);
    const int n = static_cast<int>(x.shape(0));
    T d;
    if constexpr (dbl) d = cblas_ddot(n, x.data<T>(), 1, y.data<T>(), 1);
    else d = cblas_sdot(n, x.data<T>(), 1, y.data<T>(), 1);
    *po = beta == T(0) ? alpha * d : alpha * d + beta * *po;
    return;
  }
  if (out.size() == 0) return;
  const int64_t K = a.shape(a.ndim() - 1);
  if (K == 0) {
    for (int64_t i = 0; i < out.size(); ++i) po[i] = beta == T(0) ? T(0) : beta * po[i];
    return;
  }
  if (a.ndim() == 2 && b.ndim() == 2) {
    BlasMat A = blas_mat(a), B = blas_mat(b);
    const int M = static_cast<int>(a.shape(0)), N = static_cast<int>(b.shape(1));
    if constexpr (dbl)
      cblas_dgemm(CblasRowMajor, A.trans, B.trans, M, N, static_cast<int>(K), alpha, A.keep.data<T>(),
                  static_cast<int>(A.ld), B.keep.data<T>(), static_cast<int>(B.ld), beta, po, std::max(1, N));
    else
      cblas_sgemm(CblasRowMajor, A.trans, B.trans, M, N, static_cast<int>(K), alpha, A.keep.data<T>(),
                  static_cast<int>(A.ld), B.keep.data<T>(), static_cast<int>(B.ld), beta, po, std::max(1, N));
    return;
  }
  // Matrix.vector: y = A x. Vector.matrix: y = B^T x. A stored transposed flips the flag and
  // the stored dimensions.
  const bool mv = a.ndim() == 2;
  BlasMat A = blas_mat(mv ? a : b);
  NDArray x = unit_stride(mv ? b : a);
  const NDArray& m = mv ? a : b;
  bool want_t = !mv;
  int rows = static_cast<int>(m.shape(0)), cols = static_cast<int>(m.shape(1));
  if (A.trans == CblasTrans) {
    want_t = !want_t;
    std::swap(rows, cols);
  }
  const CBLAS_TRANSPOSE t = want_t ? CblasTrans : CblasNoTrans;
  if constexpr (dbl)
    cblas_dgemv(CblasRowMajor, t, rows, cols, alpha, A.keep.data<T>(), static_cast<int>(A.ld), x.data<T>(), 1, beta, po, 1);
  else
    cblas_sgemv(CblasRowMajor, t, rows, cols, alpha, A.keep.data<T>(), static_cast<int>(A.ld), x.data<T>(), 1, beta, po, 1);
}

// Plain loops for dtypes BLAS lacks (integers, bool, complex).
template <class T>
void loop_dot(const NDArray& a_in, const NDArray& b_in, NDArray& out) {
  NDArray a = a_in.ndim() == 1 ? a_in.reshape({1, a_in.shape(0)}) : a_in;
  NDArray b = b_in.ndim() == 1 ? b_in.reshape({b_in.shape(0), 1}) : b_in;
  a = a.contiguous();
  b = b.contiguous();
  const int64_t M = a.shape(0), K = a.shape(1), N = b.shape(1);
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* po = out.data<T>();
  for (int64_t i = 0; i < M * N; ++i) po[i] = T(0);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t k = 0; k < K; ++k) {
      const T av = pa[i * K + k];
      for (int64_t j = 0; j < N; ++j) {
        if constexpr (std::is_same_v<T, bool>) po[i * N + j] = po[i * N + j] || (av && pb[k * N + j]);
        else po[i * N + j] = static_cast<T>(po[i * N + j] + av * pb[k * N + j]);
      }
    }
}

template <class T>
void blas_ger(T alpha, const NDArray& xin, const NDArray& yin, NDArray& out) {
  if (out.size() == 0) return;
  NDArray x = unit_stride(xin), y = unit_stride(yin);
  const int M = static_cast<int>(out.shape(0)), N = static_cast<int>(out.shape(1));
  if constexpr (std::is_same_v<T, double>)
    cblas_dger(CblasRowMajor, M, N, alpha, x.data<T>(), 1, y.data<T>(), 1, out.data<T>(), std::max(1, N));
  else
    cblas_sger(CblasRowMajor, M, N, alpha, x.data<T>(), 1, y.data<T>(), 1, out.data<T>(), std::max(1, N));
}

}  // namespace

void gemm_kernel(double alpha, const NDArray& a, const NDArray& b, double beta, NDArray& out) {
  const DType d = out.dtype();
  if (d == DType::Float64) return blas_dot<double>(a, b, out, alpha, beta);
  if (d == DType::Float32) return blas_dot<float>(a, b, out, static_cast<float>(alpha), static_cast<float>(beta));
  raise(ErrorKind::Type, "[gemm_kernel] float32 or float64 expected, got ", dtype_name(d));
}

void ger_kernel(double alpha, const NDArray& x, const NDArray& y, NDArray& out) {
  const DType d = out.dtype();
  if (d == DType::Float64) return blas_ger<double>(alpha, x, y, out);
  if (d == DType::Float32) return blas_ger<float>(static_cast<float>(alpha), x, y, out);
  raise(ErrorKind::Type, "[ger_kernel] float32 or float64 expected, got ", dtype_name(d));
}

void batched_dot_kernel(const NDArray& a, const NDArray& b, NDArray& out) {
  const int64_t B = out.shape(0);
  if (B == 0) return;
  // Per-batch work; OpenMP over the batch when there are many small products (large ones
  // already use OpenBLAS's own threads).
  const int64_t per = out.size() / B * a.shape(a.ndim() - 1);
  const bool par = B >= 8 && per <= (int64_t(1) << 18);
  std::exception_ptr err;
#pragma omp parallel for schedule(static) if (par) num_threads(::hypatia::max_threads())
  for (int64_t i = 0; i < B; ++i) {
    try {
      NDArray o = out.index(0, i);
      dot_kernel(a.index(0, i), b.index(0, i), o);
    } catch (...) {
#pragma omp critical
      err = std::current_exception();
    }
  }
  if (err) std::rethrow_exception(err);
}

void dot_kernel(const NDArray& a, const NDArray& b, NDArray& out) {
  const DType d = out.dtype();
  if (d == DType::Float16) {
    NDArray tmp(DType::Float32, out.shape());
    blas_dot<float>(a.astype(DType::Float32), b.astype(DType::Float32), tmp);
    out.assign(tmp);
    return;
  }
  if (d == DType::Float64) return blas_dot<double>(a, b, out);
  if (d == DType::Float32) return blas_dot<float>(a, b, out);
  dispatch_dtype(d, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, half>) loop_dot<T>(a, b, out);
  });
}

}  // namespace hypatia::kernels
