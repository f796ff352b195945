// Cast, Transpose, Neg, Remove0 and EnsureSortedIndices on sparse matrices, and their builders.
#include "hypatia/sparse/ops/unary.h"

#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/util/parallel.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

namespace {
// Sparse-or-dense versions of the ops gradients are built from (a gradient may arrive dense).
Var any_neg(const Var& g) { return sparse_type(g) ? sparse::neg(g) : hypatia::neg(g); }
Var any_transpose(const Var& g) { return sparse_type(g) ? sparse::transpose(g) : hypatia::transpose(g); }
Var any_cast(const Var& g, DType d) {
  if (*g.type()->dtype() == d) return g;
  return sparse_type(g) ? sparse::cast(g, d) : hypatia::cast(g, d);
}
}  // namespace

// ---------------------------------------------------------------- Cast

std::string SparseCast::str() const { return str_cat("Cast{", dtype_name(params_.dtype), "}"); }

ApplyPtr SparseCast::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& t = expect_sparse(inputs[0], kName);
  check_sparse_dtype(params_.dtype, kName);
  // A complex matrix cast to a real dtype keeps the real parts, as numpy's astype (Theano's
  // perform); the Python layer emits numpy's ComplexWarning when such a cast is built.
  return Apply::create(ptr(), inputs, {SparseType::make(t.format(), params_.dtype)});
}

void SparseCast::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  outputs[0] = sk::with_data(x, sk::stored_data(x).astype(params_.dtype));
}

std::optional<std::vector<ShapeVec>> SparseCast::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> SparseCast::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(0);
  if (no_grad(g[0])) return {disconnected_var()};
  const DType xd = sparse_type(x)->elem(), gd = *g[0].type()->dtype();
  if (is_complex(gd) || is_complex(xd)) return {grad_not_implemented(*this, 0, "grad not implemented for complex types")};
  if (!is_inexact(gd)) return {sparse::sp_zeros_like(is_inexact(xd) ? x : sparse::cast(x, floatX()))};
  if (!is_inexact(xd)) return {g[0]};
  return {any_cast(g[0], xd)};
}

std::vector<Var> SparseCast::jvp(const Apply&, const std::vector<Var>& ev) const {
  if (!ev[0]) return {Var()};
  return {any_cast(ev[0], params_.dtype)};
}

// ---------------------------------------------------------------- Transpose

ApplyPtr SparseTranspose::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& t = expect_sparse(inputs[0], kName);
  SparseFormat f = t.format() == SparseFormat::CSR ? SparseFormat::CSC : SparseFormat::CSR;
  return Apply::create(ptr(), inputs, {SparseType::make(f, t.elem())});
}

void SparseTranspose::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = sk::transpose(sparse_input(inputs, 0, kName));
}

std::optional<std::vector<ShapeVec>> SparseTranspose::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[0][1], s[0][0]}};
}

std::vector<Var> SparseTranspose::vjp(const Apply&, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var()};
  return {any_transpose(g[0])};
}

std::vector<Var> SparseTranspose::jvp(const Apply&, const std::vector<Var>& ev) const {
  if (!ev[0]) return {Var()};
  return {any_transpose(ev[0])};
}

// ---------------------------------------------------------------- Neg

ApplyPtr SparseNeg::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& t = expect_sparse(inputs[0], kName);
  if (is_bool(t.elem())) type_error("[", kName, "] negating a bool sparse matrix is not supported (numpy forbids it too)");
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void SparseNeg::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  NDArray d = sk::stored_data(x);
  NDArray out(d.dtype(), {d.size()});
  dispatch_dtype(d.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* s = d.data<T>();
    T* o = out.data<T>();
    const int64_t n = d.size();
    if constexpr (std::is_same_v<T, bool>) {
      for (int64_t k = 0; k < n; ++k) o[k] = s[k];
    } else if constexpr (std::is_same_v<T, half>) {
      for (int64_t k = 0; k < n; ++k) o[k] = half(-static_cast<float>(s[k]));
    } else {
#pragma omp parallel for if (n >= sk::kParallelWork) num_threads(::hypatia::max_threads())
      for (int64_t k = 0; k < n; ++k) o[k] = static_cast<T>(-s[k]);
    }
  });
  outputs[0] = sk::with_data(x, out);
}

std::optional<std::vector<ShapeVec>> SparseNeg::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> SparseNeg::vjp(const Apply&, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var()};
  return {any_neg(g[0])};
}

std::vector<Var> SparseNeg::jvp(const Apply&, const std::vector<Var>& ev) const {
  if (!ev[0]) return {Var()};
  return {any_neg(ev[0])};
}

// ---------------------------------------------------------------- Remove0 / EnsureSortedIndices

ApplyPtr Remove0::make_node_checked(const std::vector<Var>& inputs) const {
  expect_sparse(inputs[0], kName);
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void Remove0::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = sk::remove_zeros(sparse_input(inputs, 0, kName));
}

std::optional<std::vector<ShapeVec>> Remove0::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> Remove0::vjp(const Apply&, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var()};
  return {g[0]};
}

std::vector<Var> Remove0::jvp(const Apply&, const std::vector<Var>& ev) const { return {ev[0]}; }

ApplyPtr EnsureSortedIndices::make_node_checked(const std::vector<Var>& inputs) const {
  expect_sparse(inputs[0], kName);
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}

void EnsureSortedIndices::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = sk::sort_indices(sparse_input(inputs, 0, kName));
}

std::optional<std::vector<ShapeVec>> EnsureSortedIndices::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> EnsureSortedIndices::vjp(const Apply&, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var()};
  return {g[0]};
}

std::vector<Var> EnsureSortedIndices::jvp(const Apply&, const std::vector<Var>& ev) const { return {ev[0]}; }

// ---------------------------------------------------------------- builders

namespace sparse {

Var cast(const Var& x, DType dtype) { return apply_new<SparseCast>({x}, SparseCastParams{dtype}); }
Var transpose(const Var& x) { return apply_new<SparseTranspose>({x}); }
Var neg(const Var& x) { return apply_new<SparseNeg>({x}); }
Var remove0(const Var& x) { return apply_new<Remove0>({x}); }
Var ensure_sorted_indices(const Var& x) { return apply_new<EnsureSortedIndices>({x}); }
Var clean(const Var& x) { return ensure_sorted_indices(remove0(x)); }

}  // namespace sparse

}  // namespace hypatia
