// Rewrites of the control family's OpFromGraph (Theano's inline_ofg_expansion), registered from compile/pipeline.cpp.
#pragma once
#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Registers into canonicalize (tags "fast_run", "fast_compile", "control"): local_inline_ofg,
/// which replaces each node of an OpFromGraph built with inline=True by its inner graph, so
/// the outer rewrites see through it (Theano's inline_ofg_expansion).
void register_control_canonicalize(RewriteDatabase& db);

}  // namespace hypatia
