// RandomStateValue: xoshiro256** seeded by splitmix64, and the checked access to it.
#include "hypatia/value/random_state.h"

#include <sstream>

#include "hypatia/util/error.h"

namespace hypatia {

// ---------------------------------------------------------------- RandomStateValue

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

void RandomStateValue::seed(uint64_t s) {
  uint64_t x = s;
  for (auto& w : s_) w = splitmix64(x);
}

void RandomStateValue::set_words(const std::array<uint64_t, 4>& w) {
  if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0)
    value_error("[RandomState] the all-zero state is not a valid xoshiro256** state");
  s_ = w;
}

uint64_t RandomStateValue::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double RandomStateValue::uniform01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double RandomStateValue::normal01() {
  const double u1 = 1.0 - uniform01();  // (0, 1]
  const double u2 = uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

uint64_t RandomStateValue::below(uint64_t n) {
  // Lemire's nearly-divisionless method: unbiased.
  unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
  uint64_t l = static_cast<uint64_t>(m);
  if (l < n) {
    const uint64_t t = (0 - n) % n;
    while (l < t) {
      m = static_cast<unsigned __int128>(next()) * n;
      l = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

std::string RandomStateValue::repr() const {
  std::ostringstream o;
  o << "RandomState(xoshiro256**, state=" << std::hex << s_[0] << ")";
  return o.str();
}

RandomStatePtr as_random_state(const Value& v, const char* who) {
  if (const auto* o = std::get_if<OpaquePtr>(&v))
    if (auto r = std::dynamic_pointer_cast<RandomStateValue>(*o)) return r;
  type_error("[", who, "] expected a random state (RandomStateType), got ", value_repr(v));
}

}  // namespace hypatia
