// The standard rewrite pipeline (Theano's optdb) applied when a function is compiled.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hypatia/graph/function_graph.h"
#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Rewrites `fg` in place with the phases selected by mode ("FAST_RUN", "FAST_COMPILE", or
/// "None" for no rewriting at all). Raises ValueError for an unknown mode.
/// With `phase_seconds`, the seconds of each top-level optdb phase are added to it under the
/// phase's name (merge1, canonicalize, ...; "inner_graphs" for optimize_inner_graphs), for
/// config.profile_optimizer.
void optimize_graph(FunctionGraph& fg, const std::string& mode, std::map<std::string, double>* phase_seconds = nullptr);

/// Rewrites the inner graphs of the ops in `fg` that have some (scan, OpFromGraph) with the
/// same mode, and installs the rewritten copies (Op::with_inner_graphs). optimize_graph ends
/// with it, so an inner graph is rewritten once, when its outer function is compiled.
void optimize_inner_graphs(FunctionGraph& fg, const std::string& mode);

/// A mode name taken apart: the base ("FAST_RUN", "FAST_COMPILE" or "None") and the rewrite
/// tags written after it, each led by '-' (exclude), '+' (include) or '&' (require), as
/// Theano's mode.excluding/including/requiring ("FAST_RUN-fusion+inplace"). The config flags
/// optimizer_excluding/including/requiring reach function() this way.
struct ModeSpec {
  std::string base;
  std::vector<std::string> including, excluding, requiring;
};
/// Raises ValueError "[function] unknown mode ..." / "[function] empty tag ..." for a bad name.
ModeSpec parse_mode(const std::string& mode);

/// The query a mode stands for: FAST_RUN includes "fast_run", FAST_COMPILE includes
/// "fast_compile" (merge and the rewrites needed for correctness), "None" selects nothing
/// (nullopt). Raises ValueError "[function] unknown mode ..." otherwise.
std::optional<Query> mode_query(const std::string& mode);

/// The standard optdb, built once on first use by explicit register_* calls (see pipeline.cpp).
const SequenceDB& standard_optdb();

/// The (cached) rewriter optimize_graph runs for `mode`; nullptr for "None".
GraphRewriterPtr mode_rewriter(const std::string& mode);

/// The pipeline as text: every optdb phase with its position and tags (the in-place phase
/// included), then the rewriters `mode` runs, in order.
std::string describe_pipeline(const std::string& mode = "FAST_RUN");

/// Core rewrites of the canonicalize phase: merge and constant folding.
void register_core_canonicalize(RewriteDatabase& db);

}  // namespace hypatia
