// MergeOptimizer: common-subexpression elimination over a FunctionGraph (Theano's merge).
#pragma once
#include "hypatia/rewrite/rewriter.h"

namespace hypatia {

/// A hash of a runtime value's dtype, shape and bytes (layout-independent), for merging constants.
size_t value_hash(const Value& v);
/// True when two values hold the same dtype, shape (format) and bit-identical elements.
bool values_identical(const Value& a, const Value& b);

/// Fuses duplicates: constants of equal type and value become one variable, then nodes with
/// equal ops (Op::equals) applied to the very same inputs become one node. One toposorted
/// pass propagates merges downstream (a merged node's clients see identical inputs when
/// their turn comes); the pass repeats until nothing merges. Hash buckets keep it linear,
/// and there is no recursion, so 10^5-node chains are fine. Nodes that destroy an input are
/// never merged.
class MergeOptimizer final : public GraphRewriter {
 public:
  explicit MergeOptimizer(std::string name = "merge") : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  bool apply(FunctionGraph& fg) const override;

 private:
  std::string name_;
};

}  // namespace hypatia
