// Op codecs: every OpBase op is serialised from its params struct (fields()) and rebuilt by class.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace hypatia {

class Op;

/// The bytes of an op's parameters, written field by field in fields() order: integers,
/// bools and enums as int64, floating point as double, strings and containers prefixed by
/// their length. The format is private to one Hypatia version (pickles carry the version).
class ParamWriter {
 public:
  void i64(int64_t v);
  void f64(double v);
  void str(const std::string& s);
  std::string bytes;
};

/// Reads what ParamWriter wrote; ValueError "[pickle] ..." naming the op when the bytes run
/// out or some are left over (a corrupt or foreign pickle).
class ParamReader {
 public:
  ParamReader(const std::string& bytes, std::string op) : b_(bytes), op_(std::move(op)) {}
  int64_t i64();
  double f64();
  std::string str();
  /// A container length, checked against the bytes left so a corrupt count cannot allocate much.
  size_t count();
  void finish() const;

 private:
  void need(size_t n) const;
  const std::string& b_;
  std::string op_;
  size_t pos_ = 0;
};

using OpEncodeFn = void (*)(const Op&, ParamWriter&);
using OpDecodeFn = std::shared_ptr<const Op> (*)(ParamReader&);

/// Registers an op class under `key` (its typeid name) with its printed class name. `encode`
/// and `decode` are null when its params cannot be serialised; `why` then says so. Called
/// once per class by OpBase (op_codec_registered below), never by ops themselves.
bool register_op_class(const char* key, const char* name, OpEncodeFn encode, OpDecodeFn decode, const char* why);

namespace op_codec_detail {
template <class T> struct is_vector : std::false_type {};
template <class T, class A> struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_pair : std::false_type {};
template <class A, class B> struct is_pair<std::pair<A, B>> : std::true_type {};

/// Whether a params field of type T can be written and read back.
template <class T>
constexpr bool field_ok() {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_arithmetic_v<U> || std::is_enum_v<U> || std::is_same_v<U, std::string>) return true;
  else if constexpr (is_vector<U>::value || is_optional<U>::value) return field_ok<typename U::value_type>();
  else if constexpr (is_pair<U>::value) return field_ok<typename U::first_type>() && field_ok<typename U::second_type>();
  else return false;
}

template <class T>
void put(ParamWriter& w, const T& v) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_floating_point_v<U>) w.f64(static_cast<double>(v));
  else if constexpr (std::is_arithmetic_v<U> || std::is_enum_v<U>) w.i64(static_cast<int64_t>(v));
  else if constexpr (std::is_same_v<U, std::string>) w.str(v);
  else if constexpr (is_vector<U>::value) {
    w.i64(static_cast<int64_t>(v.size()));
    for (const auto& e : v) put(w, static_cast<const typename U::value_type&>(e));
  } else if constexpr (is_optional<U>::value) {
    w.i64(v.has_value() ? 1 : 0);
    if (v) put(w, *v);
  } else if constexpr (is_pair<U>::value) {
    put(w, v.first);
    put(w, v.second);
  }
}

template <class T>
void get(ParamReader& r, T& v) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_floating_point_v<U>) v = static_cast<U>(r.f64());
  else if constexpr (std::is_same_v<U, bool>) v = r.i64() != 0;
  else if constexpr (std::is_arithmetic_v<U> || std::is_enum_v<U>) v = static_cast<U>(r.i64());
  else if constexpr (std::is_same_v<U, std::string>) v = r.str();
  else if constexpr (is_vector<U>::value) {
    size_t n = r.count();
    v.clear();
    for (size_t i = 0; i < n; ++i) {
      typename U::value_type e{};
      get(r, e);
      v.push_back(std::move(e));
    }
  } else if constexpr (is_optional<U>::value) {
    if (r.i64()) {
      typename U::value_type e{};
      get(r, e);
      v = std::move(e);
    } else {
      v.reset();
    }
  } else if constexpr (is_pair<U>::value) {
    get(r, v.first);
    get(r, v.second);
  }
}

template <class Tuple> struct fields_ok;
template <class... T> struct fields_ok<std::tuple<T...>> {
  static constexpr bool encodable = (field_ok<T>() && ...);
  /// Decoding assigns through the tuple, so fields() must tie members, not compute values.
  static constexpr bool decodable = encodable && (std::is_lvalue_reference_v<T> && ...);
};

template <class D>
void encode(const Op& op, ParamWriter& w) {
  std::apply([&](const auto&... f) { (put(w, f), ...); }, static_cast<const D&>(op).params().fields());
}

template <class D, class P>
std::shared_ptr<const Op> decode(ParamReader& r) {
  P p{};
  // fields() ties p's members as const references; p itself is not const.
  std::apply([&](const auto&... f) { (get(r, const_cast<std::remove_cvref_t<decltype(f)>&>(f)), ...); }, p.fields());
  r.finish();
  return std::make_shared<D>(std::move(p));
}

template <class D, class P>
bool register_class() {
  using F = decltype(std::declval<const P&>().fields());
  if constexpr (fields_ok<F>::decodable && std::is_default_constructible_v<P> && std::is_constructible_v<D, P>)
    return register_op_class(typeid(D).name(), D::kName, &encode<D>, &decode<D, P>, "");
  else if constexpr (!fields_ok<F>::encodable)
    return register_op_class(typeid(D).name(), D::kName, nullptr, nullptr,
                             "its params struct holds a field of a kind the op codec cannot write");
  else
    return register_op_class(typeid(D).name(), D::kName, nullptr, nullptr,
                             "its params struct's fields() computes values instead of tying members");
}
}  // namespace op_codec_detail

/// Registration of each OpBase class, done at library load by OpBase's constructor naming it.
template <class D, class P>
inline const bool op_codec_registered = op_codec_detail::register_class<D, P>();

/// An op as (class key, parameter bytes). TypeError "[pickle] ..." for an op whose class is
/// not an OpBase op (scan, OpFromGraph, Print) or whose params cannot be written.
std::pair<std::string, std::string> encode_op(const Op& op);
/// The op of class `key` with the parameters in `bytes`. ValueError "[pickle] ..." for an
/// unknown class or malformed bytes.
std::shared_ptr<const Op> decode_op(const std::string& key, const std::string& bytes);
/// The printed class name registered under `key` (empty when unknown).
std::string op_class_name(const std::string& key);

}  // namespace hypatia
