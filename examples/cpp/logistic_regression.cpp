// The manual's logistic regression ("A Real Example") written against Hypatia's C++ API.
#include <hypatia/hypatia.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

using namespace hypatia;

int main(int argc, char** argv) {
  const int64_t N = 400, feats = 784;
  const int steps = argc > 1 ? std::atoi(argv[1]) : 2000;
  std::mt19937_64 gen(1234);
  std::normal_distribution<double> normal;
  NDArray X(DType::Float64, {N, feats}), Y(DType::Float64, {N}), w0(DType::Float64, {feats});
  for (int64_t i = 0; i < N * feats; ++i) X.data<double>()[i] = normal(gen);
  for (int64_t i = 0; i < N; ++i) Y.data<double>()[i] = static_cast<double>(gen() % 2);
  for (int64_t i = 0; i < feats; ++i) w0.data<double>()[i] = normal(gen);

  Var x = matrix(DType::Float64, "x");
  Var y = vector(DType::Float64, "y");
  Var w = shared(w0, "w");
  Var b = shared(NDArray::scalar<double>(0.0), "b");

  Var p_1 = 1.0 / (1.0 + exp(-dot(x, w) - b));  // probability that target = 1
  Var prediction = p_1 > 0.5;
  Var xent = -y * log(p_1) - (1.0 - y) * log(1.0 - p_1);
  Var cost = mean(xent) + 0.01 * sum(w * w);
  std::vector<Var> g = grad(cost, {w, b});

  FunctionOptions opts;
  opts.updates = {{w, w - 0.1 * g[0]}, {b, b - 0.1 * g[1]}};
  auto train = function({x, y}, {prediction, cost}, opts);
  auto predict = function({x}, {prediction});

  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) {
    std::vector<Value> out = (*train)({X, Y});
    if (i % std::max(1, steps / 10) == 0 || i == steps - 1)
      std::printf("step %5d  cost %.6f\n", i, std::get<NDArray>(out[1]).item<double>());
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  NDArray pred = std::get<NDArray>((*predict)({X})[0]);
  int correct = 0;
  for (int64_t i = 0; i < N; ++i) correct += pred.data<bool>()[i] == (Y.data<double>()[i] > 0.5);
  std::printf("%d steps in %.2f s; training accuracy %.3f\n", steps, secs, correct / double(N));
  return 0;
}
