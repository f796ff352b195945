// Data parallelism around a model: start-up checks and broadcast of the shared parameters,
// averaged gradients, and the CSR row partition of a dataset across the ranks.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "hypatia/distributed/ops.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia::distributed {

/// Checks that every rank holds the same parameters (count, dtype, dense or sparse, shape):
/// ValueError "[who] parameter 'W' (#1) is a (3, 4) float64 tensor on rank 0 but a (3, 5)
/// float64 tensor on rank 1 ..." on every rank otherwise, before any value moves. Then copies
/// rank 0's values into every rank's shared variables, so the ranks start from one model.
void sync_parameters(const std::vector<Var>& params, const std::string& who = "distributed.sync_parameters");

/// Only the shape check of sync_parameters.
void check_parameter_shapes(const std::vector<Var>& params, const std::string& who);

/// The bytes of each shared variable's current value (the bucket sizes of reduce_gradients).
std::vector<int64_t> parameter_nbytes(const std::vector<Var>& params);

/// grad(cost, params) with each gradient averaged over the ranks (reduce_gradients, mean),
/// reductions overlapped with the backward pass. The updates built from these gradients are
/// the same on every rank, so the replicas stay equal.
std::vector<Var> data_parallel_grads(const Var& cost, const std::vector<Var>& params,
                                     int64_t bucket_bytes = 4 << 20, double dense_threshold = 0.5);

/// Rows [begin, end) that rank `r` of `p` owns in a row partition of n rows: contiguous
/// blocks whose sizes differ by at most one, lower ranks first (so concatenating the ranks'
/// shards in rank order gives the dataset back).
std::pair<int64_t, int64_t> row_range(int64_t n, int r, int p);

/// This rank's rows of a CSR matrix (row_range of rank() of size(), or of the given r, p):
/// a CSR matrix of those rows (copied). ValueError for a CSC matrix.
SparseMatrix shard_rows(const SparseMatrix& x, int r = -1, int p = -1);

}  // namespace hypatia::distributed
