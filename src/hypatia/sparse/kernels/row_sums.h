// Sums of each outer slice of a float32/float64 compressed matrix (row sums of CSR, column sums
// of CSC) with AVX-512 masked loads: the fast path of sum() over the inner axis.
#pragma once
#include <cstdint>

namespace hypatia::sparse_kernels {

/// Whether slice_sums_avx512 runs here: the CPU has AVX-512F and the AVX-512 kernels were not
/// switched off (tiled::set_avx512(false), so tests can compare with the scalar loop).
bool slice_sums_avx512_available();

/// out[o] = the sum of data[indptr[o], indptr[o + 1]) for o in [0, outer), split across `nt`
/// threads in nnz-balanced blocks. A slice of up to 16 float64 (32 float32) entries is read by
/// two masked 64-byte loads, with no loop to mispredict, and summed lane-wise then across the
/// lanes in a fixed order, so a slice's sum does not depend on the thread count (it may differ
/// from the sequential sum in the last bits). T is float or double; I is int32_t or int64_t.
/// Each slice's bounds are checked as it is read, 0 <= indptr[o] <= indptr[o + 1] <= nnz
/// (= indptr[outer]), so that an indptr that steps down is never followed out of the data;
/// returns false (the sums unspecified) when one fails.
template <class T, class I>
bool slice_sums_avx512(const T* data, const I* indptr, int64_t outer, T* out, int nt);

}  // namespace hypatia::sparse_kernels
