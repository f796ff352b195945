// The default gradient algebra of Type: a type that carries no gradient says so.
#include "hypatia/graph/type.h"

#include "hypatia/graph/variable.h"

namespace hypatia {

namespace {
[[noreturn]] void no_gradient(const Type& t, const char* what) {
  type_error("[grad] variables of type ", t.str(), " carry no gradient (", what, ")");
}
}  // namespace

Var Type::zeros_like(const Var&, bool) const { no_gradient(*this, "zeros_like"); }
Var Type::ones_like(const Var&) const { no_gradient(*this, "ones_like"); }
Var Type::add_grad(const Var&, const Var&) const { no_gradient(*this, "sum of gradient terms"); }
Var Type::cast_grad(const Var& g, DType) const { return g; }

}  // namespace hypatia
