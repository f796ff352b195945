// hypatia._core: the native half of the Python package.
#include "bindings.h"

NB_MODULE(_core, m) {
  using namespace hypatia::py;
  m.doc() = "Native core of hypatia: graph, ops, compiled functions, autodiff.";
  init_errors(m);
  init_graph(m);
  init_tensor(m);
  init_function(m);
  init_grad(m);
  init_printing(m);
  init_math(m);
  init_reduce(m);
  init_shape(m);
  init_subtensor(m);
  init_linalg(m);
  init_random(m);
  init_sparse(m);
  init_sparse_arith(m);
  init_sparse_dot(m);
  init_sparse_select(m);
  init_blocksparse(m);
  init_bench(m);
  init_blas(m);
}
