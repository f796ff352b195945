// The CTC loss op; the recursion is in nnet/kernels/ctc.
#include "hypatia/nnet/ops/ctc.h"

#include "hypatia/nnet/kernels/ctc.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/util/parallel.h"

namespace hypatia {

ApplyPtr ConnectionistTemporalClassification::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& a = check_tensor_input(inputs[0], name());
  const TensorType& l = check_tensor_input(inputs[1], name());
  const TensorType& n = check_tensor_input(inputs[2], name());
  if (a.ndim() != 3 || !is_float(a.elem()))
    type_error("[", name(), "] activations must be a float tensor3 (steps, batch, alphabet), got ", a.str());
  if (l.ndim() != 2 || !is_int(l.elem())) type_error("[", name(), "] labels must be an integer matrix, got ", l.str());
  if (n.ndim() != 1 || !is_int(n.elem()))
    type_error("[", name(), "] input_lengths must be an integer vector, got ", n.str());
  std::vector<TypePtr> outs{TensorType::make(a.elem(), {a.broadcastable()[1]})};
  if (params_.compute_grad) outs.push_back(TensorType::make(a.elem(), a.broadcastable()));
  return Apply::create(ptr(), inputs, outs);
}

void ConnectionistTemporalClassification::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& a_in = as_array(*inputs[0], kName);
  const NDArray acts = a_in.astype(DType::Float64);
  const NDArray labels = as_array(*inputs[1], kName).astype(DType::Int64);
  const NDArray lengths = as_array(*inputs[2], kName).astype(DType::Int64);
  const int64_t steps = acts.shape(0), batch = acts.shape(1), alphabet = acts.shape(2);
  if (labels.shape(0) != batch || lengths.shape(0) != batch)
    value_error("[", name(), "] labels have ", labels.shape(0), " rows and input_lengths ", lengths.shape(0),
                " entries, expected one per sequence (", batch, ")");
  std::vector<std::vector<int64_t>> targets(static_cast<size_t>(batch));
  const int64_t width = labels.shape(1);
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t n = lengths.data<int64_t>()[b];
    if (n < 0 || n > steps) value_error("[", name(), "] input length ", n, " out of range [0, ", steps, "]");
    for (int64_t j = 0; j < width; ++j) {
      const int64_t v = labels.data<int64_t>()[b * width + j];
      if (v < 0) continue;  // padding
      if (v == 0 || v >= alphabet)
        value_error("[", name(), "] label ", v, " out of range [1, ", alphabet, ") (0 is the blank)");
      targets[b].push_back(v);
    }
  }
  NDArray costs(DType::Float64, {batch});
  NDArray grad = params_.compute_grad ? NDArray::zeros(DType::Float64, acts.shape()) : NDArray();
  const double* pa = acts.data<double>();
  double* pg = params_.compute_grad ? grad.data<double>() : nullptr;
  const int64_t stride = batch * alphabet;
#pragma omp parallel for num_threads(max_threads()) if (batch > 1 && steps * stride >= elemwise_minsize()) schedule(dynamic)
  for (int64_t b = 0; b < batch; ++b)
    costs.data<double>()[b] = nnet_kernels::ctc_loss(pa + b * alphabet, stride, lengths.data<int64_t>()[b], alphabet,
                                                     targets[b], pg ? pg + b * alphabet : nullptr);
  outputs[0] = costs.astype(a_in.dtype());
  if (params_.compute_grad) outputs[1] = grad.astype(a_in.dtype());
}

std::optional<std::vector<ShapeVec>> ConnectionistTemporalClassification::infer_shape(
    const Apply&, const std::vector<ShapeVec>& s) const {
  std::vector<ShapeVec> r{{s[0][1]}};
  if (params_.compute_grad) r.push_back(s[0]);
  return r;
}

std::vector<std::vector<bool>> ConnectionistTemporalClassification::connection_pattern(const Apply&) const {
  if (params_.compute_grad) return {{true, true}, {false, false}, {false, false}};
  return {{true}, {false}, {false}};
}

std::vector<Var> ConnectionistTemporalClassification::vjp(const Apply& node, const std::vector<Var>& gs) const {
  if (!params_.compute_grad)
    return {grad_not_implemented(*this, 0, "build the op with compute_grad=True"), disconnected_var(), disconnected_var()};
  Var g;
  if (gs[0] && !is_disconnected(gs[0])) g = mul(node.output(1), dimshuffle(gs[0], {-1, 0, -1}));
  if (gs.size() > 1 && gs[1] && !is_disconnected(gs[1])) {
    Var second = grad_not_implemented(*this, 0, "the gradient of the CTC gradient output");
    return {second, disconnected_var(), disconnected_var()};
  }
  if (!g) return {disconnected_var(), disconnected_var(), disconnected_var()};
  return {cast(g, tensor_type(node.input(0))->elem()), disconnected_var(), disconnected_var()};
}

Var ctc(const Var& activations, const Var& labels, const Var& input_lengths) {
  return apply_op(*std::make_shared<ConnectionistTemporalClassification>(CtcParams{true}),
                  {as_tensor_variable(activations), as_tensor_variable(labels), as_tensor_variable(input_lengths)})[0];
}

}  // namespace hypatia
