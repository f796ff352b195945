// The generic in-place phase: a destroy handler that proves which inputs a node may overwrite,
// and the graph rewriter that swaps nodes for their Op::inplace_variant when it is safe.
#pragma once
#include <unordered_set>
#include <vector>

#include "hypatia/rewrite/rewriter.h"

namespace hypatia {

/// Theano's DestroyHandler, kept simple: answers, for one FunctionGraph, whether node N may
/// overwrite its input i. Variables that share a buffer form a family: the origin (root)
/// and every output that an op's view_map or destroy_map says aliases a family member. N may
/// destroy input i when
///  - the root is not a constant, and is not a graph input, unless it is a shared variable
///    the function updates (fg.update_mapping()) and N computes that very update (then its
///    old value is dead once N has run: `W := W - lr*g` writes into W's buffer);
///  - no family member is a graph output, and N reads the family through input i only;
///  - every other node reading (or destroying) a family member runs before N: an ancestor of
///    N does anyway; any other reader gets an ordering (destroy_orderings) that the VM's
///    schedule honours, allowed only when the reader does not depend on N, through the graph
///    or the orderings already imposed (no cycle). Pure views need no order; their readers
///    are checked in turn. Hence a variable has at most one destroyer, and nothing reads a
///    value after it was overwritten (Theano's DestroyHandler orderings).
class DestroyHandler {
 public:
  explicit DestroyHandler(const FunctionGraph& fg) : fg_(fg) {}
  /// The variable whose buffer `v` is (following view_map and destroy_map back), or null when
  /// an output aliases several inputs (never destroyed).
  static Variable* root(Variable* v);
  /// Whether `node` may overwrite its input `i` (the rules above).
  bool can_destroy(Apply* node, int i) const;
  /// The inputs of `node` it may overwrite whose type equals one of its outputs' types: what
  /// the in-place phase offers to Op::inplace_variant.
  std::vector<int> destroyable_inputs(Apply* node) const;

 private:
  const FunctionGraph& fg_;
};

/// The scheduling constraints in-place nodes impose: (reader, destroyer) pairs where the
/// reader must run before the destroyer although it is not one of its ancestors.
std::vector<std::pair<Apply*, Apply*>> destroy_orderings(const FunctionGraph& fg);
/// fg's nodes in an order that respects both the graph and destroy_orderings, with the nodes
/// that overwrite an updated shared variable as late as the graph allows (so a failure in any
/// other node leaves shared values untouched); the toposort itself when neither applies. The
/// VM runs nodes in this order. Raises on a cycle.
std::vector<Apply*> destroy_aware_toposort(const FunctionGraph& fg);

/// The root variables (graph inputs) whose buffers some node of `fg` overwrites: Function
/// gives each call a private copy of such a shared value when anyone else holds its buffer.
std::vector<Variable*> destroyed_graph_inputs(const FunctionGraph& fg);

/// The in-place phase (Theano's inplace optimizers, generic): visits the nodes in dependency
/// order; for each node with no destroy_map it asks `op.inplace_variant(allowed)` with the
/// inputs DestroyHandler proves safe and, when the op has a variant, replaces the node by it.
GraphRewriterPtr inplace_rewriter();

}  // namespace hypatia
