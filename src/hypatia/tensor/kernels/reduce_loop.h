// Reduction kernels: the input is laid out as a C-contiguous [nout, nred] block (kept axes
// first, reduced axes last) and each output folds one row. OpenMP splits big reductions.
#pragma once
#include <omp.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <vector>

#include "hypatia/tensor/kernels/extreme.h"
#include "hypatia/value/ndarray.h"
#include "hypatia/util/parallel.h"

namespace hypatia::kernels {

/// Below this many input elements a reduction stays on one thread.
inline constexpr int64_t kParallelReduceThreshold = 1 << 15;

/// `in` permuted so that the axes marked in `reduce` come last, as a fresh or reused
/// C-contiguous array of dtype `dt`; sets nout (kept elements) and nred (reduced group size).
inline NDArray reduce_layout(const NDArray& in, const std::vector<bool>& reduce, DType dt, int64_t& nout,
                             int64_t& nred) {
  std::vector<int> perm;
  nout = nred = 1;
  for (int d = 0; d < in.ndim(); ++d)
    if (!reduce[d]) perm.push_back(d), nout *= in.shape(d);
  for (int d = 0; d < in.ndim(); ++d)
    if (reduce[d]) perm.push_back(d), nred *= in.shape(d);
  NDArray t = in.transpose(perm);
  return t.dtype() == dt ? t.contiguous() : t.astype(dt);
}

/// out[o] = all (or any) of the bools in[o, :] for a [nout, nred] row-major block, each row
/// stopping at its first false (true) byte, as numpy's all/any do: memchr for a zero, 64-byte
/// words or-ed for a non-zero. A fold visited every byte: all(x, axis=1) of a random 2000 x 2000
/// mask took 17x numpy's time, any(x) 500x where an early element was true.
inline void logical_rows(const bool* in, int64_t nout, int64_t nred, bool all, bool* out) {
  auto any_set = [](const bool* r, int64_t n) {
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
      uint64_t w[8], acc = 0;
      std::memcpy(w, r + i, 64);
      for (uint64_t x : w) acc |= x;
      if (acc) return true;
    }
    for (; i < n; ++i)
      if (r[i]) return true;
    return false;
  };
  const bool big = nout * nred >= kParallelReduceThreshold && nout >= ::hypatia::max_threads() && ::hypatia::max_threads() > 1;
#pragma omp parallel for schedule(static) if (big) num_threads(::hypatia::max_threads())
  for (int64_t o = 0; o < nout; ++o) {
    const bool* r = in + o * nred;
    out[o] = all ? (nred == 0 || std::memchr(r, 0, static_cast<size_t>(nred)) == nullptr) : any_set(r, nred);
  }
}

/// out[o] = fold(f, init, in[o, :]) for a [nout, nred] row-major block.
template <class A, class F>
void reduce_rows(const A* in, int64_t nout, int64_t nred, A init, F f, A* out) {
  const bool big = nout * nred >= kParallelReduceThreshold && ::hypatia::max_threads() > 1;
  if (big && nout < ::hypatia::max_threads()) {
    // Few long rows: each thread folds a chunk of every row, then the partials combine.
    const int nt = ::hypatia::max_threads();
    for (int64_t o = 0; o < nout; ++o) {
      std::vector<A> part(nt, init);
      const A* r = in + o * nred;
#pragma omp parallel num_threads(nt)
      {
        A acc = init;
#pragma omp for schedule(static)
        for (int64_t i = 0; i < nred; ++i) acc = f(acc, r[i]);
        part[omp_get_thread_num()] = acc;
      }
      A acc = init;
      for (const A& p : part) acc = f(acc, p);
      out[o] = acc;
    }
    return;
  }
#pragma omp parallel for schedule(static) if (big) num_threads(::hypatia::max_threads())
  for (int64_t o = 0; o < nout; ++o) {
    const A* r = in + o * nred;
    A acc = init;
    for (int64_t i = 0; i < nred; ++i) acc = f(acc, r[i]);
    out[o] = acc;
  }
}

/// out[o] = the sum of row o of a [nout, nred] row-major block of integers or bools T, in the
/// wider integer A: no converted copy of the input (counting the trues of a 2000 x 2000 bool
/// mask had first copied it to 32 MB of int64). Integer sums are exact, so the split of long
/// rows over threads changes nothing.
template <class T, class A>
void sum_rows_widening(const T* in, int64_t nout, int64_t nred, A* out) {
  const int nt = ::hypatia::max_threads();
  const bool big = nout * nred >= kParallelReduceThreshold && nt > 1;
  auto row = [](const T* r, int64_t n) {
    A s = 0;
    for (int64_t i = 0; i < n; ++i) s += static_cast<A>(r[i]);
    return s;
  };
  if (big && nout < nt) {
    for (int64_t o = 0; o < nout; ++o) {
      A total = 0;
      const T* r = in + o * nred;
#pragma omp parallel for schedule(static) reduction(+ : total) num_threads(nt)
      for (int t = 0; t < nt; ++t) total += row(r + nred * t / nt, nred * (t + 1) / nt - nred * t / nt);
      out[o] = total;
    }
    return;
  }
#pragma omp parallel for schedule(static) if (big) num_threads(nt)
  for (int64_t o = 0; o < nout; ++o) out[o] = row(in + o * nred, nred);
}

template <class T>
inline bool is_nan_value(const T& v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  else return false;
}

/// Index of the first maximum (Max=true) or minimum of each row; a NaN wins at once.
template <class T>
void arg_rows(const T* in, int64_t nout, int64_t nred, bool want_max, int64_t* out) {
  const bool big = nout * nred >= kParallelReduceThreshold;
#pragma omp parallel for schedule(static) if (big) num_threads(::hypatia::max_threads())
  for (int64_t o = 0; o < nout; ++o) {
    const T* r = in + o * nred;
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      out[o] = want_max ? Extreme<true, T>::arg(r, nred) : Extreme<false, T>::arg(r, nred);
      continue;
    }
    int64_t bi = 0;
    T best = r[0];
    if (!is_nan_value(best)) {
      for (int64_t i = 1; i < nred; ++i) {
        if (is_nan_value(r[i])) {
          bi = i;
          break;
        }
        if (want_max ? (r[i] > best) : (r[i] < best)) best = r[i], bi = i;
      }
    }
    out[o] = bi;
  }
}

/// Sum kept for callers of the previous interface: out = sum of `in` over the marked axes
/// (out C-contiguous of element type T, `in` of element type T).
template <class T>
void sum_loop(const NDArray& in, const std::vector<bool>& reduce, NDArray& out) {
  int64_t nout, nred;
  NDArray lay = reduce_layout(in, reduce, dtype_v<T>, nout, nred);
  reduce_rows<T>(lay.data<T>(), nout, nred, T(0), [](T a, T b) { return static_cast<T>(a + b); }, out.data<T>());
}

}  // namespace hypatia::kernels
