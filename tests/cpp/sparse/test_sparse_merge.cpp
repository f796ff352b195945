// The two-pass sparse (+, -, *) sparse kernel (merge.cpp), the one-pass dense -> compressed
// conversion and the vectorised validation against plain dense references: both formats, float32
// and float64 (plus bool/int/complex), unsorted indices, duplicates, explicit zeros, cancellation,
// empty slices and matrices, skewed slices, 1 vs 2 threads, and the AVX-512 short-slice kernel
// against the scalar merge.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "hypatia/sparse/kernels/elemwise.h"
#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/kernels/merge.h"
#include "hypatia/sparse/kernels/spmm_tiled.h"
#include "hypatia/util/parallel.h"
#include "support/sparse_random.h"

using namespace hypatia;
using namespace hypatia::testing;
namespace sk = hypatia::sparse_kernels;

namespace {

const SparseFormat kFormats[] = {SparseFormat::CSR, SparseFormat::CSC};
const sk::SpBinary kOps[] = {sk::SpBinary::Add, sk::SpBinary::Sub, sk::SpBinary::Mul};

// Restores config.openmp after a test that turns it off.
struct OpenmpGuard {
  bool was = openmp_enabled();
  ~OpenmpGuard() { set_openmp(was); }
};

// A matrix from raw arrays (outer/inner terms), int32 indices, for duplicates and odd layouts.
SparseMatrix raw(SparseFormat f, int64_t rows, int64_t cols, std::vector<double> data, std::vector<int32_t> idx,
                 std::vector<int32_t> ptr, DType dt = DType::Float64) {
  NDArray d(DType::Float64, {static_cast<int64_t>(data.size())}), i(DType::Int32, {static_cast<int64_t>(idx.size())}),
      p(DType::Int32, {static_cast<int64_t>(ptr.size())});
  std::copy(data.begin(), data.end(), d.data<double>());
  std::copy(idx.begin(), idx.end(), i.data<int32_t>());
  std::copy(ptr.begin(), ptr.end(), p.data<int32_t>());
  return SparseMatrix(f, rows, cols, d.astype(dt), i, p);
}

// Skewed random matrix: slice o has about `base` entries, every 97th slice 40x more, every 13th
// none; values in [-1, 1) with some exact +-1 so that Add/Sub can cancel.
SparseMatrix skewed(SparseFormat f, int64_t rows, int64_t cols, DType dt, std::mt19937_64& rng, int base,
                    bool unsorted = false, bool dups = false) {
  const int64_t outer = f == SparseFormat::CSR ? rows : cols, inner = f == SparseFormat::CSR ? cols : rows;
  std::vector<double> data;
  std::vector<int32_t> idx, ptr{0};
  std::uniform_int_distribution<int64_t> col(0, inner - 1);
  std::uniform_int_distribution<int> val(-4, 4);
  for (int64_t o = 0; o < outer; ++o) {
    const int n = o % 13 == 0 ? 0 : o % 97 == 0 ? base * 40 : base;
    std::vector<int32_t> cs;
    for (int k = 0; k < n; ++k) cs.push_back(static_cast<int32_t>(col(rng)));
    std::sort(cs.begin(), cs.end());
    if (!dups) cs.erase(std::unique(cs.begin(), cs.end()), cs.end());
    if (unsorted) std::reverse(cs.begin(), cs.end());
    for (int32_t c : cs) idx.push_back(c), data.push_back(val(rng) / 4.0);
    ptr.push_back(static_cast<int32_t>(idx.size()));
  }
  return raw(f, rows, cols, data, idx, ptr, dt);
}

double apply(sk::SpBinary op, double x, double y) {
  return op == sk::SpBinary::Add ? x + y : op == sk::SpBinary::Sub ? x - y : x * y;
}

// Checks r == a (op) b densely, and that r is canonical with no stored zeros (scipy's binop).
void expect_binary(const SparseMatrix& a, const SparseMatrix& b, sk::SpBinary op, const SparseMatrix& r) {
  ASSERT_EQ(r.format(), a.format());
  EXPECT_TRUE(sk::has_canonical_format(r));
  EXPECT_FALSE(sk::has_explicit_zeros(r));
  NDArray da = dense_reference(a).astype(DType::Float64), db = dense_reference(b).astype(DType::Float64);
  NDArray dr = dense_reference(r).astype(DType::Float64);
  const double tol = r.dtype() == DType::Float32 ? 1e-5 : 0;
  for (int64_t k = 0; k < da.size(); ++k)
    ASSERT_NEAR(dr.data<double>()[k], apply(op, da.data<double>()[k], db.data<double>()[k]), tol) << "at " << k;
}

bool same(const SparseMatrix& x, const SparseMatrix& y) {
  if (x.nnz() != y.nnz() || x.indptr().dtype() != y.indptr().dtype()) return false;
  NDArray a = dense_reference(x).astype(DType::Float64), b = dense_reference(y).astype(DType::Float64);
  for (int64_t k = 0; k < a.size(); ++k)
    if (a.data<double>()[k] != b.data<double>()[k]) return false;
  return true;
}

}  // namespace

TEST(SparseMerge, LargeSkewedMatchesDenseAndThreadCounts) {
  OpenmpGuard guard;
  std::mt19937_64 rng(7);
  for (SparseFormat f : kFormats)
    for (DType dt : {DType::Float32, DType::Float64}) {
      // 1200 x 900 with ~60 per slice (skewed): above the parallel threshold.
      SparseMatrix a = skewed(f, 1200, 900, dt, rng, 60), b = skewed(f, 1200, 900, dt, rng, 60);
      for (sk::SpBinary op : kOps) {
        SCOPED_TRACE(std::string(format_name(f)) + " " + dtype_name(dt) + " op " + std::to_string(int(op)));
        set_openmp(true);
        SparseMatrix r2 = sk::binary_ss(a, b, op, dt);
        set_openmp(false);
        SparseMatrix r1 = sk::binary_ss(a, b, op, dt);
        expect_binary(a, b, op, r2);
        EXPECT_TRUE(same(r1, r2));
        // x - x and x + (-x) cancel everywhere: every block of the fill pass leaves a gap.
        set_openmp(true);
        SparseMatrix z = sk::binary_ss(a, a, sk::SpBinary::Sub, dt);
        EXPECT_EQ(z.nnz(), 0);
        EXPECT_EQ(z.indices().size(), 0);
      }
    }
}

TEST(SparseMerge, PartialCancellationCompactsBlocks) {
  OpenmpGuard guard;
  std::mt19937_64 rng(8);
  SparseMatrix a = skewed(SparseFormat::CSR, 3000, 500, DType::Float64, rng, 30);
  // b = a with every other slice negated: those slices cancel in a + b, the others double.
  NDArray bd = a.data().copy();
  for (int64_t o = 0; o < a.rows(); o += 2)
    for (int64_t k = index_at(a.indptr(), o); k < index_at(a.indptr(), o + 1); ++k) bd.data<double>()[k] *= -1;
  SparseMatrix b(SparseFormat::CSR, a.rows(), a.cols(), bd, a.indices(), a.indptr());
  for (bool omp : {true, false}) {
    set_openmp(omp);
    SparseMatrix r = sk::binary_ss(a, b, sk::SpBinary::Add, DType::Float64);
    expect_binary(a, b, sk::SpBinary::Add, r);
    EXPECT_EQ(r.indices().size(), r.nnz());
    EXPECT_EQ(r.data().size(), r.nnz());
  }
}

TEST(SparseMerge, MulBoundsWithZerosInfsAndNansInParallel) {
  // The counting pass bounds a * b by the common positions plus one-sided infs/nans; explicit
  // zeros on common positions make the bound loose (gaps closed block by block).
  OpenmpGuard guard;
  std::mt19937_64 rng(13);
  for (DType dt : {DType::Float32, DType::Float64}) {
    SparseMatrix a = skewed(SparseFormat::CSR, 2000, 600, dt, rng, 40);
    SparseMatrix b = skewed(SparseFormat::CSR, 2000, 600, dt, rng, 40);
    NDArray ad = a.data().astype(DType::Float64), bd = b.data().astype(DType::Float64);
    for (int64_t k = 0; k < ad.size(); k += 7) ad.data<double>()[k] = 0.0;
    for (int64_t k = 3; k < ad.size(); k += 501) ad.data<double>()[k] = k % 2 ? NAN : INFINITY;
    SparseMatrix a2(SparseFormat::CSR, a.rows(), a.cols(), ad.astype(dt), a.indices(), a.indptr());
    SparseMatrix b2(SparseFormat::CSR, b.rows(), b.cols(), bd.astype(dt), b.indices(), b.indptr());
    for (bool omp : {true, false}) {
      set_openmp(omp);
      SparseMatrix r = sk::binary_ss(a2, b2, sk::SpBinary::Mul, dt);
      EXPECT_TRUE(sk::has_canonical_format(r));
      EXPECT_EQ(r.indices().size(), r.nnz());
      NDArray da = dense_reference(a2).astype(DType::Float64), db = dense_reference(b2).astype(DType::Float64);
      NDArray dr = dense_reference(r).astype(DType::Float64);
      int64_t stored = 0;
      for (int64_t k = 0; k < da.size(); ++k) {
        const double want = da.data<double>()[k] * db.data<double>()[k], got = dr.data<double>()[k];
        stored += want != 0;  // nan != 0 too
        ASSERT_TRUE((std::isnan(want) && std::isnan(got)) || want == got || std::abs(want - got) <= 1e-6 * std::abs(want))
            << k << ": " << want << " vs " << got;
      }
      EXPECT_EQ(r.nnz(), stored);
    }
  }
}

TEST(SparseMerge, UnsortedDuplicatesExplicitZerosFallBack) {
  OpenmpGuard guard;
  std::mt19937_64 rng(9);
  for (SparseFormat f : kFormats)
    for (DType dt : {DType::Float32, DType::Float64}) {
      SparseMatrix a = skewed(f, 800, 700, dt, rng, 50, /*unsorted=*/true, /*dups=*/true);
      SparseMatrix b = skewed(f, 800, 700, dt, rng, 50, false, /*dups=*/true);
      EXPECT_FALSE(sk::binary_ss_sorted(a, b, sk::SpBinary::Add).has_value());  // detected in pass 1
      for (sk::SpBinary op : kOps) {
        expect_binary(a, b, op, sk::binary_ss(a, b, op, dt));
        expect_binary(b, a, op, sk::binary_ss(b, a, op, dt));
      }
    }
  // Small hand-made cases: explicit zeros and duplicates summing to zero are dropped.
  SparseMatrix x = raw(SparseFormat::CSR, 2, 4, {0.0, 2.0, -2.0, 5.0}, {1, 3, 3, 0}, {0, 3, 4});
  SparseMatrix y = raw(SparseFormat::CSR, 2, 4, {1.0, 0.0}, {2, 0}, {0, 1, 2});
  for (sk::SpBinary op : kOps) expect_binary(x, y, op, sk::binary_ss(x, y, op, DType::Float64));
}

TEST(SparseMerge, EmptyMatricesSlicesAndOtherDtypes) {
  for (SparseFormat f : kFormats)
    for (auto [r, c] : {std::pair<int64_t, int64_t>{0, 0}, {0, 5}, {4, 0}, {3, 3}})
      for (sk::SpBinary op : kOps) {
        SparseMatrix z = SparseMatrix::zeros(f, r, c, DType::Float64);
        SparseMatrix out = sk::binary_ss(z, z, op, DType::Float64);
        EXPECT_EQ(out.nnz(), 0);
        EXPECT_EQ(out.indptr().size(), f == SparseFormat::CSR ? r + 1 : c + 1);
      }
  std::mt19937_64 rng(10);
  for (DType dt : {DType::Bool, DType::Int32, DType::Int64, DType::Complex128})
    for (SparseFormat f : kFormats) {
      SparseMatrix a = random_sparse(f, 6, 5, dt, rng, {.p = 0.5, .lo = -3, .hi = 3});
      SparseMatrix b = random_sparse(f, 6, 5, dt, rng, {.p = 0.5, .lo = -3, .hi = 3, .unsorted_indices = true});
      for (sk::SpBinary op : {sk::SpBinary::Add, sk::SpBinary::Mul}) {
        SparseMatrix out = sk::binary_ss(a, b, op, dt);
        EXPECT_TRUE(sk::has_canonical_format(out));
        EXPECT_FALSE(sk::has_explicit_zeros(out));
        NDArray want = dense_reference(a), got = dense_reference(out), bb = dense_reference(b);
        dispatch_dtype(dt, [&](auto t) {
          using T = decltype(t);
          for (int64_t k = 0; k < want.size(); ++k) {
            const T x = want.data<T>()[k], y = bb.data<T>()[k];
            T e;
            if constexpr (std::is_same_v<T, bool>) e = op == sk::SpBinary::Add ? (x || y) : (x && y);
            else e = op == sk::SpBinary::Add ? T(x + y) : T(x * y);
            EXPECT_TRUE(got.data<T>()[k] == e) << dtype_name(dt) << " at " << k;
          }
        });
      }
    }
}

TEST(SparseMerge, MixedIndexDtypesAndFormats) {
  std::mt19937_64 rng(11);
  SparseMatrix a = random_sparse(SparseFormat::CSR, 7, 6, DType::Float64, rng, {.p = 0.4, .lo = -1, .hi = 1});
  SparseMatrix b = random_sparse(SparseFormat::CSC, 7, 6, DType::Float32, rng,
                                 {.p = 0.4, .lo = -1, .hi = 1, .index_dtype = DType::Int64});
  for (sk::SpBinary op : kOps) {
    SparseMatrix r = sk::binary_ss(a, b, op, DType::Float64);
    EXPECT_EQ(r.indptr().dtype(), DType::Int32);  // scipy's dtype for the shape and nnz
    expect_binary(a, b, op, r);
  }
}

TEST(SparseMerge, MulKeepsNanTimesImplicitZero) {
  // scipy's csr_binop_csr visits the union: nan * (implicit 0) is nan and is stored.
  SparseMatrix a = raw(SparseFormat::CSR, 1, 3, {NAN, 2.0}, {0, 2}, {0, 2});
  SparseMatrix b = raw(SparseFormat::CSR, 1, 3, {3.0}, {2}, {0, 1});
  SparseMatrix r = sk::binary_ss(a, b, sk::SpBinary::Mul, DType::Float64);
  ASSERT_EQ(r.nnz(), 2);
  EXPECT_TRUE(std::isnan(r.data().data<double>()[0]));
  EXPECT_EQ(r.data().data<double>()[1], 6.0);
}

TEST(SparseMerge, BalancedBoundsHandleSkew) {
  // One heavy slice first: the blocks after it still split the rest.
  std::vector<int32_t> ptr{0, 1000, 1001, 1002, 1003, 1004};
  std::vector<int64_t> b = sk::balanced_bounds<int32_t>(ptr.data(), nullptr, 5, 2);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0], 0);
  EXPECT_EQ(b[2], 5);
  EXPECT_GE(b[1], 1);
  EXPECT_LE(b[1], 5);
}

TEST(SparseFromDense, OnePassMatchesReference) {
  OpenmpGuard guard;
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> u(0, 1);
  for (DType dt : {DType::Float32, DType::Float64, DType::Bool, DType::Int16, DType::Complex64})
    for (SparseFormat f : kFormats)
      for (auto [r, c] : {std::pair<int64_t, int64_t>{0, 0}, {0, 7}, {5, 0}, {300, 257}, {37, 2}}) {
        NDArray d = NDArray::zeros(DType::Float64, {r, c});
        for (int64_t k = 0; k < d.size(); ++k) {
          const double x = u(rng);
          // NaN only where the dtype can hold it (casting NaN to an integer is undefined).
          const bool has_nan = dt == DType::Float32 || dt == DType::Float64 || dt == DType::Complex64;
          d.data<double>()[k] = x < 0.9 ? 0.0 : x < 0.92 ? -0.0 : x < 0.93 ? (has_nan ? NAN : 3.0) : x;
          if (k % 1000 == 999) d.data<double>()[k] = 1.0;  // isolated non-zeros in zero runs
        }
        NDArray dd = d.astype(dt);
        for (bool omp : {true, false}) {
          set_openmp(omp);
          SparseMatrix m = sk::from_dense(dd, f);
          m.validate();
          EXPECT_TRUE(sk::has_canonical_format(m));
          EXPECT_FALSE(sk::has_explicit_zeros(m));
          NDArray back = dense_reference(m).astype(DType::Float64), want = dd.astype(DType::Float64);
          for (int64_t k = 0; k < want.size(); ++k) {
            const double x = want.data<double>()[k], y = back.data<double>()[k];
            ASSERT_TRUE((std::isnan(x) && std::isnan(y)) || x == y) << dtype_name(dt) << " at " << k;
          }
        }
      }
  // A strided (transposed) view scans through the generic path.
  NDArray d(DType::Float64, {400, 300});
  for (int64_t k = 0; k < d.size(); ++k) d.data<double>()[k] = k % 7 == 0 ? double(k) : 0.0;
  NDArray t = d.transpose({1, 0});
  SparseMatrix m = sk::from_dense(t, SparseFormat::CSR);
  EXPECT_EQ(m.nnz(), (d.size() + 6) / 7 - 1);  // k = 0 is zero
  NDArray back = dense_reference(m);
  for (int64_t i = 0; i < 300; ++i)
    for (int64_t j = 0; j < 400; ++j) ASSERT_EQ(back.data<double>()[i * 400 + j], d.data<double>()[j * 300 + i]);
}

TEST(SparseValidate, VectorisedChecksReportFirstOffender) {
  for (DType idt : {DType::Int32, DType::Int64}) {
    const int64_t n = 300000, outer = 1000;
    NDArray data = NDArray::zeros(DType::Float64, {n}), idx = NDArray::zeros(idt, {n}), ptr(idt, {outer + 1});
    sk::dispatch_index(idt, [&](auto tag) {
      using I = decltype(tag);
      for (int64_t o = 0; o <= outer; ++o) ptr.data<I>()[o] = static_cast<I>(o * (n / outer));
      for (int64_t k = 0; k < n; ++k) idx.data<I>()[k] = static_cast<I>(k % 50);
    });
    SparseMatrix ok(SparseFormat::CSR, outer, 50, data, idx, ptr);
    EXPECT_NO_THROW(ok.validate());
    auto set = [&](NDArray& a, int64_t k, int64_t v) {
      sk::dispatch_index(idt, [&](auto tag) { a.data<decltype(tag)>()[k] = static_cast<decltype(tag)>(v); });
    };
    NDArray bad = idx.copy();
    set(bad, 200000, 50);
    set(bad, 250000, -1);
    EXPECT_NE(error_of([&] { SparseMatrix(SparseFormat::CSR, outer, 50, data, bad, ptr).validate("op"); })
                  .find("[op] index 50 at position 200000 is out of range"),
              std::string::npos);
    NDArray neg = idx.copy();
    set(neg, 123456, -3);
    EXPECT_NE(error_of([&] { SparseMatrix(SparseFormat::CSR, outer, 50, data, neg, ptr).validate(); })
                  .find("index -3 at position 123456"),
              std::string::npos);
    NDArray p2 = ptr.copy();
    set(p2, 700, 5);
    EXPECT_NE(error_of([&] { SparseMatrix(SparseFormat::CSR, outer, 50, data, idx, p2).validate(); })
                  .find("indptr[700] = 5 < indptr[699]"),
              std::string::npos);
  }
}

namespace {

// Restores the AVX-512 kernels' switch after a test that turns them off.
struct Avx512Guard {
  bool was = sk::tiled::use_avx512();
  ~Avx512Guard() { sk::tiled::set_avx512(was); }
};

// Short slices (0 to 20 entries, so both sides of the 16-lane limit) whose columns come from a
// narrow range, so that the two operands share many; values are small multiples of 1/2 with
// exact cancellations, explicit zeros and, when `special`, infs and nans.
SparseMatrix short_slices(int64_t outer, int64_t inner, DType dt, std::mt19937_64& rng, bool special) {
  std::vector<double> data;
  std::vector<int32_t> idx, ptr{0};
  std::uniform_int_distribution<int> len(0, 20), val(-3, 3), pick(0, 99);
  std::uniform_int_distribution<int64_t> col(0, inner - 1);
  for (int64_t o = 0; o < outer; ++o) {
    std::vector<int32_t> cs;
    for (int k = len(rng); k > 0; --k) cs.push_back(static_cast<int32_t>(col(rng)));
    std::sort(cs.begin(), cs.end());
    cs.erase(std::unique(cs.begin(), cs.end()), cs.end());
    for (int32_t c : cs) {
      const int s = pick(rng);
      idx.push_back(c);
      data.push_back(special && s == 0 ? INFINITY : special && s == 1 ? -INFINITY : special && s == 2 ? NAN : val(rng) / 2.0);
    }
    ptr.push_back(static_cast<int32_t>(idx.size()));
  }
  return raw(SparseFormat::CSR, outer, inner, data, idx, ptr, dt);
}

// m with its columns spread over [0, inner): column c of m's 40 becomes c * (inner - 1) / 39, so
// that the first and the last column of the wider matrix are used and the order is kept.
SparseMatrix widen(const SparseMatrix& m, int64_t inner) {
  if (inner == m.cols()) return m;
  NDArray idx = m.indices().copy();
  int32_t* ix = idx.data<int32_t>();
  for (int64_t k = 0; k < idx.size(); ++k) ix[k] = static_cast<int32_t>(ix[k] * (inner - 1) / (m.cols() - 1));
  return SparseMatrix(m.format(), m.rows(), inner, m.data(), idx, m.indptr());
}

// Byte equality of two results (nan payloads and zero signs included).
void expect_identical(const SparseMatrix& x, const SparseMatrix& y) {
  ASSERT_EQ(x.nnz(), y.nnz());
  ASSERT_EQ(x.indptr().dtype(), y.indptr().dtype());
  const int64_t n = x.nnz(), es = itemsize(x.dtype()), is = itemsize(x.indices().dtype());
  EXPECT_EQ(std::memcmp(x.data().raw(), y.data().raw(), n * es), 0);
  EXPECT_EQ(std::memcmp(x.indices().raw(), y.indices().raw(), n * is), 0);
  EXPECT_EQ(std::memcmp(x.indptr().raw(), y.indptr().raw(), x.indptr().size() * is), 0);
}

}  // namespace

TEST(SparseMerge, ShortSlicesAvx512MatchScalarBitForBit) {
  // The AVX-512 block kernel (merge_avx512.cpp) against the scalar merge: slices on both sides
  // of 16 entries, every op, both float dtypes, 1 and 2 threads (the counting pass too), with
  // cancellations, explicit zeros, infs and nans. Add and Sub take the bitonic union up to 2^26
  // columns and the compare-and-expand union past that: the 40-column operands are also spread
  // over 2^26 columns (the last one's key, shifted and holding b's lane 15, is INT32_MAX, the
  // network's padding) and over 2^26 + 1, and must give the 40-column result with its columns
  // spread alike. Where the CPU lacks AVX-512 both runs take the scalar merge and the test still
  // checks it against the dense reference.
  OpenmpGuard omp_guard;
  Avx512Guard simd_guard;
  std::mt19937_64 rng(31);
  for (DType dt : {DType::Float32, DType::Float64})
    for (bool special : {false, true}) {
      // 6000 slices of ~10: above the parallel threshold; 40 columns: many common positions.
      SparseMatrix a40 = short_slices(6000, 40, dt, rng, special), b40 = short_slices(6000, 40, dt, rng, special);
      for (sk::SpBinary op : kOps)
        for (bool omp : {false, true}) {
          set_openmp(omp);
          sk::tiled::set_avx512(false);
          const SparseMatrix plain40 = sk::binary_ss(a40, b40, op, dt);
          if (!special) expect_binary(a40, b40, op, plain40);
          for (int64_t inner : {int64_t{40}, int64_t{1} << 26, (int64_t{1} << 26) + 1}) {
            SCOPED_TRACE(std::string(dtype_name(dt)) + (special ? " special" : "") + " op " + std::to_string(int(op)) +
                         (omp ? " 2T" : " 1T") + " inner " + std::to_string(inner));
            const SparseMatrix a = widen(a40, inner), b = widen(b40, inner);
            sk::tiled::set_avx512(true);
            const SparseMatrix fast = sk::binary_ss(a, b, op, dt);
            sk::tiled::set_avx512(false);
            expect_identical(fast, sk::binary_ss(a, b, op, dt));
            expect_identical(fast, widen(plain40, inner));
            EXPECT_TRUE(sk::has_canonical_format(fast));
            EXPECT_FALSE(sk::has_explicit_zeros(fast));
          }
        }
    }
  // An unsorted short slice is caught by the block kernel (one thread and the counting pass).
  SparseMatrix u = raw(SparseFormat::CSR, 2, 8, {1.0, 2.0, 3.0}, {1, 5, 3}, {0, 1, 3});
  for (bool omp : {false, true}) {
    set_openmp(omp);
    sk::tiled::set_avx512(true);
    EXPECT_FALSE(sk::binary_ss_sorted(u, u, sk::SpBinary::Mul).has_value());
    expect_binary(u, u, sk::SpBinary::Add, sk::binary_ss(u, u, sk::SpBinary::Add, DType::Float64));
  }
}

TEST(SparseMerge, BlockPairsMeetAndRunsMoveLeftAtAnyBlockCount) {
  // The threads take blocks in pairs, the first merged backward to end where the second begins;
  // with two blocks the result is that one run (views of it, indptr shifted), with three a pair
  // and a lone block, with four and five two runs and more, each after the first moved left over
  // the gap (for Mul longer than the run, for Add and Sub shorter: several rounds). Slices past
  // 16 entries and cancelling ones take the staged scalar merge when backward. Every count gives
  // one thread's result bit for bit, and the arrays returned hold exactly nnz entries. The
  // blocks outnumber the threads (taken in turn), so OpenMP's thread count is left alone.
  OpenmpGuard omp_guard;
  Avx512Guard simd_guard;
  std::mt19937_64 rng(37);
  SparseMatrix a = short_slices(40000, 40, DType::Float64, rng, false), b = short_slices(40000, 40, DType::Float64, rng, false);
  SparseMatrix a64 = sk::with_index_dtype(a, DType::Int64), b64 = sk::with_index_dtype(b, DType::Int64);
  SparseMatrix ab = a.astype(DType::Bool), bb = b.astype(DType::Bool);
  for (bool simd : {true, false})
    for (sk::SpBinary op : kOps) {
      sk::tiled::set_avx512(simd);
      set_openmp(false);
      const SparseMatrix one = sk::binary_ss(a, b, op, DType::Float64), one64 = sk::binary_ss(a64, b64, op, DType::Float64);
      const bool logical = op != sk::SpBinary::Sub;  // bool takes or / and (the scalar merge)
      const SparseMatrix one_bool = logical ? sk::binary_ss(ab, bb, op, DType::Bool) : one;
      set_openmp(true);
      for (int blocks : {2, 3, 4, 5}) {
        SCOPED_TRACE(std::string(simd ? "avx512" : "scalar") + " op " + std::to_string(int(op)) + " blocks " +
                     std::to_string(blocks));
        const SparseMatrix many = *sk::binary_ss_sorted(a, b, op, blocks);
        expect_identical(one, many);
        expect_binary(a, b, op, many);
        EXPECT_EQ(many.data().size(), many.nnz());
        EXPECT_EQ(many.indices().size(), many.nnz());
        expect_identical(one64, *sk::binary_ss_sorted(a64, b64, op, blocks));  // int64 indices: scalar merge
        if (logical) expect_identical(one_bool, *sk::binary_ss_sorted(ab, bb, op, blocks));
      }
      expect_identical(one, sk::binary_ss(a, b, op, DType::Float64));  // the default: a block per thread
    }
}
