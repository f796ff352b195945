// The AVX-512 slice sums (row_sums.cpp) behind sp_sum over the inner axis: slices of 0 to 40
// entries (both sides of the two-load limit of 16 float64 or 32 float32), float32 and float64,
// int32 and int64 indptr, CSR row sums and CSC column sums, skewed slices, 1 and 2 threads;
// against sequential sums in long double, and the same bits at every thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hypatia/sparse/kernels/elemwise.h"
#include "hypatia/sparse/kernels/spmm_tiled.h"
#include "hypatia/util/parallel.h"

using namespace hypatia;
namespace sk = hypatia::sparse_kernels;

namespace {

// outer slices of 0..40 entries (every 50th slice 300), values in [-1, 1) with a few large ones
// so that the order of a sum shows; the indices are the positions 0..len-1.
SparseMatrix slices(SparseFormat f, int64_t outer, DType dt, DType idt, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> len(0, 40);
  std::uniform_real_distribution<double> val(-1.0, 1.0);
  std::vector<double> data;
  std::vector<int64_t> idx, ptr{0};
  for (int64_t o = 0; o < outer; ++o) {
    const int n = o % 50 == 0 ? 300 : len(rng);
    for (int k = 0; k < n; ++k) idx.push_back(k), data.push_back(k % 17 == 0 ? 1e6 * val(rng) : val(rng));
    ptr.push_back(static_cast<int64_t>(idx.size()));
  }
  NDArray d(DType::Float64, {static_cast<int64_t>(data.size())}), i(DType::Int64, {static_cast<int64_t>(idx.size())}),
      p(DType::Int64, {static_cast<int64_t>(ptr.size())});
  std::copy(data.begin(), data.end(), d.data<double>());
  std::copy(idx.begin(), idx.end(), i.data<int64_t>());
  std::copy(ptr.begin(), ptr.end(), p.data<int64_t>());
  const int64_t rows = f == SparseFormat::CSR ? outer : 300, cols = f == SparseFormat::CSR ? 300 : outer;
  return SparseMatrix(f, rows, cols, d.astype(dt), i.astype(idt), p.astype(idt));
}

struct Restore {
  bool simd = sk::tiled::use_avx512(), omp = openmp_enabled();
  ~Restore() {
    sk::tiled::set_avx512(simd);
    set_openmp(omp);
  }
};

}  // namespace

TEST(SliceSums, MaskedLoadsMatchSequentialSumsAtAnyThreadCount) {
  Restore restore;
  std::mt19937_64 rng(41);
  for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC})
    for (DType dt : {DType::Float32, DType::Float64})
      for (DType idt : {DType::Int32, DType::Int64}) {
        SCOPED_TRACE(std::string(format_name(f)) + " " + dtype_name(dt) + " " + dtype_name(idt));
        const SparseMatrix m = slices(f, 20000, dt, idt, rng);  // ~400k entries: parallel at 2 threads
        const int axis = f == SparseFormat::CSR ? 1 : 0;
        sk::tiled::set_avx512(true);
        set_openmp(false);
        const NDArray one = sk::sum(m, axis, dt).astype(DType::Float64);
        set_openmp(true);
        const NDArray two = sk::sum(m, axis, dt).astype(DType::Float64);
        sk::tiled::set_avx512(false);
        const NDArray plain = sk::sum(m, axis, dt).astype(DType::Float64);
        ASSERT_EQ(one.size(), m.outer_size());
        const NDArray data = m.data().astype(DType::Float64), ptr = m.indptr().astype(DType::Int64);
        const int64_t* p = ptr.data<int64_t>();
        const double eps = dt == DType::Float32 ? 1e-6 : 1e-15;
        for (int64_t o = 0; o < m.outer_size(); ++o) {
          long double want = 0, mag = 0;
          for (int64_t k = p[o]; k < p[o + 1]; ++k) want += data.data<double>()[k], mag += std::fabs(data.data<double>()[k]);
          const double tol = 64 * eps * static_cast<double>(mag);
          ASSERT_NEAR(one.data<double>()[o], static_cast<double>(want), tol) << "slice " << o;
          ASSERT_NEAR(plain.data<double>()[o], static_cast<double>(want), tol) << "slice " << o;
          ASSERT_EQ(one.data<double>()[o], two.data<double>()[o]) << "slice " << o << ": thread count changed the sum";
        }
      }
}
