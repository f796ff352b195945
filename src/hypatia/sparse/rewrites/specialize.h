// Rewrites of the sparse products (Theano's local_usmm family).
#pragma once
#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Registers the sparse product rewrites (tags "fast_run", "sparse"):
/// - in `specialize`: local_usmm (z + a * dot(x, y) and z - a * dot(x, y), with dot a sparse
///   Dot or StructuredDot with a dense output, become Usmm(+-a, x, y, z)) and
///   local_usmm_csc_dense (Usmm with a csc x, a dense y and z of the output dtype becomes
///   UsmmCscDense{no_inplace});
/// - in `optdb` at position 60 (an inplace phase, tag "inplace" too):
///   local_usmm_csc_dense_inplace (UsmmCscDense{inplace} when z is an intermediate that nothing
///   else reads, that is not a graph output and that views no other variable).
void register_sparse_products(SequenceDB& optdb, RewriteDatabase& specialize);

}  // namespace hypatia
