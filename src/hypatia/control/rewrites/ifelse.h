// The ifelse rewrites: constant conditions, identical branches, merged ifs, common ops lifted out.
#pragma once
#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Registers into canonicalize (tags "fast_run", "fast_compile", "ifelse"):
/// - local_ifelse_constant_condition: ifelse(constant c, a, b) -> a or b.
/// - local_ifelse_remove_identical (Theano's cond_remove_identical): a pair whose then and
///   else are one variable is that variable; a pair repeated in one node is computed once.
/// - local_ifelse_merge_nested (Theano's cond_merge_ifs_true / cond_merge_ifs_false):
///   ifelse(c, ifelse(c, a, b), d) -> ifelse(c, a, d), and ifelse(c, a, ifelse(c, b, d)) ->
///   ifelse(c, a, d).
/// - local_ifelse_merge_ifs (Theano's cond_merge_ifs, a whole-graph pass): two ifelse nodes on
///   one condition, neither depending on the other, become one node with both sets of outputs,
///   so the VM guards both nodes' branches by one choice.
/// - local_ifelse_lift_elemwise: ifelse(c, f(a, y), f(b, y)) -> f(ifelse(c, a, b), y) for one
///   Elemwise f whose applications differ in one input only, when the ifelse is the only reader
///   of both (so nothing is computed twice); f then runs once, outside the branches.
void register_ifelse_canonicalize(RewriteDatabase& canonicalize);

}  // namespace hypatia
