// FunctionGraph: cloning, client tracking, replacement with import/prune, and validation.
#include "hypatia/graph/function_graph.h"
#include "hypatia/graph/test_value.h"

#include <algorithm>

namespace hypatia {

FunctionGraph::FunctionGraph(const std::vector<Var>& inputs, const std::vector<Var>& outputs, bool clone) {
  TestValueSuspend no_test_values;  // the copy's nodes were checked when the graph was built
  CreationTraceSuspend no_traces;   // the copy keeps the originals' traces
  std::unordered_set<Variable*> seen;
  for (const auto& in : inputs) {
    if (in->owner) type_error("[FunctionGraph] input ", in->str(), " is computed by ", in->owner->op()->str(), "; graph inputs must be root variables");
    if (!seen.insert(in.get()).second) value_error("[FunctionGraph] input ", in->str(), " is given twice");
  }
  if (clone) {
    for (const auto& in : inputs) {
      if (in->is_shared()) {
        equiv_[in.get()] = in;  // shared variables keep their identity: they name storage
      } else {
        Var c = make_variable(in.type(), in->name);
        equiv_[in.get()] = c;
      }
    }
    for (Apply* node : io_toposort(inputs, outputs)) {
      std::vector<Var> ins;
      for (const auto& x : node->inputs()) {
        auto it = equiv_.find(x.get());
        if (it != equiv_.end()) {
          ins.push_back(it->second);
        } else if (!x->owner && (x->is_constant() || x->is_shared())) {
          equiv_[x.get()] = x;
          ins.push_back(x);
        } else {
          raise(ErrorKind::MissingInput, "[FunctionGraph] ", x->str(), " (", x.type()->str(),
                ") is required to compute the outputs but was not provided as an input");
        }
      }
      std::vector<TypePtr> types;
      for (int i = 0; i < node->nout(); ++i) types.push_back(node->out(i)->type);
      ApplyPtr nn = Apply::create(node->op(), ins, types);
      for (int i = 0; i < node->nout(); ++i) {
        nn->out(i)->name = node->out(i)->name;
        if (node->out(i)->trace) nn->out(i)->trace = node->out(i)->trace;
        equiv_[node->out(i)] = nn->output(i);
      }
    }
    for (const auto& o : outputs)
      if (!equiv_.count(o.get())) {
        if (o->owner || !(o->is_constant() || o->is_shared()))
          raise(ErrorKind::MissingInput, "[FunctionGraph] output ", o->str(), " depends on an input that was not provided");
        equiv_[o.get()] = o;
      }
  } else {
    for (const auto& v : ancestors(outputs, inputs)) equiv_[v.get()] = v;
    for (const auto& v : inputs) equiv_[v.get()] = v;
  }
  for (const auto& in : inputs) {
    inputs_.push_back(equiv_.at(in.get()));
    variables_.insert(inputs_.back().get());
    clients_[inputs_.back().get()];
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    Var o = equiv_.at(outputs[i].get());
    import_var(o, "init");
    outputs_.push_back(o);
    add_client(o.get(), Client{nullptr, static_cast<int>(i)});
  }
}

FunctionGraph::~FunctionGraph() = default;

const std::vector<Client>& FunctionGraph::clients(const Variable* v) const {
  static const std::vector<Client> none;
  auto it = clients_.find(const_cast<Variable*>(v));
  return it == clients_.end() ? none : it->second;
}

std::vector<Apply*> FunctionGraph::toposort() const { return io_toposort(inputs_, outputs_); }

std::vector<Apply*> FunctionGraph::apply_nodes() const {
  std::vector<Apply*> out;
  for (const auto& [k, v] : nodes_) out.push_back(k);
  return out;
}

void FunctionGraph::add_client(Variable* v, Client c) { clients_[v].push_back(c); }

void FunctionGraph::remove_client(Variable* v, Client c) {
  auto& cl = clients_[v];
  auto it = std::find(cl.begin(), cl.end(), c);
  HYPATIA_ASSERT(it != cl.end());
  if (it != cl.end()) cl.erase(it);
}

void FunctionGraph::import_var(const Var& v, const std::string& reason) {
  if (variables_.count(v.get())) return;
  if (v->owner) {
    // Import the owner's ancestors first, without recursion.
    std::vector<Apply*> order;
    std::vector<std::pair<Apply*, bool>> stack{{v->owner, false}};
    std::unordered_set<Apply*> queued;
    while (!stack.empty()) {
      auto [n, expanded] = stack.back();
      stack.pop_back();
      if (nodes_.count(n)) continue;
      if (expanded) {
        if (queued.insert(n).second) order.push_back(n);
        continue;
      }
      stack.push_back({n, true});
      for (const auto& in : n->inputs()) {
        if (variables_.count(in.get())) continue;
        if (in->owner) {
          if (!queued.count(in->owner)) stack.push_back({in->owner, false});
        } else if (!in->is_constant() && !in->is_shared()) {
          raise(ErrorKind::MissingInput, "[FunctionGraph] ", in->str(), " (", in.type()->str(),
                ") is required to compute the outputs but is not an input of the graph");
        }
      }
    }
    for (Apply* n : order) import_node(n, reason);
    return;
  }
  if (!v->is_constant() && !v->is_shared())
    raise(ErrorKind::MissingInput, "[FunctionGraph] ", v->str(), " (", v.type()->str(),
          ") is required to compute the outputs but is not an input of the graph");
  variables_.insert(v.get());
  clients_[v.get()];
}

void FunctionGraph::import_node(Apply* node, const std::string& reason) {
  if (nodes_.count(node)) return;
  for (const auto& in : node->inputs()) {
    if (!variables_.count(in.get())) {
      HYPATIA_ASSERT(!in->owner);
      variables_.insert(in.get());
      clients_[in.get()];
    }
  }
  nodes_[node] = node->shared_from_this();
  for (int i = 0; i < node->nout(); ++i) {
    variables_.insert(node->out(i));
    clients_[node->out(i)];
  }
  for (int i = 0; i < node->nin(); ++i) add_client(node->input(i).get(), Client{node, i});
  for (auto& f : features_) f->on_import(*this, node, reason);
}

void FunctionGraph::prune_if_unused(Variable* v, const std::string& reason) {
  std::vector<Variable*> work{v};
  while (!work.empty()) {
    Variable* x = work.back();
    work.pop_back();
    if (!clients(x).empty()) continue;
    Apply* node = x->owner;
    if (!node || !nodes_.count(node)) {
      // An unused root that is not a graph input (an old constant) leaves the graph.
      if (!node && std::none_of(inputs_.begin(), inputs_.end(), [&](const Var& i) { return i.get() == x; })) {
        variables_.erase(x);
        clients_.erase(x);
      }
      continue;
    }
    bool used = false;
    for (int i = 0; i < node->nout(); ++i) used |= !clients(node->out(i)).empty();
    if (used) continue;
    ApplyPtr keep = nodes_[node];  // keep alive until the features saw it
    for (auto& f : features_) f->on_prune(*this, node, reason);
    nodes_.erase(node);
    for (int i = 0; i < node->nout(); ++i) {
      variables_.erase(node->out(i));
      clients_.erase(node->out(i));
    }
    for (int i = 0; i < node->nin(); ++i) {
      remove_client(node->input(i).get(), Client{node, i});
      work.push_back(node->input(i).get());
    }
  }
}

void FunctionGraph::change_input(Apply* node, int i, const Var& neu, const std::string& reason) {
  Var old = node ? node->input(i) : outputs_[i];
  if (old == neu) return;
  if (!same_type(old.type(), neu.type()))
    type_error("[FunctionGraph] cannot replace ", old->str(), " of type ", old.type()->str(), " by ",
               neu->str(), " of type ", neu.type()->str());
  // The replacement inherits where the user created what it replaces (Theano's copy_stack_trace).
  if (!neu->trace && old->trace) const_cast<Variable*>(neu.get())->trace = old->trace;
  import_var(neu, reason);
  if (node) node->set_input(i, neu);
  else outputs_[i] = neu;
  remove_client(old.get(), Client{node, i});
  add_client(neu.get(), Client{node, i});
  for (auto& f : features_) f->on_change_input(*this, node, i, old, neu, reason);
  prune_if_unused(old.get(), reason);
}

void FunctionGraph::replace(const Var& old, const Var& neu, const std::string& reason) {
  if (!contains(old.get())) return;  // already pruned by an earlier replacement
  std::vector<Client> cl = clients(old.get());
  for (const Client& c : cl) change_input(c.node, c.index, neu, reason);
}

bool FunctionGraph::replace_validate(const std::vector<std::pair<Var, Var>>& pairs, const std::string& reason) {
  // Record each elementary change so that a veto can undo them in reverse.
  struct Change { Apply* node; int index; Var old; Var neu; };
  std::vector<Change> history;
  std::vector<ApplyPtr> keepalive;
  for (const auto& [old, neu] : pairs) {
    if (!contains(old.get())) continue;
    std::vector<Client> cl = clients(old.get());
    for (const Client& c : cl) {
      if (c.node) keepalive.push_back(nodes_.count(c.node) ? nodes_[c.node] : nullptr);
      if (old->owner) keepalive.push_back(old->owner->shared_from_this());
      change_input(c.node, c.index, neu, reason);
      history.push_back({c.node, c.index, old, neu});
    }
  }
  try {
    validate();
  } catch (const Error&) {
    for (auto it = history.rbegin(); it != history.rend(); ++it) change_input(it->node, it->index, it->old, "revert");
    return false;
  }
  return true;
}

void FunctionGraph::attach_feature(std::shared_ptr<Feature> f) {
  features_.push_back(f);
  f->on_attach(*this);
}

void FunctionGraph::validate() const {
  for (const auto& f : features_) f->validate(*this);
}

}  // namespace hypatia
