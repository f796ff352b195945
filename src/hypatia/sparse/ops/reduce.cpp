// SpSum: sums of a sparse matrix over all entries, columns (axis 0) or rows (axis 1); sp_sum and mean.
#include "hypatia/sparse/ops/reduce.h"

#include "hypatia/sparse/kernels/elemwise.h"
#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/convert.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

DType sp_sum_dtype(DType d) {
  if (is_bool(d)) return DType::Int64;
  if (is_unsigned(d)) return DType::UInt64;
  if (!is_inexact(d)) return DType::Int64;
  return d;
}

std::string SpSum::str() const {
  return str_cat("SpSum{axis=", params_.axis < 0 ? std::string("None") : std::to_string(params_.axis),
                 ", sparse_grad=", params_.sparse_grad ? "True" : "False", "}");
}

ApplyPtr SpSum::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& x = expect_sparse(inputs[0], kName);
  if (params_.axis < -1 || params_.axis > 1)
    value_error("[", kName, "] axis must be None, 0 or 1 for a sparse matrix, got ", params_.axis);
  std::vector<bool> b;
  if (params_.axis >= 0) b.push_back(false);
  return Apply::create(ptr(), inputs, {TensorType::make(sp_sum_dtype(x.elem()), b)});
}

void SpSum::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  outputs[0] = sk::sum(x, params_.axis, *node.output(0).type()->dtype(), kName);
}

// Sums over the inner axis and the total never read the indices; the sum over the outer axis
// checks each one before it scatters by it (sparse_kernels::sum).
bool SpSum::checks_input_indices(const Apply&, int) const { return true; }
// The sums over the inner axis (row sums of CSR, column sums of CSC), which follow indptr, check
// each slice's bounds as they read it (the AVX-512 loop) or the whole indptr first (the others).
// The other sums never follow it, and leave its check at the boundary.
bool SpSum::checks_input_steps(const Apply& node, int) const {
  const SparseType* t = sparse_type(node.input(0));
  return t && params_.axis >= 0 && (params_.axis == 1) == (t->format() == SparseFormat::CSR);
}

std::optional<std::vector<ShapeVec>> SpSum::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  if (params_.axis < 0) return std::vector<ShapeVec>{ShapeVec{}};
  return std::vector<ShapeVec>{{params_.axis == 0 ? s[0][1] : s[0][0]}};
}

std::vector<Var> SpSum::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(0);
  if (!g[0] || is_disconnected(g[0]) || is_null(g[0])) return {disconnected_var()};
  const SparseType& xt = *sparse_type(x);
  if (!is_inexact(xt.elem())) return {sparse::sp_zeros_like(sparse::cast(x, floatX()))};
  Var gz = g[0];
  if (params_.sparse_grad) {
    // Structured: gz broadcast onto x's stored entries only.
    Var ones = sparse::sp_ones_like(x);
    if (params_.axis < 0) return {sparse::mul_s_d(ones, gz)};
    return {params_.axis == 0 ? sparse::col_scale(ones, gz) : sparse::row_scale(ones, gz)};
  }
  // Regular: gz broadcast to every entry of x (a sparse matrix of x's format, as Theano).
  std::vector<Var> shape = {shape_i(x, 0), shape_i(x, 1)};
  Var v = params_.axis < 0 ? gz : params_.axis == 0 ? dimshuffle(gz, {-1, 0}) : dimshuffle(gz, {0, -1});
  return {sparse::sparse_from_dense(alloc(v, shape), xt.format())};
}

// ---------------------------------------------------------------- builders

namespace sparse {

Var sp_sum(const Var& x, std::optional<int> axis, bool sparse_grad) {
  // -1 and -2 count from the end; SpSum itself rejects any other axis (its -1 is None).
  int a = -1;
  if (axis) a = (*axis == -1 || *axis == -2) ? *axis + 2 : *axis;
  return apply_new<SpSum>({x}, SpSumParams{a, sparse_grad});
}

Var mean(const Var& x, std::optional<int> axis) {
  Var s = sp_sum(x, axis);
  Var n = !axis ? hypatia::mul(shape_i(x, 0), shape_i(x, 1)) : shape_i(x, (*axis == 0 || *axis == -2) ? 0 : 1);
  return hypatia::true_div(s, n);
}

}  // namespace sparse

}  // namespace hypatia
