// Process-wide OpenMP settings (Theano's config.openmp and config.openmp_elemwise_minsize).
#pragma once
#include <cstdint>

namespace hypatia {

/// Whether kernels may run on several threads (config.openmp). Off makes every kernel
/// single-threaded, e.g. to leave the cores to other processes or to compare timings.
/// Thread-safe; it applies to calls from every thread, including ones already running.
void set_openmp(bool enabled);
bool openmp_enabled();

/// The number of threads a parallel region may use: omp_get_max_threads() when OpenMP is
/// enabled, 1 otherwise. Kernels pass it as `num_threads(...)`, so the switch is global
/// rather than per calling thread (omp_set_num_threads is per thread).
int max_threads();

/// Element count from which the fused elementwise loops run in parallel (Theano's
/// openmp_elemwise_minsize): below it, starting threads costs more than they save.
/// ValueError "[config] ..." for a value below 1.
void set_elemwise_minsize(int64_t n);
int64_t elemwise_minsize();

}  // namespace hypatia
