// Stabilization rewrites of the tensor module (Theano's "stabilize" phase): numerically safer
// forms of sigmoid, softplus, log1p and expm1 expressions.
#pragma once
#include <vector>

#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Adds the tensor stabilize rewrites (local_sigm_to_sigmoid, local_log_sigmoid, ...) to the
/// optdb's stabilize EquilibriumDB, tagged fast_run and stabilize.
void register_tensor_stabilize(RewriteDatabase& db);
/// The same rewrites, in registration order (for tests and custom pipelines).
std::vector<NodeRewriterPtr> tensor_stabilize_rewriters();

}  // namespace hypatia
