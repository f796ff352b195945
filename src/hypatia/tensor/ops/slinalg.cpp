// Solve, Cholesky and CholeskyGrad: typing, LAPACK kernels, shapes and gradients.
#include "hypatia/tensor/ops/slinalg.h"

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/kernels/lapack_kernel.h"
#include "hypatia/tensor/linalg.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/nlinalg.h"

namespace hypatia {

// ---- Solve ----

ApplyPtr Solve::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& a = check_float_matrix(inputs[0], kName);
  const TensorType& b = check_tensor_input(inputs[1], kName);
  if (b.ndim() < 1 || b.ndim() > 2) type_error("[", kName, "] b must be a vector or a matrix, got ", b.str());
  if (b.elem() != a.elem()) type_error("[", kName, "] a and b must have the same dtype, got ", a.str(), " and ", b.str());
  return Apply::create(ptr(), inputs, {TensorType::make(a.elem(), std::vector<bool>(b.ndim(), false))});
}

void Solve::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = kernels::solve(as_array(*inputs[0], kName), as_array(*inputs[1], kName), params_.a_structure, kName);
}

std::optional<std::vector<ShapeVec>> Solve::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[1]};
}

std::vector<Var> Solve::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0])) return {disconnected_var(), disconnected_var()};
  const Var &a = node.input(0), &x = node.output(0);
  const std::string& st = params_.a_structure;
  // A^T keeps A's structure transposed: lower <-> upper.
  std::string st_t = st == "lower_triangular" ? "upper_triangular" : st == "upper_triangular" ? "lower_triangular" : st;
  Var gb = solve(transpose(a), g[0], st_t);
  Var ga;
  if (st == "general" || st == "symmetric")
    ga = neg(x.type()->ndim() == 1 ? outer(gb, x) : dot(gb, transpose(x)));
  else
    ga = grad_not_implemented(*this, 0, "the A gradient of a triangular Solve");
  return {ga, gb};
}

// ---- Cholesky ----

ApplyPtr Cholesky::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false, false})});
}

void Cholesky::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = kernels::cholesky(as_array(*inputs[0], kName), params_.lower, params_.nan_on_error, kName);
}

std::optional<std::vector<ShapeVec>> Cholesky::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> Cholesky::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0])) return {disconnected_var()};
  return {apply1(*std::make_shared<CholeskyGrad>(params_), {node.input(0), node.output(0), g[0]})};
}

// ---- CholeskyGrad ----

ApplyPtr CholeskyGrad::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = check_float_matrix(inputs[0], kName);
  for (int i = 1; i < 3; ++i) {
    const TensorType& u = check_float_matrix(inputs[i], kName);
    if (u.elem() != t.elem()) type_error("[", kName, "] all inputs must have dtype ", dtype_name(t.elem()));
  }
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false, false})});
}

void CholeskyGrad::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& l = as_array(*inputs[1], kName);
  const NDArray& dl = as_array(*inputs[2], kName);
  if (l.shape() != dl.shape()) value_error("[", kName, "] L ", shape_str(l.shape()), " and dL ", shape_str(dl.shape()), " differ");
  outputs[0] = kernels::cholesky_grad(l, dl, params_.lower);
}

std::optional<std::vector<ShapeVec>> CholeskyGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

// ---- builders ----
Var solve(const Var& a_in, const Var& b_in, const std::string& structure) {
  if (structure != "general" && structure != "symmetric" && structure != "lower_triangular" && structure != "upper_triangular")
    value_error("[Solve] A_structure must be general, symmetric, lower_triangular or upper_triangular, got '", structure, "'");
  Var a = as_tensor_variable(a_in), b = as_tensor_variable(b_in);
  const DType d = linalg_float_dtype({a, b});
  return apply1(*std::make_shared<Solve>(SolveParams{structure}), {cast(a, d), cast(b, d)});
}

Var cholesky(const Var& a_in, bool lower, const std::string& on_error) {
  if (on_error != "raise" && on_error != "nan") value_error("[Cholesky] on_error must be 'raise' or 'nan', got '", on_error, "'");
  Var a = as_tensor_variable(a_in);
  return apply1(*std::make_shared<Cholesky>(CholeskyParams{lower, on_error == "nan"}), {cast(a, linalg_float_dtype({a}))});
}

}  // namespace hypatia
