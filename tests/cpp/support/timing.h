// Whether tests may assert on wall-clock time: not in sanitized builds (ASan, UBSan, TSan run
// code several times slower) nor when HYPATIA_NO_TIMING_ASSERTS is set in the environment.
#pragma once
#include <cstdlib>

namespace hypatia::testing {

/// True in a sanitized build (compile-time: clang's __has_feature, gcc's __SANITIZE_*__).
constexpr bool sanitized_build() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(undefined_behavior_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

/// Timing assertions (speed bounds) hold only in unsanitized builds and unless the environment
/// sets HYPATIA_NO_TIMING_ASSERTS (scripts/run_tests.sh sets it for its sanitizer stages).
inline bool timing_asserts_enabled() {
  const char* env = std::getenv("HYPATIA_NO_TIMING_ASSERTS");
  return !sanitized_build() && !(env && *env && *env != '0');
}

}  // namespace hypatia::testing
