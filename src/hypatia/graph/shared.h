// Shared variables at the graph level: a variable of a known type backed by a container that
// compiled functions read and update, plus the checked get/set of its value.
#pragma once
#include <string>

#include "hypatia/graph/variable.h"

namespace hypatia {

/// Creates a shared variable of type `type` holding `value` (filtered by the type, copied
/// unless `borrow`). Families call this with their own type (random streams, say); the
/// type-inferring theano.shared(value) lives in compile/ because it must know every family.
Var make_shared_variable(const Value& value, TypePtr type, std::string name = "", bool borrow = false);
/// The current value of a shared variable (a copy unless borrow).
Value get_value(const Var& shared_var, bool borrow = false);
/// Replaces the value of a shared variable after filtering it by the variable's type (a
/// copy unless borrow). The old value is released outside the container's lock.
void set_value(const Var& shared_var, const Value& value, bool borrow = false);

}  // namespace hypatia
