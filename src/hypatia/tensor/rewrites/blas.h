// Specialize-phase rewrites that introduce the explicit BLAS ops (Theano's tensor/blas.py).
#pragma once
#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Registers into specialize (tags "fast_run", "tensor", "blas"): local_gemm_from_add (Gemm/Gemv from sums of
/// scaled dots and scaled matrices/vectors) and local_ger_from_add (Ger from sums with scaled
/// outer products).
void register_blas_specialize(RewriteDatabase& specialize);

}  // namespace hypatia
