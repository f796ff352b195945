// Runtime dtypes, numpy's promotion table, and dispatch from a dtype to a C++ element type.
#pragma once
#include <complex>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "hypatia/util/error.h"

namespace hypatia {

/// The element types of tensors and sparse matrices (numpy's names; float16 is storage only).
enum class DType : uint8_t {
  Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64,
  Float16, Float32, Float64, Complex64, Complex128,
};
inline constexpr int kNumDTypes = 14;

/// IEEE half precision, kept as bits: arithmetic converts through float.
struct half {
  uint16_t bits = 0;
  half() = default;
  half(float f);  // NOLINT: implicit like numpy's casts
  operator float() const;
};

using complex64 = std::complex<float>;
using complex128 = std::complex<double>;

const char* dtype_name(DType d);            // "float64"
DType dtype_from_name(std::string_view s);   // accepts numpy names; raises TypeError otherwise
bool dtype_from_name(std::string_view s, DType* out);
int itemsize(DType d);
bool is_bool(DType d);
bool is_int(DType d);        // signed or unsigned integer (not bool)
bool is_unsigned(DType d);
bool is_float(DType d);      // real floating point
bool is_complex(DType d);
bool is_inexact(DType d);    // float or complex
/// numpy's result_type for two array dtypes.
DType upcast(DType a, DType b);
/// The real component type of a complex dtype (complex64 -> float32); identity otherwise.
DType real_dtype(DType d);
/// True when every value of `from` is exactly representable in `to` (numpy's can_cast "safe").
bool can_cast_safe(DType from, DType to);
/// The float dtype an integer division or a transcendental function of `d` produces.
DType float_result(DType d);

template <class T> struct dtype_of;
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of<int8_t> { static constexpr DType value = DType::Int8; };
template <> struct dtype_of<int16_t> { static constexpr DType value = DType::Int16; };
template <> struct dtype_of<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct dtype_of<uint16_t> { static constexpr DType value = DType::UInt16; };
template <> struct dtype_of<uint32_t> { static constexpr DType value = DType::UInt32; };
template <> struct dtype_of<uint64_t> { static constexpr DType value = DType::UInt64; };
template <> struct dtype_of<half> { static constexpr DType value = DType::Float16; };
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };
template <> struct dtype_of<complex64> { static constexpr DType value = DType::Complex64; };
template <> struct dtype_of<complex128> { static constexpr DType value = DType::Complex128; };
template <class T> inline constexpr DType dtype_v = dtype_of<T>::value;

/// Calls f(T{}) with T the C++ element type of d. Used by kernels to instantiate per dtype.
template <class F>
decltype(auto) dispatch_dtype(DType d, F&& f) {
  switch (d) {
    case DType::Bool: return f(bool{});
    case DType::Int8: return f(int8_t{});
    case DType::Int16: return f(int16_t{});
    case DType::Int32: return f(int32_t{});
    case DType::Int64: return f(int64_t{});
    case DType::UInt8: return f(uint8_t{});
    case DType::UInt16: return f(uint16_t{});
    case DType::UInt32: return f(uint32_t{});
    case DType::UInt64: return f(uint64_t{});
    case DType::Float16: return f(half{});
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Complex64: return f(complex64{});
    case DType::Complex128: return f(complex128{});
  }
  throw Error(ErrorKind::Runtime, "[dtype] unknown dtype");
}

/// Converts one element between C++ types with numpy's cast semantics (complex->real drops imag).
template <class To, class From>
inline To scalar_cast(const From& v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<From, half>) {
    return scalar_cast<To>(static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, half>) {
    return half(scalar_cast<float>(v));
  } else if constexpr (std::is_same_v<From, complex64> || std::is_same_v<From, complex128>) {
    if constexpr (std::is_same_v<To, complex64> || std::is_same_v<To, complex128>) {
      return To(static_cast<typename To::value_type>(v.real()),
                static_cast<typename To::value_type>(v.imag()));
    } else if constexpr (std::is_same_v<To, bool>) {
      return v.real() != 0 || v.imag() != 0;
    } else {
      return static_cast<To>(v.real());
    }
  } else if constexpr (std::is_same_v<To, complex64> || std::is_same_v<To, complex128>) {
    return To(static_cast<typename To::value_type>(v), 0);
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace hypatia
