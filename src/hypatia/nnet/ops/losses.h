// Theano's fused softmax losses (theano.tensor.nnet.nnet): SoftmaxWithBias,
// CrossentropySoftmaxArgmax1HotWithBias and its gradient CrossentropySoftmax1HotWithBiasDx,
// then the builders over them (crossentropy_softmax_1hot*, prepend_*_to_each_row, ...).
#pragma once
#include <vector>

#include "hypatia/graph/op.h"
#include "hypatia/graph/variable.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// softmax(x + b) per row of a float matrix x and a vector b of its width, in one pass.
/// Gradient: SoftmaxGrad for x, its column sums for b.
class SoftmaxWithBias final : public OpBase<SoftmaxWithBias> {
  HYPATIA_OP(SoftmaxWithBias, 2, make_node, perform, infer_shape, vjp, jvp)
};
Var softmax_with_bias(const Var& x, const Var& b);

/// Theano's CrossentropySoftmaxArgmax1HotWithBias(x, b, y_idx): outputs (nll, sm, am) with
/// sm = softmax(x + b) per row, nll[i] = -log(sm[i, y_idx[i]]) computed by log-sum-exp (finite
/// for any finite logits) and am[i] = argmax(x[i] + b) (int64). Labels outside [0, columns)
/// raise ValueError. The gradient with respect to x and b goes through
/// CrossentropySoftmax1HotWithBiasDx (and SoftmaxGrad for a gradient of sm).
class CrossentropySoftmaxArgmax1HotWithBias final : public OpBase<CrossentropySoftmaxArgmax1HotWithBias> {
  HYPATIA_OP(CrossentropySoftmaxArgmax1HotWithBias, 3, make_node, perform, infer_shape, vjp, connection_pattern)
};

/// Theano's CrossentropySoftmax1HotWithBiasDx(dy, sm, y_idx): dx[i, j] = dy[i] * (sm[i, j] -
/// [j == y_idx[i]]), the gradient of nll with respect to the logits.
class CrossentropySoftmax1HotWithBiasDx final : public OpBase<CrossentropySoftmax1HotWithBiasDx> {
  HYPATIA_OP(CrossentropySoftmax1HotWithBiasDx, 3, make_node, perform, infer_shape, vjp, connection_pattern)
};

/// {nll, sm, am} of CrossentropySoftmaxArgmax1HotWithBias.
std::vector<Var> crossentropy_softmax_argmax_1hot_with_bias(const Var& x, const Var& b, const Var& y_idx);
/// {nll, sm}.
std::vector<Var> crossentropy_softmax_1hot_with_bias(const Var& x, const Var& b, const Var& y_idx);
/// {nll, sm} with a zero bias.
std::vector<Var> crossentropy_softmax_1hot(const Var& x, const Var& y_idx);
/// {nll, sm, max(sm, axis=1), argmax(sm, axis=1)}.
std::vector<Var> crossentropy_softmax_max_and_argmax_1hot_with_bias(const Var& x, const Var& b, const Var& y_idx);
/// The same with a zero bias.
std::vector<Var> crossentropy_softmax_max_and_argmax_1hot(const Var& x, const Var& y_idx);
Var crossentropy_softmax_1hot_with_bias_dx(const Var& dy, const Var& sm, const Var& y_idx);
/// Theano's crossentropy_categorical_1hot(coding_dist, true_one_of_n): -log(p[i, y[i]]).
Var crossentropy_categorical_1hot(const Var& coding_dist, const Var& true_one_of_n);
/// Its gradient op: (g_y, coding_dist, true_one_of_n) -> the gradient with respect to coding_dist.
Var crossentropy_categorical_1hot_grad(const Var& g_y, const Var& coding_dist, const Var& true_one_of_n);

/// Theano's Prepend_scalar_to_each_row: the matrix with a first column filled with the scalar
/// `value` (both cast to their common dtype); differentiable in both.
Var prepend_scalar_to_each_row(const Var& value, const Var& mat);

}  // namespace hypatia
