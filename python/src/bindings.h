// Shared declarations of the binding units (one init_* per area, called in order by module.cpp).
#pragma once
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/map.h>

#include <functional>
#include <typeindex>

#include "convert.h"
#include "hypatia/graph/function_graph.h"

namespace hypatia {
class Function;
}

namespace hypatia::py {

void init_trace(nb::module_& m);  // creation traces (tag.trace, traceback.limit)
void init_errors(nb::module_& m);
/// Sets the Python error for a C++ exception the way the registered translator does (hypatia
/// Errors by kind, bad_alloc as MemoryError); other exceptions are left for the caller.
void set_python_error(const std::exception_ptr& p);
void init_graph(nb::module_& m);
void init_tensor(nb::module_& m);
void init_nnet(nb::module_& m);
void init_modes(nb::module_& m);  // DebugOptions, NanGuardOptions (before init_function)
void init_function(nb::module_& m);
nb::dict profile_data_dict(const Function& f);  // Function.profile_data()
nb::object profile_source(const std::shared_ptr<const Function>& f);  // Function.profile_source()
/// The Python class registered (register_check_error) for a DebugMode/NanGuardMode message,
/// else `fallback`.
PyObject* check_error_class(const char* what, PyObject* fallback);
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
void init_extra(nb::module_& m);  // _core.extra: extra_ops, fft, MRG31k3p (bind_extra.cpp)
// The sparse module (submodule _core.sparse).
void init_sparse(nb::module_& m);
void init_sparse_arith(nb::module_& m);  // after init_sparse: adds to _core.sparse
void init_sparse_dot(nb::module_& m);  // after init_sparse: adds to _core.sparse
// Sparse selection, stacking, sparse_grad and probability ops (into _core.sparse).
void init_sparse_select(nb::module_& m);
void init_sparse_linalg(nb::module_& m);  // after init_sparse: spsolve (bind_sparse_linalg.cpp)
void init_blocksparse(nb::module_& m);  // tensor.nnet.blocksparse
void init_pool(nb::module_& m);  // _core.pool: signal.pool and nnet.neighbours (bind_pool.cpp)
void init_conv(nb::module_& m);  // tensor.nnet.abstract_conv
void init_nnet_fused(nb::module_& m);   // tensor.nnet.bn and the fused losses
void init_scan(nb::module_& m);  // _scan, behind hypatia.scan_module
void init_pyop(nb::module_& m);  // ops written in Python (bind_pyop.cpp)
void init_ifelse(nb::module_& m);       // _core.ifelse (theano.ifelse)
void init_control(nb::module_& m);
void init_distributed(nb::module_& m);  // _core.distributed (bind_distributed.cpp; stubs without MPI)
void init_pickle(nb::module_& m);  // _core.pickle: op serialisation (bind_pickle.cpp)  // OpFromGraph, Print, clone, subgraph_grad (bind_control.cpp)

/// A Python object as a graph variable: Variables pass through; numbers, numpy arrays and
/// lists become constants (Theano's as_tensor_variable).
Var as_var(nb::handle obj);
/// Axis arguments: None, an int, or a sequence of ints.
std::optional<std::vector<int>> as_axes(nb::handle obj);

/// A dtype argument: None or 'floatX' give floatX, anything numpy.dtype accepts its dtype.
DType dtype_arg(nb::handle d);
/// An optional dtype argument: None gives nullopt (the op's own default), 'floatX' floatX,
/// a dtype name (or an object whose str() is one) that dtype.
std::optional<DType> opt_dtype(nb::handle d);
/// numpy's ComplexWarning when casting x to `to` drops imaginary parts (a sparse cast warns
/// when it is built, as scipy's astype warns in Theano's perform).
void warn_if_discarding_imaginary(const Var& x, DType to);
/// scipy's SparseEfficiencyWarning for a comparison that scipy computes over every implicit
/// zero (==, <=, >= of two sparse matrices; a scalar s with 0 `name` s true). `name` is one of
/// eq, neq, lt, gt, le, ge; does nothing when neither operand is sparse.
void warn_sparse_comparison(const char* name, nb::handle x, nb::handle y);
/// x[key] for a sparse variable x (bind_sparse_select.cpp).
Var sparse_getitem(const Var& x, nb::handle key);

/// The Python handle for an Op (compared by equals/hash, so merged ops compare equal); one
/// definition for every binding unit.
struct PyOp {
  OpPtr op;
};
/// Python handle for an Apply node (hypatia.Apply).
struct PyApply {
  ApplyPtr node;
};

// ---- ops written in Python (bind_pyop.cpp) ----
/// node.op for Python: the user's object for an op written in Python, else a PyOp handle.
nb::object op_to_python(const OpPtr& op);
/// hypatia.Apply(op, inputs, outputs) for an op written in Python: the node of `op` on the
/// input Variables, with fresh outputs of the given output Variables' types (and names).
ApplyPtr apply_from_python(nb::handle op, nb::handle inputs, nb::handle outputs);
/// For the exception translator: when `e` carries a Python exception raised inside a Python
/// op's perform, sets that exception's type again (message plus the VM's node context) and
/// returns true.
bool restore_python_error(const Error& e);

/// An op object for Python: O constructed from its params (sparse.Dot(), SpSum(axis, ...)).
template <class O, class... P>
PyOp make_op(P... params) {
  return PyOp{std::make_shared<O>(params...)};
}
/// A sparse operand: a Variable passes through (its op checks the type), a scipy csr/csc matrix
/// becomes a sparse constant; TypeError "[who] ..." for anything else (bind_sparse.cpp).
Var sparse_operand(nb::handle x, const char* who);

// ---- calling op instances from Python (op_call.cpp) ----
/// An op input from Python: Variables pass through, scipy csr/csc matrices become sparse
/// constants, numbers, numpy arrays and lists dense constants (as_var). Errors name `who`.
Var as_operand(nb::handle obj, const std::string& who);
/// One parameter of an op's Python signature, named as in Theano's make_node; arity > 1 spreads
/// a tuple over that many op inputs (GetItemScalar's index = (i, j)).
struct OpParam {
  std::string name;
  int arity = 1;
};
/// Registers the input names of an op class, so that its instances accept keyword inputs
/// (GetItemList()(x, index=i)). Ops without names take positional inputs only.
void register_op_params(std::type_index op, std::vector<OpParam> params);
template <class O>
void op_params(std::vector<OpParam> params) {
  register_op_params(std::type_index(typeid(O)), std::move(params));
}
/// Runs after an op instance called from Python has built its node (e.g. a warning to emit).
using OpCallHook = std::function<void(const Op& op, const std::vector<Var>& inputs)>;
void register_op_call_hook(std::type_index op, OpCallHook hook);
/// The inputs of op(*args, **kwargs): converted with as_operand and ordered by the op's
/// registered names; TypeError "[Op] ..." for unknown, repeated or missing inputs.
std::vector<Var> op_call_inputs(const Op& op, nb::args args, nb::kwargs kwargs);
/// The hook registered for op's class, if any.
void after_op_call(const Op& op, const std::vector<Var>& inputs);

}  // namespace hypatia::py
