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
  // Gradients with respect to wrt are not back-propagated past the end variables
  // (consider_constant); those with respect to the end variables themselves are computed
  // without the cut, since grad gives a consider_constant variable no gradient of its own.
  auto run = [&](const std::vector<Var>& vars, bool cut, const Var& c, const std::vector<std::pair<Var, Var>>& known) {
    GradOptions o;
    if (cut) o.consider_constant = end;
    o.disconnected_inputs = OnDisconnected::Ignore;
    o.known_grads = known;
    return grad(c, vars, o);
  };
  auto both = [&](const Var& c, const std::vector<std::pair<Var, Var>>& known) {
    std::vector<Var> g = run(wrt, true, c, known);
    std::vector<Var> e = run(end, false, c, known);
    g.insert(g.end(), e.begin(), e.end());
    return g;
  };
  std::vector<Var> start_g, cost_g;
  if (!start.empty()) start_g = both(Var(), start);
  if (cost) cost_g = both(cost, {});
  std::vector<Var> total = start.empty() ? cost_g : start_g;
  if (!start.empty() && cost)
    for (size_t i = 0; i < total.size(); ++i) total[i] = total[i].type()->add_grad(total[i], cost_g[i]);
  SubgraphGradResult r;
  const size_t nw = wrt.size();
  for (size_t i = 0; i < nw; ++i) {
    // A variable both in wrt and in end gets its end gradient (it is not cut from itself).
    auto it = std::find(end.begin(), end.end(), wrt[i]);
    size_t k = it == end.end() ? i : nw + static_cast<size_t>(it - end.begin());
    r.wrt_grads.push_back(total[k]);
    if (!start_g.empty()) r.start_grads.push_back(start_g[k]);
    if (!cost_g.empty()) r.cost_grads.push_back(cost_g[k]);
  }
  for (size_t i = 0; i < end.size(); ++i) r.end_grads.push_back(total[nw + i]);
  return r;
}

}  // namespace hypatia
