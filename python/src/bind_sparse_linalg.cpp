// Python bindings of the sparse linear solves (hypatia._core.sparse): spsolve and its op classes
// SpFactor, SpSolve, SpSolveGradA, SpSolveMatvec. hypatia/sparse/linalg.py wraps them.
#include "bindings.h"
#include "hypatia/sparse/linalg.h"

namespace hypatia::py {

/// hypatia.Type's handle, as bind_graph.cpp defines it (the same definition, so the same class).
struct PyType {
  TypePtr t;
};

void init_sparse_linalg(nb::module_& root) {
  nb::module_ m = nb::borrow<nb::module_>(root.attr("sparse"));

  m.def("spsolve", [](nb::handle a, nb::handle b, const std::string& assume_a) {
    return sparse::spsolve(sparse_operand(a, "SpSolve"), as_operand(b, "SpSolve"), assume_a);
  }, nb::arg("A"), nb::arg("b"), nb::arg("assume_a") = "gen",
        "x with A x = b (scipy.sparse.linalg.spsolve) inside a differentiable graph. A: a square csr/csc sparse "
        "variable or scipy matrix; b: a dense vector or matrix (x has b's shape). assume_a: 'gen' (UMFPACK LU), "
        "'pos' (CHOLMOD Cholesky of the symmetric positive definite matrix given by A's upper triangle; entries "
        "below the diagonal are ignored) or 'sym' (CHOLMOD LDL^T of that matrix, without pivoting). float32 inputs "
        "give float32 (solved in double), anything else float64. The gradient w.r.t. b is A^-T g, the one w.r.t. A "
        "is structured (A's stored entries: -(A^-T g)_i x_j), both reusing the forward factorisation. ValueError "
        "'[SpSolve] ...' for a non-square, singular or (pos) not positive definite A or a b of the wrong length.");
  m.def("SpFactor", [](const std::string& assume_a) { return make_op<SpFactor>(SpFactorParams{assume_a}); },
        nb::arg("assume_a") = "gen",
        "The op class SpFactor: SpFactor(assume_a)(A) is A's sparse factorisation (an opaque SpFactorType value).");
  m.def("SpSolve", [](const std::string& assume_a, bool trans) { return make_op<SpSolve>(SpSolveParams{assume_a, trans}); },
        nb::arg("assume_a") = "gen", nb::arg("trans") = false,
        "The op class SpSolve: SpSolve(assume_a, trans)(A, SpFactor(assume_a)(A), b) solves A x = b (A^T x = b).");
  m.def("SpSolveGradA", [](const std::string& assume_a) { return make_op<SpSolveGradA>(SpFactorParams{assume_a}); },
        nb::arg("assume_a") = "gen",
        "The op class SpSolveGradA: SpSolveGradA(assume_a)(A, u, x) is the structured matrix -u_i . x_j on A's entries.");
  m.def("SpSolveMatvec", [](const std::string& assume_a, bool trans) {
    return make_op<SpSolveMatvec>(SpSolveParams{assume_a, trans});
  }, nb::arg("assume_a") = "gen", nb::arg("trans") = false,
        "The op class SpSolveMatvec: SpSolveMatvec(assume_a, trans)(A, v) is A v (A^T v; S(A) v for 'pos'/'sym').");
  m.def("spfactor_type", [] { return PyType{SpFactorType::make()}; },
        "The type of SpFactor's output (SpFactorType), for pickling.");
  op_params<SpFactor>({{"A"}});
  op_params<SpSolve>({{"A"}, {"factor"}, {"b"}});
  op_params<SpSolveGradA>({{"A"}, {"u"}, {"x"}});
  op_params<SpSolveMatvec>({{"A"}, {"v"}});
}

}  // namespace hypatia::py
