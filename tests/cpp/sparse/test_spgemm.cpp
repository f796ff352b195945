// The sparse product (spgemm.cpp, spgemm_rows.h, spgemm_combine.cpp) and its sorts
// (sort_distinct.cpp): one pass and two, 1-5 row blocks, Auto's choice between the passes, rows of 0 to ~600 products (short rows
// by expand-sort-combine, long ones by the accumulator, both sides of the 16-lane blocks and of
// kRankSortMax), exact cancellations, CSR and CSC, float32/float64/int64 values, int32/int64
// indices, AVX-512 on and off, 1 and 2 threads; against a dense product and the same bits
// everywhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <random>

#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/kernels/sort_distinct.h"
#include "hypatia/sparse/kernels/spgemm_rows.h"
#include "hypatia/sparse/kernels/spmm.h"
#include "hypatia/sparse/kernels/spmm_tiled.h"
#include "hypatia/util/parallel.h"

using namespace hypatia;
namespace sk = hypatia::sparse_kernels;

namespace {

struct Restore {
  bool simd = sk::tiled::use_avx512(), omp = openmp_enabled();
  ~Restore() {
    sk::tiled::set_avx512(simd);
    set_openmp(omp);
  }
};

SparseMatrix from_triplets(SparseFormat f, int64_t rows, int64_t cols, std::vector<int64_t> ptr,
                           const std::vector<int64_t>& idx, const std::vector<double>& val, DType dt, DType idt) {
  NDArray d(DType::Float64, {static_cast<int64_t>(val.size())}), i(DType::Int64, {static_cast<int64_t>(idx.size())}),
      p(DType::Int64, {static_cast<int64_t>(ptr.size())});
  std::copy(val.begin(), val.end(), d.data<double>());
  std::copy(idx.begin(), idx.end(), i.data<int64_t>());
  std::copy(ptr.begin(), ptr.end(), p.data<int64_t>());
  return SparseMatrix(f, rows, cols, d.astype(dt), i.astype(idt), p.astype(idt));
}

// A (m x k) whose row o holds o % 31 entries (every 97th row 80, so that its product rows
// take ~320 products, past kRankSortMax), and B (k x n) of 0..8 entries a row, values small integers so that
// every sum is exact. Rows 3 and 4 of B are negatives of each other, and A's row 0 stores 1 at
// columns 3 and 4: row 0 of the product cancels to exact zeros, leaving a gap to close.
std::pair<SparseMatrix, SparseMatrix> operands(int64_t m, int64_t k, int64_t n, DType dt, DType idt,
                                               std::mt19937_64& rng) {
  std::uniform_int_distribution<int> v(-4, 4);
  auto row_of = [&](int64_t len, int64_t width, std::vector<int64_t>& idx, std::vector<double>& val) {
    std::vector<int64_t> cols(width);
    std::iota(cols.begin(), cols.end(), 0);
    std::shuffle(cols.begin(), cols.end(), rng);
    for (int64_t q = 0; q < len; ++q) {  // unsorted within the row, on purpose
      idx.push_back(cols[q]);
      int x = v(rng);
      val.push_back(x == 0 ? 1 : x);
    }
  };
  std::vector<int64_t> ap{0}, ai, bp{0}, bi;
  std::vector<double> av, bv;
  for (int64_t o = 0; o < m; ++o) {
    if (o == 0) ai.insert(ai.end(), {3, 4}), av.insert(av.end(), {1, 1});
    else row_of(o % 97 == 0 ? 80 : o % 31, k, ai, av);
    ap.push_back(static_cast<int64_t>(ai.size()));
  }
  for (int64_t o = 0; o < k; ++o) {
    if (o == 4) {  // the negative of row 3
      for (int64_t q = bp[3]; q < bp[4]; ++q) bi.push_back(bi[q]), bv.push_back(-bv[q]);
    } else {
      row_of(o == 3 ? 5 : std::uniform_int_distribution<int>(0, 8)(rng), n, bi, bv);
    }
    bp.push_back(static_cast<int64_t>(bi.size()));
  }
  return {from_triplets(SparseFormat::CSR, m, k, ap, ai, av, dt, idt),
          from_triplets(SparseFormat::CSR, k, n, bp, bi, bv, dt, idt)};
}

// The same values, element for element (exact, after widening to float64 / int64).
bool same(const NDArray& x, const NDArray& y) {
  if (x.size() != y.size()) return false;
  const NDArray a = x.astype(DType::Float64), b = y.astype(DType::Float64);
  return std::equal(a.data<double>(), a.data<double>() + a.size(), b.data<double>());
}

NDArray dense_product(const SparseMatrix& a, const SparseMatrix& b) {
  const NDArray ad = a.astype(DType::Float64).to_dense(), bd = b.astype(DType::Float64).to_dense();
  const int64_t m = ad.shape(0), k = ad.shape(1), n = bd.shape(1);
  NDArray c = NDArray::zeros(DType::Float64, {m, n});
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p)
      if (ad.data<double>()[i * k + p] != 0.0)
        for (int64_t j = 0; j < n; ++j) c.data<double>()[i * n + j] += ad.data<double>()[i * k + p] * bd.data<double>()[p * n + j];
  return c;
}

}  // namespace

// sort_distinct, the product's fallback for int64 columns over a span past 2^32: distinct keys
// from both ends of the int64 range and around 2^32, shuffled, come back sorted, each with the
// place it came from.
TEST(SortDistinct, SortsInt64KeysAndReportsWhereEachKeyCameFrom) {
  std::mt19937_64 rng(5);
  for (int64_t n : {0, 1, 2, 15, 16, 17, 100, 257, 1000}) {
    std::vector<int64_t> x;
    for (int64_t i = 0; i < n; ++i)
      x.push_back(i % 3 == 0 ? INT64_MAX - i : i % 3 == 1 ? (int64_t{1} << 32) + i - n / 2 : INT64_MIN + i);
    std::shuffle(x.begin(), x.end(), rng);
    std::vector<int64_t> in = x, want = x, perm(n, -1);
    std::vector<uint64_t> tmp(n);
    std::sort(want.begin(), want.end());
    sk::sort_distinct(x.data(), n, perm.data(), tmp.data());
    EXPECT_EQ(x, want) << "n " << n;
    for (int64_t r = 0; r < n; ++r) ASSERT_EQ(in[perm[r]], x[r]) << "n " << n << " rank " << r;
  }
}

// c is valid and holds exactly indptr wp, indices wi and values wv (bit for bit).
template <class T>
void expect_exactly(const SparseMatrix& c, const std::vector<int64_t>& wp, const std::vector<int64_t>& wi,
                    const std::vector<T>& wv) {
  c.validate();
  const NDArray ci = c.indices().astype(DType::Int64), cp = c.indptr().astype(DType::Int64);
  ASSERT_EQ(c.nnz(), static_cast<int64_t>(wi.size()));
  EXPECT_TRUE(std::equal(wp.begin(), wp.end(), cp.data<int64_t>()));
  EXPECT_TRUE(std::equal(wi.begin(), wi.end(), ci.data<int64_t>()));
  if (!wv.empty()) EXPECT_EQ(std::memcmp(wv.data(), c.data().data<T>(), wv.size() * sizeof(T)), 0);
}

// Every way of building the product, the path and block count named.
struct Way {
  sk::SpgemmPasses passes;
  int blocks;
  const char* name;
};
const Way kWays[] = {{sk::SpgemmPasses::Auto, 0, "auto"}, {sk::SpgemmPasses::One, 1, "one pass, 1 block"},
                     {sk::SpgemmPasses::One, 3, "one pass, 3 blocks"}, {sk::SpgemmPasses::One, 4, "one pass, 4 blocks"},
                     {sk::SpgemmPasses::One, 5, "one pass, 5 blocks"}, {sk::SpgemmPasses::Two, 0, "two passes"},
                     {sk::SpgemmPasses::Two, 3, "two passes, 3 blocks"}};

// Each way's product of a and b, validated and compared with the dense product `want`.
std::vector<SparseMatrix> every_way(const SparseMatrix& a, const SparseMatrix& b, const NDArray& want) {
  std::vector<SparseMatrix> out;
  for (const Way& way : kWays) {
    SCOPED_TRACE(way.name);
    const SparseMatrix c = sk::spgemm(a, b, way.passes, way.blocks);
    c.validate();
    EXPECT_TRUE(same(c.to_dense(), want));
    out.push_back(c);
  }
  return out;
}

TEST(Spgemm, EveryPathMatchesTheDenseProductAndDropsExactZeros) {
  Restore restore;
  std::mt19937_64 rng(23);
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64})
    for (DType idt : {DType::Int32, DType::Int64}) {
      auto [a, b] = operands(3000, 500, 700, dt, idt, rng);  // ~45k x 4 products: parallel at 2 threads
      const NDArray want = dense_product(a, b);
      for (SparseFormat f : {SparseFormat::CSR, SparseFormat::CSC}) {
        const SparseMatrix af = sk::convert_format(a, f), bf = sk::convert_format(b, f);
        std::optional<SparseMatrix> first;
        for (bool simd : {true, false})
          for (bool omp : {false, true})
            for (const Way& way : kWays) {
            SCOPED_TRACE(std::string(dtype_name(dt)) + " " + dtype_name(idt) + " " + format_name(f) +
                         (simd ? " avx512" : " portable") + (omp ? " 2T " : " 1T ") + way.name);
            sk::tiled::set_avx512(simd);
            set_openmp(omp);
            const SparseMatrix c = sk::spgemm(af, bf, way.passes, way.blocks);
            c.validate();
            EXPECT_EQ(c.format(), f);
            EXPECT_TRUE(sk::has_sorted_indices(c));
            const NDArray cd = c.astype(DType::Float64).to_dense();
            int64_t stored_zeros = 0;
            const NDArray data = c.data().astype(DType::Float64);
            for (int64_t q = 0; q < c.nnz(); ++q) stored_zeros += data.data<double>()[q] == 0.0;
            EXPECT_EQ(stored_zeros, 0);
            int64_t wrong = 0;
            for (int64_t q = 0; q < want.size(); ++q) wrong += cd.data<double>()[q] != want.data<double>()[q];
            EXPECT_EQ(wrong, 0);
            const int64_t row0 = f == SparseFormat::CSR ? c.indptr().astype(DType::Int64).data<int64_t>()[1] : -1;
            if (f == SparseFormat::CSR) EXPECT_EQ(row0, 0);  // row 0 cancelled entirely
            if (!first) {
              first = c;
            } else {
              ASSERT_EQ(c.nnz(), first->nnz());
              EXPECT_TRUE(same(c.indices(), first->indices()));
              EXPECT_TRUE(same(c.data(), first->data()));
            }
          }
      }
    }
}

// Columns past kPackedCols do not fit a packed key: every row takes the accumulator, in one
// pass and in two, and gives what the same product gives over few columns.
TEST(Spgemm, ColumnsPastThePackedKeyTakeTheAccumulator) {
  Restore restore;
  const int64_t wide = sk::spgemm_rows::kPackedCols + 5;
  std::mt19937_64 rng(41);
  auto [a, b] = operands(400, 100, 50, DType::Float64, DType::Int32, rng);
  // The same b with its columns spread over the wide range (column j -> j * (wide / 50) + 3).
  const int64_t stretch = wide / 50;
  NDArray wi = b.indices().astype(DType::Int64);
  for (int64_t q = 0; q < wi.size(); ++q) wi.data<int64_t>()[q] = wi.data<int64_t>()[q] * stretch + 3;
  const SparseMatrix bw(SparseFormat::CSR, b.rows(), wide, b.data(), wi.astype(DType::Int32), b.indptr());
  const SparseMatrix narrow = sk::spgemm(a, b);
  for (const Way& way : kWays) {
    SCOPED_TRACE(way.name);
    const SparseMatrix c = sk::spgemm(a, bw, way.passes, way.blocks);
    c.validate();
    ASSERT_EQ(c.nnz(), narrow.nnz());
    EXPECT_TRUE(same(c.indptr(), narrow.indptr()));
    EXPECT_TRUE(same(c.data(), narrow.data()));
    NDArray ci = c.indices().astype(DType::Int64), ni = narrow.indices().astype(DType::Int64);
    int64_t wrong = 0;
    for (int64_t q = 0; q < c.nnz(); ++q) wrong += ci.data<int64_t>()[q] != ni.data<int64_t>()[q] * stretch + 3;
    EXPECT_EQ(wrong, 0);
  }
}

// Long rows (past kShortRow products, over more than kDenseSpan times as many columns) are
// sorted by radix: rows whose columns lie close together in two passes, rows spread over 2^20
// columns in three. Rows of both kinds alternate (so a row that left a stamp or a sum behind
// would show it in the next), the first and the last column are used, and some sums cancel;
// every way, with AVX-512 on and off, gives a product summed column by column in a map, exactly
// (small integer values).
TEST(Spgemm, LongRowsOverNarrowAndWideSpansSortAlike) {
  Restore restore;
  const int64_t inner = int64_t{1} << 20;
  std::mt19937_64 rng(43);
  std::uniform_int_distribution<int> v(-3, 3);
  // b: rows 0-99 hold 4 columns below 400 (row 0 column 0); rows 100-199 4 columns spread over
  // the whole width (row 199 the last column); b's row 7 is the negative of row 6.
  std::vector<int64_t> bp{0}, bi, ap{0}, ai;
  std::vector<double> bv, av;
  for (int64_t r = 0; r < 200; ++r) {
    std::vector<int64_t> cols;
    if (r == 7) {
      for (int64_t q = bp[6]; q < bp[7]; ++q) bi.push_back(bi[q]), bv.push_back(-bv[q]);
    } else {
      while (cols.size() < 4) {
        const int64_t c = r == 0 && cols.empty() ? 0 : r == 199 && cols.empty() ? inner - 1
                          : r < 100 ? std::uniform_int_distribution<int64_t>(0, 399)(rng)
                                    : std::uniform_int_distribution<int64_t>(0, inner - 1)(rng);
        if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
      }
      for (int64_t c : cols) bi.push_back(c), bv.push_back(v(rng) == 0 ? 1.0 : v(rng) + 4.0);
    }
    bp.push_back(static_cast<int64_t>(bi.size()));
  }
  // a: 90 rows of 70-90 entries (280-360 products): narrow rows name b's rows 0-99 (rows 6 and 7
  // both, with equal values, in every third), wide rows 100-199, mixed rows both.
  for (int64_t o = 0; o < 90; ++o) {
    const int kind = o % 3;  // 0 narrow, 1 wide, 2 mixed
    std::vector<int64_t> rows(200);
    std::iota(rows.begin(), rows.end(), 0);
    std::shuffle(rows.begin() + (kind == 1 ? 100 : 0), rows.begin() + (kind == 0 ? 100 : 200), rng);
    const int64_t len = 70 + static_cast<int64_t>(o % 21), from = kind == 1 ? 100 : 0;
    for (int64_t q = 0; q < len; ++q) {
      const int64_t r = rows[from + q];
      if (kind == 0 && (r == 6 || r == 7)) continue;
      ai.push_back(r), av.push_back(v(rng) == 0 ? 2.0 : 1.0);
    }
    if (kind == 0) ai.insert(ai.end(), {6, 7}), av.insert(av.end(), {1.0, 1.0});
    ap.push_back(static_cast<int64_t>(ai.size()));
  }
  const SparseMatrix a = from_triplets(SparseFormat::CSR, 90, 200, ap, ai, av, DType::Float64, DType::Int32);
  const SparseMatrix b = from_triplets(SparseFormat::CSR, 200, inner, bp, bi, bv, DType::Float64, DType::Int32);
  // The reference, row by row: (column, sum) in column order, exact zeros dropped.
  std::vector<int64_t> wp{0}, wi;
  std::vector<double> wv;
  for (int64_t o = 0; o < 90; ++o) {
    std::map<int64_t, double> row;
    for (int64_t k = ap[o]; k < ap[o + 1]; ++k)
      for (int64_t q = bp[ai[k]]; q < bp[ai[k] + 1]; ++q) row[bi[q]] += av[k] * bv[q];
    for (const auto& [c, x] : row)
      if (x != 0.0) wi.push_back(c), wv.push_back(x);
    wp.push_back(static_cast<int64_t>(wi.size()));
  }
  for (bool simd : {true, false})
    for (const Way& way : kWays) {
      SCOPED_TRACE(std::string(way.name) + (simd ? " avx512" : ""));
      sk::tiled::set_avx512(simd);
      expect_exactly(sk::spgemm(a, b, way.passes, way.blocks), wp, wi, wv);
    }
}

// Long rows over few columns (kDenseSpan) sum into a dense array and read it all off. Values
// are not small integers, so every sum depends on its order, and the result must equal, bit
// for bit, sums taken column by column in the order of a's entries and then b's, the first
// product assigned: NaN and inf (inf - inf) included, a lone -0.0 dropped, and a column whose
// sum was -0.0 or cancelled in one row carrying nothing into the next. 1003 columns, not a
// multiple of a register's lanes; float32 and float64, AVX-512 on and off, every way.
template <class T>
void dense_rows_case() {
  Restore restore;
  const int64_t inner = 1003;
  std::mt19937_64 rng(51);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  // b: 120 rows of 4 columns; row 0 holds column 0, row 1 column 1002; rows 2-5 the specials.
  std::vector<int64_t> bp{0}, bi, ap{0}, ai;
  std::vector<T> bv, av;
  for (int64_t r = 0; r < 120; ++r) {
    std::vector<int64_t> cols;
    if (r == 0) cols.push_back(0);
    if (r == 1) cols.push_back(inner - 1);
    while (cols.size() < 4) {
      const int64_t c = std::uniform_int_distribution<int64_t>(20, inner - 1)(rng);
      if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
    }
    if (r >= 2 && r <= 5) cols[0] = 10 + r;  // columns 12-15 for the specials
    for (int64_t c : cols) bi.push_back(c), bv.push_back(static_cast<T>(u(rng)));
    if (r == 2) bv[bv.size() - 4] = nan;                       // column 12: NaN
    if (r == 3) bv[bv.size() - 4] = inf;                       // column 13: inf ...
    if (r == 4) bv[bv.size() - 4] = -inf, bi[bi.size() - 4] = 13;  // ... and -inf: NaN
    if (r == 5) bv[bv.size() - 4] = static_cast<T>(-0.0);     // column 15: -0.0
    bp.push_back(static_cast<int64_t>(bi.size()));
  }
  // a: 40 rows of 72-90 entries (288-360 products, over 1003 <= 16 x 288 columns); row 10
  // names b's row 5 alone among the specials (its column 15 sums to -0.0), row 11 right after
  // names row 5 again with another product in column 15; every fourth row names rows 2-4.
  for (int64_t o = 0; o < 40; ++o) {
    std::vector<int64_t> rows(114);
    std::iota(rows.begin(), rows.end(), 6);
    std::shuffle(rows.begin(), rows.end(), rng);
    const int64_t len = 72 + o % 19;
    std::vector<int64_t> pick(rows.begin(), rows.begin() + len);
    if (o % 4 == 0) pick.insert(pick.begin() + len / 2, {2, 3, 4});
    if (o == 10 || o == 11) pick.insert(pick.begin() + 5, 5);
    if (o % 7 == 0) pick.push_back(0), pick.push_back(1);
    for (int64_t r : pick) ai.push_back(r), av.push_back(static_cast<T>(u(rng)));
    ap.push_back(static_cast<int64_t>(ai.size()));
  }
  const DType dt = std::is_same_v<T, float> ? DType::Float32 : DType::Float64;
  auto make = [&](int64_t m, int64_t n, const std::vector<int64_t>& p, const std::vector<int64_t>& ix,
                  const std::vector<T>& v) {
    NDArray d(dt, {static_cast<int64_t>(v.size())});
    std::copy(v.begin(), v.end(), d.data<T>());
    const SparseMatrix s0 = from_triplets(SparseFormat::CSR, m, n, p, ix, std::vector<double>(v.size(), 1.0), dt, DType::Int32);
    return SparseMatrix(SparseFormat::CSR, m, n, d, s0.indices(), s0.indptr());
  };
  const SparseMatrix a = make(40, 120, ap, ai, av), b = make(120, inner, bp, bi, bv);
  std::vector<int64_t> wp{0}, wi;
  std::vector<T> wv;
  for (int64_t o = 0; o < 40; ++o) {
    std::map<int64_t, T> row;
    for (int64_t k = ap[o]; k < ap[o + 1]; ++k)
      for (int64_t q = bp[ai[k]]; q < bp[ai[k] + 1]; ++q) {
        const T x = av[k] * bv[q];
        auto [it, fresh] = row.emplace(bi[q], x);
        if (!fresh) it->second += x;
      }
    for (const auto& [c, x] : row)
      if (x != T(0) || x != x) wi.push_back(c), wv.push_back(x);
    wp.push_back(static_cast<int64_t>(wi.size()));
  }
  for (bool simd : {true, false})
    for (bool omp : {false, true})
      for (const Way& way : kWays) {
        SCOPED_TRACE(std::string(way.name) + (simd ? " avx512" : "") + (omp ? " 2T" : " 1T"));
        sk::tiled::set_avx512(simd);
        set_openmp(omp);
        expect_exactly(sk::spgemm(a, b, way.passes, way.blocks), wp, wi, wv);
      }
}
TEST(Spgemm, LongRowsOverFewColumnsSumDenselyBitForBit) {
  dense_rows_case<float>();
  dense_rows_case<double>();
}

// read_off_avx512 alone, for every value and column type (int64 columns take a product wider
// than 2^31 otherwise): lengths around each register's lanes, NaN kept, -0.0 and 0 dropped,
// every non-zero sum reset, and nothing written past the row's length plus kReadOffSlack.
template <class T, class J>
void read_off_case() {
  Restore restore;
  if (!sk::tiled::use_avx512()) GTEST_SKIP() << "no AVX-512 here";
  std::mt19937_64 rng(5);
  for (int64_t inner : {0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 100}) {
    SCOPED_TRACE(inner);
    std::vector<T> acc(inner);
    for (T& x : acc) {
      const int pick = static_cast<int>(rng() % 6);
      x = pick < 2 ? T(0) : pick == 2 ? static_cast<T>(-0.0) : pick == 3 ? std::numeric_limits<T>::quiet_NaN()
                                                                         : static_cast<T>(rng() % 1000) + T(1);
    }
    std::vector<J> wc;
    std::vector<T> wv;
    for (int64_t c = 0; c < inner; ++c)
      if (acc[c] != T(0) || acc[c] != acc[c]) wc.push_back(static_cast<J>(c)), wv.push_back(acc[c]);
    const int64_t room = static_cast<int64_t>(wc.size()) + sk::spgemm_rows::kReadOffSlack;
    std::vector<J> oc(room + 8, J(-7));
    std::vector<T> ov(room + 8, T(-7));
    const int64_t w = sk::spgemm_rows::read_off_avx512(acc.data(), inner, oc.data(), ov.data());
    ASSERT_EQ(w, static_cast<int64_t>(wc.size()));
    EXPECT_TRUE(std::equal(wc.begin(), wc.end(), oc.begin()));
    if (!wv.empty()) EXPECT_EQ(std::memcmp(wv.data(), ov.data(), wv.size() * sizeof(T)), 0);
    for (int64_t q = room; q < room + 8; ++q) {
      EXPECT_EQ(oc[q], J(-7));
      EXPECT_EQ(ov[q], T(-7));
    }
    for (const T& x : acc) EXPECT_EQ(x, T(0));  // 0 or -0.0 (an identity for the next row)
  }
}
TEST(Spgemm, ReadOffDenseSumsForEveryType) {
  read_off_case<float, int32_t>();
  read_off_case<double, int32_t>();
  read_off_case<float, int64_t>();
  read_off_case<double, int64_t>();
}

// A row of ~10k products (more than a one-pass block stages at once) between short rows: the
// stage grows to the row, and every path agrees with the dense product.
TEST(Spgemm, ARowLongerThanTheStage) {
  Restore restore;
  std::mt19937_64 rng(77);
  auto [a0, b] = operands(6, 2000, 300, DType::Float64, DType::Int32, rng);
  std::vector<int64_t> ap{0}, ai;
  std::vector<double> av;
  const NDArray a0d = a0.to_dense();
  for (int64_t o = 0; o < 6; ++o) {
    for (int64_t c = 0; c < 2000; ++c) {
      const double x = o == 2 ? 1.0 + static_cast<double>(c % 3) : a0d.data<double>()[o * 2000 + c];
      if (x != 0.0) ai.push_back(c), av.push_back(x);
    }
    ap.push_back(static_cast<int64_t>(ai.size()));
  }
  const SparseMatrix a = from_triplets(SparseFormat::CSR, 6, 2000, ap, ai, av, DType::Float64, DType::Int32);
  const NDArray want = dense_product(a, b);
  for (bool omp : {false, true}) {
    SCOPED_TRACE(omp ? "2T" : "1T");
    set_openmp(omp);
    for (const SparseMatrix& c : every_way(a, b, want)) EXPECT_TRUE(sk::has_sorted_indices(c));
  }
}

// Columns that repeat many times over, and sums that cancel: Auto takes two passes; one pass fills
// a fortieth of its products-sized arrays, two passes a fifth of their exact-sized ones; each
// copies its result out, and all match the dense product.
TEST(Spgemm, RepeatedColumnsDoNotHoldTheProductsSizedArrays) {
  Restore restore;
  // Every row of a names all 40 rows of b, and every row of b stores the same 30 columns of 50.
  std::vector<int64_t> ap{0}, ai, bp{0}, bi;
  std::vector<double> av, bv;
  for (int64_t o = 0; o < 200; ++o) {
    for (int64_t c = 0; c < 40; ++c) ai.push_back(c), av.push_back(1.0 + static_cast<double>((o + c) % 4));
    ap.push_back(static_cast<int64_t>(ai.size()));
  }
  for (int64_t o = 0; o < 40; ++o) {
    for (int64_t c = 0; c < 30; ++c) bi.push_back(c + 10), bv.push_back(static_cast<double>((o * c) % 5) - 2.0);
    bp.push_back(static_cast<int64_t>(bi.size()));
  }
  const SparseMatrix a = from_triplets(SparseFormat::CSR, 200, 40, ap, ai, av, DType::Float64, DType::Int32);
  const SparseMatrix b = from_triplets(SparseFormat::CSR, 40, 50, bp, bi, bv, DType::Float64, DType::Int32);
  const NDArray want = dense_product(a, b);
  const std::vector<SparseMatrix> results = every_way(a, b, want);
  for (size_t w = 0; w < results.size(); ++w) {
    SCOPED_TRACE(kWays[w].name);
    const SparseMatrix& c = results[w];
    // 240k products, 6000 distinct columns, most summing to zero: the arrays hold the result only.
    EXPECT_LE(c.data().buffer()->nbytes(), static_cast<size_t>(c.nnz()) * sizeof(double) + 64);
    EXPECT_LE(c.indices().buffer()->nbytes(), static_cast<size_t>(c.nnz()) * sizeof(int32_t) + 64);
  }
}

// Auto's choice: few products per stored entry take one pass; many take one pass only where
// rows sampled in proportion to their products say the result fills at least half of a
// products-sized output. Rows of 1600 products over 10k columns (each result row ~1480 long)
// take one pass; the same rows over 60 columns (each result row at most 60 long) take two; and
// so does a product whose heaviest rows repeat their columns while its many light rows do not,
// which an estimate drawn from rows evenly (rather than by products) would get wrong, and one
// whose few rows are too long to sample.
TEST(Spgemm, AutoTakesOnePassWhereTheResultFillsItsProducts) {
  std::mt19937_64 rng(9);
  // m rows of `per` distinct columns each, row o's drawn from [0, width(o)).
  auto random = [&](int64_t m, int64_t n, int per, auto width) {
    std::vector<int64_t> p{0}, ix;
    std::vector<double> v;
    std::vector<int64_t> cols(n);
    for (int64_t o = 0; o < m; ++o) {
      cols.resize(width(o));
      std::iota(cols.begin(), cols.end(), 0);
      std::shuffle(cols.begin(), cols.end(), rng);
      for (int q = 0; q < per; ++q) ix.push_back(cols[q]), v.push_back(1.0 + q % 3);
      p.push_back(static_cast<int64_t>(ix.size()));
    }
    return from_triplets(SparseFormat::CSR, m, n, p, ix, v, DType::Float64, DType::Int32);
  };
  auto all = [](int64_t n) { return [n](int64_t) { return n; }; };
  // 4000 x 40 entries of a, 400k of b: 6.4M products, past eight per stored entry (4.5M).
  const SparseMatrix a = random(4000, 10000, 40, all(10000)), b = random(10000, 10000, 40, all(10000));
  const SparseMatrix narrow = random(10000, 60, 40, all(60));
  EXPECT_EQ(sk::spgemm_auto_passes(a, b), sk::SpgemmPasses::One);
  EXPECT_EQ(sk::spgemm_auto_passes(sk::convert_format(a, SparseFormat::CSC), sk::convert_format(b, SparseFormat::CSC)),
            sk::SpgemmPasses::One);
  EXPECT_EQ(sk::spgemm_auto_passes(a, narrow), sk::SpgemmPasses::Two);
  EXPECT_EQ(sk::spgemm_auto_passes(random(2000, 10000, 4, all(10000)), narrow), sk::SpgemmPasses::One);  // 8x rule
  // 2000 heavy rows name 50 rows each of b's first 1000, whose 40 columns lie in [0, 60); then
  // 20k light rows name one row each of the rest, 40 columns in [0, 10000). 5/6 of the 4.8M
  // products are the heavy rows', whose result rows hold at most 60 columns: the result fills
  // 0.19 of a products-sized output, though 10 in 11 rows sampled evenly would say 1.
  std::vector<int64_t> ap{0}, ai;
  std::vector<double> av;
  for (int64_t o = 0; o < 22000; ++o) {
    for (int64_t q = 0; q < (o < 2000 ? 50 : 1); ++q)
      ai.push_back(o < 2000 ? (o * 7 + q * 13) % 1000 : 1000 + o % 9000), av.push_back(1.0);
    ap.push_back(static_cast<int64_t>(ai.size()));
  }
  const SparseMatrix skew_a = from_triplets(SparseFormat::CSR, 22000, 10000, ap, ai, av, DType::Float64, DType::Int32);
  const SparseMatrix skew_b = random(10000, 10000, 40, [](int64_t o) { return o < 1000 ? 60 : 10000; });
  EXPECT_EQ(sk::spgemm_auto_passes(skew_a, skew_b), sk::SpgemmPasses::Two);
  // 20 rows of 400k products each: a sample of 16 rows would read more than 1/64 of them, so
  // none is drawn and Auto keeps two passes.
  std::vector<int64_t> hp{0}, hi;
  std::vector<double> hv;
  for (int64_t o = 0; o < 20; ++o) {
    for (int64_t q = 0; q < 10000; ++q) hi.push_back(q), hv.push_back(1.0);
    hp.push_back(static_cast<int64_t>(hi.size()));
  }
  const SparseMatrix huge_rows = from_triplets(SparseFormat::CSR, 20, 10000, hp, hi, hv, DType::Float64, DType::Int32);
  EXPECT_EQ(sk::spgemm_auto_passes(huge_rows, b), sk::SpgemmPasses::Two);
}

// 20k rows, nearly all empty: a staged chunk is cut at its row limit long before its products
// fill it, and every path still agrees with the dense product.
TEST(Spgemm, ManyEmptyRowsSplitIntoChunks) {
  Restore restore;
  std::mt19937_64 rng(3);
  auto [a0, b] = operands(20, 60, 50, DType::Float64, DType::Int32, rng);
  const NDArray a0d = a0.to_dense();
  std::vector<int64_t> ap{0}, ai;
  std::vector<double> av;
  for (int64_t o = 0; o < 20000; ++o) {
    if (o % 1000 == 7)
      for (int64_t c = 0; c < 60; ++c)
        if (const double x = a0d.data<double>()[(o / 1000) * 60 + c]; x != 0.0) ai.push_back(c), av.push_back(x);
    ap.push_back(static_cast<int64_t>(ai.size()));
  }
  const SparseMatrix a = from_triplets(SparseFormat::CSR, 20000, 60, ap, ai, av, DType::Float64, DType::Int32);
  every_way(a, b, dense_product(a, b));
}

// radix_sort_high for every width from 1 to 32 bits (one to four passes, digits of 1 to 8
// bits) and lengths around a digit's buckets: the high halves in order, every word kept whole,
// and words with equal high halves in their first order (the sort is stable). The lowest and
// highest keys of the width are always among them.
TEST(SortDistinct, RadixSortHighMatchesStableSortAtEveryWidth) {
  std::mt19937_64 rng(12);
  for (int width = 1; width <= 32; ++width)
    for (int64_t n : {0, 1, 2, 3, 17, 255, 256, 257, 1000}) {
      SCOPED_TRACE(std::to_string(width) + " bits, " + std::to_string(n) + " words");
      const uint64_t top = (uint64_t{1} << width) - 1;
      std::vector<uint64_t> a(n), tmp(n, 0);
      for (int64_t q = 0; q < n; ++q) {
        const uint64_t key = q == 0 ? top : q == 1 ? 0 : rng() & top;
        a[q] = key << 32 | static_cast<uint64_t>(q);  // the place below: ties keep their order
      }
      std::vector<uint64_t> want = a;
      std::stable_sort(want.begin(), want.end(), [](uint64_t x, uint64_t y) { return (x >> 32) < (y >> 32); });
      const uint64_t* got = sk::radix_sort_high(a.data(), tmp.data(), n, width);
      ASSERT_TRUE(got == a.data() || got == tmp.data());
      EXPECT_TRUE(std::equal(want.begin(), want.end(), got));
    }
}

// Every length on both sides of each way sort_keys takes (the rank sort below 12 keys, the
// network with 1, 2, 4, 8 or 16 registers, std::sort past 256), with keys from the bottom of the
// range and from its top, INT32_MAX (the network's padding) included; the sorted list is also
// checked not to spill past n.
TEST(SortKeys, EveryLengthMatchesStdSort) {
  Restore restore;
  std::mt19937_64 rng(9);
  for (bool simd : {true, false}) {
    sk::tiled::set_avx512(simd);
    for (int64_t n : {0, 1, 2, 11, 12, 13, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 200, 255, 256, 257, 400})
      for (bool top : {false, true}) {
        std::vector<int32_t> pool(3 * n + 4);
        for (size_t i = 0; i < pool.size(); ++i) {
          const auto low = static_cast<int32_t>(i * 256 + (i % 256));
          pool[i] = top ? INT32_MAX - low : low;
        }
        std::shuffle(pool.begin(), pool.end(), rng);
        std::vector<int32_t> x(pool.begin(), pool.begin() + n), want = x, tmp(n);
        std::sort(want.begin(), want.end());
        x.resize(n + 16, -7);
        sk::sort_keys(x.data(), n, tmp.data());
        EXPECT_EQ(std::vector<int32_t>(x.begin(), x.begin() + n), want) << "n " << n << " top " << top << " simd " << simd;
        EXPECT_EQ(std::vector<int32_t>(x.begin() + n, x.end()), std::vector<int32_t>(16, -7)) << "n " << n;
      }
  }
}
