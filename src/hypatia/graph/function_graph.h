// FunctionGraph: a self-contained graph between inputs and outputs that rewrites edit in place.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "hypatia/graph/traversal.h"

namespace hypatia {

class FunctionGraph;

/// A client of a variable: the node using it and at which input, or (node == nullptr) the
/// fgraph output at `index`.
struct Client {
  Apply* node;
  int index;
  bool operator==(const Client& o) const { return node == o.node && index == o.index; }
};

/// Observes a FunctionGraph's changes and may veto them (validate throws). Theano's Feature.
class Feature {
 public:
  virtual ~Feature() = default;
  virtual void on_attach(FunctionGraph&) {}
  virtual void on_import(FunctionGraph&, Apply*, const std::string& /*reason*/) {}
  virtual void on_prune(FunctionGraph&, Apply*, const std::string& /*reason*/) {}
  /// node == nullptr means output `i` of the graph changed.
  virtual void on_change_input(FunctionGraph&, Apply* /*node*/, int /*i*/, const Var& /*old*/,
                               const Var& /*neu*/, const std::string& /*reason*/) {}
  /// Throws hypatia::Error to reject the graph's current state.
  virtual void validate(const FunctionGraph&) const {}
};

/// Owns a copy of the graph between `inputs` and `outputs` (unless clone=false), tracks the
/// clients of every variable, and lets rewrites replace variables while features watch.
class FunctionGraph {
 public:
  FunctionGraph(const std::vector<Var>& inputs, const std::vector<Var>& outputs, bool clone = true);
  ~FunctionGraph();
  FunctionGraph(const FunctionGraph&) = delete;
  FunctionGraph& operator=(const FunctionGraph&) = delete;

  const std::vector<Var>& inputs() const { return inputs_; }
  const std::vector<Var>& outputs() const { return outputs_; }
  /// Original variable -> its copy in this graph (identity when clone=false).
  const VarMap& equiv() const { return equiv_; }
  bool contains(const Variable* v) const { return variables_.count(const_cast<Variable*>(v)) > 0; }
  bool contains(const Apply* n) const { return nodes_.count(const_cast<Apply*>(n)) > 0; }
  size_t num_nodes() const { return nodes_.size(); }
  const std::vector<Client>& clients(const Variable* v) const;
  /// Nodes in dependency order (deterministic for a given graph).
  std::vector<Apply*> toposort() const;
  std::vector<Apply*> apply_nodes() const;

  /// Makes every client of `old` use `neu` instead; imports neu's subgraph and prunes what
  /// becomes unused. Types must match (neu is converted by the caller).
  void replace(const Var& old, const Var& neu, const std::string& reason = "");
  /// Replaces several pairs, then runs the features' validation. On a veto the graph is
  /// restored and false is returned.
  bool replace_validate(const std::vector<std::pair<Var, Var>>& pairs, const std::string& reason = "");
  /// Points input i of node (or output i when node is null) at `neu`.
  void change_input(Apply* node, int i, const Var& neu, const std::string& reason = "");
  void attach_feature(std::shared_ptr<Feature> f);
  void validate() const;
  /// Drops the output at position i (used by Function for outputs it no longer needs).
  void set_output(int i, const Var& v, const std::string& reason = "") { change_input(nullptr, i, v, reason); }
  /// Theano's update_mapping: output index -> index of the input (a shared variable) whose
  /// storage receives that output after each call. Set by Function; the in-place phase reads
  /// it, since only an updated input's old buffer may be overwritten (rewrite/inplace.h).
  const std::map<int, int>& update_mapping() const { return update_mapping_; }
  void set_update_mapping(std::map<int, int> m) { update_mapping_ = std::move(m); }

 private:
  void import_var(const Var& v, const std::string& reason);
  void import_node(Apply* node, const std::string& reason);
  void prune_if_unused(Variable* v, const std::string& reason);
  void add_client(Variable* v, Client c);
  void remove_client(Variable* v, Client c);

  std::vector<Var> inputs_, outputs_;
  VarMap equiv_;
  std::unordered_map<Apply*, ApplyPtr> nodes_;
  std::unordered_set<Variable*> variables_;
  std::unordered_map<Variable*, std::vector<Client>> clients_;
  std::vector<std::shared_ptr<Feature>> features_;
  std::map<int, int> update_mapping_;
};

}  // namespace hypatia
