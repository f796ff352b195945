// tensor.fft: typing, kernels, shapes and gradients of RFFTOp / IRFFTOp, and rfft / irfft.
#include "hypatia/tensor/ops/fft.h"

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/kernels/fft.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {

namespace {
std::string scale_str(double s) { return s == 1.0 ? "" : str_cat("{scale_inner=", s, "}"); }

const TensorType& check_float_input(const Var& v, const char* who, int min_ndim, const char* what) {
  const TensorType& t = check_tensor_input(v, who);
  if (!is_float(t.elem()) || t.elem() == DType::Float16)
    type_error("[", who, "] expected a float32 or float64 tensor, got ", dtype_name(t.elem()));
  if (t.ndim() < min_ndim) type_error("[", who, "] ", what);
  return t;
}

std::vector<int64_t> dims_after_first(const Shape& s, size_t drop_last) {
  return std::vector<int64_t>(s.begin() + 1, s.end() - static_cast<std::ptrdiff_t>(drop_last));
}
}  // namespace

// ---------------------------------------------------------------- RFFTOp

std::string RFFTOp::str() const { return str_cat("RFFTOp", scale_str(params_.scale_inner)); }
ApplyPtr RFFTOp::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_input(inputs[0], kName, 2,
                                          "the input must have at least 2 dimensions, the first one the batch");
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), std::vector<bool>(t.ndim() + 1, false))});
}
void RFFTOp::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  NDArray x = as_array(*inputs[0], kName).contiguous();
  std::vector<int64_t> dims = dims_after_first(x.shape(), 0);
  for (int64_t d : dims)
    if (d < 1) value_error("[", kName, "] every transformed axis needs at least one point, got shape ", value_repr(x));
  Shape os(x.shape().begin(), x.shape().end());
  os.back() = os.back() / 2 + 1;
  os.push_back(2);
  NDArray& out = prepare_output(outputs[0], x.dtype(), os);
  if (x.dtype() == DType::Float32) kernels::rfftn_kernel(x.data<float>(), out.data<float>(), x.shape(0), dims, params_.scale_inner);
  else kernels::rfftn_kernel(x.data<double>(), out.data<double>(), x.shape(0), dims, params_.scale_inner);
}
std::optional<std::vector<ShapeVec>> RFFTOp::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  ShapeVec o = s[0];
  o.back() = add(int_div(o.back(), int64_constant(2)), int64_constant(1));
  o.push_back(int64_constant(2));
  return std::vector<ShapeVec>{o};
}
std::vector<std::vector<bool>> RFFTOp::connection_pattern(const Apply&) const { return {{true}}; }
std::vector<Var> RFFTOp::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0])) return {disconnected_var()};
  const Var& x = node.input(0);
  Var gz = cast(g[0], tensor_type(x)->elem());
  return {apply1(*std::make_shared<IRFFTOp>(FftParams{0.5 * params_.scale_inner}),
                 {gz, shape_i(x, x.type()->ndim() - 1)})};
}

// ---------------------------------------------------------------- IRFFTOp

std::string IRFFTOp::str() const { return str_cat("IRFFTOp", scale_str(params_.scale_inner)); }
ApplyPtr IRFFTOp::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_input(inputs[0], kName, 3,
                                          "the input must have at least 3 dimensions: (batch, ..., n//2+1, 2)");
  const TensorType& n = check_tensor_input(inputs[1], kName);
  if (n.ndim() != 0 || !is_int(n.elem())) type_error("[", kName, "] the output length must be an integer scalar");
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), std::vector<bool>(t.ndim() - 1, false))});
}
void IRFFTOp::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  NDArray z = as_array(*inputs[0], kName).contiguous();
  const int64_t n = as_array(*inputs[1], kName).item<int64_t>();
  const int64_t h = z.shape(z.ndim() - 2);
  if (z.shape(z.ndim() - 1) != 2)
    value_error("[", kName, "] the last axis must hold (real, imag) pairs (length 2), got shape ", value_repr(z));
  if (n < 1 || n / 2 + 1 != h)
    value_error("[", kName, "] an output of length ", n, " needs ", n < 1 ? 0 : n / 2 + 1, " frequencies, got ", h);
  std::vector<int64_t> dims = dims_after_first(z.shape(), 2);
  dims.push_back(n);
  Shape os(z.shape().begin(), z.shape().end() - 2);
  os.push_back(n);
  NDArray& out = prepare_output(outputs[0], z.dtype(), os);
  if (z.dtype() == DType::Float32) kernels::irfftn_kernel(z.data<float>(), out.data<float>(), z.shape(0), dims, params_.scale_inner);
  else kernels::irfftn_kernel(z.data<double>(), out.data<double>(), z.shape(0), dims, params_.scale_inner);
}
std::optional<std::vector<ShapeVec>> IRFFTOp::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  ShapeVec o(s[0].begin(), s[0].end() - 2);
  o.push_back(cast(node.input(1), DType::Int64));
  return std::vector<ShapeVec>{o};
}
std::vector<std::vector<bool>> IRFFTOp::connection_pattern(const Apply&) const { return {{true}, {false}}; }
std::vector<Var> IRFFTOp::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0])) return {disconnected_var(), disconnected_var()};
  Var gx = cast(g[0], tensor_type(node.input(0))->elem());
  return {apply1(*std::make_shared<RFFTOp>(FftParams{2.0 * params_.scale_inner}), {gx}), disconnected_var()};
}

// ---------------------------------------------------------------- builders

namespace {
std::string check_norm(const std::optional<std::string>& norm, const char* who) {
  std::string n = norm.value_or("");
  if (norm && n != "ortho" && n != "no_norm")
    value_error("[", who, "] norm must be None, 'ortho' or 'no_norm', got '", n, "'");
  return n;
}
Var as_float(const Var& x) {
  Var v = as_tensor_variable(x);
  const TensorType& t = check_tensor_input(v, "fft");
  return is_int(t.elem()) || is_bool(t.elem()) ? cast(v, floatX()) : v;
}
// Number of points of one transform, as x's dtype: prod(shape[1:-drop]) times `last`.
Var points(const Var& x, int first, int stop, const Var& last) {
  Var n = last;
  for (int d = first; d < stop; ++d) n = mul(n, shape_i(x, d));
  return cast(n, tensor_type(x)->elem());
}
}  // namespace

Var rfft(const Var& inp, const std::optional<std::string>& norm) {
  const std::string n = check_norm(norm, "rfft");
  Var x = as_float(inp);
  Var out = apply1(*std::make_shared<RFFTOp>(), {x});
  if (n != "ortho") return out;
  const int nd = x.type()->ndim();
  return true_div(out, sqrt(points(x, 1, nd - 1, shape_i(x, nd - 1))));
}

Var irfft(const Var& inp, const std::optional<std::string>& norm, bool is_odd) {
  const std::string n = check_norm(norm, "irfft");
  Var z = as_float(inp);
  const int nd = z.type()->ndim();
  if (nd < 3) type_error("[irfft] the input must have at least 3 dimensions: (batch, ..., n//2+1, 2)");
  Var len = add(mul(sub(shape_i(z, nd - 2), int64_constant(1)), int64_constant(2)), int64_constant(is_odd ? 1 : 0));
  Var out = apply1(*std::make_shared<IRFFTOp>(), {z, len});
  if (n == "no_norm") return out;
  Var pts = points(z, 1, nd - 2, len);
  return true_div(out, n == "ortho" ? sqrt(pts) : pts);
}

}  // namespace hypatia
