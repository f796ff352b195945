// Rewrites of the linalg family (Theano's sandbox.linalg inv_as_solve).
#pragma once
#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Registers into stabilize (tags "fast_run", "linalg"): local_inv_as_solve, which turns
/// dot(matrix_inverse(A), b) into solve(A, b): one LU solve instead of an inverse and a product,
/// and more accurate (the manual: "the call to this op will be optimized to the call of solve").
void register_linalg_stabilize(RewriteDatabase& stabilize);

}  // namespace hypatia
