// Helpers shared by sparse ops and their builders.
#include "hypatia/sparse/ops/common.h"

#include "hypatia/sparse/api.h"
#include "hypatia/sparse/kernels/spmm.h"
#include "hypatia/sparse/ops/convert.h"

namespace hypatia::sparse_ops {

const SparseType& expect_sparse(const Var& v, const std::string& who) {
  if (!v) type_error("[", who, "] expected a sparse matrix variable, got None");
  if (const SparseType* t = sparse_type(v)) return *t;
  if (v.type()->kind() == TypeKind::Tensor)
    type_error("[", who, "] expected a sparse matrix variable, got a dense ", v.type()->str(),
               "; convert it with sparse.csr_from_dense or sparse.csc_from_dense");
  type_error("[", who, "] expected a sparse matrix variable, got ", v.type()->str());
}

const TensorType& expect_dense(const Var& v, const std::string& who, int ndim) {
  if (!v) type_error("[", who, "] expected a dense tensor variable, got None");
  if (v.type()->kind() == TypeKind::Sparse)
    type_error("[", who, "] expected a dense tensor, got a sparse variable (", v.type()->str(),
               "); convert it with sparse.dense_from_sparse (x.toarray())");
  const TensorType* t = tensor_type(v);
  if (!t) type_error("[", who, "] expected a dense tensor variable, got ", v.type()->str());
  if (ndim >= 0 && t->ndim() != ndim)
    type_error("[", who, "] expected a ", ndim == 1 ? "vector" : ndim == 2 ? "matrix" : "tensor", " (", ndim,
               "-d), got ", t->str());
  return *t;
}

void check_sparse_dtype(DType d, const std::string& who) {
  if (d == DType::Float16)
    type_error("[", who, "] float16 is not a sparse dtype; sparse.all_dtypes lists the accepted ones (plus bool)");
}

const SparseMatrix& sparse_input(const Value* const* inputs, int i, const std::string& who) {
  if (const auto* s = std::get_if<SparseMatrix>(inputs[i])) return *s;
  type_error("[", who, "] input ", i, " must be a sparse matrix, got ", value_repr(*inputs[i]));
}

Var as_sparse_grad(const Var& g, const Var& x) {
  if (!g || is_null(g) || is_disconnected(g)) return g;
  const SparseType& xt = expect_sparse(x, "grad");
  if (const SparseType* gt = sparse_type(g)) return gt->format() == xt.format() ? g : sparse::as_format(g, xt.format());
  return sparse::sparse_from_dense(g, xt.format());
}

bool no_grad(const Var& g) { return !g || is_disconnected(g) || is_null(g); }

Var dense_grad(const Var& g) { return sparse_type(g) ? sparse::dense_from_sparse(g, false) : g; }

TypePtr dense_type(DType d, int ndim) {
  return TensorType::make(d, std::vector<bool>(static_cast<size_t>(ndim), false));
}

NDArray as_dtype(const NDArray& a, DType d) { return a.dtype() == d ? a : a.astype(d); }

const NDArray& in_dtype(const NDArray& a, DType d, std::optional<NDArray>& tmp) {
  return a.dtype() == d ? a : tmp.emplace(a.astype(d));
}

const SparseMatrix& in_dtype(const SparseMatrix& m, DType d, std::optional<SparseMatrix>& tmp) {
  return m.dtype() == d ? m : tmp.emplace(sparse_kernels::with_dtype(m, d));
}

std::pair<bool, bool> sparse_operands(const Var& x, const Var& y, const std::string& who) {
  if (!x || !y) type_error("[", who, "] expected two variables, got None");
  const bool xs = sparse::is_sparse_variable(x), ys = sparse::is_sparse_variable(y);
  if (!xs && !ys)
    type_error("[", who, "] at least one operand must be sparse, got ", x.type()->str(), " and ", y.type()->str(),
               "; use the tensor function for dense operands");
  return {xs, ys};
}

}  // namespace hypatia::sparse_ops
