// local_elemwise_fusion: merges trees of float Elemwise nodes into one FusedElemwise node.
#include <unordered_map>
#include <unordered_set>

#include "hypatia/rewrite/rewriter.h"
#include "hypatia/tensor/ops/fused_elemwise.h"
#include "hypatia/tensor/rewrites/rewrites.h"

namespace hypatia {

namespace {

// The Elemwise op of a node when it can join a fused float program, else null.
const Elemwise* fusable(const Apply* node) {
  if (!node) return nullptr;
  const auto* e = dynamic_cast<const Elemwise*>(node->op().get());
  if (!e || !fusable_scalar_op(e->params().scalar_op) || node->nout() != 1) return nullptr;
  DType d = tensor_type(node->output(0))->elem();
  return (d == DType::Float32 || d == DType::Float64) ? e : nullptr;
}

/// local_elemwise_fusion: a tree of fusable Elemwise nodes whose inner results have exactly
/// one client and the same type as the root -> one FusedElemwise over the tree's leaves.
/// Valid because each inner result is used only inside the tree, so nothing else needs it
/// materialised, and equal types mean no broadcasting happens inside the tree.
class ElemwiseFusion final : public GraphRewriter {
 public:
  std::string name() const override { return "local_elemwise_fusion"; }
  bool apply(FunctionGraph& fg) const override {
    bool changed = false;
    std::vector<Apply*> order = fg.toposort();
    std::unordered_set<Apply*> absorbed;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Apply* root = *it;
      if (absorbed.count(root) || !fg.contains(root) || !fusable(root)) continue;
      const TypePtr& root_type = root->output(0).type();
      // Grow the tree from the root through single-client inputs of the same type.
      std::vector<Apply*> tree{root};
      std::unordered_set<Apply*> in_tree{root};
      for (size_t k = 0; k < tree.size(); ++k) {
        for (const Var& in : tree[k]->inputs()) {
          Apply* m = in->owner;
          if (!fusable(m) || in_tree.count(m) || absorbed.count(m)) continue;
          if (!same_type(in.type(), root_type) || fg.clients(in.get()).size() != 1) continue;
          tree.push_back(m);
          in_tree.insert(m);
        }
      }
      if (tree.size() < 2) continue;
      // Program in dependency order (reverse of discovery is a valid order for a tree).
      std::vector<Var> leaves;
      std::unordered_map<Variable*, int> leaf_index, step_index;
      std::vector<Apply*> steps(tree.rbegin(), tree.rend());
      for (Apply* n : steps)
        for (const Var& in : n->inputs())
          if (!(in->owner && in_tree.count(in->owner)) && !leaf_index.count(in.get())) {
            leaf_index[in.get()] = static_cast<int>(leaves.size());
            leaves.push_back(in);
          }
      FusedElemwiseParams p;
      p.n_inputs = static_cast<int>(leaves.size());
      p.dtype = tensor_type(root->output(0))->elem();
      for (size_t s = 0; s < steps.size(); ++s) {
        Apply* n = steps[s];
        const auto* e = static_cast<const Elemwise*>(n->op().get());
        int args[2] = {0, 0};
        for (int k = 0; k < n->nin(); ++k) {
          Variable* v = n->input(k).get();
          args[k] = step_index.count(v) ? p.n_inputs + step_index[v] : leaf_index.at(v);
        }
        p.program.insert(p.program.end(), {static_cast<int64_t>(e->params().scalar_op), n->nin(), args[0], args[1]});
        step_index[n->out(0)] = static_cast<int>(s);
      }
      Var fused = apply1(*std::make_shared<FusedElemwise>(p), leaves);
      if (!same_type(fused.type(), root_type)) continue;
      if (fg.replace_validate({{root->output(0), fused}}, "local_elemwise_fusion")) {
        for (Apply* n : tree) absorbed.insert(n);
        changed = true;
      }
    }
    return changed;
  }
};

}  // namespace

void register_tensor_fusion(RewriteDatabase& db) {
  db.register_rewrite("local_elemwise_fusion", std::make_shared<ElemwiseFusion>(), {"fast_run", "fusion"});
}

}  // namespace hypatia
