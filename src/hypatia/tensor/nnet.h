// Neural-network functions (theano.tensor.nnet): nonlinearities, softmax, crossentropies.
#pragma once
#include "hypatia/graph/variable.h"

namespace hypatia {

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
