// nnet ops: pointwise activations (relu, elu, selu, softsign, hard/ultra-fast sigmoid), softmax
// and log_softmax over the last axis, and the one-hot categorical crossentropy.
#pragma once
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

enum class Activation : uint8_t { Softsign, Relu, Elu, Selu, HardSigmoid, UltraFastSigmoid };

struct ActivationParams {
  Activation kind = Activation::Relu;
  double alpha = 0;   // relu's negative slope, elu's alpha (unused by the others)
  bool grad = false;  // the gradient form: inputs (x, g), output f'(x) * g
  auto fields() const { return std::tie(kind, alpha, grad); }
};

/// A pointwise activation f(x) (or, with grad, f'(x) * g). Float inputs keep their dtype;
/// integer inputs give floats as exp does. Printed e.g. "Relu{alpha=0}", "EluGrad{alpha=1}".
class NnetActivation final : public OpBase<NnetActivation, ActivationParams> {
  HYPATIA_OP(NnetActivation, kVariadic, str, make_node, perform, infer_shape, vjp, jvp)
  std::string name() const override;
};

struct SoftmaxParams {
  bool log = false;  // LogSoftmax
  auto fields() const { return std::tie(log); }
};

/// Softmax (or LogSoftmax) over the last axis of a float tensor of rank >= 1, computed as
/// exp(x - max) / sum(exp(x - max)) (x - max - log(sum(exp(x - max)))), so it never overflows.
class Softmax final : public OpBase<Softmax, SoftmaxParams> {
  HYPATIA_OP(Softmax, 1, make_node, perform, infer_shape, vjp, jvp)
  std::string name() const override { return params_.log ? "LogSoftmax" : "Softmax"; }
  bool is_log() const { return params_.log; }
};

struct Crossentropy1HotParams {
  bool log_input = false;  // the input holds log-probabilities (no log taken)
  auto fields() const { return std::tie(log_input); }
};

/// Theano's CrossentropyCategorical1Hot over the last axis: out[i] = -log(p[i, y[i]])
/// (-p[i, y[i]] for log_input) for p of rank k >= 1 and integer labels y of rank k - 1.
/// Labels outside [0, n_classes) raise ValueError.
class CrossentropyCategorical1Hot final : public OpBase<CrossentropyCategorical1Hot, Crossentropy1HotParams> {
  HYPATIA_OP(CrossentropyCategorical1Hot, 2, make_node, perform, infer_shape, vjp, connection_pattern)
  std::string str() const override { return params_.log_input ? "CrossentropyCategorical1Hot{log_input}" : name(); }
};

/// Its gradient: inputs (g, p, y), output shaped like p, zero except at [i, y[i]] where it is
/// -g[i] / p[i, y[i]] (-g[i] for log_input).
class CrossentropyCategorical1HotGrad final
    : public OpBase<CrossentropyCategorical1HotGrad, Crossentropy1HotParams> {
  HYPATIA_OP(CrossentropyCategorical1HotGrad, 3, make_node, perform, infer_shape, vjp)
};

/// The Softmax/LogSoftmax op computing v, or null.
const Softmax* softmax_op_of(const Var& v);

}  // namespace hypatia
