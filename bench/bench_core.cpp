// Core overheads from C++: per-call time of a compiled scalar add, compile time of deep graphs.
#include <benchmark/benchmark.h>

#include "hypatia/hypatia.h"

using namespace hypatia;

// One call of f(x, y) = x + y on float64 scalars: argument checks, the VM, output hand-over.
static void BM_CallScalarAdd(benchmark::State& state) {
  Var x = scalar(DType::Float64, "x"), y = scalar(DType::Float64, "y");
  auto f = function({x, y}, {x + y});
  std::vector<Value> args{NDArray::scalar<double>(2.0), NDArray::scalar<double>(3.0)};
  for (auto _ : state) {
    auto out = (*f)(args);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_CallScalarAdd);

// Building and compiling a graph of n chained elementwise nodes (mixed ops so merge cannot fold them).
static void BM_CompileChain(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    Var x = vector(DType::Float64, "x");
    Var y = x;
    for (int i = 0; i < n; ++i) y = (i % 2) ? y * 1.0001 : y + 0.5;
    auto f = function({x}, {y});
    benchmark::DoNotOptimize(f);
  }
  state.SetLabel(std::to_string(n) + " nodes, graph build + compile");
}
BENCHMARK(BM_CompileChain)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
