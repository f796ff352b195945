// Process-wide OpenMP settings: the on/off switch and the elementwise threshold.
#include "hypatia/util/parallel.h"

#include <omp.h>

#include <algorithm>
#include <atomic>

#include "hypatia/util/error.h"

namespace hypatia {

namespace {
std::atomic<bool> g_openmp{true};
std::atomic<int64_t> g_elemwise_minsize{200000};
}  // namespace

void set_openmp(bool enabled) { g_openmp.store(enabled, std::memory_order_relaxed); }
bool openmp_enabled() { return g_openmp.load(std::memory_order_relaxed); }
int max_threads() { return openmp_enabled() ? std::max(1, omp_get_max_threads()) : 1; }

void set_elemwise_minsize(int64_t n) {
  if (n < 1) value_error("[config] openmp_elemwise_minsize must be a positive integer, got ", n);
  g_elemwise_minsize.store(n, std::memory_order_relaxed);
}
int64_t elemwise_minsize() { return g_elemwise_minsize.load(std::memory_order_relaxed); }

}  // namespace hypatia
