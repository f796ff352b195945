// AddSS, AddSSData, AddSD, StructuredAddSV, MulSS, MulSD, MulSV, ColScale, RowScale, and their
// builders (add, sub, mul and true_div dispatch on which operands are sparse).
#include "hypatia/sparse/ops/arith.h"

#include "hypatia/sparse/api.h"
#include "hypatia/sparse/kernels/elemwise.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/convert.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/sparse/ops/reduce.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/util/parallel.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

namespace {

DType out_dtype(DType a, DType b, const std::string& who) {
  DType d = upcast(a, b);
  check_sparse_dtype(d, who);
  return d;
}

const NDArray& dense_input(const Value* const* inputs, int i, const std::string& who) {
  return as_array(*inputs[i], who.c_str());
}

void check_same_shape(const SparseMatrix& x, const SparseMatrix& y, const std::string& who) {
  if (x.rows() != y.rows() || x.cols() != y.cols())
    value_error("[", who, "] shape mismatch: ", shape_str(x.shape()), " and ", shape_str(y.shape()));
}

// The dense operand's runtime shape must broadcast to x's as its type allows (a length-1 axis
// stretches only when the type says it is broadcastable, as tensor elemwise ops).
void check_broadcast(const Apply& node, const SparseMatrix& x, const NDArray& y, const std::string& who) {
  const TensorType& t = *tensor_type(node.input(1));
  const int nd = y.ndim();
  const int64_t want[2] = {x.rows(), x.cols()};
  for (int d = 0; d < nd; ++d) {
    const int64_t target = want[2 - nd + d];
    if (y.shape(d) == target) continue;
    if (y.shape(d) == 1 && t.broadcastable()[d]) continue;
    value_error("[", who, "] shape mismatch: the dense operand has shape ", shape_str(y.shape()),
                " but the sparse matrix has shape ", shape_str(x.shape()));
  }
}

void check_vector(const SparseMatrix& x, const NDArray& v, int64_t n, const char* what, const std::string& who) {
  if (v.ndim() != 1 || v.shape(0) != n)
    value_error("[", who, "] the vector has shape ", shape_str(v.shape()), " but the sparse matrix of shape ",
                shape_str(x.shape()), " has ", n, " ", what);
}


}  // namespace

namespace sparse_ops {
// The structured part of g at x's stored entries, a sparse matrix of x's format.
Var structured_grad(const Var& g, const Var& x) {
  if (no_grad(g)) return g;
  if (!sparse_type(g)) return sparse::sample_dense(x, g);
  return sparse::mul_s_s(sparse::sp_ones_like(x), as_sparse_grad(g, x));
}
// gz (of a matrix) summed down to the shape of the dense operand y (0-d, vector or matrix).
Var reduce_to(const Var& gz, const Var& y) {
  const TensorType& t = *tensor_type(y);
  if (t.ndim() == 0) return hypatia::sum(gz);
  if (t.ndim() == 1) return hypatia::sum(gz, std::vector<int>{0});
  std::vector<int> axes;
  for (int d = 0; d < 2; ++d)
    if (t.broadcastable()[d]) axes.push_back(d);
  return axes.empty() ? gz : hypatia::sum(gz, axes, true);
}
}  // namespace sparse_ops

// ---------------------------------------------------------------- AddSS

ApplyPtr AddSS::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& x = expect_sparse(inputs[0], kName);
  const SparseType& y = expect_sparse(inputs[1], kName);
  return Apply::create(ptr(), inputs, {SparseType::make(x.format(), out_dtype(x.elem(), y.elem(), kName))});
}
void AddSS::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  const SparseMatrix& y = sparse_input(inputs, 1, kName);
  check_same_shape(x, y, kName);
  outputs[0] = sk::binary_ss(x, y, sk::SpBinary::Add, *node.output(0).type()->dtype(), kName);
}
// The merge checks every slice it reads, indices in range included (sparse_kernels::binary_ss).
bool AddSS::checks_input_indices(const Apply&, int) const { return true; }
std::optional<std::vector<ShapeVec>> AddSS::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<Var> AddSS::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  return {as_sparse_grad(g[0], node.input(0)), as_sparse_grad(g[0], node.input(1))};
}

// ---------------------------------------------------------------- AddSSData

ApplyPtr AddSSData::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& x = expect_sparse(inputs[0], kName);
  const SparseType& y = expect_sparse(inputs[1], kName);
  if (x.elem() != y.elem())
    type_error("[", kName, "] x and y must have the same dtype, got ", x.str(), " and ", y.str());
  if (x.format() != y.format())
    type_error("[", kName, "] x and y must have the same format, got ", x.str(), " and ", y.str());
  return Apply::create(ptr(), inputs, {inputs[0].type()});
}
void AddSSData::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  const SparseMatrix& y = sparse_input(inputs, 1, kName);
  check_same_shape(x, y, kName);
  if (x.nnz() != y.nnz())
    value_error("[", kName, "] x and y must have the same sparsity pattern, but they store ", x.nnz(), " and ",
                y.nnz(), " entries");
  NDArray yd = sk::stored_data(y);
  NDArray xd = sk::stored_data(x);
  NDArray sum(x.dtype(), {x.nnz()});
  dispatch_dtype(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* a = xd.data<T>();
    const T* b = yd.data<T>();
    T* o = sum.data<T>();
    const int64_t n = x.nnz();
#pragma omp parallel for if (n >= sk::kParallelWork) num_threads(::hypatia::max_threads())
    for (int64_t k = 0; k < n; ++k) {
      o[k] = a[k];
      sk::accumulate(o[k], b[k]);
    }
  });
  outputs[0] = sk::with_data(x, sum);
}
std::optional<std::vector<ShapeVec>> AddSSData::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<Var> AddSSData::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  return {structured_grad(g[0], node.input(0)), structured_grad(g[0], node.input(1))};
}

// ---------------------------------------------------------------- AddSD

ApplyPtr AddSD::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& x = expect_sparse(inputs[0], kName);
  const TensorType& y = expect_dense(inputs[1], kName);
  if (y.ndim() > 2) type_error("[", kName, "] the dense operand must have at most 2 dimensions, got ", y.str());
  return Apply::create(ptr(), inputs, {TensorType::make(upcast(x.elem(), y.elem()), {false, false})});
}
void AddSD::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  const NDArray& y = dense_input(inputs, 1, kName);
  check_broadcast(node, x, y, kName);
  outputs[0] = sk::binary_sd(x, y, sk::SpBinary::Add, *node.output(0).type()->dtype());
}
std::optional<std::vector<ShapeVec>> AddSD::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<Var> AddSD::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  Var gz = dense_grad(g[0]);
  return {sparse::sample_dense(node.input(0), gz), reduce_to(gz, node.input(1))};
}

// ---------------------------------------------------------------- StructuredAddSV

ApplyPtr StructuredAddSV::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& x = expect_sparse(inputs[0], kName);
  const TensorType& v = expect_dense(inputs[1], kName, 1);
  return Apply::create(ptr(), inputs, {SparseType::make(x.format(), out_dtype(x.elem(), v.elem(), kName))});
}
void StructuredAddSV::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  const NDArray& v = dense_input(inputs, 1, kName);
  check_vector(x, v, x.cols(), "columns", kName);
  outputs[0] = sk::map_dense(x, v, sk::SpMap::Add, *node.output(0).type()->dtype());
}
std::optional<std::vector<ShapeVec>> StructuredAddSV::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<Var> StructuredAddSV::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  Var gx = structured_grad(g[0], node.input(0));
  return {gx, sparse::sp_sum(gx, 0, true)};
}

// ---------------------------------------------------------------- MulSS

ApplyPtr MulSS::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& x = expect_sparse(inputs[0], kName);
  const SparseType& y = expect_sparse(inputs[1], kName);
  return Apply::create(ptr(), inputs, {SparseType::make(x.format(), out_dtype(x.elem(), y.elem(), kName))});
}
void MulSS::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  const SparseMatrix& y = sparse_input(inputs, 1, kName);
  check_same_shape(x, y, kName);
  outputs[0] = sk::binary_ss(x, y, sk::SpBinary::Mul, *node.output(0).type()->dtype(), kName);
}
// As AddSS: the merge checks every slice it reads.
bool MulSS::checks_input_indices(const Apply&, int) const { return true; }
std::optional<std::vector<ShapeVec>> MulSS::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<Var> MulSS::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  const Var &x = node.input(0), &y = node.input(1);
  return {as_sparse_grad(sparse::mul(y, g[0]), x), as_sparse_grad(sparse::mul(x, g[0]), y)};
}

// ---------------------------------------------------------------- MulSD

ApplyPtr MulSD::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& x = expect_sparse(inputs[0], kName);
  const TensorType& y = expect_dense(inputs[1], kName);
  if (y.ndim() > 2) type_error("[", kName, "] the dense operand must have at most 2 dimensions, got ", y.str());
  return Apply::create(ptr(), inputs, {SparseType::make(x.format(), out_dtype(x.elem(), y.elem(), kName))});
}
void MulSD::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  const NDArray& y = dense_input(inputs, 1, kName);
  check_broadcast(node, x, y, kName);
  outputs[0] = sk::map_dense(x, y, sk::SpMap::Mul, *node.output(0).type()->dtype());
}
std::optional<std::vector<ShapeVec>> MulSD::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<Var> MulSD::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  const Var &x = node.input(0), &y = node.input(1);
  Var gx = sparse_type(g[0]) ? sparse::mul_s_d(as_sparse_grad(g[0], x), y) : as_sparse_grad(hypatia::mul(g[0], y), x);
  Var xg = sparse::mul(x, g[0]);  // sparse, x's pattern
  const int yd = tensor_type(y)->ndim();
  Var gy = yd == 0 ? sparse::sp_sum(xg) : yd == 1 ? sparse::sp_sum(xg, 0) : reduce_to(sparse::dense_from_sparse(xg, false), y);
  return {gx, gy};
}

// ---------------------------------------------------------------- MulSV, ColScale, RowScale

namespace {
ApplyPtr make_sv(const Op& op, const std::vector<Var>& inputs, const std::string& who) {
  const SparseType& x = expect_sparse(inputs[0], who);
  const TensorType& v = expect_dense(inputs[1], who, 1);
  return Apply::create(op.shared_from_this(), inputs, {SparseType::make(x.format(), out_dtype(x.elem(), v.elem(), who))});
}
void perform_sv(const Apply& node, const Value* const* inputs, Value* outputs, bool rows, const std::string& who) {
  const SparseMatrix& x = sparse_input(inputs, 0, who);
  const NDArray& v = dense_input(inputs, 1, who);
  check_vector(x, v, rows ? x.rows() : x.cols(), rows ? "rows" : "columns", who);
  outputs[0] = sk::map_dense(x, rows ? v.reshape({v.shape(0), 1}) : v, sk::SpMap::Mul, *node.output(0).type()->dtype());
}
}  // namespace

ApplyPtr MulSV::make_node_checked(const std::vector<Var>& inputs) const { return make_sv(*this, inputs, kName); }
void MulSV::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  perform_sv(node, inputs, outputs, false, kName);
}
std::optional<std::vector<ShapeVec>> MulSV::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<Var> MulSV::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  const Var &x = node.input(0), &v = node.input(1);
  Var gz = as_sparse_grad(g[0], x);
  return {sparse::mul_s_v(gz, v), sparse::sp_sum(sparse::mul(x, gz), 0, true)};
}

ApplyPtr ColScale::make_node_checked(const std::vector<Var>& inputs) const { return make_sv(*this, inputs, kName); }
void ColScale::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  perform_sv(node, inputs, outputs, false, kName);
}
std::optional<std::vector<ShapeVec>> ColScale::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<Var> ColScale::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  const Var &x = node.input(0), &s = node.input(1);
  return {sparse::col_scale(structured_grad(g[0], x), s), sparse::sp_sum(sparse::mul(x, g[0]), 0)};
}

ApplyPtr RowScale::make_node_checked(const std::vector<Var>& inputs) const { return make_sv(*this, inputs, kName); }
void RowScale::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  perform_sv(node, inputs, outputs, true, kName);
}
std::optional<std::vector<ShapeVec>> RowScale::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}
std::vector<Var> RowScale::vjp(const Apply& node, const std::vector<Var>& g) const {
  if (no_grad(g[0])) return {disconnected_var(), disconnected_var()};
  const Var &x = node.input(0), &s = node.input(1);
  return {sparse::row_scale(structured_grad(g[0], x), s), sparse::sp_sum(sparse::mul(x, g[0]), 1)};
}

// ---------------------------------------------------------------- builders

namespace sparse {

Var add_s_s(const Var& x, const Var& y) { return apply_new<AddSS>({x, y}); }
Var add_s_d(const Var& x, const Var& y) { return apply_new<AddSD>({x, y}); }
Var add_s_s_data(const Var& x, const Var& y) { return apply_new<AddSSData>({x, y}); }
Var structured_add_s_v(const Var& x, const Var& v) { return apply_new<StructuredAddSV>({x, v}); }
Var mul_s_s(const Var& x, const Var& y) { return apply_new<MulSS>({x, y}); }
Var mul_s_d(const Var& x, const Var& y) { return apply_new<MulSD>({x, y}); }
Var mul_s_v(const Var& x, const Var& v) { return apply_new<MulSV>({x, v}); }
Var col_scale(const Var& x, const Var& s) { return apply_new<ColScale>({x, s}); }
Var row_scale(const Var& x, const Var& s) { return apply_new<RowScale>({x, s}); }

Var add(const Var& x, const Var& y) {
  auto [xs, ys] = sparse_operands(x, y, "add");
  if (xs && ys) return add_s_s(x, y);
  if (xs) return add_s_d(x, as_tensor_variable(y));
  return add_s_d(y, as_tensor_variable(x));
}

Var sub(const Var& x, const Var& y) {
  auto [xs, ys] = sparse_operands(x, y, "sub");
  for (const Var& v : {x, y})
    if (is_bool(*v.type()->dtype()))
      type_error("[sub] subtracting bool matrices is not supported (numpy forbids it too); use logical operations");
  if (xs && ys) return add_s_s(x, sparse::neg(y));
  if (xs) return add_s_d(x, hypatia::neg(as_tensor_variable(y)));
  return add_s_d(sparse::neg(y), as_tensor_variable(x));
}

Var mul(const Var& x, const Var& y) {
  auto [xs, ys] = sparse_operands(x, y, "mul");
  if (xs && ys) return mul_s_s(x, y);
  if (xs) return mul_s_d(x, as_tensor_variable(y));
  return mul_s_d(y, as_tensor_variable(x));
}

Var true_div(const Var& x, const Var& y) {
  if (!x || !y) type_error("[truediv] expected two variables, got None");
  if (is_sparse_variable(y))
    type_error("[truediv] dividing by a sparse matrix would divide by its implicit zeros; use the dense x / "
               "y.toarray()");
  if (!is_sparse_variable(x)) type_error("[truediv] the dividend must be sparse, got ", x.type()->str());
  if (y->is_constant() && y.type()->ndim() == 0 && is_array(*y->constant)) {
    const NDArray& c = std::get<NDArray>(*y->constant);
    if (!is_complex(c.dtype()) && !is_bool(c.dtype())) return sparse::mul(x, hypatia::constant(1.0 / c.item<double>()));
  }
  return sparse::mul(x, hypatia::true_div(constant_int(1), as_tensor_variable(y)));
}

}  // namespace sparse

}  // namespace hypatia
