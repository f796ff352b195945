// Explicit BLAS ops (Theano's tensor.blas): Gemm, Gemv and Ger through CBLAS. The specialize
// rewrites in tensor/rewrites/blas.cpp introduce them; the in-place phase turns Gemm and Gemv
// into their {inplace} forms, which accumulate into the first operand's buffer.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

/// inplace: the output is accumulated into input 0's buffer (destroy_map {0: [0]}); only the
/// in-place phase (rewrite/inplace.h) chooses it.
struct BlasInplaceParams {
  bool inplace = false;
  auto fields() const { return std::tie(inplace); }
};

/// gemm(Z, a, X, Y, b) = b*Z + a*dot(X, Y): Z, X, Y matrices and a, b 0-d, all of one float
/// dtype (float32 or float64). Printed "Gemm{no_inplace}" or "Gemm{inplace}".
class Gemm final : public OpBase<Gemm, BlasInplaceParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Gemm"; }
  std::string str() const override { return params_.inplace ? "Gemm{inplace}" : "Gemm{no_inplace}"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  ViewMap destroy_map() const override { return params_.inplace ? ViewMap{{0, {0}}} : ViewMap{}; }
  std::shared_ptr<const Op> inplace_variant(const std::vector<int>& allowed) const override;
};

/// gemv(y, alpha, A, x, beta) = beta*y + alpha*dot(A, x): y, x vectors, A a matrix. Printed
/// "Gemv{no_inplace}" or "Gemv{inplace}".
class Gemv final : public OpBase<Gemv, BlasInplaceParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Gemv"; }
  std::string str() const override { return params_.inplace ? "Gemv{inplace}" : "Gemv{no_inplace}"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  ViewMap destroy_map() const override { return params_.inplace ? ViewMap{{0, {0}}} : ViewMap{}; }
  std::shared_ptr<const Op> inplace_variant(const std::vector<int>& allowed) const override;
};

/// ger(A, alpha, x, y) = A + alpha*outer(x, y). Printed "Ger{non-destructive}".
class Ger final : public OpBase<Ger, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Ger"; }
  std::string str() const override { return "Ger{non-destructive}"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

/// Theano's BatchedDot: out[i] = dot(x[i], y[i]) for x, y of 2 or 3 dims with equal batch
/// sizes ((B,M,K)x(B,K,N) -> (B,M,N), (B,M,K)x(B,K) -> (B,M), (B,K)x(B,K,N) -> (B,N),
/// (B,K)x(B,K) -> (B,)). A loop of per-batch gemm/gemv, OpenMP over large batches.
class BatchedDot final : public OpBase<BatchedDot, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "BatchedDot"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
};

}  // namespace hypatia
