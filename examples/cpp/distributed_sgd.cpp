// Data-parallel SGD from C++ through hypatia::distributed: run alone or `mpirun -np 2 ./distributed_sgd`.
// Each rank fits y = X w on its row block of one synthetic dataset; the gradients are averaged
// over the ranks inside the compiled step (bucketed, overlapped with the backward pass), so
// every rank ends with the same w, the one a single process gets on the whole data.
#include <hypatia/distributed/distributed.h>
#include <hypatia/hypatia.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace hypatia;

int main(int argc, char** argv) {
  distributed::init();
  const int rank = distributed::rank(), size = distributed::size();
  const int steps = argc > 1 ? std::atoi(argv[1]) : 100;
  // The whole dataset (the same on every rank): 64 rows, 3 features, w_true = (1, -2, 0.5).
  const int64_t n = 64;
  NDArray X(DType::Float64, {n, 3}), Y(DType::Float64, {n});
  for (int64_t i = 0; i < n; ++i) {
    double* row = X.data<double>() + 3 * i;
    row[0] = std::sin(0.3 * i), row[1] = std::cos(0.7 * i), row[2] = 1.0;
    Y.data<double>()[i] = row[0] - 2 * row[1] + 0.5 * row[2];
  }
  auto [b, e] = distributed::row_range(n, rank, size);  // this rank's rows
  NDArray Xr = X.slice(0, b, e, 1).copy(), Yr = Y.slice(0, b, e, 1).copy();

  Var x = matrix(DType::Float64, "x"), y = vector(DType::Float64, "y");
  Var w = make_shared_variable(NDArray::zeros(DType::Float64, {3}), TensorType::make(DType::Float64, {false}), "w");
  Var r = dot(x, w) - y;
  Var cost = mean(r * r);
  distributed::sync_parameters({w});  // same shapes everywhere (checked), rank 0's values
  Var g = distributed::data_parallel_grads(cost, {w})[0];
  FunctionOptions opts;
  opts.updates = {{w, w - 0.2 * g}};
  auto train = function({In(x), In(y)}, {Out(cost)}, opts);
  double c = 0;
  for (int s = 0; s < steps; ++s) c = as_array((*train)({Xr, Yr})[0]).item<double>();
  const NDArray wa = as_array(get_value(w));
  const double* wv = wa.data<double>();
  std::printf("rank %d of %d: local cost %.2e, w = (%.4f, %.4f, %.4f)\n", rank, size, c, wv[0], wv[1], wv[2]);
  const bool ok = std::abs(wv[0] - 1) < 0.05 && std::abs(wv[1] + 2) < 0.05 && std::abs(wv[2] - 0.5) < 0.05;
  distributed::finalize();
  return ok ? 0 : 1;
}
