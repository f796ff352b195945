// Shape-family rewrites (tensor/rewrites/shape.cpp), registered from build_optdb().
#pragma once
#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Registers into canonicalize (tags "fast_run", "tensor", "shape"): local_shape_i_infer,
/// local_join_1, local_useless_specify_shape.
void register_shape_canonicalize(RewriteDatabase& db);

}  // namespace hypatia
