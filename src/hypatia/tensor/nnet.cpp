// Neural-network functions: builders over the scalar table (sigmoid, softplus) and the nnet ops.
#include "hypatia/tensor/nnet.h"

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/nnet.h"

namespace hypatia {

namespace {
Var activation(Activation k, const Var& x, double alpha = 0) {
  return apply1(*std::make_shared<NnetActivation>(ActivationParams{k, alpha, false}), {as_tensor_variable(x)});
}
}  // namespace

Var sigmoid(const Var& x) { return elemwise(ScalarOpId::Sigmoid, {x}); }
Var softplus(const Var& x) { return elemwise(ScalarOpId::Softplus, {x}); }

Var softsign(const Var& x) { return activation(Activation::Softsign, x); }
Var relu(const Var& x, double alpha) { return activation(Activation::Relu, x, alpha); }
Var elu(const Var& x, double alpha) { return activation(Activation::Elu, x, alpha); }
Var selu(const Var& x) { return activation(Activation::Selu, x); }
Var hard_sigmoid(const Var& x) { return activation(Activation::HardSigmoid, x); }
Var ultra_fast_sigmoid(const Var& x) { return activation(Activation::UltraFastSigmoid, x); }

Var softmax(const Var& x) { return apply1(*std::make_shared<Softmax>(SoftmaxParams{false}), {as_tensor_variable(x)}); }
Var log_softmax(const Var& x) { return apply1(*std::make_shared<Softmax>(SoftmaxParams{true}), {as_tensor_variable(x)}); }

Var sigmoid_binary_crossentropy(const Var& output, const Var& target) {
  // t softplus(-x) + (1 - t) softplus(x) = softplus(x) - t x.
  return sub(softplus(output), mul(output, target));
}

Var binary_crossentropy(const Var& output, const Var& target) {
  if (output.owner()) {
    const auto* e = dynamic_cast<const Elemwise*>(output.owner()->op().get());
    if (e && e->scalar_op() == ScalarOpId::Sigmoid) {
      return sigmoid_binary_crossentropy(output.owner()->input(0), target);
    }
  }
  return neg(add(mul(target, hypatia::log(output)), mul(sub(constant(1.0), target), hypatia::log(sub(constant(1.0), output)))));
}

Var categorical_crossentropy(const Var& coding_dist_in, const Var& true_dist_in) {
  const Var coding_dist = as_tensor_variable(coding_dist_in);
  const Var true_dist = as_tensor_variable(true_dist_in);
  const TensorType& c = expect_tensor(coding_dist, "categorical_crossentropy");
  const TensorType& t = expect_tensor(true_dist, "categorical_crossentropy");
  // log(coding_dist), read from the logits when coding_dist is a softmax.
  std::optional<Var> log_p;
  if (const Softmax* sm = softmax_op_of(coding_dist); sm && !sm->is_log()) log_p = log_softmax(coding_dist.owner()->input(0));
  if (t.ndim() == c.ndim() - 1) {
    if (!is_int(t.elem()))
      type_error("[categorical_crossentropy] true_dist of rank ", t.ndim(), " must hold integer class indices, got ", t.str());
    if (log_p) return apply1(*std::make_shared<CrossentropyCategorical1Hot>(Crossentropy1HotParams{true}), {*log_p, true_dist});
    return apply1(*std::make_shared<CrossentropyCategorical1Hot>(Crossentropy1HotParams{false}), {coding_dist, true_dist});
  }
  if (t.ndim() == c.ndim()) {
    if (c.ndim() < 1) type_error("[categorical_crossentropy] coding_dist must have rank >= 1");
    const int last = c.ndim() - 1;
    Var lp = log_p ? *log_p : hypatia::log(coding_dist);
    return neg(sum(mul(true_dist, lp), std::vector<int>{last}));
  }
  type_error("[categorical_crossentropy] rank mismatch between coding and true distributions: coding_dist is ",
             c.str(), ", true_dist is ", t.str(), " (expected rank ", c.ndim() - 1, " class indices or rank ",
             c.ndim(), " probabilities)");
}

}  // namespace hypatia
