// IfElse: Theano's lazy branch, ifelse(cond, then, else), choosing whole values by a scalar condition.
#pragma once
#include <string>
#include <vector>

#include "hypatia/graph/op.h"

namespace hypatia {

/// IfElse's parameters (Theano's IfElse.__init__). Only n_outs and as_view make two ops
/// equal (Theano's __eq__): the name is for printing, so merge still fuses renamed copies.
struct IfElseParams {
  int n_outs = 1;
  bool as_view = false;
  std::string name;
  auto fields() const { return std::tie(n_outs, as_view); }
};

/// Theano's IfElse. Inputs (cond, then_1..then_n, else_1..else_n), outputs out_1..out_n with
/// out_i = cond ? then_i : else_i, cond a 0-d (bool, integer or float) tensor read as "non-zero".
/// The op is lazy (Op::lazy_branches): the VM computes cond first and only the nodes the
/// chosen branch needs, so the other branch's inputs reach perform() empty.
/// With as_view the outputs are the chosen inputs themselves (a view of either branch,
/// declared in view_map so that DestroyHandler never lets a node overwrite them, and Function
/// copies an output that shares memory with an input); without it perform copies them, as
/// Theano. The builder makes copying ops ("if{}"); the in-place phase turns them into views
/// ("if{inplace}", Theano's cond_make_inplace) through inplace_variant. Printed "if{name,inplace}".
class IfElse final : public OpBase<IfElse, IfElseParams> {
  HYPATIA_OP(IfElse, kVariadic, str, make_node, perform, infer_shape, vjp, jvp, connection_pattern, view_map,
             inplace_variant, lazy_branches, choose_branch)

 public:
  int n_outs() const { return params_.n_outs; }
  bool as_view() const { return params_.as_view; }
};

/// Theano's ifelse(condition, then_branch, else_branch, name): the then values when cond is
/// non-zero, else the else values; only the chosen branch is computed. cond must be a 0-d
/// dense tensor (TypeError "[IfElse] ..." for a non-scalar or a sparse one). The branches pair
/// up and each pair must have one type: a constant converts to the other branch's type, two
/// dense tensors of one dtype and rank that differ only in broadcastable flags both become
/// non-broadcastable where either is; anything else is a TypeError naming both types.
std::vector<Var> ifelse(const Var& cond, const std::vector<Var>& then_branch, const std::vector<Var>& else_branch,
                        const std::string& name = "");
/// One-variable ifelse.
Var ifelse(const Var& cond, const Var& then_branch, const Var& else_branch, const std::string& name = "");

/// Whether a condition value (a 0-d array) picks the then branch: non-zero, as Python's bool.
bool ifelse_condition_true(const Value& cond);

/// `v` converted to type `want` where a gradient or tangent may be of another type than the
/// branch it belongs to (a dense gradient of a sparse branch, another dtype or broadcastable
/// pattern); null when no conversion exists.
Var convert_to_type(const Var& v, const TypePtr& want);

}  // namespace hypatia
