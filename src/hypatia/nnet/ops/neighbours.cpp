// Images2Neibs and Images2NeibsGrad: parameter checks, patch counts per mode, typing, shapes,
// gradients (each op's gradient is the other), and the nnet.neighbours builders.
#include "hypatia/nnet/ops/neighbours.h"

#include "hypatia/nnet/kernels/neighbours.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/indexing.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {

std::string pair_str(const std::vector<int64_t>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + ")";
}

std::string params_str(const char* name, const NeibsParams& p) {
  return str_cat(name, "{mode='", p.mode, "', neib_shape=", pair_str(p.neib_shape), ", neib_step=",
                 pair_str(p.neib_step), "}");
}

int64_t floordiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// The number of patches along one axis of length len (Theano's Images2Neibs.perform).
int64_t grid_len(const NeibsParams& p, int k, int64_t len, const char* op) {
  const int64_t n = p.neib_shape[k], st = p.neib_step[k];
  const char* axis = k == 0 ? "rows" : "columns";
  auto inconsistent = [&](const char* rule) {
    value_error("[", op, "] neib_shape[", k, "]=", n, ", neib_step[", k, "]=", st, " and the image's ", len, " ", axis,
                " are not consistent for mode '", p.mode, "' (", rule, ")");
  };
  if (p.mode == "valid") {
    if (len < n || (len - n) % st != 0) inconsistent("need size >= neib_shape and (size - neib_shape) % step == 0");
    return 1 + (len - n) / st;
  }
  if (p.mode == "ignore_borders") return std::max<int64_t>(0, floordiv(len - n, st) + 1);
  if (p.mode == "half") {
    if (len < n || (len - n % 2) % st != 0) inconsistent("need size >= neib_shape and (size - neib_shape % 2) % step == 0");
    return 1 + (len - n % 2) / st;
  }
  if (p.mode == "full") {
    if (len < n || (len + n - 2) % st != 0) inconsistent("need size >= neib_shape and (size + neib_shape - 2) % step == 0");
    return 1 + (len + n - 2) / st;
  }
  if (len < n) inconsistent("wrap_centered needs images at least as large as the patches");
  return (len + st - 1) / st;  // wrap_centered
}

kernels::NeibGeom geom_of(const NeibsParams& p, const Shape& s, const char* op) {
  kernels::NeibGeom g;
  g.planes = s[0] * s[1], g.h = s[2], g.w = s[3];
  g.c = p.neib_shape[0], g.d = p.neib_shape[1], g.step_r = p.neib_step[0], g.step_c = p.neib_step[1];
  g.gc = grid_len(p, 0, g.h, op), g.gd = grid_len(p, 1, g.w, op);
  if (p.mode == "wrap_centered" || p.mode == "half") g.off_r = g.c / 2, g.off_c = g.d / 2;
  if (p.mode == "full") g.off_r = g.c - 1, g.off_c = g.d - 1;
  g.wrap = p.mode == "wrap_centered";
  return g;
}

// Symbolic patch count along axis k of length v.
Var grid_var(const NeibsParams& p, int k, const Var& v) {
  auto c = [](int64_t x) { return int64_constant(x); };
  const int64_t n = p.neib_shape[k], st = p.neib_step[k];
  if (p.mode == "valid") return add(c(1), int_div(sub(v, c(n)), c(st)));
  if (p.mode == "ignore_borders") return maximum(c(0), add(c(1), int_div(sub(v, c(n)), c(st))));
  if (p.mode == "half") return add(c(1), int_div(sub(v, c(n % 2)), c(st)));
  if (p.mode == "full") return add(c(1), int_div(add(v, c(n - 2)), c(st)));
  return int_div(add(v, c(st - 1)), c(st));
}

const TensorType& check_float(const Var& v, const char* op, const char* what, int ndim) {
  const TensorType& t = check_tensor_input(v, op);
  if (t.elem() != DType::Float32 && t.elem() != DType::Float64)
    type_error("[", op, "] ", what, " must be a float32 or float64 tensor, got ", t.str());
  if (t.ndim() != ndim) type_error("[", op, "] ", what, " must have ", ndim, " dimensions, got ", t.str());
  return t;
}

NDArray as_c(const NDArray& a, DType d) { return a.dtype() == d ? a.contiguous() : a.astype(d); }

template <class OpT>
OpPtr completed(const OpT& op) {
  NeibsParams c = checked_neibs_params(op.params());
  if (c.fields() == op.params().fields()) return op.ptr();
  return std::make_shared<OpT>(c);
}

}  // namespace

NeibsParams checked_neibs_params(NeibsParams p) {
  const char* op = "Images2Neibs";
  if (p.neib_step.empty()) p.neib_step = p.neib_shape;
  if (p.neib_shape.size() != 2) value_error("[", op, "] neib_shape must have 2 values, got ", pair_str(p.neib_shape));
  if (p.neib_step.size() != 2) value_error("[", op, "] neib_step must have 2 values, got ", pair_str(p.neib_step));
  for (int k = 0; k < 2; ++k) {
    if (p.neib_shape[k] < 1) value_error("[", op, "] neib_shape must be positive, got ", pair_str(p.neib_shape));
    if (p.neib_step[k] < 1) value_error("[", op, "] neib_step must be positive, got ", pair_str(p.neib_step));
  }
  if (p.mode != "valid" && p.mode != "ignore_borders" && p.mode != "wrap_centered" && p.mode != "half" &&
      p.mode != "full")
    value_error("[", op, "] mode must be 'valid', 'ignore_borders', 'wrap_centered', 'half' or 'full', got '", p.mode,
                "'");
  if (p.mode == "wrap_centered" && (p.neib_shape[0] % 2 == 0 || p.neib_shape[1] % 2 == 0))
    value_error("[", op, "] mode 'wrap_centered' needs odd neib_shape, got ", pair_str(p.neib_shape));
  return p;
}

// ---------------------------------------------------------------- Images2Neibs

std::string Images2Neibs::str() const { return params_str(kName, params_); }

ApplyPtr Images2Neibs::make_node_checked(const std::vector<Var>& in) const {
  OpPtr self = completed(*this);
  Var x = as_tensor_variable(in[0]);
  const TensorType& t = check_float(x, kName, "ten4", 4);
  return Apply::create(self, {x}, {TensorType::make(t.elem(), {false, false})});
}

void Images2Neibs::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const DType d = tensor_type(node.output(0))->elem();
  NDArray x = as_c(as_array(*inputs[0], kName), d);
  const kernels::NeibGeom g = geom_of(params_, x.shape(), kName);
  NDArray& z = prepare_output(outputs[0], d, {g.planes * g.gc * g.gd, g.c * g.d});
  kernels::images2neibs_kernel(x, z, g);
}

std::optional<std::vector<ShapeVec>> Images2Neibs::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  Var rows = mul(mul(s[0][0], s[0][1]), mul(grid_var(params_, 0, s[0][2]), grid_var(params_, 1, s[0][3])));
  return std::vector<ShapeVec>{{rows, int64_constant(params_.neib_shape[0] * params_.neib_shape[1])}};
}

std::vector<Var> Images2Neibs::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0])) return {disconnected_var()};
  const Var& x = node.input(0);
  Var gz = g[0];
  if (tensor_type(gz)->elem() != tensor_type(x)->elem()) gz = cast(gz, tensor_type(x)->elem());
  // The adjoint's type has no broadcastable axes; give the gradient x's pattern (a length-1
  // channel axis made by dimshuffle('x') must stay droppable for that dimshuffle's gradient).
  Var gx = images2neibs_grad(gz, shape(x), params_.neib_shape, params_.neib_step, params_.mode);
  return {patternbroadcast(gx, tensor_type(x)->broadcastable())};
}

// ---------------------------------------------------------------- Images2NeibsGrad

std::string Images2NeibsGrad::str() const { return params_str(kName, params_); }

ApplyPtr Images2NeibsGrad::make_node_checked(const std::vector<Var>& in) const {
  OpPtr self = completed(*this);
  Var z = as_tensor_variable(in[0]), s = as_tensor_variable(in[1]);
  const TensorType& t = check_float(z, kName, "neibs", 2);
  const TensorType& st = check_tensor_input(s, kName);
  if (st.ndim() != 1 || !is_int(st.elem()))
    type_error("[", kName, "] the original shape must be an integer vector of 4 values, got ", st.str());
  return Apply::create(self, {z, s}, {TensorType::make(t.elem(), {false, false, false, false})});
}

void Images2NeibsGrad::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const DType d = tensor_type(node.output(0))->elem();
  NDArray z = as_c(as_array(*inputs[0], kName), d);
  NDArray sv = as_array(*inputs[1], kName).astype(DType::Int64);
  if (sv.size() != 4) value_error("[", kName, "] the original shape must have 4 values, got ", sv.size());
  Shape s(sv.data<int64_t>(), sv.data<int64_t>() + 4);
  for (int64_t v : s)
    if (v < 0) value_error("[", kName, "] the original shape must not be negative, got ", pair_str(s));
  const kernels::NeibGeom g = geom_of(params_, s, kName);
  const Shape want{g.planes * g.gc * g.gd, g.c * g.d};
  if (z.shape() != want)
    value_error("[", kName, "] neibs has shape ", pair_str(z.shape()), ", but images of shape ", pair_str(s),
                " give ", pair_str(want), " patches");
  NDArray& img = prepare_output(outputs[0], d, s);
  kernels::neibs2images_kernel(z, img, g);
}

std::optional<std::vector<ShapeVec>> Images2NeibsGrad::infer_shape(const Apply& node, const std::vector<ShapeVec>&) const {
  ShapeVec out;
  for (int64_t k = 0; k < 4; ++k) out.push_back(cast(subtensor(node.input(1), k), DType::Int64));
  return std::vector<ShapeVec>{out};
}

std::vector<std::vector<bool>> Images2NeibsGrad::connection_pattern(const Apply&) const { return {{true}, {false}}; }

std::vector<Var> Images2NeibsGrad::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0])) return {disconnected_var(), disconnected_var()};
  const Var& z = node.input(0);
  Var gi = g[0];
  if (tensor_type(gi)->elem() != tensor_type(z)->elem()) gi = cast(gi, tensor_type(z)->elem());
  return {images2neibs(gi, params_.neib_shape, params_.neib_step, params_.mode), disconnected_var()};
}

// ---------------------------------------------------------------- builders

Var images2neibs(const Var& ten4, const std::vector<int64_t>& neib_shape, const std::vector<int64_t>& neib_step,
                 const std::string& mode) {
  return apply1(*std::make_shared<Images2Neibs>(checked_neibs_params(NeibsParams{neib_shape, neib_step, mode})),
                {ten4});
}

Var images2neibs_grad(const Var& neibs, const Var& shape, const std::vector<int64_t>& neib_shape,
                      const std::vector<int64_t>& neib_step, const std::string& mode) {
  return apply1(*std::make_shared<Images2NeibsGrad>(checked_neibs_params(NeibsParams{neib_shape, neib_step, mode})),
                {neibs, shape});
}

Var neibs2images(const Var& neibs, const std::vector<int64_t>& neib_shape, const Var& original_shape,
                 const std::string& mode) {
  if (mode == "wrap_centered")
    value_error("[neibs2images] mode 'wrap_centered' repeats pixels across patches, so it has no inverse; use "
                "'valid', 'ignore_borders', 'half' or 'full'");
  return images2neibs_grad(neibs, original_shape, neib_shape, neib_shape, mode);
}

}  // namespace hypatia
