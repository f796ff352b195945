// Sum and mean: typing, kernel dispatch, shapes, gradients; keepdims goes through DimShuffle.
#include "hypatia/tensor/ops/reduce.h"

#include <algorithm>

#include "hypatia/runtime/vm.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/kernels/reduce_loop.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {

DType sum_out_dtype(DType in) {
  if (is_bool(in)) return DType::Int64;
  if (is_int(in)) return is_unsigned(in) ? DType::UInt64 : DType::Int64;
  return in;
}

DType sum_acc_dtype(DType in) {
  if (in == DType::Float16) return DType::Float32;
  return sum_out_dtype(in);
}

std::string Sum::str() const {
  std::string axis;
  if (params_.axis) {
    axis = "axis=[";
    for (size_t i = 0; i < params_.axis->size(); ++i) axis += str_cat(i ? ", " : "", (*params_.axis)[i]);
    axis += "], ";
  }
  return str_cat("Sum{", axis, "acc_dtype=", dtype_name(params_.acc_dtype), "}");
}

bool Sum::reduces(int d) const {
  return !params_.axis || std::find(params_.axis->begin(), params_.axis->end(), d) != params_.axis->end();
}

ApplyPtr Sum::make_node(const std::vector<Var>& inputs) const {
  const std::string who = str();
  if (inputs.size() != 1) type_error("[", who, "] expected 1 input, got ", inputs.size());
  const TensorType& t = check_tensor_input(inputs[0], who);
  if (params_.axis)
    for (int a : *params_.axis)
      if (a < 0 || a >= t.ndim())
        value_error("[", who, "] axis ", a, " is out of bounds for an input with ", t.ndim(), " dimensions");
  std::vector<bool> bc;
  for (int d = 0; d < t.ndim(); ++d)
    if (!reduces(d)) bc.push_back(t.broadcastable()[d]);
  DType out = sum_out_dtype(t.elem());
  return Apply::create(ptr(), inputs, {TensorType::make(out, bc)});
}

void Sum::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], "Sum");
  std::vector<bool> red(x.ndim());
  Shape oshape;
  for (int d = 0; d < x.ndim(); ++d) {
    red[d] = reduces(d);
    if (!red[d]) oshape.push_back(x.shape(d));
  }
  const DType out_dtype = tensor_type(node.output(0))->elem();
  const DType acc = params_.acc_dtype == DType::Float16 ? DType::Float32 : params_.acc_dtype;
  NDArray xin = x.dtype() == acc ? x : x.astype(acc);
  NDArray& out = prepare_output(outputs[0], out_dtype, oshape);
  NDArray tmp = out_dtype == acc ? out : NDArray(acc, oshape);
  dispatch_dtype(acc, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, half>) throw Error(ErrorKind::Runtime, "[Sum] half accumulates in float32");
    else kernels::sum_loop<T>(xin, red, tmp);
  });
  if (out_dtype != acc) out.assign(tmp);
}

std::optional<std::vector<ShapeVec>> Sum::infer_shape(const Apply& node, const std::vector<ShapeVec>& shapes) const {
  ShapeVec out;
  for (int d = 0; d < node.input(0).type()->ndim(); ++d)
    if (!reduces(d)) out.push_back(shapes[0][d]);
  return std::vector<ShapeVec>{out};
}

std::vector<Var> Sum::vjp(const Apply& node, const std::vector<Var>& output_grads) const {
  const Var& x = node.input(0);
  const Var& gz = output_grads[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var()};
  if (is_discrete(x)) return {zeros_like(x)};
  std::vector<int> pat;
  int k = 0;
  for (int d = 0; d < x.type()->ndim(); ++d) pat.push_back(reduces(d) ? -1 : k++);
  Var g = fill(x, dimshuffle(gz, pat));
  if (tensor_type(g)->elem() != tensor_type(x)->elem()) g = cast(g, tensor_type(x)->elem());
  return {g};
}

std::vector<Var> Sum::jvp(const Apply&, const std::vector<Var>& eval_points) const {
  if (eval_points.empty() || !eval_points[0]) return {Var()};
  return {apply1(*this, {eval_points[0]})};
}

namespace {
// Normalises (negative) axes; nullopt or empty means every axis.
std::vector<int> normalize_axes(const Var& x, const std::optional<std::vector<int>>& axis, const char* who) {
  const int nd = x.type()->ndim();
  std::vector<int> axes;
  if (!axis || axis->empty()) {
    for (int d = 0; d < nd; ++d) axes.push_back(d);
    return axes;
  }
  for (int a : *axis) {
    int b = a < 0 ? a + nd : a;
    if (b < 0 || b >= nd) value_error("[", who, "] axis ", a, " is out of bounds for a tensor of dimension ", nd);
    if (std::find(axes.begin(), axes.end(), b) != axes.end()) value_error("[", who, "] duplicate axis ", a);
    axes.push_back(b);
  }
  std::sort(axes.begin(), axes.end());
  return axes;
}

Var keep_dims(const Var& r, int nd, const std::vector<int>& axes) {
  std::vector<int> pat;
  int k = 0;
  for (int d = 0; d < nd; ++d)
    pat.push_back(std::find(axes.begin(), axes.end(), d) != axes.end() ? -1 : k++);
  return dimshuffle(r, pat);
}
}  // namespace

Var sum(const Var& x_in, std::optional<std::vector<int>> axis, bool keepdims) {
  Var x = as_tensor_variable(x_in);
  check_tensor_input(x, "Sum");
  std::vector<int> axes = normalize_axes(x, axis, "Sum");
  SumParams p;
  if (axis && !axis->empty()) p.axis = axes;
  p.acc_dtype = sum_acc_dtype(tensor_type(x)->elem());
  Var r = apply1(*std::make_shared<Sum>(p), {x});
  return keepdims ? keep_dims(r, x.type()->ndim(), axes) : r;
}

Var mean(const Var& x_in, std::optional<std::vector<int>> axis, bool keepdims) {
  Var x = as_tensor_variable(x_in);
  check_tensor_input(x, "mean");
  std::vector<int> axes = normalize_axes(x, axis, "mean");
  Var s = sum(x, axis, false);
  Var count;
  for (int a : axes) count = count ? mul(count, shape_i(x, a)) : shape_i(x, a);
  if (!count) count = int64_constant(1);
  DType sd = tensor_type(s)->elem();
  DType cd = (sd == DType::Float16 || sd == DType::Float32 || sd == DType::Complex64) ? sd : DType::Float64;
  if (sd == DType::Complex64) cd = DType::Float32;
  Var r = true_div(s, cast(count, cd));
  return keepdims ? keep_dims(r, x.type()->ndim(), axes) : r;
}

}  // namespace hypatia
