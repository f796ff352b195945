// Threads that each call their own compiled function concurrently (dense, OpenMP-sized and
// sparse graphs): results stay correct, and the ThreadSanitizer stage of scripts/run_tests.sh
// (which runs the *Thread* tests of this binary) sees no race.
#include <gtest/gtest.h>

#include <thread>

#include "hypatia/compile/function.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/math.h"
#include "hypatia/sparse/products.h"
#include "hypatia/tensor/basic.h"

using namespace hypatia;

namespace {

// Big enough that elementwise loops and the sum run on OpenMP threads inside each call.
constexpr int64_t kBig = 1 << 17;

struct Job {
  FunctionPtr dense, sparse_fn;
};

Job compile_job() {
  Var v = vector(DType::Float64, "v");
  Var x = sparse::csr_matrix("x", DType::Float64);
  Var y = matrix(DType::Float64, "y");
  return {function({v}, {sum(v * 2.0 + 1.0)}),
          function({x, y}, {sparse::structured_dot(x, y), sparse::sp_sum(sparse::add(x, x), 0)})};
}

}  // namespace

TEST(FunctionThreads, EachThreadCallsItsOwnCompiledFunction) {
  constexpr int kThreads = 4, kCalls = 5;
  std::vector<Job> jobs;
  for (int t = 0; t < kThreads; ++t) jobs.push_back(compile_job());
  // x = [[1, 0, 2], [0, 3, 0]] (csr), y = ones(3, 2).
  const SparseMatrix x(SparseFormat::CSR, 2, 3, NDArray::from_vector<double>({1, 2, 3}, {3}),
                       NDArray::from_vector<int32_t>({0, 2, 1}, {3}), NDArray::from_vector<int32_t>({0, 2, 3}, {3}));
  const NDArray y = NDArray::full(DType::Float64, {3, 2}, 1.0);
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int c = 0; c < kCalls; ++c) {
        // v = t + c everywhere: sum(2v + 1) = kBig * (2(t + c) + 1).
        NDArray v = NDArray::full(DType::Float64, {kBig}, t + c);
        const double s = std::get<NDArray>((*jobs[t].dense)({v})[0]).item<double>();
        failures[t] += s != static_cast<double>(kBig) * (2.0 * (t + c) + 1.0);
        std::vector<Value> out = (*jobs[t].sparse_fn)({x, y});
        const NDArray& p = std::get<NDArray>(out[0]);
        const NDArray& cs = std::get<NDArray>(out[1]);
        failures[t] += p.data<double>()[0] != 3.0 || p.data<double>()[3] != 3.0;
        failures[t] += cs.data<double>()[0] != 2.0 || cs.data<double>()[1] != 6.0 || cs.data<double>()[2] != 4.0;
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}
