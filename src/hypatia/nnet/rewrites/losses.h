// Stabilize-phase rewrites of the nnet family: hand-written 1-hot log-softmax losses and their
// gradients become the fused CrossentropySoftmaxArgmax1HotWithBias / ...Dx ops.
#pragma once
#include <vector>

#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Adds local_advanced_indexing_crossentropy_onehot, local_log_advanced_indexing_softmax,
/// local_softmax_grad_div_softmax, local_advanced_indexing_crossentropy_onehot_grad and
/// local_merge_softmax_with_crossentropy_softmax to the stabilize database (tags fast_run, stabilize).
void register_nnet_stabilize(RewriteDatabase& db);
/// The same rewrites, in registration order.
std::vector<NodeRewriterPtr> nnet_stabilize_rewriters();

}  // namespace hypatia
