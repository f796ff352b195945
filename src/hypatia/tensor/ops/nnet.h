// Neural-network functions (theano.tensor.nnet) and their ops: pointwise activations (relu, elu,
// selu, softsign, hard/ultra-fast sigmoid), softmax and log_softmax over the last axis, and the
// one-hot categorical crossentropy; then the builders.
#pragma once
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/graph/variable.h"
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

/// Theano's SoftmaxGrad(dy, sm): the gradient of softmax over the last axis given the output
/// gradient dy and the softmax output sm, (dy - sum(dy * sm, -1)) * sm. Softmax's vjp builds it
/// so that the nnet stabilize rewrites can recognise the gradient of a log-softmax loss.
class SoftmaxGrad final : public OpBase<SoftmaxGrad> {
  HYPATIA_OP(SoftmaxGrad, 2, make_node, perform, infer_shape, vjp, jvp)
};
Var softmax_grad(const Var& dy, const Var& sm);

/// The Softmax/LogSoftmax op computing v, or null.
const Softmax* softmax_op_of(const Var& v);

/// The logistic function 1 / (1 + exp(-x)), computed without overflow for any x. Integer
/// inputs give floats. Printed Elemwise{sigmoid,no_inplace}; gradient s(x) (1 - s(x)).
Var sigmoid(const Var& x);
/// log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|)) so that it is finite and exact
/// for large |x|. Printed Elemwise{softplus,no_inplace}; gradient sigmoid(x).
Var softplus(const Var& x);

/// x / (1 + |x|).
Var softsign(const Var& x);
/// max(x, 0) for alpha == 0, else the leaky form x > 0 ? x : alpha * x. Gradient 1 for x > 0,
/// alpha otherwise (0 at x == 0).
Var relu(const Var& x, double alpha = 0.0);
/// x > 0 ? x : alpha * (exp(x) - 1) (expm1, accurate near 0).
Var elu(const Var& x, double alpha = 1.0);
/// scale * elu(x, alpha) with Klambauer et al.'s alpha = 1.6732632423543772, scale = 1.0507009873554805.
Var selu(const Var& x);
/// Theano's hard_sigmoid: clip(0.2 x + 0.5, 0, 1).
Var hard_sigmoid(const Var& x);
/// Theano's ultra_fast_sigmoid: a piecewise approximation of sigmoid (absolute error < 0.03,
/// exactly 0.5 at 0, constant beyond |x| = 6). Its gradient is the exact derivative of the
/// approximation (Theano used y (1 - y) of the approximate y instead).
Var ultra_fast_sigmoid(const Var& x);

/// Softmax over the last axis (rows of a matrix; a vector is one row and stays a vector),
/// stable for any finite logits. Float inputs only.
Var softmax(const Var& x);
/// log(softmax(x)) over the last axis, computed as x - max - log(sum(exp(x - max))).
Var log_softmax(const Var& x);

/// -(target log(output) + (1 - target) log(1 - output)). When output is sigmoid(x) the
/// stable sigmoid_binary_crossentropy(x, target) is built instead.
Var binary_crossentropy(const Var& output, const Var& target);
/// binary_crossentropy(sigmoid(output), target) for logits `output`, computed as
/// softplus(output) - output * target: finite for any logits; gradient sigmoid(output) - target.
Var sigmoid_binary_crossentropy(const Var& output, const Var& target);
/// Theano's categorical_crossentropy over the last axis: -log(coding_dist[i, true_dist[i]])
/// for integer class indices (rank one less than coding_dist), or
/// -sum(true_dist * log(coding_dist), axis=-1) for a one-hot/probability tensor of the same
/// rank. When coding_dist is softmax(x) (or log_softmax's exp), log_softmax(x) is used directly
/// so values and gradients stay finite for any logits.
Var categorical_crossentropy(const Var& coding_dist, const Var& true_dist);

}  // namespace hypatia
