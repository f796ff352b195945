// from_dense's run scan (dense_runs.cpp): the AVX-512 compress path against the portable one and
// against x != 0 itself, for rows of 0 to 1000 entries (runs of 16 and their tails), NaN, +-0,
// +-inf and subnormals, float32/float64, CSR of C-ordered and CSC of F-ordered arrays (both
// contiguous), and 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "hypatia/util/parallel.h"
#include "hypatia/value/dense_runs.h"
#include "hypatia/value/sparse_matrix.h"

using namespace hypatia;
namespace sk = hypatia::sparse_kernels;

namespace {

struct Restore {
  bool simd = sk::dense_runs_avx512(), omp = openmp_enabled();
  ~Restore() {
    sk::set_dense_runs_avx512(simd);
    set_openmp(omp);
  }
};

template <class T>
NDArray special_dense(int64_t rows, int64_t cols, std::mt19937_64& rng) {
  NDArray d = NDArray::zeros(dtype_v<T>, {rows, cols});
  T* p = d.data<T>();
  const T specials[] = {std::numeric_limits<T>::quiet_NaN(), T(-0.0), std::numeric_limits<T>::infinity(),
                        -std::numeric_limits<T>::infinity(), std::numeric_limits<T>::denorm_min(), T(1.5), T(-2)};
  std::uniform_int_distribution<int> pick(0, 99);
  for (int64_t k = 0; k < rows * cols; ++k) {
    const int r = pick(rng);
    if (r < 7) p[k] = specials[r];          // 7 %: one of the specials (-0 stays implicit)
    else if (r < 10) p[k] = T(r - 5) / 3;   // 3 %: ordinary values
  }
  return d;
}

template <class T>
void expect_same_bits(const SparseMatrix& a, const SparseMatrix& b) {
  ASSERT_EQ(a.nnz(), b.nnz());
  EXPECT_EQ(0, std::memcmp(a.indices().raw(), b.indices().raw(), a.nnz() * itemsize(a.indices().dtype())));
  EXPECT_EQ(0, std::memcmp(a.indptr().raw(), b.indptr().raw(), a.indptr().size() * itemsize(a.indptr().dtype())));
  EXPECT_EQ(0, std::memcmp(a.data().raw(), b.data().raw(), a.nnz() * sizeof(T)));
}

template <class T>
void check_dtype() {
  Restore restore;
  std::mt19937_64 rng(sizeof(T));
  for (int64_t cols : {0, 1, 15, 16, 17, 40, 1000}) {
    const int64_t rows = cols == 1000 ? 300 : 70;  // 300 x 1000: parallel at 2 threads
    const NDArray dense = special_dense<T>(rows, cols, rng);
    const NDArray fortran = dense.transpose().contiguous().transpose();  // column-contiguous
    for (auto [src, f] : {std::pair{dense, SparseFormat::CSR}, std::pair{fortran, SparseFormat::CSC}}) {
      SCOPED_TRACE(std::to_string(cols) + " cols, " + format_name(f));
      // The definition: x != 0, in storage order.
      int64_t want = 0;
      const T* p = dense.data<T>();
      for (int64_t k = 0; k < rows * cols; ++k) want += p[k] != T(0);
      sk::set_dense_runs_avx512(false);
      set_openmp(false);
      const SparseMatrix portable = SparseMatrix::from_dense(src, f);
      EXPECT_EQ(portable.nnz(), want);
      portable.validate();
      const NDArray back = portable.to_dense();
      int64_t differ = 0;
      for (int64_t k = 0; k < rows * cols; ++k) {
        const T x = p[k], y = back.data<T>()[k];
        differ += !(x == y || (std::isnan(x) && std::isnan(y)));
      }
      EXPECT_EQ(differ, 0);
      for (bool simd : {true, false})
        for (bool omp : {false, true}) {
          sk::set_dense_runs_avx512(simd);
          set_openmp(omp);
          expect_same_bits<T>(SparseMatrix::from_dense(src, f), portable);
        }
    }
  }
}

}  // namespace

TEST(DenseRuns, CompressScanMatchesPortableScanBitForBitFloat64) { check_dtype<double>(); }
TEST(DenseRuns, CompressScanMatchesPortableScanBitForBitFloat32) { check_dtype<float>(); }
