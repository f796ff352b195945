// The tiled float32/float64 product kernels (spmm_tiled.*) through sk::spmm / sk::sddmm /
// sk::dense_spmm: against a plain dense reference, in both builds (AVX2 and baseline), for widths
// around the register tiles, messy structures (unsorted, duplicates, explicit zeros, empty and
// very long rows), bitwise equal results for 1 and 2 threads, and SamplingDot's output reuse.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "hypatia/graph/op.h"
#include "hypatia/sparse/api.h"
#include "hypatia/sparse/products.h"
#include "hypatia/sparse/kernels/spmm.h"
#include "hypatia/sparse/kernels/spmm_tiled.h"
#include "hypatia/util/parallel.h"
#include "hypatia/tensor/api.h"
#include "hypatia/value/sparse_matrix.h"

using namespace hypatia;
namespace sk = hypatia::sparse_kernels;

namespace {

// A CSR (or, read transposed, CSC) structure with the given row lengths: random columns with
// repeats (duplicates), indices in random (unsorted) order, every 7th value an explicit zero.
template <class T, class I>
SparseMatrix build(SparseFormat f, int64_t outer, int64_t inner, const std::vector<int64_t>& lens, std::mt19937_64& rng) {
  // A matrix with no columns (rows, in CSC) can store nothing.
  auto len = [&](int64_t o) { return inner > 0 ? lens[o] : 0; };
  int64_t nnz = 0;
  for (int64_t o = 0; o < outer; ++o) nnz += len(o);
  const DType idt = sizeof(I) == 4 ? DType::Int32 : DType::Int64;
  NDArray data(dtype_v<T>, {nnz}), idx(idt, {nnz}), ptr(idt, {outer + 1});
  std::uniform_int_distribution<int64_t> col(0, std::max<int64_t>(inner - 1, 0));
  std::normal_distribution<double> val(0, 1);
  int64_t k = 0;
  ptr.data<I>()[0] = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t e = 0; e < len(o); ++e, ++k) {
      idx.data<I>()[k] = static_cast<I>(col(rng));
      data.data<T>()[k] = k % 7 == 3 ? T(0) : static_cast<T>(val(rng));
    }
    ptr.data<I>()[o + 1] = static_cast<I>(k);
  }
  const int64_t rows = f == SparseFormat::CSR ? outer : inner, cols = f == SparseFormat::CSR ? inner : outer;
  return SparseMatrix(f, rows, cols, data, idx, ptr);
}

template <class T>
NDArray random_array(Shape s, std::mt19937_64& rng) {
  NDArray a(dtype_v<T>, s);
  std::normal_distribution<double> n(0, 1);
  for (int64_t i = 0; i < a.size(); ++i) a.data<T>()[i] = static_cast<T>(n(rng));
  return a;
}

// Row lengths: empty rows, short rows, and (skewed) a few rows far longer than the rest.
std::vector<int64_t> skewed_lengths(int64_t outer, std::mt19937_64& rng, int64_t big) {
  std::vector<int64_t> lens(outer);
  std::uniform_int_distribution<int64_t> len(0, 6);
  for (int64_t o = 0; o < outer; ++o) lens[o] = o % 5 == 0 ? 0 : len(rng);
  if (outer > 3) lens[1] = big, lens[outer / 2] = big / 2 + 1;
  return lens;
}

// |got - want| <= tol * (scale + 1) elementwise, where scale bounds the sum of |terms|.
template <class T>
void expect_near_all(const T* got, const std::vector<double>& want, const std::vector<double>& scale, int64_t n,
                     const std::string& what) {
  const double tol = std::is_same_v<T, float> ? 2e-6 : 1e-14;
  for (int64_t i = 0; i < n; ++i)
    ASSERT_LE(std::abs(double(got[i]) - want[i]), tol * (scale[i] + 1)) << what << " at " << i;
}

// out (+)= alpha * A . B, reference in double over the structure (duplicates summed, zeros kept).
template <class T, class I>
void reference_spmm(const SparseMatrix& a, const NDArray& b, const NDArray* init, double alpha, std::vector<double>& want,
                    std::vector<double>& scale) {
  const bool vec = b.ndim() == 1;
  const int64_t n = vec ? 1 : b.shape(1), m = a.rows();
  want.assign(m * n, 0.0);
  scale.assign(m * n, 0.0);
  const T* d = a.data().data<T>();
  const I* ix = a.indices().data<I>();
  const I* p = a.indptr().data<I>();
  const T* B = b.data<T>();
  for (int64_t o = 0; o < a.outer_size(); ++o)
    for (int64_t k = p[o]; k < p[o + 1]; ++k) {
      const int64_t r = a.format() == SparseFormat::CSR ? o : ix[k], c = a.format() == SparseFormat::CSR ? ix[k] : o;
      for (int64_t j = 0; j < n; ++j) {
        const double t = alpha * double(d[k]) * double(B[c * n + j]);
        want[r * n + j] += t;
        scale[r * n + j] += std::abs(t);
      }
    }
  if (init)
    for (int64_t i = 0; i < m * n; ++i) want[i] += double(init->data<T>()[i]), scale[i] += std::abs(want[i]);
}

// 0: baseline x86-64 build, 1: AVX2+FMA, 2: AVX2 with AVX-512VL SpMM tiles (1 where the CPU
// lacks AVX-512, 0 where it lacks AVX2).
struct Builds : ::testing::TestWithParam<int> {
  void SetUp() override {
    sk::tiled::set_avx2(GetParam() >= 1);
    sk::tiled::set_avx512(GetParam() == 2);
  }
  void TearDown() override {
    sk::tiled::set_avx2(true);
    sk::tiled::set_avx512(true);
    set_openmp(true);
  }
};

template <class T, class I>
void check_spmm_case(SparseFormat f, int64_t rows, int64_t cols, int64_t n, int64_t big, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int64_t outer = f == SparseFormat::CSR ? rows : cols, inner = f == SparseFormat::CSR ? cols : rows;
  SparseMatrix a = build<T, I>(f, outer, inner, skewed_lengths(outer, rng, big), rng);
  NDArray b = n == 0 ? random_array<T>({cols}, rng) : random_array<T>({cols, n}, rng);
  const Shape os = n == 0 ? Shape{rows} : Shape{rows, n};
  const int64_t total = rows * std::max<int64_t>(n, 1);
  std::vector<double> want, scale;
  const std::string what = std::string(dtype_name(dtype_v<T>)) + (f == SparseFormat::CSR ? " csr" : " csc") +
                           " n=" + std::to_string(n) + " rows=" + std::to_string(rows);
  // Overwrite: 1 and 2 threads bitwise equal, both near the reference.
  NDArray o1(dtype_v<T>, os), o2(dtype_v<T>, os);
  set_openmp(false);
  sk::spmm(a, b, o1);
  set_openmp(true);
  sk::spmm(a, b, o2);
  reference_spmm<T, I>(a, b, nullptr, 1.0, want, scale);
  expect_near_all(o1.data<T>(), want, scale, total, what);
  // CSR and CSC column blocks keep each element's order; CSC partial outputs (n < 4 threads)
  // sum per-thread partials, so only CSR and wide CSC are bitwise equal across thread counts.
  if (f == SparseFormat::CSR || n >= 8) EXPECT_EQ(0, std::memcmp(o1.data<T>(), o2.data<T>(), total * sizeof(T))) << what;
  // Accumulate with alpha = -0.5 into a non-zero output (the usmm path).
  NDArray init = random_array<T>(os, rng), acc = init.copy();
  NDArray alpha(dtype_v<T>, {1});
  alpha.data<T>()[0] = T(-0.5);
  sk::spmm(a, b, acc, true, &alpha);
  reference_spmm<T, I>(a, b, &init, -0.5, want, scale);
  expect_near_all(acc.data<T>(), want, scale, total, what + " accumulate");
}

}  // namespace

TEST_P(Builds, SpmmWidthsAroundTheTiles) {
  // 1..9, 64/65 and 128/129 cover the scalar tail and the 1/2/4/8/16-vector tiles of both float
  // widths; 0 = a vector b (SpMV).
  for (int64_t n : {0, 1, 3, 7, 8, 9, 16, 31, 64, 65, 128, 129}) {
    check_spmm_case<double, int32_t>(SparseFormat::CSR, 37, 23, n, 40, 1 + n);
    check_spmm_case<float, int32_t>(SparseFormat::CSR, 37, 23, n, 40, 2 + n);
    check_spmm_case<double, int64_t>(SparseFormat::CSC, 29, 31, n, 30, 3 + n);
    check_spmm_case<float, int64_t>(SparseFormat::CSC, 29, 31, n, 30, 4 + n);
  }
}

TEST_P(Builds, SpmmOutputsOverSixteenMegabytesTakeStreamingStores) {
  // A fresh output of 16 MB or more is written with non-temporal stores (csr_spmm, kStreamBytes)
  // where a tile's start is 32-byte aligned: 65 float64 columns put every fourth row's tiles on
  // that alignment and the rest off it, so both stores run; 128 float32 columns align them all.
  check_spmm_case<double, int32_t>(SparseFormat::CSR, 33000, 500, 65, 40, 11);
  check_spmm_case<float, int64_t>(SparseFormat::CSR, 33000, 500, 128, 40, 12);
}

TEST_P(Builds, SpmmParallelSkewedRowsSameForOneAndTwoThreads) {
  // Large enough for the parallel paths; a few rows hold most of the entries.
  for (int64_t n : {0, 1, 9, 64}) {
    check_spmm_case<double, int32_t>(SparseFormat::CSR, 4000, 3000, n, 60000, 10 + n);
    check_spmm_case<float, int64_t>(SparseFormat::CSR, 4000, 3000, n, 60000, 11 + n);
  }
  check_spmm_case<double, int32_t>(SparseFormat::CSC, 3000, 4000, 0, 60000, 12);
  // CSC x dense: column blocks per thread (n = 64) and per-thread partial outputs (n = 1).
  check_spmm_case<double, int32_t>(SparseFormat::CSC, 3000, 4000, 64, 60000, 13);
  check_spmm_case<float, int64_t>(SparseFormat::CSC, 3000, 4000, 1, 60000, 14);
}

TEST_P(Builds, SpmmEmptyMatrices) {
  for (int64_t n : {0, 8}) {
    check_spmm_case<double, int32_t>(SparseFormat::CSR, 0, 5, n, 0, 20);
    check_spmm_case<float, int32_t>(SparseFormat::CSR, 6, 0, n, 0, 21);
  }
}

TEST_P(Builds, SpmmStridedRowsOfB) {
  // b a column slice of a wider matrix (row stride 70, unit column stride): the tiled path
  // reads rows with their own stride.
  std::mt19937_64 rng(30);
  SparseMatrix a = build<double, int32_t>(SparseFormat::CSR, 50, 40, skewed_lengths(50, rng, 30), rng);
  NDArray wide = random_array<double>({40, 70}, rng);
  NDArray b = wide.slice(1, 3, 67, 1), bc = b.copy();
  NDArray o(DType::Float64, {50, 64}), oc(DType::Float64, {50, 64});
  sk::spmm(a, b, o);
  sk::spmm(a, bc, oc);
  EXPECT_EQ(0, std::memcmp(o.data<double>(), oc.data<double>(), 50 * 64 * sizeof(double)));
}

template <class T>
void check_sddmm(SparseFormat f, int64_t rows, int64_t cols, int64_t K, int64_t big, bool scale, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int64_t outer = f == SparseFormat::CSR ? rows : cols, inner = f == SparseFormat::CSR ? cols : rows;
  SparseMatrix p = build<T, int32_t>(f, outer, inner, skewed_lengths(outer, rng, big), rng);
  NDArray x = random_array<T>({rows, K}, rng), y = random_array<T>({cols, K}, rng);
  set_openmp(false);
  NDArray o1 = sk::sddmm(p, x, y, scale, dtype_v<T>);
  set_openmp(true);
  NDArray o2 = sk::sddmm(p, x, y, scale, dtype_v<T>);
  const int64_t nnz = p.nnz();
  std::vector<double> want(nnz), sc(nnz);
  const int32_t* ix = p.indices().data<int32_t>();
  const int32_t* pp = p.indptr().data<int32_t>();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = pp[o]; k < pp[o + 1]; ++k) {
      const int64_t i = f == SparseFormat::CSR ? o : ix[k], j = f == SparseFormat::CSR ? ix[k] : o;
      const double w = scale ? double(p.data().data<T>()[k]) : 1.0;
      for (int64_t t = 0; t < K; ++t) {
        const double term = w * double(x.data<T>()[i * K + t]) * double(y.data<T>()[j * K + t]);
        want[k] += term;
        sc[k] += std::abs(term);
      }
    }
  const std::string what = std::string(dtype_name(dtype_v<T>)) + " sddmm K=" + std::to_string(K);
  expect_near_all(o1.data<T>(), want, sc, nnz, what);
  EXPECT_EQ(0, std::memcmp(o1.data<T>(), o2.data<T>(), nnz * sizeof(T))) << what;
}

TEST_P(Builds, SddmmWidthsFormatsAndSkew) {
  for (int64_t K : {1, 3, 7, 8, 9, 16, 17, 64, 65}) {
    for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC}) {
      check_sddmm<double>(f, 33, 21, K, 25, true, 40 + K);
      check_sddmm<float>(f, 33, 21, K, 25, false, 41 + K);
    }
  }
  check_sddmm<double>(SparseFormat::CSR, 3000, 2000, 64, 50000, true, 50);
  check_sddmm<float>(SparseFormat::CSC, 2000, 3000, 33, 50000, true, 51);
}

INSTANTIATE_TEST_SUITE_P(SpmmTiled, Builds, ::testing::Values(0, 1, 2), [](const auto& info) {
  return std::string(info.param == 0 ? "Baseline" : info.param == 1 ? "Avx2" : "Avx512");
});

TEST(SpmmTiled, BalancedChunksSplitAtSliceBoundariesByCost) {
  // 10 slices; slice 2 holds 90 of the 100 entries.
  const int32_t ptr[] = {0, 1, 2, 92, 93, 94, 95, 96, 97, 98, 100};
  const auto b = sk::tiled::balanced_chunks(ptr, 10, 0, 4);
  ASSERT_EQ(b.size(), 5u);
  EXPECT_EQ(b.front(), 0);
  EXPECT_EQ(b.back(), 10);
  for (size_t c = 1; c < b.size(); ++c) EXPECT_LE(b[c - 1], b[c]);
  // The heavy slice ends the first chunk that reaches a quarter of the cost.
  EXPECT_EQ(b[1], 3);
  // Empty input and more chunks than slices.
  const int64_t p0[] = {0};
  EXPECT_EQ(sk::tiled::balanced_chunks(p0, 0, 1, 8), (std::vector<int64_t>{0, 0}));
  const int64_t p2[] = {0, 5, 5};
  EXPECT_EQ(sk::tiled::balanced_chunks(p2, 2, 1, 8).back(), 2);
}

TEST(SpmmTiled, TiledAndGenericLoopsAgree) {
  // set_enabled(false) runs the generic loops (the pre-tiling code) on the same inputs.
  std::mt19937_64 rng(60);
  SparseMatrix a = build<double, int32_t>(SparseFormat::CSR, 300, 200, skewed_lengths(300, rng, 500), rng);
  NDArray b = random_array<double>({200, 65}, rng), v = random_array<double>({200}, rng);
  NDArray x = random_array<double>({300, 65}, rng), y = random_array<double>({200, 65}, rng);
  NDArray t1(DType::Float64, {300, 65}), g1(DType::Float64, {300, 65}), t2(DType::Float64, {300}),
      g2(DType::Float64, {300});
  sk::spmm(a, b, t1);
  sk::spmm(a, v, t2);
  NDArray t3 = sk::sddmm(a, x, y, true, DType::Float64);
  sk::tiled::set_enabled(false);
  sk::spmm(a, b, g1);
  sk::spmm(a, v, g2);
  NDArray g3 = sk::sddmm(a, x, y, true, DType::Float64);
  sk::tiled::set_enabled(true);
  EXPECT_TRUE(allclose(t1, g1, 1e-12, 1e-12));
  EXPECT_TRUE(allclose(t2, g2, 1e-12, 1e-12));
  EXPECT_TRUE(allclose(t3, g3, 1e-12, 1e-12));
}

TEST(SpmmTiled, SamplingDotReusesItsUnsharedOutputData) {
  Var xv = matrix(DType::Float64, "x"), yv = matrix(DType::Float64, "y"), pv = sparse::csr_matrix("p");
  Var out = sparse::sampling_dot(xv, yv, pv);
  std::mt19937_64 rng(70);
  SparseMatrix p = build<double, int32_t>(SparseFormat::CSR, 40, 30, skewed_lengths(40, rng, 20), rng);
  Value ins[3] = {random_array<double>({40, 8}, rng), random_array<double>({30, 8}, rng), p};
  const Value* ptrs[3] = {&ins[0], &ins[1], &ins[2]};
  Value o;
  out.owner()->op()->perform(*out.owner(), ptrs, &o);
  const NDArray first = std::get<SparseMatrix>(o).data().copy();
  const void* buf = std::get<SparseMatrix>(o).data().raw();
  // Nothing else holds the result: the next call writes into the same array, same values.
  out.owner()->op()->perform(*out.owner(), ptrs, &o);
  EXPECT_EQ(std::get<SparseMatrix>(o).data().raw(), buf);
  EXPECT_TRUE(allclose(std::get<SparseMatrix>(o).data(), first, 0, 0));
  // A result someone still holds is never overwritten: the next call gets a fresh array.
  const SparseMatrix held = std::get<SparseMatrix>(o);
  ins[0] = random_array<double>({40, 8}, rng);
  out.owner()->op()->perform(*out.owner(), ptrs, &o);
  EXPECT_NE(std::get<SparseMatrix>(o).data().raw(), held.data().raw());
  EXPECT_TRUE(allclose(held.data(), first, 0, 0));
}
