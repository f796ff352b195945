// Rewrites added at run time (users' local rewrites written in Python), run inside the standard phases.
#pragma once
#include <string>

#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Adds a node rewriter to a phase ("canonicalize", "stabilize" or "specialize") after the
/// pipeline is built: Theano's register_canonicalize(lopt) for a user's own rewrite. It runs
/// from the next compile on, in FAST_RUN, with the phase's other rewrites. ValueError for an
/// unknown phase or a name already added to it.
void add_user_rewrite(const std::string& phase, NodeRewriterPtr rw);
/// Removes every added rewrite (the Python bindings drop them at interpreter exit).
void clear_user_rewrites();
/// Registers into `db` the one node rewriter that runs the rewrites added to `phase`
/// (called by compile/pipeline.cpp for each phase that accepts them).
void register_user_rewrites(RewriteDatabase& db, const std::string& phase);

}  // namespace hypatia
