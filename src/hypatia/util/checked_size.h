// Overflow-checked size arithmetic: every element count, byte count and index-array length that
// an allocation uses goes through these helpers, so that a huge shape raises instead of wrapping.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "hypatia/util/error.h"

namespace hypatia {

/// The largest byte count one allocation may ask for (numpy's limit: a byte offset must fit a
/// signed pointer difference).
inline constexpr int64_t kMaxAllocBytes = PTRDIFF_MAX;

/// "(2, 3)" as Python prints a shape (the runtime's shape_str, without depending on it).
inline std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "(";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + (dims.size() == 1 ? ",)" : ")");
}

/// A byte count as numpy writes it in its MemoryError ("32.0 EiB", "1.50 GiB", "12 bytes").
inline std::string bytes_str(long double nbytes) {
  static const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  int u = 0;
  while (nbytes >= 1024 && u < 8) nbytes /= 1024, ++u;
  if (u == 0) return str_cat(static_cast<long long>(nbytes), " bytes");
  char buf[32];
  std::snprintf(buf, sizeof buf, nbytes < 10 ? "%.2Lf %s" : nbytes < 100 ? "%.1Lf %s" : "%.0Lf %s", nbytes, units[u]);
  return buf;
}

/// a * b for non-negative sizes; ValueError "[op] <what> ... is too big" when it overflows int64.
inline int64_t checked_mul(int64_t a, int64_t b, const std::string& op, const std::string& what) {
  int64_t r;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r))
    value_error("[", op, "] ", what, " is too big: ", a, " * ", b, " does not fit in int64");
  return r;
}

/// a + b for non-negative sizes (indptr lengths: outer + 1); ValueError on int64 overflow.
inline int64_t checked_add(int64_t a, int64_t b, const std::string& op, const std::string& what) {
  int64_t r;
  if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &r))
    value_error("[", op, "] ", what, " is too big: ", a, " + ", b, " does not fit in int64");
  return r;
}

/// The number of elements of an array of shape `dims`. Raises ValueError naming the op and the
/// shape for a negative dimension or when the product of the non-zero dimensions overflows int64
/// (numpy's "array is too big", which checks the same product even when a dimension is 0).
inline int64_t checked_elements(const std::vector<int64_t>& dims, const std::string& op) {
  int64_t n = 1;
  bool empty = false;
  for (int64_t d : dims)
    if (d < 0) value_error("[", op, "] negative dimension in shape ", dims_str(dims));
  for (int64_t d : dims) {
    if (d == 0) {
      empty = true;
      continue;
    }
    if (__builtin_mul_overflow(n, d, &n))
      value_error("[", op, "] array is too big: shape ", dims_str(dims), " has more than 2**63 - 1 elements");
  }
  return empty ? 0 : n;
}

/// Bytes for `elements` items of `item` bytes each. Raises MemoryError naming the op, the shape and
/// the dtype when the count exceeds what one allocation can address (kMaxAllocBytes): such an
/// array can never be allocated, and asking the OS would only fail later or wrap around.
inline size_t checked_nbytes(int64_t elements, int64_t item, const std::vector<int64_t>& dims,
                             const char* dtype, const std::string& op) {
  int64_t r;
  if (__builtin_mul_overflow(elements, item, &r) || r > kMaxAllocBytes)
    memory_error("[", op, "] unable to allocate ", bytes_str(static_cast<long double>(elements) * item),
                 " for an array with shape ", dims_str(dims), " and data type ", dtype);
  return static_cast<size_t>(r);
}

}  // namespace hypatia
