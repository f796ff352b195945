// Stable LSD radix sorts of one strided line of real numbers: indices (ArgSortOp) or values (SortOp).
#pragma once
#include <cstdint>
#include <vector>

namespace hypatia::kernels {

/// Scratch reused across the lines a thread sorts (grown as needed, never shrunk). Keys are
/// 32 bits wide for types of up to 4 bytes (half the traffic of 64-bit keys), else 64.
struct RadixScratch {
  std::vector<uint64_t> keys, keys2;
  std::vector<uint32_t> keys32, keys32b;
  std::vector<uint32_t> idx, idx2;
  // Each byte's counts. Here, not thread_local: in a shared library every access to a
  // thread_local array goes through __tls_get_addr, which took a third of a sort's time.
  uint32_t hist[8][256];
};

/// out[k * out_stride] = the index (along the line) of the k-th smallest of
/// x[0], x[stride], ..., x[(n - 1) * stride], stably: equal values keep their order, so the
/// result is std::stable_sort's with numpy's order, NaNs last (in their order) and -0.0 equal
/// to 0.0. T is any real dtype but half (bool, int8..uint64, float32, float64); n < 2^32.
///
/// Why radix: values are mapped to unsigned keys that sort in the same order, and sorted one
/// byte at a time (a counting pass per byte, the bytes all keys share skipped), so there is
/// no comparison to mispredict. An index sort with std::stable_sort compared through the
/// index on every step: 2000 rows of 2000 float64 took 240 ms, 15x numpy.
template <class T>
void radix_argsort(const T* x, int64_t n, int64_t stride, int64_t* out, int64_t out_stride, RadixScratch& s);

/// out[k * out_stride] = the k-th smallest of the line x[0], x[stride], ..., numpy.sort's order:
/// NaNs last (as they were, payloads kept) and -0.0 before 0.0 (equal values, so any order is
/// numpy's; the bits are kept). The same passes as radix_argsort without the index payload, and
/// values rebuilt from their keys: what sort(x) computes without argsort and a gather.
template <class T>
void radix_sort(const T* x, int64_t n, int64_t stride, T* out, int64_t out_stride, RadixScratch& s);

}  // namespace hypatia::kernels
