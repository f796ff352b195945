// vector_math: picks the AVX-512, AVX2 or scalar kernels once at run time and dispatches to them.
#include "hypatia/scalar/vector_math.h"

#include <atomic>

#include "hypatia/scalar/scalar_ops.h"
#include "hypatia/scalar/vector_math_kernels.h"

namespace hypatia::vector_math {

namespace {

enum FnIndex { kExp = 0, kLog = 1, kTanh = 2, kSigmoid = 3, kSoftplus = 4 };

template <class T, class F>
void scalar_loop(const T* a, T* o, int64_t n) {
  F f;
  for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
}

template <class T>
void scalar_pow(const T* a, const T* b, T* o, int64_t n) {
  scalar_fn::Pow f;
  for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
}

const detail::Table kScalar = {
    {scalar_loop<double, scalar_fn::Exp>, scalar_loop<double, scalar_fn::Log>, scalar_loop<double, scalar_fn::Tanh>,
     scalar_loop<double, scalar_fn::Sigmoid>, scalar_loop<double, scalar_fn::Softplus>},
    {scalar_loop<float, scalar_fn::Exp>, scalar_loop<float, scalar_fn::Log>, scalar_loop<float, scalar_fn::Tanh>,
     scalar_loop<float, scalar_fn::Sigmoid>, scalar_loop<float, scalar_fn::Softplus>},
    scalar_pow<double>, scalar_pow<float>};

const detail::Table* table_for(Isa want) {
  if (want == Isa::Avx512) return detail::avx512_table();
  if (want == Isa::Avx2) return detail::avx2_table();
  return &kScalar;
}

bool cpu_has(Isa want) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();  // may run from a static initializer, before libgcc's own
  if (want == Isa::Avx512) return __builtin_cpu_supports("avx512f");
  if (want == Isa::Avx2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return true;
#else
  return want == Isa::Scalar;
#endif
}

Isa detect() {
  for (Isa i : {Isa::Avx512, Isa::Avx2})
    if (cpu_has(i) && table_for(i)) return i;
  return Isa::Scalar;
}

const Isa kBest = detect();
std::atomic<Isa> g_isa{kBest};
std::atomic<const detail::Table*> g_table{table_for(kBest)};

inline const detail::Table& tab() { return *g_table.load(std::memory_order_relaxed); }

}  // namespace

Isa best_isa() { return kBest; }
Isa isa() { return g_isa.load(); }
void set_isa(Isa want) {
  Isa use = Isa::Scalar;
  for (Isa i : {Isa::Avx512, Isa::Avx2})
    if (static_cast<int>(i) <= static_cast<int>(want) && cpu_has(i) && table_for(i)) {
      use = i;
      break;
    }
  g_table.store(table_for(use));
  g_isa.store(use);
}
bool uses_sleef() {
#ifdef HYPATIA_USE_SLEEF
  return isa() != Isa::Scalar;
#else
  return false;
#endif
}
bool vectorised() { return isa() != Isa::Scalar; }
const char* backend() {
  switch (isa()) {
    case Isa::Avx512: return uses_sleef() ? "avx512+sleef" : "avx512";
    case Isa::Avx2: return uses_sleef() ? "avx2+sleef" : "avx2";
    default: return "scalar";
  }
}

void exp(const double* a, double* o, int64_t n) { tab().f64[kExp](a, o, n); }
void exp(const float* a, float* o, int64_t n) { tab().f32[kExp](a, o, n); }
void log(const double* a, double* o, int64_t n) { tab().f64[kLog](a, o, n); }
void log(const float* a, float* o, int64_t n) { tab().f32[kLog](a, o, n); }
void tanh(const double* a, double* o, int64_t n) { tab().f64[kTanh](a, o, n); }
void tanh(const float* a, float* o, int64_t n) { tab().f32[kTanh](a, o, n); }
void sigmoid(const double* a, double* o, int64_t n) { tab().f64[kSigmoid](a, o, n); }
void sigmoid(const float* a, float* o, int64_t n) { tab().f32[kSigmoid](a, o, n); }
void softplus(const double* a, double* o, int64_t n) { tab().f64[kSoftplus](a, o, n); }
void softplus(const float* a, float* o, int64_t n) { tab().f32[kSoftplus](a, o, n); }
void pow(const double* a, const double* b, double* o, int64_t n) { tab().pow64(a, b, o, n); }
void pow(const float* a, const float* b, float* o, int64_t n) { tab().pow32(a, b, o, n); }

}  // namespace hypatia::vector_math
