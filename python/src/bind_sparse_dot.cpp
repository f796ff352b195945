// Python bindings of the sparse products (hypatia._core.sparse): StructuredDot, Dot, TrueDot,
// SamplingDot, Usmm, UsmmCscDense and their builders. hypatia/sparse/products.py wraps them.
#include "bindings.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/ops/dot.h"
#include "hypatia/sparse/ops/sampling.h"
#include "hypatia/sparse/ops/usmm.h"
#include "hypatia/sparse/products.h"

namespace hypatia::py {

/// The Python handle for an Op, as defined in bind_graph.cpp (same definition, same type).
struct PyOp {
  OpPtr op;
};

namespace {

// A product operand: variables pass through, scipy csr/csc matrices become sparse constants,
// numbers and arrays dense constants.
Var operand(nb::handle x, const char* who) { return as_operand(x, who); }

template <class O, class... P>
PyOp make_op(P... params) {
  return PyOp{std::make_shared<O>(params...)};
}

}  // namespace

void init_sparse_dot(nb::module_& root) {
  nb::module_ m = nb::borrow<nb::module_>(root.attr("sparse"));

  m.def("StructuredDot", [] { return make_op<StructuredDot>(); });
  m.def("Dot", [] { return make_op<SparseDot>(); });
  m.def("TrueDot", [](bool g) { return make_op<TrueDot>(TrueDotParams{g}); }, nb::arg("grad_preserves_dense") = true);
  m.def("SamplingDot", [] { return make_op<SamplingDot>(); });
  m.def("Usmm", [] { return make_op<Usmm>(); });
  m.def("UsmmCscDense", [](bool inplace) { return make_op<UsmmCscDense>(UsmmCscDenseParams{inplace}); },
        nb::arg("inplace") = false);
  m.def("StructuredDotGradCSR", [] { return make_op<StructuredDotGrad>(StructuredDotGradParams{SparseFormat::CSR}); });
  m.def("StructuredDotGradCSC", [] { return make_op<StructuredDotGrad>(StructuredDotGradParams{SparseFormat::CSC}); });
  m.def("SampleSparse", [](bool scale) { return make_op<SampleSparse>(SampleSparseParams{scale}); },
        nb::arg("scale") = false);

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
    return sparse::structured_dot(operand(x, "StructuredDot"), operand(y, "StructuredDot"));
  }, nb::arg("x"), nb::arg("y"));
  m.def("dot", [](nb::handle x, nb::handle y) { return sparse::dot(operand(x, "Dot"), operand(y, "Dot")); },
        nb::arg("x"), nb::arg("y"));
  m.def("true_dot", [](nb::handle x, nb::handle y, bool g) {
    return sparse::true_dot(operand(x, "TrueDot"), operand(y, "TrueDot"), g);
  }, nb::arg("x"), nb::arg("y"), nb::arg("grad_preserves_dense") = true);
  m.def("sampling_dot", [](nb::handle x, nb::handle y, nb::handle p) {
    return sparse::sampling_dot(operand(x, "SamplingDot"), operand(y, "SamplingDot"), operand(p, "SamplingDot"));
  }, nb::arg("x"), nb::arg("y"), nb::arg("p"));
  m.def("usmm", [](nb::handle alpha, nb::handle x, nb::handle y, nb::handle z) {
    return sparse::usmm(operand(alpha, "Usmm"), operand(x, "Usmm"), operand(y, "Usmm"), operand(z, "Usmm"));
  }, nb::arg("alpha"), nb::arg("x"), nb::arg("y"), nb::arg("z"));
  m.def("structured_dot_grad", [](nb::handle a, nb::handle b, nb::handle g) {
    return sparse::structured_dot_grad(operand(a, "StructuredDotGrad"), operand(b, "StructuredDotGrad"),
                                       operand(g, "StructuredDotGrad"));
  }, nb::arg("a"), nb::arg("b"), nb::arg("g_ab"));
}

}  // namespace hypatia::py
