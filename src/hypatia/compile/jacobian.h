// jacobian and hessian (theano.gradient.jacobian / hessian). Theano loops with scan; until
// Hypatia has scan, the loop is an op that owns a compiled inner graph (OpFromGraph-style).
#pragma once
#include <memory>
#include <mutex>

#include "hypatia/grad/grad.h"
#include "hypatia/compile/function.h"

namespace hypatia {

/// Rows of a Jacobian. Inputs: the root variables the inner graph reads, then the expression
/// (whose length is the number of rows). perform() runs the inner function once per element
/// i of the expression with a one-hot projection e_i and stacks the results: output k has
/// shape (len(expression),) + shape(wrt[k]) and row i = d expression[i] / d wrt[k].
class JacobianOp final : public Op {
 public:
  /// `inner` takes (roots..., projection) and returns one gradient per wrt.
  JacobianOp(FunctionPtr inner, std::vector<TypePtr> row_types, int n_roots, TypePtr projection_type);
  std::string name() const override { return "Jacobian"; }
  std::string str() const override;
  bool equals(const Op& other) const override { return this == &other; }
  size_t hash() const override { return std::hash<const void*>()(this); }
  ApplyPtr make_node(const std::vector<Var>& inputs) const override;
  void perform(const Apply& node, const Value* const* inputs, Value* outputs) const override;
  /// The expression input only gives the row count: it is not differentiable through here.
  std::vector<std::vector<bool>> connection_pattern(const Apply& node) const override;
  bool constant_foldable(const Apply&) const override { return false; }

 private:
  FunctionPtr inner_;
  std::vector<TypePtr> row_types_;
  int n_roots_;
  TypePtr projection_type_;
  mutable std::mutex mu_;  // the inner Function keeps per-call state
};

/// d expression[i] / d wrt[k] for a 0-d or 1-d expression (theano.gradient.jacobian). A 0-d
/// expression gives grad(expression, wrt). For a 1-d one, result k has shape
/// (len(expression),) + shape(wrt[k]). Options follow grad (consider_constant,
/// disconnected_inputs); other options are ignored.
std::vector<Var> jacobian(const Var& expression, const std::vector<Var>& wrt, const GradOptions& opts = {});
template <std::same_as<Var> V>
Var jacobian(const Var& expression, const V& wrt, const GradOptions& opts = {}) {
  return jacobian(expression, std::vector<Var>{wrt}, opts)[0];
}
/// The Hessian of a 0-d cost with respect to each 1-d wrt (theano.gradient.hessian).
std::vector<Var> hessian(const Var& cost, const std::vector<Var>& wrt, const GradOptions& opts = {});
template <std::same_as<Var> V>
Var hessian(const Var& cost, const V& wrt, const GradOptions& opts = {}) {
  return hessian(cost, std::vector<Var>{wrt}, opts)[0];
}

}  // namespace hypatia
