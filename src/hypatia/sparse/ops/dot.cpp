// StructuredDot, StructuredDotGradCSR/CSC, Dot (SparseDot) and TrueDot: typing, kernels, shapes,
// gradients; and their builders (declared in ops/dot.h).
#include "hypatia/sparse/ops/dot.h"

#include "hypatia/sparse/kernels/spmm.h"
#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/convert.h"
#include "hypatia/sparse/ops/csm.h"
#include "hypatia/sparse/ops/sampling.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/linalg.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

namespace {


// A product operand: sparse matrix, or dense matrix/vector.
struct Operand {
  bool sparse = false;
  int ndim = 2;
  DType dtype = DType::Float64;
  SparseFormat format = SparseFormat::CSR;
};

Operand operand(const Var& v, const std::string& who, bool allow_sparse = true, bool allow_dense = true) {
  if (!v) type_error("[", who, "] got None as an operand");
  if (const SparseType* t = sparse_type(v)) {
    if (!allow_sparse) expect_dense(v, who);
    return {true, 2, t->elem(), t->format()};
  }
  if (!allow_dense) expect_sparse(v, who);
  const TensorType& t = expect_dense(v, who);
  if (t.ndim() != 1 && t.ndim() != 2)
    type_error("[", who, "] a dense operand must be a matrix or a vector, got ", t.str());
  return {false, t.ndim(), t.elem(), SparseFormat::CSR};
}



// Dimension `axis` (0, or -1 for the last) of a sparse or dense operand, read without copying
// its shape.
int64_t dim_of(const Value& v, int axis, const std::string& who) {
  if (const auto* s = std::get_if<SparseMatrix>(&v)) return axis == 0 ? s->rows() : s->cols();
  const NDArray& a = as_array(v, who.c_str());
  return a.shape(axis < 0 ? a.ndim() - 1 : axis);
}

void check_aligned(const std::string& who, const Shape& a, const Shape& b) {
  const int64_t ka = a.back(), kb = b.front();
  if (ka != kb)
    value_error("[", who, "] shapes ", shape_str(a), " and ", shape_str(b), " not aligned: ", ka, " (dim ",
                a.size() - 1, ") != ", kb, " (dim 0)");
}


// The product's symbolic output shape: rows of x when x is a matrix, columns of y when y is.
std::optional<std::vector<ShapeVec>> product_shape(const Apply& node, const std::vector<ShapeVec>& s) {
  ShapeVec out;
  if (node.input(0).type()->ndim() == 2) out.push_back(s[0][0]);
  if (node.input(1).type()->ndim() == 2) out.push_back(s[1][1]);
  return std::vector<ShapeVec>{out};
}

Var transpose_any(const Var& v) { return sparse_type(v) ? sparse::transpose(v) : hypatia::transpose(v); }

// a . b for any mix of operands.
Var product(const Var& a, const Var& b) {
  if (sparse_type(a) || sparse_type(b)) return sparse::dot(a, b);
  return hypatia::dot(a, b);
}

// The forward derivative of a dense product x . y: dx . y + x (.) dy, where `dot_dy` is the
// product the op applies to its first operand (StructuredDot's is structured); null when no
// input has a direction.
Var product_jvp(const Apply& node, const std::vector<Var>& ev, Var (*dot_dy)(const Var&, const Var&)) {
  Var r;
  if (ev.size() > 0 && ev[0]) r = product(ev[0], node.input(1));
  if (ev.size() > 1 && ev[1]) {
    Var t = dot_dy(node.input(0), ev[1]);
    r = r ? add(r, t) : t;
  }
  return r ? fit_grad(r, node.output(0)) : Var();
}

}  // namespace

namespace sparse_ops {

// A gradient shaped as the input `like`: sparse of its format (and dtype) for sparse inputs,
// dense of its dtype otherwise; zeros for discrete inputs.
Var fit_grad(const Var& g, const Var& like) {
  if (const SparseType* t = sparse_type(like)) {
    if (!is_inexact(t->elem())) return sparse::sp_zeros_like(like);
    Var r = as_sparse_grad(g, like);
    if (sparse_type(r)->elem() != t->elem()) r = sparse::cast(r, t->elem());
    return r;
  }
  const TensorType& t = *tensor_type(like);
  if (!is_inexact(t.elem())) return zeros_like(like);
  Var r = dense_grad(g);
  if (tensor_type(r)->elem() != t.elem()) r = hypatia::cast(r, t.elem());
  return r;
}

std::vector<Var> dot_grads(const Var& x, const Var& y, const Var& g) {
  const int xd = x.type()->ndim(), yd = y.type()->ndim();
  Var gx, gy;
  // gx = g . y^T and gy = x^T . g; a vector operand makes the other's gradient an outer product.
  if (yd == 1) gx = outer(dense_grad(g), y);
  else gx = product(g, transpose_any(y));
  if (xd == 1) gy = outer(x, dense_grad(g));
  else gy = product(transpose_any(x), g);
  return {fit_grad(gx, x), fit_grad(gy, y)};
}

void dot_into(const Value& xv, const Value& yv, DType d, const std::string& who, Value& out) {
  const auto* xs = std::get_if<SparseMatrix>(&xv);
  const auto* ys = std::get_if<SparseMatrix>(&yv);
  // The operands are read in place when they have dtype d (no copy of their descriptors).
  std::optional<SparseMatrix> xt, yt;
  std::optional<NDArray> dt;
  if (dim_of(xv, -1, who) != dim_of(yv, 0, who)) check_aligned(who, value_shape(xv), value_shape(yv));
  if (xs && ys) {
    out = sk::spgemm(in_dtype(*xs, d, xt), in_dtype(*ys, d, yt));
    return;
  }
  if (xs) {
    const NDArray& b = as_array(yv, who.c_str());
    Shape os = b.ndim() == 1 ? Shape{xs->rows()} : Shape{xs->rows(), b.shape(1)};
    NDArray& o = prepare_output(out, d, os);
    sk::spmm(in_dtype(*xs, d, xt), in_dtype(b, d, dt), o, false, nullptr, who.c_str());
    return;
  }
  if (!ys) type_error("[", who, "] at least one operand must be sparse");
  const NDArray& a = as_array(xv, who.c_str());
  Shape os = a.ndim() == 1 ? Shape{ys->cols()} : Shape{a.shape(0), ys->cols()};
  NDArray& o = prepare_output(out, d, os);
  sk::dense_spmm(in_dtype(a, d, dt), in_dtype(*ys, d, yt), o);
}

Value dot_values(const Value& x, const Value& y, DType d, const std::string& who) {
  Value out;
  dot_into(x, y, d, who, out);
  return out;
}

}  // namespace sparse_ops

// ---------------------------------------------------------------- StructuredDot

ApplyPtr StructuredDot::make_node_checked(const std::vector<Var>& inputs) const {
  Operand a = operand(inputs[0], kName, true, false);
  Operand b = operand(inputs[1], kName);
  const DType d = upcast(a.dtype, b.dtype);
  if (b.sparse) {
    check_sparse_dtype(d, kName);
    return Apply::create(ptr(), inputs, {SparseType::make(a.format, d)});
  }
  return Apply::create(ptr(), inputs, {dense_type(d, b.ndim)});
}

void StructuredDot::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  sparse_input(inputs, 0, kName);
  dot_into(*inputs[0], *inputs[1], *node.output(0).type()->dtype(), kName, outputs[0]);
}

// sparse . dense: spmm checks a's indices (fused into its pass) before the rows of b they name
// are read. The other forms (sparse b) read indices unchecked.
bool StructuredDot::checks_input_indices(const Apply& node, int i) const {
  return i == 0 && sparse_type(node.input(0)) && !sparse_type(node.input(1));
}

std::optional<std::vector<ShapeVec>> StructuredDot::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  return product_shape(node, s);
}

std::vector<Var> StructuredDot::vjp(const Apply& node, const std::vector<Var>& og) const {
  const Var& a = node.input(0);
  const Var& b = node.input(1);
  if (no_grad(og[0])) return {disconnected_var(), disconnected_var()};
  const Var& g = og[0];
  Var ga, gb;
  if (!sparse_type(b)) {
    // Structured: only a's stored entries, dot(g[i, :], b[j, :]) each (an SDDMM).
    Var gd = dense_grad(g);
    ga = sparse::structured_dot_grad(a, b, gd);
    gb = sparse::structured_dot(sparse::transpose(a), gd);
  } else {
    // sparse . sparse: (g . b^T) read at a's stored entries; b's gradient a^T . g (regular).
    ga = sparse::sample_sparse(a, product(g, sparse::transpose(b)), false);
    gb = product(sparse::transpose(a), g);
  }
  return {fit_grad(ga, a), fit_grad(gb, b)};
}

std::vector<Var> StructuredDot::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (sparse_type(node.output(0))) return Op::jvp(node, ev);
  return {product_jvp(node, ev, sparse::structured_dot)};
}

// ---------------------------------------------------------------- StructuredDotGradCSR/CSC

namespace {
// An index array of a user's structure as int32/int64, contiguous (other integer dtypes widened).
NDArray index_array(const NDArray& a) {
  if (a.dtype() == DType::Int32 || a.dtype() == DType::Int64) return a.contiguous();
  return a.astype(DType::Int64);
}
}  // namespace

ApplyPtr StructuredDotGrad::make_node_checked(const std::vector<Var>& inputs) const {
  const std::string who = name();
  const char* names[] = {"a_indices", "a_indptr"};
  for (int i = 0; i < 2; ++i) {
    if (sparse_type(inputs[i]))
      type_error("[", who, "] ", names[i], " must be a vector of integers, got ", inputs[i].type()->str());
    const TensorType& t = expect_dense(inputs[i], who);
    if (t.ndim() != 1 || !is_int(t.elem()))
      type_error("[", who, "] ", names[i], " must be a vector of integers, got ", t.str());
  }
  Operand b = operand(inputs[2], who, false, true);
  Operand g = operand(inputs[3], who, false, true);
  if (b.ndim != g.ndim) type_error("[", who, "] b and g_ab must have the same rank, got ", b.ndim, " and ", g.ndim);
  check_sparse_dtype(g.dtype, who);
  return Apply::create(ptr(), inputs, {dense_type(g.dtype, 1)});
}

void StructuredDotGrad::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const std::string who = name();
  const NDArray ix = index_array(as_array(*inputs[0], who.c_str()));
  const NDArray ip = index_array(as_array(*inputs[1], who.c_str()));
  const NDArray& b = as_array(*inputs[2], who.c_str());
  const NDArray& g = as_array(*inputs[3], who.c_str());
  if (ip.size() < 1) value_error("[", who, "] a_indptr must have at least one entry, got an empty array");
  const bool csr = params_.format == SparseFormat::CSR;
  // a is (g_ab rows x b rows); its outer dimension is read from a_indptr.
  const int64_t outer = ip.size() - 1, rows = csr ? outer : g.shape(0), cols = csr ? b.shape(0) : outer;
  if (g.shape(0) != rows || b.shape(0) != cols || (b.ndim() == 2 && b.shape(1) != g.shape(1)))
    value_error("[", who, "] shapes do not match: a has ", outer, csr ? " rows" : " columns", " (a_indptr has ",
                ip.size(), " entries), b ", shape_str(b.shape()), ", g_ab ", shape_str(g.shape()));
  // The structure is validated before the kernel reads through it (docs/semantics.md, "Sparse values at the boundary").
  const DType work = upcast(b.dtype(), g.dtype()), out_dtype = *node.output(0).type()->dtype();
  const SparseMatrix pattern(params_.format, rows, cols, NDArray(work, {ix.size()}), ix, ip);
  pattern.validate(who);
  NDArray data = sk::sddmm(pattern, as_dtype(g, work), as_dtype(b, work), false, work);
  if (data.size() != ix.size()) {  // entries past a_indptr[-1] are not stored entries: 0
    NDArray full = NDArray::zeros(work, {ix.size()});
    if (data.size() > 0) full.slice(0, 0, data.size(), 1).assign(data);
    data = full;
  }
  outputs[0] = as_dtype(data, out_dtype);
}

std::optional<std::vector<ShapeVec>> StructuredDotGrad::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> StructuredDotGrad::vjp(const Apply&, const std::vector<Var>&) const {
  return {disconnected_var(), disconnected_var(), grad_not_implemented(*this, 2), grad_not_implemented(*this, 3)};
}

// ---------------------------------------------------------------- Dot

ApplyPtr SparseDot::make_node_checked(const std::vector<Var>& inputs) const {
  Operand x = operand(inputs[0], kName);
  Operand y = operand(inputs[1], kName);
  if (!x.sparse && !y.sparse)
    type_error("[", kName, "] at least one operand must be sparse; use hypatia.tensor.dot for two dense tensors");
  const DType d = upcast(x.dtype, y.dtype);
  // The reference: sparse.dot "returns a dense for perform", also for two sparse operands
  // (structured_dot and true_dot are the products that keep a sparse result).
  if (x.sparse && y.sparse) check_sparse_dtype(d, kName);
  const int nd = (x.sparse ? 1 : x.ndim - 1) + (y.sparse ? 1 : y.ndim - 1);
  return Apply::create(ptr(), inputs, {dense_type(d, nd)});
}

void SparseDot::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  if (is_sparse(*inputs[0]) && is_sparse(*inputs[1])) {
    Value product;
    dot_into(*inputs[0], *inputs[1], *node.output(0).type()->dtype(), kName, product);
    outputs[0] = as_sparse(product).to_dense();
    return;
  }
  dot_into(*inputs[0], *inputs[1], *node.output(0).type()->dtype(), kName, outputs[0]);
}

std::optional<std::vector<ShapeVec>> SparseDot::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  return product_shape(node, s);
}

std::vector<Var> SparseDot::vjp(const Apply& node, const std::vector<Var>& og) const {
  if (no_grad(og[0])) return {disconnected_var(), disconnected_var()};
  return dot_grads(node.input(0), node.input(1), og[0]);
}

std::vector<Var> SparseDot::jvp(const Apply& node, const std::vector<Var>& ev) const {
  if (sparse_type(node.output(0))) return Op::jvp(node, ev);
  return {product_jvp(node, ev, product)};
}

// ---------------------------------------------------------------- TrueDot

std::string TrueDot::str() const {
  return params_.grad_preserves_dense ? kName : "TrueDot{grad_preserves_dense=False}";
}

ApplyPtr TrueDot::make_node_checked(const std::vector<Var>& inputs) const {
  Operand x = operand(inputs[0], kName, true, false);
  Operand y = operand(inputs[1], kName);
  const DType d = upcast(x.dtype, y.dtype);
  if (!y.sparse && y.ndim == 1) return Apply::create(ptr(), inputs, {dense_type(d, 1)});
  check_sparse_dtype(d, kName);
  return Apply::create(ptr(), inputs, {SparseType::make(x.format, d)});
}

void TrueDot::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& x = sparse_input(inputs, 0, kName);
  const DType d = *node.output(0).type()->dtype();
  if (is_array(*inputs[1]) && std::get<NDArray>(*inputs[1]).ndim() == 2) {
    // The product of a sparse and a dense matrix is dense in general: compute it, then store it.
    Value tmp = dot_values(*inputs[0], *inputs[1], d, kName);
    outputs[0] = sk::from_dense(std::get<NDArray>(tmp), x.format());
    return;
  }
  dot_into(*inputs[0], *inputs[1], d, kName, outputs[0]);
}

std::optional<std::vector<ShapeVec>> TrueDot::infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const {
  return product_shape(node, s);
}

std::vector<Var> TrueDot::vjp(const Apply& node, const std::vector<Var>& og) const {
  if (no_grad(og[0])) return {disconnected_var(), disconnected_var()};
  const Var& x = node.input(0);
  const Var& y = node.input(1);
  Var g = og[0];
  if (y.type()->ndim() == 1) return dot_grads(x, y, dense_grad(g));
  // Theano's TrueDot.grad: [true_dot(gz, y.T), true_dot(x.T, gz)] with a sparse gz.
  if (!sparse_type(g)) g = sparse::sparse_from_dense(g, sparse_type(node.output(0))->format());
  Var gx = sparse::true_dot(g, transpose_any(y), params_.grad_preserves_dense);
  Var gy = sparse::true_dot(sparse::transpose(x), g, params_.grad_preserves_dense);
  if (!sparse_type(y) && !params_.grad_preserves_dense) {
    // A sparse gradient for a dense input, as Theano's grad_preserves_dense=False.
    const SparseType& t = *sparse_type(gy);
    if (tensor_type(y)->elem() != t.elem() && is_inexact(tensor_type(y)->elem()))
      gy = sparse::cast(gy, tensor_type(y)->elem());
    return {fit_grad(gx, x), gy};
  }
  return {fit_grad(gx, x), fit_grad(gy, y)};
}

// ---------------------------------------------------------------- builders

namespace sparse {

Var structured_dot(const Var& x, const Var& y) {
  if (!x || !y) type_error("[", StructuredDot::kName, "] got None as an operand");
  if (!sparse_type(x) && sparse_type(y)) {
    // Theano's structured_dot(dense, sparse): (y^T . x^T)^T, so y's gradient is structured too.
    const Var xt = x.type()->ndim() == 2 ? transpose_any(x) : x;
    Var r = apply1(*std::make_shared<StructuredDot>(), {sparse::transpose(y), xt});
    return r.type()->ndim() == 2 ? transpose_any(r) : r;
  }
  if (!sparse_type(x) && !sparse_type(y))
    type_error("[", StructuredDot::kName, "] at least one operand must be sparse, got ", x.type()->str(), " and ", y.type()->str(),
               "; use hypatia.tensor.dot for two dense tensors");
  return apply1(*std::make_shared<StructuredDot>(), {x, y});
}

Var dot(const Var& x, const Var& y) { return apply1(*std::make_shared<SparseDot>(), {x, y}); }

Var true_dot(const Var& x, const Var& y, bool grad_preserves_dense) {
  return apply1(*std::make_shared<TrueDot>(TrueDotParams{grad_preserves_dense}), {x, y});
}

Var structured_dot_grad(const Var& a, const Var& b, const Var& g) {
  const SparseType& t = expect_sparse(a, "StructuredDotGrad");
  const std::vector<Var> p = csm_properties(a);
  Var data = apply1(*std::make_shared<StructuredDotGrad>(StructuredDotGradParams{t.format()}), {p[1], p[2], b, g});
  return csm(t.format(), data, p[1], p[2], p[3]);
}

}  // namespace sparse

}  // namespace hypatia
