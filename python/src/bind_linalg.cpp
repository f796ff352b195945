// Python bindings of the tensor linalg family: tensordot, batched products, outer, the explicit
// BLAS ops (gemm, gemv, ger) and the nlinalg/slinalg basics.
#include "bindings.h"
#include "hypatia/tensor/linalg.h"

namespace hypatia::py {
namespace {

// axes: an int, or a pair of sequences of ints (a single int per side is accepted too).
std::pair<std::vector<int>, std::vector<int>> axes_pair(nb::handle axes, const char* who) {
  auto side = [&](nb::handle h) {
    std::vector<int> r;
    if (nb::isinstance<nb::int_>(h)) {
      r.push_back(nb::cast<int>(h));
      return r;
    }
    for (nb::handle e : h) r.push_back(nb::cast<int>(e));
    return r;
  };
  std::vector<nb::handle> parts;
  for (nb::handle e : axes) parts.push_back(e);
  if (parts.size() != 2) value_error("[", who, "] axes must be an int or a pair of axis lists");
  return {side(parts[0]), side(parts[1])};
}

}  // namespace

void init_linalg(nb::module_& m) {
  m.def("tensordot", [](nb::handle a, nb::handle b, nb::handle axes) {
    if (nb::isinstance<nb::int_>(axes)) return tensordot(as_var(a), as_var(b), nb::cast<int>(axes));
    auto [la, lb] = axes_pair(axes, "tensordot");
    return tensordot(as_var(a), as_var(b), la, lb);
  }, nb::arg("a"), nb::arg("b"), nb::arg("axes") = 2,
        "numpy.tensordot: sums over the given axes of a and b (an int n: the last n of a, first n of b).");
  m.def("batched_dot", [](nb::handle x, nb::handle y) { return batched_dot(as_var(x), as_var(y)); },
        "dot of a[i] and b[i] for each i along the first axis.");
  m.def("batched_tensordot", [](nb::handle x, nb::handle y, nb::handle axes) {
    if (nb::isinstance<nb::int_>(axes)) return batched_tensordot(as_var(x), as_var(y), nb::cast<int>(axes));
    auto [la, lb] = axes_pair(axes, "batched_tensordot");
    return batched_tensordot(as_var(x), as_var(y), la, lb);
  }, nb::arg("x"), nb::arg("y"), nb::arg("axes") = 2,
        "tensordot of a[i] and b[i] for each i along the first axis.");
  m.def("outer", [](nb::handle x, nb::handle y) { return outer(as_var(x), as_var(y)); },
        "The outer product of two vectors.");
  m.def("gemm", [](nb::handle z, nb::handle a, nb::handle x, nb::handle y, nb::handle b) {
    return gemm(as_var(z), as_var(a), as_var(x), as_var(y), as_var(b));
  },
        "Theano's Gemm: alpha * dot(x, y) + beta * z.");
  m.def("gemv", [](nb::handle y, nb::handle alpha, nb::handle a, nb::handle x, nb::handle beta) {
    return gemv(as_var(y), as_var(alpha), as_var(a), as_var(x), as_var(beta));
  },
        "Theano's Gemv: alpha * dot(A, x) + beta * y.");
  m.def("ger", [](nb::handle a, nb::handle alpha, nb::handle x, nb::handle y) {
    return ger(as_var(a), as_var(alpha), as_var(x), as_var(y));
  },
        "Theano's Ger: A + alpha * outer(x, y).");
  m.def("matrix_inverse", [](nb::handle a) { return matrix_inverse(as_var(a)); },
        "The inverse of a square matrix.");
  m.def("det", [](nb::handle a) { return det(as_var(a)); },
        "The determinant of a square matrix.");
  m.def("solve", [](nb::handle a, nb::handle b, const std::string& s) { return solve(as_var(a), as_var(b), s); },
        nb::arg("a"), nb::arg("b"), nb::arg("A_structure") = "general",
        "x with dot(a, x) = b (a square).");
  m.def("cholesky", [](nb::handle a, bool lower, const std::string& on_error) {
    return cholesky(as_var(a), lower, on_error);
  }, nb::arg("a"), nb::arg("lower") = true, nb::arg("on_error") = "raise",
        "The lower (or upper) Cholesky factor of a symmetric positive-definite matrix.");
}

}  // namespace hypatia::py
