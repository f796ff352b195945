// Batch-normalisation kernels (OpenMP over the normalisation groups).
#include "hypatia/nnet/kernels/bn.h"

#include <cmath>

#include "hypatia/util/parallel.h"

namespace hypatia::nnet_kernels {
namespace {

/// Calls f(p) for the offset p of every value of group k, outer-major.
template <class F>
inline void for_group(int64_t outer, int64_t groups, int64_t inner, int64_t k, F&& f) {
  for (int64_t o = 0; o < outer; ++o) {
    const int64_t base = (o * groups + k) * inner;
    for (int64_t i = 0; i < inner; ++i) f(base + i);
  }
}

}  // namespace

void bn_train(const double* x, int64_t outer, int64_t groups, int64_t inner, const double* gamma, const double* beta,
              double eps, double* out, double* mean, double* var, double* invstd) {
  const int64_t m = outer * inner;
  const bool par = groups > 1 && groups * m >= elemwise_minsize();
#pragma omp parallel for num_threads(max_threads()) if (par) schedule(static)
  for (int64_t k = 0; k < groups; ++k) {
    double s = 0;
    for_group(outer, groups, inner, k, [&](int64_t p) { s += x[p]; });
    const double mu = m ? s / m : 0.0;
    double v = 0;
    for_group(outer, groups, inner, k, [&](int64_t p) { v += (x[p] - mu) * (x[p] - mu); });
    v = m ? v / m : 0.0;
    const double is = 1.0 / std::sqrt(v + eps);
    mean[k] = mu, var[k] = v, invstd[k] = is;
    const double scale = gamma[k] * is, shift = beta[k];
    for_group(outer, groups, inner, k, [&](int64_t p) { out[p] = (x[p] - mu) * scale + shift; });
  }
}

void bn_train_grad(const double* x, const double* dy, int64_t outer, int64_t groups, int64_t inner,
                   const double* gamma, const double* mean, const double* invstd, double* gx, double* gscale,
                   double* gbias) {
  const int64_t m = outer * inner;
  const bool par = groups > 1 && groups * m >= elemwise_minsize();
#pragma omp parallel for num_threads(max_threads()) if (par) schedule(static)
  for (int64_t k = 0; k < groups; ++k) {
    const double mu = mean[k], is = invstd[k];
    double sdy = 0, sdyd = 0;
    for_group(outer, groups, inner, k, [&](int64_t p) { sdy += dy[p], sdyd += dy[p] * (x[p] - mu); });
    const double mean_dyd = m ? sdyd / m : 0.0, is3 = is * is * is;
    // c = dy * is - d * mean(dy * d) * is^3; gx = gamma * (c - mean(c)).
    double sc = 0;
    for_group(outer, groups, inner, k, [&](int64_t p) { sc += dy[p] * is - (x[p] - mu) * mean_dyd * is3; });
    const double mean_c = m ? sc / m : 0.0, g = gamma[k];
    for_group(outer, groups, inner, k,
              [&](int64_t p) { gx[p] = g * (dy[p] * is - (x[p] - mu) * mean_dyd * is3 - mean_c); });
    gscale[k] = sdyd * is;
    gbias[k] = sdy;
  }
}

void bn_inference(const double* x, int64_t outer, int64_t groups, int64_t inner, const double* gamma,
                  const double* beta, const double* mean, const double* var, double eps, double* out) {
  const bool par = groups > 1 && groups * outer * inner >= elemwise_minsize();
#pragma omp parallel for num_threads(max_threads()) if (par) schedule(static)
  for (int64_t k = 0; k < groups; ++k) {
    const double scale = gamma[k] / std::sqrt(var[k] + eps), mu = mean[k], shift = beta[k];
    for_group(outer, groups, inner, k, [&](int64_t p) { out[p] = (x[p] - mu) * scale + shift; });
  }
}

}  // namespace hypatia::nnet_kernels
