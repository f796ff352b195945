// Fast paths of the sparse products for float32/float64 CSR operands: SpMV, k-wide SpMM and SDDMM
// with nnz-balanced row chunks, register tiles, prefetched gathers and an AVX2/FMA build chosen
// at run time (spmm.cpp calls these and falls back to its generic loops for everything else).
#pragma once
#include <cstdint>
#include <vector>

namespace hypatia::sparse_kernels::tiled {

/// Chunk boundaries over `outer` slices (chunks + 1 values, first 0, last outer), chosen so each
/// chunk holds about the same cost, cost(o) = indptr[o] + o * row_cost (entries plus a per-slice
/// charge). Splits fall on slice boundaries only, so each output row is summed by one thread in
/// a fixed order: results do not depend on the number of threads.
template <class I>
std::vector<int64_t> balanced_chunks(const I* indptr, int64_t outer, int64_t row_cost, int chunks);

/// y[i] (+)= alpha * sum_k data[k] * x[indices[k] * sx] over CSR row i (alpha applied to the sum,
/// as the generic loop). `nt` threads (1: serial). Each row's entries are summed in four
/// interleaved partial sums (entry k goes to sum k mod 4), combined as (s0 + s1) + (s2 + s3), or
/// in two (k mod 2) in a block of 2048 rows whose gathers stay in cache (a band); the blocks are
/// fixed from row 0, so the sums do not depend on the number of threads.
/// With inner >= 0, the indices are checked against [0, inner) (the boundary leaves that check
/// to this kernel): false when one is out of range, with y written in part. SpMV checks each
/// block of 2048 rows by its indices' min and max (one vectorised pass, which also tells a block
/// that reads x from cache, a band, to skip the software prefetches) before computing it;
/// csr_spmm and csr_sddmm, whose gathers are k-wide rows, check each index as they read it (a
/// compare and a min beside k FMAs).
template <class T, class I>
bool csr_spmv(const T* data, const I* indices, const I* indptr, int64_t rows, const T* x, int64_t sx, T* y,
              bool accumulate, T alpha, bool scaled, int nt, int64_t inner = -1);

/// O[i, :] (+)= sum_k (alpha * data[k]) * B[indices[k], :] for a row-major B (row stride ldb,
/// unit column stride) with n columns, and a C-contiguous O (m x n). Output columns are taken in
/// register tiles; every output element is summed over its row's entries in stored order (the
/// generic loop's order), so tiling does not change the summation order.
template <class T, class I>
bool csr_spmm(const T* data, const I* indices, const I* indptr, int64_t rows, const T* B, int64_t ldb, int64_t n,
              T* O, bool accumulate, T alpha, bool scaled, int nt, int64_t inner = -1);

/// The CSC scatter of spmm: for outer slices (columns of a) o0..o1 and output columns [j0, j1),
/// O[indices[k], j] += (alpha * data[k]) * B[o, j] (B row-major, row stride ldb, unit column
/// stride; O C-contiguous with n columns), in the generic loop's order, vectorised over j.
template <class T, class I>
void csc_scatter(const T* data, const I* indices, const I* indptr, int64_t o0, int64_t o1, const T* B, int64_t ldb,
                 int64_t n, T* O, int64_t j0, int64_t j1, T alpha, bool scaled);

/// out[k] = dot(X[i, :], Y[indices[k], :]) (times data[k] when data is non-null) for each entry k
/// of CSR row i; X and Y row-major with unit column stride, K columns. Each dot product is summed
/// in fixed vector lanes then combined in a fixed tree, independent of the thread count.
template <class T, class I>
bool csr_sddmm(const T* data, const I* indices, const I* indptr, int64_t rows, const T* X, int64_t ldx, const T* Y,
               int64_t ldy, int64_t K, T* out, int nt, int64_t inner = -1);

/// orow[j] += sum_p val[p] * Y[col[p] * ldy + j] for j in [0, n) (Y row-major with unit column
/// stride), summing each element's terms in the order of p, in register tiles: the row update of
/// UsmmCscDense's row-grouped accumulation (W1 -= lr * x^T . delta, read and written once).
template <class T>
void accumulate_row(T* orow, const T* Y, int64_t ldy, const int64_t* col, const T* val, int64_t cnt, int64_t n);

/// True when the AVX2+FMA builds of the kernels run (the CPU has AVX2 and FMA, and they were not
/// switched off). set_avx2(false) selects the baseline x86-64 builds, so tests and benchmarks can
/// check and time both; set_avx2(true) re-enables AVX2 where the CPU has it. Not thread-safe:
/// call it between calls, never during one.
bool use_avx2();
void set_avx2(bool enabled);
/// True when the k-wide SpMM also uses its AVX-512VL build (32 vector registers: 16-vector
/// tiles), i.e. the AVX2 builds run and the CPU has AVX-512F/VL; set_avx512(false) keeps it to
/// the AVX2 build (same summation order, for tests and timing). The switch is shared by every
/// AVX-512 path (the sparse merge, slice sums, and the value layer's from_dense scan), so one
/// call makes tests compare them all with the portable loops.
bool use_avx512();
void set_avx512(bool enabled);

/// Whether spmm / sddmm (spmm.h) take these kernels at all (default true). set_enabled(false)
/// sends every call to the generic loops, the pre-tiling code, so that benchmarks can time the
/// two in one run and tests can compare them. Not thread-safe, like set_avx2.
bool enabled();
void set_enabled(bool on);

}  // namespace hypatia::sparse_kernels::tiled
