// Dot: matrix/vector products of 1-d and 2-d tensors (Theano's `dot`), via CBLAS.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// Theano's Dot, printed "dot": matrix.matrix, matrix.vector, vector.matrix, vector.vector.
class Dot final : public OpBase<Dot, NoParams> {
  HYPATIA_OP(Dot, 2, make_node, perform, infer_shape, vjp, jvp)
  std::string str() const override { return "dot"; }
};

}  // namespace hypatia
