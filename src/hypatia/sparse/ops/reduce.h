// SpSum: sums of a sparse matrix (theano.sparse.basic.SpSum).
#pragma once
#include <optional>

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
  HYPATIA_OP(SpSum, 1, make_node, perform, infer_shape, vjp, str, checks_input_indices, checks_input_steps)
};

namespace sparse {
/// SpSum: axis nullopt (all), 0 or 1; dense result. sparse_grad=true gives the structured grad.
Var sp_sum(const Var& x, std::optional<int> axis = std::nullopt, bool sparse_grad = false);
/// The mean of a sparse matrix over all entries (axis nullopt), columns (0 or -2) or rows (1
/// or -1), dense: sp_sum divided by the count of all positions (implicit zeros included).
Var mean(const Var& x, std::optional<int> axis = std::nullopt);
}  // namespace sparse

/// The dtype of scipy's sum of a matrix of dtype d.
DType sp_sum_dtype(DType d);

}  // namespace hypatia
