// The scan at the heart of from_dense: keep the non-zeros of a contiguous row of floats, 16 at a time.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>

#include "hypatia/value/ndarray.h"

namespace hypatia::sparse_kernels {

/// A growable array (not std::vector: vector<bool> has no bool*) for one thread's share of
/// from_dense's output; doubling keeps the copies to O(final size). Its blocks come from
/// NDArray's buffer cache, so a conversion repeated call after call reuses mapped memory instead
/// of faulting fresh pages in for every doubling. Each sits on its own cache line: the threads'
/// buffers are neighbours in a vector and each thread bumps its `n` once per run it keeps, so
/// sharing a line made two threads slower than one (10k^2 at 1 %, two threads: 52 -> 32 ms).
template <class T>
struct alignas(64) GrowBuf {
  std::shared_ptr<Buffer> block;
  T* p = nullptr;
  int64_t n = 0, cap = 0;
  void push(const T& x) {
    if (n == cap) grow();
    p[n++] = x;
  }
  /// Room for k more at p[n, n + k), for writes that advance n only past those they keep.
  T* room(int64_t k) {
    while (n + k > cap) grow();
    return p + n;
  }
  void grow() {
    const int64_t c = std::max<int64_t>(4096, cap * 2);
    std::shared_ptr<Buffer> q = Buffer::allocate(static_cast<size_t>(c) * sizeof(T));
    T* qp = static_cast<T*>(q->data());
    std::copy(p, p + n, qp);
    block = std::move(q);
    p = qp;
    cap = c;
  }
};

/// Appends (position, value) of every non-zero (x != 0: NaN kept, +-0 dropped) among x[0, n)
/// rounded down to a multiple of 16, and returns how many elements it scanned; the caller
/// finishes the tail. Runs of 16 that are all zero cost one or-reduction and no branch per
/// element; the stream is prefetched 16 KB ahead, because one read stream alone does not keep
/// enough lines in flight to reach the memory bandwidth (84 -> 69 ms for 800 MB at one thread).
/// With AVX-512 a kept run is one compare and one compress per vector (for 32-bit positions;
/// rows longer than 2^31 take the portable loop). Defined for float and double.
template <class T, class B>
int64_t keep_nonzero_runs(const T* x, int64_t n, GrowBuf<B>& idx, GrowBuf<T>& val);

/// Whether keep_nonzero_runs uses AVX-512: the CPU has it and set_dense_runs_avx512(false) has
/// not switched it off (the sparse layer's tiled::set_avx512 forwards here, so one switch turns
/// every AVX-512 path off for tests that compare them with the portable loops).
bool dense_runs_avx512();
void set_dense_runs_avx512(bool enabled);

}  // namespace hypatia::sparse_kernels
