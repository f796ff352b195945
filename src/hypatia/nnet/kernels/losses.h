// Row kernels of the fused softmax losses: softmax(x + b) per row, its log-sum-exp
// crossentropy against one label per row, the argmax, and the crossentropy's gradient.
#pragma once
#include <cstdint>

namespace hypatia::nnet_kernels {

/// sm[i, :] = softmax(x[i, :] + b) for a (rows, cols) C-contiguous x and a length-cols b
/// (null: no bias). With nll non-null, nll[i] = -log softmax(x[i] + b)[y[i]] from the
/// log-sum-exp (finite for any finite logits); with am non-null, am[i] = argmax_j x[i, j] + b[j].
/// Labels must already be checked to lie in [0, cols).
void softmax_rows(const double* x, const double* b, int64_t rows, int64_t cols, double* sm,
                  const int64_t* y = nullptr, double* nll = nullptr, int64_t* am = nullptr);

/// dx[i, j] = dy[i] * (sm[i, j] - [j == y[i]]): the gradient of the 1-hot crossentropy of a
/// softmax with respect to its logits. dy may be broadcast (dy_stride 0).
void crossentropy_softmax_dx(const double* dy, int64_t dy_stride, const double* sm, const int64_t* y,
                             int64_t rows, int64_t cols, double* dx);

}  // namespace hypatia::nnet_kernels
