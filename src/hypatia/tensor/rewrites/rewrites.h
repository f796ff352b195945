// Dense tensor rewrites (Theano's tensor/opt.py): canonical forms and specialisations of Elemwise,
// DimShuffle and the shape ops, registered into the optdb by explicit calls from build_optdb().
#pragma once
#include <optional>

#include "hypatia/rewrite/db.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// Registers the tensor rewrites of the canonicalize phase (tags "fast_run", "tensor"):
/// local_useless_fill, local_fill_to_alloc, local_fill_sink, local_mul_canonizer,
/// local_mul_by_one, local_add_zero, local_neg_neg, local_sub_self, local_pow_canonicalize,
/// local_useless_dimshuffle, local_dimshuffle_dimshuffle, local_shape_to_shape_i,
/// local_reshape_reshape.
void register_tensor_canonicalize(RewriteDatabase& db);

/// Registers the tensor rewrites of the specialize phase (tags "fast_run", "tensor"):
/// local_pow_specialize, local_mul_specialize.
void register_tensor_specialize(RewriteDatabase& db);

/// Registers local_elemwise_fusion (tags "fast_run", "fusion"): trees of float Elemwise nodes
/// become one FusedElemwise evaluated block by block; then local_careduce_fusion folds a Sum's
/// single-client elementwise producer into a FusedSum (no full-size intermediate). Runs after
/// specialize.
void register_tensor_fusion(RewriteDatabase& db);

/// Theano's get_scalar_constant_value: the value of a constant whose elements are all equal,
/// looking through DimShuffles (the broadcasting wrappers of scalar constants). nullopt for
/// anything else, for empty constants and for complex dtypes.
std::optional<double> scalar_constant_value(const Var& v);

}  // namespace hypatia
