// Sum reduction kernel over NDArrays: accumulate into an output with reduced axes removed.
#pragma once
#include <vector>

#include "hypatia/runtime/ndarray.h"

namespace hypatia::kernels {

/// out = sum of `in` over the axes marked in `reduce` (out holds the kept axes, C-contiguous,
/// already of element type T; `in` must be of element type T too).
template <class T>
void sum_loop(const NDArray& in, const std::vector<bool>& reduce, NDArray& out) {
  T* po = out.data<T>();
  const int64_t nout = out.size();
  for (int64_t i = 0; i < nout; ++i) po[i] = T(0);
  if (nout == 1 && in.is_c_contiguous()) {
    const T* pi = in.data<T>();
    T acc = T(0);
    const int64_t n = in.size();
    for (int64_t i = 0; i < n; ++i) acc = static_cast<T>(acc + pi[i]);
    po[0] = acc;
    return;
  }
  // Output strides laid over the input's axes: 0 on reduced axes.
  std::vector<int64_t> ost(in.ndim(), 0);
  int64_t st = sizeof(T);
  for (int d = in.ndim() - 1; d >= 0; --d) {
    if (reduce[d]) continue;
    ost[d] = st;
    st *= in.shape(d);
  }
  const char* bi = static_cast<const char*>(in.raw());
  char* bo = static_cast<char*>(out.raw());
  strided_for_each<2>(in.shape(), {in.strides().data(), ost.data()}, [&](int64_t oi, int64_t oo) {
    T& o = *reinterpret_cast<T*>(bo + oo);
    o = static_cast<T>(o + *reinterpret_cast<const T*>(bi + oi));
  });
}

}  // namespace hypatia::kernels
