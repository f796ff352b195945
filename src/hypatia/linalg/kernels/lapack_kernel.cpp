// LAPACK-backed kernels. Row-major matrices are handed to the Fortran routines as their
// column-major transposes: inv(A^T) = inv(A)^T and det(A^T) = det(A) need no conversion; solve
// uses getrs with trans='T'; Cholesky of a symmetric matrix swaps 'U' and 'L'.
#include "hypatia/linalg/kernels/lapack_kernel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "hypatia/util/blas.h"
#include "hypatia/util/error.h"

namespace hypatia::kernels {
namespace {

void getrf(int n, float* a, int* ipiv, int* info) { sgetrf_(&n, &n, a, &n, ipiv, info); }
void getrf(int n, double* a, int* ipiv, int* info) { dgetrf_(&n, &n, a, &n, ipiv, info); }
void getri(int n, float* a, const int* ipiv, float* w, int lw, int* info) { sgetri_(&n, a, &n, ipiv, w, &lw, info); }
void getri(int n, double* a, const int* ipiv, double* w, int lw, int* info) { dgetri_(&n, a, &n, ipiv, w, &lw, info); }
void getrs(char t, int n, int nrhs, const float* a, const int* ipiv, float* b, int* info) {
  sgetrs_(&t, &n, &nrhs, a, &n, ipiv, b, &n, info, 1);
}
void getrs(char t, int n, int nrhs, const double* a, const int* ipiv, double* b, int* info) {
  dgetrs_(&t, &n, &nrhs, a, &n, ipiv, b, &n, info, 1);
}
void potrf(char uplo, int n, float* a, int* info) { spotrf_(&uplo, &n, a, &n, info, 1); }
void potrf(char uplo, int n, double* a, int* info) { dpotrf_(&uplo, &n, a, &n, info, 1); }
void trsm(CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, bool unit, int m, int n, const float* a, int lda, float* b,
          int ldb) {
  cblas_strsm(CblasRowMajor, s, u, t, unit ? CblasUnit : CblasNonUnit, m, n, 1.0f, a, lda, b, ldb);
}
void trsm(CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, bool unit, int m, int n, const double* a, int lda, double* b,
          int ldb) {
  cblas_dtrsm(CblasRowMajor, s, u, t, unit ? CblasUnit : CblasNonUnit, m, n, 1.0, a, lda, b, ldb);
}
void posv(char ul, int n, int nrhs, float* a, float* b, int* info) { sposv_(&ul, &n, &nrhs, a, &n, b, &n, info, 1); }
void posv(char ul, int n, int nrhs, double* a, double* b, int* info) { dposv_(&ul, &n, &nrhs, a, &n, b, &n, info, 1); }
void sysv(char ul, int n, int nrhs, float* a, int* ipiv, float* b, float* wk, int lw, int* info) {
  ssysv_(&ul, &n, &nrhs, a, &n, ipiv, b, &n, wk, &lw, info, 1);
}
void sysv(char ul, int n, int nrhs, double* a, int* ipiv, double* b, double* wk, int lw, int* info) {
  dsysv_(&ul, &n, &nrhs, a, &n, ipiv, b, &n, wk, &lw, info, 1);
}
void gemm_tn(int n, const float* a, const float* b, float* c) {  // c = a^T b, all n x n
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
}
void gemm_tn(int n, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
}

void check_square(const NDArray& a, const char* who) {
  if (a.ndim() != 2 || a.shape(0) != a.shape(1))
    value_error("[", who, "] expected a square matrix, got shape ", shape_str(a.shape()));
}

void check_float(const NDArray& a, const char* who) {
  if (a.dtype() != DType::Float32 && a.dtype() != DType::Float64)
    type_error("[", who, "] float32 or float64 expected, got ", dtype_name(a.dtype()));
}

template <class F>
auto by_dtype(DType d, F&& f) {
  if (d == DType::Float64) return f(double{});
  return f(float{});
}

}  // namespace

NDArray matrix_inverse(const NDArray& a, const char* who) {
  check_square(a, who);
  check_float(a, who);
  NDArray r = a.copy();
  const int n = static_cast<int>(a.shape(0));
  if (n == 0) return r;
  by_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    std::vector<int> ipiv(n);
    int info = 0;
    getrf(n, r.data<T>(), ipiv.data(), &info);
    if (info > 0) value_error("[", who, "] singular matrix (U[", info - 1, ",", info - 1, "] is exactly zero)");
    T wq;
    getri(n, r.data<T>(), ipiv.data(), &wq, -1, &info);
    int lw = std::max(1, static_cast<int>(wq));
    std::vector<T> work(lw);
    getri(n, r.data<T>(), ipiv.data(), work.data(), lw, &info);
    if (info != 0) value_error("[", who, "] singular matrix");
    return 0;
  });
  return r;
}

NDArray det(const NDArray& a) {
  check_square(a, "Det");
  check_float(a, "Det");
  NDArray r(a.dtype(), {});
  const int n = static_cast<int>(a.shape(0));
  by_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    NDArray lu = a.copy();
    std::vector<int> ipiv(std::max(1, n));
    int info = 0;
    if (n > 0) getrf(n, lu.data<T>(), ipiv.data(), &info);
    if (info < 0) value_error("[Det] LAPACK getrf failed (info ", info, ")");
    T d = 1;
    const T* p = lu.data<T>();
    for (int i = 0; i < n; ++i) {
      d *= p[static_cast<int64_t>(i) * n + i];
      if (ipiv[i] != i + 1) d = -d;
    }
    *r.data<T>() = d;
    return 0;
  });
  return r;
}

NDArray solve(const NDArray& a, const NDArray& b, const std::string& assume, bool lower, bool unit_diagonal,
              const char* who) {
  check_square(a, who);
  check_float(a, who);
  const int n = static_cast<int>(a.shape(0));
  if (b.ndim() < 1 || b.ndim() > 2 || b.shape(0) != n)
    value_error("[", who, "] shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()), " not aligned: b must be (",
                n, ",) or (", n, ", N)");
  const int nrhs = b.ndim() == 1 ? 1 : static_cast<int>(b.shape(1));
  NDArray x = b.astype(a.dtype());  // fresh C-contiguous copy, overwritten by the solution
  if (n == 0 || nrhs == 0) return x;
  by_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (assume == "tri") {
      NDArray ac = a.contiguous();
      const T* pa = ac.data<T>();
      if (!unit_diagonal)
        for (int i = 0; i < n; ++i)
          if (pa[static_cast<int64_t>(i) * n + i] == T(0))
            value_error("[", who, "] singular matrix (zero at [", i, ",", i, "] on the diagonal)");
      trsm(CblasLeft, lower ? CblasLower : CblasUpper, CblasNoTrans, unit_diagonal, n, nrhs, pa, n, x.data<T>(), nrhs);
      return 0;
    }
    // The Fortran routines want b column-major: a (nrhs, n) C-contiguous array is (n, nrhs)
    // column-major. The row-major a is the column-major a^T: its lower triangle is the
    // Fortran upper one.
    NDArray lu = a.copy();
    NDArray bf = nrhs == 1 ? x : x.transpose().copy();
    int info = 0;
    if (assume == "pos") {
      posv(lower ? 'U' : 'L', n, nrhs, lu.data<T>(), bf.data<T>(), &info);
      if (info > 0) value_error("[", who, "] matrix is not positive definite (leading minor ", info, ")");
    } else if (assume == "sym") {
      std::vector<int> ipiv(n);
      T wq = 0;
      sysv(lower ? 'U' : 'L', n, nrhs, lu.data<T>(), ipiv.data(), bf.data<T>(), &wq, -1, &info);
      std::vector<T> work(std::max(1, static_cast<int>(wq)));
      sysv(lower ? 'U' : 'L', n, nrhs, lu.data<T>(), ipiv.data(), bf.data<T>(), work.data(), static_cast<int>(work.size()),
           &info);
      if (info > 0) value_error("[", who, "] singular matrix (D[", info - 1, ",", info - 1, "] is exactly zero)");
    } else {
      std::vector<int> ipiv(n);
      getrf(n, lu.data<T>(), ipiv.data(), &info);
      if (info > 0) value_error("[", who, "] singular matrix (U[", info - 1, ",", info - 1, "] is exactly zero)");
      getrs('T', n, nrhs, lu.data<T>(), ipiv.data(), bf.data<T>(), &info);
    }
    if (info != 0) value_error("[", who, "] LAPACK solve failed (info ", info, ")");
    if (nrhs != 1) x.assign(bf.transpose());
    return 0;
  });
  return x;
}

NDArray cholesky(const NDArray& a, bool lower, bool nan_on_error, const char* who) {
  check_square(a, who);
  check_float(a, who);
  NDArray r = a.copy();
  const int n = static_cast<int>(a.shape(0));
  if (n == 0) return r;
  by_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    int info = 0;
    T* p = r.data<T>();
    potrf(lower ? 'U' : 'L', n, p, &info);
    if (info > 0) {
      if (!nan_on_error) value_error("[", who, "] matrix is not positive definite (leading minor ", info, ")");
      for (int64_t i = 0; i < static_cast<int64_t>(n) * n; ++i) p[i] = std::numeric_limits<T>::quiet_NaN();
      return 0;
    }
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        if (lower ? j > i : j < i) p[static_cast<int64_t>(i) * n + j] = T(0);
    return 0;
  });
  return r;
}

NDArray cholesky_grad(const NDArray& l_in, const NDArray& dl_in, bool lower) {
  check_float(l_in, "CholeskyGrad");
  const int n = static_cast<int>(l_in.shape(0));
  // Work with the lower factor: for the upper form, U = L^T and dU = dL^T.
  NDArray L = (lower ? l_in : l_in.transpose()).astype(l_in.dtype());
  NDArray dL = (lower ? dl_in : dl_in.transpose()).astype(l_in.dtype());
  NDArray P(l_in.dtype(), {n, n});
  if (n == 0) return P;
  by_dtype(l_in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pl = L.data<T>();
    T* pp = P.data<T>();
    // P = tril(L^T dL) with the diagonal halved.
    gemm_tn(n, pl, dL.data<T>(), pp);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        T& v = pp[static_cast<int64_t>(i) * n + j];
        if (j > i) v = T(0);
        else if (j == i) v /= T(2);
      }
    // S = L^-T P L^-1.
    trsm(CblasLeft, CblasLower, CblasTrans, false, n, n, pl, n, pp, n);
    trsm(CblasRight, CblasLower, CblasNoTrans, false, n, n, pl, n, pp, n);
    // grad = tril(S + S^T) - diag(S) (triu for the upper form: the transpose of that).
    NDArray G(l_in.dtype(), {n, n});
    T* pg = G.data<T>();
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        T v = 0;
        if (j < i) v = pp[static_cast<int64_t>(i) * n + j] + pp[static_cast<int64_t>(j) * n + i];
        else if (j == i) v = pp[static_cast<int64_t>(i) * n + i];
        if (lower) pg[static_cast<int64_t>(i) * n + j] = v;
        else pg[static_cast<int64_t>(j) * n + i] = v;
      }
    P = G;
    return 0;
  });
  return P;
}

}  // namespace hypatia::kernels
