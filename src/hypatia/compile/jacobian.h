// jacobian and hessian (theano.gradient.jacobian / hessian), built on scan as Theano builds them.
#pragma once
#include "hypatia/grad/grad.h"

namespace hypatia {

/// d expression[i] / d wrt[k] for a 0-d or 1-d expression (theano.gradient.jacobian). A 0-d
/// expression gives grad(expression, wrt). For a 1-d one, a scan over i computes
/// grad(expression[i], wrt[k]), so the result is itself differentiable; result k has shape
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
