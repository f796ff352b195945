// Tiled float32/float64 CSR kernels (see spmm_tiled.h): each body is an always-inline template
// compiled twice, for baseline x86-64 and for AVX2+FMA (target attribute), picked at run time.
#include "hypatia/sparse/kernels/spmm_tiled.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>

#include <omp.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "hypatia/value/dense_runs.h"

// Vectors are passed by value only between always-inline helpers (no ABI boundary).
#pragma GCC diagnostic ignored "-Wpsabi"

namespace hypatia::sparse_kernels::tiled {

namespace {

#define HYP_INLINE inline __attribute__((always_inline))
#if defined(__x86_64__) || defined(__i386__)
#define HYP_AVX2 __attribute__((target("avx2,fma")))
// AVX-512VL doubles the vector registers (32): the SpMM tiles then hold 16 vectors, a whole
// 64-wide float64 row (or 128 float32), so each row's entries are read in one pass.
#define HYP_AVX512 __attribute__((target("avx2,fma,avx512f,avx512vl")))
#define HYP_HAVE_AVX2 1
#else
#define HYP_AVX2
#define HYP_AVX512
#define HYP_HAVE_AVX2 0
#endif

// A 32-byte vector of T (4 doubles or 8 floats): float32 tiles hold twice the columns, so both
// move the same bytes per instruction. Unaligned loads/stores go through memcpy.
template <class T>
struct Vec {
  typedef T type __attribute__((vector_size(32)));
  static constexpr int lanes = 32 / sizeof(T);
};
template <class T>
using vec_t = typename Vec<T>::type;

template <class T>
HYP_INLINE vec_t<T> vload(const T* p) {
  vec_t<T> v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
template <class T>
HYP_INLINE void vstore(T* p, const vec_t<T>& v) {
  std::memcpy(p, &v, sizeof(v));
}

// Entries ahead whose gathered operand is prefetched (an element of x for SpMV, a row of B or Y
// otherwise), and the most cache lines of one gathered row that are prefetched.
constexpr int64_t kAheadSpmv = 32;
constexpr int64_t kAhead = 16;
constexpr int64_t kMaxLines = 16;
// Bytes of the dense operand's column panel that SpMM keeps in L2 (see csr_spmm).
constexpr double kPanelBytes = 768.0 * 1024;
// Fresh SpMM outputs from this size on are written with streaming stores (see csr_spmm).
constexpr double kStreamBytes = 16.0 * 1024 * 1024;

HYP_INLINE void prefetch_row(const void* p, int64_t bytes) {
  const char* c = static_cast<const char*>(p);
  const int64_t lines = std::min<int64_t>((bytes + 63) / 64, kMaxLines);
  for (int64_t l = 0; l < lines; ++l) __builtin_prefetch(c + 64 * l, 0, 3);
}

template <class F>
void run_chunks(const std::vector<int64_t>& bounds, int nt, F&& body) {
  const int chunks = static_cast<int>(bounds.size()) - 1;
  if (nt <= 1 || chunks <= 1) {
    if (chunks >= 1) body(bounds.front(), bounds.back());
    return;
  }
  // Dynamic over nnz-balanced chunks: a core that another process slows down takes fewer.
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
  for (int c = 0; c < chunks; ++c) body(bounds[c], bounds[c + 1]);
}

// Reads stored indices for the gathers: an index outside [0, hi) is recorded in `bad` and read
// as hi - 1 instead (a safe read whose result the caller discards when it raises), so the range
// check costs a compare and a min per entry inside the kernel's own pass (branch-free), instead
// of a second sweep over the indices. Negative indices sign-extend to huge unsigned values.
struct Guard {
  uint64_t hi;  // >= 1
  uint64_t bad = 0;
  template <class I>
  HYP_INLINE int64_t operator()(I j) {
    const uint64_t u = static_cast<uint64_t>(static_cast<int64_t>(j));
    bad |= u >= hi;
    return static_cast<int64_t>(std::min(u, hi - 1));
  }
};

// The guard's bound for `inner` (< 0: nothing to check).
uint64_t guard_bound(int64_t inner) { return inner < 0 ? UINT64_MAX : static_cast<uint64_t>(inner); }

// run_chunks for kernels that take a Guard: true when no chunk met a bad index. A matrix with
// stored entries but no valid index at all (inner == 0) fails before any read.
template <class I, class F>
bool run_guarded(const I* ptr, int64_t rows, const std::vector<int64_t>& bounds, int nt, int64_t inner, F&& body) {
  if (inner == 0 && rows > 0 && ptr[rows] > 0) return false;
  std::atomic<bool> bad{false};
  run_chunks(bounds, nt, [&](int64_t r0, int64_t r1) {
    if (!body(r0, r1, guard_bound(inner))) bad.store(true, std::memory_order_relaxed);
  });
  return !bad.load();
}

template <class I>
std::vector<int64_t> chunks_for(const I* indptr, int64_t rows, int64_t row_cost, int nt) {
  return balanced_chunks(indptr, rows, row_cost, nt <= 1 ? 1 : 8 * nt);
}

// ------------------------------------------------------------------ SpMV

// Prefetches the lines holding idx[kb + dist, ke + dist) into L2 (dist 0: none). SpMV reads a block's indices
// twice, in its span check (csr_spmv) and in its rows; without this the check is the first to
// touch them and waits on memory with nothing to overlap, about a fifth of a banded SpMV. The
// rows of one block prefetch the next block's indices, each row as many as it holds, so the
// check finds them in L2. A prefetch never faults, so the address is formed as an integer.
template <class I>
HYP_INLINE void prefetch_ahead(const I* idx, int64_t kb, int64_t ke, int64_t dist) {
  if (dist <= 0) return;
  const uintptr_t base = reinterpret_cast<uintptr_t>(idx);
  for (int64_t k = kb; k < ke; k += 64 / static_cast<int64_t>(sizeof(I)))
    __builtin_prefetch(reinterpret_cast<const void*>(base + static_cast<uintptr_t>(k + dist) * sizeof(I)), 0, 2);
}

// Prefetches the two lines 16 KB past p into L2. SpMV's rows read the values as one stream,
// and one read stream does not keep enough lines in flight to reach the memory bandwidth (the
// hardware prefetcher runs a short way ahead): one call per row keeps the stream ahead (banded
// SpMV 11.0 -> 9.1 ms at one thread, 6.4 -> 3.8 at two; random 42 -> 39). A prefetch never
// faults, so the address is formed as an integer.
template <class T>
HYP_INLINE void prefetch_stream(const T* p) {
  const uintptr_t ahead = reinterpret_cast<uintptr_t>(p) + 16384;
  __builtin_prefetch(reinterpret_cast<const void*>(ahead), 0, 2);
  __builtin_prefetch(reinterpret_cast<const void*>(ahead + 64), 0, 2);
}

// SpMV's gathers are the whole of its work: a guard per entry (Guard) measured 10-20 % slower
// than this loop plus a vectorised check of each block's indices beforehand (csr_spmv).
template <class T, class I>
HYP_INLINE void spmv_rows(const T* data, const I* idx, const I* ptr, int64_t r0, int64_t r1, const T* x,
                          int64_t sx, T* y, bool acc, T alpha, bool scaled, int64_t pf_next) {
  const int64_t kend = static_cast<int64_t>(ptr[r1]);
  for (int64_t i = r0; i < r1; ++i) {
    const int64_t kb = static_cast<int64_t>(ptr[i]), ke = static_cast<int64_t>(ptr[i + 1]);
    prefetch_ahead(idx, kb, ke, pf_next);
    prefetch_stream(data + kb);
    T s0{}, s1{}, s2{}, s3{};
    int64_t k = kb;
    for (; k + 4 <= ke; k += 4) {
      if (k + kAheadSpmv + 4 <= kend) {
        for (int u = 0; u < 4; ++u) __builtin_prefetch(x + static_cast<int64_t>(idx[k + kAheadSpmv + u]) * sx, 0, 3);
      }
      s0 += data[k] * x[static_cast<int64_t>(idx[k]) * sx];
      s1 += data[k + 1] * x[static_cast<int64_t>(idx[k + 1]) * sx];
      s2 += data[k + 2] * x[static_cast<int64_t>(idx[k + 2]) * sx];
      s3 += data[k + 3] * x[static_cast<int64_t>(idx[k + 3]) * sx];
    }
    if (k < ke) s0 += data[k] * x[static_cast<int64_t>(idx[k]) * sx];
    if (k + 1 < ke) s1 += data[k + 1] * x[static_cast<int64_t>(idx[k + 1]) * sx];
    if (k + 2 < ke) s2 += data[k + 2] * x[static_cast<int64_t>(idx[k + 2]) * sx];
    T s = (s0 + s1) + (s2 + s3);
    if (scaled) s = alpha * s;
    if (acc) y[i] += s;
    else y[i] = s;
  }
}

// Rows whose gathers hit cache (a band): two interleaved sums and no prefetch, a shorter loop
// for rows of a few entries (measured 15 % faster than the four-sum loop on 10 per row).
template <class T, class I>
HYP_INLINE void spmv_rows_local(const T* data, const I* idx, const I* ptr, int64_t r0, int64_t r1, const T* x,
                                int64_t sx, T* y, bool acc, T alpha, bool scaled, int64_t pf_next) {
  for (int64_t i = r0; i < r1; ++i) {
    const int64_t ke = static_cast<int64_t>(ptr[i + 1]);
    T s0{}, s1{};
    int64_t k = static_cast<int64_t>(ptr[i]);
    prefetch_ahead(idx, k, ke, pf_next);
    prefetch_stream(data + k);
    for (; k + 2 <= ke; k += 2) {
      s0 += data[k] * x[static_cast<int64_t>(idx[k]) * sx];
      s1 += data[k + 1] * x[static_cast<int64_t>(idx[k + 1]) * sx];
    }
    if (k < ke) s0 += data[k] * x[static_cast<int64_t>(idx[k]) * sx];
    T s = s0 + s1;
    if (scaled) s = alpha * s;
    if (acc) y[i] += s;
    else y[i] = s;
  }
}

// `local`: the rows' indices span a stretch of x that stays in cache (a band).
template <class T, class I>
HYP_AVX2 void spmv_avx2(const T* data, const I* idx, const I* ptr, int64_t r0, int64_t r1, const T* x, int64_t sx,
                        T* y, bool acc, T alpha, bool scaled, bool local, int64_t pf_next) {
  if (local) spmv_rows_local(data, idx, ptr, r0, r1, x, sx, y, acc, alpha, scaled, pf_next);
  else spmv_rows(data, idx, ptr, r0, r1, x, sx, y, acc, alpha, scaled, pf_next);
}
template <class T, class I>
void spmv_base(const T* data, const I* idx, const I* ptr, int64_t r0, int64_t r1, const T* x, int64_t sx, T* y,
               bool acc, T alpha, bool scaled, bool local, int64_t pf_next) {
  if (local) spmv_rows_local(data, idx, ptr, r0, r1, x, sx, y, acc, alpha, scaled, pf_next);
  else spmv_rows(data, idx, ptr, r0, r1, x, sx, y, acc, alpha, scaled, pf_next);
}

// The smallest and largest of idx[0, n) (vectorised min/max reductions; n >= 1).
template <class I>
HYP_INLINE void index_span_body(const I* idx, int64_t n, I& lo, I& hi) {
  I a = idx[0], b = idx[0];
  for (int64_t k = 0; k < n; ++k) {
    a = idx[k] < a ? idx[k] : a;
    b = idx[k] > b ? idx[k] : b;
  }
  lo = a, hi = b;
}
template <class I>
HYP_AVX2 void index_span_avx2(const I* idx, int64_t n, I& lo, I& hi) { index_span_body(idx, n, lo, hi); }
template <class I>
void index_span_base(const I* idx, int64_t n, I& lo, I& hi) { index_span_body(idx, n, lo, hi); }

// SpMV takes its rows in blocks: each block's indices are checked by their span (min and max,
// which also say whether the block reads x from cache) while they are in L2, then the block is
// computed.
constexpr int64_t kSpmvBlockRows = 2048;
constexpr double kSpmvLocalBytes = 256.0 * 1024;

// ------------------------------------------------------------------ SpMM

#if HYP_HAVE_AVX2
// A 32-byte non-temporal store (p 32-byte aligned), for the AVX2/AVX-512 builds only.
HYP_AVX2 inline void stream_store(double* p, const vec_t<double>& v) { _mm256_stream_pd(p, reinterpret_cast<__m256d>(v)); }
HYP_AVX2 inline void stream_store(float* p, const vec_t<float>& v) { _mm256_stream_ps(p, reinterpret_cast<__m256>(v)); }
#endif

// One register tile: R vectors of output columns [j0, j0 + R * lanes) of row i, accumulated over
// the row's entries in stored order and stored once. `pf` prefetches the whole B row of the entry
// kAhead positions on (up to kend) for the first tile of a row: pf_cols columns from j0.
template <int R, class T, class I>
HYP_INLINE void spmm_tile(const T* data, const I* idx, int64_t kb, int64_t ke, int64_t kend, const T* B, int64_t ldb,
                          int64_t pf_cols, int64_t j0, T* orow, bool acc, T alpha, bool scaled, bool pf, bool stream,
                          Guard& g) {
  constexpr int L = Vec<T>::lanes;
  using V = vec_t<T>;
  V a[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) a[r] = acc ? vload(orow + j0 + r * L) : V{};
  for (int64_t k = kb; k < ke; ++k) {
    if (pf && k + kAhead < kend)
      prefetch_row(B + static_cast<int64_t>(idx[k + kAhead]) * ldb + j0, pf_cols * int64_t(sizeof(T)));
    const T s = scaled ? alpha * data[k] : data[k];
    const V sv = V{} + s;
    const T* b = B + g(idx[k]) * ldb + j0;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) a[r] += sv * vload(b + r * L);
  }
#if HYP_HAVE_AVX2
  // Streaming stores (see csr_spmm): a fresh output row is written whole, so reading its lines
  // in first, as plain stores do, is traffic the product does not need.
  if (stream && (reinterpret_cast<uintptr_t>(orow + j0) & 31) == 0) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) stream_store(orow + j0 + r * L, a[r]);
    return;
  }
#endif
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) vstore(orow + j0 + r * L, a[r]);
}

// Output columns [jb, je) of rows r0..r1 (a column panel: see csr_spmm), tile by tile.
template <int MaxR, class T, class I>
HYP_INLINE bool spmm_rows(const T* data, const I* idx, const I* ptr, int64_t r0, int64_t r1, const T* B, int64_t ldb,
                          int64_t n, int64_t jb, int64_t je, T* O, bool acc, T alpha, bool scaled, uint64_t hi,
                          bool stream) {
  constexpr int64_t L = Vec<T>::lanes;
  Guard g{hi};
  const int64_t kend = static_cast<int64_t>(ptr[r1]), w = je - jb;
  for (int64_t i = r0; i < r1; ++i) {
    const int64_t kb = static_cast<int64_t>(ptr[i]), ke = static_cast<int64_t>(ptr[i + 1]);
    T* orow = O + i * n;
    int64_t j = jb;
    if constexpr (MaxR >= 16) {
      for (; j + 16 * L <= je; j += 16 * L)
        spmm_tile<16>(data, idx, kb, ke, kend, B, ldb, w, j, orow, acc, alpha, scaled, j == jb, stream, g);
    }
    for (; j + 8 * L <= je; j += 8 * L) spmm_tile<8>(data, idx, kb, ke, kend, B, ldb, w, j, orow, acc, alpha, scaled, j == jb, stream, g);
    if (j + 4 * L <= je) {
      spmm_tile<4>(data, idx, kb, ke, kend, B, ldb, w, j, orow, acc, alpha, scaled, j == jb, stream, g);
      j += 4 * L;
    }
    if (j + 2 * L <= je) {
      spmm_tile<2>(data, idx, kb, ke, kend, B, ldb, w, j, orow, acc, alpha, scaled, j == jb, stream, g);
      j += 2 * L;
    }
    if (j + L <= je) {
      spmm_tile<1>(data, idx, kb, ke, kend, B, ldb, w, j, orow, acc, alpha, scaled, j == jb, stream, g);
      j += L;
    }
    // Fewer than one vector of columns left: scalar, same order (entries in stored order).
    for (; j < je; ++j) {
      T s = acc ? orow[j] : T{};
      for (int64_t k = kb; k < ke; ++k) s += (scaled ? alpha * data[k] : data[k]) * B[g(idx[k]) * ldb + j];
      orow[j] = s;
    }
  }
  return g.bad == 0;
}

template <class T, class I>
HYP_AVX512 bool spmm_avx512(const T* data, const I* idx, const I* ptr, int64_t r0, int64_t r1, const T* B,
                            int64_t ldb, int64_t n, int64_t jb, int64_t je, T* O, bool acc, T alpha, bool scaled,
                            uint64_t hi, bool stream) {
  return spmm_rows<16>(data, idx, ptr, r0, r1, B, ldb, n, jb, je, O, acc, alpha, scaled, hi, stream);
}
template <class T, class I>
HYP_AVX2 bool spmm_avx2(const T* data, const I* idx, const I* ptr, int64_t r0, int64_t r1, const T* B, int64_t ldb,
                        int64_t n, int64_t jb, int64_t je, T* O, bool acc, T alpha, bool scaled, uint64_t hi,
                        bool stream) {
  return spmm_rows<8>(data, idx, ptr, r0, r1, B, ldb, n, jb, je, O, acc, alpha, scaled, hi, stream);
}
template <class T, class I>
bool spmm_base(const T* data, const I* idx, const I* ptr, int64_t r0, int64_t r1, const T* B, int64_t ldb, int64_t n,
               int64_t jb, int64_t je, T* O, bool acc, T alpha, bool scaled, uint64_t hi) {
  return spmm_rows<8>(data, idx, ptr, r0, r1, B, ldb, n, jb, je, O, acc, alpha, scaled, hi, false);
}

// ------------------------------------------------------------------ row accumulation

// orow[j] += sum_p val[p] * Y[col[p] * ldy + j] over p in order, for j in [0, n), in register
// tiles of R vectors (each output element sums its terms in the order of p, as the plain loop).
template <int R, class T>
HYP_INLINE void accumulate_tile(T* orow, const T* Y, int64_t ldy, const int64_t* col, const T* val, int64_t cnt,
                                int64_t j0) {
  constexpr int L = Vec<T>::lanes;
  using V = vec_t<T>;
  V a[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) a[r] = vload(orow + j0 + r * L);
  for (int64_t p = 0; p < cnt; ++p) {
    const V sv = V{} + val[p];
    const T* y = Y + col[p] * ldy + j0;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) a[r] += sv * vload(y + r * L);
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) vstore(orow + j0 + r * L, a[r]);
}

template <class T>
HYP_INLINE void accumulate_row_body(T* orow, const T* Y, int64_t ldy, const int64_t* col, const T* val, int64_t cnt,
                                    int64_t n) {
  constexpr int64_t L = Vec<T>::lanes;
  int64_t j = 0;
  for (; j + 8 * L <= n; j += 8 * L) accumulate_tile<8>(orow, Y, ldy, col, val, cnt, j);
  if (j + 4 * L <= n) accumulate_tile<4>(orow, Y, ldy, col, val, cnt, j), j += 4 * L;
  if (j + 2 * L <= n) accumulate_tile<2>(orow, Y, ldy, col, val, cnt, j), j += 2 * L;
  if (j + L <= n) accumulate_tile<1>(orow, Y, ldy, col, val, cnt, j), j += L;
  for (; j < n; ++j) {
    T s = orow[j];
    for (int64_t p = 0; p < cnt; ++p) s += val[p] * Y[col[p] * ldy + j];
    orow[j] = s;
  }
}

template <class T>
HYP_AVX2 void accumulate_row_avx2(T* orow, const T* Y, int64_t ldy, const int64_t* col, const T* val, int64_t cnt,
                                  int64_t n) {
  accumulate_row_body(orow, Y, ldy, col, val, cnt, n);
}
template <class T>
void accumulate_row_base(T* orow, const T* Y, int64_t ldy, const int64_t* col, const T* val, int64_t cnt, int64_t n) {
  accumulate_row_body(orow, Y, ldy, col, val, cnt, n);
}

// ------------------------------------------------------------------ CSC scatter

template <class T, class I>
HYP_INLINE void scatter_cols(const T* data, const I* idx, const I* ptr, int64_t o0, int64_t o1, const T* B,
                             int64_t ldb, int64_t n, T* O, int64_t j0, int64_t j1, T alpha, bool scaled) {
  for (int64_t o = o0; o < o1; ++o) {
    const T* __restrict b = B + o * ldb;
    for (int64_t k = static_cast<int64_t>(ptr[o]); k < static_cast<int64_t>(ptr[o + 1]); ++k) {
      const T s = scaled ? alpha * data[k] : data[k];
      T* __restrict orow = O + static_cast<int64_t>(idx[k]) * n;
      for (int64_t j = j0; j < j1; ++j) orow[j] += s * b[j];
    }
  }
}

template <class T, class I>
HYP_AVX2 void scatter_avx2(const T* data, const I* idx, const I* ptr, int64_t o0, int64_t o1, const T* B, int64_t ldb,
                           int64_t n, T* O, int64_t j0, int64_t j1, T alpha, bool scaled) {
  scatter_cols(data, idx, ptr, o0, o1, B, ldb, n, O, j0, j1, alpha, scaled);
}
template <class T, class I>
void scatter_base(const T* data, const I* idx, const I* ptr, int64_t o0, int64_t o1, const T* B, int64_t ldb,
                  int64_t n, T* O, int64_t j0, int64_t j1, T alpha, bool scaled) {
  scatter_cols(data, idx, ptr, o0, o1, B, ldb, n, O, j0, j1, alpha, scaled);
}

// ------------------------------------------------------------------ SDDMM

template <class T>
HYP_INLINE T hsum(const vec_t<T>& v) {
  constexpr int L = Vec<T>::lanes;
  T lane[L];
  std::memcpy(lane, &v, sizeof(v));
  // Pairwise, fixed tree.
  for (int w = L / 2; w >= 1; w /= 2)
    for (int l = 0; l < w; ++l) lane[l] += lane[l + w];
  return lane[0];
}

template <class T, class I>
HYP_INLINE bool sddmm_rows(const T* data, const I* idx, const I* ptr, int64_t r0, int64_t r1, const T* X, int64_t ldx,
                           const T* Y, int64_t ldy, int64_t K, T* out, uint64_t hi) {
  constexpr int64_t L = Vec<T>::lanes;
  using V = vec_t<T>;
  Guard g{hi};
  const int64_t kend = static_cast<int64_t>(ptr[r1]);
  for (int64_t i = r0; i < r1; ++i) {
    const T* xr = X + i * ldx;
    const int64_t kb = static_cast<int64_t>(ptr[i]), ke = static_cast<int64_t>(ptr[i + 1]);
    for (int64_t k = kb; k < ke; ++k) {
      if (k + kAhead < kend) prefetch_row(Y + static_cast<int64_t>(idx[k + kAhead]) * ldy, K * int64_t(sizeof(T)));
      const T* yr = Y + g(idx[k]) * ldy;
      V a0{}, a1{}, a2{}, a3{};
      int64_t t = 0;
      for (; t + 4 * L <= K; t += 4 * L) {
        a0 += vload(xr + t) * vload(yr + t);
        a1 += vload(xr + t + L) * vload(yr + t + L);
        a2 += vload(xr + t + 2 * L) * vload(yr + t + 2 * L);
        a3 += vload(xr + t + 3 * L) * vload(yr + t + 3 * L);
      }
      for (; t + L <= K; t += L) a0 += vload(xr + t) * vload(yr + t);
      T s = hsum<T>((a0 + a1) + (a2 + a3));
      for (; t < K; ++t) s += xr[t] * yr[t];
      out[k] = data ? data[k] * s : s;
    }
  }
  return g.bad == 0;
}

template <class T, class I>
HYP_AVX2 bool sddmm_avx2(const T* data, const I* idx, const I* ptr, int64_t r0, int64_t r1, const T* X, int64_t ldx,
                         const T* Y, int64_t ldy, int64_t K, T* out, uint64_t hi) {
  return sddmm_rows(data, idx, ptr, r0, r1, X, ldx, Y, ldy, K, out, hi);
}
template <class T, class I>
bool sddmm_base(const T* data, const I* idx, const I* ptr, int64_t r0, int64_t r1, const T* X, int64_t ldx, const T* Y,
                int64_t ldy, int64_t K, T* out, uint64_t hi) {
  return sddmm_rows(data, idx, ptr, r0, r1, X, ldx, Y, ldy, K, out, hi);
}

bool cpu_has_avx2() {
#if HYP_HAVE_AVX2
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

bool cpu_has_avx512() {
#if HYP_HAVE_AVX2
  return cpu_has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

bool g_avx2 = cpu_has_avx2();
bool g_avx512 = cpu_has_avx512();
bool g_enabled = true;

}  // namespace

bool use_avx2() { return g_avx2; }
void set_avx2(bool enabled) { g_avx2 = enabled && cpu_has_avx2(); }
bool use_avx512() { return g_avx2 && g_avx512; }
void set_avx512(bool enabled) {
  g_avx512 = enabled && cpu_has_avx512();
  set_dense_runs_avx512(enabled);  // the value layer's from_dense scan follows the same switch
}
bool enabled() { return g_enabled; }
void set_enabled(bool on) { g_enabled = on; }

template <class I>
std::vector<int64_t> balanced_chunks(const I* indptr, int64_t outer, int64_t row_cost, int chunks) {
  chunks = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(chunks, outer)));
  std::vector<int64_t> b(chunks + 1, 0);
  b[chunks] = outer;
  auto cost = [&](int64_t o) { return static_cast<int64_t>(indptr[o]) + o * row_cost; };
  const int64_t total = cost(outer);
  for (int c = 1; c < chunks; ++c) {
    // First slice boundary o with cost(o) >= total * c / chunks (cost is non-decreasing).
    const int64_t target = static_cast<int64_t>(static_cast<long double>(total) * c / chunks);
    int64_t lo = b[c - 1], hi = outer;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (cost(mid) < target) lo = mid + 1;
      else hi = mid;
    }
    b[c] = lo;
  }
  return b;
}

template <class T, class I>
bool csr_spmv(const T* data, const I* indices, const I* indptr, int64_t rows, const T* x, int64_t sx, T* y,
              bool accumulate, T alpha, bool scaled, int nt, int64_t inner) {
  const bool avx = use_avx2();
  return run_guarded(indptr, rows, chunks_for(indptr, rows, 1, nt), nt, inner, [&](int64_t r0, int64_t r1, uint64_t) {
    // Blocks are aligned to multiples of kSpmvBlockRows from row 0, and a block's span is taken
    // over the whole block even where a chunk holds part of it: each row's loop (and so its sum)
    // does not depend on the number of threads.
    for (int64_t b = r0; b < r1;) {
      const int64_t q0 = b / kSpmvBlockRows * kSpmvBlockRows, q1 = std::min(rows, q0 + kSpmvBlockRows);
      const int64_t e = std::min(r1, q1);
      const int64_t k0 = static_cast<int64_t>(indptr[q0]), k1 = static_cast<int64_t>(indptr[q1]);
      bool local = true;
      if (k1 > k0) {
        I lo, hi;
        if (avx) index_span_avx2(indices + k0, k1 - k0, lo, hi);
        else index_span_base(indices + k0, k1 - k0, lo, hi);
        if (inner >= 0 && (lo < 0 || static_cast<int64_t>(hi) >= inner)) return false;
        local = (static_cast<double>(hi) - static_cast<double>(lo) + 1) * sizeof(T) * static_cast<double>(sx < 0 ? -sx : sx) <=
                kSpmvLocalBytes;
      }
      // The next block's indices are prefetched a block's length ahead, when it is this chunk's.
      const int64_t pf = e < r1 ? k1 - k0 : 0;
      if (avx) spmv_avx2(data, indices, indptr, b, e, x, sx, y, accumulate, alpha, scaled, local, pf);
      else spmv_base(data, indices, indptr, b, e, x, sx, y, accumulate, alpha, scaled, local, pf);
      b = e;
    }
    return true;
  });
}

template <class T, class I>
bool csr_spmm(const T* data, const I* indices, const I* indptr, int64_t rows, const T* B, int64_t ldb, int64_t n, T* O,
              bool accumulate, T alpha, bool scaled, int nt, int64_t inner) {
  const bool avx = use_avx2(), avx512 = use_avx512();
  // Column panels: when B (inner rows of n columns) is larger than about half an L2 and wider
  // than one tile, the rows of a chunk are swept once per panel of B's columns, so that a
  // panel's rows stay in L2 while every row of A that names them is computed (each stored
  // entry's B row is otherwise fetched from L3 or memory again). Each output element is still
  // summed over its row's entries in stored order: results do not change.
  const int64_t tile = int64_t{16} * Vec<T>::lanes;
  int64_t panel = n;
  if (inner > 0 && n > tile && static_cast<double>(inner) * n * sizeof(T) > kPanelBytes) {
    const int64_t cols = static_cast<int64_t>(kPanelBytes / (static_cast<double>(inner) * sizeof(T)));
    panel = std::max(tile, cols / tile * tile);
  }
  // A fresh output larger than kStreamBytes is written with streaming stores: it would leave the
  // caches before anything read it, and plain stores would first read every line of it in
  // (100k x 64 float64, 51 MB: 16.0 -> 15.0 ms at two threads). A smaller one stays in cache
  // for its consumer (the tanh after a layer's product).
  const bool stream = avx && !accumulate && static_cast<double>(rows) * n * sizeof(T) >= kStreamBytes;
  return run_guarded(indptr, rows, chunks_for(indptr, rows, 1, nt), nt, inner, [&](int64_t r0, int64_t r1, uint64_t hi) {
    bool ok = true;
    for (int64_t jb = 0; jb < n; jb += panel) {
      const int64_t je = std::min(n, jb + panel);
      if (avx512) ok &= spmm_avx512(data, indices, indptr, r0, r1, B, ldb, n, jb, je, O, accumulate, alpha, scaled, hi, stream);
      else if (avx) ok &= spmm_avx2(data, indices, indptr, r0, r1, B, ldb, n, jb, je, O, accumulate, alpha, scaled, hi, stream);
      else ok &= spmm_base(data, indices, indptr, r0, r1, B, ldb, n, jb, je, O, accumulate, alpha, scaled, hi);
    }
#if HYP_HAVE_AVX2
    if (stream) __builtin_ia32_sfence();  // the streaming stores are ordered before the region's end
#endif
    return ok;
  });
}

template <class T, class I>
void csc_scatter(const T* data, const I* indices, const I* indptr, int64_t o0, int64_t o1, const T* B, int64_t ldb,
                 int64_t n, T* O, int64_t j0, int64_t j1, T alpha, bool scaled) {
  if (use_avx2()) scatter_avx2(data, indices, indptr, o0, o1, B, ldb, n, O, j0, j1, alpha, scaled);
  else scatter_base(data, indices, indptr, o0, o1, B, ldb, n, O, j0, j1, alpha, scaled);
}

template <class T>
void accumulate_row(T* orow, const T* Y, int64_t ldy, const int64_t* col, const T* val, int64_t cnt, int64_t n) {
  if (use_avx2()) accumulate_row_avx2(orow, Y, ldy, col, val, cnt, n);
  else accumulate_row_base(orow, Y, ldy, col, val, cnt, n);
}
template void accumulate_row<float>(float*, const float*, int64_t, const int64_t*, const float*, int64_t, int64_t);
template void accumulate_row<double>(double*, const double*, int64_t, const int64_t*, const double*, int64_t, int64_t);

template <class T, class I>
bool csr_sddmm(const T* data, const I* indices, const I* indptr, int64_t rows, const T* X, int64_t ldx, const T* Y,
               int64_t ldy, int64_t K, T* out, int nt, int64_t inner) {
  const bool avx = use_avx2();
  return run_guarded(indptr, rows, chunks_for(indptr, rows, 1, nt), nt, inner, [&](int64_t r0, int64_t r1, uint64_t hi) {
    if (avx) return sddmm_avx2(data, indices, indptr, r0, r1, X, ldx, Y, ldy, K, out, hi);
    return sddmm_base(data, indices, indptr, r0, r1, X, ldx, Y, ldy, K, out, hi);
  });
}

#define HYP_INSTANTIATE(T, I)                                                                                        \
  template bool csr_spmv<T, I>(const T*, const I*, const I*, int64_t, const T*, int64_t, T*, bool, T, bool, int,    \
                               int64_t);                                                                             \
  template bool csr_spmm<T, I>(const T*, const I*, const I*, int64_t, const T*, int64_t, int64_t, T*, bool, T, bool, \
                               int, int64_t);                                                                        \
  template bool csr_sddmm<T, I>(const T*, const I*, const I*, int64_t, const T*, int64_t, const T*, int64_t, int64_t, \
                                T*, int, int64_t);                                                                \
  template void csc_scatter<T, I>(const T*, const I*, const I*, int64_t, int64_t, const T*, int64_t, int64_t, T*,     \
                                  int64_t, int64_t, T, bool);
HYP_INSTANTIATE(float, int32_t)
HYP_INSTANTIATE(float, int64_t)
HYP_INSTANTIATE(double, int32_t)
HYP_INSTANTIATE(double, int64_t)
template std::vector<int64_t> balanced_chunks<int32_t>(const int32_t*, int64_t, int64_t, int);
template std::vector<int64_t> balanced_chunks<int64_t>(const int64_t*, int64_t, int64_t, int);

}  // namespace hypatia::sparse_kernels::tiled
