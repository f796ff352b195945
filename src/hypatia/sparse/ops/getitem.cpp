// GetItem2d, GetItemScalar, GetItemList(+Grad), GetItem2Lists(+Grad) and their builders.
#include "hypatia/sparse/ops/getitem.h"

#include "hypatia/sparse/api.h"
#include "hypatia/sparse/kernels/select.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/ops/subtensor.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

namespace sparse_ops {

std::vector<int64_t> normalized_indices(const Value& v, int64_t n, int axis, const std::string& who) {
  const NDArray a = as_array(v, who.c_str()).astype(DType::Int64);
  if (a.ndim() > 1) type_error("[", who, "] expected an integer vector of indices, got ", a.ndim(), " dimensions");
  std::vector<int64_t> r(a.data<int64_t>(), a.data<int64_t>() + a.size());
  for (int64_t& i : r) {
    if (i < -n || i >= n)
      raise(ErrorKind::Index, "[", who, "] index ", i, " is out of bounds for axis ", axis, " with size ", n);
    if (i < 0) i += n;
  }
  return r;
}

Var expect_int_index(const Var& v_in, int ndim, const std::string& who, const char* what) {
  if (!v_in) type_error("[", who, "] ", what, " is None");
  if (sparse_type(v_in)) type_error("[", who, "] ", what, " must be a dense integer tensor, got ", v_in.type()->str());
  Var v = as_tensor_variable(v_in);
  const TensorType* t = tensor_type(v);
  if (!t || !is_int(t->elem()) || t->ndim() != ndim)
    type_error("[", who, "] ", what, " must be an integer ", ndim == 0 ? "scalar" : "vector", ", got ", v.type()->str());
  return v;
}

}  // namespace sparse_ops

namespace {
int64_t scalar_index(const Value& v, int64_t n, int axis, const std::string& who) {
  return normalized_indices(v, n, axis, who)[0];
}
}  // namespace

// ---------------------------------------------------------------- GetItem2d

ApplyPtr GetItem2d::make_node_checked(const std::vector<Var>& in) const {
  // x, then one input per slice component present: the count depends on the parameters.
  const int want = 1 + __builtin_popcount(static_cast<unsigned>(params_.present));
  if (static_cast<int>(in.size()) != want)
    type_error("[", kName, "] expected ", want, want == 1 ? " input" : " inputs", ", got ", in.size());
  expect_sparse(in[0], kName);
  std::vector<Var> ins{in[0]};
  for (size_t k = 1; k < in.size(); ++k) ins.push_back(expect_int_index(in[k], 0, kName, "a slice bound or step"));
  return Apply::create(ptr(), ins, {in[0].type()});
}

void GetItem2d::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  std::vector<int64_t> sel[2];
  int k = 1;
  for (int ax = 0; ax < 2; ++ax) {
    int64_t v[3];
    const int64_t* p[3] = {nullptr, nullptr, nullptr};
    for (int c = 0; c < 3; ++c)
      if (params_.present & (1 << (3 * ax + c))) v[c] = subtensor_detail::read_index_scalar(*inputs[k++], kName), p[c] = &v[c];
    const int64_t n = ax == 0 ? x.rows() : x.cols();
    int64_t start, stop, step;
    normalize_slice(n, p[0], p[1], p[2], &start, &stop, &step, kName);
    int64_t len = 0;
    if (step > 0 && start < stop) len = (stop - start - 1) / step + 1;
    if (step < 0 && stop < start) len = (start - stop - 1) / (-step) + 1;
    sel[ax] = sk::slice_positions(start, step, len);
  }
  const bool all_rows = static_cast<int64_t>(sel[0].size()) == x.rows() && (x.rows() == 0 || (sel[0][0] == 0 && (x.rows() < 2 || sel[0][1] == 1)));
  const bool all_cols = static_cast<int64_t>(sel[1].size()) == x.cols() && (x.cols() == 0 || (sel[1][0] == 0 && (x.cols() < 2 || sel[1][1] == 1)));
  outputs[0] = sk::select_rows_cols(x, all_rows ? nullptr : &sel[0], all_cols ? nullptr : &sel[1]);
}

std::optional<std::vector<ShapeVec>> GetItem2d::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  ShapeVec out;
  int k = 1;
  for (int ax = 0; ax < 2; ++ax) {
    SliceLengthParams sp;
    std::vector<Var> ins{s[0][ax]};
    bool* has[3] = {&sp.has_start, &sp.has_stop, &sp.has_step};
    for (int c = 0; c < 3; ++c)
      if (params_.present & (1 << (3 * ax + c))) *has[c] = true, ins.push_back(node.input(k++));
    out.push_back(apply1(*std::make_shared<SliceLength>(sp), ins));
  }
  return std::vector<ShapeVec>{out};
}

std::vector<Var> GetItem2d::vjp(const Apply& node, const std::vector<Var>&) const {
  std::vector<Var> r(node.nin(), disconnected_var());
  r[0] = grad_not_implemented(*this, 0, "the reference implements no gradient for GetItem2d");
  return r;
}

std::vector<std::vector<bool>> GetItem2d::connection_pattern(const Apply& node) const {
  std::vector<std::vector<bool>> r(node.nin(), {false});
  r[0] = {true};
  return r;
}

// ---------------------------------------------------------------- GetItemScalar

ApplyPtr GetItemScalar::make_node_checked(const std::vector<Var>& in) const {
  const SparseType& t = expect_sparse(in[0], kName);
  return Apply::create(ptr(), {in[0], expect_int_index(in[1], 0, kName, "the row index"),
                               expect_int_index(in[2], 0, kName, "the column index")},
                       {TensorType::make(t.elem(), {})});
}

void GetItemScalar::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  const int64_t i = scalar_index(*inputs[1], x.rows(), 0, kName);
  const int64_t j = scalar_index(*inputs[2], x.cols(), 1, kName);
  outputs[0] = sk::gather_elements(x, {i}, {j}).reshape({});
}

std::optional<std::vector<ShapeVec>> GetItemScalar::infer_shape(const Apply&, const std::vector<ShapeVec>&) const {
  return std::vector<ShapeVec>{ShapeVec{}};
}

std::vector<Var> GetItemScalar::vjp(const Apply&, const std::vector<Var>&) const {
  return {grad_not_implemented(*this, 0, "the reference implements no gradient for GetItemScalar"), disconnected_var(),
          disconnected_var()};
}

std::vector<std::vector<bool>> GetItemScalar::connection_pattern(const Apply&) const { return {{true}, {false}, {false}}; }

// ---------------------------------------------------------------- GetItemList

ApplyPtr GetItemList::make_node_checked(const std::vector<Var>& in) const {
  expect_sparse(in[0], kName);
  return Apply::create(ptr(), {in[0], expect_int_index(in[1], 1, kName, "the index")}, {in[0].type()});
}

void GetItemList::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  const std::vector<int64_t> rows = normalized_indices(*inputs[1], x.rows(), 0, kName);
  outputs[0] = sk::select_rows_cols(x, &rows, nullptr);
}

std::optional<std::vector<ShapeVec>> GetItemList::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[1][0], s[0][1]}};
}

std::vector<Var> GetItemList::vjp(const Apply& node, const std::vector<Var>& g) const {
  Var gx = no_grad(g[0]) ? disconnected_var()
                         : sparse::get_item_list_grad(node.input(0), node.input(1), as_sparse_grad(g[0], node.output(0)));
  return {gx, grad_undefined(*this, 1, "No gradient for the index of GetItemList")};
}

std::vector<Var> GetItemList::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (!ev[0]) return {Var()};
  return {sparse::get_item_list(ev[0], node.input(1))};
}

// ---------------------------------------------------------------- GetItemListGrad

ApplyPtr GetItemListGrad::make_node_checked(const std::vector<Var>& in) const {
  expect_sparse(in[0], kName);
  expect_sparse(in[2], kName);
  return Apply::create(ptr(), {in[0], expect_int_index(in[1], 1, kName, "the index"), in[2]}, {in[0].type()});
}

void GetItemListGrad::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  const SparseMatrix& gz = sparse_input(inputs, 2, kName);
  const std::vector<int64_t> rows = normalized_indices(*inputs[1], x.rows(), 0, kName);
  if (gz.rows() != static_cast<int64_t>(rows.size()) || gz.cols() != x.cols())
    value_error("[", kName, "] gz has shape ", shape_str(gz.shape()), ", expected (", rows.size(), ", ", x.cols(), ")");
  SparseMatrix r = sk::scatter_rows(gz, rows, x.rows(), x.format());
  outputs[0] = r.dtype() == x.dtype() ? r : sk::astype(r, x.dtype());
}

std::optional<std::vector<ShapeVec>> GetItemListGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> GetItemListGrad::vjp(const Apply&, const std::vector<Var>&) const {
  return {disconnected_var(), grad_undefined(*this, 1), grad_not_implemented(*this, 2)};
}

std::vector<std::vector<bool>> GetItemListGrad::connection_pattern(const Apply&) const { return {{false}, {true}, {true}}; }

// ---------------------------------------------------------------- GetItem2Lists

ApplyPtr GetItem2Lists::make_node_checked(const std::vector<Var>& in) const {
  const SparseType& t = expect_sparse(in[0], kName);
  return Apply::create(ptr(), {in[0], expect_int_index(in[1], 1, kName, "ind1"),
                               expect_int_index(in[2], 1, kName, "ind2")},
                       {TensorType::make(t.elem(), {false})});
}

namespace {
std::pair<std::vector<int64_t>, std::vector<int64_t>> two_lists(const Value* const* inputs, const SparseMatrix& x,
                                                                const std::string& who) {
  auto r = normalized_indices(*inputs[1], x.rows(), 0, who);
  auto c = normalized_indices(*inputs[2], x.cols(), 1, who);
  if (r.size() != c.size())
    value_error("[", who, "] ind1 and ind2 must have the same length, got ", r.size(), " and ", c.size());
  return {std::move(r), std::move(c)};
}
}  // namespace

void GetItem2Lists::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  auto [r, c] = two_lists(inputs, x, kName);
  outputs[0] = sk::gather_elements(x, r, c);
}

std::optional<std::vector<ShapeVec>> GetItem2Lists::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{{s[1][0]}};
}

std::vector<Var> GetItem2Lists::vjp(const Apply& node, const std::vector<Var>& g) const {
  Var gx = no_grad(g[0]) ? disconnected_var()
                         : sparse::get_item_2lists_grad(node.input(0), node.input(1), node.input(2), g[0]);
  return {gx, grad_undefined(*this, 1, "No gradient for ind1 of GetItem2Lists"),
          grad_undefined(*this, 2, "No gradient for ind2 of GetItem2Lists")};
}

// ---------------------------------------------------------------- GetItem2ListsGrad

ApplyPtr GetItem2ListsGrad::make_node_checked(const std::vector<Var>& in) const {
  expect_sparse(in[0], kName);
  expect_dense(in[3], kName, 1);
  return Apply::create(ptr(), {in[0], expect_int_index(in[1], 1, kName, "ind1"),
                               expect_int_index(in[2], 1, kName, "ind2"), in[3]},
                       {in[0].type()});
}

void GetItem2ListsGrad::perform(const Apply&, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  auto [r, c] = two_lists(inputs, x, kName);
  const NDArray& gz = as_array(*inputs[3], kName);
  if (gz.size() != static_cast<int64_t>(r.size()))
    value_error("[", kName, "] gz has ", gz.size(), " values for ", r.size(), " positions");
  outputs[0] = sk::from_triplets(x.format(), x.rows(), x.cols(), r, c, gz.astype(x.dtype()));
}

std::optional<std::vector<ShapeVec>> GetItem2ListsGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> GetItem2ListsGrad::vjp(const Apply& node, const std::vector<Var>& g) const {
  Var gg = no_grad(g[0]) ? disconnected_var()
                         : sparse::get_item_2lists(as_sparse_grad(g[0], node.input(0)), node.input(1), node.input(2));
  return {disconnected_var(), grad_undefined(*this, 1), grad_undefined(*this, 2), gg};
}

std::vector<std::vector<bool>> GetItem2ListsGrad::connection_pattern(const Apply&) const {
  return {{false}, {true}, {true}, {true}};
}

// ---------------------------------------------------------------- builders

namespace sparse {

namespace {
Var bound_var(const SliceBound& b) {
  if (b.var) return b.var;
  return constant(NDArray::scalar<int64_t>(*b.value));
}
[[noreturn]] void no_sparse_vectors() {
  raise(ErrorKind::NotImplemented,
        "[GetItem2d] sparse variables do not support x[M, N:O] or x[M:N, O]: there are no sparse vectors, and a sparse "
        "matrix result would break the numpy interface. Use x[M:M+1, N:O] or x[M:N, O:O+1] instead");
}
bool is_int_entry(const IndexEntry& e) {
  if (e.kind == IndexEntry::Kind::Int) return true;
  if (e.kind == IndexEntry::Kind::Array) {
    const TensorType* t = tensor_type(e.array);
    return t && t->ndim() == 0;
  }
  return false;
}
Var entry_var(const IndexEntry& e) {
  if (e.kind == IndexEntry::Kind::Int) return e.a.var ? e.a.var : constant(NDArray::scalar<int64_t>(*e.a.value));
  return e.array;
}
bool is_vector_entry(const IndexEntry& e) {
  if (e.kind != IndexEntry::Kind::Array) return false;
  const TensorType* t = tensor_type(e.array);
  return t && t->ndim() == 1;
}
}  // namespace

Var get_item_2d(const Var& x, const std::vector<IndexEntry>& index) {
  expect_sparse(x, GetItem2d::kName);
  if (index.empty() || index.size() > 2)
    raise(ErrorKind::Index, "[GetItem2d] a sparse matrix takes 1 or 2 indices, got ", index.size());
  GetItem2dParams p;
  std::vector<Var> ins{x};
  for (size_t ax = 0; ax < index.size(); ++ax) {
    const IndexEntry& e = index[ax];
    if (is_int_entry(e)) no_sparse_vectors();
    if (e.kind != IndexEntry::Kind::Slice)
      type_error("[", GetItem2d::kName, "] advanced indexing is not implemented for sparse matrices in this position; use "
                 "slices, x[int_vector] (get_item_list) or x[ind1, ind2] (get_item_2lists)");
    if (e.c.value && *e.c.value == 0) value_error("[", GetItem2d::kName, "] slice step cannot be zero");
    const SliceBound* b[3] = {&e.a, &e.b, &e.c};
    for (int c = 0; c < 3; ++c)
      if (!b[c]->none()) p.present |= 1 << (3 * ax + c), ins.push_back(bound_var(*b[c]));
  }
  return apply1(*std::make_shared<GetItem2d>(p), ins);
}

Var get_item_scalar(const Var& x, const Var& i, const Var& j) {
  return apply1(*std::make_shared<GetItemScalar>(), {x, i, j});
}
Var get_item_list(const Var& x, const Var& idx) { return apply1(*std::make_shared<GetItemList>(), {x, idx}); }
Var get_item_2lists(const Var& x, const Var& ind1, const Var& ind2) {
  return apply1(*std::make_shared<GetItem2Lists>(), {x, ind1, ind2});
}
Var get_item_list_grad(const Var& x, const Var& idx, const Var& gz) {
  return apply1(*std::make_shared<GetItemListGrad>(), {x, idx, gz});
}
Var get_item_2lists_grad(const Var& x, const Var& ind1, const Var& ind2, const Var& gz) {
  return apply1(*std::make_shared<GetItem2ListsGrad>(), {x, ind1, ind2, gz});
}

Var getitem(const Var& x, const std::vector<IndexEntry>& index) {
  expect_sparse(x, "getitem");
  if (index.size() == 2) {
    const bool i0 = is_int_entry(index[0]), i1 = is_int_entry(index[1]);
    if (i0 && i1) return get_item_scalar(x, entry_var(index[0]), entry_var(index[1]));
    if (is_vector_entry(index[0]) && is_vector_entry(index[1])) return get_item_2lists(x, index[0].array, index[1].array);
    if (i0 || i1) no_sparse_vectors();
    return get_item_2d(x, index);
  }
  if (index.size() == 1) {
    if (is_vector_entry(index[0])) return get_item_list(x, index[0].array);
    if (is_int_entry(index[0])) no_sparse_vectors();
  }
  return get_item_2d(x, index);
}

}  // namespace sparse
}  // namespace hypatia
