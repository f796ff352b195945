// DenseFromSparse, SparseFromDense, AsFormat and SampleDense: typing, kernels, shapes, gradients; builders.
#include <cstring>

#include "hypatia/sparse/ops/convert.h"

#include "hypatia/sparse/api.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/shape.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

namespace {
// A dense gradient cast to x's dtype when x is floating point and the dtypes differ.
Var dense_like_dtype(const Var& g, DType d) {
  if (is_inexact(d) && *g.type()->dtype() != d) return hypatia::cast(g, d);
  return g;
}
}  // namespace

// ---------------------------------------------------------------- DenseFromSparse

std::string DenseFromSparse::str() const {
  return params_.structured ? kName : "DenseFromSparse{structured=False}";
}

ApplyPtr DenseFromSparse::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& t = expect_sparse(inputs[0], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(t.elem(), {false, false})});
}

void DenseFromSparse::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  // A sequential memset first: scattered first-touch writes into fresh pages fault one page at
  // a time from several threads and were 6x slower than zeroing the block in order.
  NDArray& out = prepare_output(outputs[0], x.dtype(), {x.rows(), x.cols()});
  std::memset(out.raw(), 0, static_cast<size_t>(out.nbytes()));
  sk::add_into_dense(x, out);
}

std::optional<std::vector<ShapeVec>> DenseFromSparse::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> DenseFromSparse::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(0);
  if (no_grad(g[0])) return {disconnected_var()};
  const SparseType& t = *sparse_type(x);
  Var gz = g[0];
  if (sparse_type(gz)) gz = sparse::dense_from_sparse(gz, false);
  gz = dense_like_dtype(gz, t.elem());
  if (params_.structured) return {sparse::sample_dense(x, gz)};
  return {sparse::sparse_from_dense(gz, t.format())};
}

std::vector<Var> DenseFromSparse::jvp(const Apply&, const std::vector<Var>& ev) const {
  if (!ev[0]) return {Var()};
  if (!sparse_type(ev[0])) return {ev[0]};
  return {sparse::dense_from_sparse(ev[0], params_.structured)};
}

// ---------------------------------------------------------------- SparseFromDense

std::string SparseFromDense::str() const { return str_cat("SparseFromDense{", format_name(params_.format), "}"); }

ApplyPtr SparseFromDense::make_node_checked(const std::vector<Var>& inputs) const {
  // As Theano (and scipy.sparse.csr_matrix(v)): a vector becomes a 1 x n matrix and a scalar a
  // 1 x 1 one, through a DimShuffle in the graph, so the gradient flows back to the vector.
  Var x = inputs[0];
  const TensorType& t0 = expect_dense(x, kName);
  if (t0.ndim() > 2)
    type_error("[", kName, "] there are no sparse tensors with more than 2 dimensions; expected a matrix (or a "
               "vector or scalar, made 1 x n), got ", t0.str());
  if (t0.ndim() == 1) x = dimshuffle(x, {-1, 0});
  if (t0.ndim() == 0) x = dimshuffle(x, {-1, -1});
  const TensorType& t = expect_dense(x, kName, 2);
  check_sparse_dtype(t.elem(), kName);
  return Apply::create(ptr(), {x}, {SparseType::make(params_.format, t.elem())});
}

void SparseFromDense::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = sk::from_dense(as_array(*inputs[0], kName), params_.format);
}

std::optional<std::vector<ShapeVec>> SparseFromDense::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> SparseFromDense::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var()};
  Var gx = sparse_type(g[0]) ? sparse::dense_from_sparse(g[0]) : g[0];
  // The input of a vector's node is its 1 x n DimShuffle (broadcastable rows), which takes the
  // gradient back to the vector only with the same pattern (Theano's patternbroadcast).
  const std::vector<bool>& bc = tensor_type(node.input(0))->broadcastable();
  if (const TensorType* gt = tensor_type(gx); gt && gt->broadcastable() != bc) gx = patternbroadcast(gx, bc);
  return {gx};
}

std::vector<Var> SparseFromDense::jvp(const Apply&, const std::vector<Var>& ev) const {
  if (!ev[0]) return {Var()};
  return {sparse::sparse_from_dense(ev[0], params_.format)};
}

// ---------------------------------------------------------------- AsFormat

std::string AsFormat::str() const { return str_cat("AsFormat{", format_name(params_.format), "}"); }

ApplyPtr AsFormat::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& t = expect_sparse(inputs[0], kName);
  return Apply::create(ptr(), inputs, {SparseType::make(params_.format, t.elem())});
}

void AsFormat::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  outputs[0] = x.format() == params_.format ? sk::deep_copy(x) : sk::convert_format(x, params_.format);
}

std::optional<std::vector<ShapeVec>> AsFormat::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> AsFormat::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var()};
  return {as_sparse_grad(g[0], node.input(0))};
}

std::vector<Var> AsFormat::jvp(const Apply&, const std::vector<Var>& ev) const {
  if (!ev[0]) return {Var()};
  return {sparse_type(ev[0]) ? sparse::as_format(ev[0], params_.format) : ev[0]};
}

// ---------------------------------------------------------------- SampleDense

ApplyPtr SampleDense::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& p = expect_sparse(inputs[0], kName);
  const TensorType& d = expect_dense(inputs[1], kName, 2);
  check_sparse_dtype(d.elem(), kName);
  return Apply::create(ptr(), inputs, {SparseType::make(p.format(), d.elem())});
}

void SampleDense::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& p = sparse_input(inputs, 0, kName);
  const NDArray& d = as_array(*inputs[1], kName);
  if (d.ndim() != 2 || d.shape(0) != p.rows() || d.shape(1) != p.cols())
    value_error("[", kName, "] the dense matrix has shape ", shape_str(d.shape()), " but the sparse pattern has shape ",
                shape_str(p.shape()));
  outputs[0] = sk::with_data(p, sk::gather_dense(p, d));
}

std::optional<std::vector<ShapeVec>> SampleDense::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> SampleDense::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  // Only the pattern's positions of `dense` reach the output (k times for k duplicates), so its
  // gradient is the output gradient read at those positions and scattered back (summing).
  Var gd = sparse_type(g[0]) ? sparse::dense_from_sparse(g[0], false) : g[0];
  return {disconnected_var(), sparse::dense_from_sparse(sparse::sample_dense(node.input(0), gd))};
}

std::vector<Var> SampleDense::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (ev.size() < 2 || !ev[1]) return {Var()};
  return {sparse::sample_dense(node.input(0), ev[1])};
}

// ---------------------------------------------------------------- builders

namespace sparse {

Var dense_from_sparse(const Var& x, bool structured) {
  return apply_new<DenseFromSparse>({x}, DenseFromSparseParams{structured});
}
Var sparse_from_dense(const Var& x, SparseFormat format) {
  return apply_new<SparseFromDense>({x}, SparseFormatParams{format});
}
Var csr_from_dense(const Var& x) { return sparse_from_dense(x, SparseFormat::CSR); }
Var csc_from_dense(const Var& x) { return sparse_from_dense(x, SparseFormat::CSC); }
Var as_format(const Var& x, SparseFormat format) {
  const SparseType& t = sparse_ops::expect_sparse(x, "AsFormat");
  if (t.format() == format) return x;
  return apply_new<AsFormat>({x}, SparseFormatParams{format});
}
Var sample_dense(const Var& pattern, const Var& dense) { return apply_new<SampleDense>({pattern, dense}); }

}  // namespace sparse

}  // namespace hypatia
