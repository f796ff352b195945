// CSM, CSMProperties, CSMGrad and SparseNnz: the compressed arrays in and out of a sparse matrix;
// their builders, with sp_ones_like / sp_zeros_like (built from CSMProperties and CSM).
#include "hypatia/sparse/ops/csm.h"

#include "hypatia/sparse/api.h"
#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/indexing.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/shape.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

namespace {

const TypePtr& int_vector(DType d) {
  static const TypePtr i32 = TensorType::make(DType::Int32, {false});
  static const TypePtr i64 = TensorType::make(DType::Int64, {false});
  return d == DType::Int32 ? i32 : i64;
}

void expect_int_vector(const Var& v, const std::string& who, const char* what) {
  const TensorType& t = expect_dense(v, who);
  if (t.ndim() != 1 || !is_int(t.elem()))
    type_error("[", who, "] ", what, " must be a vector of integers, got ", t.str());
}

// An index array as int32/int64 owned by the result (a copy; other integer dtypes converted).
NDArray own_index_array(const NDArray& a) {
  if (a.dtype() == DType::Int32 || a.dtype() == DType::Int64) return a.copy();
  return a.astype(DType::Int64);
}

// The matrix given by compressed arrays (copied), validated with "[who]" messages.
SparseMatrix build_matrix(SparseFormat f, const NDArray& data, const NDArray& indices, const NDArray& indptr,
                          const NDArray& shape, const std::string& who) {
  if (shape.size() != 2) value_error("[", who, "] shape must have 2 entries, got ", shape.size());
  NDArray s = shape.astype(DType::Int64);
  const int64_t rows = s.data<int64_t>()[0], cols = s.data<int64_t>()[1];
  if (rows < 0 || cols < 0) value_error("[", who, "] negative shape (", rows, ", ", cols, ")");
  NDArray ix = own_index_array(indices), ip = own_index_array(indptr);
  if (ix.dtype() != ip.dtype()) {
    ix = ix.astype(DType::Int64);
    ip = ip.astype(DType::Int64);
  }
  SparseMatrix m(f, rows, cols, data.copy(), ix, ip);
  m.validate(who);
  return m;
}

// An int32 copy (or view) of the first n entries of an index array; ValueError if a value does
// not fit (matrices that need int64 indices have no int32 csm_indices).
NDArray as_int32(const NDArray& a, int64_t n, int64_t max_value) {
  NDArray head = a.size() == n ? a : a.slice(0, 0, n, 1);
  if (head.dtype() == DType::Int32) return head.contiguous();
  if (max_value > INT32_MAX)
    value_error("[", CSMProperties::kName, "] the matrix needs int64 indices (", max_value,
                " does not fit int32); csm_indices/csm_indptr are int32 as in Theano");
  return head.astype(DType::Int32);
}

}  // namespace

// ---------------------------------------------------------------- CSM

std::string CSM::str() const { return str_cat("CSM{", format_name(params_.format), "}"); }

ApplyPtr CSM::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& d = expect_dense(inputs[0], kName);
  if (d.ndim() != 1) type_error("[", kName, "] data must be a vector, got ", d.str());
  check_sparse_dtype(d.elem(), kName);
  expect_int_vector(inputs[1], kName, "indices");
  expect_int_vector(inputs[2], kName, "indptr");
  expect_int_vector(inputs[3], kName, "shape");
  return Apply::create(ptr(), inputs, {SparseType::make(params_.format, d.elem())});
}

void CSM::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  outputs[0] = build_matrix(params_.format, as_array(*inputs[0], kName), as_array(*inputs[1], kName),
                            as_array(*inputs[2], kName), as_array(*inputs[3], kName), kName);
}

std::optional<std::vector<ShapeVec>> CSM::infer_shape(const Apply& node, const std::vector<ShapeVec>&) const {
  // The entries of the shape vector, when the graph shows them: a constant, a MakeVector, or
  // the shape output of CSMProperties (whose entries are the shape of its input).
  const Var& sv = node.input(3);
  if (sv->is_constant()) {
    NDArray c = std::get<NDArray>(*sv->constant).astype(DType::Int64);
    if (c.size() != 2) return std::nullopt;
    return std::vector<ShapeVec>{{int64_constant(c.data<int64_t>()[0]), int64_constant(c.data<int64_t>()[1])}};
  }
  if (Apply* o = sv.owner()) {
    if (dynamic_cast<const MakeVector*>(o->op().get()) && o->nin() == 2)
      return std::vector<ShapeVec>{{o->input(0), o->input(1)}};
    if (dynamic_cast<const CSMProperties*>(o->op().get()) && sv->index == 3)
      return std::vector<ShapeVec>{{shape_i(o->input(0), 0), shape_i(o->input(0), 1)}};
  }
  // Otherwise the entries of the vector, read without building the matrix.
  Var shp = cast(sv, DType::Int64);
  return std::vector<ShapeVec>{{subtensor(shp, 0), subtensor(shp, 1)}};
}

std::vector<Var> CSM::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& gz = g[0];
  if (!gz || is_disconnected(gz) || is_null(gz))
    return {disconnected_var(), disconnected_var(), disconnected_var(), disconnected_var()};
  Var gs = as_sparse_grad(gz, node.output(0));
  std::vector<Var> gp = sparse::csm_properties(gs);
  std::vector<Var> ins = node.inputs();
  ins.insert(ins.end(), gp.begin(), gp.end());
  return {apply1(*std::make_shared<CSMGrad>(SparseFormatParams{params_.format}), ins), disconnected_var(),
          disconnected_var(), disconnected_var()};
}

std::vector<Var> CSM::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (!ev[0]) return {Var()};
  return {sparse::csm(params_.format, ev[0], node.input(1), node.input(2), node.input(3))};
}

// ---------------------------------------------------------------- CSMProperties

ApplyPtr CSMProperties::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& t = expect_sparse(inputs[0], kName);
  return Apply::create(ptr(), inputs,
                       {TensorType::make(t.elem(), {false}), int_vector(DType::Int32), int_vector(DType::Int32),
                        int_vector(DType::Int64)});
}

void CSMProperties::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  const int64_t n = x.nnz();
  outputs[0] = sk::stored_data(x);
  outputs[1] = as_int32(x.indices(), n, x.inner_size() - 1);
  outputs[2] = as_int32(x.indptr(), x.outer_size() + 1, n);
  NDArray& s = prepare_output(outputs[3], DType::Int64, {2});
  s.data<int64_t>()[0] = x.rows();
  s.data<int64_t>()[1] = x.cols();
}

std::vector<Var> CSMProperties::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& x = node.input(0);
  if (!g[0] || is_disconnected(g[0]) || is_null(g[0])) return {sparse::sp_zeros_like(x)};
  std::vector<Var> p = sparse::csm_properties(x);
  return {sparse::csm(sparse_type(x)->format(), g[0], p[1], p[2], p[3])};
}

std::vector<Var> CSMProperties::jvp(const Apply&, const std::vector<Var>& ev) const {
  if (!ev[0]) return {Var(), Var(), Var(), Var()};
  return {sparse::csm_data(ev[0]), Var(), Var(), Var()};
}

std::optional<std::vector<ShapeVec>> CSMProperties::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  const Var& x = node.input(0);
  Var nnz = sparse::nnz(x);
  const int outer_axis = sparse_type(x)->format() == SparseFormat::CSR ? 0 : 1;
  Var ptr_len = add(s[0][outer_axis], int64_constant(1));
  return std::vector<ShapeVec>{{nnz}, {nnz}, {ptr_len}, {int64_constant(2)}};
}

// ---------------------------------------------------------------- SparseNnz

ApplyPtr SparseNnz::make_node_checked(const std::vector<Var>& inputs) const {
  expect_sparse(inputs[0], kName);
  return Apply::create(ptr(), inputs, {TensorType::make(DType::Int64, {})});
}

void SparseNnz::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  NDArray& out = prepare_output(outputs[0], DType::Int64, {});
  out.data<int64_t>()[0] = x.nnz();
}

std::optional<std::vector<ShapeVec>> SparseNnz::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{ShapeVec{}};
}

std::vector<Var> SparseNnz::vjp(const Apply&, const std::vector<Var>&) const { return {disconnected_var()}; }

// ---------------------------------------------------------------- CSMGrad

std::string CSMGrad::str() const { return str_cat("CSMGrad{", format_name(params_.format), "}"); }

ApplyPtr CSMGrad::make_node_checked(const std::vector<Var>& inputs) const {
  for (int i : {0, 4}) {
    const TensorType& t = expect_dense(inputs[i], kName);
    if (t.ndim() != 1) type_error("[", kName, "] ", i == 0 ? "x_data" : "g_data", " must be a vector, got ", t.str());
  }
  for (int i : {1, 2, 3, 5, 6, 7}) expect_int_vector(inputs[i], kName, "index inputs");
  return Apply::create(ptr(), inputs, {TensorType::make(*inputs[4].type()->dtype(), {false})});
}

void CSMGrad::perform(const Apply&, const Value* const* in, Value* outputs) const {
  auto arr = [&](int i) -> const NDArray& { return as_array(*in[i], kName); };
  SparseMatrix x = build_matrix(params_.format, arr(0), arr(1), arr(2), arr(3), kName);
  SparseMatrix g = build_matrix(params_.format, arr(4), arr(5), arr(6), arr(7), kName);
  NDArray got = sk::gather_sparse(x, g);
  const int64_t n_data = arr(0).size();
  if (got.size() == n_data) {
    outputs[0] = got;
    return;
  }
  NDArray out = NDArray::zeros(got.dtype(), {n_data});  // entries past nnz get no gradient
  out.slice(0, 0, got.size(), 1).assign(got);
  outputs[0] = out;
}

std::optional<std::vector<ShapeVec>> CSMGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> CSMGrad::vjp(const Apply&, const std::vector<Var>&) const {
  std::vector<Var> r;
  for (int i = 0; i < 8; ++i)
    r.push_back(i == 4 ? grad_not_implemented(*this, i) : disconnected_var());
  return r;
}

// ---------------------------------------------------------------- builders

namespace sparse {

Var csm(SparseFormat format, const Var& data, const Var& indices, const Var& indptr, const Var& shape) {
  return apply_new<CSM>({data, indices, indptr, shape}, SparseFormatParams{format});
}
Var CSR(const Var& data, const Var& indices, const Var& indptr, const Var& shape) {
  return csm(SparseFormat::CSR, data, indices, indptr, shape);
}
Var CSC(const Var& data, const Var& indices, const Var& indptr, const Var& shape) {
  return csm(SparseFormat::CSC, data, indices, indptr, shape);
}
std::vector<Var> csm_properties(const Var& x) { return apply_op(*std::make_shared<CSMProperties>(), {x}); }
Var csm_data(const Var& x) { return csm_properties(x)[0]; }
Var csm_indices(const Var& x) { return csm_properties(x)[1]; }
Var csm_indptr(const Var& x) { return csm_properties(x)[2]; }
Var csm_shape(const Var& x) { return csm_properties(x)[3]; }
Var nnz(const Var& x) { return apply1(*std::make_shared<SparseNnz>(), {x}); }
Var csm_grad(const std::vector<Var>& inputs) {
  // The format only decides how the arrays are read; infer it from the shapes is impossible for
  // square matrices, so CSMGrad is CSR-read here: both matrices are read the same way, which
  // gives the same result in either format.
  return apply_new<CSMGrad>(inputs, SparseFormatParams{SparseFormat::CSR});
}

Var sp_ones_like(const Var& x) {
  const SparseType& t = sparse_ops::expect_sparse(x, "sp_ones_like");
  std::vector<Var> p = csm_properties(x);
  return csm(t.format(), ones_like(p[0]), p[1], p[2], p[3]);
}

Var sp_zeros_like(const Var& x) {
  const SparseType& t = sparse_ops::expect_sparse(x, "sp_zeros_like");
  std::vector<Var> p = csm_properties(x);
  return csm(t.format(), hypatia::constant(NDArray(t.elem(), {0})), hypatia::constant(NDArray(DType::Int32, {0})),
             zeros_like(p[2]), p[3]);
}

}  // namespace sparse

}  // namespace hypatia
