// MRG_RandomStreams' ops: mrg_uniform (MRG31k3p samples from a matrix of stream states) and
// the ops turning uniforms into multinomial counts and choices without replacement.
#pragma once
#include <tuple>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

struct MRGUniformParams {
  DType dtype = DType::Float64;  // float32 or float64
  int ndim = 1;
  auto fields() const { return std::tie(dtype, ndim); }
};

/// Theano's mrg_uniform. Inputs: rstate (an int32 matrix n_streams x 6), then `ndim` int64
/// scalars (the sample's shape). Outputs: the new rstate (the input is never modified) and
/// the sample, whose element i comes from stream i % n_streams (Theano's order), computed on
/// several threads over the streams with the same numbers for any thread count. Not
/// differentiable: every input is disconnected (Theano's grad_undefined). Never folded.
class MRGUniform final : public OpBase<MRGUniform, MRGUniformParams> {
  HYPATIA_OP(MRGUniform, kVariadic, str, make_node, perform, infer_shape, vjp, connection_pattern)
  bool constant_foldable(const Apply&) const override { return false; }
};

struct FromUniformParams {
  DType odtype = DType::Int64;
  bool replace = false;  // ChoiceFromUniform only
  auto fields() const { return std::tie(odtype, replace); }
};

/// Theano's MultinomialFromUniform: inputs (pvals (k, m) float, unis (k*n,) float, n int
/// scalar); output (k, m) counts of n draws per row: draw c of row r takes the first outcome
/// whose running sum of pvals (in double) exceeds unis[c*k + r] (none: no count, as Theano).
class MultinomialFromUniform final : public OpBase<MultinomialFromUniform, FromUniformParams> {
  HYPATIA_OP(MultinomialFromUniform, 3, str, make_node, perform, infer_shape, vjp, connection_pattern)
};

/// Theano's ChoiceFromUniform (multinomial_wo_replacement): same inputs; output (k, n) the
/// outcomes drawn, each drawn outcome's probability set to 0 and the row renormalised before
/// the next draw (without replacement). ValueError when n exceeds the number of outcomes.
class ChoiceFromUniform final : public OpBase<ChoiceFromUniform, FromUniformParams> {
  HYPATIA_OP(ChoiceFromUniform, 3, str, make_node, perform, infer_shape, vjp, connection_pattern)
};

}  // namespace hypatia
