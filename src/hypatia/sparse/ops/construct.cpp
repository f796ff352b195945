// ConstructSparseFromList, construct_sparse_from_list and the sparse_grad builder registration.
#include "hypatia/sparse/ops/construct.h"

#include "hypatia/sparse/kernels/select.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/convert.h"
#include "hypatia/sparse/ops/getitem.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/indexing.h"
#include "hypatia/tensor/ops/advanced_subtensor.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

ApplyPtr ConstructSparseFromList::make_node_checked(const std::vector<Var>& in) const {
  Var shp = as_tensor_variable(in[0]);
  const TensorType* st = tensor_type(shp);
  if (!st || st->ndim() != 1 || !is_int(st->elem()))
    type_error("[", kName, "] the shape must be an integer vector, got ", shp.type()->str());
  const TensorType& vt = expect_dense(in[1], kName);
  if (vt.ndim() != 2)
    type_error("[", kName, "] cannot create a sparse matrix from values with ", vt.ndim(), " dimensions");
  Var ilist = expect_int_index(in[2], 1, kName, "the index list");
  check_sparse_dtype(params_.dtype, kName);
  return Apply::create(ptr(), {shp, as_tensor_variable(in[1]), ilist}, {SparseType::make(SparseFormat::CSC, params_.dtype)});
}

void ConstructSparseFromList::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const NDArray shp = as_array(*inputs[0], kName).astype(DType::Int64);
  if (shp.size() != 2) value_error("[", kName, "] the shape must have 2 entries, got ", shp.size());
  const int64_t rows = shp.data<int64_t>()[0], cols = shp.data<int64_t>()[1];
  const NDArray& values = as_array(*inputs[1], kName);
  const std::vector<int64_t> ilist = normalized_indices(*inputs[2], rows, 0, kName);
  if (values.shape(0) != static_cast<int64_t>(ilist.size()) || values.shape(1) != cols)
    value_error("[", kName, "] values have shape ", shape_str(values.shape()), ", expected (", ilist.size(),
                ", ", cols, ")");
  outputs[0] = sk::rows_to_csc(rows, cols, values.astype(params_.dtype), ilist);
}

std::optional<std::vector<ShapeVec>> ConstructSparseFromList::infer_shape(const Apply& node, const std::vector<ShapeVec>&) const {
  Var shp = cast(node.input(0), DType::Int64);
  return std::vector<ShapeVec>{{subtensor(shp, 0), subtensor(shp, 1)}};
}

std::vector<Var> ConstructSparseFromList::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (!g[0] || is_disconnected(g[0]) || is_null(g[0])) return {disconnected_var(), disconnected_var(), disconnected_var()};
  Var gd = sparse_type(g[0]) ? sparse::dense_from_sparse(g[0]) : g[0];
  Var gy = advanced_subtensor1(gd, node.input(2));
  const DType vd = tensor_type(node.input(1))->elem();
  if (tensor_type(gy)->elem() != vd) gy = cast(gy, vd);
  return {disconnected_var(), gy, disconnected_var()};
}

std::vector<Var> ConstructSparseFromList::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (!ev[1]) return {Var()};
  return {apply1(*this, {node.input(0), ev[1], node.input(2)})};
}

namespace sparse {

Var construct_sparse_from_list(const Var& x_in, const Var& values, const Var& ilist) {
  if (!x_in) type_error("[", ConstructSparseFromList::kName, "] x is None");
  if (sparse_type(x_in)) type_error("[", ConstructSparseFromList::kName, "] x must be a dense matrix (it gives the shape), got ", x_in.type()->str());
  Var x = as_tensor_variable(x_in);
  const TensorType& xt = expect_dense(x, ConstructSparseFromList::kName);
  if (xt.ndim() != 2) type_error("[", ConstructSparseFromList::kName, "] cannot create a sparse matrix with ", xt.ndim(), " dimensions");
  return apply1(*std::make_shared<ConstructSparseFromList>(ConstructSparseFromListParams{xt.elem()}),
                {shape(x), values, ilist});
}

void register_sparse_grad_builder() {
  set_sparse_grad_builder([](const Var& x, const Var& gz, const Var& idx) {
    const TensorType* t = tensor_type(x);
    if (!t || t->ndim() != 2)
      type_error("[AdvancedSubtensor1] you can't take the sparse grad from a tensor with ndim != 2. ndim is ",
                 t ? t->ndim() : -1);
    return construct_sparse_from_list(x, gz, idx);
  });
}

Var sparse_grad(const Var& v) {
  register_sparse_grad_builder();
  return hypatia::sparse_grad(v);
}

}  // namespace sparse
}  // namespace hypatia
