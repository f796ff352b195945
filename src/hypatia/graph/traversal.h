// Graph walks without recursion: ancestors, root inputs, toposort, and cloning with replacements.
#pragma once
#include <unordered_map>
#include <vector>

#include "hypatia/graph/op.h"

namespace hypatia {

using VarMap = std::unordered_map<Variable*, Var>;

/// Every variable that `outputs` depend on (outputs included), stopping at `blockers`.
std::vector<Var> ancestors(const std::vector<Var>& outputs, const std::vector<Var>& blockers = {});
/// The variables without an owner (inputs, constants, shared variables) that outputs depend on.
std::vector<Var> graph_inputs(const std::vector<Var>& outputs, const std::vector<Var>& blockers = {});
/// Apply nodes between inputs and outputs in an order where each node follows its inputs' owners.
std::vector<Apply*> io_toposort(const std::vector<Var>& inputs, const std::vector<Var>& outputs);
/// Copies the graph computing `outputs`, substituting replace[old] for old variables.
/// Unreplaced root variables are shared, not copied. Returns the new outputs; `equiv`
/// (when given) receives old -> new for every variable visited.
std::vector<Var> clone_replace(const std::vector<Var>& outputs, const VarMap& replace, VarMap* equiv = nullptr);
/// True when `var` depends on any of `candidates`.
bool depends_on(const Var& var, const std::vector<Var>& candidates);

}  // namespace hypatia
