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
#define ssyevd_ scipy_ssyevd_
#define dsyevd_ scipy_dsyevd_
#define ssygvd_ scipy_ssygvd_
#define dsygvd_ scipy_dsygvd_
#define sgeev_ scipy_sgeev_
#define dgeev_ scipy_dgeev_
#define sgesdd_ scipy_sgesdd_
#define dgesdd_ scipy_dgesdd_
#define sgeqrf_ scipy_sgeqrf_
#define dgeqrf_ scipy_dgeqrf_
#define sorgqr_ scipy_sorgqr_
#define dorgqr_ scipy_dorgqr_
#define sgelsd_ scipy_sgelsd_
#define dgelsd_ scipy_dgelsd_
#define ssysv_ scipy_ssysv_
#define dsysv_ scipy_dsysv_
#define sposv_ scipy_sposv_
#define dposv_ scipy_dposv_
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
// The linalg family's factorisations (hypatia/linalg/kernels).
void ssyevd_(const char* jobz, const char* uplo, const int* n, float* a, const int* lda, float* w, float* work,
             const int* lwork, int* iwork, const int* liwork, int* info, std::size_t, std::size_t);
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w, double* work,
             const int* lwork, int* iwork, const int* liwork, int* info, std::size_t, std::size_t);
void ssygvd_(const int* itype, const char* jobz, const char* uplo, const int* n, float* a, const int* lda, float* b,
             const int* ldb, float* w, float* work, const int* lwork, int* iwork, const int* liwork, int* info,
             std::size_t, std::size_t);
void dsygvd_(const int* itype, const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* b,
             const int* ldb, double* w, double* work, const int* lwork, int* iwork, const int* liwork, int* info,
             std::size_t, std::size_t);
void sgeev_(const char* jobvl, const char* jobvr, const int* n, float* a, const int* lda, float* wr, float* wi,
            float* vl, const int* ldvl, float* vr, const int* ldvr, float* work, const int* lwork, int* info,
            std::size_t, std::size_t);
void dgeev_(const char* jobvl, const char* jobvr, const int* n, double* a, const int* lda, double* wr, double* wi,
            double* vl, const int* ldvl, double* vr, const int* ldvr, double* work, const int* lwork, int* info,
            std::size_t, std::size_t);
void sgesdd_(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s, float* u, const int* ldu,
             float* vt, const int* ldvt, float* work, const int* lwork, int* iwork, int* info, std::size_t);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
             const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork, int* info,
             std::size_t);
void sgeqrf_(const int* m, const int* n, float* a, const int* lda, float* tau, float* work, const int* lwork, int* info);
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
             int* info);
void sorgqr_(const int* m, const int* n, const int* k, float* a, const int* lda, const float* tau, float* work,
             const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau, double* work,
             const int* lwork, int* info);
void sgelsd_(const int* m, const int* n, const int* nrhs, float* a, const int* lda, float* b, const int* ldb, float* s,
             const float* rcond, int* rank, float* work, const int* lwork, int* iwork, int* info);
void dgelsd_(const int* m, const int* n, const int* nrhs, double* a, const int* lda, double* b, const int* ldb,
             double* s, const double* rcond, int* rank, double* work, const int* lwork, int* iwork, int* info);
void ssysv_(const char* uplo, const int* n, const int* nrhs, float* a, const int* lda, int* ipiv, float* b,
            const int* ldb, float* work, const int* lwork, int* info, std::size_t);
void dsysv_(const char* uplo, const int* n, const int* nrhs, double* a, const int* lda, int* ipiv, double* b,
            const int* ldb, double* work, const int* lwork, int* info, std::size_t);
void sposv_(const char* uplo, const int* n, const int* nrhs, float* a, const int* lda, float* b, const int* ldb,
            int* info, std::size_t);
void dposv_(const char* uplo, const int* n, const int* nrhs, double* a, const int* lda, double* b, const int* ldb,
            int* info, std::size_t);
}
