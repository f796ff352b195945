// local_inv_as_solve: dot(matrix_inverse(A), b) -> solve(A, b).
#include "hypatia/linalg/rewrites/solve.h"

#include "hypatia/linalg/ops/nlinalg.h"
#include "hypatia/linalg/ops/slinalg.h"
#include "hypatia/rewrite/rewriter.h"
#include "hypatia/tensor/ops/dot.h"

namespace hypatia {
namespace {

using Result = std::optional<std::vector<Var>>;

/// dot(MatrixInverse(A), b) with b a vector or a matrix of A's dtype -> Solve{gen}(A, b). The
/// inverse stays where something else uses it.
Result local_inv_as_solve(FunctionGraph&, Apply* node) {
  if (!dynamic_cast<const Dot*>(node->op().get())) return std::nullopt;
  const Var &lhs = node->input(0), &b = node->input(1);
  if (!lhs.owner() || !dynamic_cast<const MatrixInverse*>(lhs.owner()->op().get())) return std::nullopt;
  const Var& a = lhs.owner()->input(0);
  if (b.type()->ndim() < 1 || b.type()->ndim() > 2 || b.type()->dtype() != a.type()->dtype()) return std::nullopt;
  Var x = apply1(*std::make_shared<Solve>(SolveParams{"gen", false, false}), {a, b});
  if (!same_type(x.type(), node->output(0).type())) return std::nullopt;
  return std::vector<Var>{x};
}

}  // namespace

void register_linalg_stabilize(RewriteDatabase& db) {
  db.add("local_inv_as_solve", Tracks{{}, {std::type_index(typeid(Dot))}}, local_inv_as_solve, {"fast_run", "linalg"});
}

}  // namespace hypatia
