// Batch normalisation (theano.tensor.nnet.bn): the training, inference and training-gradient
// ops over any set of normalised axes, and the builders batch_normalization(_train/_test).
#pragma once
#include <optional>
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/graph/variable.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

struct BatchNormParams {
  std::vector<int> axes;              // the normalised axes, sorted
  double epsilon = 1e-4;
  double running_average_factor = 0.1;
  bool running = false;               // AbstractBatchNormTrain: also update running mean/var
  auto fields() const { return std::tie(axes, epsilon, running_average_factor, running); }
};

/// Theano's AbstractBatchNormTrain: inputs (x, scale, bias[, running_mean, running_var]), every
/// parameter of x's rank and broadcastable over `axes`; outputs (out, mean, invstd[,
/// new_running_mean, new_running_var]) with mean/invstd over `axes` (kept as length-1 axes),
/// invstd = 1 / sqrt(var + epsilon), out = (x - mean) * scale * invstd + bias, new running
/// mean = rm * (1 - f) + mean * f and var = rv * (1 - f) + m / (m - 1) * var * f. The gradient
/// covers every output (Theano's ignored mean and invstd) through AbstractBatchNormTrainGrad.
class AbstractBatchNormTrain final : public OpBase<AbstractBatchNormTrain, BatchNormParams> {
  HYPATIA_OP(AbstractBatchNormTrain, kVariadic, str, make_node, perform, infer_shape, vjp, connection_pattern)
};

/// Theano's AbstractBatchNormTrainGrad: inputs (x, dy, scale, mean, invstd), outputs the
/// gradients of out = (x - mean(x)) * scale * invstd(x) + bias with respect to x, scale and bias.
class AbstractBatchNormTrainGrad final : public OpBase<AbstractBatchNormTrainGrad, BatchNormParams> {
  HYPATIA_OP(AbstractBatchNormTrainGrad, 5, str, make_node, perform, infer_shape, vjp)
};

/// Theano's AbstractBatchNormInference: inputs (x, scale, bias, mean, var), output
/// (x - mean) * scale / sqrt(var + epsilon) + bias; gradients for all five inputs.
class AbstractBatchNormInference final : public OpBase<AbstractBatchNormInference, BatchNormParams> {
  HYPATIA_OP(AbstractBatchNormInference, 5, str, make_node, perform, infer_shape, vjp)
};

/// The axes of Theano's `axes` argument for a rank-nd input: "per-activation" is (0,),
/// "spatial" is (0, 2, ..., nd - 1). ValueError for another string.
std::vector<int> bn_axes(const std::string& mode, int nd);

/// Theano's bn.batch_normalization: (inputs - mean) * (gamma / std) + beta, elementwise with
/// broadcasting (mode "low_mem" and "high_mem" build the same graph here).
Var batch_normalization(const Var& inputs, const Var& gamma, const Var& beta, const Var& mean, const Var& std,
                        const std::string& mode = "low_mem");

/// Theano's bn.batch_normalization_train: {out, mean, invstd[, new_running_mean,
/// new_running_var]}. gamma/beta (and running_mean/var) have x's rank with length-1 `axes`, or
/// rank x.ndim - len(axes) (the normalised axes left out; the outputs then leave them out too).
/// ValueError for epsilon < 1e-5 (Theano's cuDNN bound), an axis out of range, or only one of
/// running_mean/var.
std::vector<Var> batch_normalization_train(const Var& inputs, const Var& gamma, const Var& beta,
                                           const std::vector<int>& axes, double epsilon = 1e-4,
                                           double running_average_factor = 0.1, const Var& running_mean = Var(),
                                           const Var& running_var = Var());

/// Theano's bn.batch_normalization_test: (inputs - mean) * gamma / sqrt(var + epsilon) + beta
/// with the parameters laid out as for batch_normalization_train.
Var batch_normalization_test(const Var& inputs, const Var& gamma, const Var& beta, const Var& mean, const Var& var,
                             const std::vector<int>& axes, double epsilon = 1e-4);

}  // namespace hypatia
