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
    return sparse::structured_dot(as_operand(x, "StructuredDot"), as_operand(y, "StructuredDot"));
  }, nb::arg("x"), nb::arg("y"));
  m.def("dot", [](nb::handle x, nb::handle y) { return sparse::dot(as_operand(x, "Dot"), as_operand(y, "Dot")); },
        nb::arg("x"), nb::arg("y"));
  m.def("true_dot", [](nb::handle x, nb::handle y, bool g) {
    return sparse::true_dot(as_operand(x, "TrueDot"), as_operand(y, "TrueDot"), g);
  }, nb::arg("x"), nb::arg("y"), nb::arg("grad_preserves_dense") = true);
  m.def("sampling_dot", [](nb::handle x, nb::handle y, nb::handle p) {
    return sparse::sampling_dot(as_operand(x, "SamplingDot"), as_operand(y, "SamplingDot"), as_operand(p, "SamplingDot"));
  }, nb::arg("x"), nb::arg("y"), nb::arg("p"));
  m.def("usmm", [](nb::handle alpha, nb::handle x, nb::handle y, nb::handle z) {
    return sparse::usmm(as_operand(alpha, "Usmm"), as_operand(x, "Usmm"), as_operand(y, "Usmm"), as_operand(z, "Usmm"));
  }, nb::arg("alpha"), nb::arg("x"), nb::arg("y"), nb::arg("z"));
  m.def("structured_dot_grad", [](nb::handle a, nb::handle b, nb::handle g) {
    return sparse::structured_dot_grad(as_operand(a, "StructuredDotGrad"), as_operand(b, "StructuredDotGrad"),
                                       as_operand(g, "StructuredDotGrad"));
  }, nb::arg("a"), nb::arg("b"), nb::arg("g_ab"));
}

}  // namespace hypatia::py
