// Creation ops: Eye, Tri, ARange, and the diagonal pair ExtractDiag / AllocDiag.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/tensor/tensor_type.h"

namespace hypatia {

struct DTypeParams {
  DType dtype = DType::Float64;
  auto fields() const { return std::tie(dtype); }
};

/// Eye{dtype}(n, m, k): n x m with ones on diagonal k (Theano's Eye).
class Eye final : public OpBase<Eye, DTypeParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Eye"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}, {false}, {false}}; }
};

/// Tri{dtype}(N, M, k): ones at and below diagonal k (numpy.tri).
class Tri final : public OpBase<Tri, DTypeParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Tri"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{false}, {false}, {false}}; }
};

/// ARange{dtype}(start, stop, step): numpy.arange.
class ARange final : public OpBase<ARange, DTypeParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "ARange"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}, {true}}; }
};

struct DiagParams {
  int offset = 0;
  int axis1 = 0;
  int axis2 = 1;
  auto fields() const { return std::tie(offset, axis1, axis2); }
};

/// ExtractDiag{offset, axis1, axis2}(x): numpy.diagonal (a fresh array); the diagonal becomes
/// the last axis.
class ExtractDiag final : public OpBase<ExtractDiag, DiagParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "ExtractDiag"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

/// AllocDiag{offset, axis1, axis2}(d, shape): zeros of `shape` with diagonal `offset` (of
/// axes axis1, axis2) set to d, whose last axis runs along the diagonal. The inverse of
/// ExtractDiag; diag(vector) is AllocDiag onto a square matrix.
class AllocDiag final : public OpBase<AllocDiag, DiagParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "AllocDiag"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
  std::vector<std::vector<bool>> connection_pattern(const Apply&) const override { return {{true}, {false}}; }
};

}  // namespace hypatia
