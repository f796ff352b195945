// Test values (Theano's compute_test_value): nodes computed on sample values as the graph is built.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "hypatia/graph/variable.h"

namespace hypatia {

/// config.compute_test_value: Off computes nothing; otherwise every new node runs its op on
/// its inputs' test values, and an input without one is skipped silently (Ignore), with a
/// warning (Warn), with an error (Raise), or by handing over to the debugger (Pdb, through
/// the report hook). A failing perform always raises, at build time.
enum class TestValueMode { Off, Ignore, Warn, Raise, Pdb };

/// Hooks the Python package installs: the current mode (read from config on each new node;
/// without a hook the mode is Off), the report of a missing test value for Warn and Pdb, and
/// the place in the user's code that is building the node ("" when unknown).
struct TestValueHooks {
  std::function<TestValueMode()> mode;
  std::function<void(TestValueMode, const std::string&)> report;
  std::function<std::string()> location;
};
void set_test_value_hooks(TestValueHooks hooks);
TestValueMode test_value_mode();

/// The test value of `v`: the one set on it (tag.test_value) or computed for it, a
/// constant's data, or a shared variable's current value; null when it has none.
std::shared_ptr<const Value> get_test_value(const Var& v);
/// Sets (or with null clears) the test value of `v`, already checked by its type.
void set_test_value(const Var& v, std::shared_ptr<const Value> value);

/// No test values are computed in this thread while one exists (compilation clones and
/// rewrites graphs that were already checked when built).
class TestValueSuspend {
 public:
  TestValueSuspend();
  ~TestValueSuspend();
  TestValueSuspend(const TestValueSuspend&) = delete;
  TestValueSuspend& operator=(const TestValueSuspend&) = delete;
};

/// Computes the test values of a new node's outputs (Apply::create calls it). Errors are
/// "[compute_test_value] ..." with the node and the user's line.
void compute_test_values(Apply& node);

}  // namespace hypatia
