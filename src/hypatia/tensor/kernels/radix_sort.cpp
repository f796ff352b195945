// LSD radix sorts (radix_sort.h): order-preserving unsigned keys, one counting pass per byte.
#include "hypatia/tensor/kernels/radix_sort.h"

#include <cmath>
#include <cstring>
#include <type_traits>
#include <utility>

namespace hypatia::kernels {

namespace {

// The key type of T: 32 bits for types of up to 4 bytes, else 64.
template <class T>
using KeyOf = std::conditional_t<(sizeof(T) <= 4), uint32_t, uint64_t>;

// The key of a value: unsigned, ordered as the values are, and one to one (raw_key). Floats: the
// sign bit set for positives, all bits flipped for negatives (-0.0 below 0.0). Signed integers:
// the sign bit flipped. NaNs never get here.
template <class T>
KeyOf<T> raw_key(T v) {
  if constexpr (std::is_same_v<T, double>) {
    uint64_t u;
    std::memcpy(&u, &v, 8);
    return (u >> 63) ? ~u : (u | (uint64_t{1} << 63));
  } else if constexpr (std::is_same_v<T, float>) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    return (u >> 31) ? ~u : (u | (uint32_t{1} << 31));
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? 1 : 0;
  } else if constexpr (std::is_signed_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<U>(static_cast<U>(v) ^ (U{1} << (8 * sizeof(T) - 1)));
  } else {
    return static_cast<KeyOf<T>>(v);
  }
}
// The value of a raw key (raw_key's inverse).
template <class T>
T from_key(KeyOf<T> k) {
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
    constexpr KeyOf<T> sign = KeyOf<T>{1} << (8 * sizeof(T) - 1);
    const KeyOf<T> u = (k & sign) ? (k & ~sign) : ~k;
    T v;
    std::memcpy(&v, &u, sizeof(T));
    return v;
  } else if constexpr (std::is_same_v<T, bool>) {
    return k != 0;
  } else if constexpr (std::is_signed_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(k) ^ (U{1} << (8 * sizeof(T) - 1))));
  } else {
    return static_cast<T>(k);
  }
}
// The argsort key: -0.0 keyed as 0.0 (equal, so the stable order keeps their positions).
template <class T>
KeyOf<T> stable_key(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    if (v == T(0)) v = T(0);
  }
  return raw_key(v);
}

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  else return false;
}

// Sorts keys k[0, m) stably, carrying ix along when kIdx, in kBytes byte passes (insertion sort
// for a short line). k/k2 and ix/ix2 swap as passes run; on return k and ix hold the result.
// Every byte's counts come from one pass; a byte all keys share moves nothing and is skipped.
template <int kBytes, bool kIdx, class K>
void lsd_sort(K*& k, K*& k2, uint32_t*& ix, uint32_t*& ix2, int64_t m, uint32_t (&hist)[8][256]) {
  if (m <= 32) {
    for (int64_t i = 1; i < m; ++i) {
      const K kv = k[i];
      uint32_t iv = 0;
      if constexpr (kIdx) iv = ix[i];
      int64_t j = i;
      for (; j > 0 && k[j - 1] > kv; --j) {
        k[j] = k[j - 1];
        if constexpr (kIdx) ix[j] = ix[j - 1];
      }
      k[j] = kv;
      if constexpr (kIdx) ix[j] = iv;
    }
    return;
  }
  std::memset(hist, 0, sizeof(uint32_t) * 256 * kBytes);
  for (int64_t i = 0; i < m; ++i)
    for (int b = 0; b < kBytes; ++b) ++hist[b][(k[i] >> (8 * b)) & 0xFF];
  for (int b = 0; b < kBytes; ++b) {
    if (hist[b][(k[0] >> (8 * b)) & 0xFF] == static_cast<uint32_t>(m)) continue;
    uint32_t at = 0;
    for (int d = 0; d < 256; ++d) {
      const uint32_t c = hist[b][d];
      hist[b][d] = at;
      at += c;
    }
    for (int64_t i = 0; i < m; ++i) {
      const uint32_t p = hist[b][(k[i] >> (8 * b)) & 0xFF]++;
      k2[p] = k[i];
      if constexpr (kIdx) ix2[p] = ix[i];
    }
    std::swap(k, k2);
    if constexpr (kIdx) std::swap(ix, ix2);
  }
}

template <class T>
constexpr int key_bytes() {
  return std::is_same_v<T, bool> ? 1 : static_cast<int>(sizeof(T));
}

// The scratch's key arrays of T's key width, sized for n, and its index arrays.
template <class T>
std::pair<KeyOf<T>*, KeyOf<T>*> key_arrays(RadixScratch& s, int64_t n) {
  if (static_cast<int64_t>(s.idx.size()) < n) s.idx.resize(n), s.idx2.resize(n);
  if constexpr (sizeof(KeyOf<T>) == 4) {
    if (static_cast<int64_t>(s.keys32.size()) < n) s.keys32.resize(n), s.keys32b.resize(n);
    return {s.keys32.data(), s.keys32b.data()};
  } else {
    if (static_cast<int64_t>(s.keys.size()) < n) s.keys.resize(n), s.keys2.resize(n);
    return {s.keys.data(), s.keys2.data()};
  }
}

}  // namespace

template <class T>
void radix_argsort(const T* x, int64_t n, int64_t stride, int64_t* out, int64_t out_stride, RadixScratch& s) {
  auto [k, k2] = key_arrays<T>(s, n);
  uint32_t* ix = s.idx.data();
  uint32_t* ix2 = s.idx2.data();
  // Keys of the non-NaN values in line order; the NaNs' positions go after them, in order.
  int64_t m = 0, nans = 0;
  for (int64_t i = 0; i < n; ++i) {
    const T v = x[i * stride];
    if (is_nan(v)) {
      ix2[nans++] = static_cast<uint32_t>(i);
    } else {
      k[m] = stable_key(v);
      ix[m++] = static_cast<uint32_t>(i);
    }
  }
  // The NaN positions sit in ix2 until the passes need it: keep them at the tail of out.
  for (int64_t j = 0; j < nans; ++j) out[(m + j) * out_stride] = ix2[j];
  lsd_sort<key_bytes<T>(), true>(k, k2, ix, ix2, m, s.hist);
  for (int64_t i = 0; i < m; ++i) out[i * out_stride] = ix[i];
}

template <class T>
void radix_sort(const T* x, int64_t n, int64_t stride, T* out, int64_t out_stride, RadixScratch& s) {
  auto [k, k2] = key_arrays<T>(s, n);
  uint32_t* unused = nullptr;
  // Keys of the non-NaN values; the NaNs go straight to the tail of out, in their order (out
  // never aliases x: SortOp writes a fresh array).
  int64_t m = 0;
  if constexpr (std::is_floating_point_v<T>) {
    int64_t nans = 0;
    for (int64_t i = 0; i < n; ++i) nans += std::isnan(x[i * stride]);
    int64_t tail = n - nans;
    for (int64_t i = 0; i < n; ++i) {
      const T v = x[i * stride];
      if (std::isnan(v)) out[(tail++) * out_stride] = v;
      else k[m++] = raw_key(v);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) k[m++] = raw_key(x[i * stride]);
  }
  lsd_sort<key_bytes<T>(), false>(k, k2, unused, unused, m, s.hist);
  for (int64_t i = 0; i < m; ++i) out[i * out_stride] = from_key<T>(k[i]);
}

#define HYP_RADIX_INSTANTIATE(T)                                                                 \
  template void radix_argsort<T>(const T*, int64_t, int64_t, int64_t*, int64_t, RadixScratch&); \
  template void radix_sort<T>(const T*, int64_t, int64_t, T*, int64_t, RadixScratch&);
HYP_RADIX_INSTANTIATE(bool)
HYP_RADIX_INSTANTIATE(int8_t)
HYP_RADIX_INSTANTIATE(int16_t)
HYP_RADIX_INSTANTIATE(int32_t)
HYP_RADIX_INSTANTIATE(int64_t)
HYP_RADIX_INSTANTIATE(uint8_t)
HYP_RADIX_INSTANTIATE(uint16_t)
HYP_RADIX_INSTANTIATE(uint32_t)
HYP_RADIX_INSTANTIATE(uint64_t)
HYP_RADIX_INSTANTIATE(float)
HYP_RADIX_INSTANTIATE(double)

}  // namespace hypatia::kernels
