// Hash combination for op parameters and types (boost-style mixing).
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace hypatia {

inline size_t hash_combine(size_t seed, size_t h) {
  return seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

template <class T>
size_t hash_value(const T& v);

template <class T>
size_t hash_value(const std::vector<T>& v) {
  size_t h = v.size();
  for (const auto& x : v) h = hash_combine(h, hash_value(x));
  return h;
}
template <class T>
size_t hash_value(const std::optional<T>& v) {
  return v ? hash_combine(1, hash_value(*v)) : 0;
}
template <class... T>
size_t hash_value(const std::tuple<T...>& t) {
  size_t h = sizeof...(T);
  std::apply([&](const auto&... x) { ((h = hash_combine(h, hash_value(x))), ...); }, t);
  return h;
}
template <class T>
size_t hash_value(const T& v) {
  if constexpr (std::is_enum_v<T>) {
    return std::hash<std::underlying_type_t<T>>()(static_cast<std::underlying_type_t<T>>(v));
  } else {
    return std::hash<T>()(v);
  }
}

}  // namespace hypatia
