// The one place that names BLAS/LAPACK symbols: kernels include this instead of <cblas.h>.
//
// Hypatia links one of two OpenBLAS builds (CMake option HYPATIA_BLAS, README "Design notes"):
// the system's (Debian's libopenblas-dev, plain names `cblas_dgemm`, `dgetrf_`) or the one numpy
// and scipy ship on PyPI (the scipy-openblas32 wheel), whose every symbol carries a `scipy_`
// prefix so that it can share a process with other BLAS copies. The build defines
// HYPATIA_BLAS_SCIPY_OPENBLAS for the latter; this header then maps the plain names the kernels
// use onto the prefixed ones, so kernel code reads the same either way. A kernel that needs a
// new BLAS/LAPACK routine adds its name to the list below (a missing entry fails to link with
// the wheel, never silently).
#pragma once

#include <cblas.h>

#include <cstddef>

#ifdef HYPATIA_BLAS_SCIPY_OPENBLAS
#define cblas_sdot scipy_cblas_sdot
#define cblas_ddot scipy_cblas_ddot
#define cblas_sgemm scipy_cblas_sgemm
#define cblas_dgemm scipy_cblas_dgemm
#define cblas_sgemv scipy_cblas_sgemv
#define cblas_dgemv scipy_cblas_dgemv
#define cblas_sger scipy_cblas_sger
#define cblas_dger scipy_cblas_dger
#define cblas_strsm scipy_cblas_strsm
#define cblas_dtrsm scipy_cblas_dtrsm
#define sgetrf_ scipy_sgetrf_
#define dgetrf_ scipy_dgetrf_
#define sgetri_ scipy_sgetri_
#define dgetri_ scipy_dgetri_
#define sgetrs_ scipy_sgetrs_
#define dgetrs_ scipy_dgetrs_
#define spotrf_ scipy_spotrf_
#define dpotrf_ scipy_dpotrf_
#endif

// LAPACK (Fortran ABI: arguments by pointer, hidden string lengths last). Both OpenBLAS builds
// carry LAPACK; no LAPACKE header is needed.
extern "C" {
void sgetrf_(const int* m, const int* n, float* a, const int* lda, int* ipiv, int* info);
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void sgetri_(const int* n, float* a, const int* lda, const int* ipiv, float* work, const int* lwork, int* info);
void dgetri_(const int* n, double* a, const int* lda, const int* ipiv, double* work, const int* lwork, int* info);
void sgetrs_(const char* trans, const int* n, const int* nrhs, const float* a, const int* lda, const int* ipiv,
             float* b, const int* ldb, int* info, std::size_t);
void dgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda, const int* ipiv,
             double* b, const int* ldb, int* info, std::size_t);
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info, std::size_t);
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, std::size_t);
}
