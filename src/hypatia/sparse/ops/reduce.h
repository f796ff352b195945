// SpSum: sums of a sparse matrix (theano.sparse.basic.SpSum).
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

struct SpSumParams {
  int axis = -1;  // -1: all entries (Theano's axis=None)
  bool sparse_grad = false;
  auto fields() const { return std::tie(axis, sparse_grad); }
};

/// SpSum{axis, sparse_grad}(x): dense sum of x (0-d for axis None, a vector of length cols for
/// axis 0, rows for axis 1). Dtype as scipy's x.sum(): ints -> int64, uints -> uint64, bool ->
/// int64, floats and complex kept. Grad (a sparse matrix of x's format): with sparse_grad the
/// structured one (gz broadcast at x's stored entries), otherwise the regular one (gz broadcast
/// to every entry).
class SpSum final : public OpBase<SpSum, SpSumParams> {
  HYPATIA_OP(SpSum, 1, make_node, perform, infer_shape, vjp, str)
};

/// The dtype of scipy's sum of a matrix of dtype d.
DType sp_sum_dtype(DType d);

}  // namespace hypatia
