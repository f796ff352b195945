// The function boundary leaves a sparse input's O(nnz) index check to its consumers when every
// one of them checks the indices it reads (Op::checks_input_indices): a bad index must still
// raise ValueError, anywhere in the matrix, on every kernel path, at 1 and 2 threads; and the
// boundary must keep the full check wherever one consumer does not check.
#include <gtest/gtest.h>
#include <omp.h>

#include <climits>
#include <random>

#include "hypatia/hypatia.h"
#include "hypatia/sparse/kernels/spmm_tiled.h"
#include "support/sparse_random.h"

using namespace hypatia;
using namespace hypatia::testing;

namespace {

const SparseFormat kFormats[] = {SparseFormat::CSR, SparseFormat::CSC};

// A rows x cols matrix with about `per` stored entries per row; with `bad_at` >= 0 the stored
// index at that position is replaced by the inner size (one past the last valid index).
SparseMatrix matrix(SparseFormat f, int64_t rows, int64_t cols, double p, DType dt, DType idt, int64_t bad_at = -1) {
  std::mt19937_64 rng(static_cast<uint64_t>(rows * 31 + cols));
  RandomSparseOptions o;
  o.p = p;
  o.index_dtype = idt;
  o.lo = -1.0;
  SparseMatrix m = random_sparse(f, rows, cols, dt, rng, o);
  if (bad_at < 0) return m;
  NDArray idx = m.indices().copy();
  const int64_t k = bad_at < m.nnz() ? bad_at : m.nnz() - 1;
  if (idt == DType::Int32) idx.data<int32_t>()[k] = static_cast<int32_t>(m.inner_size());
  else idx.data<int64_t>()[k] = m.inner_size();
  return SparseMatrix(f, m.rows(), m.cols(), m.data(), idx, m.indptr());
}

NDArray dense(Shape s, DType dt) {
  NDArray a = NDArray::zeros(DType::Float64, s);
  for (int64_t k = 0; k < a.size(); ++k) a.data<double>()[k] = 0.25 * static_cast<double>(k % 7) - 0.5;
  return a.astype(dt);
}

struct Threads {  // runs a block with the given OpenMP thread count, restoring the old one
  int old;
  explicit Threads(int n) : old(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~Threads() { omp_set_num_threads(old); }
};

void expect_out_of_range(const std::function<void()>& f, const std::string& ctx) {
  ErrorKind kind = ErrorKind::Runtime;
  const std::string msg = error_of(f, &kind);
  EXPECT_EQ(kind, ErrorKind::Value) << ctx << ": " << msg;
  EXPECT_NE(msg.find("out of range"), std::string::npos) << ctx << ": " << msg;
}

}  // namespace

TEST(DeferredIndexChecks, StructuredDotRaisesOnABadIndexAnywhereOnEveryPath) {
  // 600 x 400 with 5 % stored: about 12k entries, several chunks at 2 threads. The bad index
  // sits first, in the middle (another thread's chunk) or last.
  for (SparseFormat f : kFormats)
    for (DType dt : {DType::Float64, DType::Float32, DType::Int64})
      for (DType idt : {DType::Int32, DType::Int64})
        for (bool vec : {true, false})
          for (int threads : {1, 2}) {
            Threads th(threads);
            Var a = sparse::matrix(f, "a", dt);
            Var x = vec ? vector(dt, "x") : matrix(dt, "x");
            auto fn = function({a, x}, {sparse::structured_dot(a, x)});
            const NDArray xv = dense(vec ? Shape{400} : Shape{400, 8}, dt);
            const SparseMatrix good = matrix(f, 600, 400, 0.05, dt, idt);
            // A valid input still gives the dense product.
            const NDArray want = vec ? good.to_dense().astype(DType::Float64) : NDArray();
            auto got = (*fn)({good, xv});
            ASSERT_TRUE(std::holds_alternative<NDArray>(got[0]));
            if (vec && dt != DType::Int64) {
              const NDArray g = std::get<NDArray>(got[0]).astype(DType::Float64), xd = xv.astype(DType::Float64);
              for (int64_t i = 0; i < 600; i += 37) {
                double s = 0;
                for (int64_t j = 0; j < 400; ++j) s += want.data<double>()[i * 400 + j] * xd.data<double>()[j];
                EXPECT_NEAR(g.data<double>()[i], s, dt == DType::Float32 ? 1e-3 : 1e-9);
              }
            }
            for (int64_t at : {int64_t{0}, int64_t{6100}, int64_t{1} << 40}) {
              const std::string ctx = str_cat(format_name(f), " ", dtype_name(dt), " ", dtype_name(idt), vec ? " vector" : " matrix",
                                              " threads=", threads, " bad at ", at);
              expect_out_of_range([&] { (*fn)({matrix(f, 600, 400, 0.05, dt, idt, at), xv}); }, ctx);
            }
            // The failed call left nothing behind: the next valid call works.
            EXPECT_NO_THROW((*fn)({good, xv}));
          }
}

TEST(DeferredIndexChecks, SamplingDotChecksThePatternItReads) {
  for (SparseFormat f : kFormats)
    for (int threads : {1, 2}) {
      Threads th(threads);
      Var x = matrix(DType::Float64, "x"), y = matrix(DType::Float64, "y");
      Var p = sparse::matrix(f, "p", DType::Float64);
      auto fn = function({x, y, p}, {sparse::sampling_dot(x, y, p)});
      const NDArray xv = dense({600, 16}, DType::Float64), yv = dense({400, 16}, DType::Float64);
      EXPECT_NO_THROW((*fn)({xv, yv, matrix(f, 600, 400, 0.05, DType::Float64, DType::Int32)}));
      for (int64_t at : {int64_t{0}, int64_t{9000}})
        expect_out_of_range([&] { (*fn)({xv, yv, matrix(f, 600, 400, 0.05, DType::Float64, DType::Int32, at)}); },
                            str_cat(format_name(f), " threads=", threads, " at ", at));
    }
}

TEST(DeferredIndexChecks, SpSumChecksOnlyTheIndicesItReads) {
  // The sums over the inner axis and the total never read the indices, so they are not checked
  // (docs/semantics.md, "Validation"); the sum over the outer axis scatters by them and raises.
  for (SparseFormat f : kFormats) {
    const int inner_axis = f == SparseFormat::CSR ? 1 : 0;
    const SparseMatrix bad = matrix(f, 300, 200, 0.1, DType::Float64, DType::Int32, 100);
    const NDArray d = matrix(f, 300, 200, 0.1, DType::Float64, DType::Int32).to_dense();
    for (int axis : {0, 1, -1}) {
      Var a = sparse::matrix(f, "a", DType::Float64);
      auto fn = function({a}, {sparse::sp_sum(a, axis < 0 ? std::nullopt : std::optional<int>(axis))});
      if (axis == inner_axis || axis < 0) {
        // The result is that of the stored values, whatever their indices say.
        const NDArray got = std::get<NDArray>((*fn)({bad})[0]);
        double total = 0;
        for (int64_t k = 0; k < got.size(); ++k) total += got.data<double>()[k];
        double want = 0;
        for (int64_t k = 0; k < d.size(); ++k) want += d.data<double>()[k];
        EXPECT_NEAR(total, want, 1e-9) << format_name(f) << " axis " << axis;
      } else {
        expect_out_of_range([&] { (*fn)({bad}); }, str_cat(format_name(f), " axis ", axis));
      }
    }
  }
}

TEST(DeferredIndexChecks, TheBoundaryChecksWhenAnyConsumerDoesNot) {
  const SparseMatrix bad = matrix(SparseFormat::CSR, 60, 40, 0.2, DType::Float64, DType::Int32, 5);
  const NDArray xv = dense({40}, DType::Float64);
  auto boundary_error = [&](const std::function<void()>& f, const std::string& ctx) {
    const std::string msg = error_of(f);
    EXPECT_NE(msg.find("bad input argument"), std::string::npos) << ctx << ": " << msg;
    EXPECT_NE(msg.find("out of range"), std::string::npos) << ctx << ": " << msg;
  };
  Var a = sparse::csr_matrix("a", DType::Float64);
  Var x = vector(DType::Float64, "x");
  // A second consumer that reads the indices unchecked (the transpose's conversion).
  auto two = function({a, x}, {sparse::structured_dot(a, x), sparse::dense_from_sparse(sparse::transpose(a))});
  boundary_error([&] { (*two)({bad, xv}); }, "unchecked consumer");
  // The input is also an output: the caller must not get an unchecked matrix back.
  auto echo = function({a, x}, {sparse::structured_dot(a, x), a});
  boundary_error([&] { (*echo)({bad, xv}); }, "input returned");
  // DebugMode's reference run evaluates the unoptimised graph.
  FunctionOptions o;
  o.debug.enabled = true;
  auto dbg = function({a, x}, {sparse::structured_dot(a, x)}, o);
  boundary_error([&] { (*dbg)({bad, xv}); }, "DebugMode");
  // The structure (O(outer)) is always checked at the boundary.
  NDArray ptr = bad.indptr().copy();
  ptr.data<int32_t>()[10] = ptr.data<int32_t>()[11] + 1;
  const SparseMatrix bad_ptr(SparseFormat::CSR, 60, 40, bad.data(), bad.indices(), ptr);
  auto one = function({a, x}, {sparse::structured_dot(a, x)});
  const std::string msg = error_of([&] { (*one)({bad_ptr, xv}); });
  EXPECT_NE(msg.find("bad input argument"), std::string::npos) << msg;
  EXPECT_NE(msg.find("non-decreasing"), std::string::npos) << msg;
}

TEST(DeferredIndexChecks, SpmvBlocksCheckAndComputeLocalAndScatteredRows) {
  // SpMV checks blocks of 2048 rows by their indices' span, which also picks the loop without
  // prefetches for a block that reads x from cache (a band, 2048 rows x 10 columns x 8 bytes < 256
  // KiB; the scattered rows span all of x): both loops agree with the generic
  // one, and a bad index in a later block still raises, at 1 and 2 threads.
  const int64_t rows = 5000, cols = 100000;
  std::mt19937_64 rng(11);
  for (bool banded : {true, false})
    for (int threads : {1, 2}) {
      Threads th(threads);
      std::vector<int32_t> ptr(rows + 1, 0), idx;
      std::vector<double> val;
      for (int64_t i = 0; i < rows; ++i) {
        for (int k = 0; k < 7; ++k) {
          const int64_t j = banded ? std::min<int64_t>(cols - 1, i * 10 + static_cast<int64_t>(rng() % 64))
                                   : static_cast<int64_t>(rng() % cols);
          idx.push_back(static_cast<int32_t>(j));
          val.push_back(static_cast<double>(rng() % 17) - 8.0);
        }
        ptr[i + 1] = static_cast<int32_t>(idx.size());
      }
      auto make = [&](int64_t bad_at) {
        std::vector<int32_t> ix = idx;
        if (bad_at >= 0) ix[bad_at] = static_cast<int32_t>(cols);
        return SparseMatrix(SparseFormat::CSR, rows, cols, NDArray::from_vector<double>(val, {static_cast<int64_t>(val.size())}),
                            NDArray::from_vector<int32_t>(ix, {static_cast<int64_t>(ix.size())}),
                            NDArray::from_vector<int32_t>(ptr, {rows + 1}));
      };
      const NDArray x = dense({cols}, DType::Float64);
      Var a = sparse::csr_matrix("a", DType::Float64);
      Var xv = vector(DType::Float64, "x");
      auto fn = function({a, xv}, {sparse::structured_dot(a, xv)});
      const NDArray got = std::get<NDArray>((*fn)({make(-1), x})[0]);
      sparse_kernels::tiled::set_enabled(false);
      const NDArray want = std::get<NDArray>((*fn)({make(-1), x})[0]);
      sparse_kernels::tiled::set_enabled(true);
      EXPECT_TRUE(allclose(got, want, 1e-12, 1e-12)) << (banded ? "banded" : "scattered") << " threads=" << threads;
      expect_out_of_range([&] { (*fn)({make(4500 * 7 + 3), x}); }, str_cat(banded ? "banded" : "scattered", " ", threads));
    }
}

TEST(DeferredIndexChecks, SparseAddAndMulCheckEverySliceTheyMerge) {
  // AddSS and MulSS check each slice as they merge it (sorted, indices in range), on the AVX-512
  // short-slice path and the scalar one, at 1 and 2 threads; b in the other format is checked
  // before its conversion. A bad index in either operand, first, mid-matrix or last, raises.
  const bool had512 = sparse_kernels::tiled::use_avx512();
  for (bool simd : {true, false})
    for (double p : {0.03, 0.2})  // about 6 (short slices) and 40 (long) entries per slice
      for (int threads : {1, 2})
        for (DType idt : {DType::Int32, DType::Int64})
          for (DType dt : {DType::Float32, DType::Float64})
            for (bool mixed : {false, true})
              for (bool mul : {false, true}) {
                const std::string ctx = str_cat(simd ? "avx512" : "scalar", " p=", p, " T=", threads, " ", dtype_name(idt),
                                                " ", dtype_name(dt), mixed ? " mixed" : "", mul ? " mul" : " add");
                sparse_kernels::tiled::set_avx512(simd);
                Threads t(threads);
                const SparseFormat fb = mixed ? SparseFormat::CSC : SparseFormat::CSR;
                const SparseMatrix good_a = matrix(SparseFormat::CSR, 600, 400, p, dt, idt);
                const SparseMatrix good_b = matrix(fb, 600, 400, p, dt, idt);
                Var a = sparse::matrix(SparseFormat::CSR, "a", dt), b = sparse::matrix(fb, "b", dt);
                auto fn = function({a, b}, {mul ? sparse::mul(a, b) : sparse::add(a, b)});
                // The good pair still gives the dense result.
                const NDArray got = as_sparse((*fn)({good_a, good_b})[0]).to_dense().astype(DType::Float64);
                const NDArray da = good_a.to_dense().astype(DType::Float64), db = good_b.to_dense().astype(DType::Float64);
                for (int64_t k = 0; k < got.size(); k += 37) {
                  const double x = da.data<double>()[k], y = db.data<double>()[k];
                  ASSERT_NEAR(got.data<double>()[k], mul ? x * y : x + y, 1e-5) << ctx;
                }
                for (int64_t at : {int64_t{0}, int64_t{2000}, int64_t{1} << 40}) {
                  const SparseMatrix bad_a = matrix(SparseFormat::CSR, 600, 400, p, dt, idt, at);
                  const SparseMatrix bad_b = matrix(fb, 600, 400, p, dt, idt, at);
                  expect_out_of_range([&] { (*fn)({bad_a, good_b}); }, str_cat(ctx, " a at ", at));
                  expect_out_of_range([&] { (*fn)({good_a, bad_b}); }, str_cat(ctx, " b at ", at));
                }
              }
  sparse_kernels::tiled::set_avx512(had512);
}

TEST(DeferredIndexChecks, MovedArgumentsAreCheckedAsCopiedOnesAndComeBack) {
  // Function::call(std::vector<Value>&&) moves each argument the boundary keeps as it is
  // (SparseType::filter_keeps) into the call and back out: the same results and the same errors
  // as the copying call, and the caller gets its own buffers back, never a copy.
  const SparseMatrix good = matrix(SparseFormat::CSR, 60, 40, 0.1, DType::Float64, DType::Int32);
  const SparseMatrix bad = matrix(SparseFormat::CSR, 60, 40, 0.1, DType::Float64, DType::Int32, 30);
  NDArray ptr = good.indptr().copy();
  ptr.data<int32_t>()[10] = ptr.data<int32_t>()[11] + 1;
  const SparseMatrix bad_ptr(SparseFormat::CSR, 60, 40, good.data(), good.indices(), ptr);
  const NDArray xv = dense({40}, DType::Float64);
  Var a = sparse::csr_matrix("a", DType::Float64);
  Var x = vector(DType::Float64, "x");
  for (bool echo : {false, true}) {
    auto fn = echo ? function({a, x}, {sparse::structured_dot(a, x), a}) : function({a, x}, {sparse::structured_dot(a, x)});
    const NDArray want = std::get<NDArray>((*fn)({good, xv})[0]);
    std::vector<Value> args{good, xv};
    const NDArray got = std::get<NDArray>(fn->call(std::move(args), {})[0]);
    EXPECT_TRUE(allclose(got, want, 0, 0));
    ASSERT_TRUE(std::holds_alternative<SparseMatrix>(args[0]));
    EXPECT_EQ(std::get<SparseMatrix>(args[0]).data().data<double>(), good.data().data<double>());
    EXPECT_EQ(std::get<NDArray>(args[1]).data<double>(), xv.data<double>());
    for (const SparseMatrix* m : {&bad, &bad_ptr}) {
      const std::string copied = error_of([&] { (*fn)({*m, xv}); });
      std::vector<Value> moved{*m, xv};
      EXPECT_EQ(error_of([&] { fn->call(std::move(moved), {}); }), copied);
      EXPECT_NE(copied.find(m == &bad ? "out of range" : "non-decreasing"), std::string::npos) << copied;
      ASSERT_TRUE(std::holds_alternative<SparseMatrix>(moved[0])) << "given back after an error too";
    }
    // The second argument fails its check after the first moved in.
    std::vector<Value> wrong{good, dense({40, 1}, DType::Float64)};
    EXPECT_NE(error_of([&] { fn->call(std::move(wrong), {}); }).find("bad input argument with name \"x\""),
              std::string::npos);
    ASSERT_TRUE(std::holds_alternative<SparseMatrix>(wrong[0]));
  }
  // What filter_keeps keeps: this format and dtype only, checked as filter checks it.
  const SparseType csr(SparseFormat::CSR, DType::Float64);
  EXPECT_TRUE(csr.filter_keeps(good, false, false, true));
  EXPECT_TRUE(csr.filter_keeps(good, true, false, false));
  EXPECT_FALSE(csr.filter_keeps(sparse_kernels::convert_format(good, SparseFormat::CSC), false, false, true));
  EXPECT_FALSE(csr.filter_keeps(good.astype(DType::Float32), false, true, true));
  EXPECT_FALSE(csr.filter_keeps(good.to_dense(), false, false, true));
  EXPECT_TRUE(csr.filter_keeps(bad, false, false, true));  // the index check is deferred
  EXPECT_NE(error_of([&] { csr.filter_keeps(bad, false, false, false); }).find("out of range"), std::string::npos);
  EXPECT_NE(error_of([&] { csr.filter_keeps(bad_ptr, false, false, true); }).find("non-decreasing"), std::string::npos);
}

TEST(DeferredIndexChecks, SumsOverTheInnerAxisCheckTheStepsOfIndptrThemselves) {
  // SpSum over the inner axis (row sums of CSR, column sums of CSC) follows indptr and checks
  // each slice's bounds as it reads it, so the boundary leaves out its O(outer) check of the
  // steps for an input SpSum alone consumes. An indptr that steps down, or that points past the
  // stored entries before it comes back (which a slice-by-slice check must not follow), still
  // raises the boundary's own message, on the AVX-512 loop and the others, at 1 and 2 threads.
  // The other sums never read indptr and keep the check at the boundary.
  const bool had512 = sparse_kernels::tiled::use_avx512();
  for (bool simd : {true, false})
    for (int threads : {1, 2})
      for (SparseFormat f : kFormats)
        for (DType dt : {DType::Float32, DType::Float64})
          for (DType idt : {DType::Int32, DType::Int64})
            for (int axis : {-1, 0, 1}) {
              sparse_kernels::tiled::set_avx512(simd);
              Threads t(threads);
              const std::string ctx = str_cat(simd ? "avx512" : "scalar", " T=", threads, " ", format_name(f), " ",
                                              dtype_name(dt), " ", dtype_name(idt), " axis=", axis);
              // 3000 x 2000, 5 % stored: 300k entries (parallel at 2 threads), 3000 or 2000 slices.
              const SparseMatrix good = matrix(f, 3000, 2000, 0.05, dt, idt);
              Var x = sparse::matrix(f, "x", dt);
              auto fn = function({x}, {sparse::sp_sum(x, axis == -1 ? std::nullopt : std::optional<int>(axis))});
              const NDArray d = good.to_dense().astype(DType::Float64);
              const int64_t R = good.rows(), C = good.cols();
              std::vector<double> want(axis == -1 ? 1 : axis == 0 ? C : R, 0.0), mag(want.size(), 0.0);
              for (int64_t r = 0; r < R; ++r)
                for (int64_t c = 0; c < C; ++c) {
                  const size_t at = axis == -1 ? 0 : axis == 0 ? c : r;
                  want[at] += d.data<double>()[r * C + c];
                  mag[at] += std::abs(d.data<double>()[r * C + c]);
                }
              const NDArray got = std::get<NDArray>((*fn)({good})[0]).astype(DType::Float64);
              ASSERT_EQ(got.size(), static_cast<int64_t>(want.size())) << ctx;
              const double eps = dt == DType::Float32 ? 1e-5 : 1e-12;  // of the sum of magnitudes
              for (size_t k = 0; k < want.size(); ++k)
                ASSERT_NEAR(got.data<double>()[k], want[k], eps * (1 + mag[k])) << ctx << " at " << k;
              const int64_t outer = good.outer_size(), nnz = good.nnz();
              auto with_ptr = [&](auto edit) {
                NDArray p = good.indptr().astype(DType::Int64);
                edit(p.data<int64_t>());
                return SparseMatrix(f, good.rows(), good.cols(), good.data(), good.indices(), p.astype(idt));
              };
              const SparseMatrix down = with_ptr([&](int64_t* p) { p[outer / 2] = p[outer / 2 + 1] + 1; });
              const SparseMatrix past = with_ptr([&](int64_t* p) { p[1] = nnz + 1000000; });  // then back down
              const SparseMatrix below = with_ptr([&](int64_t* p) { p[outer - 1] = -7; });
              // The largest entry the index dtype holds: the 2-thread split must not overflow on it.
              const int64_t top = idt == DType::Int32 ? INT32_MAX : INT64_MAX;
              const SparseMatrix huge = with_ptr([&](int64_t* p) { p[outer / 3] = top; });
              for (const SparseMatrix* m : {&down, &past, &below, &huge}) {
                ErrorKind kind = ErrorKind::Runtime;
                const std::string msg = error_of([&] { (*fn)({*m}); }, &kind);
                EXPECT_EQ(kind, ErrorKind::Value) << ctx << ": " << msg;
                EXPECT_NE(msg.find("indptr is not non-decreasing"), std::string::npos) << ctx << ": " << msg;
                // Where the kernel checks, the message is its own; elsewhere the boundary's.
                const bool inner = axis >= 0 && (axis == 1) == (f == SparseFormat::CSR);
                EXPECT_EQ(msg.find("bad input argument") == std::string::npos, inner) << ctx << ": " << msg;
              }
            }
  sparse_kernels::tiled::set_avx512(had512);
}
