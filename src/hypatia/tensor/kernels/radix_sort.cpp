// LSD radix argsort (radix_sort.h): order-preserving unsigned keys, one counting pass per byte.
#include "hypatia/tensor/kernels/radix_sort.h"

#include <cmath>
#include <cstring>
#include <type_traits>

namespace hypatia::kernels {

namespace {

// The key of a value: unsigned, ordered as the values are. Floats: the sign bit set for
// positives, all bits flipped for negatives; -0.0 is keyed as 0.0 (equal, so the stable order
// keeps their positions). Signed integers: the sign bit flipped. NaNs never get here.
template <class T>
uint64_t key_of(T v) {
  if constexpr (std::is_same_v<T, double>) {
    if (v == 0.0) v = 0.0;
    uint64_t u;
    std::memcpy(&u, &v, 8);
    return (u >> 63) ? ~u : (u | (uint64_t{1} << 63));
  } else if constexpr (std::is_same_v<T, float>) {
    if (v == 0.0f) v = 0.0f;
    uint32_t u;
    std::memcpy(&u, &v, 4);
    return (u >> 31) ? static_cast<uint32_t>(~u) : (u | (uint32_t{1} << 31));
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? 1 : 0;
  } else if constexpr (std::is_signed_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<U>(static_cast<U>(v) ^ (U{1} << (8 * sizeof(T) - 1)));
  } else {
    return static_cast<uint64_t>(v);
  }
}

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  else return false;
}

}  // namespace

template <class T>
void radix_argsort(const T* x, int64_t n, int64_t stride, int64_t* out, int64_t out_stride, RadixScratch& s) {
  constexpr int kBytes = std::is_same_v<T, bool> ? 1 : static_cast<int>(sizeof(T));
  if (static_cast<int64_t>(s.keys.size()) < n) {
    s.keys.resize(n), s.keys2.resize(n), s.idx.resize(n), s.idx2.resize(n);
  }
  uint64_t* k = s.keys.data();
  uint64_t* k2 = s.keys2.data();
  uint32_t* ix = s.idx.data();
  uint32_t* ix2 = s.idx2.data();
  // Keys of the non-NaN values in line order; the NaNs' positions go after them, in order.
  int64_t m = 0, nans = 0;
  for (int64_t i = 0; i < n; ++i) {
    const T v = x[i * stride];
    if (is_nan(v)) {
      ix2[nans++] = static_cast<uint32_t>(i);
    } else {
      k[m] = key_of(v);
      ix[m++] = static_cast<uint32_t>(i);
    }
  }
  if (m <= 32) {  // a short line: insertion sort of the keys (stable), no counting passes
    for (int64_t i = 1; i < m; ++i) {
      const uint64_t kv = k[i];
      const uint32_t iv = ix[i];
      int64_t j = i;
      for (; j > 0 && k[j - 1] > kv; --j) k[j] = k[j - 1], ix[j] = ix[j - 1];
      k[j] = kv, ix[j] = iv;
    }
    for (int64_t j = 0; j < nans; ++j) out[(m + j) * out_stride] = ix2[j];
    for (int64_t i = 0; i < m; ++i) out[i * out_stride] = ix[i];
    return;
  }
  // Every byte's counts in one pass; a byte that all keys share moves nothing and is skipped.
  static thread_local uint32_t hist[8][256];
  std::memset(hist, 0, sizeof(uint32_t) * 256 * kBytes);
  for (int64_t i = 0; i < m; ++i)
    for (int b = 0; b < kBytes; ++b) ++hist[b][(k[i] >> (8 * b)) & 0xFF];
  // The NaN positions sit in ix2 until the passes need it: keep them at the tail of out.
  for (int64_t j = 0; j < nans; ++j) out[(m + j) * out_stride] = ix2[j];
  for (int b = 0; b < kBytes; ++b) {
    if (m == 0 || hist[b][(k[0] >> (8 * b)) & 0xFF] == static_cast<uint32_t>(m)) continue;
    uint32_t at = 0;
    for (int d = 0; d < 256; ++d) {
      const uint32_t c = hist[b][d];
      hist[b][d] = at;
      at += c;
    }
    for (int64_t i = 0; i < m; ++i) {
      const uint32_t p = hist[b][(k[i] >> (8 * b)) & 0xFF]++;
      k2[p] = k[i];
      ix2[p] = ix[i];
    }
    std::swap(k, k2);
    std::swap(ix, ix2);
  }
  for (int64_t i = 0; i < m; ++i) out[i * out_stride] = ix[i];
}

template void radix_argsort<bool>(const bool*, int64_t, int64_t, int64_t*, int64_t, RadixScratch&);
template void radix_argsort<int8_t>(const int8_t*, int64_t, int64_t, int64_t*, int64_t, RadixScratch&);
template void radix_argsort<int16_t>(const int16_t*, int64_t, int64_t, int64_t*, int64_t, RadixScratch&);
template void radix_argsort<int32_t>(const int32_t*, int64_t, int64_t, int64_t*, int64_t, RadixScratch&);
template void radix_argsort<int64_t>(const int64_t*, int64_t, int64_t, int64_t*, int64_t, RadixScratch&);
template void radix_argsort<uint8_t>(const uint8_t*, int64_t, int64_t, int64_t*, int64_t, RadixScratch&);
template void radix_argsort<uint16_t>(const uint16_t*, int64_t, int64_t, int64_t*, int64_t, RadixScratch&);
template void radix_argsort<uint32_t>(const uint32_t*, int64_t, int64_t, int64_t*, int64_t, RadixScratch&);
template void radix_argsort<uint64_t>(const uint64_t*, int64_t, int64_t, int64_t*, int64_t, RadixScratch&);
template void radix_argsort<float>(const float*, int64_t, int64_t, int64_t*, int64_t, RadixScratch&);
template void radix_argsort<double>(const double*, int64_t, int64_t, int64_t*, int64_t, RadixScratch&);

}  // namespace hypatia::kernels
