// Connectionist temporal classification loss (theano.tensor.nnet.ctc), computed natively (no
// warp-ctc): the op ConnectionistTemporalClassification and the builder ctc().
#pragma once
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/graph/variable.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

struct CtcParams {
  bool compute_grad = true;  // also output the gradient (what the op's vjp reads)
  auto fields() const { return std::tie(compute_grad); }
};

/// Theano's ConnectionistTemporalClassification(activations, labels, input_lengths):
/// activations (steps, batch, alphabet) are unnormalised (a softmax over the alphabet is taken
/// per step, as warp-ctc does), labels (batch, max_len) hold each target in [1, alphabet) with
/// negative values as padding (0 is the blank), input_lengths (batch,) the steps used per
/// sequence. Outputs: costs (batch,) = -log p(labels | activations) (+inf where no alignment
/// fits), and with compute_grad the gradient of each cost with respect to activations (zero
/// past a sequence's length). ValueError for a label or length out of range.
class ConnectionistTemporalClassification final
    : public OpBase<ConnectionistTemporalClassification, CtcParams> {
  HYPATIA_OP(ConnectionistTemporalClassification, 3, make_node, perform, infer_shape, vjp, connection_pattern)
};

/// Theano's ctc.ctc: the costs output of ConnectionistTemporalClassification(compute_grad).
Var ctc(const Var& activations, const Var& labels, const Var& input_lengths);

}  // namespace hypatia
