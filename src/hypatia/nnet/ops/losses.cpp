// Fused softmax-loss ops and their builders; the row loops are in nnet/kernels/losses.
#include "hypatia/nnet/ops/losses.h"

#include "hypatia/nnet/kernels/losses.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/creation.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/join.h"
#include "hypatia/tensor/ops/nnet.h"

namespace hypatia {
namespace {

const TensorType& check_logits(const std::string& who, const Var& x) {
  const TensorType& t = check_tensor_input(x, who);
  if (t.ndim() != 2 || !is_float(t.elem())) type_error("[", who, "] x must be a float matrix, got ", t.str());
  return t;
}
const TensorType& check_bias(const std::string& who, const Var& b) {
  const TensorType& t = check_tensor_input(b, who);
  if (t.ndim() != 1 || !is_float(t.elem())) type_error("[", who, "] b must be a float vector, got ", t.str());
  return t;
}
void check_labels(const std::string& who, const Var& y) {
  const TensorType& t = check_tensor_input(y, who);
  if (t.ndim() != 1 || !is_int(t.elem()))
    type_error("[", who, "] y_idx must be an integer vector (one class per row), got ", t.str());
}

/// x (rows, cols) and b (cols,) as doubles after the shape checks.
void check_bias_value(const std::string& who, const NDArray& x, const NDArray& b) {
  if (b.shape(0) != x.shape(1))
    value_error("[", who, "] b has length ", b.shape(0), " but x has ", x.shape(1), " columns");
}
NDArray labels_of(const std::string& who, const NDArray& y_in, int64_t rows, int64_t cols) {
  if (y_in.shape(0) != rows)
    value_error("[", who, "] y_idx has length ", y_in.shape(0), " but there are ", rows, " rows");
  NDArray y = y_in.astype(DType::Int64);
  const int64_t* py = y.data<int64_t>();
  for (int64_t i = 0; i < rows; ++i)
    if (py[i] < 0 || py[i] >= cols) value_error("[", who, "] class index ", py[i], " out of range [0, ", cols, ")");
  return y;
}

}  // namespace

// ---------------------------------------------------------------- SoftmaxWithBias

ApplyPtr SoftmaxWithBias::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& x = check_logits(name(), inputs[0]);
  const TensorType& b = check_bias(name(), inputs[1]);
  return Apply::create(ptr(), inputs, {TensorType::make(upcast(x.elem(), b.elem()), {x.broadcastable()[0], false})});
}

void SoftmaxWithBias::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray x = as_array(*inputs[0], kName).astype(DType::Float64);
  const NDArray b = as_array(*inputs[1], kName).astype(DType::Float64);
  check_bias_value(name(), x, b);
  NDArray sm(DType::Float64, x.shape());
  nnet_kernels::softmax_rows(x.data<double>(), b.data<double>(), x.shape(0), x.shape(1), sm.data<double>());
  outputs[0] = sm.astype(tensor_type(node.output(0))->elem());
}

std::optional<std::vector<ShapeVec>> SoftmaxWithBias::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> SoftmaxWithBias::vjp(const Apply& node, const std::vector<Var>& gs) const {
  if (!gs[0] || is_disconnected(gs[0])) return {disconnected_var(), disconnected_var()};
  const Var dx = softmax_grad(gs[0], node.output(0));
  return {cast(dx, tensor_type(node.input(0))->elem()), cast(sum(dx, std::vector<int>{0}), tensor_type(node.input(1))->elem())};
}

std::vector<Var> SoftmaxWithBias::jvp(const Apply& node, const std::vector<Var>& ev) const {
  // The softmax Jacobian is symmetric: d sm = SoftmaxGrad(dx + db, sm).
  Var v;
  if (ev.size() > 0 && ev[0]) v = ev[0];
  if (ev.size() > 1 && ev[1]) v = v ? add(v, ev[1]) : fill(node.input(0), ev[1]);
  if (!v) return {Var()};
  return {cast(softmax_grad(v, node.output(0)), tensor_type(node.output(0))->elem())};
}

Var softmax_with_bias(const Var& x, const Var& b) {
  return apply1(*std::make_shared<SoftmaxWithBias>(), {as_tensor_variable(x), as_tensor_variable(b)});
}

// ---------------------------------------------------------------- CrossentropySoftmaxArgmax1HotWithBias

ApplyPtr CrossentropySoftmaxArgmax1HotWithBias::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& x = check_logits(name(), inputs[0]);
  const TensorType& b = check_bias(name(), inputs[1]);
  check_labels(name(), inputs[2]);
  const DType dt = upcast(x.elem(), b.elem());
  const bool row_bc = x.broadcastable()[0];
  return Apply::create(ptr(), inputs,
                       {TensorType::make(dt, {row_bc}), TensorType::make(dt, {row_bc, false}),
                        TensorType::make(DType::Int64, {row_bc})});
}

void CrossentropySoftmaxArgmax1HotWithBias::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray x = as_array(*inputs[0], kName).astype(DType::Float64);
  const NDArray b = as_array(*inputs[1], kName).astype(DType::Float64);
  check_bias_value(name(), x, b);
  const int64_t rows = x.shape(0), cols = x.shape(1);
  const NDArray y = labels_of(name(), as_array(*inputs[2], kName), rows, cols);
  NDArray sm(DType::Float64, x.shape()), nll(DType::Float64, {rows}), am(DType::Int64, {rows});
  nnet_kernels::softmax_rows(x.data<double>(), b.data<double>(), rows, cols, sm.data<double>(), y.data<int64_t>(),
                             nll.data<double>(), am.data<int64_t>());
  const DType dt = tensor_type(node.output(0))->elem();
  outputs[0] = nll.astype(dt);
  outputs[1] = sm.astype(dt);
  outputs[2] = am;
}

std::optional<std::vector<ShapeVec>> CrossentropySoftmaxArgmax1HotWithBias::infer_shape(
    const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[0][0]}, s[0], {s[0][0]}};
}

std::vector<std::vector<bool>> CrossentropySoftmaxArgmax1HotWithBias::connection_pattern(const Apply&) const {
  return {{true, true, true}, {true, true, true}, {false, false, false}};
}

std::vector<Var> CrossentropySoftmaxArgmax1HotWithBias::vjp(const Apply& node, const std::vector<Var>& gs) const {
  auto live = [&](size_t i) { return gs[i] && !is_disconnected(gs[i]); };
  Var dx;
  const Var sm = node.output(1);
  if (live(0)) dx = crossentropy_softmax_1hot_with_bias_dx(gs[0], sm, node.input(2));
  if (live(1)) {
    Var d = softmax_grad(gs[1], sm);
    dx = dx ? add(dx, d) : d;
  }
  if (!dx) return {disconnected_var(), disconnected_var(), disconnected_var()};
  return {cast(dx, tensor_type(node.input(0))->elem()), cast(sum(dx, std::vector<int>{0}), tensor_type(node.input(1))->elem()),
          disconnected_var()};
}

// ---------------------------------------------------------------- CrossentropySoftmax1HotWithBiasDx

ApplyPtr CrossentropySoftmax1HotWithBiasDx::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& dy = check_tensor_input(inputs[0], name());
  const TensorType& sm = check_logits(name(), inputs[1]);
  check_labels(name(), inputs[2]);
  if (dy.ndim() != 1 || is_complex(dy.elem()))
    type_error("[", name(), "] dy must be a real vector (one gradient per row), got ", dy.str());
  return Apply::create(ptr(), inputs, {TensorType::make(upcast(sm.elem(), is_float(dy.elem()) ? dy.elem() : sm.elem()),
                                                        sm.broadcastable())});
}

void CrossentropySoftmax1HotWithBiasDx::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray dy = as_array(*inputs[0], kName).astype(DType::Float64);
  const NDArray sm = as_array(*inputs[1], kName).astype(DType::Float64);
  const int64_t rows = sm.shape(0), cols = sm.shape(1);
  if (dy.shape(0) != rows && dy.shape(0) != 1)
    value_error("[", name(), "] dy has length ", dy.shape(0), " but sm has ", rows, " rows");
  const NDArray y = labels_of(name(), as_array(*inputs[2], kName), rows, cols);
  NDArray dx(DType::Float64, sm.shape());
  nnet_kernels::crossentropy_softmax_dx(dy.data<double>(), dy.shape(0) == 1 ? 0 : 1, sm.data<double>(), y.data<int64_t>(),
                                        rows, cols, dx.data<double>());
  outputs[0] = dx.astype(tensor_type(node.output(0))->elem());
}

std::optional<std::vector<ShapeVec>> CrossentropySoftmax1HotWithBiasDx::infer_shape(
    const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[1]};
}

std::vector<std::vector<bool>> CrossentropySoftmax1HotWithBiasDx::connection_pattern(const Apply&) const {
  return {{true}, {true}, {false}};
}

std::vector<Var> CrossentropySoftmax1HotWithBiasDx::vjp(const Apply& node, const std::vector<Var>& gs) const {
  const Var& g = gs[0];
  if (!g || is_disconnected(g)) return {disconnected_var(), disconnected_var(), disconnected_var()};
  const Var dy = node.input(0), sm = node.input(1), y = node.input(2);
  // d/d dy[i] = sum_j g[i, j] sm[i, j] - g[i, y[i]]; the second term is the 1-hot crossentropy
  // of g read as log-probabilities. d/d sm = g * dy[:, None].
  Var g_dy = add(sum(mul(g, sm), std::vector<int>{1}),
                 apply1(*std::make_shared<CrossentropyCategorical1Hot>(Crossentropy1HotParams{true}), {g, y}));
  Var g_sm = mul(g, dimshuffle(dy, {0, -1}));
  return {reduce_to_like(cast(g_dy, tensor_type(dy)->elem()), dy), cast(g_sm, tensor_type(sm)->elem()), disconnected_var()};
}

// ---------------------------------------------------------------- builders

std::vector<Var> crossentropy_softmax_argmax_1hot_with_bias(const Var& x, const Var& b, const Var& y_idx) {
  return apply_op(*std::make_shared<CrossentropySoftmaxArgmax1HotWithBias>(),
                  {as_tensor_variable(x), as_tensor_variable(b), as_tensor_variable(y_idx)});
}

std::vector<Var> crossentropy_softmax_1hot_with_bias(const Var& x, const Var& b, const Var& y_idx) {
  std::vector<Var> r = crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx);
  return {r[0], r[1]};
}

namespace {
Var zero_bias(const Var& x_in) {
  const Var x = as_tensor_variable(x_in);
  check_logits("crossentropy_softmax_1hot", x);
  return alloc(cast(constant(0.0), tensor_type(x)->elem()), {shape_i(x, 1)});
}
}  // namespace

std::vector<Var> crossentropy_softmax_1hot(const Var& x, const Var& y_idx) {
  return crossentropy_softmax_1hot_with_bias(x, zero_bias(x), y_idx);
}

std::vector<Var> crossentropy_softmax_max_and_argmax_1hot_with_bias(const Var& x, const Var& b, const Var& y_idx) {
  std::vector<Var> r = crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx);
  return {r[0], r[1], max(r[1], std::vector<int>{1}), argmax(r[1], std::vector<int>{1})};
}

std::vector<Var> crossentropy_softmax_max_and_argmax_1hot(const Var& x, const Var& y_idx) {
  return crossentropy_softmax_max_and_argmax_1hot_with_bias(x, zero_bias(x), y_idx);
}

Var crossentropy_softmax_1hot_with_bias_dx(const Var& dy, const Var& sm, const Var& y_idx) {
  return apply1(*std::make_shared<CrossentropySoftmax1HotWithBiasDx>(),
                {as_tensor_variable(dy), as_tensor_variable(sm), as_tensor_variable(y_idx)});
}

Var crossentropy_categorical_1hot(const Var& coding_dist, const Var& true_one_of_n) {
  return apply1(*std::make_shared<CrossentropyCategorical1Hot>(Crossentropy1HotParams{false}),
                {as_tensor_variable(coding_dist), as_tensor_variable(true_one_of_n)});
}

Var crossentropy_categorical_1hot_grad(const Var& g_y, const Var& coding_dist, const Var& true_one_of_n) {
  return apply1(*std::make_shared<CrossentropyCategorical1HotGrad>(Crossentropy1HotParams{false}),
                {as_tensor_variable(g_y), as_tensor_variable(coding_dist), as_tensor_variable(true_one_of_n)});
}

Var prepend_scalar_to_each_row(const Var& value_in, const Var& mat_in) {
  const Var mat = as_tensor_variable(mat_in);
  Var value = as_tensor_variable(value_in);
  const TensorType& mt = expect_tensor(mat, "prepend_scalar_to_each_row");
  if (mt.ndim() != 2) type_error("[prepend_scalar_to_each_row] mat must be a matrix, got ", mt.str());
  if (tensor_type(value)->ndim() != 0)
    type_error("[prepend_scalar_to_each_row] the value must be a scalar, got ", tensor_type(value)->str());
  const DType dt = upcast(tensor_type(value)->elem(), mt.elem());
  Var col = alloc(cast(value, dt), {shape_i(mat, 0), int64_constant(1)});
  return concatenate({col, cast(mat, dt)}, 1);
}

}  // namespace hypatia
