// Specialize-phase rewrites of the abstract convolution ops (1x1 filters as a dot, gradInputs as a forward conv).
#pragma once
#include <vector>

#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Registers into specialize (tags "nnet", "conv"): local_conv_gradinputs_to_conv (also tagged
/// "fast_run") and local_conv_1x1_to_dot (opt-in by name: slower than the conv kernel's own
/// 1x1 path unless a later rewrite fuses the dot) (see conv_rewriters()).
void register_nnet_conv_specialize(RewriteDatabase& specialize);
/// The same rewrites, in registration order (for tests and custom pipelines):
/// - local_conv_1x1_to_dot: a forward conv whose filters are statically 1x1(x1) (kshp hint,
///   broadcastable axes or a constant), with no padding, unit stride and one group, becomes
///   one dot over the batch (dot(W (M, C), x as (C, B*rows*cols))), which later BLAS rewrites
///   can fuse with a bias into a gemm.
/// - local_conv_gradinputs_to_conv: a unit-stride gradInputs whose filters map fewer channels
///   per group to more (Mg < Cg, known from kshp or a constant), becomes a forward conv of
///   topgrad with the filters' two channel axes swapped, padding dk - 1 - pad and filter_flip
///   negated. Its im2col then spans the Mg topgrad channels instead of a col2im over Cg (the
///   gradInputs kernel makes the same choice at run time when the shapes are not static; the
///   rewrite puts it in the graph, where later rewrites and the profile see a forward conv).
std::vector<NodeRewriterPtr> conv_rewriters();

}  // namespace hypatia
