// Python bindings of the sparse products (hypatia._core.sparse): StructuredDot, Dot, TrueDot,
// SamplingDot, Usmm, UsmmCscDense and their builders. hypatia/sparse/products.py wraps them.
#include "bindings.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/ops/dot.h"
#include "hypatia/sparse/ops/sampling.h"
#include "hypatia/sparse/ops/usmm.h"
#include "hypatia/sparse/products.h"

namespace hypatia::py {

void init_sparse_dot(nb::module_& root) {
  nb::module_ m = nb::borrow<nb::module_>(root.attr("sparse"));

  m.def("StructuredDot", [] { return make_op<StructuredDot>(); },
        "Theano's op class StructuredDot: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("Dot", [] { return make_op<SparseDot>(); },
        "Theano's op class Dot: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("TrueDot", [](bool g) { return make_op<TrueDot>(TrueDotParams{g}); }, nb::arg("grad_preserves_dense") = true,
        "Theano's op class TrueDot: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op. ``grad_preserves_dense``: a dense operand gets a dense gradient (True) or a sparse one.");
  m.def("SamplingDot", [] { return make_op<SamplingDot>(); },
        "Theano's op class SamplingDot: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("Usmm", [] { return make_op<Usmm>(); },
        "Theano's op class Usmm: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("UsmmCscDense", [](bool inplace) { return make_op<UsmmCscDense>(UsmmCscDenseParams{inplace}); },
        nb::arg("inplace") = false,
        "Theano's op class UsmmCscDense: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op. ``inplace``: the op overwrites its dense accumulator (the in-place pass sets it when proven safe).");
  m.def("StructuredDotGradCSR", [] { return make_op<StructuredDotGrad>(StructuredDotGradParams{SparseFormat::CSR}); },
        "Theano's op class StructuredDotGradCSR: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("StructuredDotGradCSC", [] { return make_op<StructuredDotGrad>(StructuredDotGradParams{SparseFormat::CSC}); },
        "Theano's op class StructuredDotGradCSC: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("SampleSparse", [](bool scale) { return make_op<SampleSparse>(SampleSparseParams{scale}); },
        nb::arg("scale") = false,
        "Theano's op class SampleSparse: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op. ``scale``: Theano's flag, kept as an op parameter.");

  // Theano's make_node input names (keyword inputs of op instances).
  op_params<StructuredDot>({{"a"}, {"b"}});
  op_params<SparseDot>({{"x"}, {"y"}});
  op_params<TrueDot>({{"x"}, {"y"}});
  op_params<SamplingDot>({{"x"}, {"y"}, {"p"}});
  op_params<Usmm>({{"alpha"}, {"x"}, {"y"}, {"z"}});
  op_params<UsmmCscDense>({{"alpha"}, {"x"}, {"y"}, {"z"}});
  op_params<StructuredDotGrad>({{"a_indices"}, {"a_indptr"}, {"b"}, {"g_ab"}});
  op_params<SampleSparse>({{"pattern"}, {"g"}});

  m.def("structured_dot", [](nb::handle x, nb::handle y) {
    return sparse::structured_dot(as_operand(x, "StructuredDot"), as_operand(y, "StructuredDot"));
  }, nb::arg("x"), nb::arg("y"),
        "x . y with at least one sparse operand (a sparse variable or a scipy csr/csc matrix). Sparse x: y dense (matrix or vector) gives a dense result, y sparse a sparse one (x's format). Dense x, sparse y: computed as Theano does, (y.T . x.T).T, dense. The gradient of a sparse operand is structured (only its stored entries), a dense operand's is regular. Raises TypeError when neither operand is sparse or their ranks do not fit; the compiled function raises ValueError when the inner dimensions differ.");
  m.def("dot", [](nb::handle x, nb::handle y) { return sparse::dot(as_operand(x, "Dot"), as_operand(y, "Dot")); },
        nb::arg("x"), nb::arg("y"),
        "theano.sparse.dot (op Dot): one operand sparse, the other sparse or dense, either order. Always a dense result, also for two sparse operands. Regular grads (a sparse operand gets the whole gradient, in its format). Two dense operands: TypeError. ``x`` and ``y``: sparse or dense variables or values, at least one sparse. Raises TypeError when neither is sparse or their dtypes or ranks do not fit; the compiled function raises ValueError when the inner dimensions differ.");
  m.def("true_dot", [](nb::handle x, nb::handle y, bool g) {
    return sparse::true_dot(as_operand(x, "TrueDot"), as_operand(y, "TrueDot"), g);
  }, nb::arg("x"), nb::arg("y"), nb::arg("grad_preserves_dense") = true,
        "x . y with a sparse output (x's format); a dense vector y gives a dense vector. Regular grads; a dense y gets a dense grad unless grad_preserves_dense is False. Raises TypeError when neither operand is sparse; the compiled function raises ValueError when the inner dimensions differ.");
  m.def("sampling_dot", [](nb::handle x, nb::handle y, nb::handle p) {
    return sparse::sampling_dot(as_operand(x, "SamplingDot"), as_operand(y, "SamplingDot"), as_operand(p, "SamplingDot"));
  }, nb::arg("x"), nb::arg("y"), nb::arg("p"),
        "p * (x . y.T) computed only at p's stored entries: x is m x k, y is n x k (dense), p is a sparse m x n matrix. Sparse output in p's format. True grads for x and y, structured for p. Raises TypeError when x or y is not a dense matrix or p is not sparse; the compiled function raises ValueError when the shapes do not agree.");
  m.def("usmm", [](nb::handle alpha, nb::handle x, nb::handle y, nb::handle z) {
    return sparse::usmm(as_operand(alpha, "Usmm"), as_operand(x, "Usmm"), as_operand(y, "Usmm"), as_operand(z, "Usmm"));
  }, nb::arg("alpha"), nb::arg("x"), nb::arg("y"), nb::arg("z"),
        "z + alpha * (x . y), with x or y sparse and z dense (the sparse gemm). Raises TypeError when neither x nor y is sparse, z is not dense or alpha is not a scalar; the compiled function raises ValueError when the shapes do not agree.");
  m.def("structured_dot_grad", [](nb::handle a, nb::handle b, nb::handle g) {
    return sparse::structured_dot_grad(as_operand(a, "StructuredDotGrad"), as_operand(b, "StructuredDotGrad"),
                                       as_operand(g, "StructuredDotGrad"));
  }, nb::arg("a"), nb::arg("b"), nb::arg("g_ab"),
        "The structured gradient of structured_dot(a, b) w.r.t. a: a's pattern holding dot(g_ab[i, :], b[j, :]) at each stored (i, j). Built as Theano builds it: CSR/CSC(StructuredDotGradCSR/CSC(indices, indptr, b, g_ab), indices, indptr, shape), the op computing the data vector from a's structure. Raises TypeError when a is not sparse or b, g_ab are not dense matrices.");
}

}  // namespace hypatia::py
