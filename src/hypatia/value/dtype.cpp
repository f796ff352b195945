// dtype names, sizes and numpy's promotion rules.
#include "hypatia/value/dtype.h"

#include <algorithm>
#include <array>

namespace hypatia {

namespace {
constexpr std::array<const char*, kNumDTypes> kNames = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128"};
constexpr std::array<int, kNumDTypes> kSizes = {1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8, 8, 16};

DType signed_of_size(int bytes) {
  switch (bytes) {
    case 1: return DType::Int8;
    case 2: return DType::Int16;
    case 4: return DType::Int32;
    default: return DType::Int64;
  }
}
DType unsigned_of_size(int bytes) {
  switch (bytes) {
    case 1: return DType::UInt8;
    case 2: return DType::UInt16;
    case 4: return DType::UInt32;
    default: return DType::UInt64;
  }
}
DType float_of_size(int bytes) {
  return bytes <= 2 ? DType::Float16 : bytes == 4 ? DType::Float32 : DType::Float64;
}
DType complex_of_component(int bytes) { return bytes <= 4 ? DType::Complex64 : DType::Complex128; }
// Bytes of float needed to hold every value of an integer type exactly enough (numpy's rule).
int float_bytes_for_int(DType d) {
  int s = itemsize(d);
  return s == 1 ? 2 : s == 2 ? 4 : 8;
}
}  // namespace

half::half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  int32_t exp = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffffu;
  if (((x >> 23) & 0xff) == 0xff) {  // inf or nan
    bits = static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0));
  } else if (exp >= 31) {
    bits = static_cast<uint16_t>(sign | 0x7c00u);
  } else if (exp <= 0) {
    if (exp < -10) {
      bits = static_cast<uint16_t>(sign);
    } else {
      mant |= 0x800000u;
      uint32_t shift = static_cast<uint32_t>(14 - exp);
      uint32_t h = mant >> shift;
      uint32_t rem = mant & ((1u << shift) - 1);
      uint32_t halfway = 1u << (shift - 1);
      if (rem > halfway || (rem == halfway && (h & 1))) ++h;
      bits = static_cast<uint16_t>(sign | h);
    }
  } else {
    uint32_t h = (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
    uint32_t rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h;
    bits = static_cast<uint16_t>(sign | h);
  }
}

half::operator float() const {
  uint32_t sign = (bits & 0x8000u) << 16;
  uint32_t exp = (bits >> 10) & 0x1f;
  uint32_t mant = bits & 0x3ffu;
  uint32_t x;
  if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {
      int e = -1;
      do { ++e; mant <<= 1; } while ((mant & 0x400u) == 0);
      x = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13);
    }
  } else if (exp == 31) {
    x = sign | 0x7f800000u | (mant << 13);
  } else {
    x = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

const char* dtype_name(DType d) { return kNames[static_cast<int>(d)]; }

bool dtype_from_name(std::string_view s, DType* out) {
  for (int i = 0; i < kNumDTypes; ++i) {
    if (s == kNames[i]) { *out = static_cast<DType>(i); return true; }
  }
  return false;
}

DType dtype_from_name(std::string_view s) {
  DType d;
  if (!dtype_from_name(s, &d)) type_error("[dtype] unknown dtype '", s, "'; expected one of bool, int8..int64, uint8..uint64, float16, float32, float64, complex64, complex128");
  return d;
}

int itemsize(DType d) { return kSizes[static_cast<int>(d)]; }
bool is_bool(DType d) { return d == DType::Bool; }
bool is_int(DType d) { return d >= DType::Int8 && d <= DType::UInt64; }
bool is_unsigned(DType d) { return d >= DType::UInt8 && d <= DType::UInt64; }
bool is_float(DType d) { return d >= DType::Float16 && d <= DType::Float64; }
bool is_complex(DType d) { return d == DType::Complex64 || d == DType::Complex128; }
bool is_inexact(DType d) { return is_float(d) || is_complex(d); }
DType real_dtype(DType d) {
  return d == DType::Complex64 ? DType::Float32 : d == DType::Complex128 ? DType::Float64 : d;
}

DType upcast(DType a, DType b) {
  if (a == b) return a;
  if (is_bool(a)) return b;
  if (is_bool(b)) return a;
  if (is_int(a) && is_int(b)) {
    bool ua = is_unsigned(a), ub = is_unsigned(b);
    if (ua == ub) return itemsize(a) >= itemsize(b) ? a : b;
    DType s = ua ? b : a, u = ua ? a : b;
    if (itemsize(s) > itemsize(u)) return s;
    return itemsize(u) < 8 ? signed_of_size(2 * itemsize(u)) : DType::Float64;
  }
  if (is_int(b)) std::swap(a, b);  // now a is int or inexact, b inexact
  int need = is_int(a) ? float_bytes_for_int(a) : itemsize(real_dtype(a));
  int have = itemsize(real_dtype(b));
  int comp = std::max(need, have);
  if (is_complex(a) || is_complex(b)) return complex_of_component(comp);
  return float_of_size(comp);
}

bool can_cast_safe(DType from, DType to) { return upcast(from, to) == to; }

DType float_result(DType d) {
  // Theano's upgrade_to_float: small integers become float32, wider ones float64.
  if (is_inexact(d)) return d;
  return itemsize(d) <= 2 ? DType::Float32 : DType::Float64;
}

}  // namespace hypatia
