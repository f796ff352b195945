// The standard rewrite pipeline. (Placeholder until the rewrite database lands: modes are
// checked, and FAST_COMPILE / FAST_RUN run no rewrites yet.)
#include "hypatia/rewrite/pipeline.h"

namespace hypatia {

void optimize_graph(FunctionGraph& fg, const std::string& mode) {
  if (mode != "FAST_RUN" && mode != "FAST_COMPILE" && mode != "None")
    value_error("[function] unknown mode '", mode, "'; expected FAST_RUN, FAST_COMPILE or None");
}

}  // namespace hypatia
