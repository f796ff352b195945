// subgraph_grad (theano.gradient.subgraph_grad): gradients of a piece of a graph, from known gradients and/or a cost.
#pragma once
#include <utility>
#include <vector>

#include "hypatia/graph/op.h"

namespace hypatia {

struct SubgraphGradResult {
  std::vector<Var> wrt_grads;    // d/d wrt, one per wrt
  std::vector<Var> end_grads;    // d/d end, one per end
  std::vector<Var> start_grads;  // the part from `start` alone, per wrt (empty without start)
  std::vector<Var> cost_grads;   // the part from `cost` alone, per wrt (empty without cost)
};

/// The gradients with respect to `wrt` and to `end` of `cost` plus the known gradients
/// `start` ((variable, gradient) pairs, Theano's known_grads), not back-propagated past the
/// `end` variables (considered constant). Disconnected inputs get zeros. ValueError "[subgraph_grad] ..."
/// when neither a cost nor start gradients are given.
SubgraphGradResult subgraph_grad(const std::vector<Var>& wrt, const std::vector<Var>& end,
                                 const std::vector<std::pair<Var, Var>>& start = {}, const Var& cost = Var());

}  // namespace hypatia
