// The standard rewrite pipeline (Theano's optdb) applied when a function is compiled.
#pragma once
#include <string>

#include "hypatia/graph/function_graph.h"

namespace hypatia {

/// Rewrites `fg` in place with the phases selected by mode ("FAST_RUN", "FAST_COMPILE", or
/// "None" for no rewriting at all). Raises ValueError for an unknown mode.
void optimize_graph(FunctionGraph& fg, const std::string& mode);

}  // namespace hypatia
