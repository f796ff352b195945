// Shared variables: creation over a container, and the checked get/set of their value.
#include "hypatia/graph/shared.h"

#include "hypatia/graph/type.h"

namespace hypatia {

Var make_shared_variable(const Value& value, TypePtr type, std::string name, bool borrow) {
  Var v = make_variable(std::move(type), std::move(name));
  v->container = std::make_shared<SharedContainer>();
  v->container->value = borrow ? value : deep_copy(value);
  return v;
}

Value get_value(const Var& var, bool borrow) {
  if (!var->is_shared()) type_error("[get_value] ", var->str(), " is not a shared variable");
  Value v = var->container->get();
  return borrow ? v : deep_copy(v);
}

void set_value(const Var& var, const Value& value, bool borrow) {
  if (!var->is_shared()) type_error("[set_value] ", var->str(), " is not a shared variable");
  Value v;
  try {
    v = var.type()->filter(value, false, false);
  } catch (const Error& e) {
    throw Error(e.kind(), str_cat("[set_value] cannot set ", var->str(), ": ", e.what()));
  }
  bool converted = !may_share_memory(v, value);
  Value old = var->container->exchange((borrow || converted) ? v : deep_copy(v));
}

}  // namespace hypatia
