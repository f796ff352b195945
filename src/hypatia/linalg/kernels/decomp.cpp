// LAPACK-backed decompositions. Each routine works on an explicit column-major copy (the C-order
// copy of the transpose), so the Fortran conventions read as in the LAPACK documentation; the
// results are transposed back into C order.
#include "hypatia/linalg/kernels/decomp.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hypatia/linalg/kernels/lapack_kernel.h"
#include "hypatia/util/blas.h"
#include "hypatia/util/error.h"

namespace hypatia::kernels {
namespace {

// ---- typed LAPACK/BLAS wrappers ----
void syevd(char jz, char ul, int n, float* a, float* w, float* wk, int lw, int* iw, int liw, int* info) {
  ssyevd_(&jz, &ul, &n, a, &n, w, wk, &lw, iw, &liw, info, 1, 1);
}
void syevd(char jz, char ul, int n, double* a, double* w, double* wk, int lw, int* iw, int liw, int* info) {
  dsyevd_(&jz, &ul, &n, a, &n, w, wk, &lw, iw, &liw, info, 1, 1);
}
void sygvd(char jz, char ul, int n, float* a, float* b, float* w, float* wk, int lw, int* iw, int liw, int* info) {
  const int one = 1;
  ssygvd_(&one, &jz, &ul, &n, a, &n, b, &n, w, wk, &lw, iw, &liw, info, 1, 1);
}
void sygvd(char jz, char ul, int n, double* a, double* b, double* w, double* wk, int lw, int* iw, int liw, int* info) {
  const int one = 1;
  dsygvd_(&one, &jz, &ul, &n, a, &n, b, &n, w, wk, &lw, iw, &liw, info, 1, 1);
}
void geev(int n, float* a, float* wr, float* wi, float* vr, float* wk, int lw, int* info) {
  const char nv = 'N', v = 'V';
  const int one = 1;
  sgeev_(&nv, &v, &n, a, &n, wr, wi, nullptr, &one, vr, &n, wk, &lw, info, 1, 1);
}
void geev(int n, double* a, double* wr, double* wi, double* vr, double* wk, int lw, int* info) {
  const char nv = 'N', v = 'V';
  const int one = 1;
  dgeev_(&nv, &v, &n, a, &n, wr, wi, nullptr, &one, vr, &n, wk, &lw, info, 1, 1);
}
void gesdd(char jz, int m, int n, float* a, float* s, float* u, int ldu, float* vt, int ldvt, float* wk, int lw, int* iw,
           int* info) {
  sgesdd_(&jz, &m, &n, a, &m, s, u, &ldu, vt, &ldvt, wk, &lw, iw, info, 1);
}
void gesdd(char jz, int m, int n, double* a, double* s, double* u, int ldu, double* vt, int ldvt, double* wk, int lw,
           int* iw, int* info) {
  dgesdd_(&jz, &m, &n, a, &m, s, u, &ldu, vt, &ldvt, wk, &lw, iw, info, 1);
}
void geqrf(int m, int n, float* a, int lda, float* tau, float* wk, int lw, int* info) { sgeqrf_(&m, &n, a, &lda, tau, wk, &lw, info); }
void geqrf(int m, int n, double* a, int lda, double* tau, double* wk, int lw, int* info) { dgeqrf_(&m, &n, a, &lda, tau, wk, &lw, info); }
void orgqr(int m, int n, int k, float* a, int lda, const float* tau, float* wk, int lw, int* info) {
  sorgqr_(&m, &n, &k, a, &lda, tau, wk, &lw, info);
}
void orgqr(int m, int n, int k, double* a, int lda, const double* tau, double* wk, int lw, int* info) {
  dorgqr_(&m, &n, &k, a, &lda, tau, wk, &lw, info);
}
void gelsd(int m, int n, int nrhs, float* a, float* b, int ldb, float* s, float rc, int* rank, float* wk, int lw, int* iw,
           int* info) {
  sgelsd_(&m, &n, &nrhs, a, &m, b, &ldb, s, &rc, rank, wk, &lw, iw, info);
}
void gelsd(int m, int n, int nrhs, double* a, double* b, int ldb, double* s, double rc, int* rank, double* wk, int lw,
           int* iw, int* info) {
  dgelsd_(&m, &n, &nrhs, a, &m, b, &ldb, s, &rc, rank, wk, &lw, iw, info);
}

void check_float(const NDArray& a, const char* who) {
  if (a.dtype() != DType::Float32 && a.dtype() != DType::Float64)
    type_error("[", who, "] float32 or float64 expected, got ", dtype_name(a.dtype()));
}
void check_matrix(const NDArray& a, const char* who) {
  check_float(a, who);
  if (a.ndim() != 2) value_error("[", who, "] expected a matrix, got shape ", shape_str(a.shape()));
}
void check_square(const NDArray& a, const char* who) {
  check_matrix(a, who);
  if (a.shape(0) != a.shape(1)) value_error("[", who, "] expected a square matrix, got shape ", shape_str(a.shape()));
}

template <class F>
auto by_dtype(DType d, F&& f) {
  if (d == DType::Float64) return f(double{});
  return f(float{});
}

// The column-major copy of an (M, N) matrix: a C-order (N, M) array.
NDArray col_major(const NDArray& a) { return a.transpose().copy(); }
// Back from a column-major buffer holding an (M, N) matrix (a C-order (N, M) array).
NDArray from_col_major(const NDArray& buf) { return buf.transpose().copy(); }

int as_int(int64_t v) { return static_cast<int>(v); }

// c = a b for row-major float64 n x n matrices.
void mm(int n, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
}

}  // namespace

std::vector<NDArray> eigh(const NDArray& a, const NDArray* b, bool lower, bool vectors, const char* who) {
  check_square(a, who);
  const int n = as_int(a.shape(0));
  if (b) {
    check_square(*b, who);
    if (b->shape(0) != n) value_error("[", who, "] a ", shape_str(a.shape()), " and b ", shape_str(b->shape()), " differ");
  }
  NDArray A = col_major(a);
  NDArray w(a.dtype(), {n});
  if (n > 0)
    by_dtype(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const char jz = vectors ? 'V' : 'N', ul = lower ? 'L' : 'U';
      int info = 0, iwq = 0;
      T wq = 0;
      NDArray B = b ? col_major(b->astype(a.dtype())) : NDArray();
      auto call = [&](T* wk, int lw, int* iw, int liw) {
        if (b) sygvd(jz, ul, n, A.data<T>(), B.data<T>(), w.data<T>(), wk, lw, iw, liw, &info);
        else syevd(jz, ul, n, A.data<T>(), w.data<T>(), wk, lw, iw, liw, &info);
      };
      call(&wq, -1, &iwq, -1);
      std::vector<T> work(std::max(1, static_cast<int>(wq)));
      std::vector<int> iwork(std::max(1, iwq));
      call(work.data(), static_cast<int>(work.size()), iwork.data(), static_cast<int>(iwork.size()));
      if (b && info > n) value_error("[", who, "] b is not positive definite (leading minor ", info - n, ")");
      if (info != 0) value_error("[", who, "] the eigensolver did not converge (info ", info, ")");
      return 0;
    });
  if (!vectors) return {w};
  return {w, from_col_major(A)};
}

std::vector<NDArray> eig(const NDArray& a, const char* who) {
  check_square(a, who);
  const int n = as_int(a.shape(0));
  NDArray A = col_major(a);
  NDArray w(a.dtype(), {n}), V(a.dtype(), {n, n});
  if (n > 0)
    by_dtype(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      std::vector<T> wi(n);
      int info = 0;
      T wq = 0;
      geev(n, A.data<T>(), w.data<T>(), wi.data(), V.data<T>(), &wq, -1, &info);
      std::vector<T> work(std::max(1, static_cast<int>(wq)));
      geev(n, A.data<T>(), w.data<T>(), wi.data(), V.data<T>(), work.data(), static_cast<int>(work.size()), &info);
      if (info != 0) value_error("[", who, "] the QR algorithm did not converge (info ", info, ")");
      for (int i = 0; i < n; ++i)
        if (wi[i] != T(0))
          value_error("[", who, "] the matrix has complex eigenvalues (", w.data<T>()[i], " + ", wi[i],
                      "i); only real eigensystems are supported");
      return 0;
    });
  return {w, from_col_major(V)};
}

std::vector<NDArray> svd(const NDArray& a, bool full_matrices, bool compute_uv, const char* who) {
  check_matrix(a, who);
  const int m = as_int(a.shape(0)), n = as_int(a.shape(1)), k = std::min(m, n);
  const char jz = !compute_uv ? 'N' : full_matrices ? 'A' : 'S';
  const int ucols = full_matrices ? m : k, vrows = full_matrices ? n : k;
  NDArray A = col_major(a);
  NDArray s(a.dtype(), {k});
  NDArray U = NDArray::zeros(a.dtype(), {ucols, m}), VT = NDArray::zeros(a.dtype(), {n, vrows});  // column-major
  if (k > 0) {
    by_dtype(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      std::vector<int> iwork(8 * static_cast<size_t>(k));
      int info = 0;
      T wq = 0;
      T *pu = compute_uv ? U.data<T>() : nullptr, *pv = compute_uv ? VT.data<T>() : nullptr;
      const int ldu = std::max(1, m), ldvt = std::max(1, vrows);
      gesdd(jz, m, n, A.data<T>(), s.data<T>(), pu, ldu, pv, ldvt, &wq, -1, iwork.data(), &info);
      std::vector<T> work(std::max(1, static_cast<int>(wq)));
      gesdd(jz, m, n, A.data<T>(), s.data<T>(), pu, ldu, pv, ldvt, work.data(), static_cast<int>(work.size()),
            iwork.data(), &info);
      if (info != 0) value_error("[", who, "] the SVD did not converge (info ", info, ")");
      return 0;
    });
  } else if (compute_uv) {
    // An empty matrix: the full factors are identities.
    by_dtype(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if (full_matrices) {
        for (int i = 0; i < m; ++i) U.data<T>()[static_cast<int64_t>(i) * m + i] = T(1);
        for (int i = 0; i < n; ++i) VT.data<T>()[static_cast<int64_t>(i) * n + i] = T(1);
      }
      return 0;
    });
  }
  if (!compute_uv) return {s};
  return {from_col_major(U), s, from_col_major(VT)};
}

std::vector<NDArray> qr(const NDArray& a, const std::string& mode, const char* who) {
  check_matrix(a, who);
  if (mode != "reduced" && mode != "complete" && mode != "r" && mode != "raw")
    value_error("[", who, "] mode must be 'reduced', 'complete', 'r' or 'raw', got '", mode, "'");
  const int m = as_int(a.shape(0)), n = as_int(a.shape(1)), k = std::min(m, n);
  NDArray A = col_major(a);  // (n, m) C order = (m, n) column-major, lda = m
  NDArray tau(a.dtype(), {k});
  const int lda = std::max(1, m);
  by_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (k == 0) return 0;
    int info = 0;
    T wq = 0;
    geqrf(m, n, A.data<T>(), lda, tau.data<T>(), &wq, -1, &info);
    std::vector<T> work(std::max(1, static_cast<int>(wq)));
    geqrf(m, n, A.data<T>(), lda, tau.data<T>(), work.data(), static_cast<int>(work.size()), &info);
    if (info != 0) value_error("[", who, "] geqrf failed (info ", info, ")");
    return 0;
  });
  if (mode == "raw") return {A, tau};
  const int rrows = mode == "complete" ? m : k;
  NDArray R = NDArray::zeros(a.dtype(), {rrows, n});
  by_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = A.data<T>();
    T* pr = R.data<T>();
    for (int i = 0; i < std::min(rrows, k); ++i)
      for (int j = i; j < n; ++j) pr[static_cast<int64_t>(i) * n + j] = pa[static_cast<int64_t>(j) * m + i];
    return 0;
  });
  if (mode == "r") return {R};
  const int qcols = mode == "complete" ? m : k;
  NDArray Q = NDArray::zeros(a.dtype(), {qcols, m});  // column-major (m, qcols)
  by_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* pq = Q.data<T>();
    const T* pa = A.data<T>();
    for (int j = 0; j < std::min(qcols, n); ++j)
      std::copy(pa + static_cast<int64_t>(j) * m, pa + static_cast<int64_t>(j + 1) * m, pq + static_cast<int64_t>(j) * m);
    if (m == 0 || qcols == 0) return 0;
    int info = 0;
    T wq = 0;
    orgqr(m, qcols, k, pq, lda, tau.data<T>(), &wq, -1, &info);
    std::vector<T> work(std::max(1, static_cast<int>(wq)));
    orgqr(m, qcols, k, pq, lda, tau.data<T>(), work.data(), static_cast<int>(work.size()), &info);
    if (info != 0) value_error("[", who, "] orgqr failed (info ", info, ")");
    return 0;
  });
  return {from_col_major(Q), R};
}

std::vector<NDArray> lstsq(const NDArray& a, const NDArray& b, double rcond, const char* who) {
  check_matrix(a, who);
  const int m = as_int(a.shape(0)), n = as_int(a.shape(1)), k = std::min(m, n);
  if (b.ndim() < 1 || b.ndim() > 2 || b.shape(0) != m)
    value_error("[", who, "] shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()), " not aligned: b must be (", m,
                ",) or (", m, ", K)");
  const bool vec = b.ndim() == 1;
  const int nrhs = vec ? 1 : as_int(b.shape(1)), ldb = std::max({1, m, n});
  NDArray A = col_major(a);
  // b, column-major, padded to max(M, N) rows: gelsd writes the solution into its first N rows.
  NDArray B = NDArray::zeros(a.dtype(), {nrhs, ldb});
  NDArray bc = b.astype(a.dtype());
  NDArray s(a.dtype(), {k});
  int rank = 0;
  NDArray x(a.dtype(), vec ? Shape{n} : Shape{n, nrhs});
  NDArray res;
  by_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pb = bc.data<T>();
    T* pB = B.data<T>();
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < nrhs; ++j) pB[static_cast<int64_t>(j) * ldb + i] = pb[static_cast<int64_t>(i) * nrhs + j];
    const T rc = rcond < 0 ? std::numeric_limits<T>::epsilon() * std::max(m, n) : static_cast<T>(rcond);
    if (k > 0 && nrhs > 0) {
      int info = 0, iwq = 0;
      T wq = 0;
      gelsd(m, n, nrhs, A.data<T>(), pB, ldb, s.data<T>(), rc, &rank, &wq, -1, &iwq, &info);
      std::vector<T> work(std::max(1, static_cast<int>(wq)));
      std::vector<int> iwork(std::max(1, iwq));
      gelsd(m, n, nrhs, A.data<T>(), pB, ldb, s.data<T>(), rc, &rank, work.data(), static_cast<int>(work.size()),
            iwork.data(), &info);
      if (info != 0) value_error("[", who, "] the SVD in gelsd did not converge (info ", info, ")");
    }
    T* px = x.data<T>();
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < nrhs; ++j) px[static_cast<int64_t>(i) * nrhs + j] = pB[static_cast<int64_t>(j) * ldb + i];
    if (rank == n && m > n) {
      res = NDArray(a.dtype(), {nrhs});
      for (int j = 0; j < nrhs; ++j) {
        T acc = 0;
        for (int i = n; i < m; ++i) acc += pB[static_cast<int64_t>(j) * ldb + i] * pB[static_cast<int64_t>(j) * ldb + i];
        res.data<T>()[j] = acc;
      }
    } else {
      res = NDArray(a.dtype(), {0});
    }
    return 0;
  });
  return {x, res, NDArray::scalar<int64_t>(rank), s};
}

NDArray pinv(const NDArray& a, double rcond, const char* who) {
  check_matrix(a, who);
  const int64_t m = a.shape(0), n = a.shape(1);
  std::vector<NDArray> usv = svd(a, false, true, who);
  const int64_t k = usv[1].shape(0);
  NDArray r = NDArray::zeros(a.dtype(), {n, m});
  by_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* s = usv[1].data<T>();
    const T smax = k > 0 ? *std::max_element(s, s + k) : T(0);
    // V diag(1/s) (columns of V scaled), then times U^T.
    NDArray vs = usv[2].transpose().copy();  // (n, k)
    T* pv = vs.data<T>();
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j) pv[i * k + j] = s[j] > static_cast<T>(rcond) * smax ? pv[i * k + j] / s[j] : T(0);
    if (k > 0 && m > 0 && n > 0) {
      if constexpr (std::is_same_v<T, double>)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, m, k, 1.0, pv, k, usv[0].data<T>(), k, 0.0, r.data<T>(), m);
      else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, m, k, 1.0f, pv, k, usv[0].data<T>(), k, 0.0f, r.data<T>(), m);
    }
    return 0;
  });
  return r;
}

NDArray expm(const NDArray& a_in, const char* who) {
  check_square(a_in, who);
  const int n = as_int(a_in.shape(0));
  NDArray A = a_in.astype(DType::Float64);
  if (n == 0) return A.astype(a_in.dtype());
  const int64_t nn = static_cast<int64_t>(n) * n;
  double* pa = A.data<double>();
  double norm1 = 0;
  for (int j = 0; j < n; ++j) {
    double c = 0;
    for (int i = 0; i < n; ++i) c += std::fabs(pa[static_cast<int64_t>(i) * n + j]);
    norm1 = std::max(norm1, c);
  }
  if (!std::isfinite(norm1)) value_error("[", who, "] the matrix holds NaN or inf");
  constexpr double theta13 = 5.371920351148152;
  int s = norm1 > theta13 ? static_cast<int>(std::ceil(std::log2(norm1 / theta13))) : 0;
  const double scale = std::ldexp(1.0, -s);
  for (int64_t i = 0; i < nn; ++i) pa[i] *= scale;
  static const double b[] = {64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
                             129060195264000.0,   10559470521600.0,    670442572800.0,     33522128640.0,
                             1323241920.0,        40840800.0,          960960.0,           16380.0,
                             182.0,               1.0};
  std::vector<double> A2(nn), A4(nn), A6(nn), t(nn), u(nn);
  mm(n, pa, pa, A2.data());
  mm(n, A2.data(), A2.data(), A4.data());
  mm(n, A4.data(), A2.data(), A6.data());
  NDArray U(DType::Float64, {n, n}), V(DType::Float64, {n, n});
  double *pu = U.data<double>(), *pv = V.data<double>();
  // U = A [A6 (b13 A6 + b11 A4 + b9 A2) + b7 A6 + b5 A4 + b3 A2 + b1 I]
  for (int64_t i = 0; i < nn; ++i) t[i] = b[13] * A6[i] + b[11] * A4[i] + b[9] * A2[i];
  mm(n, A6.data(), t.data(), u.data());
  for (int64_t i = 0; i < nn; ++i) u[i] += b[7] * A6[i] + b[5] * A4[i] + b[3] * A2[i];
  for (int i = 0; i < n; ++i) u[static_cast<int64_t>(i) * n + i] += b[1];
  mm(n, pa, u.data(), pu);
  // V = A6 (b12 A6 + b10 A4 + b8 A2) + b6 A6 + b4 A4 + b2 A2 + b0 I
  for (int64_t i = 0; i < nn; ++i) t[i] = b[12] * A6[i] + b[10] * A4[i] + b[8] * A2[i];
  mm(n, A6.data(), t.data(), pv);
  for (int64_t i = 0; i < nn; ++i) pv[i] += b[6] * A6[i] + b[4] * A4[i] + b[2] * A2[i];
  for (int i = 0; i < n; ++i) pv[static_cast<int64_t>(i) * n + i] += b[0];
  // R = (V - U)^-1 (V + U), then squared s times.
  NDArray P(DType::Float64, {n, n}), Q(DType::Float64, {n, n});
  for (int64_t i = 0; i < nn; ++i) {
    P.data<double>()[i] = pv[i] + pu[i];
    Q.data<double>()[i] = pv[i] - pu[i];
  }
  NDArray R = solve(Q, P, "gen", true, false, who);
  for (int i = 0; i < s; ++i) {
    mm(n, R.data<double>(), R.data<double>(), t.data());
    std::copy(t.begin(), t.end(), R.data<double>());
  }
  return R.astype(a_in.dtype());
}

NDArray expm_grad(const NDArray& a, const NDArray& g, const char* who) {
  check_square(a, who);
  const int64_t n = a.shape(0);
  if (g.shape() != a.shape()) value_error("[", who, "] gradient ", shape_str(g.shape()), " and A ", shape_str(a.shape()), " differ");
  NDArray at = a.transpose().astype(DType::Float64), gd = g.astype(DType::Float64);
  NDArray M = NDArray::zeros(DType::Float64, {2 * n, 2 * n});
  double* pm = M.data<double>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const double v = at.data<double>()[i * n + j];
      pm[i * 2 * n + j] = v;
      pm[(i + n) * 2 * n + j + n] = v;
      pm[i * 2 * n + j + n] = gd.data<double>()[i * n + j];
    }
  NDArray E = expm(M, who);
  NDArray r(DType::Float64, {n, n});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) r.data<double>()[i * n + j] = E.data<double>()[i * 2 * n + j + n];
  return r.astype(a.dtype());
}

NDArray fold_triangle(const NDArray& g_in, bool lower) {
  NDArray g = g_in.astype(DType::Float64);
  const int64_t n = g.shape(0);
  NDArray r = NDArray::zeros(DType::Float64, {n, n});
  const double* pg = g.data<double>();
  double* pr = r.data<double>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const bool keep = lower ? j <= i : j >= i;
      if (keep) pr[i * n + j] = pg[i * n + j] + (i != j ? pg[j * n + i] : 0.0);
    }
  return r.astype(g_in.dtype());
}

NDArray eigh_grad(const NDArray& w_in, const NDArray& v_in, const NDArray* gw, const NDArray* gv, bool lower) {
  const int64_t n = v_in.shape(0);
  NDArray w = w_in.astype(DType::Float64), v = v_in.astype(DType::Float64);
  const double *pw = w.data<double>(), *pv = v.data<double>();
  // M = diag(gw) + K^T, K[m, c] = (v^T gv)[m, c] / (w[c] - w[m]); g = v M v^T.
  NDArray M = NDArray::zeros(DType::Float64, {n, n});
  double* pm = M.data<double>();
  if (gv) {
    NDArray gvd = gv->astype(DType::Float64);
    if (n > 0)
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, n, 1.0, pv, n, gvd.data<double>(), n, 0.0, pm, n);
    NDArray K = M.copy();
    const double* pk = K.data<double>();
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < n; ++c)
        pm[r * n + c] = r == c ? 0.0 : pk[c * n + r] / (pw[r] - pw[c]);  // (K^T)[r, c] = K[c, r]
  }
  if (gw) {
    NDArray gwd = gw->astype(DType::Float64);
    for (int64_t i = 0; i < n; ++i) pm[i * n + i] += gwd.data<double>()[i];
  }
  NDArray t(DType::Float64, {n, n}), g(DType::Float64, {n, n});
  if (n > 0) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, pv, n, pm, n, 0.0, t.data<double>(), n);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0, t.data<double>(), n, pv, n, 0.0, g.data<double>(), n);
  }
  return fold_triangle(g, lower).astype(v_in.dtype());
}

NDArray qr_grad(const NDArray& q_in, const NDArray& r_in, const NDArray* dq_in, const NDArray* dr_in, const char* who) {
  const int64_t m = q_in.shape(0), n = r_in.shape(1);
  if (m < n || q_in.shape(1) != n || r_in.shape(0) != n)
    value_error("[", who, "] the QR gradient is implemented for the reduced factorisation of a tall or square matrix, got q ",
                shape_str(q_in.shape()), " and r ", shape_str(r_in.shape()));
  NDArray q = q_in.astype(DType::Float64), r = r_in.astype(DType::Float64);
  NDArray dq = dq_in ? dq_in->astype(DType::Float64) : NDArray::zeros(DType::Float64, {m, n});
  NDArray dr = dr_in ? dr_in->astype(DType::Float64) : NDArray::zeros(DType::Float64, {n, n});
  NDArray M(DType::Float64, {n, n});
  NDArray B = dq.copy();
  if (n == 0 || m == 0) return B.astype(q_in.dtype());
  double* pm = M.data<double>();
  // M = r dr^T - dq^T q
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0, r.data<double>(), n, dr.data<double>(), n, 0.0, pm, n);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, m, -1.0, dq.data<double>(), n, q.data<double>(), n, 1.0, pm, n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) pm[i * n + j] = pm[j * n + i];  // copyltu
  // B = dq + q M, then B r^-T (solve X r^T = B from the right).
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, n, 1.0, q.data<double>(), n, pm, n, 1.0, B.data<double>(), n);
  const double* pr = r.data<double>();
  for (int64_t i = 0; i < n; ++i)
    if (pr[i * n + i] == 0.0) value_error("[", who, "] the QR gradient needs a full-rank matrix (R[", i, ",", i, "] is 0)");
  cblas_dtrsm(CblasRowMajor, CblasRight, CblasUpper, CblasTrans, CblasNonUnit, m, n, 1.0, pr, n, B.data<double>(), n);
  return B.astype(q_in.dtype());
}

}  // namespace hypatia::kernels
