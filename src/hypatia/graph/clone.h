// clone: a copy of a graph with replacements (theano.clone), strict about types or not, sharing its inputs or not.
#pragma once
#include <utility>
#include <vector>

#include "hypatia/graph/traversal.h"

namespace hypatia {

/// A copy of the graph computing `outputs` (new Apply nodes for every node between the roots
/// and the outputs) in which each `replace` key is replaced by its value (theano.clone).
/// strict: a rebuilt node must keep its output types (TypeError otherwise); with strict=false
/// the types follow the replacements. share_inputs=false also replaces the root variables by
/// fresh copies (a cloned shared variable keeps the same storage, as in Theano); constants
/// are always shared. TypeError "[clone] ..." for a null key or value.
std::vector<Var> clone(const std::vector<Var>& outputs, const std::vector<std::pair<Var, Var>>& replace = {},
                       bool strict = true, bool share_inputs = true);

}  // namespace hypatia
