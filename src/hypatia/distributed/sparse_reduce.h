// Sum or mean of a sparse matrix over the ranks: allgather of the stored entries and a merge,
// or a dense allreduce when the matrices are dense enough.
#pragma once
#include <string>

#include "hypatia/distributed/comm.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia::distributed {

/// How sparse_allreduce combined the ranks' matrices.
enum class SparseReducePath { Gather, Dense };

/// The sum (or mean) over the ranks of equally shaped sparse matrices of one format and
/// dtype, as a canonical matrix of that format (sorted indices, no duplicates, exact zeros
/// dropped, as scipy's sum). The ranks first share their entry counts; when the entries of
/// all ranks together cover at least `dense_threshold` of the matrix (density), each rank
/// densifies and the dense arrays are summed with one allreduce (2 n_dense values moved per
/// rank instead of 3 numbers per gathered entry); otherwise every rank gathers every rank's
/// entries (row, column, value) and merges them. Every rank takes the same path. ValueError
/// "[who] ..." when the ranks' shapes, formats or dtypes differ. `path`, when given, reports
/// the path taken.
SparseMatrix sparse_allreduce(const SparseMatrix& x, ReduceOp op, double dense_threshold, const std::string& who,
                              SparseReducePath* path = nullptr);

}  // namespace hypatia::distributed
