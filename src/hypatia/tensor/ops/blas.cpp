// Gemm, Gemv, Ger and BatchedDot: typing, shape checks, CBLAS kernels, shapes and gradients.
#include "hypatia/tensor/ops/blas.h"

#include <algorithm>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/kernels/dot_kernel.h"
#include "hypatia/tensor/linalg.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {

// Checks that every input is a float32/float64 tensor of rank ranks[i], all of one dtype (the
// op's kArity has checked the count).
DType check_blas_inputs(const std::vector<Var>& inputs, const std::vector<int>& ranks, const char* who) {
  DType d = check_tensor_input(inputs[0], who).elem();
  if (d != DType::Float32 && d != DType::Float64)
    type_error("[", who, "] float32 or float64 inputs expected, got ", dtype_name(d));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorType& t = check_tensor_input(inputs[i], who);
    if (t.ndim() != ranks[i]) type_error("[", who, "] input ", i, " must have ", ranks[i], " dims, got ", t.str());
    if (t.elem() != d) type_error("[", who, "] all inputs must have dtype ", dtype_name(d), ", input ", i, " is ", t.str());
  }
  return d;
}

double scalar_of(const Value* v, const char* who) { return as_array(*v, who).astype(DType::Float64).item<double>(); }

Var grad_or_zeros(const Var& g, const Var& like) { return reduce_to_like(g, like); }

}  // namespace

// ---- Gemm ----

ApplyPtr Gemm::make_node_checked(const std::vector<Var>& inputs) const {
  check_blas_inputs(inputs, {2, 0, 2, 2, 0}, kName);
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void Gemm::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& z = as_array(*inputs[0], kName);
  const NDArray& x = as_array(*inputs[2], kName);
  const NDArray& y = as_array(*inputs[3], kName);
  if (x.shape(1) != y.shape(0) || z.shape(0) != x.shape(0) || z.shape(1) != y.shape(1))
    value_error("[", kName, "] shapes not aligned: Z ", shape_str(z.shape()), ", X ", shape_str(x.shape()), ", Y ",
                shape_str(y.shape()));
  const double b = scalar_of(inputs[4], kName);
  NDArray& out = accumulator_output(outputs[0], z, z.dtype(), params_.inplace, b != 0);
  kernels::gemm_kernel(scalar_of(inputs[1], kName), x, y, b, out);
}

std::optional<std::vector<ShapeVec>> Gemm::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[2][0], s[3][1]}};
}

std::vector<Var> Gemm::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var &z = node.input(0), &a = node.input(1), &x = node.input(2), &y = node.input(3), &b = node.input(4);
  const Var& gz = g[0];
  if (!gz || is_disconnected(gz)) return std::vector<Var>(5, disconnected_var());
  return {grad_or_zeros(mul(gz, b), z), sum(mul(gz, dot(x, y))), grad_or_zeros(mul(a, dot(gz, transpose(y))), x),
          grad_or_zeros(mul(a, dot(transpose(x), gz)), y), sum(mul(gz, z))};
}

std::shared_ptr<const Op> Gemm::inplace_variant(const std::vector<int>& allowed) const {
  if (params_.inplace || std::find(allowed.begin(), allowed.end(), 0) == allowed.end()) return nullptr;
  return std::make_shared<Gemm>(BlasInplaceParams{true});
}

// ---- Gemv ----

ApplyPtr Gemv::make_node_checked(const std::vector<Var>& inputs) const {
  check_blas_inputs(inputs, {1, 0, 2, 1, 0}, kName);
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void Gemv::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& y = as_array(*inputs[0], kName);
  const NDArray& a = as_array(*inputs[2], kName);
  const NDArray& x = as_array(*inputs[3], kName);
  if (a.shape(1) != x.shape(0) || a.shape(0) != y.shape(0))
    value_error("[", kName, "] shapes not aligned: y ", shape_str(y.shape()), ", A ", shape_str(a.shape()), ", x ",
                shape_str(x.shape()));
  const double beta = scalar_of(inputs[4], kName);
  NDArray& out = accumulator_output(outputs[0], y, y.dtype(), params_.inplace, beta != 0);
  kernels::gemm_kernel(scalar_of(inputs[1], kName), a, x, beta, out);
}

std::optional<std::vector<ShapeVec>> Gemv::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[2][0]}};
}

std::vector<Var> Gemv::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var &y = node.input(0), &alpha = node.input(1), &a = node.input(2), &x = node.input(3), &beta = node.input(4);
  const Var& gz = g[0];
  if (!gz || is_disconnected(gz)) return std::vector<Var>(5, disconnected_var());
  return {grad_or_zeros(mul(gz, beta), y), sum(mul(gz, dot(a, x))), grad_or_zeros(mul(alpha, outer(gz, x)), a),
          grad_or_zeros(mul(alpha, dot(transpose(a), gz)), x), sum(mul(gz, y))};
}

std::shared_ptr<const Op> Gemv::inplace_variant(const std::vector<int>& allowed) const {
  if (params_.inplace || std::find(allowed.begin(), allowed.end(), 0) == allowed.end()) return nullptr;
  return std::make_shared<Gemv>(BlasInplaceParams{true});
}

// ---- Ger ----

ApplyPtr Ger::make_node_checked(const std::vector<Var>& inputs) const {
  check_blas_inputs(inputs, {2, 0, 1, 1}, kName);
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void Ger::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& a = as_array(*inputs[0], kName);
  const NDArray& x = as_array(*inputs[2], kName);
  const NDArray& y = as_array(*inputs[3], kName);
  if (a.shape(0) != x.shape(0) || a.shape(1) != y.shape(0))
    value_error("[", kName, "] shapes not aligned: A ", shape_str(a.shape()), ", x ", shape_str(x.shape()), ", y ",
                shape_str(y.shape()));
  NDArray& out = prepare_output(outputs[0], a.dtype(), a.shape());
  out.assign(a);
  kernels::ger_kernel(scalar_of(inputs[1], kName), x, y, out);
}

std::optional<std::vector<ShapeVec>> Ger::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[2][0], s[3][0]}};
}

std::vector<Var> Ger::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var &a = node.input(0), &alpha = node.input(1), &x = node.input(2), &y = node.input(3);
  const Var& gz = g[0];
  if (!gz || is_disconnected(gz)) return std::vector<Var>(4, disconnected_var());
  return {grad_or_zeros(gz, a), sum(mul(gz, outer(x, y))), grad_or_zeros(mul(alpha, dot(gz, y)), x),
          grad_or_zeros(mul(alpha, dot(transpose(gz), x)), y)};
}

// ---- BatchedDot ----

ApplyPtr BatchedDot::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& x = check_tensor_input(inputs[0], kName);
  const TensorType& y = check_tensor_input(inputs[1], kName);
  if (x.ndim() < 2 || x.ndim() > 3 || y.ndim() < 2 || y.ndim() > 3)
    type_error("[", kName, "] inputs must have 2 or 3 dims, got ", x.str(), " and ", y.str());
  std::vector<bool> bc(x.broadcastable().begin(), x.broadcastable().end() - 1);
  bc[0] = bc[0] && y.broadcastable()[0];
  if (y.ndim() == 3) bc.push_back(y.broadcastable()[2]);
  return Apply::create(ptr(), inputs, {TensorType::make(upcast(x.elem(), y.elem()), bc)});
}

void BatchedDot::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  const NDArray& y = as_array(*inputs[1], kName);
  const int64_t kx = x.shape(x.ndim() - 1), ky = y.shape(1);
  if (x.shape(0) != y.shape(0) || kx != ky)
    value_error("[", kName, "] shapes ", shape_str(x.shape()), " and ", shape_str(y.shape()),
                " not aligned: batch sizes must be equal and dim ", x.ndim() - 1, " of x (", kx, ") equal dim 1 of y (",
                ky, ")");
  Shape oshape{x.shape(0)};
  if (x.ndim() == 3) oshape.push_back(x.shape(1));
  if (y.ndim() == 3) oshape.push_back(y.shape(2));
  const DType d = tensor_type(node.output(0))->elem();
  NDArray& out = prepare_output(outputs[0], d, oshape);
  kernels::batched_dot_kernel(x.dtype() == d ? x : x.astype(d), y.dtype() == d ? y : y.astype(d), out);
}

std::optional<std::vector<ShapeVec>> BatchedDot::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  ShapeVec out{s[0][0]};
  if (s[0].size() == 3) out.push_back(s[0][1]);
  if (s[1].size() == 3) out.push_back(s[1][2]);
  return std::vector<ShapeVec>{out};
}

std::vector<Var> BatchedDot::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var &x = node.input(0), &y = node.input(1);
  const Var& gz = g[0];
  if (!gz || is_disconnected(gz)) return {disconnected_var(), disconnected_var()};
  const int xd = x.type()->ndim(), yd = y.type()->ndim();
  Var gx, gy;
  if (xd == 2 && yd == 2) {
    gx = mul(dimshuffle(gz, {0, -1}), y);
    gy = mul(x, dimshuffle(gz, {0, -1}));
  } else if (xd == 3 && yd == 2) {
    gx = mul(dimshuffle(gz, {0, 1, -1}), dimshuffle(y, {0, -1, 1}));
    gy = batched_dot(dimshuffle(x, {0, 2, 1}), gz);
  } else if (xd == 2 && yd == 3) {
    gx = batched_dot(gz, dimshuffle(y, {0, 2, 1}));
    gy = mul(dimshuffle(x, {0, 1, -1}), dimshuffle(gz, {0, -1, 1}));
  } else {
    gx = batched_dot(gz, dimshuffle(y, {0, 2, 1}));
    gy = batched_dot(dimshuffle(x, {0, 2, 1}), gz);
  }
  return {is_discrete(x) ? zeros_like(x) : reduce_to_like(gx, x), is_discrete(y) ? zeros_like(y) : reduce_to_like(gy, y)};
}

// ---- builders ----
Var gemm(const Var& z, const Var& a, const Var& x, const Var& y, const Var& b) {
  Var zz = as_tensor_variable(z);
  const DType d = tensor_type(zz)->elem();
  return apply1(*std::make_shared<Gemm>(), {zz, cast(a, d), as_tensor_variable(x), as_tensor_variable(y), cast(b, d)});
}

Var gemv(const Var& y, const Var& alpha, const Var& a, const Var& x, const Var& beta) {
  Var yy = as_tensor_variable(y);
  const DType d = tensor_type(yy)->elem();
  return apply1(*std::make_shared<Gemv>(), {yy, cast(alpha, d), as_tensor_variable(a), as_tensor_variable(x), cast(beta, d)});
}

Var ger(const Var& a, const Var& alpha, const Var& x, const Var& y) {
  Var aa = as_tensor_variable(a);
  const DType d = tensor_type(aa)->elem();
  return apply1(*std::make_shared<Ger>(), {aa, cast(alpha, d), as_tensor_variable(x), as_tensor_variable(y)});
}

}  // namespace hypatia
