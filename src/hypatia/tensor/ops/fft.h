// tensor.fft: RFFTOp / IRFFTOp (Theano's real N-d transforms over all axes but the first, the
// complex values stored as (real, imag) pairs on a last axis of length 2) and their builders.
#pragma once
#include <optional>
#include <string>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

struct FftParams {
  /// Factor on the entries 1 .. ceil(n/2)-1 of the halved axis (those standing for two
  /// frequencies): 1 for the transforms, 0.5 / 2 in the gradients, as Theano's RFFTOp.grad and
  /// IRFFTOp.grad scale them. Keeps the adjoints closed under differentiation.
  double scale_inner = 1.0;
  auto fields() const { return std::tie(scale_inner); }
};

/// Input x (m, ..., n), float: numpy.fft.rfftn over the axes after the first, unnormalised;
/// output (m, ..., n//2+1, 2) of x's dtype. Gradient: the unnormalised inverse with the
/// inner entries halved (Theano's RFFTOp.grad).
class RFFTOp final : public OpBase<RFFTOp, FftParams> {
  HYPATIA_OP(RFFTOp, 1, str, make_node, perform, infer_shape, vjp, connection_pattern)
};

/// Inputs (z (m, ..., n//2+1, 2), n): the unnormalised inverse (numpy.fft.irfftn times the
/// number of points) with last axis n (an int scalar: 2(h-1) or 2(h-1)+1); output (m, ..., n).
/// Gradient: the forward transform with the inner entries doubled (Theano's IRFFTOp.grad).
class IRFFTOp final : public OpBase<IRFFTOp, FftParams> {
  HYPATIA_OP(IRFFTOp, 2, str, make_node, perform, infer_shape, vjp, connection_pattern)
};

/// theano.tensor.fft.rfft: norm None or "no_norm" (unscaled) or "ortho" (1/sqrt(N), N the
/// number of points of one transform). ValueError for another norm; TypeError below 2-d.
Var rfft(const Var& inp, const std::optional<std::string>& norm = std::nullopt);
/// theano.tensor.fft.irfft: norm None (1/N, numpy's), "ortho" (1/sqrt(N)) or "no_norm";
/// is_odd gives an odd last axis 2(h-1)+1 instead of 2(h-1).
Var irfft(const Var& inp, const std::optional<std::string>& norm = std::nullopt, bool is_odd = false);

}  // namespace hypatia
