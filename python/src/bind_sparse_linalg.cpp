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
        "The op class SpFactor: SpFactor(assume_a)(A) is A's sparse factorisation (an opaque SpFactorType value). "
        "assume_a is 'gen' (UMFPACK LU), 'pos' (CHOLMOD Cholesky) or 'sym' (CHOLMOD LDL^T), as in spsolve. Making "
        "the op raises nothing (TypeError for an assume_a that is not a string); applying it raises ValueError "
        "'[SpSolve] ...' for another assume_a and TypeError for an A that is not a float32/float64 sparse matrix; "
        "running it raises ValueError for a non-square, singular or (pos) not positive definite A and MemoryError "
        "when the factorisation runs out of memory.");
  m.def("SpSolve", [](const std::string& assume_a, bool trans) { return make_op<SpSolve>(SpSolveParams{assume_a, trans}); },
        nb::arg("assume_a") = "gen", nb::arg("trans") = false,
        "The op class SpSolve: SpSolve(assume_a, trans)(A, SpFactor(assume_a)(A), b) solves A x = b (A^T x = b). "
        "assume_a ('gen', 'pos' or 'sym') must match the factorisation's; trans solves with the transpose (it "
        "only matters for 'gen'). Making the op raises nothing (TypeError for arguments of the wrong type); "
        "applying it raises ValueError for an unknown assume_a and TypeError for an A that is not a float32/float64 "
        "sparse matrix, a second input that is not SpFactor(A), or a b that is not a dense vector or matrix of A's "
        "dtype; running it raises ValueError for a factorisation that does not belong to A or a b of the wrong "
        "length.");
  m.def("SpSolveGradA", [](const std::string& assume_a) { return make_op<SpSolveGradA>(SpFactorParams{assume_a}); },
        nb::arg("assume_a") = "gen",
        "The op class SpSolveGradA: SpSolveGradA(assume_a)(A, u, x) is the structured matrix -u_i . x_j on A's entries "
        "(spsolve's gradient w.r.t. A; assume_a 'pos'/'sym' keeps the upper triangle's entries, as spsolve reads "
        "them). Making the op raises nothing (TypeError for an assume_a that is not a string); applying it raises "
        "ValueError for an unknown assume_a and TypeError for an A that is not a float32/float64 sparse matrix or "
        "a u or x that is not a dense vector or matrix of A's dtype, or of different ranks; running it raises "
        "ValueError for a u and x of different shapes.");
  m.def("SpSolveMatvec", [](const std::string& assume_a, bool trans) {
    return make_op<SpSolveMatvec>(SpSolveParams{assume_a, trans});
  }, nb::arg("assume_a") = "gen", nb::arg("trans") = false,
        "The op class SpSolveMatvec: SpSolveMatvec(assume_a, trans)(A, v) is A v (A^T v; S(A) v for 'pos'/'sym'). "
        "assume_a is 'gen', 'pos' or 'sym' (S(A) is the symmetric matrix A's upper triangle gives); trans uses "
        "the transpose. Making the op raises nothing (TypeError for arguments of the wrong type); applying it "
        "raises ValueError for an unknown assume_a and TypeError for an A that is not a float32/float64 sparse "
        "matrix or a v that is not a dense vector or matrix of A's dtype; running it raises ValueError for a "
        "non-square A or a v of the wrong length.");
  m.def("spfactor_type", [] { return PyType{SpFactorType::make()}; },
        "The type of SpFactor's output (SpFactorType), for pickling.");
  op_params<SpFactor>({{"A"}});
  op_params<SpSolve>({{"A"}, {"factor"}, {"b"}});
  op_params<SpSolveGradA>({{"A"}, {"u"}, {"x"}});
  op_params<SpSolveMatvec>({{"A"}, {"v"}});
}

}  // namespace hypatia::py
