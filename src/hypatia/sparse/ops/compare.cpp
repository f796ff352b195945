// Sparse comparisons: CompareSS (sparse bool) and CompareSD (dense bool), and their builders (eq ... ge).
#include "hypatia/sparse/ops/compare.h"

#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

std::string sparse_compare_name(sk::SpBinary op) {
  switch (op) {
    case sk::SpBinary::Eq: return "Equal";
    case sk::SpBinary::Ne: return "NotEqual";
    case sk::SpBinary::Lt: return "LessThan";
    case sk::SpBinary::Gt: return "GreaterThan";
    case sk::SpBinary::Le: return "LessEqual";
    case sk::SpBinary::Ge: return "GreaterEqual";
    default: return "Compare";
  }
}

namespace {
// Comparisons are piecewise constant: zero gradients (as Theano's tensor comparisons).
Var zero_grad(const Var& v) {
  const DType d = *v.type()->dtype();
  if (sparse_type(v)) return sparse::sp_zeros_like(is_inexact(d) ? v : sparse::cast(v, floatX()));
  Var z = hypatia::zeros_like(v);
  return is_inexact(d) ? z : hypatia::cast(z, floatX());
}
}  // namespace

ApplyPtr CompareSS::make_node_checked(const std::vector<Var>& inputs) const {
  const std::string who = name();
  const SparseType& x = expect_sparse(inputs[0], who);
  expect_sparse(inputs[1], who);
  return Apply::create(ptr(), inputs, {SparseType::make(x.format(), DType::Bool)});
}
void CompareSS::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const std::string who = name();
  const SparseMatrix& x = sparse_input(inputs, 0, who);
  const SparseMatrix& y = sparse_input(inputs, 1, who);
  if (x.rows() != y.rows() || x.cols() != y.cols())
    value_error("[", who, "] inconsistent shapes: ", shape_str(x.shape()), " and ", shape_str(y.shape()));
  outputs[0] = sk::binary_ss(x, y, params_.op, upcast(x.dtype(), y.dtype()));
}
std::optional<std::vector<ShapeVec>> CompareSS::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<Var> CompareSS::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  return {zero_grad(node.input(0)), zero_grad(node.input(1))};
}

ApplyPtr CompareSD::make_node_checked(const std::vector<Var>& inputs) const {
  const std::string who = name();
  expect_sparse(inputs[0], who);
  const TensorType& y = expect_dense(inputs[1], who);
  if (y.ndim() > 2) type_error("[", who, "] the dense operand must have at most 2 dimensions, got ", y.str());
  return Apply::create(ptr(), inputs, {TensorType::make(DType::Bool, {false, false})});
}
void CompareSD::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const std::string who = name();
  const SparseMatrix& x = sparse_input(inputs, 0, who);
  const NDArray& y = as_array(*inputs[1], who.c_str());
  const TensorType& t = *tensor_type(node.input(1));
  const int64_t want[2] = {x.rows(), x.cols()};
  for (int d = 0; d < y.ndim(); ++d) {
    const int64_t target = want[2 - y.ndim() + d];
    if (y.shape(d) != target && !(y.shape(d) == 1 && t.broadcastable()[d]))
      value_error("[", who, "] shape mismatch: the dense operand has shape ", shape_str(y.shape()),
                  " but the sparse matrix has shape ", shape_str(x.shape()));
  }
  outputs[0] = sk::binary_sd(x, y, params_.op, upcast(x.dtype(), y.dtype()));
}
std::optional<std::vector<ShapeVec>> CompareSD::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<Var> CompareSD::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  return {zero_grad(node.input(0)), zero_grad(node.input(1))};
}

// ---------------------------------------------------------------- builders

namespace sparse {

namespace {
Var compare(const Var& x, const Var& y, sk::SpBinary op, sk::SpBinary swapped, const char* who) {
  auto [xs, ys] = sparse_operands(x, y, who);
  if (xs && ys) return apply_new<CompareSS>({x, y}, SparseCompareParams{op});
  if (xs) return apply_new<CompareSD>({x, as_tensor_variable(y)}, SparseCompareParams{op});
  return apply_new<CompareSD>({y, as_tensor_variable(x)}, SparseCompareParams{swapped});
}
}  // namespace

Var eq(const Var& x, const Var& y) { return compare(x, y, sk::SpBinary::Eq, sk::SpBinary::Eq, "eq"); }
Var neq(const Var& x, const Var& y) { return compare(x, y, sk::SpBinary::Ne, sk::SpBinary::Ne, "neq"); }
Var lt(const Var& x, const Var& y) { return compare(x, y, sk::SpBinary::Lt, sk::SpBinary::Gt, "lt"); }
Var gt(const Var& x, const Var& y) { return compare(x, y, sk::SpBinary::Gt, sk::SpBinary::Lt, "gt"); }
Var le(const Var& x, const Var& y) { return compare(x, y, sk::SpBinary::Le, sk::SpBinary::Ge, "le"); }
Var ge(const Var& x, const Var& y) { return compare(x, y, sk::SpBinary::Ge, sk::SpBinary::Le, "ge"); }

}  // namespace sparse

}  // namespace hypatia
