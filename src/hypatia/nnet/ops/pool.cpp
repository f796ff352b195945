// Pool, MaxPoolGrad, AveragePoolGrad, DownsampleFactorMaxGradGrad: parameter checks, typing,
// shapes, gradients (each grad op differentiable again), R_op, and the signal.pool builders.
#include "hypatia/nnet/ops/pool.h"

#include "hypatia/nnet/kernels/pool.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {

using kernels::PoolMode;

PoolMode mode_of(const std::string& m) {
  if (m == "max") return PoolMode::Max;
  if (m == "sum") return PoolMode::Sum;
  if (m == "average_inc_pad") return PoolMode::AverageIncPad;
  return PoolMode::AverageExcPad;
}

std::string tuple_str(const std::vector<int64_t>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + ")";
}

std::string params_str(const char* name, const PoolParams& p) {
  return str_cat(name, "{ignore_border=", p.ignore_border ? "True" : "False", ", mode='", p.mode, "', ndim=", p.ndim,
                 ", ws=", tuple_str(p.ws), ", stride=", tuple_str(p.stride), ", pad=", tuple_str(p.pad), "}");
}

// x as a float32/float64 tensor with at least nd dimensions.
const TensorType& check_x(const Var& x, const char* op, int64_t nd, const char* what = "x") {
  const TensorType& t = check_tensor_input(x, op);
  if (t.elem() != DType::Float32 && t.elem() != DType::Float64)
    type_error("[", op, "] ", what, " must be a float32 or float64 tensor, got ", t.str());
  if (t.ndim() < nd)
    type_error("[", op, "] ", what, " must have at least ", nd, " dimensions to pool over the last ", nd, ", got ",
               t.str());
  return t;
}

void check_like(const Var& v, const TensorType& x, const char* op, const char* what) {
  const TensorType& t = check_tensor_input(v, op);
  if (t.ndim() != x.ndim() || t.elem() != x.elem())
    type_error("[", op, "] ", what, " must be a ", x.ndim(), "-d ", dtype_name(x.elem()), " tensor like x, got ", t.str());
}

// The kernel geometry of pooling an array of shape `shape` with (checked) params.
kernels::PoolGeom geom_of(const PoolParams& p, const Shape& shape) {
  kernels::PoolGeom g;
  const int nd = static_cast<int>(p.ndim), lead = static_cast<int>(shape.size()) - nd;
  g.planes = 1;
  for (int i = 0; i < lead; ++i) g.planes *= shape[i];
  for (int k = 0; k < nd; ++k) {
    const int a = 3 - nd + k;
    g.in[a] = shape[lead + k];
    g.ws[a] = p.ws[k], g.stride[a] = p.stride[k], g.pad[a] = p.pad[k];
    g.out[a] = kernels::pool_out_len(g.in[a], p.ws[k], p.stride[k], p.pad[k], p.ignore_border);
  }
  g.mode = mode_of(p.mode);
  return g;
}

Shape out_shape_of(const PoolParams& p, const Shape& in, const kernels::PoolGeom& g) {
  Shape s = in;
  const int nd = static_cast<int>(p.ndim), lead = static_cast<int>(in.size()) - nd;
  for (int k = 0; k < nd; ++k) s[lead + k] = g.out[3 - nd + k];
  return s;
}

void check_shape(const char* op, const char* what, const Shape& got, const Shape& want) {
  if (got != want) value_error("[", op, "] ", what, " has shape ", tuple_str(got), ", expected ", tuple_str(want));
}

NDArray as_c(const NDArray& a, DType d) { return a.dtype() == d ? a.contiguous() : a.astype(d); }

// The op itself when its params are already complete, else one with checked params.
template <class OpT>
OpPtr completed(const OpT& op) {
  PoolParams c = checked_pool_params(op.params());
  if (c.fields() == op.params().fields()) return op.ptr();
  return std::make_shared<OpT>(c);
}

Var like(const Var& g, const Var& x) {
  const DType d = tensor_type(x)->elem();
  return tensor_type(g)->elem() == d ? g : cast(g, d);
}

bool missing(const Var& g) { return !g || is_disconnected(g); }

// Symbolic pooled length of one axis: Theano's Pool.out_shape.
Var out_len(const Var& v, int64_t ws, int64_t st, int64_t pad, bool ignore_border) {
  auto c = [](int64_t k) { return int64_constant(k); };
  if (ignore_border) return maximum(add(int_div(add(v, c(2 * pad - ws)), c(st)), c(1)), c(0));
  Var vv = add(v, c(2 * pad));
  if (st >= ws) return add(int_div(sub(vv, c(1)), c(st)), c(1));
  return add(maximum(c(0), int_div(add(vv, c(st - 1 - ws)), c(st))), c(1));
}

}  // namespace

PoolParams checked_pool_params(PoolParams p) {
  if (p.ndim != 2 && p.ndim != 3) value_error("[Pool] ndim must be 2 or 3, got ", p.ndim);
  const size_t nd = static_cast<size_t>(p.ndim);
  if (p.mode == "max_deterministic") p.mode = "max";
  if (p.mode != "max" && p.mode != "sum" && p.mode != "average_inc_pad" && p.mode != "average_exc_pad")
    value_error("[Pool] mode must be 'max', 'sum', 'average_inc_pad' or 'average_exc_pad', got '", p.mode, "'");
  if (p.ws.size() != nd) value_error("[Pool] ws must have ", nd, " values, got ", tuple_str(p.ws));
  if (p.stride.empty()) p.stride = p.ws;
  if (p.pad.empty()) p.pad.assign(nd, 0);
  if (p.stride.size() != nd) value_error("[Pool] stride must have ", nd, " values, got ", tuple_str(p.stride));
  if (p.pad.size() != nd) value_error("[Pool] pad must have ", nd, " values, got ", tuple_str(p.pad));
  for (size_t k = 0; k < nd; ++k) {
    if (p.ws[k] < 1) value_error("[Pool] ws must be positive, got ", tuple_str(p.ws));
    if (p.stride[k] < 1) value_error("[Pool] stride must be positive, got ", tuple_str(p.stride));
    if (p.pad[k] < 0) value_error("[Pool] pad must be >= 0, got ", tuple_str(p.pad));
    if (p.pad[k] >= p.ws[k])
      value_error("[Pool] pad must be smaller than ws in every dimension, got pad ", tuple_str(p.pad), " and ws ",
                  tuple_str(p.ws));
    if (p.pad[k] != 0 && !p.ignore_border)
      value_error("[Pool] padding works only with ignore_border=True, got pad ", tuple_str(p.pad));
  }
  return p;
}

// ---------------------------------------------------------------- Pool

std::string Pool::str() const { return params_str(kName, params_); }

ApplyPtr Pool::make_node_checked(const std::vector<Var>& in) const {
  OpPtr self = completed(*this);
  Var x = as_tensor_variable(in[0]);
  const int64_t nd = static_cast<const Pool&>(*self).params().ndim;
  const TensorType& t = check_x(x, kName, nd);
  std::vector<bool> b = t.broadcastable();
  for (int64_t k = 0; k < nd; ++k) b[b.size() - 1 - k] = false;
  return Apply::create(self, {x}, {TensorType::make(t.elem(), b)});
}

void Pool::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const DType d = tensor_type(node.output(0))->elem();
  NDArray x = as_c(as_array(*inputs[0], kName), d);
  const kernels::PoolGeom g = geom_of(params_, x.shape());
  NDArray& z = prepare_output(outputs[0], d, out_shape_of(params_, x.shape(), g));
  kernels::pool_forward(x, z, g);
}

std::optional<std::vector<ShapeVec>> Pool::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  ShapeVec out = s[0];
  const size_t lead = out.size() - static_cast<size_t>(params_.ndim);
  for (size_t k = 0; k < static_cast<size_t>(params_.ndim); ++k)
    out[lead + k] = out_len(s[0][lead + k], params_.ws[k], params_.stride[k], params_.pad[k], params_.ignore_border);
  return std::vector<ShapeVec>{out};
}

std::vector<Var> Pool::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (missing(g[0])) return {disconnected_var()};
  const Var& x = node.input(0);
  Var gz = like(g[0], x);
  if (params_.mode == "max") return {max_pool_grad(x, node.output(0), gz, params_)};
  return {average_pool_grad(x, gz, params_)};
}

std::vector<Var> Pool::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  const Var& x = node.input(0);
  Var v = like(ev[0], x);
  if (params_.mode == "max") return {max_pool_grad_grad(x, node.output(0), v, params_)};
  return {pool(v, params_)};  // sum and average pooling are linear
}

// ---------------------------------------------------------------- MaxPoolGrad

std::string MaxPoolGrad::str() const { return params_str(kName, params_); }

ApplyPtr MaxPoolGrad::make_node_checked(const std::vector<Var>& in) const {
  OpPtr self = completed(*this);
  Var x = as_tensor_variable(in[0]), z = as_tensor_variable(in[1]), gz = as_tensor_variable(in[2]);
  const TensorType& t = check_x(x, kName, params_.ndim);
  check_like(z, t, kName, "z (the pooled x)");
  check_like(gz, t, kName, "gz");
  return Apply::create(self, {x, z, gz}, {TensorType::make(t.elem(), t.broadcastable())});
}

void MaxPoolGrad::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const DType d = tensor_type(node.output(0))->elem();
  NDArray x = as_c(as_array(*inputs[0], kName), d);
  NDArray z = as_c(as_array(*inputs[1], kName), d);
  NDArray gz = as_c(as_array(*inputs[2], kName), d);
  const kernels::PoolGeom g = geom_of(params_, x.shape());
  const Shape zs = out_shape_of(params_, x.shape(), g);
  check_shape(kName, "z", z.shape(), zs);
  check_shape(kName, "gz", gz.shape(), zs);
  NDArray& gx = prepare_output(outputs[0], d, x.shape());
  kernels::max_pool_grad(x, z, gz, gx, g);
}

std::optional<std::vector<ShapeVec>> MaxPoolGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> MaxPoolGrad::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(0);
  const Var& z = node.input(1);
  if (missing(g[0])) return {disconnected_var(), disconnected_var(), disconnected_var()};
  return {zeros_like(x), zeros_like(z), max_pool_grad_grad(x, z, like(g[0], x), params_)};
}

// ---------------------------------------------------------------- AveragePoolGrad

std::string AveragePoolGrad::str() const { return params_str(kName, params_); }

ApplyPtr AveragePoolGrad::make_node_checked(const std::vector<Var>& in) const {
  OpPtr self = completed(*this);
  if (static_cast<const AveragePoolGrad&>(*self).params().mode == "max") value_error("[AveragePoolGrad] mode must be 'sum' or an average, got 'max'");
  Var x = as_tensor_variable(in[0]), gz = as_tensor_variable(in[1]);
  const TensorType& t = check_x(x, kName, params_.ndim);
  check_like(gz, t, kName, "gz");
  return Apply::create(self, {x, gz}, {TensorType::make(t.elem(), t.broadcastable())});
}

void AveragePoolGrad::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const DType d = tensor_type(node.output(0))->elem();
  const NDArray& x = as_array(*inputs[0], kName);
  NDArray gz = as_c(as_array(*inputs[1], kName), d);
  const kernels::PoolGeom g = geom_of(params_, x.shape());
  check_shape(kName, "gz", gz.shape(), out_shape_of(params_, x.shape(), g));
  NDArray& gx = prepare_output(outputs[0], d, x.shape());
  kernels::average_pool_grad(gz, gx, g);
}

std::optional<std::vector<ShapeVec>> AveragePoolGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> AveragePoolGrad::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(0);
  if (missing(g[0])) return {disconnected_var(), disconnected_var()};
  return {zeros_like(x), pool(like(g[0], x), params_)};
}

// ---------------------------------------------------------------- DownsampleFactorMaxGradGrad

std::string DownsampleFactorMaxGradGrad::str() const { return params_str(kName, params_); }

ApplyPtr DownsampleFactorMaxGradGrad::make_node_checked(const std::vector<Var>& in) const {
  OpPtr self = completed(*this);
  if (static_cast<const DownsampleFactorMaxGradGrad&>(*self).params().mode != "max") value_error("[DownsampleFactorMaxGradGrad] mode must be 'max', got '", params_.mode, "'");
  Var x = as_tensor_variable(in[0]), z = as_tensor_variable(in[1]), ggx = as_tensor_variable(in[2]);
  const TensorType& t = check_x(x, kName, params_.ndim);
  check_like(z, t, kName, "z (the pooled x)");
  check_like(ggx, t, kName, "ggx");
  return Apply::create(self, {x, z, ggx}, {TensorType::make(t.elem(), tensor_type(z)->broadcastable())});
}

void DownsampleFactorMaxGradGrad::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const DType d = tensor_type(node.output(0))->elem();
  NDArray x = as_c(as_array(*inputs[0], kName), d);
  NDArray z = as_c(as_array(*inputs[1], kName), d);
  NDArray ggx = as_c(as_array(*inputs[2], kName), d);
  const kernels::PoolGeom g = geom_of(params_, x.shape());
  const Shape zs = out_shape_of(params_, x.shape(), g);
  check_shape(kName, "z", z.shape(), zs);
  check_shape(kName, "ggx", ggx.shape(), x.shape());
  NDArray& ggz = prepare_output(outputs[0], d, zs);
  kernels::max_pool_grad_grad(x, z, ggx, ggz, g);
}

std::optional<std::vector<ShapeVec>> DownsampleFactorMaxGradGrad::infer_shape(const Apply&,
                                                                              const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[1]};
}

std::vector<Var> DownsampleFactorMaxGradGrad::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(0);
  const Var& z = node.input(1);
  if (missing(g[0])) return {disconnected_var(), disconnected_var(), disconnected_var()};
  return {zeros_like(x), zeros_like(z), max_pool_grad(x, z, like(g[0], x), params_)};
}

// ---------------------------------------------------------------- builders

Var pool(const Var& x, const PoolParams& params) {
  return apply1(*std::make_shared<Pool>(checked_pool_params(params)), {x});
}

Var pool_2d(const Var& x, const std::vector<int64_t>& ws, bool ignore_border, const std::vector<int64_t>& stride,
            const std::vector<int64_t>& pad, const std::string& mode) {
  return pool(x, PoolParams{2, ws, stride, pad, ignore_border, mode});
}

Var pool_3d(const Var& x, const std::vector<int64_t>& ws, bool ignore_border, const std::vector<int64_t>& stride,
            const std::vector<int64_t>& pad, const std::string& mode) {
  return pool(x, PoolParams{3, ws, stride, pad, ignore_border, mode});
}

Var max_pool_2d_same_size(const Var& x, const std::vector<int64_t>& patch_size) {
  const PoolParams p = checked_pool_params(PoolParams{2, patch_size, {}, {}, true, "max"});
  Var z = pool(x, p);
  return max_pool_grad(as_tensor_variable(x), z, z, p);
}

Var max_pool_grad(const Var& x, const Var& z, const Var& gz, const PoolParams& params) {
  return apply1(*std::make_shared<MaxPoolGrad>(checked_pool_params(params)), {x, z, gz});
}

Var average_pool_grad(const Var& x, const Var& gz, const PoolParams& params) {
  return apply1(*std::make_shared<AveragePoolGrad>(checked_pool_params(params)), {x, gz});
}

Var max_pool_grad_grad(const Var& x, const Var& z, const Var& ggx, const PoolParams& params) {
  return apply1(*std::make_shared<DownsampleFactorMaxGradGrad>(checked_pool_params(params)), {x, z, ggx});
}

}  // namespace hypatia
