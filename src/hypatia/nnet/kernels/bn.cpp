// Batch-normalisation kernels (OpenMP over the normalisation groups).
#include "hypatia/nnet/kernels/bn.h"

#include <cmath>

#include "hypatia/util/parallel.h"

namespace hypatia::nnet_kernels {

void bn_train(const double* x, int64_t groups, int64_t m, const double* gamma, const double* beta, double eps,
              double* out, double* mean, double* var, double* invstd) {
  const bool par = groups > 1 && groups * m >= elemwise_minsize();
#pragma omp parallel for num_threads(max_threads()) if (par) schedule(static)
  for (int64_t k = 0; k < groups; ++k) {
    const double* xk = x + k * m;
    double s = 0;
    for (int64_t i = 0; i < m; ++i) s += xk[i];
    const double mu = m ? s / m : 0.0;
    double v = 0;
    for (int64_t i = 0; i < m; ++i) v += (xk[i] - mu) * (xk[i] - mu);
    v = m ? v / m : 0.0;
    const double is = 1.0 / std::sqrt(v + eps);
    mean[k] = mu, var[k] = v, invstd[k] = is;
    const double scale = gamma[k] * is;
    double* ok = out + k * m;
    for (int64_t i = 0; i < m; ++i) ok[i] = (xk[i] - mu) * scale + beta[k];
  }
}

void bn_train_grad(const double* x, const double* dy, int64_t groups, int64_t m, const double* gamma,
                   const double* mean, const double* invstd, double* gx, double* gscale, double* gbias) {
  const bool par = groups > 1 && groups * m >= elemwise_minsize();
#pragma omp parallel for num_threads(max_threads()) if (par) schedule(static)
  for (int64_t k = 0; k < groups; ++k) {
    const double* xk = x + k * m;
    const double* dk = dy + k * m;
    const double mu = mean[k], is = invstd[k];
    double sdy = 0, sdyd = 0;
    for (int64_t i = 0; i < m; ++i) sdy += dk[i], sdyd += dk[i] * (xk[i] - mu);
    const double mean_dyd = m ? sdyd / m : 0.0;
    // c_i = dy_i * is - d_i * mean_dyd * is^3; mean(c) = mean(dy) * is - mean(d) * ... (mean(d) = 0
    // in exact arithmetic; computed anyway so that gx sums to zero exactly as the formula).
    const double is3 = is * is * is;
    double sc = 0;
    for (int64_t i = 0; i < m; ++i) sc += dk[i] * is - (xk[i] - mu) * mean_dyd * is3;
    const double mean_c = m ? sc / m : 0.0;
    double* gk = gx + k * m;
    for (int64_t i = 0; i < m; ++i) gk[i] = gamma[k] * (dk[i] * is - (xk[i] - mu) * mean_dyd * is3 - mean_c);
    gscale[k] = sdyd * is;
    gbias[k] = sdy;
  }
}

void bn_inference(const double* x, int64_t groups, int64_t m, const double* gamma, const double* beta,
                  const double* mean, const double* var, double eps, double* out) {
  const bool par = groups > 1 && groups * m >= elemwise_minsize();
#pragma omp parallel for num_threads(max_threads()) if (par) schedule(static)
  for (int64_t k = 0; k < groups; ++k) {
    const double scale = gamma[k] / std::sqrt(var[k] + eps);
    const double* xk = x + k * m;
    double* ok = out + k * m;
    for (int64_t i = 0; i < m; ++i) ok[i] = (xk[i] - mean[k]) * scale + beta[k];
  }
}

}  // namespace hypatia::nnet_kernels
