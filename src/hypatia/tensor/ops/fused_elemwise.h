// FusedElemwise: several elementwise ops evaluated in one blocked pass (Theano's Composite fusion).
#pragma once
#include "hypatia/scalar/scalar_ops.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {

/// One step of a fused program: op(args...) where an argument < n_inputs names a fused input
/// and any other value names the result of step (arg - n_inputs).
struct FusedStep {
  ScalarOpId op;
  int arity;
  int args[2];
};

struct FusedElemwiseParams {
  std::vector<int64_t> program;  // flattened steps: op, arity, arg0, arg1
  int n_inputs = 0;
  DType dtype = DType::Float64;
  int inplace = -1;  // the input the output overwrites (destroy_map {0: [inplace]}); -1: none
  auto fields() const { return std::tie(program, n_inputs, dtype, inplace); }
};

/// A chain or tree of float elementwise ops computed block by block: each block of a few
/// thousand elements runs every step while it sits in cache, so a chain of k ops reads its
/// inputs and writes its output once instead of making k full-size temporaries, and blocks
/// are shared between threads. Printed "Elemwise{Composite{...}}" as Theano prints fusions;
/// the in-place variant (output written over input k, block by block) appends "[(0, k)]".
class FusedElemwise final : public OpBase<FusedElemwise, FusedElemwiseParams> {
  HYPATIA_OP(Elemwise, kVariadic, str, make_node, perform, infer_shape, vjp, jvp)
  /// Gradients and R_op go through the equivalent unfused graph.
  std::vector<FusedStep> steps() const;
  /// The same computation as ordinary Elemwise nodes over `inputs`.
  Var expand(const std::vector<Var>& inputs) const;
  ViewMap destroy_map() const override;
  std::shared_ptr<const Op> inplace_variant(const std::vector<int>& allowed) const override;
};

/// o[i] = op(a[i]) or op(a[i], b[i]) for i < n: one step of a fused program over a block (the
/// fused reductions run the same steps as FusedElemwise).
void fused_step(ScalarOpId id, const double* a, const double* b, double* o, int64_t n);
void fused_step(ScalarOpId id, const float* a, const float* b, float* o, int64_t n);

/// The gradients (R_op) of a node whose op computes the graph `expanded` over its inputs (the
/// fused ops): those of that graph, so a fused op needs no derivative of its own.
std::vector<Var> vjp_of_expansion(const Apply& node, const Var& expanded, const std::vector<Var>& output_grads);
std::vector<Var> jvp_of_expansion(const Apply& node, const Var& expanded, const std::vector<Var>& eval_points);

/// Whether a scalar op can be part of a fused float program.
bool fusable_scalar_op(ScalarOpId id);

}  // namespace hypatia
