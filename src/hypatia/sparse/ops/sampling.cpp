// SamplingDot and SampleSparse: typing, SDDMM kernel, shapes, gradients; builders.
#include "hypatia/sparse/ops/sampling.h"

#include "hypatia/sparse/kernels/spmm.h"
#include "hypatia/sparse/ops/common.h"
#include "hypatia/sparse/ops/dot.h"
#include "hypatia/sparse/ops/unary.h"
#include "hypatia/tensor/basic.h"

namespace hypatia {
using namespace sparse_ops;
namespace sk = sparse_kernels;

namespace {
}  // namespace

// ---------------------------------------------------------------- SamplingDot

ApplyPtr SamplingDot::make_node_checked(const std::vector<Var>& inputs) const {
  const TensorType& x = expect_dense(inputs[0], kName);
  const TensorType& y = expect_dense(inputs[1], kName);
  const SparseType& p = expect_sparse(inputs[2], kName);
  if ((x.ndim() != 1 && x.ndim() != 2) || x.ndim() != y.ndim())
    type_error("[", kName, "] x and y must both be matrices (m x k and n x k) or both vectors, got ", x.str(), " and ",
               y.str());
  const DType d = upcast(upcast(x.elem(), y.elem()), p.elem());
  check_sparse_dtype(d, kName);
  return Apply::create(ptr(), inputs, {SparseType::make(p.format(), d)});
}

void SamplingDot::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const NDArray& x = as_array(*inputs[0], kName);
  const NDArray& y = as_array(*inputs[1], kName);
  const SparseMatrix& p = sparse_input(inputs, 2, kName);
  const bool mat = x.ndim() == 2;
  if (x.shape(0) != p.rows() || y.shape(0) != p.cols() || (mat && x.shape(1) != y.shape(1)))
    value_error("[", kName, "] shapes do not match: x ", shape_str(x.shape()), ", y ", shape_str(y.shape()),
                " and p ", shape_str(p.shape()), " (x is m x k, y is n x k, p is m x n)");
  const DType d = *node.output(0).type()->dtype();
  // The previous result's data array is reused when nothing else holds it (prepare_output).
  Value buf;
  if (const auto* prev = std::get_if<SparseMatrix>(outputs)) {
    buf = prev->data();
    outputs[0] = Value{};
  }
  NDArray& data = prepare_output(buf, d, {p.nnz()});
  sk::sddmm_into(p, as_dtype(x, d), as_dtype(y, d), true, d, data, kName);
  outputs[0] = sk::with_data(p, data);
}

// The SDDMM kernel checks p's indices block by block before it reads the rows they name.
bool SamplingDot::checks_input_indices(const Apply&, int i) const { return i == 2; }

std::optional<std::vector<ShapeVec>> SamplingDot::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[2]};
}

std::vector<Var> SamplingDot::vjp(const Apply& node, const std::vector<Var>& og) const {
  if (no_grad(og[0])) return {disconnected_var(), disconnected_var(), disconnected_var()};
  const Var& x = node.input(0);
  const Var& y = node.input(1);
  const Var& p = node.input(2);
  // out = p o (x y^T): with G the output gradient, (p o G) . y and (p o G)^T . x are the true
  // gradients of x and y; p's is structured: G o (x y^T) at p's stored entries.
  Var pg = sparse::sample_sparse(p, og[0], true);
  Var gx = sparse::structured_dot(pg, y);
  Var gy = sparse::structured_dot(sparse::transpose(pg), x);
  Var gp = sparse::sampling_dot(x, y, sparse::sample_sparse(p, og[0], false));
  return {fit_grad(gx, x), fit_grad(gy, y), fit_grad(gp, p)};
}

// ---------------------------------------------------------------- SampleSparse

ApplyPtr SampleSparse::make_node_checked(const std::vector<Var>& inputs) const {
  const SparseType& p = expect_sparse(inputs[0], kName);
  DType gd;
  if (const SparseType* g = sparse_type(inputs[1])) gd = g->elem();
  else gd = expect_dense(inputs[1], kName, 2).elem();
  const DType d = params_.scale ? upcast(p.elem(), gd) : gd;
  check_sparse_dtype(d, kName);
  return Apply::create(ptr(), inputs, {SparseType::make(p.format(), d)});
}

void SampleSparse::perform(const Apply& node, const Value* const* inputs, Value* outputs) const {
  const SparseMatrix& p = sparse_input(inputs, 0, kName);
  NDArray vals;
  if (const auto* g = std::get_if<SparseMatrix>(inputs[1])) {
    vals = sk::gather_sparse(p, *g);
  } else {
    vals = sk::gather_dense(p, as_array(*inputs[1], kName));
  }
  const DType d = *node.output(0).type()->dtype();
  vals = as_dtype(vals, d);
  if (params_.scale) {
    NDArray pv = as_dtype(sk::stored_data(p), d);
    dispatch_dtype(d, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<T, bool>) {
        bool* v = vals.data<bool>();
        const bool* w = pv.data<bool>();
        for (int64_t k = 0; k < vals.size(); ++k) v[k] = v[k] && w[k];
      } else if constexpr (std::is_same_v<T, half>) {
        type_error("[", kName, "] float16 is not a sparse dtype");
      } else {
        T* v = vals.data<T>();
        const T* w = pv.data<T>();
        for (int64_t k = 0; k < vals.size(); ++k) v[k] = static_cast<T>(v[k] * w[k]);
      }
    });
  }
  outputs[0] = sk::with_data(p, vals);
}

std::optional<std::vector<ShapeVec>> SampleSparse::infer_shape(const Apply&, const std::vector<ShapeVec>& s) const {
  return std::vector<ShapeVec>{s[0]};
}

std::vector<Var> SampleSparse::vjp(const Apply&, const std::vector<Var>&) const {
  return {grad_not_implemented(*this, 0), grad_not_implemented(*this, 1)};
}

namespace sparse {

Var sampling_dot(const Var& x, const Var& y, const Var& p) {
  return apply1(*std::make_shared<SamplingDot>(), {x, y, p});
}

Var sample_sparse(const Var& pattern, const Var& g, bool scale) {
  return apply1(*std::make_shared<SampleSparse>(SampleSparseParams{scale}), {pattern, g});
}

}  // namespace sparse

}  // namespace hypatia
