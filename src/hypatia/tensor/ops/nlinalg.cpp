// MatrixInverse and Det: typing, LAPACK kernels, shapes and gradients.
#include "hypatia/tensor/ops/nlinalg.h"

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/kernels/lapack_kernel.h"
#include "hypatia/tensor/linalg.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {

const TensorType& check_float_matrix(const Var& v, const char* who) {
  const TensorType& t = check_tensor_input(v, who);
  if (t.ndim() != 2) type_error("[", who, "] expected a matrix, got ", t.str());
  if (t.elem() != DType::Float32 && t.elem() != DType::Float64)
    type_error("[", who, "] float32 or float64 matrix expected, got ", t.str());
  return t;
}

ApplyPtr MatrixInverse::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false, false})});
}

void MatrixInverse::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = kernels::matrix_inverse(as_array(*inputs[0], kName), kName);
}

std::optional<std::vector<ShapeVec>> MatrixInverse::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> MatrixInverse::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0])) return {disconnected_var()};
  Var xit = transpose(node.output(0));
  return {neg(dot(dot(xit, g[0]), xit))};
}

std::vector<Var> MatrixInverse::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.empty() || !ev[0]) return {Var()};
  Var xi = node.output(0);
  return {neg(dot(dot(xi, ev[0]), xi))};
}

ApplyPtr Det::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {})});
}

void Det::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = kernels::det(as_array(*inputs[0], kName));
}

std::optional<std::vector<ShapeVec>> Det::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{ShapeVec{}};
}

std::vector<Var> Det::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0])) return {disconnected_var()};
  return {mul(mul(g[0], node.output(0)), transpose(matrix_inverse(node.input(0))))};
}

// Casts both operands to their common float dtype (integers become float64, as numpy.linalg).
DType linalg_float_dtype(const std::vector<Var>& vs) {
  DType d = tensor_type(vs[0])->elem();
  for (size_t i = 1; i < vs.size(); ++i) d = upcast(d, tensor_type(vs[i])->elem());
  if (d == DType::Float32 || d == DType::Float64) return d;
  if (d == DType::Float16) return DType::Float32;
  if (is_complex(d)) type_error("[linalg] complex matrices are not supported");
  return DType::Float64;
}

// ---- builders ----
Var matrix_inverse(const Var& a_in) {
  Var a = as_tensor_variable(a_in);
  return apply1(*std::make_shared<MatrixInverse>(), {cast(a, linalg_float_dtype({a}))});
}

Var det(const Var& a_in) {
  Var a = as_tensor_variable(a_in);
  return apply1(*std::make_shared<Det>(), {cast(a, linalg_float_dtype({a}))});
}

}  // namespace hypatia
