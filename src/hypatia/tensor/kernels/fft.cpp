// The FFT kernel: radix-2 and Bluestein plans, and the batched real N-d transforms.
#include "hypatia/tensor/kernels/fft.h"

#include <cmath>

#include "hypatia/util/parallel.h"

namespace hypatia::kernels {

namespace {
constexpr double kTwoPi = 6.283185307179586476925286766559;

bool is_pow2(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

std::vector<cplx> twiddles(int64_t n) {
  std::vector<cplx> t(static_cast<size_t>(n / 2));
  for (int64_t k = 0; k < n / 2; ++k) t[k] = std::polar(1.0, -kTwoPi * static_cast<double>(k) / static_cast<double>(n));
  return t;
}
}  // namespace

FftPlan::FftPlan(int64_t n) : n_(n < 1 ? 1 : n), pow2_(is_pow2(n_)) {
  if (pow2_) {
    tw_ = twiddles(n_);
    return;
  }
  m_ = 1;
  while (m_ < 2 * n_ - 1) m_ *= 2;
  tw_m_ = twiddles(m_);
  chirp_.resize(static_cast<size_t>(n_));
  for (int64_t k = 0; k < n_; ++k) {
    // k^2 mod 2n keeps the angle exact for large k.
    const int64_t k2 = static_cast<int64_t>((static_cast<unsigned __int128>(k) * k) % (2 * static_cast<uint64_t>(n_)));
    chirp_[k] = std::polar(1.0, -M_PI * static_cast<double>(k2) / static_cast<double>(n_));
  }
  bhat_.assign(static_cast<size_t>(m_), cplx(0, 0));
  bhat_[0] = std::conj(chirp_[0]);
  for (int64_t k = 1; k < n_; ++k) bhat_[k] = bhat_[m_ - k] = std::conj(chirp_[k]);
  radix2(bhat_.data(), m_, tw_m_, false);
}

void FftPlan::radix2(cplx* a, int64_t len, const std::vector<cplx>& tw, bool inverse) const {
  // Bit-reversal permutation, then log2(len) passes of butterflies.
  for (int64_t i = 1, j = 0; i < len; ++i) {
    int64_t bit = len >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (int64_t half = 1; half < len; half *= 2) {
    const int64_t step = len / (2 * half);
    for (int64_t start = 0; start < len; start += 2 * half)
      for (int64_t k = 0; k < half; ++k) {
        const cplx w = inverse ? std::conj(tw[k * step]) : tw[k * step];
        const cplx u = a[start + k], v = a[start + k + half] * w;
        a[start + k] = u + v;
        a[start + k + half] = u - v;
      }
  }
}

void FftPlan::run(cplx* data, bool inverse, cplx* work) const {
  if (n_ == 1) return;
  if (pow2_) {
    radix2(data, n_, tw_, inverse);
    return;
  }
  // Bluestein: X = chirp * (conv(x * chirp, conj(chirp))); the inverse through conjugation.
  cplx* a = work;
  for (int64_t k = 0; k < n_; ++k) a[k] = (inverse ? std::conj(data[k]) : data[k]) * chirp_[k];
  for (int64_t k = n_; k < m_; ++k) a[k] = cplx(0, 0);
  radix2(a, m_, tw_m_, false);
  for (int64_t k = 0; k < m_; ++k) a[k] *= bhat_[k];
  radix2(a, m_, tw_m_, true);
  const double inv_m = 1.0 / static_cast<double>(m_);
  for (int64_t k = 0; k < n_; ++k) {
    const cplx r = a[k] * chirp_[k] * inv_m;
    data[k] = inverse ? std::conj(r) : r;
  }
}

namespace {

// One pass: a complex transform along one axis of `count` blocks shaped (outer, len, inner)
// of complex values, in place.
void complex_pass(cplx* data, int64_t count, int64_t len, int64_t inner, bool inverse) {
  if (len <= 1) return;
  const FftPlan plan(len);
  const int64_t lines = count * inner;
  const bool par = lines > 1 && lines * len >= 16384 && max_threads() > 1;
#pragma omp parallel if (par) num_threads(::hypatia::max_threads())
  {
    std::vector<cplx> buf(static_cast<size_t>(len)), work(static_cast<size_t>(plan.work_size()));
#pragma omp for schedule(static)
    for (int64_t l = 0; l < lines; ++l) {
      cplx* base = data + (l / inner) * len * inner + (l % inner);
      for (int64_t j = 0; j < len; ++j) buf[j] = base[j * inner];
      plan.run(buf.data(), inverse, work.data());
      for (int64_t j = 0; j < len; ++j) base[j * inner] = buf[j];
    }
  }
}

// The entries of the last (halved) axis that stand for two frequencies: 1 .. ceil(n/2)-1.
inline bool inner_entry(int64_t k, int64_t n) { return k >= 1 && k < n / 2 + n % 2; }

}  // namespace

template <class T>
void rfftn_kernel(const T* in, T* out_interleaved, int64_t batch, const std::vector<int64_t>& dims, double scale_inner) {
  const int64_t n = dims.back(), h = n / 2 + 1;
  int64_t rows = batch;
  for (size_t d = 0; d + 1 < dims.size(); ++d) rows *= dims[d];
  cplx* out = reinterpret_cast<cplx*>(out_interleaved);
  std::vector<cplx> tmp;
  // sizeof(std::complex<T>) == 2*sizeof(T): float32 output goes through a double buffer.
  cplx* z = out;
  if constexpr (!std::is_same_v<T, double>) {
    tmp.resize(static_cast<size_t>(rows * h));
    z = tmp.data();
  }
  {
    const FftPlan plan(n);
    const bool par = rows > 1 && rows * n >= 16384 && max_threads() > 1;
#pragma omp parallel if (par) num_threads(::hypatia::max_threads())
    {
      std::vector<cplx> buf(static_cast<size_t>(n)), work(static_cast<size_t>(plan.work_size()));
#pragma omp for schedule(static)
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < n; ++j) buf[j] = cplx(static_cast<double>(in[r * n + j]), 0.0);
        plan.run(buf.data(), false, work.data());
        for (int64_t k = 0; k < h; ++k) z[r * h + k] = inner_entry(k, n) ? buf[k] * scale_inner : buf[k];
      }
    }
  }
  // The other axes, last to first.
  int64_t inner = h;
  for (int64_t d = static_cast<int64_t>(dims.size()) - 2; d >= 0; --d) {
    int64_t outer = batch;
    for (int64_t e = 0; e < d; ++e) outer *= dims[e];
    complex_pass(z, outer, dims[d], inner, false);
    inner *= dims[d];
  }
  if constexpr (!std::is_same_v<T, double>) {
    for (int64_t i = 0; i < rows * h; ++i) {
      out_interleaved[2 * i] = static_cast<T>(z[i].real());
      out_interleaved[2 * i + 1] = static_cast<T>(z[i].imag());
    }
  }
}

template <class T>
void irfftn_kernel(const T* in_interleaved, T* out, int64_t batch, const std::vector<int64_t>& dims, double scale_inner) {
  const int64_t n = dims.back(), h = n / 2 + 1;
  int64_t rows = batch;
  for (size_t d = 0; d + 1 < dims.size(); ++d) rows *= dims[d];
  std::vector<cplx> z(static_cast<size_t>(rows * h));
  for (int64_t i = 0; i < rows * h; ++i) {
    cplx v(static_cast<double>(in_interleaved[2 * i]), static_cast<double>(in_interleaved[2 * i + 1]));
    z[i] = inner_entry(i % h, n) ? v * scale_inner : v;
  }
  int64_t inner = h;
  for (int64_t d = static_cast<int64_t>(dims.size()) - 2; d >= 0; --d) {
    int64_t outer = batch;
    for (int64_t e = 0; e < d; ++e) outer *= dims[e];
    complex_pass(z.data(), outer, dims[d], inner, true);
    inner *= dims[d];
  }
  const FftPlan plan(n);
  const bool par = rows > 1 && rows * n >= 16384 && max_threads() > 1;
#pragma omp parallel if (par) num_threads(::hypatia::max_threads())
  {
    std::vector<cplx> buf(static_cast<size_t>(n)), work(static_cast<size_t>(plan.work_size()));
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      // The Hermitian completion; the imaginary parts of k = 0 and k = n/2 drop out.
      const cplx* zr = z.data() + r * h;
      buf[0] = cplx(zr[0].real(), 0.0);
      for (int64_t k = 1; k < h; ++k) buf[k] = zr[k];
      if (n % 2 == 0 && n > 1) buf[n / 2] = cplx(zr[n / 2].real(), 0.0);
      for (int64_t k = h; k < n; ++k) buf[k] = std::conj(zr[n - k]);
      plan.run(buf.data(), true, work.data());
      for (int64_t j = 0; j < n; ++j) out[r * n + j] = static_cast<T>(buf[j].real());
    }
  }
}

template void rfftn_kernel<float>(const float*, float*, int64_t, const std::vector<int64_t>&, double);
template void rfftn_kernel<double>(const double*, double*, int64_t, const std::vector<int64_t>&, double);
template void irfftn_kernel<float>(const float*, float*, int64_t, const std::vector<int64_t>&, double);
template void irfftn_kernel<double>(const double*, double*, int64_t, const std::vector<int64_t>&, double);

}  // namespace hypatia::kernels
