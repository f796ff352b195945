// One-pass writing of a sparse result into arrays sized by an upper bound (merge.cpp, spgemm.cpp):
// blocks of slices in pairs that meet with no gap, the runs between pairs moved left.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <vector>

#include <omp.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "hypatia/value/sparse_view.h"

namespace hypatia::sparse_kernels {

/// Moves x[from, from + len) to x[to, to + len), to < from, with nt threads: in rounds of
/// from - to elements, each round's source lying wholly past its destination, so the pieces of
/// a round can be copied in parallel. A short shift (many rounds) is one memmove.
template <class X>
void move_left(X* x, int64_t from, int64_t to, int64_t len, int nt) {
  const int64_t shift = from - to;
  if (shift <= 0 || len <= 0) return;
  if (nt <= 1 || shift * 8 < len || len < kParallelWork) {
    std::memmove(static_cast<void*>(x + to), x + from, len * sizeof(X));
    return;
  }
  for (int64_t off = 0; off < len; off += shift) {
    const int64_t n = std::min(shift, len - off), piece = (n + nt - 1) / nt;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int t = 0; t < nt; ++t) {
      const int64_t b = std::min(n, t * piece), e = std::min(n, b + piece);
      if (e > b) std::memcpy(static_cast<void*>(x + to + off + b), x + from + off + b, (e - b) * sizeof(X));
    }
  }
}

/// Copies n elements to dst with non-temporal stores for the whole 64-byte lines it covers (plain
/// stores for a partial line at either end): a kernel that stages a result in cache and moves it
/// out this way writes it without first reading every line in, a third of a large sparse
/// product's time. Call stream_fence() before anything else reads dst.
template <class X>
void stream_copy(X* dst, const X* src, int64_t n) {
  size_t bytes = static_cast<size_t>(n) * sizeof(X);
  char* to = reinterpret_cast<char*>(dst);
  const char* from = reinterpret_cast<const char*>(src);
#if defined(__x86_64__)
  if (bytes >= 256) {
    const size_t head = (64 - reinterpret_cast<uintptr_t>(to) % 64) % 64;
    std::memcpy(to, from, head);
    to += head, from += head, bytes -= head;
    const size_t body = bytes & ~size_t{63};
    for (size_t i = 0; i < body; i += 64)
      for (size_t j = 0; j < 64; j += 16)
        _mm_stream_si128(reinterpret_cast<__m128i*>(to + i + j), _mm_loadu_si128(reinterpret_cast<const __m128i*>(from + i + j)));
    to += body, from += body, bytes -= body;
  }
#endif
  std::memcpy(to, from, bytes);
}
/// Orders the non-temporal stores of stream_copy before what follows (on this thread).
inline void stream_fence() {
#if defined(__x86_64__)
  _mm_sfence();
#endif
}

/// Where a paired write left its result: ix/d[base, base + n), with pp already made relative to
/// base (pp[0] = 0); ok is false when a block's body reported bad input.
struct PairedRuns {
  bool ok = true;
  int64_t base = 0, n = 0;
};

/// Writes the slices of `bounds.size() - 1` blocks (block t: slices [bounds[t], bounds[t + 1]))
/// into pp/ix/d, whose entries for slice o fit in [bound_at(o), bound_at(o + 1)) (an upper bound
/// per slice, nondecreasing in o). `threads` threads take the blocks in turn. Blocks go in pairs:
/// the first of a pair is written backward (last slice first), its entries ending at the bound
/// where the second begins, and the second forward from there, so a pair is one run with no gap
/// and, at two blocks, the whole result is one run that is returned where it lies (no copy).
/// Runs after the first move left behind it, and each slice end drops by its run's shift.
/// body(t, o0, o1, pos, backward) writes slices [o0, o1): forward, from pos on, moving pos past
/// them; backward, the last slice first with its entries ending at pos, moving pos down. For
/// every slice it sets pp[o + 1] to the (absolute) end of that slice's entries. It returns false
/// on bad input (the result is then not assembled).
template <class J, class T, class BoundAt, class Body>
PairedRuns write_paired(int threads, const std::vector<int64_t>& bounds, J* pp, J* ix, T* d, BoundAt&& bound_at,
                        Body&& body) {
  const int nt = static_cast<int>(bounds.size()) - 1;
  auto backward = [nt](int t) { return t % 2 == 0 && t + 1 < nt; };
  std::vector<int64_t> first(nt), len(nt, 0);  // where block t's entries begin, and how many
  std::atomic<bool> bad{false};
#pragma omp parallel num_threads(threads) if (threads > 1)
  for (int t = omp_get_thread_num(); t < nt; t += omp_get_num_threads()) {
    const bool back = backward(t);
    const int64_t from = bound_at(bounds[back ? t + 1 : t]);
    int64_t pos = from;
    if (!body(t, bounds[t], bounds[t + 1], pos, back)) bad.store(true, std::memory_order_relaxed);
    first[t] = back ? pos : from;
    len[t] = back ? from - pos : pos - from;
  }
  PairedRuns r;
  if (bad.load()) {
    r.ok = false;
    return r;
  }
  r.base = nt > 0 ? first[0] : 0;
  std::vector<int64_t> drop(nt, 0);
  for (int t = 0; t < nt; t += 2) {
    const int64_t run_len = len[t] + (t + 1 < nt ? len[t + 1] : 0);
    move_left(ix, first[t], r.base + r.n, run_len, threads);
    move_left(d, first[t], r.base + r.n, run_len, threads);
    drop[t] = first[t] - r.n;
    if (t + 1 < nt) drop[t + 1] = drop[t];
    r.n += run_len;
  }
  for (int t = 0; t < nt; ++t) {
    if (drop[t] == 0) continue;
    const int64_t o0 = bounds[t], o1 = bounds[t + 1], shift = drop[t];
#pragma omp parallel for num_threads(threads) if (threads > 1 && o1 - o0 >= kParallelWork)
    for (int64_t o = o0; o < o1; ++o) pp[o + 1] = static_cast<J>(pp[o + 1] - shift);
  }
  return r;
}

}  // namespace hypatia::sparse_kernels
