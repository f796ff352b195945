// A compact FFT: complex transforms of any length (iterative radix-2 for powers of two,
// Bluestein's chirp-z for the others) and the batched real N-d transforms of tensor.fft.
#pragma once
#include <complex>
#include <cstdint>
#include <vector>

namespace hypatia::kernels {

using cplx = std::complex<double>;

/// A complex transform of one length n >= 1, planned once (twiddles, and Bluestein's chirp and
/// its transform) and then applied to any number of lines. The project carries no FFT library
/// (none in its Debian dependency list, and FFTW is GPL), so this one is written here; it
/// computes in double for float32 and float64 alike.
class FftPlan {
 public:
  explicit FftPlan(int64_t n);
  int64_t size() const { return n_; }
  /// Scratch (complex values) one call needs; each thread passes its own.
  int64_t work_size() const { return pow2_ ? 0 : 2 * m_; }
  /// In-place X[k] = sum_j x[j] e^{-2 pi i jk/n} (inverse: e^{+...}, unnormalised).
  void run(cplx* data, bool inverse, cplx* work) const;

 private:
  void radix2(cplx* a, int64_t len, const std::vector<cplx>& tw, bool inverse) const;
  int64_t n_ = 1, m_ = 1;
  bool pow2_ = true;
  std::vector<cplx> tw_;      // the radix-2 passes' twiddles (length n - 1)
  std::vector<cplx> chirp_;   // Bluestein: e^{-pi i k^2/n}, k < n
  std::vector<cplx> tw_m_;    // twiddles of the power-of-two length m >= 2n-1
  std::vector<cplx> bhat_;    // transform of the conjugate chirp, length m
};

/// Real forward transforms over the axes `dims` (the last one real) of `batch` contiguous
/// inputs of prod(dims) values each: out holds batch blocks of dims[:-1] x (dims[-1]/2+1)
/// complex values, numpy.fft.rfftn's layout. `scale_inner` multiplies the entries
/// 1 .. ceil(n/2)-1 of the last axis (1 for the plain transform; the gradient uses 2).
/// OpenMP over the independent lines of each pass when the work is large enough.
template <class T>
void rfftn_kernel(const T* in, T* out_interleaved, int64_t batch, const std::vector<int64_t>& dims,
                  double scale_inner = 1.0);

/// The unnormalised inverse: input batch blocks of dims[:-1] x (dims[-1]/2+1) complex values
/// (interleaved real/imag), output batch blocks of prod(dims) reals; the imaginary parts of the
/// zero and Nyquist frequencies are ignored, as numpy.fft.irfftn. `scale_inner` multiplies the
/// entries 1 .. ceil(n/2)-1 of the last axis first (the gradient of rfft uses 0.5).
template <class T>
void irfftn_kernel(const T* in_interleaved, T* out, int64_t batch, const std::vector<int64_t>& dims,
                   double scale_inner = 1.0);

}  // namespace hypatia::kernels
