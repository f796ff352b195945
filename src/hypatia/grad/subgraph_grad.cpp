// subgraph_grad: theano.grad with consider_constant=end over wrt and end, from a cost and/or known gradients.
#include "hypatia/grad/subgraph_grad.h"

#include <algorithm>

#include "hypatia/grad/grad.h"

namespace hypatia {

SubgraphGradResult subgraph_grad(const std::vector<Var>& wrt, const std::vector<Var>& end,
                                 const std::vector<std::pair<Var, Var>>& start, const Var& cost) {
  if (!cost && start.empty()) value_error("[subgraph_grad] needs a cost or start gradients (both are None)");
  for (const Var& v : wrt)
    if (!v) type_error("[subgraph_grad] wrt contains None; expected variables");
  for (const Var& v : end)
    if (!v) type_error("[subgraph_grad] end contains None; expected variables");
  std::vector<Var> params = wrt;
  for (const Var& e : end)
    if (std::find(params.begin(), params.end(), e) == params.end()) params.push_back(e);
  auto run = [&](const Var& c, const std::vector<std::pair<Var, Var>>& known) {
    GradOptions o;
    o.consider_constant = end;
    o.disconnected_inputs = OnDisconnected::Ignore;
    o.known_grads = known;
    return grad(c, params, o);
  };
  std::vector<Var> start_g, cost_g;
  if (!start.empty()) start_g = run(Var(), start);
  if (cost) cost_g = run(cost, {});
  std::vector<Var> total = start.empty() ? cost_g : start_g;
  if (!start.empty() && cost)
    for (size_t i = 0; i < total.size(); ++i) total[i] = total[i].type()->add_grad(total[i], cost_g[i]);
  auto pick = [&](const std::vector<Var>& g, const Var& v) {
    return g[std::find(params.begin(), params.end(), v) - params.begin()];
  };
  SubgraphGradResult r;
  for (const Var& v : wrt) r.wrt_grads.push_back(pick(total, v));
  for (const Var& v : end) r.end_grads.push_back(pick(total, v));
  for (const Var& v : wrt) {
    if (!start_g.empty()) r.start_grads.push_back(pick(start_g, v));
    if (!cost_g.empty()) r.cost_grads.push_back(pick(cost_g, v));
  }
  return r;
}

}  // namespace hypatia
