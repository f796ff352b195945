// CTC forward-backward in log space (alpha and beta both include the step's emission).
#include "hypatia/nnet/kernels/ctc.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hypatia::nnet_kernels {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double log_add(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::abs(a - b)));
}

}  // namespace

double ctc_loss(const double* acts, int64_t stride, int64_t steps, int64_t alphabet, const std::vector<int64_t>& labels,
                double* grad) {
  const int64_t L = static_cast<int64_t>(labels.size()), S = 2 * L + 1;
  if (grad)
    for (int64_t t = 0; t < steps; ++t) std::fill(grad + t * stride, grad + t * stride + alphabet, 0.0);
  if (steps == 0) return L == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  // log-softmax per step
  std::vector<double> lp(static_cast<size_t>(steps * alphabet));
  for (int64_t t = 0; t < steps; ++t) {
    const double* a = acts + t * stride;
    double m = kNegInf;
    for (int64_t k = 0; k < alphabet; ++k) m = std::max(m, a[k]);
    double s = 0;
    for (int64_t k = 0; k < alphabet; ++k) s += std::exp(a[k] - m);
    const double ls = m + std::log(s);
    for (int64_t k = 0; k < alphabet; ++k) lp[t * alphabet + k] = a[k] - ls;
  }
  auto ext = [&](int64_t s) { return s % 2 == 0 ? int64_t{0} : labels[s / 2]; };
  auto skip_ok = [&](int64_t s) { return s >= 2 && ext(s) != 0 && ext(s) != ext(s - 2); };
  std::vector<double> alpha(static_cast<size_t>(steps * S), kNegInf), beta(static_cast<size_t>(steps * S), kNegInf);
  alpha[0] = lp[ext(0)];
  if (S > 1) alpha[1] = lp[ext(1)];
  for (int64_t t = 1; t < steps; ++t)
    for (int64_t s = 0; s < S; ++s) {
      double v = alpha[(t - 1) * S + s];
      if (s >= 1) v = log_add(v, alpha[(t - 1) * S + s - 1]);
      if (skip_ok(s)) v = log_add(v, alpha[(t - 1) * S + s - 2]);
      alpha[t * S + s] = v == kNegInf ? kNegInf : v + lp[t * alphabet + ext(s)];
    }
  const int64_t T = steps - 1;
  double logp = alpha[T * S + S - 1];
  if (S > 1) logp = log_add(logp, alpha[T * S + S - 2]);
  if (logp == kNegInf) return std::numeric_limits<double>::infinity();
  if (!grad) return -logp;
  beta[T * S + S - 1] = lp[T * alphabet + ext(S - 1)];
  if (S > 1) beta[T * S + S - 2] = lp[T * alphabet + ext(S - 2)];
  for (int64_t t = T - 1; t >= 0; --t)
    for (int64_t s = 0; s < S; ++s) {
      double v = beta[(t + 1) * S + s];
      if (s + 1 < S) v = log_add(v, beta[(t + 1) * S + s + 1]);
      if (s + 2 < S && skip_ok(s + 2)) v = log_add(v, beta[(t + 1) * S + s + 2]);
      beta[t * S + s] = v == kNegInf ? kNegInf : v + lp[t * alphabet + ext(s)];
    }
  std::vector<double> occ(static_cast<size_t>(alphabet));
  for (int64_t t = 0; t < steps; ++t) {
    std::fill(occ.begin(), occ.end(), kNegInf);
    for (int64_t s = 0; s < S; ++s) {
      const int64_t k = ext(s);
      occ[k] = log_add(occ[k], alpha[t * S + s] + beta[t * S + s]);
    }
    double* g = grad + t * stride;
    // d(-log p)/du_tk = y_tk - (sum over s with label k of alpha beta / y_tk) / p
    for (int64_t k = 0; k < alphabet; ++k)
      g[k] = std::exp(lp[t * alphabet + k]) - (occ[k] == kNegInf ? 0.0 : std::exp(occ[k] - lp[t * alphabet + k] - logp));
  }
  return -logp;
}

}  // namespace hypatia::nnet_kernels
