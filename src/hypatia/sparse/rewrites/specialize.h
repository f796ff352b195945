// Rewrites of the sparse products (Theano's local_usmm family).
#pragma once
#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Registers the sparse product rewrites into specialize (tags "fast_run", "sparse"):
/// local_usmm (z + a * dot(x, y) and z - a * dot(x, y), with dot a sparse Dot or StructuredDot
/// with a dense output, become Usmm(+-a, x, y, z)) and local_usmm_csc_dense (Usmm with a csc
/// x, a dense y and z of the output dtype becomes UsmmCscDense{no_inplace}). The generic
/// in-place phase later makes it UsmmCscDense{inplace} when z may be overwritten.
void register_usmm_specialize(RewriteDatabase& specialize);

}  // namespace hypatia
