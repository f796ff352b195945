// Private timing helpers for bench/*.py: C++-side loops measured in the same process as numpy.
#include <chrono>

#include "bindings.h"
#include "hypatia/compile/function.h"
#include "hypatia/tensor/basic.h"

namespace hypatia::py {

void init_bench(nb::module_& m) {
  m.def("bench_call_scalar_add", [](int iterations) {
    Var x = scalar(DType::Float64, "x"), y = scalar(DType::Float64, "y");
    auto f = function({x, y}, {x + y});
    std::vector<Value> args{NDArray::scalar<double>(2.0), NDArray::scalar<double>(3.0)};
    nb::gil_scoped_release release;
    double best = 1e30;
    for (int rep = 0; rep < 5; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < iterations; ++i) (*f)(args);
      double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / iterations;
      best = std::min(best, t);
    }
    return best;
  }, "Seconds per call of a compiled float64 scalar add, called from C++ (best of 5).");
}

}  // namespace hypatia::py
