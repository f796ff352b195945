// The state of a random generator as a runtime value (xoshiro256**), shared by the kernels of
// every family that samples: tensor's raw_random and sparse's sampling ops.
#pragma once
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "hypatia/value/value.h"

namespace hypatia {

/// The state of one random generator: xoshiro256** (Blackman & Vigna, 2018; period 2^256 - 1)
/// over 4 64-bit words, seeded by expanding the 64-bit seed with splitmix64. Distributions:
/// uniform doubles are the top 53 bits of one draw times 2^-53 (so [0, 1)); normals use
/// Box-Muller on two uniforms (one normal per pair, no cached spare, so the state stays the 4
/// words); bounded integers use Lemire's unbiased multiply-and-reject; binomial and Poisson
/// use the C++ standard library's distributions over this generator. Same seed, same
/// numbers on every platform except for binomial/Poisson, which follow the standard library.
class RandomStateValue final : public OpaqueValue {
 public:
  using result_type = uint64_t;
  explicit RandomStateValue(uint64_t seed = 0) { this->seed(seed); }
  /// Resets the state as a fresh generator with this seed (numpy's RandomState.seed).
  void seed(uint64_t s);
  uint64_t next();
  uint64_t operator()() { return next(); }
  static constexpr uint64_t min() { return 0; }
  static constexpr uint64_t max() { return std::numeric_limits<uint64_t>::max(); }
  double uniform01();             // [0, 1)
  double normal01();              // standard normal
  uint64_t below(uint64_t n);     // uniform in [0, n), n > 0
  const std::array<uint64_t, 4>& words() const { return s_; }
  void set_words(const std::array<uint64_t, 4>& w);

  std::shared_ptr<OpaqueValue> clone() const override { return std::make_shared<RandomStateValue>(*this); }
  std::string repr() const override;
  bool operator==(const RandomStateValue& o) const { return s_ == o.s_; }

 private:
  std::array<uint64_t, 4> s_{};
};
using RandomStatePtr = std::shared_ptr<RandomStateValue>;

/// The generator state held by a runtime value (TypeError otherwise).
RandomStatePtr as_random_state(const Value& v, const char* who);

}  // namespace hypatia
