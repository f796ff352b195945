// SparseBlockGemv / SparseBlockOuter: typing, shape and index checks, shapes, gradients, and the
// builders (sparse_block_gemv, sparse_block_outer, sparse_block_dot).
#include "hypatia/tensor/ops/blocksparse.h"

#include <algorithm>

#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/blocksparse.h"
#include "hypatia/tensor/kernels/blocksparse.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/indexing.h"

namespace hypatia {
namespace {

const TensorType& check_input(const Var& v, const char* op, const char* what, int ndim, bool integer) {
  const TensorType& t = check_tensor_input(v, op);
  if (t.ndim() != ndim)
    type_error("[", op, "] ", what, " must have ", ndim, " dimensions, got ", t.str());
  if (integer && !is_int(t.elem())) type_error("[", op, "] ", what, " must be an integer tensor, got ", t.str());
  if (!integer && !is_float(t.elem())) type_error("[", op, "] ", what, " must be a float tensor, got ", t.str());
  return t;
}

DType out_dtype(DType d) { return d == DType::Float16 ? DType::Float32 : d; }

// The array as dtype `d`, C-contiguous (no copy when it already is).
NDArray as_c(const NDArray& a, DType d) { return a.dtype() == d ? a.contiguous() : a.astype(d); }

void check_dim(const char* op, const char* what, int64_t got, int64_t want) {
  if (got != want) value_error("[", op, "] ", what, ": ", got, " != ", want);
}

// Indices as int64 in [0, n) (negative ones wrap as numpy's); IndexError otherwise.
NDArray checked_idx(const NDArray& idx, int64_t n, const char* op, const char* what) {
  NDArray r = idx.astype(DType::Int64);
  int64_t* p = r.data<int64_t>();
  for (int64_t k = 0; k < r.size(); ++k) {
    int64_t v = p[k];
    if (v < -n || v >= n) raise(ErrorKind::Index, "[", op, "] ", what, " ", v, " out of range for ", n, " blocks");
    if (v < 0) p[k] = v + n;
  }
  return r;
}

}  // namespace

// ---------------------------------------------------------------- SparseBlockGemv

ApplyPtr SparseBlockGemv::make_node_checked(const std::vector<Var>& in) const {
  std::vector<Var> inputs;
  for (const Var& v : in) inputs.push_back(as_tensor_variable(v));
  const char* op = kName;
  const TensorType& o = check_input(inputs[0], op, "o", 3, false);
  const TensorType& W = check_input(inputs[1], op, "W", 4, false);
  const TensorType& h = check_input(inputs[2], op, "h", 3, false);
  check_input(inputs[3], op, "inputIdx", 2, true);
  check_input(inputs[4], op, "outputIdx", 2, true);
  const DType d = out_dtype(upcast(upcast(o.elem(), W.elem()), h.elem()));
  return Apply::create(ptr(), inputs, {TensorType::make(d, o.broadcastable())});  // o's shape
}

void SparseBlockGemv::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const char* op = kName;
  const DType d = tensor_type(node.output(0))->elem();
  const NDArray& o = as_array(*inputs[0], op);
  const NDArray& W0 = as_array(*inputs[1], op);
  const NDArray& h0 = as_array(*inputs[2], op);
  const NDArray& ii = as_array(*inputs[3], op);
  const NDArray& oi = as_array(*inputs[4], op);
  const int64_t batch = o.shape(0), oWin = o.shape(1), oSize = o.shape(2);
  check_dim(op, "h.shape[0] (batch) vs o.shape[0]", h0.shape(0), batch);
  check_dim(op, "inputIdx.shape[0] (batch) vs o.shape[0]", ii.shape(0), batch);
  check_dim(op, "outputIdx.shape[0] (batch) vs o.shape[0]", oi.shape(0), batch);
  check_dim(op, "inputIdx.shape[1] (iWin) vs h.shape[1]", ii.shape(1), h0.shape(1));
  check_dim(op, "outputIdx.shape[1] (oWin) vs o.shape[1]", oi.shape(1), oWin);
  check_dim(op, "W.shape[2] (iSize) vs h.shape[2]", W0.shape(2), h0.shape(2));
  check_dim(op, "W.shape[3] (oSize) vs o.shape[2]", W0.shape(3), oSize);
  NDArray iIdx = checked_idx(ii, W0.shape(0), op, "inputIdx");
  NDArray oIdx = checked_idx(oi, W0.shape(1), op, "outputIdx");
  NDArray W = W0.dtype() == d ? W0 : W0.astype(d);  // any strides: the kernel reads blocks in place
  NDArray h = as_c(h0, d);
  NDArray& out = accumulator_output(outputs[0], o, d, params_.inplace);  // destroy_map {0: [0]}
  kernels::sparse_block_gemv_kernel(out, W, h, iIdx, oIdx);
}

std::shared_ptr<const Op> SparseBlockGemv::inplace_variant(const std::vector<int>& allowed) const {
  if (params_.inplace || std::find(allowed.begin(), allowed.end(), 0) == allowed.end()) return nullptr;
  return std::make_shared<SparseBlockGemv>(BlockSparseParams{true});
}

std::optional<std::vector<ShapeVec>> SparseBlockGemv::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<std::vector<bool>> SparseBlockGemv::connection_pattern(const Apply&) const {
  return {{true}, {true}, {true}, {false}, {false}};
}

std::vector<Var> SparseBlockGemv::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& o = node.input(0);
  const Var& W = node.input(1);
  const Var& h = node.input(2);
  const Var& iIdx = node.input(3);
  const Var& oIdx = node.input(4);
  Var go = g[0];
  if (!go || is_disconnected(go)) return std::vector<Var>(5, disconnected_var());
  auto like = [](const Var& gv, const Var& x) {
    DType dx = tensor_type(x)->elem();
    return tensor_type(gv)->elem() == dx ? gv : cast(gv, dx);
  };
  Var gW = sparse_block_outer(zeros_like(W), h, go, iIdx, oIdx);
  Var gh = sparse_block_gemv(zeros_like(h), dimshuffle(W, {1, 0, 3, 2}), go, oIdx, iIdx);
  return {like(go, o), like(gW, W), like(gh, h), disconnected_var(), disconnected_var()};
}

// ---------------------------------------------------------------- SparseBlockOuter

ApplyPtr SparseBlockOuter::make_node_checked(const std::vector<Var>& in) const {
  std::vector<Var> inputs;
  for (const Var& v : in) inputs.push_back(as_tensor_variable(v));
  const char* op = kName;
  const TensorType& o = check_input(inputs[0], op, "o", 4, false);
  const TensorType& x = check_input(inputs[1], op, "x", 3, false);
  const TensorType& y = check_input(inputs[2], op, "y", 3, false);
  check_input(inputs[3], op, "xIdx", 2, true);
  check_input(inputs[4], op, "yIdx", 2, true);
  const TensorType& a = check_tensor_input(inputs[5], op);
  if (a.ndim() != 0) type_error("[", kName, "] alpha must be a scalar, got ", a.str());
  const DType d = out_dtype(upcast(upcast(o.elem(), x.elem()), y.elem()));
  return Apply::create(ptr(), inputs, {TensorType::make(d, o.broadcastable())});  // o's shape
}

void SparseBlockOuter::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const char* op = kName;
  const DType d = tensor_type(node.output(0))->elem();
  const NDArray& o = as_array(*inputs[0], op);
  const NDArray& x0 = as_array(*inputs[1], op);
  const NDArray& y0 = as_array(*inputs[2], op);
  const NDArray& xi = as_array(*inputs[3], op);
  const NDArray& yi = as_array(*inputs[4], op);
  const double alpha = as_array(*inputs[5], op).astype(DType::Float64).data<double>()[0];
  const int64_t batch = x0.shape(0);
  check_dim(op, "y.shape[0] (batch) vs x.shape[0]", y0.shape(0), batch);
  check_dim(op, "xIdx.shape[0] (batch) vs x.shape[0]", xi.shape(0), batch);
  check_dim(op, "yIdx.shape[0] (batch) vs x.shape[0]", yi.shape(0), batch);
  check_dim(op, "xIdx.shape[1] (xWin) vs x.shape[1]", xi.shape(1), x0.shape(1));
  check_dim(op, "yIdx.shape[1] (yWin) vs y.shape[1]", yi.shape(1), y0.shape(1));
  check_dim(op, "o.shape[2] (xSize) vs x.shape[2]", o.shape(2), x0.shape(2));
  check_dim(op, "o.shape[3] (ySize) vs y.shape[2]", o.shape(3), y0.shape(2));
  NDArray xIdx = checked_idx(xi, o.shape(0), op, "xIdx");
  NDArray yIdx = checked_idx(yi, o.shape(1), op, "yIdx");
  NDArray x = as_c(x0, d), y = as_c(y0, d);
  NDArray& out = accumulator_output(outputs[0], o, d, params_.inplace);  // destroy_map {0: [0]}
  kernels::sparse_block_outer_kernel(out, x, y, xIdx, yIdx, alpha);
}

std::shared_ptr<const Op> SparseBlockOuter::inplace_variant(const std::vector<int>& allowed) const {
  if (params_.inplace || std::find(allowed.begin(), allowed.end(), 0) == allowed.end()) return nullptr;
  return std::make_shared<SparseBlockOuter>(BlockSparseParams{true});
}

std::optional<std::vector<ShapeVec>> SparseBlockOuter::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<std::vector<bool>> SparseBlockOuter::connection_pattern(const Apply&) const {
  return {{true}, {true}, {true}, {false}, {false}, {true}};
}

std::vector<Var> SparseBlockOuter::vjp(const Apply& node, const std::vector<Var>& g) const {
  const Var& o = node.input(0);
  const Var& x = node.input(1);
  const Var& y = node.input(2);
  const Var& xIdx = node.input(3);
  const Var& yIdx = node.input(4);
  const Var& alpha = node.input(5);
  Var go = g[0];
  if (!go || is_disconnected(go)) return std::vector<Var>(6, disconnected_var());
  auto like = [](const Var& gv, const Var& v) {
    DType dv = tensor_type(v)->elem();
    return tensor_type(gv)->elem() == dv ? gv : cast(gv, dv);
  };
  // gx[b, i] = alpha sum_j go[xIdx, yIdx] . y[b, j]: a gemv over go's transposed blocks.
  Var gx = mul(alpha, sparse_block_gemv(zeros_like(x), dimshuffle(go, {1, 0, 3, 2}), y, yIdx, xIdx));
  Var gy = mul(alpha, sparse_block_gemv(zeros_like(y), go, x, xIdx, yIdx));
  Var galpha = sum(mul(sparse_block_outer(zeros_like(go), x, y, xIdx, yIdx), go));
  Var ga = is_discrete(alpha) ? zeros_like(alpha) : like(galpha, alpha);
  return {like(go, o), like(gx, x), like(gy, y), disconnected_var(), disconnected_var(), ga};
}

// ---------------------------------------------------------------- builders

Var sparse_block_gemv(const Var& o, const Var& W, const Var& h, const Var& inputIdx, const Var& outputIdx) {
  return apply1(*std::make_shared<SparseBlockGemv>(), {o, W, h, inputIdx, outputIdx});
}

Var sparse_block_outer(const Var& o, const Var& x, const Var& y, const Var& xIdx, const Var& yIdx, const Var& alpha) {
  Var a = alpha ? as_tensor_variable(alpha) : constant(1.0);
  if (!alpha) {
    const DType d = out_dtype(tensor_type(as_tensor_variable(o))->elem());
    a = cast(a, d);
  }
  return apply1(*std::make_shared<SparseBlockOuter>(), {o, x, y, xIdx, yIdx, a});
}

Var sparse_block_dot(const Var& W, const Var& h, const Var& inputIdx, const Var& b, const Var& outputIdx) {
  Var bv = as_tensor_variable(b), oi = as_tensor_variable(outputIdx);
  const TensorType& tb = check_tensor_input(bv, "sparse_block_dot");
  if (tb.ndim() != 2) type_error("[sparse_block_dot] b must be a matrix (oBlocks, oSize), got ", tb.str());
  return sparse_block_gemv(take(bv, oi, 0), W, h, inputIdx, oi);
}

}  // namespace hypatia
