// bench_limits' input generators and machine figures: STREAM triad bandwidth, random-gather cost
// (independent loads, as a sparse kernel issues them) and dependent-load latency.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <tuple>

#include "limits_common.h"

namespace limits {

namespace {
double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Fast deterministic generator (splitmix64): inputs of 10^8 entries are built in about a second.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int64_t below(int64_t n) { return static_cast<int64_t>(next() % static_cast<uint64_t>(n)); }
  double normalish() {  // sum of uniforms: cheap, symmetric, non-zero almost surely
    return ((next() >> 11) * 0x1.0p-53 + (next() >> 11) * 0x1.0p-53 - 1.0);
  }
};
// Gathers i0..i1 of m: rows of w doubles, `stride` apart, summed into acc; with pf > 0 each
// gather's lines are also prefetched pf gathers ahead, as the kernels do (the prefetches keep
// more misses in flight than the out-of-order window alone). A plain function: the same loop
// written as a lambda inside the parallel region measured 50 % slower.
void gather_rows(const double* table, const int32_t* idx, int64_t i0, int64_t i1, int64_t m, int pf, int w,
                 int64_t stride, double* acc) {
  const int64_t lines = (static_cast<int64_t>(w) * 8 + 63) / 64;
  for (int64_t i = i0; i < i1; ++i) {
    if (pf > 0 && i + pf < m) {
      const char* r = reinterpret_cast<const char*>(table + static_cast<int64_t>(idx[i + pf]) * stride);
      for (int64_t b = 0; b < lines; ++b) __builtin_prefetch(r + 64 * b, 0, 3);
    }
    const double* row = table + static_cast<int64_t>(idx[i]) * stride;
#pragma omp simd
    for (int j = 0; j < w; ++j) acc[j] += row[j];
  }
}

// One pass of m gathers of w doubles (rows `stride` apart), split across the threads; single
// doubles (w == 1) are summed into 4 independent accumulators, so that only the loads limit
// the loop, as in a CSR kernel.
double gather_pass(const double* table, const int32_t* idx, int64_t m, int threads, int pf, int w, int64_t stride) {
  double total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
  {
    const int nt = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t i0 = m * t / nt, i1 = m * (t + 1) / nt;
    if (w == 1) {
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (int64_t i = i0; i + 3 < i1; i += 4) {
        if (pf > 0 && i + pf + 3 < m)
          for (int u = 0; u < 4; ++u) __builtin_prefetch(table + idx[i + pf + u], 0, 3);
        s0 += table[idx[i]];
        s1 += table[idx[i + 1]];
        s2 += table[idx[i + 2]];
        s3 += table[idx[i + 3]];
      }
      total += s0 + s1 + s2 + s3;
    } else {
      std::vector<double> acc(w, 0.0);
      gather_rows(table, idx, i0, i1, m, pf, w, stride, acc.data());
      for (double a : acc) total += a;
    }
  }
  return total;
}
}  // namespace

Csr random_csr(int64_t rows, int64_t cols, int per_row, uint64_t seed, int64_t band) {
  Csr m;
  m.rows = rows;
  m.cols = cols;
  m.ptr.assign(rows + 1, 0);
  m.idx.reserve(rows * per_row);
  m.val.reserve(rows * per_row);
  Rng r{seed};
  std::vector<int32_t> row;
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t lo = band > 0 ? std::max<int64_t>(0, i - band) : 0;
    const int64_t hi = band > 0 ? std::min<int64_t>(cols, i + band + 1) : cols;
    const int want = static_cast<int>(std::min<int64_t>(per_row, hi - lo));
    row.clear();
    while (static_cast<int>(row.size()) < want) {
      const auto c = static_cast<int32_t>(lo + r.below(hi - lo));
      if (std::find(row.begin(), row.end(), c) == row.end()) row.push_back(c);
    }
    std::sort(row.begin(), row.end());
    for (int32_t c : row) {
      m.idx.push_back(c);
      m.val.push_back(r.normalish());
    }
    m.ptr[i + 1] = static_cast<int32_t>(m.idx.size());
  }
  return m;
}

Csr half_overlap(const Csr& a, uint64_t seed) {
  Csr m;
  m.rows = a.rows;
  m.cols = a.cols;
  m.ptr.assign(a.rows + 1, 0);
  Rng r{seed};
  std::vector<int32_t> row;
  for (int64_t i = 0; i < a.rows; ++i) {
    const int32_t b = a.ptr[i], e = a.ptr[i + 1];
    row.assign(a.idx.begin() + b, a.idx.begin() + e);
    const int n = e - b, keep = n / 2;
    for (int k = 0; k < keep; ++k) std::swap(row[k], row[k + r.below(n - k)]);  // random half first
    row.resize(keep);
    int tries = 0;
    while (static_cast<int>(row.size()) < n && tries++ < 100 * n) {  // the other half: columns not in a
      const auto c = static_cast<int32_t>(r.below(a.cols));
      if (std::find(row.begin(), row.end(), c) == row.end() &&
          !std::binary_search(a.idx.begin() + b, a.idx.begin() + e, c))
        row.push_back(c);
    }
    std::sort(row.begin(), row.end());
    for (int32_t c : row) {
      m.idx.push_back(c);
      m.val.push_back(r.normalish());
    }
    m.ptr[i + 1] = static_cast<int32_t>(m.idx.size());
  }
  return m;
}

Dense random_dense(int64_t rows, int64_t cols, uint64_t seed) {
  Dense d{rows, cols, std::vector<double>(rows * cols)};
  Rng r{seed};
  for (double& v : d.v) v = r.normalish();
  return d;
}

Dense random_sparse_dense(int64_t rows, int64_t cols, double density, uint64_t seed) {
  Dense d{rows, cols, std::vector<double>(rows * cols, 0.0)};
  Rng r{seed};
  const auto cut = static_cast<uint64_t>(density * 18446744073709551615.0);
  for (double& v : d.v)
    if (r.next() < cut) v = r.normalish();
  return d;
}

bool g_cold = true;
void set_cold(bool c) { g_cold = c; }
bool cold() { return g_cold; }

void flush_caches() {
  static std::vector<double> junk(int64_t{1} << 27, 1.0);  // 1 GB
  double s = 0;
  const int64_t n = static_cast<int64_t>(junk.size());
#pragma omp parallel for reduction(+ : s) schedule(static)
  for (int64_t i = 0; i < n; i += 8) {  // one double per line, read and written
    s += junk[i];
    junk[i] = s * 0.0 + 1.0;
  }
  volatile double sink = s;
  (void)sink;
}

double triad_bandwidth(int threads, int64_t n) {
  std::vector<double> a(n), b(n), c(n);
#pragma omp parallel for num_threads(threads) schedule(static)  // first touch by the same threads
  for (int64_t i = 0; i < n; ++i) {
    a[i] = 0;
    b[i] = 1.0 + i % 7;
    c[i] = 2.0 - i % 5;
  }
  double best = std::numeric_limits<double>::infinity();
  const double s = 3.0;
  // Warm: >= ~1 ms per timing for cached sizes. Cold: one pass after a flush.
  const int inner = g_cold ? 1 : static_cast<int>(std::max<int64_t>(1, 4'000'000 / n));
  for (int rep = 0; rep < (g_cold ? 5 : 7); ++rep) {
    if (g_cold) flush_caches();
    const double t0 = now();
    for (int k = 0; k < inner; ++k) {
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int64_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
    }
    best = std::min(best, (now() - t0) / inner);
  }
  volatile double sink = a[n / 2];
  (void)sink;
  return 24.0 * n / best;
}

double triad_bandwidth_at(int threads, double bytes) {
  static std::map<std::pair<int, int64_t>, double> cache;
  int64_t n = 4096;
  while (24.0 * n < bytes) n *= 2;
  const auto key = std::make_pair(threads, n);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  return cache[key] = triad_bandwidth(threads, n);
}

double gather_cost(int64_t table_rows, int width, int threads, int64_t gathers) {
  std::vector<double> table(table_rows * width);
  for (int64_t i = 0; i < static_cast<int64_t>(table.size()); ++i) table[i] = 1.0 / (1 + i % 13);
  // As many gathers as the row makes (so each table row is reused as often, from cache after
  // its first touch), up to a pass of about 60 ms.
  const int64_t m = std::clamp<int64_t>(gathers, 1 << 16, width == 1 ? int64_t{16} << 20 : (int64_t{128} << 20) / width);
  std::vector<int32_t> idx(m);
  Rng r{77};
  for (auto& v : idx) v = static_cast<int32_t>(r.below(table_rows));
  // The best of plain loads and of prefetch distances a kernel might use, and, for wide rows,
  // of gathering them in column panels (each sweep reads a slice of every row, so a sweep's
  // working set is the table's share of that slice): the cheapest way this machine was seen to
  // gather, so that no kernel's prefetching or panelling beats the bound.
  double best = std::numeric_limits<double>::infinity(), total = 0;
  for (int panels : {1, 2, 4, 8}) {
    if (width % panels != 0 || (panels > 1 && width / panels < 8)) continue;
    const int pw = width / panels;
    for (int pf : {0, 4, 8, 16, 32, 64})
      for (int rep = 0; rep < (g_cold ? 1 : 3); ++rep) {
        if (g_cold) flush_caches();
        const double t0 = now();
        for (int c = 0; c < panels; ++c) {
          const double* t = table.data() + static_cast<int64_t>(c) * pw;
          total += gather_pass(t, idx.data(), m, threads, pf, pw, width);
        }
        best = std::min(best, now() - t0);
      }
  }
  volatile double sink = total;
  (void)sink;
  return best / m;
}

double l2_bytes() {
  const long v = sysconf(_SC_LEVEL2_CACHE_SIZE);
  return v > 0 ? static_cast<double>(v) : 2.0 * (1 << 20);
}

namespace {
// The sum of p[0, n) as integers: no reassociation concern and no add-latency chain, so it
// vectorises and runs at the rate the cache delivers lines; cloned for the widest vectors the
// CPU has (the kernels it bounds use AVX-512, and SSE2 loads alone fall short of L2's rate).
__attribute__((target_clones("avx512f", "avx2", "default"))) uint64_t sum_words(const uint64_t* p, int64_t n) {
  uint64_t s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; ++i) s += p[i];
  return s;
}
}  // namespace

double cached_read_bandwidth(int threads, double bytes) {
  static std::map<std::pair<int, int64_t>, double> cache;
  const int64_t n = std::max<int64_t>(int64_t{1} << 12, static_cast<int64_t>(bytes / 8)) / threads * threads;
  const auto key = std::make_pair(threads, n);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::vector<uint64_t> table(n);
  const int64_t share = n / threads;
#pragma omp parallel for num_threads(threads) schedule(static)  // first touch by the readers
  for (int64_t i = 0; i < n; ++i) table[i] = static_cast<uint64_t>(i % 7);
  const int inner = static_cast<int>(std::max<int64_t>(1, (int64_t{64} << 20) / n));  // >= ~0.5 GB a timing
  double best = std::numeric_limits<double>::infinity();
  uint64_t total = 0;
  const uint64_t* base = table.data();
  for (int rep = 0; rep < 6; ++rep) {  // the first pass brings the table in
    const double t0 = now();
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
      const uint64_t* mine = base + share * omp_get_thread_num();  // each thread its own share, every pass
      for (int k = 0; k < inner; ++k) total += sum_words(mine, share);
    }
    if (rep > 0) best = std::min(best, (now() - t0) / inner);
  }
  volatile uint64_t sink = total;
  (void)sink;
  return cache[key] = 8.0 * n / best;
}

double chase_latency(int64_t bytes) {
  const int64_t n = bytes / 64;  // one node per cache line
  std::vector<int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  Rng r{99};
  for (int64_t i = n - 1; i > 0; --i) std::swap(perm[i], perm[r.below(i + 1)]);
  std::vector<int64_t> next(n * 8);  // 8 int64 per line; a single cycle through all lines
  for (int64_t i = 0; i < n; ++i) next[perm[i] * 8] = perm[(i + 1) % n] * 8;
  const int64_t steps = std::min<int64_t>(n, 2'000'000);
  double best = std::numeric_limits<double>::infinity();
  int64_t p = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const double t0 = now();
    for (int64_t s = 0; s < steps; ++s) p = next[p];
    best = std::min(best, now() - t0);
  }
  volatile int64_t sink = p;
  (void)sink;
  return best / steps;
}

}  // namespace limits
