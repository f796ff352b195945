// Constant folding: evaluates nodes whose inputs are all constants at compile time.
#pragma once
#include "hypatia/rewrite/rewriter.h"

namespace hypatia {

/// local_constant_folding: a node whose inputs are all constants and whose op is
/// constant_foldable is run once (Op::perform) and its outputs become constants
/// (make_constant(output type, value)). A node whose perform raises a hypatia::Error is left
/// alone, so the error surfaces when the function runs, with its usual context.
NodeRewriterPtr constant_folding_rewriter();

/// Folds every foldable node of the graph in one in-to-out walk.
GraphRewriterPtr constant_folding();

}  // namespace hypatia
