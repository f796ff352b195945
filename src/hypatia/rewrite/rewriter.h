// Rewriters: NodeRewriter (local, one node), GraphRewriter (whole graph), walkers and the equilibrium driver.
#pragma once
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <typeindex>
#include <vector>

#include "hypatia/graph/function_graph.h"

namespace hypatia {

/// What a NodeRewriter can fire on: op class names (Op::name(), e.g. "Elemwise") and/or op
/// C++ types. Both empty means every node. Tracking lets walkers skip rewriters cheaply.
struct Tracks {
  std::vector<std::string> op_names;
  std::vector<std::type_index> op_types;
  bool matches(const Op& op) const;
  bool everything() const { return op_names.empty() && op_types.empty(); }
};

/// A local rewrite (Theano's local optimizer): looks at one node and may propose a
/// replacement for each of its outputs. Rewriters are stateless and shared between graphs.
class NodeRewriter {
 public:
  virtual ~NodeRewriter() = default;
  /// The rewrite's name, "local_<what>" by convention.
  virtual std::string name() const = 0;
  /// The ops this rewriter can fire on (default: every node).
  virtual Tracks tracks() const { return {}; }
  /// nullopt (or an empty vector) when the rewrite does not apply. Otherwise one Var per
  /// output of `node`, in order; a null Var leaves that output alone. Each replacement must
  /// have the type of the output it replaces, or the whole rewrite is skipped.
  virtual std::optional<std::vector<Var>> transform(FunctionGraph& fg, Apply* node) const = 0;
};
using NodeRewriterPtr = std::shared_ptr<const NodeRewriter>;

using TransformFn = std::function<std::optional<std::vector<Var>>(FunctionGraph&, Apply*)>;
/// A NodeRewriter from a function: the usual way to write a `local_<what>` rewrite.
NodeRewriterPtr make_node_rewriter(std::string name, Tracks tracks, TransformFn fn);

/// Tries `rw` on `node`: transforms, checks types, and commits through fg.replace_validate.
/// Returns true when the graph changed. A type-changing replacement is skipped (and reported
/// on stderr in debug builds); a veto by a Feature is a plain "no change".
bool apply_node_rewriter(FunctionGraph& fg, Apply* node, const NodeRewriter& rw);

/// A rewrite of the whole graph. apply() returns whether anything changed (as XLA's passes).
class GraphRewriter {
 public:
  virtual ~GraphRewriter() = default;
  virtual std::string name() const = 0;
  virtual bool apply(FunctionGraph& fg) const = 0;
  /// Writes a one-line (or, for compound rewriters, indented multi-line) description.
  virtual void print(std::ostream& os, int indent = 0) const;
};
using GraphRewriterPtr = std::shared_ptr<const GraphRewriter>;

/// Walks the graph once and tries the node rewriters on every node (Theano's in2out/out2in).
/// Nodes created by a rewrite are visited too (unless ignore_newtrees), so one pass reaches
/// a local fixpoint for rewrites that only create "simpler" nodes.
class WalkingGraphRewriter final : public GraphRewriter {
 public:
  enum class Order { InToOut, OutToIn };
  WalkingGraphRewriter(std::string name, std::vector<NodeRewriterPtr> rewriters, Order order = Order::InToOut,
                       bool ignore_newtrees = false);
  std::string name() const override { return name_; }
  bool apply(FunctionGraph& fg) const override;
  void print(std::ostream& os, int indent = 0) const override;

 private:
  std::string name_;
  std::vector<NodeRewriterPtr> rewriters_;
  std::vector<Tracks> tracks_;  // rewriters_[i]->tracks(), asked once instead of at every node
  Order order_;
  bool ignore_newtrees_;
};

GraphRewriterPtr in2out(std::string name, std::vector<NodeRewriterPtr> rewriters, bool ignore_newtrees = false);
GraphRewriterPtr out2in(std::string name, std::vector<NodeRewriterPtr> rewriters, bool ignore_newtrees = false);

/// Applies graph rewriters, then node rewriters over the whole graph, repeatedly until a
/// full round changes nothing (Theano's EquilibriumOptimizer, XLA's HloPassFix). Stops after
/// max_rounds rounds so that two rewrites undoing each other cannot loop forever.
class EquilibriumGraphRewriter final : public GraphRewriter {
 public:
  EquilibriumGraphRewriter(std::string name, std::vector<NodeRewriterPtr> node_rewriters,
                           std::vector<GraphRewriterPtr> graph_rewriters = {}, int max_rounds = 100);
  std::string name() const override { return name_; }
  bool apply(FunctionGraph& fg) const override;
  /// Like apply, also reporting how many rounds ran (the last one changed nothing unless the
  /// cap was hit).
  bool apply(FunctionGraph& fg, int* rounds) const;
  void print(std::ostream& os, int indent = 0) const override;
  int max_rounds() const { return max_rounds_; }

 private:
  std::string name_;
  std::vector<NodeRewriterPtr> node_rewriters_;
  std::vector<GraphRewriterPtr> graph_rewriters_;
  int max_rounds_;
};

/// Runs graph rewriters one after another (Theano's SeqOptimizer).
class SequentialGraphRewriter final : public GraphRewriter {
 public:
  SequentialGraphRewriter(std::string name, std::vector<GraphRewriterPtr> rewriters)
      : name_(std::move(name)), rewriters_(std::move(rewriters)) {}
  std::string name() const override { return name_; }
  bool apply(FunctionGraph& fg) const override;
  void print(std::ostream& os, int indent = 0) const override;
  const std::vector<GraphRewriterPtr>& rewriters() const { return rewriters_; }

 private:
  std::string name_;
  std::vector<GraphRewriterPtr> rewriters_;
};

}  // namespace hypatia
