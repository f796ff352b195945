// local_inline_ofg: an inline OpFromGraph node becomes its inner graph over the node's inputs.
#include "hypatia/control/rewrites/op_from_graph.h"

#include <typeindex>

#include "hypatia/control/ops/op_from_graph.h"

namespace hypatia {

namespace {
std::optional<std::vector<Var>> local_inline_ofg(FunctionGraph&, Apply* node) {
  const auto* op = dynamic_cast<const OpFromGraph*>(node->op().get());
  if (!op || !op->is_inline()) return std::nullopt;
  return op->expand(node->inputs());
}
}  // namespace

void register_control_canonicalize(RewriteDatabase& db) {
  db.add("local_inline_ofg", Tracks{{}, {std::type_index(typeid(OpFromGraph))}}, local_inline_ofg,
         {"fast_run", "fast_compile", "control"});
}

}  // namespace hypatia
