// Batch-normalisation kernels over an (outer, groups, inner) C-contiguous layout: group k
// holds the outer * inner values x[o, k, i] (the normalised axes are outer and inner; the op
// transposes x first only when the kept axes are not adjacent).
#pragma once
#include <cstdint>

namespace hypatia::nnet_kernels {

/// Training forward: per row k, mean[k], var[k] (biased) and invstd[k] = 1/sqrt(var + eps);
/// out = (x - mean) * gamma[k] * invstd + beta[k].
void bn_train(const double* x, int64_t outer, int64_t groups, int64_t inner, const double* gamma, const double* beta, double eps,
              double* out, double* mean, double* var, double* invstd);

/// Training backward (Theano's AbstractBatchNormTrainGrad): with d = x - mean,
/// c = dy * invstd - d * mean(dy * d) * invstd^3: gx = gamma * (c - mean(c)),
/// gscale = sum(dy * d * invstd), gbias = sum(dy), per row.
void bn_train_grad(const double* x, const double* dy, int64_t outer, int64_t groups, int64_t inner, const double* gamma,
                   const double* mean, const double* invstd, double* gx, double* gscale, double* gbias);

/// Inference: out = (x - mean[k]) * gamma[k] / sqrt(var[k] + eps) + beta[k].
void bn_inference(const double* x, int64_t outer, int64_t groups, int64_t inner, const double* gamma, const double* beta,
                  const double* mean, const double* var, double eps, double* out);

}  // namespace hypatia::nnet_kernels
