// Shared declarations of the binding units (one init_* per area, called in order by module.cpp).
#pragma once
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/map.h>

#include "convert.h"
#include "hypatia/graph/function_graph.h"

namespace hypatia::py {

void init_errors(nb::module_& m);
void init_graph(nb::module_& m);
void init_tensor(nb::module_& m);
void init_function(nb::module_& m);
void init_grad(nb::module_& m);
void init_printing(nb::module_& m);
void init_bench(nb::module_& m);
void init_blas(nb::module_& m);  // blas_info()
// Tensor families, one binding file each.
void init_math(nb::module_& m);
void init_reduce(nb::module_& m);
void init_shape(nb::module_& m);
void init_subtensor(nb::module_& m);
void init_linalg(nb::module_& m);
void init_random(nb::module_& m);
// The sparse module (submodule _core.sparse).
void init_sparse(nb::module_& m);
void init_sparse_arith(nb::module_& m);  // after init_sparse: adds to _core.sparse
void init_sparse_dot(nb::module_& m);  // after init_sparse: adds to _core.sparse
// Sparse selection, stacking, sparse_grad and probability ops (into _core.sparse).
void init_sparse_select(nb::module_& m);
void init_blocksparse(nb::module_& m);  // tensor.nnet.blocksparse

/// A Python object as a graph variable: Variables pass through; numbers, numpy arrays and
/// lists become constants (Theano's as_tensor_variable).
Var as_var(nb::handle obj);
/// Axis arguments: None, an int, or a sequence of ints.
std::optional<std::vector<int>> as_axes(nb::handle obj);

}  // namespace hypatia::py
