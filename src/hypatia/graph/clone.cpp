// clone (theano.clone): copies every node between the roots (or replaced variables) and the outputs.
#include "hypatia/graph/clone.h"

namespace hypatia {

std::vector<Var> clone(const std::vector<Var>& outputs, const std::vector<std::pair<Var, Var>>& replace, bool strict,
                       bool share_inputs) {
  VarMap equiv;
  std::vector<Var> stops;
  for (const auto& [old, neu] : replace) {
    if (!old || !neu) type_error("[clone] replace needs (variable, variable) pairs, got a None");
    equiv[old.get()] = neu;
    stops.push_back(old);
  }
  for (const Var& o : outputs)
    if (!o) type_error("[clone] output is None; expected variables");
  for (const Var& r : graph_inputs(outputs, stops)) {
    if (equiv.count(r.get())) continue;
    if (share_inputs || r->is_constant()) {
      equiv[r.get()] = r;
      continue;
    }
    Var c = make_variable(r.type(), r->name);
    c->container = r->container;  // a cloned shared variable keeps the storage
    equiv[r.get()] = c;
  }
  for (Apply* node : io_toposort(stops, outputs)) {
    std::vector<Var> ins;
    for (const Var& in : node->inputs()) {
      auto it = equiv.find(in.get());
      ins.push_back(it == equiv.end() ? in : it->second);
    }
    ApplyPtr nn = node->clone_with_new_inputs(ins, strict);
    for (int i = 0; i < node->nout(); ++i)
      if (!equiv.count(node->out(i))) equiv[node->out(i)] = nn->output(i);
  }
  std::vector<Var> out;
  for (const Var& o : outputs) {
    auto it = equiv.find(o.get());
    out.push_back(it == equiv.end() ? o : it->second);
  }
  return out;
}

}  // namespace hypatia
