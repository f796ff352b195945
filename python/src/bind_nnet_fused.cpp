// Python bindings of the nnet family: batch normalisation (theano.tensor.nnet.bn) and the fused
// softmax losses (theano.tensor.nnet.nnet).
#include "bindings.h"
#include "hypatia/nnet/api.h"

namespace hypatia::py {
namespace {

nb::tuple as_tuple(const std::vector<Var>& vs) {
  nb::list l;
  for (const Var& v : vs) l.append(nb::cast(v));
  return nb::tuple(l);
}

/// Theano's `axes` argument: 'per-activation', 'spatial' or a sequence of ints.
std::vector<int> axes_arg(nb::handle axes, const Var& x) {
  if (nb::isinstance<nb::str>(axes)) return bn_axes(nb::cast<std::string>(axes), x.type()->ndim());
  std::vector<int> r;
  for (nb::handle a : axes) r.push_back(nb::cast<int>(a));
  return r;
}

Var opt_var(nb::handle h) { return h.is_none() ? Var() : as_var(h); }

}  // namespace

void init_nnet_fused(nb::module_& m) {
  m.def("batch_normalization", [](nb::handle x, nb::handle g, nb::handle b, nb::handle mean, nb::handle std_,
                                  const std::string& mode) {
    return batch_normalization(as_var(x), as_var(g), as_var(b), as_var(mean), as_var(std_), mode);
  }, nb::arg("inputs"), nb::arg("gamma"), nb::arg("beta"), nb::arg("mean"), nb::arg("std"), nb::arg("mode") = "low_mem",
        "(inputs - mean) * (gamma / std) + beta elementwise, with broadcasting. ``inputs``: the tensor to "
        "normalise; ``gamma`` and ``beta``: the scale and shift; ``mean`` and ``std``: the statistics; ``mode``: "
        "'low_mem' or 'high_mem' (Theano's choice of kernel; the result is the same). Raises TypeError when an "
        "operand cannot become a tensor, ValueError for another mode; the compiled function raises ValueError when "
        "the shapes do not broadcast.");
  m.def("batch_normalization_train", [](nb::handle x, nb::handle g, nb::handle b, nb::handle axes, double eps,
                                        double f, nb::handle rm, nb::handle rv) {
    Var xv = as_var(x);
    return as_tuple(batch_normalization_train(xv, as_var(g), as_var(b), axes_arg(axes, xv), eps, f, opt_var(rm), opt_var(rv)));
  }, nb::arg("inputs"), nb::arg("gamma"), nb::arg("beta"), nb::arg("axes") = "per-activation", nb::arg("epsilon") = 1e-4,
        nb::arg("running_average_factor") = 0.1, nb::arg("running_mean") = nb::none(), nb::arg("running_var") = nb::none(),
        "Batch normalisation with the batch statistics: (out, mean, invstd[, new_running_mean, new_running_var]). "
        "``inputs``: the tensor; ``gamma`` and ``beta``: the scale and shift; ``axes``: 'per-activation' (0,), "
        "'spatial' (0, 2, 3, ...) or a tuple of the axes normalised over; ``epsilon``: added to the variance (at "
        "least 1e-5); ``running_average_factor``: the weight of the batch statistics in the running averages; "
        "``running_mean`` and ``running_var``: the running statistics to update (both or neither). Raises "
        "TypeError for complex inputs or when gamma, beta or a running value has neither the input's rank nor "
        "that rank less the normalised axes; ValueError for an unknown axes name, an axis out of range, an "
        "epsilon below 1e-5 or only one running value; the compiled function raises ValueError when the "
        "parameters' shapes do not match.");
  m.def("batch_normalization_test", [](nb::handle x, nb::handle g, nb::handle b, nb::handle mean, nb::handle var,
                                       nb::handle axes, double eps) {
    Var xv = as_var(x);
    return batch_normalization_test(xv, as_var(g), as_var(b), as_var(mean), as_var(var), axes_arg(axes, xv), eps);
  }, nb::arg("inputs"), nb::arg("gamma"), nb::arg("beta"), nb::arg("mean"), nb::arg("var"),
        nb::arg("axes") = "per-activation", nb::arg("epsilon") = 1e-4,
        "Batch normalisation with given statistics: (inputs - mean) * gamma / sqrt(var + epsilon) + beta. "
        "``inputs``: the tensor; ``gamma`` and ``beta``: the scale and shift; ``mean`` and ``var``: the "
        "statistics; ``axes``: 'per-activation', 'spatial' or a tuple of the normalised axes; ``epsilon``: added "
        "to the variance (at least 1e-5). Raises TypeError for complex inputs or when a parameter has neither the "
        "input's rank nor that rank less the normalised axes; ValueError for an unknown axes name, an axis out of "
        "range or an epsilon below 1e-5; the compiled function raises ValueError when the parameters' shapes do "
        "not match.");

  m.def("softmax_with_bias", [](nb::handle x, nb::handle b) { return softmax_with_bias(as_var(x), as_var(b)); },
        nb::arg("x"), nb::arg("b"), "softmax(x + b) per row (SoftmaxWithBias). Raises TypeError when an operand is not a dense tensor of the rank the function expects; the compiled function raises ValueError when the shapes do not agree.");
  m.def("softmax_grad", [](nb::handle dy, nb::handle sm) { return softmax_grad(as_var(dy), as_var(sm)); },
        nb::arg("dy"), nb::arg("sm"), "SoftmaxGrad: (dy - sum(dy * sm, -1)) * sm. Raises TypeError when an operand is not a dense tensor of the rank the function expects; the compiled function raises ValueError when the shapes do not agree.");
  m.def("crossentropy_softmax_argmax_1hot_with_bias", [](nb::handle x, nb::handle b, nb::handle y) {
    return as_tuple(crossentropy_softmax_argmax_1hot_with_bias(as_var(x), as_var(b), as_var(y)));
  }, nb::arg("x"), nb::arg("b"), nb::arg("y_idx"), "(nll, softmax(x + b), argmax(x + b)) per row, fused and stable. ``y_idx``: the integer class of each row. Raises TypeError when an operand is not a dense tensor of the rank the function expects; the compiled function raises ValueError for a class out of range.");
  m.def("crossentropy_softmax_1hot_with_bias", [](nb::handle x, nb::handle b, nb::handle y) {
    return as_tuple(crossentropy_softmax_1hot_with_bias(as_var(x), as_var(b), as_var(y)));
  }, nb::arg("x"), nb::arg("b"), nb::arg("y_idx"), "(nll, softmax(x + b)) per row. ``y_idx``: the integer class of each row. Raises TypeError when an operand is not a dense tensor of the rank the function expects; the compiled function raises ValueError for a class out of range.");
  m.def("crossentropy_softmax_1hot", [](nb::handle x, nb::handle y) {
    return as_tuple(crossentropy_softmax_1hot(as_var(x), as_var(y)));
  }, nb::arg("x"), nb::arg("y_idx"), "(nll, softmax(x)) per row. ``y_idx``: the integer class of each row. Raises TypeError when an operand is not a dense tensor of the rank the function expects; the compiled function raises ValueError for a class out of range.");
  m.def("crossentropy_softmax_max_and_argmax_1hot_with_bias", [](nb::handle x, nb::handle b, nb::handle y) {
    return as_tuple(crossentropy_softmax_max_and_argmax_1hot_with_bias(as_var(x), as_var(b), as_var(y)));
  }, nb::arg("x"), nb::arg("b"), nb::arg("y_idx"), "(nll, softmax, max(softmax, 1), argmax(softmax, 1)). ``x``: the logits, ``b`` the bias; ``y_idx``: the integer class of each row. Raises TypeError when an operand is not a dense tensor of the rank the function expects.");
  m.def("crossentropy_softmax_max_and_argmax_1hot", [](nb::handle x, nb::handle y) {
    return as_tuple(crossentropy_softmax_max_and_argmax_1hot(as_var(x), as_var(y)));
  }, nb::arg("x"), nb::arg("y_idx"), "(nll, softmax, max(softmax, 1), argmax(softmax, 1)) with a zero bias. ``x``: the logits; ``y_idx``: the integer class of each row. Raises TypeError when an operand is not a dense tensor of the rank the function expects.");
  m.def("crossentropy_softmax_1hot_with_bias_dx", [](nb::handle dy, nb::handle sm, nb::handle y) {
    return crossentropy_softmax_1hot_with_bias_dx(as_var(dy), as_var(sm), as_var(y));
  }, nb::arg("dy"), nb::arg("sm"), nb::arg("y_idx"), "dy[:, None] * (sm - one_hot(y_idx)). Raises TypeError when an operand is not a dense tensor of the rank the function expects; the compiled function raises ValueError when the shapes do not agree.");
  m.def("crossentropy_categorical_1hot", [](nb::handle p, nb::handle y) {
    return crossentropy_categorical_1hot(as_var(p), as_var(y));
  }, nb::arg("coding_dist"), nb::arg("true_one_of_n"), "-log(coding_dist[i, y[i]]) per row. ``true_one_of_n``: the integer class of each row. Raises TypeError when an operand is not a dense tensor of the rank the function expects; the compiled function raises ValueError for a class out of range.");
  m.def("crossentropy_categorical_1hot_grad", [](nb::handle g, nb::handle p, nb::handle y) {
    return crossentropy_categorical_1hot_grad(as_var(g), as_var(p), as_var(y));
  }, nb::arg("g_y"), nb::arg("coding_dist"), nb::arg("true_one_of_n"),
        "The gradient of crossentropy_categorical_1hot with respect to coding_dist. ``g_y``: the gradient of the per-row costs; ``true_one_of_n``: the integer class of each row. Raises TypeError when an operand is not a dense tensor of the rank the function expects; the compiled function raises ValueError when the shapes do not agree.");
  m.def("prepend_scalar_to_each_row", [](nb::handle v, nb::handle mat) {
    return prepend_scalar_to_each_row(as_var(v), as_var(mat));
  }, nb::arg("val"), nb::arg("mat"), "The matrix with a first column filled with the scalar val. ``mat``: the matrix. Raises TypeError when an operand is not a dense tensor of the rank the function expects.");

  m.def("ctc", [](nb::handle a, nb::handle l, nb::handle n) { return ctc(as_var(a), as_var(l), as_var(n)); },
        nb::arg("activations"), nb::arg("labels"), nb::arg("input_lengths"),
        "CTC loss per sequence of unnormalised activations (steps, batch, alphabet); blank = 0, labels < 0 pad. "
        "``activations``: the float tensor3; ``labels``: the (batch, max_len) integer matrix; ``input_lengths``: the "
        "integer vector of the steps used by each sequence. Raises TypeError when activations is not a float "
        "tensor3, labels not an integer matrix or input_lengths not an integer vector; the compiled function "
        "raises ValueError when the batch sizes differ, a length is out of [0, steps] or a label is out of "
        "[1, alphabet).");
  m.def("ctc_op", [](nb::handle a, nb::handle l, nb::handle n, bool compute_grad) {
    auto op = std::make_shared<ConnectionistTemporalClassification>(CtcParams{compute_grad});
    return as_tuple(apply_op(*op, {as_var(a), as_var(l), as_var(n)}));
  }, nb::arg("activations"), nb::arg("labels"), nb::arg("input_lengths"), nb::arg("compute_grad") = true,
        "The ConnectionistTemporalClassification op's outputs: (costs, gradients) or (costs,).");
}

}  // namespace hypatia::py
