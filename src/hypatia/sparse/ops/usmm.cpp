// Usmm and UsmmCscDense: typing, kernels (spmm accumulating alpha * x . y into z), shapes,
// gradients; builders.
#include "hypatia/sparse/ops/usmm.h"

#include <algorithm>

#include "hypatia/sparse/kernels/kernels.h"
#include "hypatia/sparse/kernels/spmm.h"
#include "hypatia/sparse/kernels/spmm_tiled.h"
#include "hypatia/sparse/ops/arith.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/convert.h"
#include "hypatia/sparse/ops/dot.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/util/parallel.h"
#include "hypatia/value/sparse_view.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

namespace {


int operand_ndim(const Var& v, const std::string& who) {
  if (sparse_type(v)) return 2;
  const TensorType& t = expect_dense(v, who);
  if (t.ndim() != 1 && t.ndim() != 2) type_error("[", who, "] a dense operand must be a matrix or a vector, got ", t.str());
  return t.ndim();
}

// Checks (alpha, x, y, z) and returns the output rank and dtype.
std::pair<int, DType> usmm_signature(const std::vector<Var>& in, const std::string& who) {
  const TensorType& a = expect_dense(in[0], who);
  if (a.ndim() != 0) type_error("[", who, "] alpha must be a scalar (0-d tensor), got ", a.str());
  const int xd = operand_ndim(in[1], who), yd = operand_ndim(in[2], who);
  if (!sparse_type(in[1]) && !sparse_type(in[2])) type_error("[", who, "] x or y must be sparse");
  const int nd = (xd - 1) + (yd - 1);
  const TensorType& z = expect_dense(in[3], who);
  if (z.ndim() != nd) type_error("[", who, "] z must have the product's rank ", nd, ", got ", z.str());
  DType d = upcast(a.elem(), z.elem());
  d = upcast(d, *in[1].type()->dtype());
  d = upcast(d, *in[2].type()->dtype());
  return {nd, d};
}

Shape product_shape_of(const Value& x, const Value& y) {
  Shape out;
  auto shp = [](const Value& v) { return is_sparse(v) ? std::get<SparseMatrix>(v).shape() : std::get<NDArray>(v).shape(); };
  Shape xs = shp(x), ys = shp(y);
  if (xs.size() == 2) out.push_back(xs[0]);
  if (ys.size() == 2) out.push_back(ys[1]);
  return out;
}

// out += alpha * t, elementwise (same dtype, C-contiguous out).
void axpy(NDArray& out, const NDArray& alpha, const NDArray& t_in) {
  NDArray t = t_in.contiguous();
  dispatch_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, half>) {
      type_error("[", Usmm::kName, "] float16 is not supported");
    } else {
      const T a = alpha.item<T>();
      T* o = out.data<T>();
      const T* s = t.data<T>();
      for (int64_t i = 0; i < out.size(); ++i) {
        if constexpr (std::is_same_v<T, bool>) o[i] = o[i] || (a && s[i]);
        else o[i] = static_cast<T>(o[i] + a * s[i]);
      }
    }
  });
}

// out += alpha * x . y for a csc x, a dense y with unit column stride and a C-contiguous out,
// all float32 or all float64 (the sparse MLP's weight update W := W - lr * x^T g). The entries
// are first grouped by the row of out they update (a stable counting sort, so each row keeps
// them in column order); then each row of out is read and written once, accumulating its
// alpha * x[i, o] * y[o, :] terms, where scattering column by column would touch the row once
// per entry. Every element sums its terms in the same order as the column-by-column scatter
// (increasing o), at any thread count: threads own disjoint blocks of rows. The inner loop is
// contiguous and vectorised. False when the operands do not fit (the generic path runs).
bool csc_dense_accumulate(const SparseMatrix& x, const NDArray& y, NDArray& out, double alpha) {
  const DType d = out.dtype();
  if ((d != DType::Float32 && d != DType::Float64) || x.format() != SparseFormat::CSC || x.dtype() != d ||
      y.dtype() != d || y.ndim() != 2 || out.ndim() != 2 || !out.is_c_contiguous() ||
      (y.shape(1) > 1 && y.strides()[1] != itemsize(d)) || y.strides()[0] % itemsize(d) != 0)
    return false;
  const int64_t n = out.shape(1), m = out.shape(0);
  const int64_t ldy = y.strides()[0] / itemsize(d);
  sk::visit(x, [&](auto v) {
    using T = sk::value_t<decltype(v)>;
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      const T a = static_cast<T>(alpha);
      const T* Y = y.data<T>();
      T* O = out.data<T>();
      // Row-grouped entries: for row i, positions [start[i], start[i + 1]) of (col, value).
      std::vector<int64_t> start(static_cast<size_t>(m) + 1, 0);
      for (int64_t k = 0; k < v.nnz; ++k) ++start[static_cast<size_t>(v.index(k)) + 1];
      for (int64_t i = 0; i < m; ++i) start[i + 1] += start[i];
      std::vector<int64_t> col(static_cast<size_t>(v.nnz));
      std::vector<T> val(static_cast<size_t>(v.nnz));
      {
        std::vector<int64_t> fill(start.begin(), start.end() - 1);
        for (int64_t o = 0; o < v.outer; ++o)
          for (int64_t k = v.begin(o); k < v.end(o); ++k) {
            const int64_t p = fill[static_cast<size_t>(v.index(k))]++;
            col[p] = o;
            val[p] = a * v.data[k];
          }
      }
      const int64_t work = v.nnz * n;
      const int nt = work >= (int64_t{1} << 16) && m > 1 ? std::max(1, ::hypatia::max_threads()) : 1;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 16) if (nt > 1)
      for (int64_t i = 0; i < m; ++i)
        if (start[i + 1] > start[i])
          sk::tiled::accumulate_row(O + i * n, Y, ldy, col.data() + start[i], val.data() + start[i],
                                    start[i + 1] - start[i], n);
    }
  });
  return true;
}

// z + alpha * x . y into `out` (C-contiguous, of dtype d, already holding z).
void usmm_accumulate(const Value& alpha_v, const Value& x, const Value& y, NDArray& out, DType d, const std::string& who) {
  const NDArray alpha = as_dtype(as_array(alpha_v, who.c_str()), d);
  if (const auto* xs = std::get_if<SparseMatrix>(&x); xs && is_array(y)) {
    const NDArray& b = std::get<NDArray>(y);
    if (xs->cols() != b.shape(0))
      value_error("[", who, "] shapes ", shape_str(xs->shape()), " and ", shape_str(b.shape()), " not aligned");
    if (csc_dense_accumulate(*xs, b, out, alpha.item<double>())) return;
    sk::spmm(sk::with_dtype(*xs, d), as_dtype(b, d), out, true, &alpha);
    return;
  }
  Value t = dot_values(x, y, d, who);
  if (const auto* s = std::get_if<SparseMatrix>(&t)) {
    NDArray dense = sk::to_dense(*s);
    axpy(out, alpha, dense);
  } else {
    axpy(out, alpha, std::get<NDArray>(t));
  }
}

const NDArray& checked_z(const Value* const* inputs, const std::string& who) {
  const NDArray& z = as_array(*inputs[3], who.c_str());
  Shape want = product_shape_of(*inputs[1], *inputs[2]);
  if (z.shape() != want)
    value_error("[", who, "] z has shape ", shape_str(z.shape()), " but x . y has shape ", shape_str(want));
  return z;
}

std::vector<Var> usmm_grads(const Apply& node, const Var& g) {
  if (no_grad(g)) return {disconnected_var(), disconnected_var(), disconnected_var(), disconnected_var()};
  const Var& alpha = node.input(0);
  const Var& x = node.input(1);
  const Var& y = node.input(2);
  const Var& z = node.input(3);
  Var xy = sparse::dot(x, y);
  if (sparse_type(xy)) xy = sparse::dense_from_sparse(xy, false);
  Var ga = sum(mul(g, xy));
  std::vector<Var> gxy = dot_grads(x, y, mul(alpha, g));
  return {fit_grad(ga, alpha), gxy[0], gxy[1], fit_grad(g, z)};
}

}  // namespace

// ---------------------------------------------------------------- Usmm

ApplyPtr Usmm::make_node_checked(const std::vector<Var>& inputs) const {
  auto [nd, d] = usmm_signature(inputs, kName);
  return Apply::create(ptr(), inputs, {dense_type(d, nd)});
}

void Usmm::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& z = checked_z(inputs, kName);
  const DType d = *node.output(0).type()->dtype();
  NDArray& out = prepare_output(outputs[0], d, z.shape());
  out.assign(z);
  usmm_accumulate(*inputs[0], *inputs[1], *inputs[2], out, d, kName);
}

std::optional<std::vector<ShapeVec>> Usmm::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[3]};
}

std::vector<Var> Usmm::vjp(const Apply& node, const std::vector<Var>& og) const { return usmm_grads(node, og[0]); }

// ---------------------------------------------------------------- UsmmCscDense

ApplyPtr UsmmCscDense::make_node_checked(const std::vector<Var>& inputs) const {
  auto [nd, d] = usmm_signature(inputs, kName);
  const SparseType* xt = sparse_type(inputs[1]);
  if (!xt || xt->format() != SparseFormat::CSC || sparse_type(inputs[2]))
    type_error("[", kName, "] x must be a csc matrix and y dense, got ", inputs[1].type()->str(), " and ",
               inputs[2].type()->str());
  if (d != tensor_type(inputs[3])->elem())
    type_error("[", kName, "] the output dtype ", dtype_name(d), " must be z's (", tensor_type(inputs[3])->str(), ")");
  return Apply::create(ptr(), inputs, {dense_type(d, nd)});
}

void UsmmCscDense::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& z = checked_z(inputs, kName);
  const DType d = *node.output(0).type()->dtype();
  NDArray& out = accumulator_output(outputs[0], z, d, params_.inplace);  // destroy_map {0: [3]}
  usmm_accumulate(*inputs[0], *inputs[1], *inputs[2], out, d, kName);
}

std::shared_ptr<const Op> UsmmCscDense::inplace_variant(const std::vector<int>& allowed) const {
  if (params_.inplace || std::find(allowed.begin(), allowed.end(), 3) == allowed.end()) return nullptr;
  return std::make_shared<UsmmCscDense>(UsmmCscDenseParams{true});
}

std::optional<std::vector<ShapeVec>> UsmmCscDense::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[3]};
}

std::vector<Var> UsmmCscDense::vjp(const Apply& node, const std::vector<Var>& og) const {
  return usmm_grads(node, og[0]);
}

namespace sparse {

namespace {
Var scalar_alpha(const Var& alpha) {
  Var a = as_tensor_variable(alpha);
  const TensorType& t = *tensor_type(a);
  if (t.ndim() == 0) return a;
  for (bool b : t.broadcastable())
    if (!b) type_error("[", Usmm::kName, "] alpha must be a scalar, got ", t.str());
  return dimshuffle(a, {});
}
}  // namespace

Var usmm(const Var& alpha, const Var& x, const Var& y, const Var& z) {
  return apply1(*std::make_shared<Usmm>(), {scalar_alpha(alpha), x, y, z});
}

Var usmm_csc_dense(const Var& alpha, const Var& x, const Var& y, const Var& z, bool inplace) {
  return apply1(*std::make_shared<UsmmCscDense>(UsmmCscDenseParams{inplace}), {scalar_alpha(alpha), x, y, z});
}

}  // namespace sparse

}  // namespace hypatia
