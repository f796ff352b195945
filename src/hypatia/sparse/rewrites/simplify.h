// Rewrites that remove sparse round trips (dense -> sparse -> dense, arrays -> CSM -> arrays).
#pragma once
#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Registers into canonicalize (tags "fast_run", "sparse"):
/// - local_dense_from_sparse_of_sparse_from_dense: DenseFromSparse(SparseFromDense{f}(m)) -> m
///   for both formats (m is a matrix; a vector's node input is its 1 x n DimShuffle), with the
///   output's broadcastable pattern. Values are those of m (a -0.0 entry stays -0.0 where the
///   round trip would give 0.0, which compares equal).
void register_sparse_canonicalize(RewriteDatabase& canonicalize);

/// Registers into specialize (tags "fast_run", "sparse"), as Theano's register_specialize:
/// - local_csm_properties_csm: CSMProperties(CSM{f}(data, indices, indptr, shape)) -> (data,
///   indices, indptr, shape), only when the arrays are already canonical: indices, indptr and
///   shape are outputs of one CSMProperties of a matrix in format f (so CSM's validation cannot
///   fail on them, and its copies and dtype conversions change nothing). CSM's remaining check,
///   that data has as many entries as indices, is kept as a SpecifyShape on data.
void register_sparse_specialize(RewriteDatabase& specialize);

}  // namespace hypatia
