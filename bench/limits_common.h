// Shared pieces of bench_limits: the generated inputs, the per-library adapter interface and the
// machine figures (STREAM triad, random gathers) from which each row's bound is computed.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace limits {

/// A CSR matrix with sorted, distinct column indices per row (int32: every input here fits).
struct Csr {
  int64_t rows = 0, cols = 0;
  std::vector<int32_t> ptr, idx;
  std::vector<double> val;
  int64_t nnz() const { return static_cast<int64_t>(idx.size()); }
  double bytes() const { return nnz() * 12.0 + (rows + 1) * 4.0; }  // values + indices + row pointers
};

/// A row-major dense matrix (a vector is cols == 1).
struct Dense {
  int64_t rows = 0, cols = 0;
  std::vector<double> v;
  double bytes() const { return 8.0 * rows * cols; }
};

/// The operation of a row. Operands by op:
///   SpMV: a . x (x is cols x 1);  SpMM: a . x (x is cols x k);  SDDMM: a ∘ (x yᵀ) (a is the
///   sampling pattern P, x and y are n x k);  Add: a + b;  Mul: a ∘ b;  RowSum: a . 1;
///   DenseToCsr: x -> CSR of its non-zeros.
enum class Op { SpMV, SpMM, SDDMM, Add, Mul, SpGEMM, RowSum, DenseToCsr };

/// One row's inputs, generated once and handed to every library (each converts them to its own
/// types outside the timed region).
struct Inputs {
  Op op = Op::SpMV;
  Csr a, b;
  Dense x, y;
};

/// A library's prepared row: `run` performs the operation once (the timed part, output
/// allocation included, as a caller of the library would see it); `checksum` runs it and returns
/// the sum of the output's stored values, compared across libraries to catch wrong answers.
struct Prepared {
  std::function<void()> run;
  std::function<double()> checksum;
  std::string skip;  // non-empty: the library has no such operation (the reason is printed)
};

/// One library: its name, how to set its thread count, how to prepare a row.
struct Library {
  std::string name;
  std::function<void(int)> set_threads;
  std::function<Prepared(const Inputs&)> prepare;
};

// Adapters (each in its own file; Eigen and GraphBLAS only when found at configure time).
Library hypatia_library();
#ifdef LIMITS_HAVE_EIGEN
Library eigen_library();
#endif
#ifdef LIMITS_HAVE_GRAPHBLAS
Library graphblas_library();
#endif

// ---- input generators (deterministic for a seed) ----
/// rows x cols, `per_row` distinct random columns per row (fewer only when cols < per_row);
/// `band` > 0 keeps the columns within ±band of the diagonal.
Csr random_csr(int64_t rows, int64_t cols, int per_row, uint64_t seed, int64_t band = 0);
/// A matrix sharing half of each row's columns with `a` (the other half new), fresh values.
Csr half_overlap(const Csr& a, uint64_t seed);
Dense random_dense(int64_t rows, int64_t cols, uint64_t seed);
/// rows x cols with a fraction `density` of non-zeros at random places.
Dense random_sparse_dense(int64_t rows, int64_t cols, double density, uint64_t seed);

// ---- machine figures (limits_machine.cpp) ----
/// Whether timings start from cold caches (the default): flush_caches() before each timed call
/// of a row and each pass of the triad and gather figures. This machine's L3 (480 MB) holds a
/// row's operands (100-250 MB), but one pass does not leave them there (it took 200 calls in a
/// row for row sums to run from L3), and the libraries take turns on their own copies; so a
/// triad repeated over the same arrays measured the L3 while the kernels ran from memory.
/// Flushing before both makes the bound the memory's and the times comparable with it.
/// set_cold(false) (bench_limits --warm) keeps every cache as the previous call left it.
void set_cold(bool cold);
bool cold();
/// Evicts every cache level by sweeping a 1 GB buffer (more than twice the L3), read and written.
void flush_caches();
/// STREAM triad a = b + s*c over `n` doubles per array, at `threads` threads: bytes/s, counting
/// 24 bytes per element as STREAM does (writes counted once; kernels' bytes are counted alike).
/// With cold(), each timed pass starts from flushed caches.
double triad_bandwidth(int threads, int64_t n);
/// The triad bandwidth at the footprint of a row (`bytes` in all, rounded up to a power-of-two
/// array length): with cold(), the memory's bandwidth; otherwise cache bandwidth for rows that
/// fit in cache. Cached.
double triad_bandwidth_at(int threads, double bytes);
/// Seconds per random gather at `threads` threads (all threads together, i.e. the cost of one
/// gather when the work is split across them): `gathers` independent loads (as many as the row
/// makes, capped) of `width` consecutive doubles from a table of `table_rows` x `width` doubles,
/// at random rows, summed; the index stream
/// (4 bytes per gather) is read as in a CSR kernel. The best of plain loads and of software
/// prefetching 4 to 64 gathers ahead, so that a kernel that prefetches is held to the same
/// figure. Measured anew on every call (the machine's load changes), so each row's bound is
/// measured next to the row; with cold(), each configuration's pass starts from flushed caches.
double gather_cost(int64_t table_rows, int width, int threads, int64_t gathers);
/// Bytes/s at which `threads` threads stream-read a table of `bytes` that is already in cache
/// (warm: for tables that fit, the bandwidth of the cache level holding them), best of repeats.
/// Gathering whole rows of such a table can be no faster, so gathered bytes over this figure is
/// a lower bound for kernels that keep their gathered operand in cache (CSR·dense, SDDMM),
/// where the gather loops of gather_cost are beaten by the kernels' panelling. Cached.
double cached_read_bandwidth(int threads, double bytes);
/// One core's L2 in bytes (sysconf; 2 MiB when the system does not say).
double l2_bytes();
/// Seconds per dependent random load (pointer chasing) in a table of `bytes`: the latency.
double chase_latency(int64_t bytes);

}  // namespace limits
