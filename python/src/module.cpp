// hypatia._core: the native half of the Python package.
#include "bindings.h"

NB_MODULE(_core, m) {
  using namespace hypatia::py;
  m.doc() = "Native core of hypatia: graph, ops, compiled functions, autodiff.";
  // The core (graph classes, errors, function, grad, printing, BLAS report) is flat; each op
  // family is a submodule _core.<family> (tensor, math, subtensor, linalg, nnet, blocksparse,
  // reduce, shape, random, sparse), importable as hypatia._core.<family>.
  auto family = [&](void (*init)(nb::module_&), const char* name, const char* doc) {
    nb::module_ sub = m.def_submodule(name, doc);
    init(sub);
  };
  init_errors(m);
  init_graph(m);
  init_trace(m);
  family(&init_tensor, "tensor", "Dense tensors: constructors, elementwise arithmetic, dot, shapes, sort.");
  family(&init_nnet, "nnet", "theano.tensor.nnet: activations, softmax and crossentropies.");
  init_modes(m);
  init_function(m);
  init_grad(m);
  init_printing(m);
  family(&init_math, "math", "theano.tensor's elementwise math beyond arithmetic (trig, special functions, ...).");
  init_reduce(m);
  init_shape(m);
  family(&init_subtensor, "subtensor", "Indexing: subtensor, set/inc_subtensor, take.");
  family(&init_linalg, "linalg", "Linear algebra: tensordot, batched dot, BLAS ops, inverse, solve, ...");
  init_random(m);
  family(&init_extra, "extra", "Issue 12's extra part: extra_ops (choose, ravel/unravel, bartlett, chi2sf), fft, MRG31k3p.");
  init_sparse(m);
  init_sparse_arith(m);
  init_sparse_dot(m);
  init_sparse_select(m);
  init_sparse_linalg(m);
  family(&init_blocksparse, "blocksparse", "theano.tensor.nnet.blocksparse: block-sparse products.");
  family(&init_pool, "pool", "theano.tensor.signal.pool and theano.tensor.nnet.neighbours.");
  family(&init_conv, "conv", "theano.tensor.nnet.abstract_conv: the convolution ops.");
  family(&init_nnet_fused, "nnet_fused", "theano.tensor.nnet.bn and the fused softmax losses.");
  init_scan(m);
  init_pyop(m);
  init_ifelse(m);
  init_control(m);
  family(&init_distributed, "distributed", "hypatia.distributed: MPI collectives and data-parallel training.");
  init_pickle(m);
  init_bench(m);
  init_blas(m);
  nb::object modules = nb::module_::import_("sys").attr("modules");
  for (auto [name, value] : nb::borrow<nb::dict>(m.attr("__dict__")))
    if (PyModule_Check(value.ptr())) modules[(std::string("hypatia._core.") + nb::cast<std::string>(name)).c_str()] = value;
}
