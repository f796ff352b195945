// Structure-preserving unary sparse ops: Cast, Transpose, Neg, Remove0, EnsureSortedIndices.
#pragma once
#include "hypatia/graph/op.h"
#include "hypatia/value/sparse_matrix.h"

namespace hypatia {

struct SparseCastParams {
  DType dtype = DType::Float64;
  auto fields() const { return std::tie(dtype); }
};

/// Cast{dtype}: same format, stored values cast. Regular grad (Theano's sparse Cast.grad).
class SparseCast final : public OpBase<SparseCast, SparseCastParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Cast"; }
  std::string str() const override;
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

/// Transpose: the other format over the same arrays (no copy; the output views the input).
class SparseTranspose final : public OpBase<SparseTranspose, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Transpose"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
  ViewMap view_map() const override { return {{0, {0}}}; }
};

/// Neg: -x (stored values negated). Regular grad.
class SparseNeg final : public OpBase<SparseNeg, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Neg"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

/// Remove0: explicit zeros dropped. Regular grad (the output gradient).
class Remove0 final : public OpBase<Remove0, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "Remove0"; }
  std::string str() const override { return "Remove0{inplace=False}"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

/// EnsureSortedIndices: indices sorted within each outer slice. Regular grad.
class EnsureSortedIndices final : public OpBase<EnsureSortedIndices, NoParams> {
 public:
  using OpBase::OpBase;
  std::string name() const override { return "EnsureSortedIndices"; }
  std::string str() const override { return "EnsureSortedIndices{inplace=False}"; }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  std::optional<std::vector<ShapeVec>> infer_shape(const Apply& node, const std::vector<ShapeVec>& s) const override;
  std::vector<Var> vjp(const Apply& node, const std::vector<Var>& output_grads) const override;
  std::vector<Var> jvp(const Apply& node, const std::vector<Var>& eval_points) const override;
};

}  // namespace hypatia
