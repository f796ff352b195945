// Connectionist temporal classification (Graves et al. 2006) for one sequence: the negative
// log-likelihood of a label sequence under per-step softmax outputs, and its gradient with
// respect to the unnormalised activations, by the forward-backward recursion in log space.
#pragma once
#include <cstdint>
#include <vector>

namespace hypatia::nnet_kernels {

/// acts: steps x alphabet activations of one sequence (row stride `stride`, pre-softmax), the
/// first `steps` used; labels: the target (each in [1, alphabet); 0 is the blank). Returns
/// -log p(labels | acts) (+inf when no alignment fits in `steps`), and, when grad is non-null,
/// writes d cost / d acts into grad (same stride; zero for an infeasible sequence).
double ctc_loss(const double* acts, int64_t stride, int64_t steps, int64_t alphabet, const std::vector<int64_t>& labels,
                double* grad);

}  // namespace hypatia::nnet_kernels
