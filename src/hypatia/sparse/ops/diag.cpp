// SquareDiagonal and Diag, and their builders.
#include "hypatia/sparse/ops/diag.h"

#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

ApplyPtr SquareDiagonal::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& t = expect_dense(inputs[0], kName);
  if (t.ndim() != 1) type_error("[", kName, "] expected a dense vector, got ", t.str());
  check_sparse_dtype(t.elem(), kName);
  return Apply::create(ptr(), inputs, {SparseType::make(SparseFormat::CSC, t.elem())});
}

void SquareDiagonal::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray& v = as_array(*inputs[0], kName);
  const int64_t n = v.size();
  const DType idt = sk::index_dtype_for(n);
  NDArray idx(idt, {n}), ptr(idt, {n + 1});
  sk::dispatch_index(idt, [&](auto i) {
    using I = decltype(i);
    for (int64_t k = 0; k <= n; ++k) ptr.data<I>()[k] = static_cast<I>(k);
    for (int64_t k = 0; k < n; ++k) idx.data<I>()[k] = static_cast<I>(k);
  });
  outputs[0] = SparseMatrix(SparseFormat::CSC, n, n, v.copy(), idx, ptr);
}

std::optional<std::vector<ShapeVec>> SquareDiagonal::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[0][0], s[0][0]}};
}

std::vector<Var> SquareDiagonal::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0]) || is_null(g[0])) return {disconnected_var()};
  return {sparse::diag(as_sparse_grad(g[0], node.output(0)))};
}

std::vector<Var> SquareDiagonal::jvp(const Apply&, const std::vector<Var>& ev) const {
  if (!ev[0]) return {Var()};
  return {sparse::square_diagonal(ev[0])};
}

ApplyPtr SparseDiag::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& t = expect_sparse(inputs[0], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false})});
}

void SparseDiag::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  if (x.rows() != x.cols())
    value_error("[", kName, "] expects a square sparse matrix, got shape ", shape_str(x.shape()));
  outputs[0] = sk::diagonal(x);
}

std::optional<std::vector<ShapeVec>> SparseDiag::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[0][0]}};  // the matrix is square (checked at run time)
}

std::vector<Var> SparseDiag::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0]) || is_null(g[0])) return {disconnected_var()};
  Var d = sparse::square_diagonal(g[0]);  // csc; a diagonal matrix is its own transpose
  return {sparse_type(node.input(0))->format() == SparseFormat::CSR ? sparse::transpose(d) : d};
}

std::vector<Var> SparseDiag::jvp(const Apply&, const std::vector<Var>& ev) const {
  if (!ev[0]) return {Var()};
  return {sparse_type(ev[0]) ? sparse::diag(ev[0]) : Var()};
}

// ---------------------------------------------------------------- builders

namespace sparse {

Var square_diagonal(const Var& v) { return apply_new<SquareDiagonal>({v}); }
Var diag(const Var& x) { return apply_new<SparseDiag>({x}); }

}  // namespace sparse

}  // namespace hypatia
