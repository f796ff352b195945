// A process-wide hook that sees the type of every new graph variable (config.warn_float64).
#pragma once
#include <functional>

#include "hypatia/graph/type.h"

namespace hypatia {

/// The hook receives the type of every variable that make_variable, make_constant or
/// Apply::create makes, before it exists; it may throw, and the creation then fails with its
/// error. Theano's config.warn_float64 installs one that reports float64 tensors. An empty
/// function removes it; with none installed the check costs one atomic load.
using VariableTypeHook = std::function<void(const TypePtr&)>;
void set_variable_type_hook(VariableTypeHook hook);

/// Runs the installed hook on `type` (no-op without one). The graph layer calls it.
void run_variable_type_hook(const TypePtr& type);

}  // namespace hypatia
