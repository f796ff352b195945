// The FFT kernel: radix-2 and Bluestein plans, and the batched real N-d transforms.
#include "hypatia/tensor/kernels/fft.h"

#include <cmath>

#include "hypatia/util/parallel.h"

namespace hypatia::kernels {

namespace {
constexpr double kTwoPi = 6.283185307179586476925286766559;

bool is_pow2(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

// Plain complex products: std::complex's operator* checks for NaN/inf (a library call per
// product without -ffast-math), which dominates a butterfly.
inline cplx cmul(cplx a, cplx b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}
inline cplx cmul_conj(cplx a, cplx b) {  // a * conj(b)
  return {a.real() * b.real() + a.imag() * b.imag(), a.imag() * b.real() - a.real() * b.imag()};
}

// The twiddles of every radix-2 pass of length n, pass by pass: the pass combining blocks of
// `half` reads e^{-i pi k/half}, k < half, at [half - 1, 2 half - 1) (contiguous in k).
std::vector<cplx> twiddles(int64_t n) {
  std::vector<cplx> t(static_cast<size_t>(n > 1 ? n - 1 : 0));
  for (int64_t half = 1; half < n; half *= 2)
    for (int64_t k = 0; k < half; ++k)
      t[half - 1 + k] = std::polar(1.0, -M_PI * static_cast<double>(k) / static_cast<double>(half));
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
    const cplx* t = tw.data() + (half - 1);
    for (int64_t start = 0; start < len; start += 2 * half)
      for (int64_t k = 0; k < half; ++k) {
        const cplx w = t[k];
        const cplx u = a[start + k], v = inverse ? cmul_conj(a[start + k + half], w) : cmul(a[start + k + half], w);
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
  for (int64_t k = 0; k < n_; ++k) a[k] = cmul(inverse ? std::conj(data[k]) : data[k], chirp_[k]);
  for (int64_t k = n_; k < m_; ++k) a[k] = cplx(0, 0);
  radix2(a, m_, tw_m_, false);
  for (int64_t k = 0; k < m_; ++k) a[k] = cmul(a[k], bhat_[k]);
  radix2(a, m_, tw_m_, true);
  const double inv_m = 1.0 / static_cast<double>(m_);
  for (int64_t k = 0; k < n_; ++k) {
    const cplx r = cmul(a[k], chirp_[k]) * inv_m;
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

// Real transforms of one length n: an even n packs its even and odd samples into one complex
// line of n/2 (half the work); an odd n goes through a complex line of n.
class RealLine {
 public:
  explicit RealLine(int64_t n) : n_(n), even_(n % 2 == 0), plan_(even_ ? n / 2 : n) {
    if (even_) {
      tw_.resize(static_cast<size_t>(n / 2 + 1));
      for (int64_t k = 0; k <= n / 2; ++k) tw_[k] = std::polar(1.0, -kTwoPi * static_cast<double>(k) / static_cast<double>(n));
    }
  }
  int64_t buf_size() const { return plan_.size(); }
  int64_t work_size() const { return plan_.work_size(); }
  /// out[0..n/2] = the first half of the DFT of the n reals in[] (stride 1).
  template <class T>
  void forward(const T* in, cplx* out, cplx* buf, cplx* work) const {
    if (!even_) {
      for (int64_t j = 0; j < n_; ++j) buf[j] = cplx(static_cast<double>(in[j]), 0.0);
      plan_.run(buf, false, work);
      for (int64_t k = 0; k <= n_ / 2; ++k) out[k] = buf[k];
      return;
    }
    const int64_t m = n_ / 2;
    for (int64_t j = 0; j < m; ++j) buf[j] = cplx(static_cast<double>(in[2 * j]), static_cast<double>(in[2 * j + 1]));
    plan_.run(buf, false, work);
    for (int64_t k = 0; k <= m; ++k) {
      const cplx zk = buf[k % m], zc = std::conj(buf[(m - k) % m]);
      const cplx e = 0.5 * (zk + zc), d = 0.5 * (zk - zc);
      out[k] = e + cmul(tw_[k], cplx(d.imag(), -d.real()));  // e + w^k (-i d)
    }
  }
  /// out[0..n) = the unnormalised inverse of the Hermitian spectrum in[0..n/2] (the imaginary
  /// parts of in[0] and, for even n, in[n/2] ignored).
  template <class T>
  void inverse(const cplx* in, T* out, cplx* buf, cplx* work) const {
    const int64_t h = n_ / 2 + 1;
    if (!even_) {
      buf[0] = cplx(in[0].real(), 0.0);
      for (int64_t k = 1; k < h; ++k) buf[k] = in[k], buf[n_ - k] = std::conj(in[k]);
      plan_.run(buf, true, work);
      for (int64_t j = 0; j < n_; ++j) out[j] = static_cast<T>(buf[j].real());
      return;
    }
    const int64_t m = n_ / 2;
    auto x = [&](int64_t k) { return k == 0 || k == m ? cplx(in[k].real(), 0.0) : in[k]; };
    for (int64_t k = 0; k < m; ++k) {
      const cplx xk = x(k), xc = std::conj(x(m - k));
      const cplx e = 0.5 * (xk + xc), o = cmul_conj(0.5 * (xk - xc), tw_[k]);
      buf[k] = cplx(e.real() - o.imag(), e.imag() + o.real());  // e + i o
    }
    plan_.run(buf, true, work);
    for (int64_t j = 0; j < m; ++j) {
      out[2 * j] = static_cast<T>(2.0 * buf[j].real());
      out[2 * j + 1] = static_cast<T>(2.0 * buf[j].imag());
    }
  }

 private:
  int64_t n_;
  bool even_;
  FftPlan plan_;
  std::vector<cplx> tw_;  // e^{-2 pi i k/n}, k <= n/2 (even n)
};

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
    const RealLine line(n);
    const bool par = rows > 1 && rows * n >= 16384 && max_threads() > 1;
#pragma omp parallel if (par) num_threads(::hypatia::max_threads())
    {
      std::vector<cplx> buf(static_cast<size_t>(line.buf_size())), work(static_cast<size_t>(line.work_size()));
#pragma omp for schedule(static)
      for (int64_t r = 0; r < rows; ++r) {
        cplx* zr = z + r * h;
        line.forward(in + r * n, zr, buf.data(), work.data());
        if (scale_inner != 1.0)
          for (int64_t k = 1; k < h; ++k)
            if (inner_entry(k, n)) zr[k] *= scale_inner;
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
  const RealLine line(n);
  const bool par = rows > 1 && rows * n >= 16384 && max_threads() > 1;
#pragma omp parallel if (par) num_threads(::hypatia::max_threads())
  {
    std::vector<cplx> buf(static_cast<size_t>(line.buf_size())), work(static_cast<size_t>(line.work_size()));
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) line.inverse(z.data() + r * h, out + r * n, buf.data(), work.data());
  }
}

template void rfftn_kernel<float>(const float*, float*, int64_t, const std::vector<int64_t>&, double);
template void rfftn_kernel<double>(const double*, double*, int64_t, const std::vector<int64_t>&, double);
template void irfftn_kernel<float>(const float*, float*, int64_t, const std::vector<int64_t>&, double);
template void irfftn_kernel<double>(const double*, double*, int64_t, const std::vector<int64_t>&, double);

}  // namespace hypatia::kernels
