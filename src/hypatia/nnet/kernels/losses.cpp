// Row kernels of the fused softmax losses (OpenMP over rows above the elementwise threshold).
#include "hypatia/nnet/kernels/losses.h"

#include <cmath>
#include <limits>

#include "hypatia/util/parallel.h"

namespace hypatia::nnet_kernels {

void softmax_rows(const double* x, const double* b, int64_t rows, int64_t cols, double* sm, const int64_t* y,
                  double* nll, int64_t* am) {
  const bool par = rows > 1 && rows * cols >= elemwise_minsize();
#pragma omp parallel for num_threads(max_threads()) if (par) schedule(static)
  for (int64_t i = 0; i < rows; ++i) {
    const double* xi = x + i * cols;
    double* si = sm + i * cols;
    double m = -std::numeric_limits<double>::infinity();
    int64_t arg = 0;
    for (int64_t j = 0; j < cols; ++j) {
      si[j] = xi[j] + (b ? b[j] : 0.0);
      if (si[j] > m) m = si[j], arg = j;
    }
    const double shift = std::isinf(m) ? (m > 0 ? m : 0.0) : m;
    double s = 0;
    for (int64_t j = 0; j < cols; ++j) s += std::exp(si[j] - shift);
    if (nll) nll[i] = -(si[y[i]] - shift - std::log(s));
    for (int64_t j = 0; j < cols; ++j) si[j] = std::exp(si[j] - shift) / s;
    if (am) am[i] = arg;
  }
}

void crossentropy_softmax_dx(const double* dy, int64_t dy_stride, const double* sm, const int64_t* y, int64_t rows,
                             int64_t cols, double* dx) {
  const bool par = rows > 1 && rows * cols >= elemwise_minsize();
#pragma omp parallel for num_threads(max_threads()) if (par) schedule(static)
  for (int64_t i = 0; i < rows; ++i) {
    const double d = dy[i * dy_stride];
    for (int64_t j = 0; j < cols; ++j) dx[i * cols + j] = d * sm[i * cols + j];
    dx[i * cols + y[i]] -= d;
  }
}

}  // namespace hypatia::nnet_kernels
